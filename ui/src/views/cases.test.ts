import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { UNLOCK_PATH, isKnownLocked, resetLockState } from '../idle'
import { SYNC_FINISHED_EVENT } from '../sync-status'
import { mockDevice, mountView, textOf } from '../test/fake-backend'
import { settle } from '../test/fixtures'
import { SEARCH_DELAY_MS, casesView, forgetCasesState } from './cases'

const count = (page: HTMLElement) => textOf(page.querySelector('#case-count'))
const references = (page: HTMLElement) => [...page.querySelectorAll('.doorstep-case-row__link')].map((a) => a.textContent)

function type(page: HTMLElement, selector: string, value: string): void {
  const input = page.querySelector<HTMLInputElement>(selector)!
  input.value = value
  input.dispatchEvent(new Event('input', { bubbles: true }))
}

function choose(page: HTMLElement, selector: string, value: string): void {
  const select = page.querySelector<HTMLSelectElement>(selector)!
  select.value = value
  select.dispatchEvent(new Event('change', { bubbles: true }))
}

beforeEach(() => {
  forgetCasesState()
})

describe('My cases', () => {
  it('on a laptop with no cases, says so and how they will arrive', async () => {
    mockDevice()
    const page = mountView(casesView)
    expect(page.querySelector('h1')?.textContent).toBe('My cases')
    await settle()
    expect(textOf(page)).toContain('There are no cases on this device yet.')
    expect(textOf(page)).toContain('Cases will appear here after you sign in and sync')
    expect(page.querySelector('a[href="#/sign-in"]')?.textContent).toBe('sign in')
    expect(page.querySelector('#case-search')).toBeNull()
  })

  it('signed in with no cases yet, offers to create one', async () => {
    mockDevice({ signedIn: true })
    const page = mountView(casesView)
    await settle()
    expect(textOf(page)).toContain('Cases assigned to you will appear here')
    expect(page.querySelector('a[href="#/cases/new"]')?.textContent).toBe('Create a new case')
  })

  it('lists the cases with their count, badges and links', async () => {
    mockDevice({ cases: 'sample' })
    const page = mountView(casesView)
    await settle()
    expect(count(page)).toBe('12 cases')
    const row = [...page.querySelectorAll('.doorstep-case-row')].find((r) => r.textContent?.includes('Overcrowding'))!
    expect(textOf(row)).toContain('Not yet given a reference')
    expect(textOf(row)).toContain('Not sent yet')
    expect(row.getAttribute('aria-setsize')).toBe('12')
    expect(row.querySelector('a')?.getAttribute('href')).toBe('#/cases/01JDSAMPLE0000000000000005')
    // One Tab stop for the whole list.
    expect(page.querySelectorAll('.doorstep-case-row__link[tabindex="0"]')).toHaveLength(1)
  })

  it('with 10,000 cases, asks for one page and renders only the rows near the view', async () => {
    const backend = mockDevice({ cases: 10_000 })
    const page = mountView(casesView)
    await settle()
    expect(count(page)).toBe('10,000 cases')
    expect(page.querySelectorAll('.doorstep-case-row').length).toBeLessThan(30)
    expect(backend.sent('list_cases').map((p) => [(p['query'] as { offset: number }).offset, (p['query'] as { limit: number }).limit])).toEqual([[0, 100]])
  })

  it('narrows the list with a filter at once', async () => {
    const backend = mockDevice({ cases: 'sample' })
    const page = mountView(casesView)
    await settle()
    choose(page, '#case-status', 'awaiting_review')
    await settle()
    expect(count(page)).toBe('2 cases')
    expect(backend.sent('list_cases').at(-1)?.['query']).toMatchObject({ status: 'awaiting_review', offset: 0 })
    expect(page.querySelector<HTMLElement>('.doorstep-case-results__clear')!.hidden).toBe(false)
  })

  it('says when nothing matches, with a way to clear the filters', async () => {
    mockDevice({ cases: 'sample' })
    const page = mountView(casesView)
    await settle()
    type(page, '#case-search', 'zebra')
    await new Promise((resolve) => setTimeout(resolve, SEARCH_DELAY_MS + 20))
    await settle()
    expect(count(page)).toBe('0 cases')
    const empty = page.querySelector<HTMLElement>('[data-case-list-empty]')!
    expect(empty.hidden).toBe(false)
    expect(textOf(empty)).toContain('No cases match your search and filters.')
    empty.querySelector<HTMLAnchorElement>('[data-clear-filters]')!.click()
    await settle()
    expect(count(page)).toBe('12 cases')
    expect(page.querySelector<HTMLInputElement>('#case-search')!.value).toBe('')
    expect(document.activeElement?.id).toBe('case-search')
  })

  it('remembers the filters when the person comes back', async () => {
    mockDevice({ cases: 'sample' })
    const first = mountView(casesView)
    await settle()
    choose(first, '#case-risk', 'with')
    await settle()
    first.remove()
    const again = mountView(casesView)
    await settle()
    expect(again.querySelector<HTMLSelectElement>('#case-risk')!.value).toBe('with')
    expect(count(again)).toBe('3 cases')
  })

  it('shows the problem when the cases cannot be read, and tries again on request', async () => {
    const backend = mockDevice({ cases: 'sample', failures: { list_cases: { code: 'store_error', message: 'The database is locked.' } } })
    const page = mountView(casesView)
    await settle()
    expect(page.querySelector('[role="alert"]')?.textContent).toContain('The database is locked.')
    backend.device.succeed('list_cases')
    page.querySelector<HTMLButtonElement>('[data-retry]')!.click()
    await settle()
    expect(count(page)).toBe('12 cases')
  })

  it('shows what a sync brought without being reopened', async () => {
    const backend = mockDevice({ cases: 'sample' })
    const page = mountView(casesView)
    await settle()
    const carers = () => [...page.querySelectorAll('.doorstep-case-row')].find((r) => r.textContent?.includes('ASC-2026-0193'))!
    expect(textOf(carers())).toContain('Not sent yet')
    carers().querySelector('a')!.focus()
    backend.device.finishSync()
    window.dispatchEvent(new CustomEvent(SYNC_FINISHED_EVENT))
    expect(document.activeElement?.textContent).toBe('ASC-2026-0193')
    await settle()
    expect(textOf(carers())).toContain('Synced')
    // The keyboard keeps its place.
    expect(document.activeElement?.textContent).toBe('ASC-2026-0193')
  })

  it('moves through the list with the arrow keys, Home and End', async () => {
    mockDevice({ cases: 'sample' })
    const page = mountView(casesView)
    await settle()
    const press = (key: string) =>
      document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }))
    const position = () => document.activeElement?.closest('[aria-posinset]')?.getAttribute('aria-posinset')
    page.querySelector<HTMLAnchorElement>('.doorstep-case-row__link[tabindex="0"]')!.focus()
    press('ArrowDown')
    press('ArrowDown')
    expect(position()).toBe('3')
    press('End')
    await settle()
    expect(position()).toBe('12')
    press('Home')
    expect(position()).toBe('1')
    // The link with focus is the one Tab stop.
    expect(page.querySelector('.doorstep-case-row__link[tabindex="0"]')).toBe(document.activeElement)
  })
})

describe('searching as you type', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('asks once the typing pauses, not at every key', async () => {
    const backend = mockDevice({ cases: 'sample' })
    const page = mountView(casesView)
    await vi.advanceTimersByTimeAsync(0)
    for (const text of ['o', 'ok', 'oka', 'okaf']) {
      type(page, '#case-search', text)
      await vi.advanceTimersByTimeAsync(50)
    }
    expect(backend.sent('list_cases')).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS)
    expect(backend.sent('list_cases').map((p) => (p['query'] as { text?: string }).text)).toEqual([undefined, 'okaf'])
    expect(count(page)).toBe('1 case')
    expect(references(page)).toEqual(['ASC-2026-0193'])
  })

  it('never lets a slow, older answer overwrite a newer one', async () => {
    const backend = mockDevice({ cases: 'sample' })
    backend.device.delay('list_cases', 500, (payload) => (payload['query'] as { text?: string }).text === 'o')
    const page = mountView(casesView)
    await vi.advanceTimersByTimeAsync(0)
    type(page, '#case-search', 'o')
    await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS + 10)
    type(page, '#case-search', 'okafor')
    await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS + 10)
    expect(count(page)).toBe('1 case')
    // The answer for "o" (most of the cases) arrives now, and is dropped.
    await vi.advanceTimersByTimeAsync(600)
    expect(count(page)).toBe('1 case')
    expect(references(page)).toEqual(['ASC-2026-0193'])
  })
})

describe('My cases while Doorstep is locked', () => {
  afterEach(() => resetLockState())

  it('goes to the lock screen when the list is refused, instead of showing a problem', async () => {
    mockDevice({ cases: 'sample', pin: '246810', locked: true })
    const page = mountView(casesView)
    await settle()
    expect(window.location.hash).toBe(`#${UNLOCK_PATH}`)
    expect(isKnownLocked()).toBe(true)
    expect(page.querySelector('[role="alert"]')).toBeNull()
  })

  it('goes to the lock screen when a later search is refused, keeping the list as it was', async () => {
    const backend = mockDevice({ cases: 'sample', pin: '246810' })
    const page = mountView(casesView)
    await settle()
    await backend.device.handle('lock')
    choose(page, '#case-status', 'awaiting_review')
    await settle()
    expect(window.location.hash).toBe(`#${UNLOCK_PATH}`)
    expect(page.querySelector('[role="alert"]')).toBeNull()
    expect(count(page)).toBe('12 cases')
  })

  it('goes to the lock screen when the list asks for its rows again after a sync and is refused', async () => {
    const backend = mockDevice({ cases: 'sample', pin: '246810' })
    const page = mountView(casesView)
    await settle()
    await backend.device.handle('lock')
    window.dispatchEvent(new CustomEvent(SYNC_FINISHED_EVENT))
    await settle()
    expect(window.location.hash).toBe(`#${UNLOCK_PATH}`)
    expect(page.querySelector('[role="alert"]')).toBeNull()
  })
})
