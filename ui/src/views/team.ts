// Your team (`/team`): for team leads, the visits that have run past their
// expected end with no check-out (lone-working alerts) first, then the
// alerts the server raised, the team's performance over the last 8 weeks
// (a table, a chart and a CSV file), the team's laptops and when each last
// synced, and each worker's caseload as a table, a chart and a CSV file.
//
// Everything comes from this laptop: its cases, which for a lead are the
// whole team's, and what the server said about the team at the last sync.
// So the page works offline but is only as fresh as the last sync. It says when that was, and asks Rust again after every sync and
// every minute (overdue visits get later by the minute). A refresh redraws
// only the parts whose figures changed, and never takes focus from where
// the lead left it. Rust refuses the figures to anyone who is not a team
// lead; they are told so, not shown an error.
//
// The two CSV files are saved by Rust (`save_export`) into the lead's
// Downloads folder: the app's window (WebKitGTK) does nothing with a
// `blob:` download. A success banner before the heading then says where the
// file went and takes focus, as Reassign's does; a failure is an error
// summary there instead.
import { html, renderInto, type SafeHtml } from '../html'
import { handleLocked } from '../idle'
import {
  describeIpcError,
  ipcErrorOf,
  saveExport,
  syncStatus,
  teamCaseload,
  type OverdueVisit,
  type SavedExport,
  type TeamCaseload,
  type TeamKpis,
  type WeekFigures,
  type WorkerCaseload,
} from '../ipc'
import { announce } from '../live-region'
import { onSyncFinished } from '../sync-status'
import { formatCalendarDate, formatDateTime, formatRelative, formatTime, isSameDay, parseInstant, plural } from '../time-format'
import { caseTitle } from './case-labels'
import { errorSummary } from './govuk-markup'
import { pageHeading, problemBox } from './page-parts'
import type { CaseloadChart } from './team-chart'
import {
  CASELOAD_COLUMNS,
  caseloadCsv,
  caseloadFileName,
  caseloadTotals,
  formatDays,
  weeklyCsv,
  weeklyFileName,
  weeklyTotals,
  workerName,
} from './team-figures'
import { laptopsMarkup, serverAlertsMarkup } from './team-server'
import { workerActivityPath } from './worker-activity'
import type { View, ViewContext } from './view'

export const TEAM_TITLE = 'Your team'
export const REFRESH_EVERY_MS = 60_000
export const NO_OVERDUE_VISITS = 'No visits are overdue.'
export const OFFLINE_CAVEAT = 'Doorstep cannot raise an alarm while a laptop is offline; this list only knows what has synced.'
export const ONLY_TEAM_LEADS = 'Only team leads can see their team’s caseload.'
export const DOWNLOAD_CSV = 'Download caseload as CSV'
export const DOWNLOAD_WEEKLY_CSV = 'Download weekly figures (CSV)'
export const SAME_FIGURES = 'The table above has the same figures.'
export const SERVER_ALERTS_HEADING = 'Lone-worker alerts raised by the server'
export const PERFORMANCE_HEADING = 'Performance over the last 8 weeks'
export const LAPTOPS_HEADING = 'Laptops and their last sync'
export const NO_CLOSED_CASES = 'No cases were closed in these 8 weeks'
/** The success banner after a CSV file is saved; focus goes there, as after a reassignment. */
export const EXPORT_SAVED_ID = 'team-export-saved'
/** The byte order mark tells Excel the file is UTF-8, so names with accents survive. */
export const CSV_BOM = '\uFEFF'

const LOADING = html`<p class="govuk-body">Loading your team’s caseload…</p>`

// ---------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------

/** "2 visits have run past their expected end with no check-out". */
export function overdueHeadline(count: number): string {
  return `${plural(count, 'visit')} ${count === 1 ? 'has' : 'have'} run past ${count === 1 ? 'its' : 'their'} expected end with no check-out`
}

/** "25 minutes overdue", "1 hour 10 minutes overdue". */
export function overdueFor(minutes: number): string {
  if (minutes < 1) return 'less than a minute overdue'
  const hours = Math.floor(minutes / 60)
  const rest = minutes % 60
  if (hours === 0) return `${plural(rest, 'minute')} overdue`
  return `${plural(hours, 'hour')}${rest === 0 ? '' : ` ${plural(rest, 'minute')}`} overdue`
}

/** What the product's lone-working rules ask the lead to do. */
export function loneWorkingAction(worker: string): string {
  return `Contact ${worker} now. If you cannot reach them, follow the lone-working procedure: their buddy, then their line manager.`
}

/** "Saved team-caseload-2026-12-03.csv to your Downloads folder": the banner's heading and what is announced. */
export function savedToDownloads(fileName: string): string {
  return `Saved ${fileName} to your Downloads folder`
}

/** What is said when Rust gave no reason. */
export function couldNotSave(fileName: string): string {
  return `Doorstep could not save ${fileName}. Try again.`
}

/** A time today as "1:50pm", any other day with its date too. */
function when(value: string, now: Date): SafeHtml {
  const date = parseInstant(value)
  if (date === null) return html`an unknown time`
  return html`<time datetime="${date.toISOString()}">${isSameDay(date, now) ? formatTime(date) : formatDateTime(date)}</time>`
}

/** The canvas's text: what the chart shows, in a sentence or two; the table has the rest. */
export function chartSummary(workers: readonly WorkerCaseload[]): string {
  const total = workers.reduce((sum, worker) => sum + worker.openCases, 0)
  const assigned = workers.filter((worker) => worker.worker !== null)
  const unassigned = workers.find((worker) => worker.worker === null)?.openCases ?? 0
  const most = [...assigned].sort((a, b) => b.openCases - a.openCases)[0]
  const parts = [
    `Bar chart of open cases for each worker, split into in progress, awaiting review, and open but not started.`,
    `${plural(total, 'open case')} across ${plural(assigned.length, 'worker')}${unassigned > 0 ? `, and ${unassigned.toLocaleString('en-GB')} not assigned` : ''}.`,
  ]
  if (most !== undefined && most.openCases > 0) parts.push(`${workerName(most.worker)} has the most, ${most.openCases.toLocaleString('en-GB')}.`)
  parts.push(SAME_FIGURES)
  return parts.join(' ')
}

// ---------------------------------------------------------------------------
// Markup
// ---------------------------------------------------------------------------

function overdueVisitMarkup(visit: OverdueVisit, now: Date): SafeHtml {
  return html`
    <li class="doorstep-overdue-visit">
      <h4 class="govuk-heading-s govuk-!-margin-bottom-2">${visit.worker}: ${overdueFor(visit.minutesOverdue)}</h4>
      <p class="govuk-body govuk-!-margin-bottom-2">
        <a class="govuk-notification-banner__link" href="#/cases/${encodeURIComponent(visit.caseId)}">${caseTitle(visit.caseReference)}</a>${visit.caseSummary !== '' &&
        html`: ${visit.caseSummary}`}
      </p>
      <p class="govuk-body govuk-!-margin-bottom-2">Checked in at ${when(visit.checkedInAt, now)}. Expected to end at ${when(visit.expectedEnd, now)}.</p>
      <p class="govuk-body govuk-!-font-weight-bold">${loneWorkingAction(visit.worker)}</p>
    </li>`
}

export function overdueMarkup(visits: readonly OverdueVisit[], now: Date): SafeHtml {
  if (visits.length === 0) return html`<p class="govuk-body" data-no-overdue>${NO_OVERDUE_VISITS}</p>`
  return html`
    <div class="govuk-notification-banner doorstep-notification-banner--urgent" role="region" aria-labelledby="team-overdue-title" data-overdue-banner>
      <div class="govuk-notification-banner__header">
        <h3 class="govuk-notification-banner__title" id="team-overdue-title">Lone working alert</h3>
      </div>
      <div class="govuk-notification-banner__content">
        <p class="govuk-notification-banner__heading" data-overdue-headline>${overdueHeadline(visits.length)}</p>
        <ul class="govuk-list doorstep-overdue-visits">${visits.map((visit) => overdueVisitMarkup(visit, now))}</ul>
      </div>
    </div>`
}

function count(value: number, warn = false): SafeHtml {
  const text = value.toLocaleString('en-GB')
  return warn && value > 0 ? html`<strong class="doorstep-team-warning">${text}</strong>` : html`${text}`
}

/** Columns that need the lead's attention when they are not zero. */
const WARNING_COLUMNS: ReadonlySet<string> = new Set(['overdueCases', 'overdueTasks', 'overdueVisits', 'casesWithConflicts'])

function caseloadTable(workers: readonly WorkerCaseload[]): SafeHtml {
  const totals = caseloadTotals(workers)
  return html`
    <div class="doorstep-table-scroll" role="region" aria-labelledby="team-caseload-caption" tabindex="0" data-focus-key="caseload-table">
      <table class="govuk-table doorstep-team-table">
        <caption class="govuk-table__caption govuk-table__caption--s" id="team-caseload-caption">Cases assigned to each worker</caption>
        <thead class="govuk-table__head">
          <tr class="govuk-table__row">
            <th scope="col" class="govuk-table__header">Worker</th>
            ${CASELOAD_COLUMNS.map((column) => html`<th scope="col" class="govuk-table__header govuk-table__header--numeric">${column.heading}</th>`)}
          </tr>
        </thead>
        <tbody class="govuk-table__body">
          ${workers.map(
            (worker) => html`
              <tr class="govuk-table__row">
                <th scope="row" class="govuk-table__header${worker.worker === null ? ' doorstep-team-unassigned' : ''}">${worker.worker === null
                  ? workerName(null)
                  : html`<a class="govuk-link" href="#${workerActivityPath(worker.worker)}">${worker.worker}</a>`}</th>
                ${CASELOAD_COLUMNS.map(
                  ({ key }) => html`<td class="govuk-table__cell govuk-table__cell--numeric">${count(worker[key], WARNING_COLUMNS.has(key))}</td>`,
                )}
              </tr>`,
          )}
        </tbody>
        <tfoot>
          <tr class="govuk-table__row doorstep-team-table__total">
            <th scope="row" class="govuk-table__header">Total</th>
            ${CASELOAD_COLUMNS.map(({ key }) => html`<td class="govuk-table__cell govuk-table__cell--numeric">${count(totals[key])}</td>`)}
          </tr>
        </tfoot>
      </table>
    </div>`
}

export function caseloadMarkup(workers: readonly WorkerCaseload[]): SafeHtml {
  if (workers.length === 0) {
    return html`
      <p class="govuk-body">There are no cases on this laptop yet, so there is no caseload to show.</p>
      <p class="govuk-body">Your team’s cases arrive when Doorstep syncs with the server.</p>`
  }
  return html`
    <p class="govuk-body">Select a worker’s name to see what they have opened and changed, as the server recorded it.</p>
    ${caseloadTable(workers)}
    <button type="button" class="govuk-button govuk-button--secondary" data-download-csv data-focus-key="download-csv">${DOWNLOAD_CSV}</button>
    <h2 class="govuk-heading-m">Open cases by worker</h2>
    <div class="doorstep-team-chart" data-team-chart>
      <canvas role="img" aria-label="${chartSummary(workers)}" data-team-chart-canvas></canvas>
    </div>
    <p class="govuk-body">${SAME_FIGURES} The chart shows the open cases only.</p>`
}

/** The weekly chart's text: what it shows in a sentence or two; the table has the rest. */
export function weeklyChartSummary(weeks: readonly WeekFigures[]): string {
  const totals = weeklyTotals(weeks)
  const first = weeks[0]
  return [
    `Bar chart of the cases opened and closed in each of the last ${plural(weeks.length, 'week')}${first === undefined ? '' : `, from the week starting ${formatCalendarDate(first.weekStarting)} to this week`}.`,
    `${totals.opened.toLocaleString('en-GB')} opened and ${totals.closed.toLocaleString('en-GB')} closed in all.`,
    SAME_FIGURES,
  ].join(' ')
}

function weeklyTable(weeks: readonly WeekFigures[]): SafeHtml {
  const totals = weeklyTotals(weeks)
  const last = weeks.length - 1
  return html`
    <div class="doorstep-table-scroll" role="region" aria-labelledby="team-weekly-caption" tabindex="0" data-focus-key="weekly-table">
      <table class="govuk-table doorstep-compact-table" data-weekly-table>
        <caption class="govuk-table__caption govuk-table__caption--s" id="team-weekly-caption">Cases opened and closed each week</caption>
        <thead class="govuk-table__head">
          <tr class="govuk-table__row">
            <th scope="col" class="govuk-table__header">Week starting</th>
            <th scope="col" class="govuk-table__header govuk-table__header--numeric">Opened</th>
            <th scope="col" class="govuk-table__header govuk-table__header--numeric">Closed</th>
          </tr>
        </thead>
        <tbody class="govuk-table__body">
          ${weeks.map(
            (week, index) => html`
              <tr class="govuk-table__row">
                <th scope="row" class="govuk-table__header">${formatCalendarDate(week.weekStarting)}${index === last && ' (this week so far)'}</th>
                <td class="govuk-table__cell govuk-table__cell--numeric">${count(week.opened)}</td>
                <td class="govuk-table__cell govuk-table__cell--numeric">${count(week.closed)}</td>
              </tr>`,
          )}
        </tbody>
        <tfoot>
          <tr class="govuk-table__row doorstep-team-table__total">
            <th scope="row" class="govuk-table__header">Total</th>
            <td class="govuk-table__cell govuk-table__cell--numeric">${count(totals.opened)}</td>
            <td class="govuk-table__cell govuk-table__cell--numeric">${count(totals.closed)}</td>
          </tr>
        </tfoot>
      </table>
    </div>`
}

/** The team's figures for the last 8 weeks: the median time to close and cases closed, then each week as a table, a file and a chart. */
export function performanceMarkup(kpis: TeamKpis): SafeHtml {
  const median = kpis.medianDaysToClose
  return html`
    <dl class="govuk-summary-list" data-team-kpis>
      <div class="govuk-summary-list__row">
        <dt class="govuk-summary-list__key">Median time to close a case</dt>
        <dd class="govuk-summary-list__value">${median === null ? NO_CLOSED_CASES : formatDays(median)}</dd>
      </div>
      <div class="govuk-summary-list__row">
        <dt class="govuk-summary-list__key">Cases closed</dt>
        <dd class="govuk-summary-list__value">${kpis.closedInPeriod.toLocaleString('en-GB')}</dd>
      </div>
    </dl>
    <p class="govuk-body">The median is the middle value, from opening to closing, over the cases closed in these weeks: half took less time, half took more.</p>
    ${kpis.weeks.length === 0
      ? html`<p class="govuk-body">There are no weekly figures yet.</p>`
      : html`
        ${weeklyTable(kpis.weeks)}
        <button type="button" class="govuk-button govuk-button--secondary" data-download-weekly data-focus-key="download-weekly">${DOWNLOAD_WEEKLY_CSV}</button>
        <h3 class="govuk-heading-s">Chart of cases opened and closed each week</h3>
        <div class="doorstep-team-chart doorstep-team-chart--weekly" data-weekly-chart>
          <canvas role="img" aria-label="${weeklyChartSummary(kpis.weeks)}" data-weekly-chart-canvas></canvas>
        </div>
        <p class="govuk-body">${SAME_FIGURES}</p>`}`
}

function freshnessMarkup(lastSyncedAt: string | null | undefined, now: Date): SafeHtml {
  if (lastSyncedAt === undefined) return html`Figures from the cases on this laptop.`
  const synced = parseInstant(lastSyncedAt)
  if (synced === null) return html`This laptop has not synced yet, so these figures only include cases made on it.`
  return html`Figures from this laptop’s last sync,
    <time datetime="${synced.toISOString()}">${formatDateTime(synced)}</time> (${formatRelative(synced, now)}).`
}

function refreshFailedMarkup(problem: string): SafeHtml {
  return html`<strong class="doorstep-team-warning">Doorstep could not bring these figures up to date: ${problem}</strong>
    It will try again in a minute, and after the next sync.`
}

const DASHBOARD = html`
  <p class="govuk-body" data-team-freshness></p>
  <h2 class="govuk-heading-m">Lone working</h2>
  <div data-team-overdue></div>
  <p class="govuk-body">${OFFLINE_CAVEAT}</p>
  <h2 class="govuk-heading-m">${SERVER_ALERTS_HEADING}</h2>
  <div data-team-server-alerts></div>
  <h2 class="govuk-heading-m">${PERFORMANCE_HEADING}</h2>
  <div data-team-performance></div>
  <h2 class="govuk-heading-m">${LAPTOPS_HEADING}</h2>
  <div data-team-laptops></div>
  <h2 class="govuk-heading-m">Caseload by worker</h2>
  <div data-team-caseload></div>`

/** An empty 8 weeks, for figures from a Rust that sends none. */
const NO_KPIS: TeamKpis = { weeks: [], closedInPeriod: 0, medianDaysToClose: null }

type ChartName = 'caseload' | 'weekly'

/** The part of the page each chart is drawn in: redrawing the part frees its chart. */
const CHART_PARTS: Readonly<Record<string, ChartName>> = {
  '[data-team-caseload]': 'caseload',
  '[data-team-performance]': 'weekly',
}

/** Where a CSV file went: a GOV.UK success banner, which takes focus, as the case page's Reassign confirmation does. */
export function exportSavedBanner(saved: SavedExport): SafeHtml {
  // A region that takes focus: read once, not also as an alert.
  return html`
    <div class="govuk-notification-banner govuk-notification-banner--success" role="region" aria-labelledby="${EXPORT_SAVED_ID}-title"
      id="${EXPORT_SAVED_ID}" tabindex="-1" data-export-saved>
      <div class="govuk-notification-banner__header">
        <h2 class="govuk-notification-banner__title" id="${EXPORT_SAVED_ID}-title">Success</h2>
      </div>
      <div class="govuk-notification-banner__content">
        <p class="govuk-notification-banner__heading">${savedToDownloads(saved.fileName)}</p>
        <p class="govuk-body-s govuk-!-margin-bottom-0 doorstep-export-path" data-export-path>${saved.path}</p>
      </div>
    </div>`
}

function notATeamLeadMarkup(): SafeHtml {
  return html`
    <div class="govuk-inset-text">
      <p class="govuk-body">${ONLY_TEAM_LEADS} Doorstep has not been told that you are a team lead.</p>
      <p class="govuk-body govuk-!-margin-bottom-0">If you have just become one, this page works after Doorstep next syncs with the server.</p>
    </div>
    <p class="govuk-body">Your own cases are in <a class="govuk-link" href="#/cases">My cases</a>, and your visits in <a class="govuk-link" href="#/visits">Today’s visits</a>.</p>`
}

// ---------------------------------------------------------------------------
// The page
// ---------------------------------------------------------------------------

/** What identifies a control across a redraw: a link by where it goes, anything else by its data-focus-key. */
function focusSelector(element: Element): string | null {
  const key = element.getAttribute('data-focus-key')
  if (key !== null) return `[data-focus-key="${CSS.escape(key)}"]`
  const href = element.getAttribute('href')
  return href === null ? null : `a[href="${CSS.escape(href)}"]`
}

/** What the urgent alert says when visits become overdue that were not before. */
export function newlyOverdueAlert(visits: readonly OverdueVisit[], newIds: ReadonlySet<string>): string {
  const fresh = visits.filter((visit) => newIds.has(visit.visitId))
  const who = fresh.map((visit) => `${visit.worker} on case ${caseTitle(visit.caseReference)}`).join('; ')
  return `Lone working alert: ${overdueHeadline(visits.length)}. Newly overdue: ${who}.`
}

class TeamPage {
  private readonly ctx: ViewContext
  private readonly heading: HTMLElement
  private readonly body: HTMLElement
  private readonly urgent: HTMLElement
  /** Before the heading: the banner saying where the last CSV file went, or why it could not be saved. */
  private readonly exported: HTMLElement
  /** A CSV file is being saved: another click waits for it rather than saving a second copy. */
  private saving = false
  private timer: ReturnType<typeof setInterval> | undefined
  private requests = 0
  private left = false
  private readonly charts: Record<ChartName, CaseloadChart | null> = { caseload: null, weekly: null }
  /** Whether the body holds the dashboard's sections (not loading, an error or the caseworker's message). */
  private dashboard = false
  /** What each part last showed, so a refresh that changed nothing redraws nothing. */
  private shown = new Map<string, string>()
  /** The overdue visits last shown; null until the first answer, which is what the page opened with and is not announced. */
  private overdueIds: ReadonlySet<string> | null = null
  private latest: TeamCaseload | null = null
  private urgentTimer: ReturnType<typeof setTimeout> | undefined

  constructor(container: HTMLElement, ctx: ViewContext) {
    this.ctx = ctx
    renderInto(
      container,
      html`<div data-team-export></div>
        ${pageHeading(TEAM_TITLE)}
        <!-- Present from the start, so screen readers notice what is written into it. -->
        <div class="govuk-visually-hidden" role="alert" data-team-alert></div>
        <div data-team-body>${LOADING}</div>`,
    )
    this.heading = container.querySelector<HTMLElement>('h1')!
    this.body = container.querySelector<HTMLElement>('[data-team-body]')!
    this.urgent = container.querySelector<HTMLElement>('[data-team-alert]')!
    this.exported = container.querySelector<HTMLElement>('[data-team-export]')!
    // Delegated, so the button works however often the table is redrawn.
    this.body.addEventListener('click', (event) => {
      if (event.target instanceof Element && event.target.closest('[data-download-csv]')) void this.saveCaseload()
      if (event.target instanceof Element && event.target.closest('[data-download-weekly]')) void this.saveWeekly()
      if (event.target instanceof Element && event.target.closest('[data-retry]')) {
        renderInto(this.body, LOADING)
        void this.load()
      }
    })
    void this.load()
    // A sync brings visits checked in or out, and cases moved between workers.
    onSyncFinished(this.body, () => void this.load())
    this.timer = setInterval(() => {
      // The page was replaced without being told (a test's DOM cleared).
      if (!this.body.isConnected) this.leave()
      else void this.load()
    }, REFRESH_EVERY_MS)
  }

  leave(): void {
    this.left = true
    clearInterval(this.timer)
    clearTimeout(this.urgentTimer)
    this.destroyChart('caseload')
    this.destroyChart('weekly')
  }

  private destroyChart(name: ChartName): void {
    this.charts[name]?.destroy()
    this.charts[name] = null
  }

  async load(): Promise<void> {
    if (this.left) return
    const request = ++this.requests
    let caseload: TeamCaseload
    let lastSyncedAt: string | null | undefined
    try {
      ;[caseload, lastSyncedAt] = await Promise.all([
        teamCaseload(),
        // Without the sync time the figures still stand; the page says less about their age.
        syncStatus().then(
          (status) => status.lastSyncedAt,
          () => undefined,
        ),
      ])
    } catch (error) {
      if (request !== this.requests || this.left) return
      if (handleLocked(error)) return
      if (ipcErrorOf(error).code === 'not_a_team_lead') this.showOnly(notATeamLeadMarkup(), 'not_a_team_lead')
      // A refresh that fails keeps the figures on screen: an overdue visit must not vanish behind an error box.
      else if (this.dashboard) this.part('[data-team-freshness]', refreshFailedMarkup(describeIpcError(error)))
      else this.showOnly(problemBox('Your team’s caseload could not be shown', describeIpcError(error), 'Try again'), null)
      return
    }
    if (request !== this.requests || this.left) return
    this.show(caseload, lastSyncedAt)
  }

  /** Replaces the whole body with a message; `snapshot` null always redraws (an error box, with its retry). */
  private showOnly(content: SafeHtml, snapshot: string | null): void {
    if (snapshot !== null && this.shown.get('only') === snapshot) return
    this.destroyChart('caseload')
    this.destroyChart('weekly')
    this.dashboard = false
    this.latest = null
    this.shown.clear()
    if (snapshot !== null) this.shown.set('only', snapshot)
    this.replace(this.body, content)
  }

  private show(caseload: TeamCaseload, lastSyncedAt: string | null | undefined): void {
    const now = new Date()
    if (!this.dashboard) {
      this.shown.clear()
      this.replace(this.body, DASHBOARD)
      this.dashboard = true
    }
    this.latest = caseload
    this.part('[data-team-freshness]', freshnessMarkup(lastSyncedAt, now))
    this.part('[data-team-overdue]', overdueMarkup(caseload.overdueVisits, now))
    const fromServer = caseload.fromServer ?? null
    const kpis = caseload.kpis ?? NO_KPIS
    this.part('[data-team-server-alerts]', serverAlertsMarkup(fromServer, now))
    if (this.part('[data-team-performance]', performanceMarkup(kpis))) this.drawWeeklyChart(kpis.weeks)
    this.part('[data-team-laptops]', laptopsMarkup(fromServer, now))
    if (this.part('[data-team-caseload]', caseloadMarkup(caseload.workers))) this.drawChart(caseload.workers)
    this.announceOverdueChanges(caseload.overdueVisits)
  }

  /** Redraws one part if its markup changed; true when it did. */
  private part(selector: string, content: SafeHtml): boolean {
    if (this.shown.get(selector) === content.value) return false
    const target = this.body.querySelector<HTMLElement>(selector)
    if (target === null) return false
    const chart = CHART_PARTS[selector]
    if (chart !== undefined) this.destroyChart(chart)
    this.replace(target, content)
    this.shown.set(selector, content.value)
    return true
  }

  /** Renders `content` into `target`, putting focus back on the same control if it was inside, or the heading if that control is gone. */
  private replace(target: HTMLElement, content: SafeHtml): void {
    const active = document.activeElement
    const hadFocus = active !== null && target.contains(active)
    const selector = hadFocus ? focusSelector(active) : null
    renderInto(target, content)
    if (!hadFocus) return
    const again = selector === null ? null : target.querySelector<HTMLElement>(selector)
    ;(again ?? this.heading).focus()
  }

  private drawChart(workers: readonly WorkerCaseload[]): void {
    const canvas = this.body.querySelector<HTMLCanvasElement>('[data-team-chart-canvas]')
    const box = this.body.querySelector<HTMLElement>('[data-team-chart]')
    if (canvas === null || box === null) return
    // The stylesheet gives each worker a bar's height; only the count comes from here.
    box.style.setProperty('--doorstep-chart-rows', String(workers.length))
    // A DOM with no canvas drawing (the unit tests') leaves the canvas blank, with its label.
    if (typeof canvas.getContext !== 'function' || canvas.getContext('2d') === null) return
    import('./team-chart')
      .then(({ drawCaseloadChart }) => {
        // The figures may have changed, or the page gone, while Chart.js loaded.
        if (this.left || !canvas.isConnected) return
        this.destroyChart('caseload')
        this.charts.caseload = drawCaseloadChart(canvas, workers)
      })
      .catch(() => {
        // The table holds the same figures, so the page stays useful without the chart.
        box.hidden = true
      })
  }

  private drawWeeklyChart(weeks: readonly WeekFigures[]): void {
    const canvas = this.body.querySelector<HTMLCanvasElement>('[data-weekly-chart-canvas]')
    const box = this.body.querySelector<HTMLElement>('[data-weekly-chart]')
    if (canvas === null || box === null) return
    if (typeof canvas.getContext !== 'function' || canvas.getContext('2d') === null) return
    import('./team-chart')
      .then(({ drawWeeklyChart }) => {
        if (this.left || !canvas.isConnected) return
        this.destroyChart('weekly')
        this.charts.weekly = drawWeeklyChart(canvas, weeks)
      })
      .catch(() => {
        box.hidden = true
      })
  }

  private announceOverdueChanges(visits: readonly OverdueVisit[]): void {
    const ids = new Set(visits.map((visit) => visit.visitId))
    const before = this.overdueIds
    this.overdueIds = ids
    if (before === null) return
    const newIds = new Set([...ids].filter((id) => !before.has(id)))
    if (newIds.size > 0) {
      this.sayUrgently(newlyOverdueAlert(visits, newIds))
      return
    }
    // Fewer overdue visits: good news, which can wait its turn.
    if (ids.size < before.size) announce(ids.size === 0 ? `No visits are overdue now.` : `${overdueHeadline(ids.size)}.`)
  }

  /** Writes to the alert region, emptied first so the same words twice are read twice. */
  private sayUrgently(text: string): void {
    clearTimeout(this.urgentTimer)
    this.urgent.textContent = ''
    this.urgentTimer = setTimeout(() => {
      this.urgent.textContent = text
    }, 50)
  }

  private async saveCaseload(): Promise<void> {
    if (this.latest === null) return
    await this.saveCsv(caseloadFileName(this.latest.asOf), caseloadCsv(this.latest.workers))
  }

  private async saveWeekly(): Promise<void> {
    if (this.latest === null) return
    await this.saveCsv(weeklyFileName(this.latest.asOf), weeklyCsv((this.latest.kpis ?? NO_KPIS).weeks))
  }

  /** Has Rust write the file into the Downloads folder, then says where it went, or why it could not. */
  private async saveCsv(name: string, csv: string): Promise<void> {
    if (this.saving) return
    this.saving = true
    let saved: SavedExport
    try {
      saved = await saveExport(name, CSV_BOM + csv)
    } catch (error) {
      if (this.left) return
      if (handleLocked(error)) return
      this.showExportProblem(ipcErrorOf(error, couldNotSave(name)).message)
      return
    } finally {
      this.saving = false
    }
    if (this.left) return
    const moveFocus = this.focusStillOnExport()
    renderInto(this.exported, exportSavedBanner(saved))
    // As after a reassignment: focus goes to the confirmation, unless the lead has moved on meanwhile.
    if (moveFocus) this.exported.querySelector<HTMLElement>(`#${EXPORT_SAVED_ID}`)?.focus()
    announce(`${savedToDownloads(saved.fileName)}.`)
  }

  /** A GOV.UK error summary before the heading, which takes focus and is read as an alert. */
  private showExportProblem(message: string): void {
    const moveFocus = this.focusStillOnExport()
    renderInto(this.exported, errorSummary([{ text: message }]))
    const summary = this.exported.querySelector<HTMLElement>('.govuk-error-summary')
    // Starting GOV.UK's error summary would take focus from wherever the lead went meanwhile; its alert is still read.
    if (summary === null || !moveFocus) return
    // Starting the error summary moves focus to it; without its script (the unit tests), the page does.
    this.ctx.initComponents(this.exported)
    if (!summary.contains(document.activeElement)) {
      summary.setAttribute('tabindex', '-1')
      summary.focus()
    }
  }

  /** Whether focus is still where the lead asked for the file: a CSV button, the last banner, or nowhere in particular. */
  private focusStillOnExport(): boolean {
    const active = document.activeElement
    if (active === null || active === document.body) return true
    if (this.exported.contains(active)) return true
    return active.closest('[data-download-csv], [data-download-weekly]') !== null
  }
}

export const teamView: View = {
  title: TEAM_TITLE,
  render(container, ctx) {
    const page = new TeamPage(container, ctx)
    return () => page.leave()
  },
}
