// What the filters on My cases mean as a `list_cases` query. Kept apart
// from the page so the rules (an unfinished date is not a filter yet, an
// empty search is no search) can be tested without a DOM.
import type { CaseQuery, CaseSort, CaseStatus } from '../ipc'

export type RiskFilter = 'any' | 'with' | 'without'

export interface DateParts {
  day: string
  month: string
  year: string
}

export interface CaseFilters {
  text: string
  status: CaseStatus | 'any'
  risk: RiskFilter
  dueBefore: DateParts
  conflictsOnly: boolean
  sort: CaseSort
}

export const DEFAULT_FILTERS: CaseFilters = {
  text: '',
  status: 'any',
  risk: 'any',
  dueBefore: { day: '', month: '', year: '' },
  conflictsOnly: false,
  sort: 'updated',
}

export const DUE_BEFORE_ERROR = 'Due before must be a real date, like 27 3 2026'

export type DateReading = { kind: 'empty' } | { kind: 'date'; value: string } | { kind: 'invalid' }

/**
 * Reads the three boxes of a GOV.UK date input. All empty is no date; a
 * day, month and year that make a real date give YYYY-MM-DD; anything
 * else (including a half-typed date) is invalid.
 */
export function readDate({ day, month, year }: DateParts): DateReading {
  const [d, m, y] = [day.trim(), month.trim(), year.trim()]
  if (d === '' && m === '' && y === '') return { kind: 'empty' }
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return { kind: 'invalid' }
  const [dn, mn, yn] = [Number(d), Number(m), Number(y)]
  const date = new Date(Date.UTC(yn, mn - 1, dn))
  if (date.getUTCFullYear() !== yn || date.getUTCMonth() !== mn - 1 || date.getUTCDate() !== dn) return { kind: 'invalid' }
  return { kind: 'date', value: `${y}-${String(mn).padStart(2, '0')}-${String(dn).padStart(2, '0')}` }
}

/** The query for `filters`, leaving out everything that does not narrow the list. */
export function queryFor(filters: CaseFilters): CaseQuery {
  const query: CaseQuery = { sort: filters.sort }
  const text = filters.text.trim()
  if (text !== '') query.text = text
  if (filters.status !== 'any') query.status = filters.status
  if (filters.risk !== 'any') query.hasRisk = filters.risk === 'with'
  const due = readDate(filters.dueBefore)
  if (due.kind === 'date') query.dueBefore = due.value
  if (filters.conflictsOnly) query.conflictsOnly = true
  return query
}

/** True when the list may be shorter than every case on the laptop. Sorting never hides a case. */
export function narrowsList(filters: CaseFilters): boolean {
  const query = queryFor(filters)
  return (
    query.text !== undefined ||
    query.status !== undefined ||
    query.hasRisk !== undefined ||
    query.dueBefore !== undefined ||
    query.conflictsOnly === true
  )
}

/** Same query, so the same answer: used to skip asking Rust again. */
export function sameQuery(a: CaseQuery, b: CaseQuery): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}
