// A worker's activity (`/team/workers/:name`), for team leads: every case
// the server has recorded the worker opening, changing, downloading or
// exporting, newest first, reached from their name on Your team. It asks
// the server when the page opens, so offline it says so, plainly, and
// offers to try again; nothing else in the app needs the connection.
import { html, renderInto, type SafeHtml } from '../html'
import { handleLocked } from '../idle'
import { listCases, workerActivity, type AccessEntry } from '../ipc'
import { announce } from '../live-region'
import { formatTime } from '../time-format'
import { accessFailure, accessFailureMarkup, accessTable, type AccessFailure } from './access-record'
import { pageHeading } from './page-parts'
import type { View, ViewContext } from './view'

export const WORKER_ACTIVITY_PATTERN = '/team/workers/:name'

/** The page's address for `worker`: any name, `/` and all, is one segment. */
export function workerActivityPath(worker: string): string {
  return `/team/workers/${encodeURIComponent(worker)}`
}

export function workerActivityTitle(worker: string): string {
  return `${worker}’s activity`
}

export function noActivityMessage(worker: string): string {
  return `The server has no record of ${worker} opening, changing or downloading any case.`
}

export const ONLY_TEAM_LEADS_ACTIVITY = 'Only team leads can see what a worker has done.'

/** list_cases pages are at most 500 rows; past this many cases, the rest are named by their id. */
const NAME_LOOKUP_LIMIT = 2_000
const PAGE_SIZE = 500

/**
 * The cases' references (or summaries) from the list on this laptop, which
 * records no access, unlike opening each case would. Cases not on this
 * laptop, or not found within the first few pages, are left out.
 */
export async function caseNamesOnThisLaptop(ids: ReadonlySet<string>): Promise<Map<string, string>> {
  const names = new Map<string, string>()
  if (ids.size === 0) return names
  try {
    for (let offset = 0; offset < NAME_LOOKUP_LIMIT && names.size < ids.size; offset += PAGE_SIZE) {
      const page = await listCases({ sort: 'reference', offset, limit: PAGE_SIZE })
      for (const row of page.rows) {
        if (ids.has(row.caseId)) names.set(row.caseId, row.reference ?? (row.summary.trim() === '' ? row.caseId : row.summary))
      }
      if (offset + page.rows.length >= page.total || page.rows.length === 0) break
    }
  } catch {
    // Names are a nicety: the links work with the case ids.
  }
  return names
}

/** A case not on this laptop (or not found) is named by its id. */
export function caseNameOr(names: ReadonlyMap<string, string>, caseId: string): string {
  return names.get(caseId) ?? `Case ${caseId}`
}

type Loaded =
  | { kind: 'entries'; entries: readonly AccessEntry[]; names: ReadonlyMap<string, string>; at: Date }
  | { kind: 'failed'; failure: AccessFailure }

function loadingMarkup(worker: string): SafeHtml {
  return html`<p class="govuk-body">Asking the server for ${worker}’s activity…</p>`
}

function notALeadMarkup(): SafeHtml {
  return html`
    <div class="govuk-inset-text">
      <p class="govuk-body govuk-!-margin-bottom-0">${ONLY_TEAM_LEADS_ACTIVITY} Doorstep has not been told that you are a team lead.</p>
    </div>
    <p class="govuk-body">Your own cases are in <a class="govuk-link" href="#/cases">My cases</a>.</p>`
}

export function activityMarkup(worker: string, loaded: Loaded): SafeHtml {
  if (loaded.kind === 'failed') {
    if (loaded.failure.notALead) return notALeadMarkup()
    return html`
      ${accessFailureMarkup(loaded.failure, `${worker}’s activity`)}
      <button type="button" class="govuk-button govuk-button--secondary" data-retry>Try again</button>`
  }
  if (loaded.entries.length === 0) return html`<p class="govuk-body" data-no-activity>${noActivityMessage(worker)}</p>`
  return html`
    <p class="govuk-body">As the server had it at <time datetime="${loaded.at.toISOString()}">${formatTime(loaded.at)}</time>.</p>
    ${accessTable(loaded.entries, {
      caption: `What ${worker} has done, newest first`,
      id: 'worker-activity',
      caseName: (caseId) => caseNameOr(loaded.names, caseId),
    })}`
}

class WorkerActivityPage {
  private readonly heading: HTMLElement
  private readonly body: HTMLElement
  private requests = 0

  constructor(
    container: HTMLElement,
    private readonly ctx: ViewContext,
    private readonly worker: string,
  ) {
    renderInto(
      container,
      html`<a href="#/team" class="govuk-back-link">Back to your team</a>
        ${pageHeading(workerActivityTitle(worker))}
        <p class="govuk-body">What the server has recorded ${worker} doing with cases, newest first. Work done on a laptop
          while offline reaches the server when that laptop next syncs.</p>
        <div data-activity-body>${loadingMarkup(worker)}</div>`,
    )
    this.heading = container.querySelector<HTMLElement>('h1')!
    this.body = container.querySelector<HTMLElement>('[data-activity-body]')!
    this.body.addEventListener('click', (event) => {
      if (event.target instanceof Element && event.target.closest('[data-retry]')) void this.load(true)
    })
  }

  async load(retry = false): Promise<void> {
    const request = ++this.requests
    if (retry) this.show(loadingMarkup(this.worker))
    let loaded: Loaded
    try {
      const activity = await workerActivity(this.worker)
      const names = await caseNamesOnThisLaptop(new Set(activity.entries.map((e) => e.caseId).filter((id): id is string => id !== null)))
      loaded = { kind: 'entries', entries: activity.entries, names, at: new Date() }
    } catch (error) {
      if (handleLocked(error)) return
      loaded = { kind: 'failed', failure: accessFailure(error) }
    }
    if (request !== this.requests || !this.body.isConnected) return
    this.show(activityMarkup(this.worker, loaded))
    this.ctx.setTitle(workerActivityTitle(this.worker))
    if (!retry) return
    if (loaded.kind === 'failed') announce(loaded.failure.message)
    else announce(loaded.entries.length === 0 ? noActivityMessage(this.worker) : `${workerActivityTitle(this.worker)} shown, newest first.`)
  }

  /** Replaces the body; focus inside it (the Try again button) goes to the heading rather than the top of the document. */
  private show(content: SafeHtml): void {
    const hadFocus = this.body.contains(document.activeElement)
    renderInto(this.body, content)
    if (hadFocus) this.heading.focus()
  }
}

export const workerActivityView: View = {
  title: 'A worker’s activity',
  render(container, ctx) {
    const worker = ctx.params?.['name'] ?? ''
    const page = new WorkerActivityPage(container, ctx, worker)
    // The app sets the view's title once this returns; the worker's name is known already.
    void Promise.resolve().then(() => ctx.setTitle(workerActivityTitle(worker)))
    void page.load()
  },
}
