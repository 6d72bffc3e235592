// The outbox: every change made on this laptop that the server has not yet
// confirmed, the cases it refused and why, and files waiting to go. Its
// empty state is the one place that says the laptop is safe to hand in,
// because only then is that a fact (the server acknowledged every change).
import { html, renderInto, type SafeHtml } from '../html'
import { handleLocked } from '../idle'
import { describeIpcError, getOutbox, type Outbox, type OutboxCase } from '../ipc'
import { onSyncFinished } from '../sync-status'
import { formatDateTime, plural } from '../time-format'
import { caseTitle } from './case-labels'
import { warningText } from './govuk-form-markup'
import { pageHeading, problemBox } from './page-parts'
import type { View } from './view'

export const SAFE_TO_HAND_IN = 'Everything made on this laptop is on the server. It is safe to hand in.'

export function isSafeToHandIn(outbox: Outbox): boolean {
  return outbox.cases.length === 0 && outbox.refused.length === 0 && outbox.filesToSend === 0
}

function caseLink(caseId: string, text: string): SafeHtml {
  return html`<a class="govuk-link" href="#/cases/${encodeURIComponent(caseId)}">${text}</a>`
}

function safeMarkup(): SafeHtml {
  return html`
    <div class="govuk-notification-banner govuk-notification-banner--success" role="region" aria-labelledby="outbox-safe-title">
      <div class="govuk-notification-banner__header">
        <h2 class="govuk-notification-banner__title" id="outbox-safe-title">Safe to hand in</h2>
      </div>
      <div class="govuk-notification-banner__content">
        <p class="govuk-notification-banner__heading">${SAFE_TO_HAND_IN}</p>
      </div>
    </div>`
}

function refusedMarkup(outbox: Outbox): SafeHtml {
  if (outbox.refused.length === 0) return html``
  return html`
    <h2 class="govuk-heading-m">Refused by the server</h2>
    ${warningText(
      `The server refused changes to ${plural(outbox.refused.length, 'case')}. The changes stay on this laptop. Ask your team lead what to do.`,
    )}
    ${outbox.refused.map(
      (refused) => html`
        <div class="govuk-summary-card">
          <div class="govuk-summary-card__title-wrapper">
            <h3 class="govuk-summary-card__title">${caseLink(refused.caseId, caseTitle(refused.reference))}${refused.summary !== '' &&
              html`<span class="doorstep-outbox__summary">${refused.summary}</span>`}</h3>
          </div>
          <div class="govuk-summary-card__content">
            <dl class="govuk-summary-list">
              <div class="govuk-summary-list__row">
                <dt class="govuk-summary-list__key">The server’s reason</dt>
                <dd class="govuk-summary-list__value">${refused.reason}</dd>
              </div>
            </dl>
          </div>
        </div>`,
    )}`
}

function casesMarkup(cases: readonly OutboxCase[]): SafeHtml {
  if (cases.length === 0) return html``
  const changeCount = cases.reduce((sum, waiting) => sum + waiting.changes.length, 0)
  return html`
    <h2 class="govuk-heading-m">Changes not yet sent</h2>
    <p class="govuk-body">${plural(changeCount, 'change')} to ${plural(cases.length, 'case')}, oldest first.</p>
    ${cases.map(
      (waiting) => html`
        <div class="govuk-summary-card">
          <div class="govuk-summary-card__title-wrapper">
            <h3 class="govuk-summary-card__title">${caseLink(waiting.caseId, caseTitle(waiting.reference))}${waiting.summary !== '' &&
              html`<span class="doorstep-outbox__summary">${waiting.summary}</span>`}</h3>
          </div>
          <div class="govuk-summary-card__content">
            <dl class="govuk-summary-list">
              ${waiting.changes.map((change) => {
                const made = new Date(change.createdAt)
                return html`
                  <div class="govuk-summary-list__row">
                    <dt class="govuk-summary-list__key"><time datetime="${made.toISOString()}">${formatDateTime(made)}</time></dt>
                    <dd class="govuk-summary-list__value">${change.description}</dd>
                  </div>`
              })}
            </dl>
          </div>
        </div>`,
    )}`
}

function outboxMarkup(outbox: Outbox): SafeHtml {
  if (isSafeToHandIn(outbox)) return safeMarkup()
  return html`
    <p class="govuk-body">These are saved on this laptop, but the server has not yet confirmed it has them. Doorstep sends them
      by itself whenever it is online. Do not hand in this laptop until this page says it is safe.</p>
    ${refusedMarkup(outbox)}
    ${outbox.filesToSend > 0 &&
    html`<h2 class="govuk-heading-m">Files waiting</h2>
      <p class="govuk-body">${plural(outbox.filesToSend, 'photo or document', 'photos or documents')} waiting to be sent.
        Text is sent first, so files may take longer on a slow connection.</p>`}
    ${casesMarkup(outbox.cases)}`
}

/** What was last shown, so a sync that changed nothing does not redraw under the person's focus. */
const shown = new WeakMap<HTMLElement, string>()

async function load(body: HTMLElement): Promise<void> {
  try {
    const outbox = await getOutbox()
    const snapshot = JSON.stringify(outbox)
    if (shown.get(body) === snapshot) return
    const hadFocus = body.contains(document.activeElement)
    renderInto(body, outboxMarkup(outbox))
    shown.set(body, snapshot)
    // The link that had focus may be gone: start again from the heading.
    if (hadFocus) body.parentElement?.querySelector<HTMLElement>('h1')?.focus()
  } catch (error) {
    shown.delete(body)
    if (handleLocked(error)) return
    renderInto(body, problemBox('The outbox could not be shown', describeIpcError(error), 'Try again'))
    body.querySelector('[data-retry]')?.addEventListener('click', () => {
      renderInto(body, html`<p class="govuk-body">Loading the outbox…</p>`)
      void load(body)
    })
  }
}

export const outboxView: View = {
  title: 'Outbox',
  render(container) {
    renderInto(
      container,
      html`${pageHeading('Outbox')}
        <div data-outbox-body><p class="govuk-body">Loading the outbox…</p></div>`,
    )
    const body = container.querySelector<HTMLElement>('[data-outbox-body]')!
    void load(body)
    // A sync empties the outbox as the server confirms each change.
    onSyncFinished(body, () => void load(body))
  },
}
