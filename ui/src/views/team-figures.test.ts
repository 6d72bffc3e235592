import { describe, expect, it } from 'vitest'
import type { WorkerCaseload } from '../ipc'
import { caseloadCsv, caseloadFileName, caseloadTotals, csvField, formatDays, otherOpen, weeklyCsv, weeklyFileName } from './team-figures'

function worker(name: string | null, counts: Partial<Omit<WorkerCaseload, 'worker'>> = {}): WorkerCaseload {
  return {
    worker: name,
    openCases: 0,
    inProgress: 0,
    awaitingReview: 0,
    visitsUnderWay: 0,
    overdueVisits: 0,
    overdueCases: 0,
    casesWithConflicts: 0,
    openTasks: 0,
    overdueTasks: 0,
    ...counts,
  }
}

const SAM = worker('sam.caseworker', { openCases: 11, inProgress: 5, awaitingReview: 2, visitsUnderWay: 1, overdueCases: 2, casesWithConflicts: 2, openTasks: 2, overdueTasks: 1 })
const ALEX = worker('alex.colleague', { openCases: 1, awaitingReview: 1, visitsUnderWay: 1, overdueVisits: 1 })
const NOBODY = worker(null, { openCases: 1, visitsUnderWay: 1, overdueVisits: 1 })

const HEADER = 'Worker,Open cases,In progress,Awaiting review,Overdue cases,Open tasks,Overdue tasks,Visits under way,Overdue visits,Cases with conflicts'

describe('the caseload as a CSV file', () => {
  it('has a header, a record per worker in the order given, and a total, each line ending CRLF', () => {
    expect(caseloadCsv([ALEX, SAM, NOBODY])).toBe(
      [HEADER, 'alex.colleague,1,0,1,0,0,0,1,1,0', 'sam.caseworker,11,5,2,2,2,1,1,0,2', 'Not assigned,1,0,0,0,0,0,1,1,0', 'Total,13,5,3,2,2,1,3,2,2'].join('\r\n') +
        '\r\n',
    )
  })

  it('is just the header and a zero total for a team with no cases', () => {
    expect(caseloadCsv([])).toBe(`${HEADER}\r\nTotal,0,0,0,0,0,0,0,0,0\r\n`)
  })

  it('quotes fields with commas, quotes or line breaks, doubling the quotes, as RFC 4180 says', () => {
    expect(csvField('Smith, Jo')).toBe('"Smith, Jo"')
    expect(csvField('Jo "JJ" Smith')).toBe('"Jo ""JJ"" Smith"')
    expect(csvField('two\nlines')).toBe('"two\nlines"')
    expect(csvField('carriage\rreturn')).toBe('"carriage\rreturn"')
    expect(csvField('jo.smith')).toBe('jo.smith')
    expect(csvField(12)).toBe('12')
    expect(caseloadCsv([worker('Smith, Jo', { openCases: 3 })]).split('\r\n')[1]).toBe('"Smith, Jo",3,0,0,0,0,0,0,0,0')
  })

  it('turns a name a spreadsheet would run as a formula into plain text with a leading apostrophe', () => {
    expect(csvField('=HYPERLINK("http://evil.example","Click")')).toBe(`"'=HYPERLINK(""http://evil.example"",""Click"")"`)
    expect(csvField('+44 7700 900123')).toBe("'+44 7700 900123")
    expect(csvField('-2+3')).toBe("'-2+3")
    expect(csvField('@SUM(A1:A9)')).toBe("'@SUM(A1:A9)")
    expect(csvField('\t=1+1')).toBe("'\t=1+1")
    // Only the first character counts: these are ordinary names.
    expect(csvField('jo=smith')).toBe('jo=smith')
    expect(csvField('mary-jane')).toBe('mary-jane')
    expect(caseloadCsv([worker('=cmd|"/c calc"!A1', { openCases: 1 })]).split('\r\n')[1]).toBe(`"'=cmd|""/c calc""!A1",1,0,0,0,0,0,0,0,0`)
  })

  it('is named for the day the figures are from, in the laptop’s time zone', () => {
    expect(caseloadFileName(new Date(2026, 10, 28, 23, 59).getTime())).toBe('team-caseload-2026-11-28.csv')
    expect(caseloadFileName(new Date(2027, 0, 3, 0, 1).getTime())).toBe('team-caseload-2027-01-03.csv')
  })
})

describe('adding up the caseload', () => {
  it('totals every column over the workers, unassigned cases included', () => {
    expect(caseloadTotals([SAM, ALEX, NOBODY])).toEqual({
      openCases: 13,
      inProgress: 5,
      awaitingReview: 3,
      overdueCases: 2,
      openTasks: 2,
      overdueTasks: 1,
      visitsUnderWay: 3,
      overdueVisits: 2,
      casesWithConflicts: 2,
    })
  })

  it('counts the open cases that are neither in progress nor awaiting review as not started', () => {
    expect(otherOpen(SAM)).toBe(4)
    expect(otherOpen(ALEX)).toBe(0)
    // Figures from an older laptop that do not add up never draw a negative bar.
    expect(otherOpen(worker('x', { openCases: 1, inProgress: 2 }))).toBe(0)
  })
})

describe('the weekly figures', () => {
  const WEEKS = [
    { weekStarting: '2026-10-05', opened: 6, closed: 5 },
    { weekStarting: '2026-10-12', opened: 4, closed: 6 },
    { weekStarting: '2026-11-23', opened: 2, closed: 1 },
  ]

  it('as a CSV file: a header, a record per week by its Monday, and the total', () => {
    expect(weeklyCsv(WEEKS)).toBe('Week starting,Opened,Closed\r\n2026-10-05,6,5\r\n2026-10-12,4,6\r\n2026-11-23,2,1\r\nTotal,12,12\r\n')
    expect(weeklyCsv([])).toBe('Week starting,Opened,Closed\r\nTotal,0,0\r\n')
  })

  it('keeps a week a spreadsheet would run as a formula as plain text', () => {
    expect(weeklyCsv([{ weekStarting: '=1+1', opened: 1, closed: 0 }]).split('\r\n')[1]).toBe("'=1+1,1,0")
  })

  it('is named for the day the figures are from', () => {
    expect(weeklyFileName(new Date(2026, 10, 28, 9).getTime())).toBe('team-weekly-figures-2026-11-28.csv')
  })

  it('gives the median in days to one decimal place', () => {
    expect(formatDays(9.5)).toBe('9.5 days')
    expect(formatDays(1)).toBe('1 day')
    expect(formatDays(0)).toBe('0 days')
    expect(formatDays(12)).toBe('12 days')
  })
})
