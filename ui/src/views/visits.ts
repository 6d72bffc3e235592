// Today's visits: where the caseworker is going, in time order, with each
// address's risk warnings shown before anything else about it.
import { html, renderInto, type SafeHtml } from '../html'
import { handleLocked } from '../idle'
import { describeIpcError, todaysVisits, type VisitRow } from '../ipc'
import { formatDateWithDay, formatTime, parseInstant } from '../time-format'
import { caseTitle } from './case-labels'
import { tag, warningText } from './govuk-form-markup'
import { pageHeading, problemBox } from './page-parts'
import type { View } from './view'

export interface VisitState {
  tag: SafeHtml
  text: string
}

function timeOf(value: string | null): string | null {
  const date = parseInstant(value)
  return date === null ? null : formatTime(date)
}

/** Not started, checked in (and whether it has run past its expected end), or checked out. */
export function visitState(visit: VisitRow, now: Date): VisitState {
  const checkedOut = timeOf(visit.checkedOutAt)
  if (checkedOut !== null) return { tag: tag('Checked out', 'green'), text: `Checked out at ${checkedOut}.` }
  const checkedIn = timeOf(visit.checkedInAt)
  if (checkedIn === null) return { tag: tag('Not started', 'grey'), text: 'Not checked in yet.' }
  const expectedEnd = parseInstant(visit.expectedEnd)
  if (expectedEnd === null) return { tag: tag('Checked in', 'blue'), text: `Checked in at ${checkedIn}.` }
  if (expectedEnd.getTime() < now.getTime()) {
    return {
      tag: tag('Overdue', 'red'),
      text: `Checked in at ${checkedIn}. It was expected to end at ${formatTime(expectedEnd)}: check out, or change the expected end on the case.`,
    }
  }
  return { tag: tag('Checked in', 'blue'), text: `Checked in at ${checkedIn}. Expected to end at ${formatTime(expectedEnd)}.` }
}

function visitCard(visit: VisitRow, now: Date): SafeHtml {
  const planned = timeOf(visit.plannedAt) ?? 'Time not set'
  const title = caseTitle(visit.caseReference)
  const state = visitState(visit, now)
  return html`
    <div class="govuk-summary-card doorstep-visit">
      <div class="govuk-summary-card__title-wrapper">
        <h2 class="govuk-summary-card__title">${planned}: ${title}</h2>
        <ul class="govuk-summary-card__actions">
          <li class="govuk-summary-card__action">
            <a class="govuk-link" href="#/cases/${encodeURIComponent(visit.caseId)}">Open case<span class="govuk-visually-hidden"> ${title}</span></a>
          </li>
        </ul>
      </div>
      <div class="govuk-summary-card__content">
        ${visit.riskWarnings.map((warning) => warningText(warning, 'Risk warning'))}
        <dl class="govuk-summary-list">
          <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">Case</dt>
            <dd class="govuk-summary-list__value">${visit.caseSummary}</dd>
          </div>
          <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">Address</dt>
            <dd class="govuk-summary-list__value">${visit.address ?? 'No address recorded'}</dd>
          </div>
          <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">Status</dt>
            <dd class="govuk-summary-list__value">${state.tag} <span class="doorstep-visit__state">${state.text}</span></dd>
          </div>
        </dl>
      </div>
    </div>`
}

function visitsMarkup(visits: readonly VisitRow[], now: Date): SafeHtml {
  const inOrder = [...visits].sort((a, b) => a.plannedAt.localeCompare(b.plannedAt))
  return html`
    <p class="govuk-body-l">${formatDateWithDay(now)}</p>
    <div class="govuk-inset-text">
      Check in when you arrive and check out when you leave, on the case. If you are still checked in after the expected end,
      your team lead is alerted, but only once Doorstep can reach the server: while you are offline it cannot raise an alarm,
      so follow your team’s lone working arrangements.
    </div>
    ${inOrder.length === 0
      ? html`<p class="govuk-body">You have no visits planned for today.</p>
          <p class="govuk-body">Visits are planned on each case. <a class="govuk-link" href="#/cases">Go to My cases</a>.</p>`
      : inOrder.map((visit) => visitCard(visit, now))}`
}

function load(body: HTMLElement): void {
  todaysVisits()
    .then((visits) => renderInto(body, visitsMarkup(visits, new Date())))
    .catch((error: unknown) => {
      if (handleLocked(error)) return
      renderInto(body, problemBox('Today’s visits could not be shown', describeIpcError(error), 'Try again'))
      body.querySelector('[data-retry]')?.addEventListener('click', () => {
        renderInto(body, html`<p class="govuk-body">Loading today’s visits…</p>`)
        load(body)
      })
    })
}

export const visitsView: View = {
  title: 'Today’s visits',
  render(container) {
    renderInto(
      container,
      html`${pageHeading('Today’s visits')}
        <div data-visits-body><p class="govuk-body">Loading today’s visits…</p></div>`,
    )
    load(container.querySelector<HTMLElement>('[data-visits-body]')!)
  },
}
