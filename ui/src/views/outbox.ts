// The outbox: every change made on this laptop that the server has not yet
// confirmed, the cases it refused and why, and files waiting to go. Its
// empty state is the one place that says the laptop is safe to hand in,
// because only then is that a fact (the server acknowledged every change).
import { html, renderInto, type SafeHtml } from '../html'
import { handleLocked, isLockedRefusal } from '../idle'
import { describeIpcError, getOutbox, showCase, type Outbox, type OutboxEntry } from '../ipc'
import { onSyncFinished } from '../sync-status'
import { formatDateTime, plural } from '../time-format'
import { caseTitle } from './case-labels'
import { warningText } from './govuk-form-markup'
import { pageHeading, problemBox } from './page-parts'
import type { View } from './view'

export const SAFE_TO_HAND_IN = 'Everything made on this laptop is on the server. It is safe to hand in.'

/** Cases named by opening them; beyond this many, a shortened id is enough to tell them apart. */
const MAX_NAMED_CASES = 50

interface CaseName {
  title: string
  summary: string | null
}

function fallbackName(caseId: string): CaseName {
  return { title: `Case ending ${caseId.slice(-6)}`, summary: null }
}

/** Outbox entries carry only a case id; the case itself has the reference and summary. */
async function nameCases(caseIds: readonly string[]): Promise<Map<string, CaseName>> {
  const names = new Map<string, CaseName>()
  await Promise.all(
    caseIds.map(async (caseId, index) => {
      if (index >= MAX_NAMED_CASES) {
        names.set(caseId, fallbackName(caseId))
        return
      }
      try {
        const page = await showCase(caseId)
        const reference = page.case.fields['reference']?.value
        const summary = page.case.fields['summary']?.value
        names.set(caseId, {
          title: caseTitle(typeof reference === 'string' ? reference : null),
          summary: typeof summary === 'string' ? summary : null,
        })
      } catch (error) {
        // Locked: the outbox is not shown at all, rather than with every case unnamed.
        if (isLockedRefusal(error)) throw error
        names.set(caseId, fallbackName(caseId))
      }
    }),
  )
  return names
}

export function isSafeToHandIn(outbox: Outbox): boolean {
  return outbox.entries.length === 0 && outbox.refused.length === 0 && outbox.filesToSend === 0
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
            <h3 class="govuk-summary-card__title">${caseLink(refused.caseId, refused.summary)}</h3>
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

function entriesMarkup(entries: readonly OutboxEntry[], names: Map<string, CaseName>): SafeHtml {
  if (entries.length === 0) return html``
  const byCase = new Map<string, OutboxEntry[]>()
  for (const entry of entries) byCase.set(entry.caseId, [...(byCase.get(entry.caseId) ?? []), entry])
  return html`
    <h2 class="govuk-heading-m">Changes not yet sent</h2>
    <p class="govuk-body">${plural(entries.length, 'change')} to ${plural(byCase.size, 'case')}, oldest first.</p>
    ${[...byCase].map(([caseId, caseEntries]) => {
      const name = names.get(caseId) ?? fallbackName(caseId)
      return html`
        <div class="govuk-summary-card">
          <div class="govuk-summary-card__title-wrapper">
            <h3 class="govuk-summary-card__title">${caseLink(caseId, name.title)}${name.summary !== null &&
              html`<span class="doorstep-outbox__summary">${name.summary}</span>`}</h3>
          </div>
          <div class="govuk-summary-card__content">
            <dl class="govuk-summary-list">
              ${caseEntries.map((entry) => {
                const made = new Date(entry.createdAt)
                return html`
                  <div class="govuk-summary-list__row">
                    <dt class="govuk-summary-list__key"><time datetime="${made.toISOString()}">${formatDateTime(made)}</time></dt>
                    <dd class="govuk-summary-list__value">${entry.description}</dd>
                  </div>`
              })}
            </dl>
          </div>
        </div>`
    })}`
}

function outboxMarkup(outbox: Outbox, names: Map<string, CaseName>): SafeHtml {
  if (isSafeToHandIn(outbox)) return safeMarkup()
  return html`
    <p class="govuk-body">These are saved on this laptop, but the server has not yet confirmed it has them. Doorstep sends them
      by itself whenever it is online. Do not hand in this laptop until this page says it is safe.</p>
    ${refusedMarkup(outbox)}
    ${outbox.filesToSend > 0 &&
    html`<h2 class="govuk-heading-m">Files waiting</h2>
      <p class="govuk-body">${plural(outbox.filesToSend, 'photo or document', 'photos or documents')} waiting to be sent.
        Text is sent first, so files may take longer on a slow connection.</p>`}
    ${entriesMarkup(outbox.entries, names)}`
}

/** What was last shown, so a sync that changed nothing does not redraw under the person's focus. */
const shown = new WeakMap<HTMLElement, string>()

async function load(body: HTMLElement): Promise<void> {
  try {
    const outbox = await getOutbox()
    const snapshot = JSON.stringify(outbox)
    if (shown.get(body) === snapshot) return
    const names = await nameCases([...new Set(outbox.entries.map((e) => e.caseId))])
    const hadFocus = body.contains(document.activeElement)
    renderInto(body, outboxMarkup(outbox, names))
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
