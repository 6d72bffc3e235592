// The lone-worker banner a team lead sees above every page while the server
// has an alert open. Uses the browser tests' fake Rust side, whose lead
// sample has one open alert: the duty worker's visit on HOU-2026-0433.
import { afterEach, describe, expect, it } from 'vitest'
import { DUTY_WORKER, SAMPLE_IDS } from '../tests/e2e/fake-device'
import { startApp } from './app'
import { resetLockState } from './idle'
import type { LoneWorkerAlert } from './ipc'
import { BANNER_TITLE_ID, bannerMarkup, startAlertBanner, type AlertBanner } from './lone-worker-banner'
import { readRole } from './role'
import type { Router } from './router'
import { SYNC_FINISHED_EVENT } from './sync-status'
import { mockDevice, textOf } from './test/fake-backend'
import { settle } from './test/fixtures'

const LEAD = { cases: 'sample', role: 'team-lead', user: 'lee.lead' } as const

let banner: AlertBanner | null = null
let router: Router | null = null

afterEach(() => {
  banner?.stop()
  banner = null
  router?.stop()
  router = null
  resetLockState()
})

function slot(): HTMLElement {
  const element = document.createElement('div')
  document.body.append(element)
  return element
}

const shownBanner = (root: ParentNode) => root.querySelector<HTMLElement>('[data-lone-worker-banner]')
const syncFinished = () => window.dispatchEvent(new CustomEvent(SYNC_FINISHED_EVENT))

function alert(id: number, worker: string, reference: string): LoneWorkerAlert {
  return {
    id,
    caseId: `case-${id}`,
    caseReference: reference,
    caseSummary: null,
    worker,
    expectedEnd: new Date(2026, 10, 28, 14, 30).toISOString(),
    raisedAt: new Date(2026, 10, 28, 14, 45).toISOString(),
    resolvedAt: null,
    deliveries: [],
  }
}

describe('the banner’s words', () => {
  const now = new Date(2026, 10, 28, 15, 0)

  it('for one alert: who, where, by when, what to do, and links to the case and the Team page', () => {
    const div = document.createElement('div')
    div.innerHTML = bannerMarkup({ fetchedAt: new Date(2026, 10, 28, 14, 50).getTime(), alerts: [alert(1, 'Amy Caseworker', 'HX-2026-000123')] }, now, {
      linkToTeam: true,
      urgent: false,
    }).value
    const region = shownBanner(div)!
    expect(region.getAttribute('role')).toBe('region')
    expect(region.getAttribute('aria-labelledby')).toBe(BANNER_TITLE_ID)
    expect(textOf(region.querySelector('h2'))).toBe('Lone-worker alert')
    expect(textOf(region.querySelector('.govuk-notification-banner__heading'))).toBe(
      'Lone-worker alert: Amy Caseworker checked in at case HX-2026-000123 and should have finished by 2:30pm. They have not checked out.',
    )
    expect([...region.querySelectorAll('a')].map((a) => [textOf(a), a.getAttribute('href')])).toEqual([
      ['Go to case HX-2026-000123', '#/cases/case-1'],
      ['See every alert on the Team page', '#/team'],
    ])
    expect(textOf(region)).toContain('As the server reported at 2:50pm.')
    expect(textOf(region)).toContain('Contact Amy Caseworker now.')
  })

  it('for several: how many, then each, as an alert when asked, and without the Team link on the Team page', () => {
    const div = document.createElement('div')
    div.innerHTML = bannerMarkup({ fetchedAt: null, alerts: [alert(1, 'amy', 'A-1'), alert(2, 'ben', 'B-2')] }, now, { linkToTeam: false, urgent: true }).value
    const region = shownBanner(div)!
    expect(region.getAttribute('role')).toBe('alert')
    expect(textOf(region.querySelector('h2'))).toBe('Lone-worker alerts')
    expect(textOf(region.querySelector('.govuk-notification-banner__heading'))).toBe('2 lone workers checked in and have not checked out in time.')
    expect(region.querySelectorAll('li')).toHaveLength(2)
    expect(region.querySelector('a[href="#/team"]')).toBeNull()
    expect(textOf(region)).not.toContain('As the server reported')
  })

  it('is nothing at all with no open alerts', () => {
    expect(bannerMarkup({ fetchedAt: 1, alerts: [] }, now, { linkToTeam: true, urgent: true }).value).toBe('')
  })
})

describe('keeping the banner up to date', () => {
  it('shows a lead the open alert as an alert the first time, then as a region that refreshes leave alone', async () => {
    const backend = mockDevice(LEAD)
    const place = slot()
    banner = startAlertBanner(place)
    banner.pageChanged('/cases')
    banner.refresh(true)
    await settle()
    const first = shownBanner(place)!
    expect(first.getAttribute('role')).toBe('alert')
    expect(textOf(first.querySelector('.govuk-notification-banner__heading'))).toMatch(
      new RegExp(`^Lone-worker alert: ${DUTY_WORKER} checked in at case HOU-2026-0433 and should have finished by .+\\. They have not checked out\\.$`),
    )
    expect(first.querySelector('a')?.getAttribute('href')).toBe(`#/cases/${SAMPLE_IDS.dutyReferral}`)
    expect(banner.shown).toBe(1)

    // The same alert again: nothing is redrawn, so nothing is read out again; it is now a region.
    banner.refresh(true)
    await settle()
    expect(shownBanner(place)).toBe(first)
    expect(first.getAttribute('role')).toBe('region')
    expect(backend.sent('team_alerts')).toHaveLength(2)
  })

  it('reads out only a rise in open alerts; a fall is a plain region', async () => {
    const backend = mockDevice(LEAD)
    void readRole()
    const place = slot()
    banner = startAlertBanner(place)
    banner.pageChanged('/cases')
    banner.refresh(true)
    await settle()

    backend.device.serverRaisesAlert({ caseId: SAMPLE_IDS.fireSafety, worker: 'alex.colleague' })
    backend.device.finishSync()
    syncFinished()
    await settle()
    expect(shownBanner(place)?.getAttribute('role')).toBe('alert')
    expect(shownBanner(place)?.querySelectorAll('li')).toHaveLength(2)

    // The duty worker checks out; the next sync resolves that alert.
    await backend.device.handle('check_out', { caseId: SAMPLE_IDS.dutyReferral, visitId: '01JDVISIT00000000000000006', outcome: 'Safe' })
    backend.device.finishSync()
    syncFinished()
    await settle()
    expect(shownBanner(place)?.getAttribute('role')).toBe('region')
    expect(textOf(shownBanner(place)?.querySelector('.govuk-notification-banner__heading'))).toMatch(/^Lone-worker alert: alex\.colleague /)
  })

  it('goes once no alert is open', async () => {
    const backend = mockDevice(LEAD)
    void readRole()
    const place = slot()
    banner = startAlertBanner(place)
    banner.refresh(true)
    await settle()
    expect(shownBanner(place)).not.toBeNull()
    await backend.device.handle('check_out', { caseId: SAMPLE_IDS.dutyReferral, visitId: '01JDVISIT00000000000000006', outcome: 'Safe' })
    backend.device.finishSync()
    syncFinished()
    await settle()
    expect(place.childElementCount).toBe(0)
    expect(banner.shown).toBe(0)
  })

  it('never asks for a caseworker, and takes away a banner shown before', async () => {
    const backend = mockDevice({ cases: 'sample' })
    const place = slot()
    place.innerHTML = '<p>old</p>'
    banner = startAlertBanner(place)
    banner.refresh(false)
    await settle()
    expect(backend.sent('team_alerts')).toEqual([])
    expect(place.childElementCount).toBe(0)
  })

  it('goes at once on the lock screen and sign-in, and when Rust says Doorstep is locked', async () => {
    const backend = mockDevice({ ...LEAD, pin: '246810' })
    const place = slot()
    banner = startAlertBanner(place)
    banner.refresh(true)
    await settle()
    expect(shownBanner(place)).not.toBeNull()
    banner.pageChanged('/unlock')
    expect(shownBanner(place)).toBeNull()

    banner.pageChanged('/about')
    await backend.device.handle('lock')
    banner.refresh(true)
    await settle()
    expect(shownBanner(place)).toBeNull()
  })

  it('keeps focus on a link in the banner when it is redrawn', async () => {
    const backend = mockDevice(LEAD)
    void readRole()
    const place = slot()
    banner = startAlertBanner(place)
    banner.refresh(true)
    await settle()
    place.querySelector<HTMLElement>('a[href="#/team"]')!.focus()
    backend.device.serverRaisesAlert({ caseId: SAMPLE_IDS.fireSafety, worker: 'alex.colleague' })
    backend.device.finishSync()
    syncFinished()
    await settle()
    expect(shownBanner(place)?.querySelectorAll('li')).toHaveLength(2)
    expect(document.activeElement?.getAttribute('href')).toBe('#/team')
  })
})

describe('the banner in the app', () => {
  async function start(hash: string, scenario: Parameters<typeof mockDevice>[0]) {
    window.history.replaceState(null, '', `/${hash}`)
    const backend = mockDevice(scenario)
    const root = document.createElement('div')
    root.id = 'app'
    document.body.append(root)
    router = await startApp(root)
    await settle()
    await settle()
    return { root, backend }
  }

  it('sits at the top of main, above every page a lead opens, without taking focus', async () => {
    const { root } = await start('#/cases', LEAD)
    const main = root.querySelector('main')!
    expect(main.firstElementChild?.querySelector('[data-lone-worker-banner]')).not.toBeNull()
    expect(main.querySelector('.doorstep-view h1')).not.toBeNull()
    expect(root.contains(document.activeElement) && shownBanner(root)?.contains(document.activeElement)).toBe(false)

    window.location.hash = '#/visits'
    await settle()
    await settle()
    expect(shownBanner(root)).not.toBeNull()
    expect(main.querySelectorAll('.doorstep-view')).toHaveLength(1)
    expect(document.activeElement).toBe(main.querySelector('.doorstep-view h1'))
    expect(textOf(shownBanner(root))).toContain(`Lone-worker alert: ${DUTY_WORKER}`)
  })

  it('is never asked for on a caseworker’s laptop', async () => {
    const { root, backend } = await start('#/cases', { cases: 'sample' })
    window.location.hash = '#/visits'
    await settle()
    expect(shownBanner(root)).toBeNull()
    expect(backend.sent('team_alerts')).toEqual([])
  })
})
