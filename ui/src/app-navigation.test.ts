// The service navigation follows the person's role: team leads get Cases
// to review, caseworkers never see it.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { REVIEWS_NAV_ITEM, TEAM_NAV_ITEM, navigationFor, startApp } from './app'
import { resetLockState } from './idle'
import type { Router } from './router'
import { EXAMPLE_APP_INFO, settle } from './test/fixtures'
import { SIGNED_IN_DEVICE, mockLockBackend, rejectWith, type LockBackend } from './test/lock-backend'
import { REFRESH_EVERY_MS } from './views/team'

let router: Router | null = null
let backend: LockBackend

afterEach(() => {
  router?.stop()
  router = null
  resetLockState()
  vi.useRealTimers()
})

/** Starts Doorstep on `hash`, with `device_status` reporting whatever `role()` says at the time. */
async function start(hash: string, role: () => string | null | Promise<string | null>): Promise<HTMLElement> {
  window.history.replaceState(null, '', `/${hash}`)
  backend = mockLockBackend({
    app_info: () => EXAMPLE_APP_INFO,
    device_status: async () => ({ ...SIGNED_IN_DEVICE, role: await role() }),
    review_queue: () => [],
    team_caseload: () => ({ asOf: Date.now(), workers: [], overdueVisits: [] }),
    list_cases: () => ({ total: 0, rows: [] }),
    sync_status: rejectWith({ code: 'unavailable', message: 'not in this test' }),
  })
  const root = document.createElement('div')
  root.id = 'app'
  document.body.append(root)
  router = await startApp(root)
  await settle()
  return root
}

const navTexts = (root: HTMLElement) => [...root.querySelectorAll('.govuk-service-navigation__list a')].map((a) => a.textContent?.trim())

async function goTo(hash: string): Promise<void> {
  window.location.hash = hash
  await settle()
}

describe('the navigation for each role', () => {
  it('gives team leads Cases to review and Team, straight after My cases', async () => {
    const root = await start('#/about', () => 'team-lead')
    expect(navTexts(root).slice(0, 4)).toEqual(['My cases', 'Cases to review', 'Team', 'Today’s visits'])
    expect(root.querySelector(`.govuk-service-navigation__list a[href="#${REVIEWS_NAV_ITEM.path}"]`)).not.toBeNull()
    expect(root.querySelector(`.govuk-service-navigation__list a[href="#${TEAM_NAV_ITEM.path}"]`)).not.toBeNull()
  })

  it('never shows caseworkers, admins or someone signed out a way to review or to see the team', () => {
    for (const role of ['caseworker', 'admin', null]) {
      expect(navigationFor(role).map((item) => item.path), String(role)).not.toContain('/reviews')
      expect(navigationFor(role).map((item) => item.path), String(role)).not.toContain('/team')
    }
    expect(navigationFor('Team_Lead').map((item) => item.path)).toContain('/reviews')
    expect(navigationFor('Team_Lead').map((item) => item.path)).toContain('/team')
  })

  it('shows a caseworker no review or team item', async () => {
    const root = await start('#/about', () => 'caseworker')
    expect(navTexts(root)).not.toContain('Cases to review')
    expect(navTexts(root)).not.toContain('Team')
  })

  it('marks Cases to review as the current page when a lead is on it', async () => {
    const root = await start('#/reviews', () => 'team-lead')
    await goTo('#/about')
    await goTo('#/reviews')
    const current = root.querySelector('.govuk-service-navigation__list [aria-current="page"]')
    expect(current?.textContent?.trim()).toBe('Cases to review')
  })

  it('stops Your team asking for fresh figures every minute once the lead goes to another page', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const root = await start('#/team', () => 'team-lead')
    expect(root.querySelector('h1')?.textContent).toBe('Your team')
    vi.advanceTimersByTime(REFRESH_EVERY_MS)
    await settle()
    expect(backend.count('team_caseload')).toBe(2)

    // Cleared as the page goes, not a minute later.
    const running = vi.getTimerCount()
    await goTo('#/about')
    expect(vi.getTimerCount()).toBe(running - 1)
    vi.advanceTimersByTime(REFRESH_EVERY_MS * 3)
    await settle()
    expect(backend.count('team_caseload')).toBe(2)
  })

  it('catches up with a role change on the next page, keeping focus on the menu link the person was on', async () => {
    let role: () => string | null | Promise<string | null> = () => 'caseworker'
    const root = await start('#/about', () => role())
    expect(navTexts(root)).not.toContain('Cases to review')

    // The last sync made them a lead. Rust answers slowly, and meanwhile
    // they have tabbed back up to the menu.
    let answer: (role: string) => void = () => {}
    const slowAnswer = new Promise<string>((resolve) => (answer = resolve))
    role = () => slowAnswer
    await goTo('#/outbox')
    const about = root.querySelector<HTMLElement>('.govuk-service-navigation__list a[href="#/about"]')!
    about.focus()
    answer('team-lead')
    await settle()
    expect(navTexts(root)).toContain('Cases to review')
    expect(document.activeElement?.getAttribute('href')).toBe('#/about')
    expect(root.querySelector('.govuk-service-navigation__list [aria-current="page"]')?.textContent?.trim()).toBe('Outbox')

    // Signed out: the item goes with the next page.
    role = () => null
    await goTo('#/sign-in')
    expect(navTexts(root)).not.toContain('Cases to review')
  })
})
