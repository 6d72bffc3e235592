// Cases to review (`/reviews`): for team leads, every case on this laptop
// that a caseworker has submitted for review, oldest submission first, so
// the longest wait is dealt with first. The decision itself is made on the
// case page, where the whole case can be read. Rust refuses the list to
// anyone who is not a team lead; they are told so, not shown an error.
import { html, renderInto, type SafeHtml } from '../html'
import { handleLocked } from '../idle'
import { describeIpcError, ipcErrorOf, reviewQueue, type ReviewQueueEntry } from '../ipc'
import { onSyncFinished } from '../sync-status'
import { formatDateTime, plural } from '../time-format'
import { caseTitle, conflictTag, syncTag } from './case-labels'
import { summaryRows, tag, type SummaryRow } from './govuk-form-markup'
import { pageHeading, problemBox } from './page-parts'
import type { View } from './view'

export const REVIEWS_TITLE = 'Cases to review'
export const NOTHING_TO_REVIEW = 'No cases are waiting for review.'
export const ONLY_TEAM_LEADS = 'Only team leads review cases.'

const LOADING = html`<p class="govuk-body">Loading the cases waiting for review…</p>`

function muted(text: string): SafeHtml {
  return html`<span class="doorstep-not-set">${text}</span>`
}

function reviewCard(entry: ReviewQueueEntry): SafeHtml {
  const submitted = new Date(entry.submittedAt)
  const rows: SummaryRow[] = [
    { key: 'Case type', value: entry.caseType === '' ? muted('Not recorded') : entry.caseType },
    { key: 'Assigned to', value: entry.assignedTo ?? muted('Not assigned') },
    {
      key: 'Submitted',
      value: html`By ${entry.submittedBy === '' ? 'someone unknown' : entry.submittedBy},
        <time datetime="${Number.isNaN(submitted.getTime()) ? '' : submitted.toISOString()}">${formatDateTime(submitted)}</time>`,
    },
    { key: 'People', value: entry.peopleNames.length === 0 ? muted('No people added') : entry.peopleNames.join(', ') },
  ]
  if (entry.riskWarnings.length > 0) {
    rows.push({ key: 'Risk warnings', value: html`${tag('Risk', 'red')} ${entry.riskWarnings.join('; ')}` })
  }
  rows.push({ key: 'Sync status', value: html`${syncTag(entry.sync)} ${conflictTag(entry.conflictCount)}` })
  return html`
    <div class="govuk-summary-card doorstep-review-card">
      <div class="govuk-summary-card__title-wrapper">
        <h2 class="govuk-summary-card__title">
          <a class="govuk-link" href="#/cases/${encodeURIComponent(entry.caseId)}">${caseTitle(entry.reference)}</a>
          ${entry.summary !== '' && html`<span class="doorstep-review-card__summary">${entry.summary}</span>`}
        </h2>
      </div>
      <div class="govuk-summary-card__content">${summaryRows(rows)}</div>
    </div>`
}

export function queueMarkup(queue: readonly ReviewQueueEntry[]): SafeHtml {
  if (queue.length === 0) {
    return html`
      <p class="govuk-body">${NOTHING_TO_REVIEW}</p>
      <p class="govuk-body">Cases appear here when a caseworker submits them for review and this laptop has synced.</p>`
  }
  return html`
    <p class="govuk-body">Open a case to read it, then approve it or return it to the caseworker with comments.</p>
    <p class="govuk-body" data-review-count>${plural(queue.length, 'case')} waiting${queue.length > 1 ? ', oldest first' : ''}.</p>
    ${queue.map(reviewCard)}`
}

function notATeamLeadMarkup(): SafeHtml {
  return html`
    <div class="govuk-inset-text">
      <p class="govuk-body">${ONLY_TEAM_LEADS} Doorstep has not been told that you are a team lead.</p>
      <p class="govuk-body govuk-!-margin-bottom-0">If you have just become one, this page works after Doorstep next syncs with the server.</p>
    </div>
    <p class="govuk-body">To have one of your own cases reviewed, submit it for review on the case. Your cases are in <a class="govuk-link" href="#/cases">My cases</a>.</p>`
}

/** What was last shown, so a sync that changed nothing does not redraw under the person's focus. */
const shown = new WeakMap<HTMLElement, string>()

async function load(body: HTMLElement): Promise<void> {
  let content: SafeHtml
  let snapshot: string
  try {
    const queue = await reviewQueue()
    content = queueMarkup(queue)
    snapshot = JSON.stringify(queue)
  } catch (error) {
    if (handleLocked(error)) return
    if (ipcErrorOf(error).code === 'not_a_team_lead') {
      content = notATeamLeadMarkup()
      snapshot = 'not_a_team_lead'
    } else {
      shown.delete(body)
      renderInto(body, problemBox('The cases to review could not be shown', describeIpcError(error), 'Try again'))
      body.querySelector('[data-retry]')?.addEventListener('click', () => {
        renderInto(body, LOADING)
        void load(body)
      })
      return
    }
  }
  if (shown.get(body) === snapshot) return
  const hadFocus = body.contains(document.activeElement)
  const focusedLink = hadFocus ? (document.activeElement?.getAttribute('href') ?? null) : null
  renderInto(body, content)
  shown.set(body, snapshot)
  if (!hadFocus) return
  // The same case's link if it is still listed; otherwise the heading, so focus is never lost with a removed card.
  const again = focusedLink === null ? null : body.querySelector<HTMLElement>(`a[href="${CSS.escape(focusedLink)}"]`)
  if (again) again.focus()
  else body.parentElement?.querySelector<HTMLElement>('h1')?.focus()
}

export const reviewsView: View = {
  title: REVIEWS_TITLE,
  render(container) {
    renderInto(container, html`${pageHeading(REVIEWS_TITLE)}<div data-reviews-body>${LOADING}</div>`)
    const body = container.querySelector<HTMLElement>('[data-reviews-body]')!
    void load(body)
    // A sync brings newly submitted cases, and takes away those another lead decided.
    onSyncFinished(body, () => void load(body))
  },
}
