import { describe, expect, it } from 'vitest'
import type { LoneWorkerAlert, ServerTeamView, TeamDevice } from '../ipc'
import { textOf } from '../test/fake-backend'
import {
  ALERTS_NOT_FETCHED,
  LAPTOPS_NOT_FETCHED,
  NO_SERVER_ALERTS,
  alertSentence,
  alertsOpenFirst,
  deliveryText,
  laptopsByLastSync,
  laptopsMarkup,
  serverAlertsMarkup,
} from './team-server'

const NOW = new Date(2026, 10, 28, 15, 0)
const at = (hours: number, minutes = 0, day = 28) => new Date(2026, 10, day, hours, minutes).toISOString()

function alert(id: number, overrides: Partial<LoneWorkerAlert> = {}): LoneWorkerAlert {
  return {
    id,
    caseId: `case-${id}`,
    caseReference: 'HX-2026-000123',
    caseSummary: 'Damp and mould',
    worker: 'Amy Caseworker',
    expectedEnd: at(14, 30),
    raisedAt: at(14, 45),
    resolvedAt: null,
    deliveries: [],
    ...overrides,
  }
}

function device(deviceId: string, overrides: Partial<TeamDevice> = {}): TeamDevice {
  return { deviceId, user: 'sam', hostname: deviceId.toUpperCase(), os: 'Windows 11', appVersion: '0.1.0', lastSyncAt: null, revoked: false, ...overrides }
}

function render(content: { value: string }): HTMLElement {
  const div = document.createElement('div')
  div.innerHTML = content.value
  return div
}

describe('how the server sent an alert', () => {
  it('says an email or webhook was sent, and after how many tries if more than one', () => {
    expect(deliveryText({ channel: 'email', delivered: true, attempts: 1, lastError: null })).toBe('Email sent')
    expect(deliveryText({ channel: 'email', delivered: true, attempts: 2, lastError: 'timed out' })).toBe('Email sent after 2 tries')
    expect(deliveryText({ channel: 'webhook', delivered: true, attempts: 1, lastError: null })).toBe('Webhook sent')
  })

  it('says when it has not been sent, how often the server tried and the last error', () => {
    expect(deliveryText({ channel: 'webhook', delivered: false, attempts: 3, lastError: 'HTTP 503' })).toBe('Webhook not sent: 3 tries, last error: HTTP 503')
    expect(deliveryText({ channel: 'webhook', delivered: false, attempts: 1, lastError: null })).toBe('Webhook not sent: 1 try')
    expect(deliveryText({ channel: 'email', delivered: false, attempts: 0, lastError: null })).toBe('Email not sent yet')
  })
})

describe('the banner’s sentence', () => {
  it('names the worker, the case and when they should have finished', () => {
    expect(alertSentence(alert(1), NOW)).toBe(
      'Lone-worker alert: Amy Caseworker checked in at case HX-2026-000123 and should have finished by 2:30pm. They have not checked out.',
    )
  })

  it('names a case with no reference by its summary, and an earlier day by its date', () => {
    expect(alertSentence(alert(1, { caseReference: null, expectedEnd: at(17, 0, 27) }), NOW)).toBe(
      'Lone-worker alert: Amy Caseworker checked in at case Damp and mould and should have finished by 27 November 2026 at 5pm. They have not checked out.',
    )
  })
})

describe('the alerts the server raised', () => {
  it('puts open alerts first, otherwise keeping the server’s newest-first order', () => {
    const alerts = [alert(5, { resolvedAt: at(14) }), alert(4), alert(3, { resolvedAt: at(12) }), alert(2)]
    expect(alertsOpenFirst(alerts).map((a) => a.id)).toEqual([4, 2, 5, 3])
  })

  it('says plainly when the laptop has not fetched them yet', () => {
    const page = render(serverAlertsMarkup(null, NOW))
    expect(textOf(page)).toBe(ALERTS_NOT_FETCHED)
    expect(page.querySelector('table')).toBeNull()
  })

  it('tabulates them with the case linked, the status as a tag and how each was sent, as the server reported at a time', () => {
    const view: ServerTeamView = {
      fetchedAt: new Date(2026, 10, 28, 14, 50).getTime(),
      devices: [],
      alerts: [
        alert(6, { worker: 'sam', resolvedAt: at(14, 55), deliveries: [{ channel: 'email', delivered: true, attempts: 1, lastError: null }] }),
        alert(7, {
          caseId: 'case/7',
          deliveries: [
            { channel: 'webhook', delivered: false, attempts: 3, lastError: 'HTTP 503' },
            { channel: 'email', delivered: true, attempts: 2, lastError: 'timed out' },
          ],
        }),
      ],
    }
    const page = render(serverAlertsMarkup(view, NOW))
    expect(textOf(page.querySelector('[data-server-reported]'))).toBe('As the server reported at 2:50pm. 1 alert is open.')
    const rows = [...page.querySelectorAll('tbody tr')]
    expect(rows.map((row) => [...row.children].map((cell) => textOf(cell)))).toEqual([
      ['Amy Caseworker', 'HX-2026-000123', '2:30pm', '2:45pm', 'Open', 'Webhook not sent: 3 tries, last error: HTTP 503Email sent after 2 tries'],
      ['sam', 'HX-2026-000123', '2:30pm', '2:45pm', 'Resolved at 2:55pm', 'Email sent'],
    ])
    expect([...rows[0]!.querySelectorAll('li')].map((li) => textOf(li))).toEqual(['Webhook not sent: 3 tries, last error: HTTP 503', 'Email sent after 2 tries'])
    // What was not sent stands out.
    expect(rows[0]!.querySelector('li')!.className).toBe('doorstep-team-warning')
    expect(rows[0]!.querySelector('a')!.getAttribute('href')).toBe('#/cases/case%2F7')
    expect(rows[0]!.querySelector('.govuk-tag')!.className).toBe('govuk-tag govuk-tag--red')
    expect(rows[1]!.querySelector('.govuk-tag')!.className).toBe('govuk-tag govuk-tag--green')
    expect(textOf(page.querySelector('caption'))).toBe('Lone-worker alerts the server raised')
    expect(page.querySelector('[role="region"]')!.getAttribute('aria-labelledby')).toBe(page.querySelector('caption')!.id)
  })

  it('says when the server has raised none', () => {
    const page = render(serverAlertsMarkup({ fetchedAt: NOW.getTime(), devices: [], alerts: [] }, NOW))
    expect(textOf(page)).toContain(NO_SERVER_ALERTS)
    expect(page.querySelector('table')).toBeNull()
  })
})

describe('the team’s laptops', () => {
  it('lists those never synced first, then the longest since a sync, and revoked ones last', () => {
    const sorted = laptopsByLastSync([
      device('recent', { lastSyncAt: at(14) }),
      device('revoked-never', { revoked: true }),
      device('old', { lastSyncAt: at(9, 0, 20) }),
      device('never'),
      device('revoked-old', { revoked: true, lastSyncAt: at(9, 0, 1) }),
    ])
    expect(sorted.map((d) => d.deviceId)).toEqual(['never', 'old', 'recent', 'revoked-never', 'revoked-old'])
  })

  it('shows each laptop’s person, name, version and last sync, relative and exact, with Never and Revoked said plainly', () => {
    const page = render(
      laptopsMarkup(
        {
          fetchedAt: NOW.getTime(),
          devices: [
            device('a', { user: 'alex', hostname: 'RIV-LT-0077', revoked: true, lastSyncAt: at(9, 0, 1) }),
            device('b', { user: 'sam', hostname: 'RIV-LT-0142', lastSyncAt: at(14, 40) }),
            device('c', { user: 'jo', hostname: 'RIV-LT-0201', os: 'Ubuntu 24.04', appVersion: '0.0.9' }),
          ],
          alerts: [],
        },
        NOW,
      ),
    )
    const rows = [...page.querySelectorAll('tbody tr')].map((row) => [...row.children].map((cell) => textOf(cell)))
    expect(rows).toEqual([
      ['jo', 'RIV-LT-0201 Ubuntu 24.04', '0.0.9', 'Never'],
      ['sam', 'RIV-LT-0142 Windows 11', '0.1.0', '20 minutes ago (28 November 2026 at 2:40pm)'],
      ['alex', 'RIV-LT-0077 Revoked Windows 11', '0.1.0', '27 days ago (1 November 2026 at 9am)'],
    ])
    expect(page.querySelector('tbody tr:last-child .govuk-tag')?.className).toBe('govuk-tag govuk-tag--grey doorstep-team-table-tag')
  })

  it('says plainly when the laptop has not fetched them yet', () => {
    expect(textOf(render(laptopsMarkup(null, NOW)))).toBe(LAPTOPS_NOT_FETCHED)
  })
})
