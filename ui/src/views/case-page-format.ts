// How the case page writes values for people to read. Instants are stored
// in UTC and shown in the laptop's local time; dates are calendar dates and
// have no time zone.
import type { CaseStatus, FieldEntry, FieldValue, ItemView, Millis } from '../ipc'
import { formatCalendarDate, formatDateTime, parseInstant } from '../time-format'
import { STATUS_LABELS } from './case-labels'

/** Where a status may go next, as the Rust side allows (`CaseStatus::can_move_to`). */
export const NEXT_STATUSES: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  open: ['in_progress'],
  in_progress: ['awaiting_review'],
  awaiting_review: ['in_progress', 'closed'],
  closed: ['open'],
}

export function isCaseStatus(value: unknown): value is CaseStatus {
  return typeof value === 'string' && Object.hasOwn(STATUS_LABELS, value)
}

/** The text of a field, or null when it is empty, cleared or a flag. */
export function textOf(entry: FieldEntry | undefined): string | null {
  const value: FieldValue | undefined = entry?.value
  return typeof value === 'string' && value.trim() !== '' ? value : null
}

export function itemText(item: ItemView, field: string): string | null {
  return textOf(item.fields[field])
}

export function itemFlag(item: ItemView, field: string): boolean {
  return item.fields[field]?.value === true
}

/** A calendar date (`2026-03-01`) as `1 March 2026`; anything else is shown as it is. */
export const formatDate = formatCalendarDate

/** An instant (RFC 3339 text or milliseconds) in local time: `28 November 2026 at 2:30pm`. */
export function formatInstant(value: string | Millis): string {
  const date = typeof value === 'number' ? new Date(value) : parseInstant(value)
  return date === null || Number.isNaN(date.getTime()) ? String(value) : formatDateTime(date)
}

/** The machine-readable form for a `<time datetime>` attribute. */
export function isoInstant(value: string | Millis): string {
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? '' : date.toISOString()
}

const pad = (n: number) => String(n).padStart(2, '0')

/** A `datetime-local` input's value for a moment, in local time: `2026-11-28T14:30`. */
export function toDateTimeLocal(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/**
 * A `datetime-local` value as the UTC RFC 3339 instant Rust expects, or null
 * when it is not a complete date and time.
 */
export function instantFromDateTimeLocal(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value.trim())) return null
  const date = new Date(value.trim())
  return Number.isNaN(date.getTime()) ? null : date.toISOString()
}

/** NHS numbers are shown 3-3-4, as people read them from letters: `943 476 5919`. */
export function formatNhsNumber(digits: string): string {
  return /^\d{10}$/.test(digits) ? `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}` : digits
}

/** `QQ123456C` → `QQ 12 34 56 C`, the way it is printed on National Insurance letters. */
export function formatNiNumber(compact: string): string {
  const match = /^([A-Z]{2})(\d{2})(\d{2})(\d{2})([A-D])$/.exec(compact)
  return match ? match.slice(1).join(' ') : compact
}
