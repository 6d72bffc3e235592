import { describe, expect, it } from 'vitest'
import { DEFAULT_FILTERS, narrowsList, queryFor, readDate, type CaseFilters } from './case-filters'

const filters = (overrides: Partial<CaseFilters>): CaseFilters => ({ ...DEFAULT_FILTERS, ...overrides })

describe('the filters on My cases as a query', () => {
  it('with nothing chosen, asks for every case, most recently changed first', () => {
    expect(queryFor(DEFAULT_FILTERS)).toEqual({ sort: 'updated' })
    expect(narrowsList(DEFAULT_FILTERS)).toBe(false)
  })

  it('passes on each filter that narrows the list', () => {
    expect(
      queryFor(
        filters({
          text: '  okafor ',
          status: 'in_progress',
          risk: 'without',
          dueBefore: { day: '7', month: '3', year: '2026' },
          conflictsOnly: true,
          sort: 'due_date',
        }),
      ),
    ).toEqual({ sort: 'due_date', text: 'okafor', status: 'in_progress', hasRisk: false, dueBefore: '2026-03-07', conflictsOnly: true })
    expect(queryFor(filters({ risk: 'with' })).hasRisk).toBe(true)
  })

  it('treats spaces as no search, and sorting as not narrowing', () => {
    expect(queryFor(filters({ text: '   ' })).text).toBeUndefined()
    expect(narrowsList(filters({ sort: 'reference' }))).toBe(false)
    expect(narrowsList(filters({ text: 'smi' }))).toBe(true)
  })

  it('leaves out a due date that is unfinished or not real', () => {
    expect(queryFor(filters({ dueBefore: { day: '31', month: '2', year: '2026' } })).dueBefore).toBeUndefined()
    expect(queryFor(filters({ dueBefore: { day: '1', month: '3', year: '' } })).dueBefore).toBeUndefined()
  })
})

describe('reading a GOV.UK date input', () => {
  it('all empty is no date; a real date is YYYY-MM-DD', () => {
    expect(readDate({ day: '', month: ' ', year: '' })).toEqual({ kind: 'empty' })
    expect(readDate({ day: '29', month: '02', year: '2028' })).toEqual({ kind: 'date', value: '2028-02-29' })
  })

  it('anything else is invalid: half-typed, impossible, or not numbers', () => {
    for (const parts of [
      { day: '29', month: '2', year: '2026' },
      { day: '1', month: '13', year: '2026' },
      { day: '1', month: '1', year: '26' },
      { day: 'one', month: '1', year: '2026' },
      { day: '', month: '1', year: '2026' },
    ]) {
      expect(readDate(parts)).toEqual({ kind: 'invalid' })
    }
  })
})
