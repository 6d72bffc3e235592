// A worker's activity, for team leads: what the server recorded them doing,
// asked for when the page opens. Uses the browser tests' fake Rust side.
import { afterEach, describe, expect, it } from 'vitest'
import { DUTY_WORKER, SAMPLE_IDS } from '../../tests/e2e/fake-device'
import { ROUTES } from '../app'
import { UNLOCK_PATH, resetLockState } from '../idle'
import { attachLiveRegion } from '../live-region'
import { matchRoute } from '../router'
import { mockDevice, testContext, textOf } from '../test/fake-backend'
import { settle } from '../test/fixtures'
import {
  ONLY_TEAM_LEADS_ACTIVITY,
  caseNameOr,
  noActivityMessage,
  workerActivityPath,
  workerActivityTitle,
  workerActivityView,
} from './worker-activity'

const LEAD = { cases: 'sample', role: 'team-lead', user: 'lee.lead' } as const

afterEach(() => resetLockState())

function open(worker: string) {
  const container = document.createElement('div')
  document.body.append(container)
  const titles: string[] = []
  workerActivityView.render(container, testContext({ params: { name: worker }, setTitle: (title) => titles.push(title) }))
  return { container, titles }
}

const rows = (page: HTMLElement) => [...page.querySelectorAll('tbody tr')].map((row) => [...row.children].map((cell) => textOf(cell)))

describe('the address', () => {
  it('carries any name as one segment, and the app routes it to the page', () => {
    expect(workerActivityPath('sam.caseworker')).toBe('/team/workers/sam.caseworker')
    expect(workerActivityPath('Jo Bloggs/Duty')).toBe('/team/workers/Jo%20Bloggs%2FDuty')
    const match = matchRoute(ROUTES, workerActivityPath('Jo Bloggs/Duty'))
    expect(match?.route).toBe(workerActivityView)
    expect(match?.params).toEqual({ name: 'Jo Bloggs/Duty' })
  })
})

describe('a worker’s activity, for a team lead', () => {
  it('asks the server as the page opens, and lists what the worker did, newest first, each case linked by its reference', async () => {
    const backend = mockDevice(LEAD)
    const { container, titles } = open('alex.colleague')
    expect(textOf(container.querySelector('h1'))).toBe('alex.colleague’s activity')
    expect(container.querySelector('a.govuk-back-link')?.getAttribute('href')).toBe('#/team')
    await settle()
    expect(backend.sent('worker_activity')).toEqual([{ worker: 'alex.colleague' }])
    expect(titles.at(-1)).toBe(workerActivityTitle('alex.colleague'))
    expect([...container.querySelectorAll('thead th')].map((th) => textOf(th))).toEqual(['When', 'Case', 'Who', 'Laptop', 'What'])
    expect(rows(container).map((row) => row.slice(1))).toEqual([
      ['ASC-2026-0215', 'alex.colleague', 'RIV-LT-0178', 'Edited on the laptop'],
      ['HOU-2026-0412', 'alex.colleague', 'RIV-LT-0178', 'Removed from the laptop (no longer theirs)'],
      ['HOU-2026-0412', 'alex.colleague', 'RIV-LT-0178', 'A change was refused'],
    ])
    expect(container.querySelector('tbody a')?.getAttribute('href')).toBe(`#/cases/${SAMPLE_IDS.fireSafety}`)
    expect(textOf(container.querySelector('caption'))).toBe('What alex.colleague has done, newest first')
  })

  it('names a case not on this laptop by its id', () => {
    expect(caseNameOr(new Map([['a', 'HOU-1']]), 'a')).toBe('HOU-1')
    expect(caseNameOr(new Map(), '01JD')).toBe('Case 01JD')
  })

  it('says when the server has nothing for the worker', async () => {
    mockDevice(LEAD)
    const { container } = open('nobody.here')
    await settle()
    expect(textOf(container.querySelector('[data-no-activity]'))).toBe(noActivityMessage('nobody.here'))
    expect(container.querySelector('table')).toBeNull()
  })

  it('offline, says the activity needs a connection, and tries again when asked', async () => {
    const polite = document.createElement('div')
    document.body.append(polite)
    attachLiveRegion(polite)
    const backend = mockDevice({ ...LEAD, connection: 'offline' })
    const { container } = open(DUTY_WORKER)
    await settle()
    expect(textOf(container.querySelector('[data-access-offline]'))).toBe(
      'Could not reach the server at http://127.0.0.1:8787. Check the connection and try again. ' +
        `${DUTY_WORKER}’s activity is kept on the server, so it needs a connection. Everything else here works without one.`,
    )
    expect(container.querySelector('table')).toBeNull()

    backend.device.setServerReachable(true)
    const retry = container.querySelector<HTMLButtonElement>('[data-retry]')!
    retry.focus()
    retry.click()
    await settle()
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(rows(container).map((row) => row[4])).toEqual(['Opened on the laptop', 'Created the case (synced)'])
    expect(document.activeElement).toBe(container.querySelector('h1'))
    expect(textOf(polite)).toBe(`${DUTY_WORKER}’s activity shown, newest first.`)
  })
})

describe('a worker’s activity, for anyone else', () => {
  it('tells a caseworker only team leads see it', async () => {
    mockDevice({ cases: 'sample' })
    const { container } = open('alex.colleague')
    await settle()
    expect(textOf(container)).toContain(ONLY_TEAM_LEADS_ACTIVITY)
    expect(container.querySelector('[data-retry], table')).toBeNull()
  })

  it('goes to the lock screen while Doorstep is locked', async () => {
    mockDevice({ ...LEAD, pin: '246810', locked: true })
    open('alex.colleague')
    await settle()
    expect(window.location.hash).toBe(`#${UNLOCK_PATH}`)
  })
})
