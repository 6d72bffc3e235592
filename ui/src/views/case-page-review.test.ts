// The case page for a team lead deciding on a case awaiting review, and for
// the caseworker waiting on that decision or acting on it. Most tests use
// the browser tests' fake Rust side, so the checks and errors are Rust's.
import { describe, expect, it, vi } from 'vitest'
import { REVIEW_REFUSED_REASON, SAMPLE_IDS } from '../../tests/e2e/fake-device'
import { pageTitle } from '../app'
import { initViewComponents } from '../govuk'
import type { Outbox } from '../ipc'
import { attachLiveRegion } from '../live-region'
import { exampleCasePage, mockCaseBackend } from '../test/case-fixtures'
import { mockDevice, type FakeBackend } from '../test/fake-backend'
import { EXAMPLE_APP_INFO, settle } from '../test/fixtures'
import { CHOOSE_DECISION_MESSAGE, RETURN_NEEDS_COMMENT_MESSAGE, SAVED_MESSAGE, casePageView } from './case-page'
import { REVIEW_SAVED_MESSAGE } from './case-page-markup'
import type { ViewContext } from './view'

const LEAD = { cases: 'sample', role: 'team-lead', user: 'lee.lead' } as const
const RETURN_COMMENT = 'Add the date of the mobility assessment to the narrative.'

const clean = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim()

/** Opens a case as the app does after navigating, with the shell's live region. */
async function openCase(caseId: string) {
  const container = document.createElement('div')
  const liveRegion = document.createElement('div')
  attachLiveRegion(liveRegion)
  const ctx: ViewContext = {
    info: EXAMPLE_APP_INFO,
    navigate: vi.fn(),
    setTitle: (title, o) => {
      document.title = pageTitle(title, o)
    },
    initComponents: initViewComponents,
    params: { id: caseId },
  }
  casePageView.render(container, ctx)
  document.body.append(liveRegion, container)
  initViewComponents(container)
  container.querySelector<HTMLElement>('h1')?.focus()
  await settle()

  const $ = <E extends HTMLElement = HTMLElement>(selector: string): E => {
    const found = container.querySelector<E>(selector)
    if (!found) throw new Error(`Nothing matches ${selector}`)
    return found
  }
  return {
    container,
    $,
    text: () => clean(container.textContent),
    choose(label: string) {
      const radio = [...container.querySelectorAll<HTMLInputElement>('input[type="radio"]')].find(
        (r) => clean(container.querySelector(`label[for="${r.id}"]`)?.textContent) === label,
      )
      if (!radio) throw new Error(`No radio labelled ${label}`)
      radio.checked = true
    },
    type(id: string, value: string) {
      $<HTMLTextAreaElement>(`#${id}`).value = value
    },
    async press(name: string) {
      const buttons = [...container.querySelectorAll<HTMLButtonElement>('button')].filter((b) => clean(b.textContent) === name)
      if (buttons.length !== 1) throw new Error(`Expected one button ${name}, found ${buttons.length}`)
      buttons[0]!.click()
      await settle()
    },
    summaryLinks: () =>
      [...container.querySelectorAll('.govuk-error-summary__list li')].map((li) => [clean(li.textContent), li.querySelector('a')?.getAttribute('href') ?? null]),
    /** The live region is written a moment after it is cleared. */
    async announced() {
      await new Promise((resolve) => setTimeout(resolve, 80))
      return clean(liveRegion.textContent)
    },
    timelineTitles: () => [...container.querySelectorAll('.doorstep-timeline__entry h3')].map((h) => clean(h.textContent)),
    status: () => {
      const row = [...container.querySelectorAll('#case-details ~ .govuk-summary-list .govuk-summary-list__row')].find(
        (r) => clean(r.querySelector('dt')?.textContent) === 'Status',
      )
      return clean(row?.querySelector('.govuk-summary-list__value')?.textContent)
    },
  }
}

async function outboxDescriptions(backend: FakeBackend, caseId: string): Promise<string[]> {
  const outbox = (await backend.device.handle('outbox')) as Outbox
  return outbox.cases.find((c) => c.caseId === caseId)?.changes.map((c) => c.description) ?? []
}

describe('a team lead reviewing a case', () => {
  it('finds the decision form near the top, listed first in the contents, with the case’s earlier review in the timeline', async () => {
    mockDevice(LEAD)
    const screen = await openCase(SAMPLE_IDS.blueBadge)
    const contents = [...screen.container.querySelectorAll('.doorstep-case-contents__list a')].map((a) => clean(a.textContent))
    expect(contents[0]).toBe('Review this case')
    const decision = screen.$('#case-decision').closest('section')!
    expect(decision.compareDocumentPosition(screen.$('#case-details')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy()
    expect(clean(decision.textContent)).toContain('Submitted for review by sam.caseworker')
    expect(clean(decision.querySelector('legend')?.textContent)).toBe('What is your decision?')
    expect([...decision.querySelectorAll('.govuk-radios__label')].map((l) => clean(l.textContent))).toEqual([
      'Approve and close the case',
      'Return it to the caseworker with comments',
    ])
    expect(clean(decision.querySelector('label[for="review-comment"]')?.textContent)).toBe('Comments')
    expect(clean(screen.$('#review-comment-hint').textContent)).toContain('The caseworker sees your comments.')
    // The earlier return, with the lead's words, is part of the case's history.
    const returned = [...screen.container.querySelectorAll('.doorstep-timeline__entry')].find((e) =>
      clean(e.querySelector('h3')?.textContent).startsWith('Returned with comments'),
    )!
    expect(clean(returned.textContent)).toContain('By lee.lead')
    expect(clean(returned.textContent)).toContain('Add the notes from the mobility assessment before I can approve the renewal.')
    // The review section at the bottom points back up, rather than saying the case waits for someone else.
    expect(clean(screen.$('#case-review').closest('section')!.textContent)).toContain('Record your decision under Review this case')
  })

  it('asks for a decision before saving anything', async () => {
    const backend = mockDevice(LEAD)
    const screen = await openCase(SAMPLE_IDS.blueBadge)
    await screen.press('Save decision')
    expect(screen.summaryLinks()).toEqual([[CHOOSE_DECISION_MESSAGE, '#review-decision']])
    expect(document.activeElement).toBe(screen.$('.govuk-error-summary'))
    expect(clean(screen.$('#review-decision-error').textContent)).toBe(`Error: ${CHOOSE_DECISION_MESSAGE}`)
    expect(screen.$('#review-decision').closest('.govuk-form-group')!.classList).toContain('govuk-form-group--error')
    expect(document.title).toMatch(/^Error: ASC-2026-0172/)
    expect(backend.sent('review_case')).toEqual([])
  })

  it('asks for comments before returning a case, keeping the choice made', async () => {
    const backend = mockDevice(LEAD)
    const screen = await openCase(SAMPLE_IDS.blueBadge)
    screen.choose('Return it to the caseworker with comments')
    screen.type('review-comment', '   ')
    await screen.press('Save decision')
    expect(screen.summaryLinks()).toEqual([[RETURN_NEEDS_COMMENT_MESSAGE, '#review-comment']])
    expect(clean(screen.$('#review-comment-error').textContent)).toBe(`Error: ${RETURN_NEEDS_COMMENT_MESSAGE}`)
    expect(screen.$('#review-comment').getAttribute('aria-describedby')).toBe('review-comment-hint review-comment-error')
    expect(screen.$<HTMLInputElement>('#review-decision-2').checked).toBe(true)
    expect(backend.sent('review_case')).toEqual([])
  })

  it('shows Rust’s objection to a comment against the comment box', async () => {
    const backend = mockDevice(LEAD)
    const screen = await openCase(SAMPLE_IDS.blueBadge)
    screen.choose('Approve and close the case')
    screen.type('review-comment', 'x'.repeat(20_001))
    await screen.press('Save decision')
    expect(backend.sent('review_case')).toHaveLength(1)
    const [[message, link]] = screen.summaryLinks() as [[string, string | null]]
    expect(message).toMatch(/^The text is 20001 characters long; the limit is 20000\./)
    expect(link).toBe('#review-comment')
    expect(screen.$('#review-comment').classList).toContain('govuk-textarea--error')
    expect(screen.status()).toBe('Awaiting review')
  })

  it('approves: saved on the laptop, the case closes, and focus goes to the confirmation', async () => {
    const backend = mockDevice(LEAD)
    const screen = await openCase(SAMPLE_IDS.blueBadge)
    screen.choose('Approve and close the case')
    await screen.press('Save decision')

    expect(backend.sent('review_case')).toEqual([{ caseId: SAMPLE_IDS.blueBadge, decision: 'approved', comment: '' }])
    const banner = screen.$('#review-saved')
    expect(document.activeElement).toBe(banner)
    expect(clean(banner.textContent)).toContain(REVIEW_SAVED_MESSAGE)
    expect(clean(banner.textContent)).toContain('You approved the case, so it is now closed.')
    expect(await screen.announced()).toBe(SAVED_MESSAGE)
    expect(screen.status()).toBe('Closed')
    expect(screen.container.querySelector('#case-decision')).toBeNull()
    expect(screen.timelineTitles()[0]).toBe('Approved')
    expect(clean(screen.$('#case-review').closest('section')!.textContent)).toContain('This case is closed. It was approved by lee.lead')
    expect(await outboxDescriptions(backend, SAMPLE_IDS.blueBadge)).toEqual(['Approved the case'])
  })

  it('returns with comments: the case is in progress again and the comments lead the page', async () => {
    const backend = mockDevice(LEAD)
    const screen = await openCase(SAMPLE_IDS.foodBank)
    screen.choose('Return it to the caseworker with comments')
    screen.type('review-comment', `  ${RETURN_COMMENT}\n`)
    await screen.press('Save decision')

    expect(backend.sent('review_case')).toEqual([{ caseId: SAMPLE_IDS.foodBank, decision: 'returned', comment: RETURN_COMMENT }])
    expect(document.activeElement).toBe(screen.$('#review-saved'))
    expect(screen.status()).toBe('In progress')
    const returned = screen.$('#case-returned')
    expect(clean(returned.textContent)).toContain('Returned by lee.lead')
    expect(clean(returned.textContent)).toContain(RETURN_COMMENT)
    expect(screen.timelineTitles()[0]).toBe('Returned with comments')
    expect(await outboxDescriptions(backend, SAMPLE_IDS.foodBank)).toEqual(['Returned the case for more work'])
  })

  it('says so when another lead decided first, without pointing at a field', async () => {
    const backend = mockDevice(LEAD)
    const screen = await openCase(SAMPLE_IDS.foodBank)
    // Someone else's decision reaches this laptop while the page is open.
    await backend.device.handle('review_case', { caseId: SAMPLE_IDS.foodBank, decision: 'approved', comment: '' })
    screen.choose('Approve and close the case')
    await screen.press('Save decision')
    expect(screen.summaryLinks()).toEqual([
      ['This case is closed and not waiting for review, so there is nothing to approve or return. Sync to see its latest state', null],
    ])
  })

  it('shows the server’s refusal next to the review when the person was no longer a lead', async () => {
    const backend = mockDevice(LEAD)
    const screen = await openCase(SAMPLE_IDS.foodBank)
    screen.choose('Approve and close the case')
    await screen.press('Save decision')
    backend.device.setServerRole('caseworker')
    backend.device.finishSync()

    document.body.replaceChildren()
    const again = await openCase(SAMPLE_IDS.foodBank)
    const review = clean(again.$('#case-review').closest('section')!.textContent)
    expect(review).toContain(`The server refused the changes made to this case on this laptop: ${REVIEW_REFUSED_REASON}`)
    expect(clean(again.$('.doorstep-case-sync').textContent)).toContain('Refused by the server')
  })
})

describe('a caseworker and the review', () => {
  it('sees that the case is waiting for a team lead, with no decision form', async () => {
    const backend = mockDevice({ cases: 'sample' })
    const screen = await openCase(SAMPLE_IDS.blueBadge)
    expect(screen.container.querySelector('#case-decision')).toBeNull()
    expect(screen.container.querySelector('[data-form="review-case"]')).toBeNull()
    expect(clean(screen.$('#case-review').closest('section')!.querySelector('.govuk-inset-text')?.textContent)).toBe(
      'This case is waiting for your team lead to review it.',
    )
    expect([...screen.container.querySelectorAll('.doorstep-case-contents__list a')].map((a) => clean(a.textContent))).not.toContain(
      'Review this case',
    )
    expect(backend.sent('device_status')).toHaveLength(1)
  })

  it('reads the lead’s comments at the top of a case sent back to them', async () => {
    const page = exampleCasePage()
    page.case.reviews = [
      { id: 'r1', decision: 'returned', comment: 'Old comment, dealt with.', by: 'lee.lead', at: new Date(2026, 1, 1, 9).getTime() },
      { id: 'r2', decision: 'returned', comment: 'Record the daughter’s consent.\nThen submit again.', by: 'lee.lead', at: new Date(2026, 2, 2, 14, 30).getTime() },
    ]
    mockCaseBackend(page)
    const screen = await openCase('case-1')
    const banner = screen.$('#case-returned')
    expect(clean(screen.$('#case-returned-title').textContent)).toBe('Returned for more work')
    expect(clean(banner.querySelector('.govuk-notification-banner__heading')?.textContent)).toBe('Returned by lee.lead on 2 March 2026 at 2:30pm:')
    expect(banner.querySelector('.doorstep-multiline')?.textContent).toBe('Record the daughter’s consent.\nThen submit again.')
    expect(clean(banner.textContent)).not.toContain('Old comment')
    // Above the case's sections, below its heading.
    expect(screen.$('h1').compareDocumentPosition(banner) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy()
    expect(banner.compareDocumentPosition(screen.$('#case-details')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy()
    expect(banner.querySelector('a')?.getAttribute('data-section')).toBe('case-review')
    expect(screen.timelineTitles().filter((t) => t === 'Returned with comments')).toHaveLength(2)
  })

  it('no longer sees the comments once the case is submitted again', async () => {
    const page = exampleCasePage()
    page.case.fields['status'] = { value: 'awaiting_review', by: 'sam.caseworker', at: Date.UTC(2026, 2, 3) }
    page.case.reviews = [{ id: 'r1', decision: 'returned', comment: 'Add the consent.', by: 'lee.lead', at: Date.UTC(2026, 2, 2) }]
    mockCaseBackend(page)
    const screen = await openCase('case-1')
    expect(screen.container.querySelector('#case-returned')).toBeNull()
  })
})
