import { afterEach, describe, expect, it } from 'vitest'
import { UNLOCK_PATH, resetLockState } from '../idle'
import type { VisitRow } from '../ipc'
import { mockDevice, mountView, textOf } from '../test/fake-backend'
import { settle } from '../test/fixtures'
import { visitState, visitsView } from './visits'

const NOW = new Date(2026, 10, 28, 11, 0)
const local = (hours: number, minutes = 0) => new Date(2026, 10, 28, hours, minutes).toISOString()

function visit(overrides: Partial<VisitRow> = {}): VisitRow {
  return {
    caseId: 'c1',
    caseReference: 'HOU-2026-0412',
    caseSummary: 'Damp',
    visitId: 'v1',
    plannedAt: local(10),
    checkedInAt: null,
    expectedEnd: null,
    checkedOutAt: null,
    address: null,
    riskWarnings: [],
    ...overrides,
  }
}

describe('where a visit stands', () => {
  it('not started, checked in with its expected end, overdue, or checked out', () => {
    expect(visitState(visit(), NOW).text).toBe('Not checked in yet.')
    expect(visitState(visit({ checkedInAt: local(10, 5), expectedEnd: local(11, 30) }), NOW).text).toBe(
      'Checked in at 10:05am. Expected to end at 11:30am.',
    )
    const overdue = visitState(visit({ checkedInAt: local(9), expectedEnd: local(10, 30) }), NOW)
    expect(overdue.tag.toString()).toContain('Overdue')
    expect(overdue.text).toMatch(/^Checked in at 9am\. It was expected to end at 10:30am: check out/)
    expect(visitState(visit({ checkedInAt: local(9), expectedEnd: local(10), checkedOutAt: local(9, 50) }), NOW).text).toBe('Checked out at 9:50am.')
  })
})

describe('the visits page', () => {
  it('lists today’s visits with their risk warnings', async () => {
    mockDevice({ cases: 'sample' })
    const page = mountView(visitsView)
    await settle()
    expect(page.querySelectorAll('.doorstep-visit')).toHaveLength(4)
    const noise = [...page.querySelectorAll('.doorstep-visit')].find((card) => card.textContent?.includes('EH-2026-0077'))!
    expect(textOf(noise.querySelector('.govuk-warning-text'))).toContain('Do not visit alone')
    expect(noise.querySelector('a')?.getAttribute('href')).toBe('#/cases/01JDSAMPLE0000000000000003')
  })

  it('with none today, says so', async () => {
    mockDevice({ signedIn: true })
    const page = mountView(visitsView)
    await settle()
    expect(textOf(page)).toContain('You have no visits planned for today.')
  })
})

describe('today’s visits while Doorstep is locked', () => {
  afterEach(() => resetLockState())

  it('goes to the lock screen instead of showing a problem', async () => {
    mockDevice({ cases: 'sample', pin: '246810', locked: true })
    const page = mountView(visitsView)
    await settle()
    expect(window.location.hash).toBe(`#${UNLOCK_PATH}`)
    expect(textOf(page)).not.toContain('could not be shown')
  })
})
