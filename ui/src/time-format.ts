// Dates, times, counts and sizes written the way GOV.UK content is:
// "28 November 2026", "2:30pm", "midday", "2,431 cases", "3.4 MB".
// Times are shown in the laptop's own time zone, which is where the
// caseworker is.

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** "2:30pm", "9am", "midday", "midnight". */
export function formatTime(date: Date): string {
  const hours = date.getHours()
  const minutes = date.getMinutes()
  if (minutes === 0 && hours === 12) return 'midday'
  if (minutes === 0 && hours === 0) return 'midnight'
  const hour12 = hours % 12 === 0 ? 12 : hours % 12
  const suffix = hours < 12 ? 'am' : 'pm'
  return minutes === 0 ? `${hour12}${suffix}` : `${hour12}:${String(minutes).padStart(2, '0')}${suffix}`
}

/** "28 November 2026". */
export function formatDate(date: Date): string {
  return `${date.getDate()} ${MONTHS[date.getMonth()]} ${date.getFullYear()}`
}

/** "Saturday 28 November 2026". */
export function formatDateWithDay(date: Date): string {
  return `${WEEKDAYS[date.getDay()]} ${formatDate(date)}`
}

/** "28 November 2026 at 2:30pm". */
export function formatDateTime(date: Date): string {
  return `${formatDate(date)} at ${formatTime(date)}`
}

/** Parses an RFC 3339 instant; null when it is missing or not a real time. */
export function parseInstant(value: string | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}

/**
 * A calendar date (YYYY-MM-DD, as due dates are stored) as "28 November 2026".
 * Calendar dates have no time zone, so they are never shifted by one.
 */
export function formatCalendarDate(value: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!match) return value
  const [, year, month, day] = match
  const monthName = MONTHS[Number(month) - 1]
  return monthName === undefined ? value : `${Number(day)} ${monthName} ${year}`
}

/** Today as YYYY-MM-DD in the laptop's time zone, to compare with due dates. */
export function calendarDateOf(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

export function isSameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate()
}

/** "just now", "5 minutes ago", "3 hours ago", "yesterday", "4 days ago". */
export function formatRelative(then: Date, now: Date): string {
  const elapsed = now.getTime() - then.getTime()
  // A clock a little ahead of the server's still reads as "just now".
  if (elapsed < MINUTE) return 'just now'
  if (elapsed < HOUR) return plural(Math.floor(elapsed / MINUTE), 'minute') + ' ago'
  if (isSameDay(then, now) || elapsed < 6 * HOUR) return plural(Math.floor(elapsed / HOUR), 'hour') + ' ago'
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime()
  const days = Math.ceil((startOfToday - then.getTime()) / (24 * HOUR))
  return days <= 1 ? 'yesterday' : `${days} days ago`
}

/** "1 case", "2,431 cases". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? singular : pluralForm}`
}

/** "820 bytes", "14 KB", "3.4 MB", "1.2 GB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return plural(bytes, 'byte')
  const units = ['KB', 'MB', 'GB', 'TB'] as const
  let value = bytes / 1000
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit += 1
  }
  const shown = value >= 100 ? Math.round(value).toString() : value.toFixed(1).replace(/\.0$/, '')
  return `${shown} ${units[unit]}`
}
