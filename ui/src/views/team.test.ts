import { mockIPC } from '@tauri-apps/api/mocks'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DOWNLOADS_FOLDER, DUTY_WORKER, SAMPLE_IDS, WEBHOOK_ERROR } from '../../tests/e2e/fake-device'
import { UNLOCK_PATH, resetLockState } from '../idle'
import type { OverdueVisit, TeamCaseload, TeamKpis, WorkerCaseload } from '../ipc'
import { attachLiveRegion } from '../live-region'
import { SYNC_FINISHED_EVENT } from '../sync-status'
import { mockDevice, testContext, textOf } from '../test/fake-backend'
import { settle } from '../test/fixtures'
import { ALERTS_NOT_FETCHED, LAPTOPS_NOT_FETCHED } from './team-server'
import {
  CSV_BOM,
  DOWNLOAD_CSV,
  DOWNLOAD_WEEKLY_CSV,
  EXPORT_SAVED_ID,
  LAPTOPS_HEADING,
  NO_CLOSED_CASES,
  NO_OVERDUE_VISITS,
  PERFORMANCE_HEADING,
  SERVER_ALERTS_HEADING,
  OFFLINE_CAVEAT,
  ONLY_TEAM_LEADS,
  REFRESH_EVERY_MS,
  SAME_FIGURES,
  overdueFor,
  savedToDownloads,
  teamView,
} from './team'

const LEAD = { cases: 'sample', role: 'team-lead', user: 'lee.lead' } as const

// happy-dom cannot draw on a canvas, so Chart.js itself is tried in the
// browser tests; here a stand-in records what the page asks of it.
const charts = vi.hoisted(() => ({
  drawn: [] as { workers: number; destroyed: boolean }[],
  weekly: [] as { weeks: number; destroyed: boolean }[],
}))
vi.mock('./team-chart', () => ({
  drawCaseloadChart: (_canvas: HTMLCanvasElement, workers: readonly unknown[]) => {
    const chart = { workers: workers.length, destroyed: false }
    charts.drawn.push(chart)
    return { destroy: () => (chart.destroyed = true) }
  },
  drawWeeklyChart: (_canvas: HTMLCanvasElement, weeks: readonly unknown[]) => {
    const chart = { weeks: weeks.length, destroyed: false }
    charts.weekly.push(chart)
    return { destroy: () => (chart.destroyed = true) }
  },
}))

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

const NOW = new Date()
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString()

const PRIYA = worker('priya.patel', { openCases: 7, inProgress: 3, awaitingReview: 1, visitsUnderWay: 1, overdueVisits: 1, overdueCases: 2, openTasks: 4, overdueTasks: 3 })
const OMAR = worker('omar.hassan', { openCases: 4, inProgress: 2, visitsUnderWay: 1, overdueVisits: 1, casesWithConflicts: 1, openTasks: 1 })
const NOBODY = worker(null, { openCases: 2 })

function visit(visitId: string, who: string, reference: string | null, minutesOverdue: number): OverdueVisit {
  return {
    caseId: `case-${visitId}`,
    caseReference: reference,
    caseSummary: `Visit to ${reference ?? 'a new referral'}`,
    visitId,
    worker: who,
    checkedInAt: minutesAgo(minutesOverdue + 45),
    expectedEnd: minutesAgo(minutesOverdue),
    minutesOverdue,
  }
}

const OMAR_LATE = visit('v-omar', 'omar.hassan', 'ASC-2026-0300', 70)
const PRIYA_LATE = visit('v-priya', 'priya.patel', 'HOU-2026-0501', 25)

const NO_KPIS: TeamKpis = { weeks: [], closedInPeriod: 0, medianDaysToClose: null }

function answer(
  overdueVisits: OverdueVisit[],
  workers: WorkerCaseload[] = [OMAR, PRIYA, NOBODY],
  extra: Partial<Pick<TeamCaseload, 'kpis' | 'fromServer'>> = {},
): TeamCaseload {
  return { asOf: NOW.getTime(), workers, overdueVisits, kpis: NO_KPIS, fromServer: null, ...extra }
}

/** Rust as far as this page asks it: `caseload()` is what team_caseload says now; save_export writes nothing and says where. */
function mockTeam(caseload: () => TeamCaseload, lastSyncedAt: string | null = minutesAgo(12)) {
  const calls: string[] = []
  const exports: { fileName: string; contents: string }[] = []
  mockIPC((cmd, payload) => {
    calls.push(cmd)
    if (cmd === 'team_caseload') return caseload()
    if (cmd === 'sync_status') {
      return { connection: 'online', lastSyncedAt, lastError: null, progress: null, unsyncedChanges: 0, filesToSend: 0, everythingAcknowledged: true }
    }
    if (cmd === 'save_export') {
      const { fileName, contents } = payload as { fileName: string; contents: string }
      exports.push({ fileName, contents })
      return { path: `/home/lee/Downloads/${fileName}`, fileName }
    }
    throw `Command ${cmd} not found`
  })
  return { count: (cmd: string) => calls.filter((c) => c === cmd).length, exports }
}

const banner = (page: HTMLElement) => page.querySelector<HTMLElement>('[data-overdue-banner]')
const overdueItems = (page: HTMLElement) => [...page.querySelectorAll<HTMLElement>('.doorstep-overdue-visit')]
const bodyRows = (page: HTMLElement) =>
  [...page.querySelectorAll('.doorstep-team-table tbody tr')].map((row) => [...row.children].map((cell) => textOf(cell)))
const totalRow = (page: HTMLElement) => [...page.querySelectorAll('.doorstep-team-table tfoot tr > *')].map((cell) => textOf(cell))
const syncFinished = () => window.dispatchEvent(new CustomEvent(SYNC_FINISHED_EVENT))

let leave: (() => void) | undefined

/** Opens the page as the app does, keeping what stops it for afterEach. */
function openTeam(): HTMLElement {
  const container = document.createElement('div')
  document.body.append(container)
  leave = teamView.render(container, testContext()) ?? undefined
  return container
}

afterEach(() => {
  leave?.()
  leave = undefined
  vi.useRealTimers()
})

describe('Your team, for a team lead', () => {
  it('puts visits past their expected end first, longest overdue first, each with whom to contact and what to do', async () => {
    mockTeam(() => answer([OMAR_LATE, PRIYA_LATE]))
    const page = openTeam()
    await settle()

    expect(textOf(page.querySelector('h1'))).toBe('Your team')
    const alert = banner(page)!
    expect(alert.getAttribute('role')).toBe('region')
    expect(textOf(alert.querySelector('.govuk-notification-banner__title'))).toBe('Lone working alert')
    expect(textOf(alert.querySelector('[data-overdue-headline]'))).toBe('2 visits have run past their expected end with no check-out')
    // The banner is the first thing after the heading and the age of the figures.
    expect(page.querySelector('[data-team-body] .govuk-notification-banner, [data-team-body] table')).toBe(alert)

    const [omar, priya] = overdueItems(page) as [HTMLElement, HTMLElement]
    expect(textOf(omar.querySelector('h4'))).toBe('omar.hassan: 1 hour 10 minutes overdue')
    expect(textOf(priya.querySelector('h4'))).toBe('priya.patel: 25 minutes overdue')
    const link = priya.querySelector('a')!
    expect(link.getAttribute('href')).toBe('#/cases/case-v-priya')
    expect(textOf(link)).toBe('HOU-2026-0501')
    expect(textOf(priya)).toContain('HOU-2026-0501: Visit to HOU-2026-0501')
    expect(textOf(priya)).toMatch(/Checked in at \d{1,2}(:\d\d)?(am|pm)\. Expected to end at \d{1,2}(:\d\d)?(am|pm)\./)
    expect(priya.querySelectorAll('time')[1]?.getAttribute('datetime')).toBe(PRIYA_LATE.expectedEnd)
    expect(textOf(priya)).toContain(
      'Contact priya.patel now. If you cannot reach them, follow the lone-working procedure: their buddy, then their line manager.',
    )
    expect(textOf(page)).toContain(OFFLINE_CAVEAT)
    expect(textOf(page.querySelector('[data-team-freshness]'))).toMatch(
      /^Figures from this laptop’s last sync, \d{1,2} \w+ \d{4} at .+ \(12 minutes ago\)\.$/,
    )
  })

  it('says calmly when no visits are overdue, and still says what the list cannot know', async () => {
    mockTeam(() => answer([]))
    const page = openTeam()
    await settle()
    expect(banner(page)).toBeNull()
    expect(textOf(page.querySelector('[data-no-overdue]'))).toBe(NO_OVERDUE_VISITS)
    expect(textOf(page)).toContain(OFFLINE_CAVEAT)
  })

  it('says when the laptop has never synced, as the figures then hold only its own cases', async () => {
    mockTeam(() => answer([]), null)
    const page = openTeam()
    await settle()
    expect(textOf(page.querySelector('[data-team-freshness]'))).toBe(
      'This laptop has not synced yet, so these figures only include cases made on it.',
    )
  })

  it('tabulates each worker’s caseload, unassigned cases as Not assigned, with a total row', async () => {
    mockTeam(() => answer([OMAR_LATE, PRIYA_LATE]))
    const page = openTeam()
    await settle()
    const table = page.querySelector('table')!
    expect(textOf(table.querySelector('caption'))).toBe('Cases assigned to each worker')
    const headings = [...table.querySelectorAll('thead th')]
    expect(headings.map((th) => textOf(th))).toEqual([
      'Worker',
      'Open cases',
      'In progress',
      'Awaiting review',
      'Overdue cases',
      'Open tasks',
      'Overdue tasks',
      'Visits under way',
      'Overdue visits',
      'Cases with conflicts',
    ])
    expect(headings.every((th) => th.getAttribute('scope') === 'col')).toBe(true)
    expect(headings.slice(1).every((th) => th.classList.contains('govuk-table__header--numeric'))).toBe(true)
    expect(bodyRows(page)).toEqual([
      ['omar.hassan', '4', '2', '0', '0', '1', '0', '1', '1', '1'],
      ['priya.patel', '7', '3', '1', '2', '4', '3', '1', '1', '0'],
      ['Not assigned', '2', '0', '0', '0', '0', '0', '0', '0', '0'],
    ])
    expect(totalRow(page)).toEqual(['Total', '13', '5', '1', '2', '5', '3', '2', '2', '1'])
    // Overdue tasks, like overdue cases, stand out when there are any; none is plain.
    const overdueTasksCell = (row: number) => page.querySelectorAll('.doorstep-team-table tbody tr')[row]!.children[6]!
    expect(overdueTasksCell(1).querySelector('strong.doorstep-team-warning')?.textContent).toBe('3')
    expect(overdueTasksCell(0).querySelector('strong')).toBeNull()
    expect([...table.querySelectorAll('tbody th, tfoot th')].every((th) => th.getAttribute('scope') === 'row')).toBe(true)
    expect([...table.querySelectorAll('td')].every((td) => td.classList.contains('govuk-table__cell--numeric'))).toBe(true)
    // The table scrolls on its own on a narrow window, so the keyboard must be able to reach it.
    const region = table.closest('[role="region"]')!
    expect(region.getAttribute('tabindex')).toBe('0')
    expect(region.getAttribute('aria-labelledby')).toBe(table.querySelector('caption')!.id)
  })

  it('labels the chart for screen readers and points to the table for the figures', async () => {
    mockTeam(() => answer([]))
    const page = openTeam()
    await settle()
    const canvas = page.querySelector('canvas')!
    expect(canvas.getAttribute('role')).toBe('img')
    expect(canvas.getAttribute('aria-label')).toBe(
      'Bar chart of open cases for each worker, split into in progress, awaiting review, and open but not started. ' +
        '13 open cases across 2 workers, and 2 not assigned. priya.patel has the most, 7. The table above has the same figures.',
    )
    expect(textOf(canvas.closest('[data-team-caseload]'))).toContain(SAME_FIGURES)
    expect(page.querySelector<HTMLElement>('[data-team-chart]')!.style.getPropertyValue('--doorstep-chart-rows')).toBe('3')
  })

  it('adds up the fake device’s team as Rust would: per assignee, the duty worker’s referral as Not assigned', async () => {
    mockDevice(LEAD)
    const page = openTeam()
    await settle()
    // Alex's fire safety case has the one overdue task (its done task, also past due, is not counted).
    expect(bodyRows(page)).toEqual([
      ['alex.colleague', '1', '0', '1', '0', '1', '1', '1', '1', '0'],
      ['sam.caseworker', '11', '5', '2', '2', '2', '0', '1', '0', '2'],
      ['Not assigned', '1', '0', '0', '0', '0', '0', '1', '1', '0'],
    ])
    expect(totalRow(page)).toEqual(['Total', '13', '5', '3', '2', '3', '1', '3', '2', '2'])
    const [first, second] = overdueItems(page) as [HTMLElement, HTMLElement]
    expect(textOf(first.querySelector('h4'))).toBe(`${DUTY_WORKER}: 1 hour 10 minutes overdue`)
    expect(first.querySelector('a')?.getAttribute('href')).toBe(`#/cases/${SAMPLE_IDS.dutyReferral}`)
    expect(textOf(second.querySelector('h4'))).toBe('alex.colleague: 25 minutes overdue')
    expect(second.querySelector('a')?.getAttribute('href')).toBe(`#/cases/${SAMPLE_IDS.fireSafety}`)
  })

  it('after a sync, redraws the figures that changed and leaves focus on the control the lead was using', async () => {
    let overdue = [OMAR_LATE, PRIYA_LATE]
    let workers = [OMAR, PRIYA, NOBODY]
    mockTeam(() => answer(overdue, workers))
    const page = openTeam()
    await settle()

    // Tabbed to the download button; a sync moves a case from Omar to Priya.
    const button = [...page.querySelectorAll('button')].find((b) => textOf(b) === DOWNLOAD_CSV)!
    button.focus()
    workers = [{ ...OMAR, openCases: 3 }, { ...PRIYA, openCases: 8 }, NOBODY]
    syncFinished()
    await settle()
    expect(bodyRows(page)[0]?.[1]).toBe('3')
    expect(document.activeElement?.textContent?.trim()).toBe(DOWNLOAD_CSV)
    expect(page.contains(document.activeElement)).toBe(true)

    // On Priya's case link; Omar checks out and the next sync says so.
    page.querySelector<HTMLElement>('a[href="#/cases/case-v-priya"]')!.focus()
    overdue = [PRIYA_LATE]
    syncFinished()
    await settle()
    expect(overdueItems(page)).toHaveLength(1)
    expect(document.activeElement?.getAttribute('href')).toBe('#/cases/case-v-priya')

    // Priya checks out too: her link goes, so focus goes to the heading, not to the top of the document.
    overdue = []
    syncFinished()
    await settle()
    expect(document.activeElement).toBe(page.querySelector('h1'))
  })

  it('draws a new chart when the figures change, freeing the old one, and frees the last when the page is left', async () => {
    charts.drawn = []
    // A canvas that can draw, as in a browser.
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue({} as never)
    let workers = [OMAR, PRIYA, NOBODY]
    mockTeam(() => answer([], workers))
    openTeam()
    await settle()
    expect(charts.drawn).toEqual([{ workers: 3, destroyed: false }])

    // Nothing changed: the same chart stays.
    syncFinished()
    await settle()
    expect(charts.drawn).toHaveLength(1)

    workers = [OMAR, PRIYA]
    syncFinished()
    await settle()
    expect(charts.drawn).toEqual([
      { workers: 3, destroyed: true },
      { workers: 2, destroyed: false },
    ])

    leave?.()
    expect(charts.drawn[1]?.destroyed).toBe(true)
  })

  it('does not redraw after a sync that changed nothing', async () => {
    mockTeam(() => answer([PRIYA_LATE]))
    const page = openTeam()
    await settle()
    const table = page.querySelector('table')
    const item = overdueItems(page)[0]
    syncFinished()
    await settle()
    expect(page.querySelector('table')).toBe(table)
    expect(overdueItems(page)[0]).toBe(item)
  })

  describe('announcing overdue visits', () => {
    let polite: HTMLElement
    beforeEach(() => {
      polite = document.createElement('div')
      document.body.append(polite)
      attachLiveRegion(polite)
    })
    const urgent = (page: HTMLElement) => page.querySelector<HTMLElement>('[role="alert"][data-team-alert]')!
    /** Past the live regions' 50 ms rewrite. */
    const spoken = () => new Promise((resolve) => setTimeout(resolve, 80))

    it('alerts when a visit becomes overdue, and not when a refresh only makes the same visits later', async () => {
      let overdue = [OMAR_LATE]
      mockTeam(() => answer(overdue))
      const page = openTeam()
      await settle()
      await spoken()
      // What the page opened with is read as part of the page, not as news.
      expect(textOf(urgent(page))).toBe('')

      overdue = [{ ...OMAR_LATE, minutesOverdue: 71 }]
      syncFinished()
      await settle()
      await spoken()
      expect(textOf(overdueItems(page)[0]?.querySelector('h4'))).toBe('omar.hassan: 1 hour 11 minutes overdue')
      expect(textOf(urgent(page))).toBe('')

      overdue = [{ ...OMAR_LATE, minutesOverdue: 72 }, PRIYA_LATE]
      syncFinished()
      await settle()
      await spoken()
      expect(textOf(urgent(page))).toBe(
        'Lone working alert: 2 visits have run past their expected end with no check-out. Newly overdue: priya.patel on case HOU-2026-0501.',
      )
      expect(textOf(polite)).toBe('')

      // The next minute's refresh: the same two visits, a minute later. Nothing new to say.
      overdue = [{ ...OMAR_LATE, minutesOverdue: 73 }, { ...PRIYA_LATE, minutesOverdue: 26 }]
      urgent(page).textContent = ''
      syncFinished()
      await settle()
      await spoken()
      expect(textOf(urgent(page))).toBe('')
    })

    it('says politely when overdue visits are checked out, and alerts again if one comes back', async () => {
      let overdue = [OMAR_LATE, PRIYA_LATE]
      mockTeam(() => answer(overdue))
      const page = openTeam()
      await settle()

      overdue = [PRIYA_LATE]
      syncFinished()
      await settle()
      await spoken()
      expect(textOf(polite)).toBe('1 visit has run past its expected end with no check-out.')
      expect(textOf(urgent(page))).toBe('')

      overdue = []
      syncFinished()
      await settle()
      await spoken()
      expect(textOf(polite)).toBe('No visits are overdue now.')

      overdue = [PRIYA_LATE]
      syncFinished()
      await settle()
      await spoken()
      expect(textOf(urgent(page))).toContain('Newly overdue: priya.patel on case HOU-2026-0501.')
    })
  })

  it('asks again every minute, and stops once the page is left', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const backend = mockTeam(() => answer([PRIYA_LATE]))
    openTeam()
    await settle()
    expect(backend.count('team_caseload')).toBe(1)

    vi.advanceTimersByTime(REFRESH_EVERY_MS)
    await settle()
    expect(backend.count('team_caseload')).toBe(2)

    leave?.()
    vi.advanceTimersByTime(REFRESH_EVERY_MS * 3)
    await settle()
    expect(backend.count('team_caseload')).toBe(2)
  })

  it('keeps the last figures, overdue visits included, when a refresh fails, and says they are not up to date', async () => {
    let fail = false
    mockTeam(() => {
      if (fail) throw { code: 'store_error', message: 'The case store is busy.' }
      return answer([PRIYA_LATE])
    })
    const page = openTeam()
    await settle()
    fail = true
    syncFinished()
    await settle()
    expect(overdueItems(page)).toHaveLength(1)
    expect(page.querySelector('table')).not.toBeNull()
    expect(page.querySelector('.doorstep-problem')).toBeNull()
    expect(textOf(page.querySelector('[data-team-freshness]'))).toBe(
      'Doorstep could not bring these figures up to date: The case store is busy. It will try again in a minute, and after the next sync.',
    )

    fail = false
    syncFinished()
    await settle()
    expect(textOf(page.querySelector('[data-team-freshness]'))).toMatch(/^Figures from this laptop’s last sync/)
  })

  it('saves the caseload through Rust as team-caseload-<date>.csv, then says where it went and moves focus there', async () => {
    const backend = mockTeam(() => answer([PRIYA_LATE]))
    const polite = document.createElement('div')
    document.body.append(polite)
    attachLiveRegion(polite)
    const page = openTeam()
    await settle()
    const button = page.querySelector<HTMLButtonElement>('[data-download-csv]')!
    expect(textOf(button)).toBe(DOWNLOAD_CSV)
    button.focus()
    button.click()
    await settle()

    const y = NOW.getFullYear()
    const m = String(NOW.getMonth() + 1).padStart(2, '0')
    const d = String(NOW.getDate()).padStart(2, '0')
    const name = `team-caseload-${y}-${m}-${d}.csv`
    expect(backend.exports.map((file) => file.fileName)).toEqual([name])
    const contents = backend.exports[0]!.contents
    // The byte order mark tells Excel the file is UTF-8.
    expect(contents.startsWith(CSV_BOM)).toBe(true)
    const lines = contents.slice(CSV_BOM.length).split('\r\n')
    expect(lines[0]).toBe(
      'Worker,Open cases,In progress,Awaiting review,Overdue cases,Open tasks,Overdue tasks,Visits under way,Overdue visits,Cases with conflicts',
    )
    expect(lines[1]).toBe('omar.hassan,4,2,0,0,1,0,1,1,1')
    expect(lines[2]).toBe('priya.patel,7,3,1,2,4,3,1,1,0')
    expect(lines[3]).toBe('Not assigned,2,0,0,0,0,0,0,0,0')
    expect(lines[4]).toBe('Total,13,5,1,2,5,3,2,2,1')
    // No blob: link is made: the app's window would do nothing with it.
    expect(document.querySelector('a[download]')).toBeNull()

    const saved = page.querySelector<HTMLElement>('[data-export-saved]')!
    expect(saved.id).toBe(EXPORT_SAVED_ID)
    expect(saved.classList.contains('govuk-notification-banner--success')).toBe(true)
    expect(saved.getAttribute('role')).toBe('region')
    expect(saved.getAttribute('aria-labelledby')).toBe(`${EXPORT_SAVED_ID}-title`)
    expect(textOf(saved.querySelector('.govuk-notification-banner__title'))).toBe('Success')
    expect(textOf(saved.querySelector('.govuk-notification-banner__heading'))).toBe(`Saved ${name} to your Downloads folder`)
    expect(textOf(saved.querySelector('[data-export-path]'))).toBe(`/home/lee/Downloads/${name}`)
    expect(saved.querySelector('[data-export-path]')!.classList.contains('govuk-body-s')).toBe(true)
    // Before the heading, as GOV.UK places notification banners, and focused as after a reassignment.
    expect(saved.compareDocumentPosition(page.querySelector('h1')!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy()
    expect(document.activeElement).toBe(saved)
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(textOf(polite)).toBe(`${savedToDownloads(name)}.`)
  })

  it('keeps focus where the lead went if they moved on while the file was being saved', async () => {
    mockTeam(() => answer([PRIYA_LATE]))
    const page = openTeam()
    await settle()
    page.querySelector<HTMLButtonElement>('[data-download-csv]')!.click()
    const region = page.querySelector<HTMLElement>('[data-focus-key="caseload-table"]')!
    region.focus()
    await settle()
    expect(page.querySelector('[data-export-saved]')).not.toBeNull()
    expect(document.activeElement).toBe(region)
  })

  it('says there is nothing to tabulate when no cases are on the laptop', async () => {
    mockTeam(() => answer([], []))
    const page = openTeam()
    await settle()
    expect(page.querySelector('table')).toBeNull()
    expect(page.querySelector('canvas')).toBeNull()
    expect(page.querySelector('[data-download-csv]')).toBeNull()
    expect(textOf(page)).toContain('There are no cases on this laptop yet')
    expect(textOf(page.querySelector('[data-no-overdue]'))).toBe(NO_OVERDUE_VISITS)
  })
})

describe('overdue times', () => {
  it('reads as a person would say them', () => {
    expect(overdueFor(0)).toBe('less than a minute overdue')
    expect(overdueFor(1)).toBe('1 minute overdue')
    expect(overdueFor(25)).toBe('25 minutes overdue')
    expect(overdueFor(60)).toBe('1 hour overdue')
    expect(overdueFor(61)).toBe('1 hour 1 minute overdue')
    expect(overdueFor(190)).toBe('3 hours 10 minutes overdue')
  })
})

describe('Your team, for anyone else', () => {
  afterEach(() => resetLockState())

  it('tells a caseworker that only team leads see it, rather than showing an error', async () => {
    const backend = mockDevice({ cases: 'sample' })
    const page = openTeam()
    await settle()
    expect(textOf(page)).toContain(ONLY_TEAM_LEADS)
    expect(page.querySelector('.doorstep-problem')).toBeNull()
    expect(page.querySelector('table')).toBeNull()
    expect(page.querySelector('a[href="#/cases"]')).not.toBeNull()
    expect(backend.sent('team_caseload')).toEqual([{}])
  })

  it('goes to the lock screen while Doorstep is locked', async () => {
    mockDevice({ ...LEAD, pin: '246810', locked: true })
    const page = openTeam()
    await settle()
    expect(window.location.hash).toBe(`#${UNLOCK_PATH}`)
    expect(textOf(page)).not.toContain('could not be shown')
  })

  it('offers to try again when Rust cannot answer', async () => {
    const backend = mockDevice({ ...LEAD, failures: { team_caseload: { code: 'store_error', message: 'The case store is busy.' } } })
    const page = openTeam()
    await settle()
    expect(textOf(page.querySelector('.doorstep-problem'))).toContain('The case store is busy.')
    backend.device.succeed('team_caseload')
    page.querySelector<HTMLButtonElement>('[data-retry]')!.click()
    await settle()
    expect(overdueItems(page).map((item) => item.querySelector('a')?.getAttribute('href'))).toEqual([
      `#/cases/${SAMPLE_IDS.dutyReferral}`,
      `#/cases/${SAMPLE_IDS.fireSafety}`,
    ])
  })
})

describe('Your team: what the server said, and the last 8 weeks', () => {
  const sectionHeadings = (page: HTMLElement) => [...page.querySelectorAll('[data-team-body] h2')].map((h) => textOf(h))
  const rowsIn = (page: HTMLElement, selector: string) =>
    [...page.querySelectorAll(`${selector} tbody tr`)].map((row) => [...row.children].map((cell) => textOf(cell)))

  it('puts the server’s alerts, the performance figures and the laptops after the overdue visits, in that order', async () => {
    mockDevice(LEAD)
    const page = openTeam()
    await settle()
    expect(sectionHeadings(page)).toEqual(['Lone working', SERVER_ALERTS_HEADING, PERFORMANCE_HEADING, LAPTOPS_HEADING, 'Caseload by worker', 'Open cases by worker'])
  })

  it('lists the alerts the server raised, open first, with how each was sent, as the server reported at the last sync', async () => {
    mockDevice(LEAD)
    const page = openTeam()
    await settle()
    const part = page.querySelector<HTMLElement>('[data-team-server-alerts]')!
    expect(textOf(part.querySelector('[data-server-reported]'))).toMatch(/^As the server reported at \d{1,2}(:\d\d)?(am|pm)\. 1 alert is open\.$/)
    const rows = rowsIn(part, '')
    expect(rows.map((row) => [row[0], row[1], row[4]])).toEqual([
      [DUTY_WORKER, 'HOU-2026-0433', 'Open'],
      ['sam.caseworker', 'EH-2026-0077', expect.stringMatching(/^Resolved at /)],
    ])
    const open = part.querySelector('tbody tr')!
    expect(open.querySelector('a')?.getAttribute('href')).toBe(`#/cases/${SAMPLE_IDS.dutyReferral}`)
    expect([...open.querySelectorAll('li')].map((li) => textOf(li))).toEqual([`Webhook not sent: 3 tries, last error: ${WEBHOOK_ERROR}`, 'Email sent after 2 tries'])
  })

  it('says plainly when the laptop has never fetched the team from the server', async () => {
    mockDevice({ ...LEAD, lastSyncedMinutesAgo: null })
    const page = openTeam()
    await settle()
    expect(textOf(page.querySelector('[data-team-server-alerts]'))).toBe(ALERTS_NOT_FETCHED)
    expect(textOf(page.querySelector('[data-team-laptops]'))).toBe(LAPTOPS_NOT_FETCHED)
    expect(page.querySelector('[data-team-server-alerts] table, [data-team-laptops] table')).toBeNull()
  })

  it('gives the median days to close and cases closed, and each week opened and closed with a total', async () => {
    mockDevice(LEAD)
    const page = openTeam()
    await settle()
    const kpis = [...page.querySelectorAll('[data-team-kpis] .govuk-summary-list__row')].map((row) => [
      textOf(row.querySelector('dt')),
      textOf(row.querySelector('dd')),
    ])
    expect(kpis).toEqual([
      ['Median time to close a case', '9.5 days'],
      ['Cases closed', '35'],
    ])
    const weeks = rowsIn(page, '[data-weekly-table]')
    expect(weeks).toHaveLength(8)
    expect(weeks.map((row) => row.slice(1))).toEqual([
      ['6', '5'],
      ['4', '6'],
      ['7', '3'],
      ['5', '4'],
      ['8', '7'],
      ['3', '5'],
      ['6', '4'],
      ['2', '1'],
    ])
    expect(weeks[7]![0]).toMatch(/^\d{1,2} \w+ \d{4} \(this week so far\)$/)
    expect([...page.querySelectorAll('[data-weekly-table] tfoot tr > *')].map((cell) => textOf(cell))).toEqual(['Total', '41', '35'])
    expect(textOf(page.querySelector('[data-weekly-table] caption'))).toBe('Cases opened and closed each week')
    const canvas = page.querySelector('[data-weekly-chart-canvas]')!
    expect(canvas.getAttribute('role')).toBe('img')
    expect(canvas.getAttribute('aria-label')).toMatch(
      /^Bar chart of the cases opened and closed in each of the last 8 weeks, from the week starting \d{1,2} \w+ \d{4} to this week\. 41 opened and 35 closed in all\. The table above has the same figures\.$/,
    )
  })

  it('says when no case was closed in the 8 weeks, rather than a median of nothing', async () => {
    mockTeam(() => answer([], undefined, { kpis: { weeks: [{ weekStarting: '2026-11-23', opened: 2, closed: 0 }], closedInPeriod: 0, medianDaysToClose: null } }))
    const page = openTeam()
    await settle()
    expect(textOf(page.querySelector('[data-team-kpis]'))).toContain(NO_CLOSED_CASES)
    expect(textOf(page.querySelector('[data-team-kpis]'))).toContain('Cases closed 0')
  })

  it('lists the laptops, never synced first and revoked last', async () => {
    mockDevice(LEAD)
    const page = openTeam()
    await settle()
    const rows = rowsIn(page, '[data-team-laptops]')
    expect(rows.map((row) => [row[0], row[1]?.split(' ')[0]])).toEqual([
      [DUTY_WORKER, 'RIV-LT-0201'],
      ['alex.colleague', 'RIV-LT-0178'],
      ['sam.caseworker', 'RIV-LT-0142'],
      ['lee.lead', 'RIV-LT-0099'],
      ['alex.colleague', 'RIV-LT-0077'],
    ])
    expect(rows[0]![3]).toBe('Never')
    expect(rows[4]![1]).toContain('Revoked')
    expect(rows[1]![3]).toMatch(/^3 days ago \(\d{1,2} \w+ \d{4} at .+\)$/)
  })

  it('links each worker’s name in the caseload to their activity, but not Not assigned', async () => {
    mockDevice(LEAD)
    const page = openTeam()
    await settle()
    const names = [...page.querySelectorAll('.doorstep-team-table tbody th')]
    expect(names.map((th) => th.querySelector('a')?.getAttribute('href') ?? null)).toEqual([
      '#/team/workers/alex.colleague',
      '#/team/workers/sam.caseworker',
      null,
    ])
  })

  it('draws the weekly chart once, and frees it when the page is left', async () => {
    charts.weekly = []
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue({} as never)
    mockDevice(LEAD)
    openTeam()
    await settle()
    expect(charts.weekly).toEqual([{ weeks: 8, destroyed: false }])
    syncFinished()
    await settle()
    expect(charts.weekly).toHaveLength(1)
    leave?.()
    expect(charts.weekly[0]?.destroyed).toBe(true)
  })

  it('saves the weekly figures as team-weekly-figures-<date>.csv, and a second save beside the first', async () => {
    const backend = mockDevice(LEAD)
    const page = openTeam()
    await settle()
    const button = page.querySelector<HTMLButtonElement>('[data-download-weekly]')!
    expect(textOf(button)).toBe(DOWNLOAD_WEEKLY_CSV)
    button.focus()
    button.click()
    await settle()
    const [file] = backend.device.savedFiles()
    expect(file?.fileName).toMatch(/^team-weekly-figures-\d{4}-\d{2}-\d{2}\.csv$/)
    expect(file?.path).toBe(`${DOWNLOADS_FOLDER}/${file?.fileName}`)
    expect(backend.sent('save_export')).toEqual([{ fileName: file!.fileName, contents: file!.contents }])
    const lines = file!.contents.replace(/^\uFEFF/, '').split('\r\n')
    expect(lines[0]).toBe('Week starting,Opened,Closed')
    expect(lines[1]).toMatch(/^\d{4}-\d{2}-\d{2},6,5$/)
    expect(lines[9]).toBe('Total,41,35')
    const saved = page.querySelector<HTMLElement>('[data-export-saved]')!
    expect(textOf(saved.querySelector('.govuk-notification-banner__heading'))).toBe(savedToDownloads(file!.fileName))
    expect(textOf(saved.querySelector('[data-export-path]'))).toBe(file!.path)
    expect(document.activeElement).toBe(saved)

    // Rust never writes over a file: the same name again gets " (1)", and the banner names that file.
    button.focus()
    button.click()
    await settle()
    const again = backend.device.savedFiles()[1]!
    expect(again.fileName).toBe(file!.fileName.replace(/\.csv$/, ' (1).csv'))
    expect(again.contents).toBe(file!.contents)
    expect(page.querySelectorAll('[data-export-saved]')).toHaveLength(1)
    expect(textOf(page.querySelector('[data-export-saved] .govuk-notification-banner__heading'))).toBe(savedToDownloads(again.fileName))
    expect(textOf(page.querySelector('[data-export-path]'))).toBe(`${DOWNLOADS_FOLDER}/${again.fileName}`)
  })

  it('saves one file for a double click', async () => {
    const backend = mockDevice(LEAD)
    const page = openTeam()
    await settle()
    const button = page.querySelector<HTMLButtonElement>('[data-download-csv]')!
    button.click()
    button.click()
    await settle()
    expect(backend.device.savedFiles()).toHaveLength(1)
  })

  it('shows why a file could not be saved in an error summary, which takes focus, and a later save replaces it', async () => {
    const backend = mockDevice(LEAD)
    const message = 'Could not save team-caseload-2026-12-03.csv: No space left on device. Check there is space in your Downloads folder and try again.'
    backend.device.fail('save_export', { code: 'export_failed', message })
    const page = openTeam()
    await settle()
    const button = page.querySelector<HTMLButtonElement>('[data-download-csv]')!
    button.focus()
    button.click()
    await settle()
    const summary = page.querySelector<HTMLElement>('.govuk-error-summary')!
    expect(textOf(summary.querySelector('.govuk-error-summary__title'))).toBe('There is a problem')
    expect(textOf(summary.querySelector('.govuk-error-summary__list'))).toBe(message)
    expect(summary.querySelector('[role="alert"]')).not.toBeNull()
    expect(summary.contains(document.activeElement)).toBe(true)
    expect(page.querySelector('[data-export-saved]')).toBeNull()
    expect(backend.device.savedFiles()).toEqual([])

    backend.device.succeed('save_export')
    button.focus()
    button.click()
    await settle()
    expect(page.querySelector('.govuk-error-summary')).toBeNull()
    expect(document.activeElement).toBe(page.querySelector('[data-export-saved]'))
  })

  it('goes to the lock screen when Doorstep locked before the file was saved', async () => {
    const backend = mockDevice(LEAD)
    const page = openTeam()
    await settle()
    backend.device.fail('save_export', { code: 'locked', message: 'Doorstep is locked. Enter your PIN to carry on.' })
    page.querySelector<HTMLButtonElement>('[data-download-csv]')!.click()
    await settle()
    expect(window.location.hash).toBe(`#${UNLOCK_PATH}`)
    expect(page.querySelector('.govuk-error-summary, [data-export-saved]')).toBeNull()
    resetLockState()
  })
})

describe('the fake Rust’s save_export', () => {
  const name = 'team-caseload-2026-12-03.csv'

  it('refuses anyone but a team lead', async () => {
    const backend = mockDevice({ cases: 'sample' })
    await expect(backend.device.handle('save_export', { fileName: name, contents: 'x' })).rejects.toMatchObject({ code: 'not_a_team_lead' })
    expect(backend.device.savedFiles()).toEqual([])
  })

  it('refuses a name that is not lower-case letters, digits and hyphens ending .csv', async () => {
    const backend = mockDevice(LEAD)
    for (const fileName of ['../team.csv', 'Team.csv', 'team.txt', 'team caseload.csv', '.csv', 'team-caseload.csv.exe']) {
      await expect(backend.device.handle('save_export', { fileName, contents: 'x' })).rejects.toMatchObject({ code: 'invalid_input' })
    }
    expect(backend.device.savedFiles()).toEqual([])
  })

  it('numbers a name already taken, and refuses while locked', async () => {
    const backend = mockDevice({ ...LEAD, pin: '246810' })
    const paths = []
    for (let i = 0; i < 3; i++) paths.push(await backend.device.handle('save_export', { fileName: name, contents: `${i}` }))
    expect(paths).toEqual([
      { path: `${DOWNLOADS_FOLDER}/${name}`, fileName: name },
      { path: `${DOWNLOADS_FOLDER}/team-caseload-2026-12-03 (1).csv`, fileName: 'team-caseload-2026-12-03 (1).csv' },
      { path: `${DOWNLOADS_FOLDER}/team-caseload-2026-12-03 (2).csv`, fileName: 'team-caseload-2026-12-03 (2).csv' },
    ])
    expect(backend.device.savedFiles().map((file) => file.contents)).toEqual(['0', '1', '2'])
    await backend.device.handle('lock')
    await expect(backend.device.handle('save_export', { fileName: name, contents: 'x' })).rejects.toMatchObject({ code: 'locked' })
  })
})
