// The team's caseload figures as the page, the chart and the CSV file all
// show them: one list of columns, so the three can never disagree about
// what a column is called or how the total is made.
import type { WeekFigures, WorkerCaseload } from '../ipc'
import { calendarDateOf } from '../time-format'

export const NOT_ASSIGNED = 'Not assigned'

type Count = Exclude<keyof WorkerCaseload, 'worker'>

export interface CaseloadColumn {
  key: Count
  heading: string
}

/** In the order a lead reads them: the load first, then what needs their attention. */
export const CASELOAD_COLUMNS: readonly CaseloadColumn[] = [
  { key: 'openCases', heading: 'Open cases' },
  { key: 'inProgress', heading: 'In progress' },
  { key: 'awaitingReview', heading: 'Awaiting review' },
  { key: 'overdueCases', heading: 'Overdue cases' },
  { key: 'openTasks', heading: 'Open tasks' },
  { key: 'overdueTasks', heading: 'Overdue tasks' },
  { key: 'visitsUnderWay', heading: 'Visits under way' },
  { key: 'overdueVisits', heading: 'Overdue visits' },
  { key: 'casesWithConflicts', heading: 'Cases with conflicts' },
]

export function workerName(worker: string | null): string {
  return worker ?? NOT_ASSIGNED
}

/** Every column added up over the workers: the table's and the file's last row. */
export function caseloadTotals(workers: readonly WorkerCaseload[]): Record<Count, number> {
  const totals = Object.fromEntries(CASELOAD_COLUMNS.map((column) => [column.key, 0])) as Record<Count, number>
  for (const worker of workers) {
    for (const { key } of CASELOAD_COLUMNS) totals[key] += worker[key]
  }
  return totals
}

/** Open cases that are neither in progress nor awaiting review: not started yet. */
export function otherOpen(worker: WorkerCaseload): number {
  return Math.max(0, worker.openCases - worker.inProgress - worker.awaitingReview)
}

// A spreadsheet runs a cell that starts with one of these as a formula (tab
// and carriage return too, in some), so a worker name such as
// "=HYPERLINK(...)" could do harm when a lead opens the file. OWASP's advice:
// a leading apostrophe makes the cell plain text.
const FORMULA_START = /^[=+\-@\t\r]/

/** One field of a CSV record: safe from formula injection, then quoted as RFC 4180 requires. */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value)
  const text = FORMULA_START.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** The caseload table as a CSV file: a header, one record per worker and the total, each line ending CRLF. */
export function caseloadCsv(workers: readonly WorkerCaseload[]): string {
  const totals = caseloadTotals(workers)
  const records: (string | number)[][] = [
    ['Worker', ...CASELOAD_COLUMNS.map((column) => column.heading)],
    ...workers.map((worker) => [workerName(worker.worker), ...CASELOAD_COLUMNS.map(({ key }) => worker[key])]),
    ['Total', ...CASELOAD_COLUMNS.map(({ key }) => totals[key])],
  ]
  return records.map((record) => record.map(csvField).join(',') + '\r\n').join('')
}

/** team-caseload-2026-11-28.csv, dated the day the figures were worked out, in the laptop's time zone. */
export function caseloadFileName(asOf: number): string {
  return `team-caseload-${calendarDateOf(new Date(asOf))}.csv`
}

// ---------------------------------------------------------------------------
// Cases opened and closed each week
// ---------------------------------------------------------------------------

export const WEEKLY_HEADINGS = ['Week starting', 'Opened', 'Closed'] as const

/** Each week's opened and closed added up. */
export function weeklyTotals(weeks: readonly WeekFigures[]): { opened: number; closed: number } {
  return weeks.reduce((sum, week) => ({ opened: sum.opened + week.opened, closed: sum.closed + week.closed }), { opened: 0, closed: 0 })
}

/** The weekly table as a CSV file: a header, a record per week (its Monday as YYYY-MM-DD, which spreadsheets read as a date) and the total. */
export function weeklyCsv(weeks: readonly WeekFigures[]): string {
  const totals = weeklyTotals(weeks)
  const records: (string | number)[][] = [
    [...WEEKLY_HEADINGS],
    ...weeks.map((week) => [week.weekStarting, week.opened, week.closed]),
    ['Total', totals.opened, totals.closed],
  ]
  return records.map((record) => record.map(csvField).join(',') + '\r\n').join('')
}

/** team-weekly-figures-2026-11-28.csv, dated the day the figures were worked out. */
export function weeklyFileName(asOf: number): string {
  return `team-weekly-figures-${calendarDateOf(new Date(asOf))}.csv`
}

/** "4.5 days", "1 day"; the median comes to one decimal place. */
export function formatDays(days: number): string {
  const text = days.toLocaleString('en-GB', { maximumFractionDigits: 1 })
  return `${text} ${days === 1 ? 'day' : 'days'}`
}
