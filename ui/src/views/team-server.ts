// What the server told a team lead's laptop at its last sync, as Your team
// shows it: the lone-worker alerts the server raised (and how it sent
// them), and the team's laptops with when each last synced. The same words
// for an alert are used by the banner every page shows a lead
// (lone-worker-banner.ts).
import { html, type SafeHtml } from '../html'
import type { AlertDelivery, LoneWorkerAlert, ServerTeamView, TeamDevice } from '../ipc'
import { formatDateTime, formatRelative, formatTime, isSameDay, parseInstant, plural } from '../time-format'
import { tag } from './govuk-form-markup'

export const ALERTS_NOT_FETCHED =
  'This laptop has not yet fetched your team’s lone-worker alerts from the server. It will at its next sync.'
export const LAPTOPS_NOT_FETCHED = 'This laptop has not yet fetched your team’s laptops from the server. It will at its next sync.'
export const NO_SERVER_ALERTS = 'The server has raised no lone-worker alerts in the last 7 days.'
export const NO_LAPTOPS = 'The server knows of no laptops in your team.'
export const NEVER_SYNCED = 'Never'

// ---------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------

/** A time today as "2:30pm", any other day with its date too. */
export function timeOrDateTime(date: Date, now: Date): string {
  return isSameDay(date, now) ? formatTime(date) : formatDateTime(date)
}

function when(value: string | null, now: Date): SafeHtml {
  const date = parseInstant(value)
  if (date === null) return html`Not known`
  return html`<time datetime="${date.toISOString()}">${timeOrDateTime(date, now)}</time>`
}

/** "As the server reported at 2:30pm." (or on an earlier day, with its date). */
export function serverReported(fetchedAt: number, now: Date): SafeHtml {
  const date = new Date(fetchedAt)
  const at = isSameDay(date, now) ? html`at ${formatTime(date)}` : html`on ${formatDateTime(date)}`
  return html`As the server reported <time datetime="${date.toISOString()}">${at}</time>.`
}

/** How the case is named where its reference may not be known yet. */
export function alertCaseName(alert: Pick<LoneWorkerAlert, 'caseReference' | 'caseSummary'>): string {
  const summary = alert.caseSummary?.trim()
  return alert.caseReference ?? (summary ? summary : 'a case with no reference yet')
}

const CHANNEL_NAMES: Readonly<Record<string, string>> = { email: 'Email', webhook: 'Webhook' }

/** "Email sent", "Email sent after 2 tries", "Webhook not sent: 3 tries, last error: …". */
export function deliveryText(delivery: AlertDelivery): string {
  const channel = Object.hasOwn(CHANNEL_NAMES, delivery.channel) ? CHANNEL_NAMES[delivery.channel]! : delivery.channel
  if (delivery.delivered) return delivery.attempts > 1 ? `${channel} sent after ${plural(delivery.attempts, 'try', 'tries')}` : `${channel} sent`
  if (delivery.attempts === 0) return `${channel} not sent yet`
  const tries = plural(delivery.attempts, 'try', 'tries')
  return delivery.lastError === null || delivery.lastError.trim() === ''
    ? `${channel} not sent: ${tries}`
    : `${channel} not sent: ${tries}, last error: ${delivery.lastError}`
}

export const NOT_SENT = 'The server had no email address or webhook to send it to.'

/** Open alerts first; otherwise in the server's order, newest first. */
export function alertsOpenFirst(alerts: readonly LoneWorkerAlert[]): LoneWorkerAlert[] {
  return [...alerts].sort((a, b) => (a.resolvedAt === null ? 0 : 1) - (b.resolvedAt === null ? 0 : 1))
}

/** The banner's sentence: who checked in where, and when they should have finished. */
export function alertSentence(alert: LoneWorkerAlert, now: Date): string {
  const end = parseInstant(alert.expectedEnd)
  const by = end === null ? 'by now' : `by ${timeOrDateTime(end, now)}`
  return `Lone-worker alert: ${alert.worker} checked in at case ${alertCaseName(alert)} and should have finished ${by}. They have not checked out.`
}

function syncedAt(device: TeamDevice): number {
  const date = parseInstant(device.lastSyncAt)
  return date === null ? Number.NEGATIVE_INFINITY : date.getTime()
}

/** Laptops that most need a look first: never synced, then the longest since a sync; revoked ones last. */
export function laptopsByLastSync(devices: readonly TeamDevice[]): TeamDevice[] {
  return [...devices].sort(
    (a, b) =>
      (a.revoked ? 1 : 0) - (b.revoked ? 1 : 0) ||
      syncedAt(a) - syncedAt(b) ||
      a.user.localeCompare(b.user) ||
      a.hostname.localeCompare(b.hostname),
  )
}

// ---------------------------------------------------------------------------
// Markup
// ---------------------------------------------------------------------------

function scrollingTable(id: string, caption: string, head: SafeHtml, rows: SafeHtml): SafeHtml {
  return html`
    <div class="doorstep-table-scroll" role="region" aria-labelledby="${id}-caption" tabindex="0" data-focus-key="${id}">
      <table class="govuk-table doorstep-compact-table" data-table="${id}">
        <caption class="govuk-table__caption govuk-table__caption--s" id="${id}-caption">${caption}</caption>
        <thead class="govuk-table__head"><tr class="govuk-table__row">${head}</tr></thead>
        <tbody class="govuk-table__body">${rows}</tbody>
      </table>
    </div>`
}

const th = (text: string) => html`<th scope="col" class="govuk-table__header">${text}</th>`

function alertStatus(alert: LoneWorkerAlert, now: Date): SafeHtml {
  if (alert.resolvedAt === null) return tag('Open', 'red')
  return html`${tag('Resolved', 'green')} <span class="doorstep-team-table-note">at ${when(alert.resolvedAt, now)}</span>`
}

function deliveries(alert: LoneWorkerAlert): SafeHtml {
  if (alert.deliveries.length === 0) return html`${NOT_SENT}`
  return html`<ul class="govuk-list doorstep-team-table-list">${alert.deliveries.map(
    (delivery) => html`<li${delivery.delivered ? html`` : html` class="doorstep-team-warning"`}>${deliveryText(delivery)}</li>`,
  )}</ul>`
}

function alertRow(alert: LoneWorkerAlert, now: Date): SafeHtml {
  return html`
    <tr class="govuk-table__row" data-alert="${alert.id}">
      <th scope="row" class="govuk-table__header">${alert.worker}</th>
      <td class="govuk-table__cell${alert.caseReference === null ? '' : ' doorstep-nowrap'}"><a class="govuk-link" href="#/cases/${encodeURIComponent(alert.caseId)}">${alertCaseName(alert)}</a></td>
      <td class="govuk-table__cell">${when(alert.expectedEnd, now)}</td>
      <td class="govuk-table__cell">${when(alert.raisedAt, now)}</td>
      <td class="govuk-table__cell">${alertStatus(alert, now)}</td>
      <td class="govuk-table__cell">${deliveries(alert)}</td>
    </tr>`
}

/** The alerts the server raised, open ones first, or why there are none to show. */
export function serverAlertsMarkup(fromServer: ServerTeamView | null, now: Date): SafeHtml {
  if (fromServer === null) return html`<div class="govuk-inset-text" data-alerts-not-fetched>${ALERTS_NOT_FETCHED}</div>`
  const alerts = alertsOpenFirst(fromServer.alerts)
  const open = alerts.filter((alert) => alert.resolvedAt === null).length
  return html`
    <p class="govuk-body" data-server-reported>${serverReported(fromServer.fetchedAt, now)}
      ${alerts.length > 0 && (open === 0 ? 'None is open now.' : `${plural(open, 'alert')} ${open === 1 ? 'is' : 'are'} open.`)}</p>
    ${alerts.length === 0
      ? html`<p class="govuk-body" data-no-server-alerts>${NO_SERVER_ALERTS}</p>`
      : scrollingTable(
          'server-alerts',
          'Lone-worker alerts the server raised',
          html`${th('Worker')}${th('Case')}${th('Expected end')}${th('Raised')}${th('Status')}${th('How it was sent')}`,
          html`${alerts.map((alert) => alertRow(alert, now))}`,
        )}`
}

function lastSync(device: TeamDevice, now: Date): SafeHtml {
  const date = parseInstant(device.lastSyncAt)
  if (date === null) return html`<strong class="doorstep-team-warning">${NEVER_SYNCED}</strong>`
  return html`${formatRelative(date, now)} <span class="doorstep-team-table-note">(<time datetime="${date.toISOString()}">${formatDateTime(date)}</time>)</span>`
}

function laptopRow(device: TeamDevice, now: Date): SafeHtml {
  return html`
    <tr class="govuk-table__row" data-device="${device.deviceId}">
      <th scope="row" class="govuk-table__header">${device.user}</th>
      <td class="govuk-table__cell">${device.hostname}
        ${device.revoked && tag('Revoked', 'grey', 'doorstep-team-table-tag')}
        <span class="doorstep-team-table-note">${device.os}</span></td>
      <td class="govuk-table__cell">${device.appVersion}</td>
      <td class="govuk-table__cell">${lastSync(device, now)}</td>
    </tr>`
}

/** The team's laptops, the one longest without a sync first. */
export function laptopsMarkup(fromServer: ServerTeamView | null, now: Date): SafeHtml {
  if (fromServer === null) return html`<div class="govuk-inset-text" data-laptops-not-fetched>${LAPTOPS_NOT_FETCHED}</div>`
  const devices = laptopsByLastSync(fromServer.devices)
  return html`
    <p class="govuk-body">${serverReported(fromServer.fetchedAt, now)}
      ${devices.length > 0 && 'A laptop that has not synced for a while may hold work the server has not seen.'}</p>
    ${devices.length === 0
      ? html`<p class="govuk-body" data-no-laptops>${NO_LAPTOPS}</p>`
      : scrollingTable(
          'team-laptops',
          'Laptops, the longest since a sync first',
          html`${th('Person')}${th('Laptop')}${th('App version')}${th('Last sync')}`,
          html`${devices.map((device) => laptopRow(device, now))}`,
        )}`
}
