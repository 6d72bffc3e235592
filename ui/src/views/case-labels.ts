// Words for case data, shared by the lists: status and sync badges, field
// names for people, and how a field's value reads on screen.
import { html, type SafeHtml } from '../html'
import type { CaseStatus, CaseSync, FieldValue } from '../ipc'
import { tag, type TagColour } from './govuk-form-markup'

export const NO_REFERENCE = 'Not yet given a reference'

export const STATUS_LABELS: Readonly<Record<CaseStatus, string>> = {
  open: 'Open',
  in_progress: 'In progress',
  awaiting_review: 'Awaiting review',
  closed: 'Closed',
}

const STATUS_COLOURS: Readonly<Record<CaseStatus, TagColour>> = {
  open: 'blue',
  in_progress: 'teal',
  awaiting_review: 'purple',
  closed: 'grey',
}

export function statusTag(status: CaseStatus): SafeHtml {
  return tag(STATUS_LABELS[status] ?? status, STATUS_COLOURS[status] ?? 'grey')
}

export const SYNC_LABELS = {
  synced: 'Synced',
  unsynced: 'Not sent yet',
  refused: 'Refused by server',
} as const

/** The badge for where a case stands with the server. */
export function syncTag(sync: CaseSync): SafeHtml {
  switch (sync.state) {
    case 'synced':
      return tag(SYNC_LABELS.synced, 'green')
    case 'unsynced':
      return tag(SYNC_LABELS.unsynced, 'yellow')
    case 'refused':
      return tag(SYNC_LABELS.refused, 'red')
  }
}

export function conflictTag(count: number): SafeHtml {
  return count === 0 ? html`` : tag(count === 1 ? 'Conflict' : `${count} conflicts`, 'orange')
}

export function caseTitle(reference: string | null): string {
  return reference ?? NO_REFERENCE
}

const COLLECTION_NOUNS: Readonly<Record<string, string>> = {
  people: 'person',
  visits: 'visit',
  tasks: 'task',
  consents: 'consent',
  risks: 'risk warning',
}

const FIELD_LABELS: Readonly<Record<string, string>> = {
  reference: 'Reference',
  case_type: 'Case type',
  status: 'Status',
  summary: 'Summary',
  assigned_to: 'Assigned to',
  team: 'Team',
  due_date: 'Due date',
  name: 'Name',
  date_of_birth: 'Date of birth',
  nhs_number: 'NHS number',
  ni_number: 'National Insurance number',
  address: 'Address',
  postcode: 'Postcode',
  uprn: 'UPRN',
  phone: 'Phone number',
  email: 'Email address',
  relationship: 'Relationship',
  planned_at: 'Planned time',
  checked_in_at: 'Checked in',
  expected_end: 'Expected end',
  checked_out_at: 'Checked out',
  outcome: 'Outcome',
  title: 'Title',
  done: 'Done',
  person: 'Person',
  purpose: 'Purpose',
  decision: 'Decision',
  recorded_at: 'Recorded',
  typed_signature: 'Typed signature',
  signature_attachment: 'Signature',
  text: 'Warning',
  active: 'Active',
}

function ownLabel(labels: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(labels, key) ? labels[key] : undefined
}

function humanise(name: string): string {
  const words = name.replace(/_/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** "Summary" for `summary`; "Phone number (person)" for `people.01J….phone`. */
export function fieldLabel(path: string): string {
  const parts = path.split('.')
  const field = parts[parts.length - 1] ?? path
  const label = ownLabel(FIELD_LABELS, field) ?? humanise(field)
  if (parts.length < 3) return label
  const noun = ownLabel(COLLECTION_NOUNS, parts[0] ?? '')
  return noun === undefined ? label : `${label} (${noun})`
}

/** Flags (task done, risk active) are booleans; everything else is text. */
export function isFlagValue(value: FieldValue): value is boolean {
  return typeof value === 'boolean'
}

/** How a value reads on screen: "Yes", "No", "(left empty)" or the text. */
export function displayValue(path: string, value: FieldValue): string {
  if (value === null || value === '') return '(left empty)'
  if (typeof value === 'boolean') return value ? 'Yes' : 'No'
  if (path === 'status' && Object.hasOwn(STATUS_LABELS, value)) return STATUS_LABELS[value as CaseStatus]
  return value
}

/** The text that sets a field back to `value`: flags are sent as yes/no. */
export function valueAsInput(value: FieldValue): string {
  if (value === null) return ''
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  return value
}
