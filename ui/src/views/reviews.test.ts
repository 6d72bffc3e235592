import { afterEach, describe, expect, it } from 'vitest'
import { SAMPLE_IDS } from '../../tests/e2e/fake-device'
import { UNLOCK_PATH, resetLockState } from '../idle'
import { SYNC_FINISHED_EVENT } from '../sync-status'
import { mockDevice, mountView, textOf } from '../test/fake-backend'
import { settle } from '../test/fixtures'
import { NOTHING_TO_REVIEW, ONLY_TEAM_LEADS, reviewsView } from './reviews'

const LEAD = { cases: 'sample', role: 'team-lead', user: 'lee.lead' } as const

const cards = (page: HTMLElement) => [...page.querySelectorAll<HTMLElement>('.doorstep-review-card')]
const titles = (page: HTMLElement) => cards(page).map((card) => textOf(card.querySelector('h2 a')))

/** The value of the row named `key` in a card. */
function row(card: HTMLElement, key: string): string {
  const found = [...card.querySelectorAll('.govuk-summary-list__row')].find((r) => textOf(r.querySelector('dt')) === key)
  return textOf(found?.querySelector('dd'))
}

describe('cases to review, for a team lead', () => {
  it('lists every case waiting for review, the longest wait first', async () => {
    const backend = mockDevice(LEAD)
    const page = mountView(reviewsView)
    await settle()
    expect(textOf(page.querySelector('h1'))).toBe('Cases to review')
    expect(textOf(page.querySelector('[data-review-count]'))).toBe('3 cases waiting, oldest first.')
    // Submitted 6 days ago, a day ago, and 3 hours ago.
    expect(titles(page)).toEqual(['ASC-2026-0172', 'WEL-2026-0020', 'ASC-2026-0215'])
    expect(backend.sent('review_queue')).toEqual([{}])
    // The queue comes whole from Rust: no case is opened to build it.
    expect(backend.sent('show_case')).toEqual([])
  })

  it('shows on each card what a lead needs to pick a case: who, what, when, risks and where it stands with the server', async () => {
    mockDevice(LEAD)
    const page = mountView(reviewsView)
    await settle()
    const [blueBadge, , fireSafety] = cards(page) as [HTMLElement, HTMLElement, HTMLElement]
    expect(blueBadge.querySelector('h2 a')?.getAttribute('href')).toBe(`#/cases/${SAMPLE_IDS.blueBadge}`)
    expect(textOf(blueBadge.querySelector('.doorstep-review-card__summary'))).toBe('Blue Badge renewal with mobility assessment')
    expect(row(blueBadge, 'Case type')).toBe('Adult social care')
    expect(row(blueBadge, 'Assigned to')).toBe('sam.caseworker')
    expect(row(blueBadge, 'Submitted')).toMatch(/^By sam\.caseworker, \d{1,2} \w+ \d{4} at \d/)
    expect(blueBadge.querySelector('time')?.getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/)
    expect(row(blueBadge, 'People')).toBe('Joan Whitfield')
    expect(row(blueBadge, 'Sync status')).toBe('Synced')
    expect(row(blueBadge, 'Risk warnings')).toBe('')

    expect(row(fireSafety, 'Assigned to')).toBe('alex.colleague')
    expect(row(fireSafety, 'Submitted')).toMatch(/^By alex\.colleague, /)
    expect(row(fireSafety, 'Risk warnings')).toBe('Risk Oxygen cylinders in the home: no naked flames')
    expect(fireSafety.querySelector('.govuk-tag--red')).not.toBeNull()
  })

  it('says when nothing is waiting', async () => {
    mockDevice({ signedIn: true, role: 'team-lead' })
    const page = mountView(reviewsView)
    await settle()
    expect(textOf(page)).toContain(NOTHING_TO_REVIEW)
    expect(cards(page)).toHaveLength(0)
  })

  it('after a sync, drops a case another lead decided, leaving focus where it was', async () => {
    const backend = mockDevice(LEAD)
    const page = mountView(reviewsView)
    await settle()
    const foodBank = page.querySelector<HTMLElement>(`a[href="#/cases/${SAMPLE_IDS.foodBank}"]`)!
    foodBank.focus()
    await backend.device.handle('review_case', { caseId: SAMPLE_IDS.blueBadge, decision: 'approved', comment: '' })
    window.dispatchEvent(new CustomEvent(SYNC_FINISHED_EVENT))
    await settle()
    expect(titles(page)).toEqual(['WEL-2026-0020', 'ASC-2026-0215'])
    expect(textOf(page.querySelector('[data-review-count]'))).toBe('2 cases waiting, oldest first.')
    expect(document.activeElement?.getAttribute('href')).toBe(`#/cases/${SAMPLE_IDS.foodBank}`)
  })

  it('does not redraw after a sync that changed nothing', async () => {
    mockDevice(LEAD)
    const page = mountView(reviewsView)
    await settle()
    const first = cards(page)[0]
    window.dispatchEvent(new CustomEvent(SYNC_FINISHED_EVENT))
    await settle()
    expect(cards(page)[0]).toBe(first)
  })
})

describe('cases to review, for anyone else', () => {
  afterEach(() => resetLockState())

  it('tells a caseworker that only team leads review cases, rather than showing an error', async () => {
    const backend = mockDevice({ cases: 'sample' })
    const page = mountView(reviewsView)
    await settle()
    expect(textOf(page)).toContain(ONLY_TEAM_LEADS)
    expect(page.querySelector('.doorstep-problem')).toBeNull()
    expect(page.querySelector('a[href="#/cases"]')).not.toBeNull()
    expect(cards(page)).toHaveLength(0)
    expect(backend.sent('review_queue')).toEqual([{}])
  })

  it('goes to the lock screen while Doorstep is locked', async () => {
    mockDevice({ ...LEAD, pin: '246810', locked: true })
    const page = mountView(reviewsView)
    await settle()
    expect(window.location.hash).toBe(`#${UNLOCK_PATH}`)
    expect(textOf(page)).not.toContain('could not be shown')
  })

  it('offers to try again when Rust cannot answer', async () => {
    const backend = mockDevice({ ...LEAD, failures: { review_queue: { code: 'store_error', message: 'The case store is busy.' } } })
    const page = mountView(reviewsView)
    await settle()
    expect(textOf(page.querySelector('[role="alert"]'))).toContain('The case store is busy.')
    backend.device.succeed('review_queue')
    page.querySelector<HTMLButtonElement>('[data-retry]')!.click()
    await settle()
    expect(cards(page)).toHaveLength(3)
  })
})
