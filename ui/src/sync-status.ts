// The sync status band under the header, on every page: is the laptop
// connected, when did it last sync, is everything made here safe on the
// server, and how far a long sync has got. Rust sends a `sync-status` event
// with every change; the band asks once at start for the state before then.
import { html, renderInto, type SafeHtml } from './html'
import {
  describeIpcError,
  networkOnline,
  onSyncStatus,
  syncNow,
  syncStatus,
  type SyncProgress,
  type SyncStatus,
} from './ipc'
import { announce as announceToScreenReaders } from './live-region'
import { formatBytes, formatDateTime, formatRelative, parseInstant, plural } from './time-format'
import { tag, type TagColour } from './views/govuk-form-markup'

/** Fired on `window` when a sync ends, so pages can show what it brought. */
export const SYNC_FINISHED_EVENT = 'doorstep:sync-finished'

export interface SyncDescription {
  state: { text: string; colour: TagColour }
  headline: string
  /** "Last synced 5 minutes ago", with the exact time for the <time> element; null when it means nothing (wiped). */
  lastSynced: { relative: string; absolute: string; iso: string } | 'never' | null
  /** "Everything is safe on the server" or what is still waiting; null when it cannot be known. */
  safety: string | null
  safe: boolean
  /** Why the last attempt failed, in Rust's words for the caseworker. */
  problem: string | null
  progress: { text: string; value: number | null; max: number | null } | null
  canSyncNow: boolean
  offerSignIn: boolean
}

const OFFLINE_HEADLINE =
  'You are offline. Your work is saved on this laptop and will be sent to the server when there is a connection.'

function safetyText(status: SyncStatus): string {
  if (status.everythingAcknowledged) return 'Everything is safe on the server.'
  const waiting = [
    status.unsyncedChanges > 0 ? plural(status.unsyncedChanges, 'change') : null,
    status.filesToSend > 0 ? plural(status.filesToSend, 'file') : null,
  ].filter((part): part is string => part !== null)
  // Nothing counted but nothing confirmed either: sent, and the server has
  // not yet said it stored them.
  if (waiting.length === 0) return 'Some changes are waiting for the server to confirm them.'
  return `${waiting.join(' and ')} not yet sent.`
}

/** "Received 1,200 of 10,000 cases. Sent 3 of 5 cases. 2.1 MB so far." */
export function progressText(progress: SyncProgress): string {
  const parts: string[] = []
  if (progress.casesRemaining !== null) {
    const total = progress.casesReceived + progress.casesRemaining
    parts.push(`Received ${progress.casesReceived.toLocaleString('en-GB')} of ${plural(total, 'case')}.`)
  } else if (progress.casesReceived > 0) {
    parts.push(`Received ${plural(progress.casesReceived, 'case')} so far.`)
  }
  if (progress.casesToSend > 0) {
    parts.push(`Sent ${progress.casesSent.toLocaleString('en-GB')} of ${plural(progress.casesToSend, 'case')}.`)
  }
  const bytes = progress.bytesReceived + progress.bytesSent
  if (bytes > 0) parts.push(`${formatBytes(bytes)} so far.`)
  return parts.length > 0 ? parts.join(' ') : 'Starting to sync.'
}

/** The <progress> values: indeterminate (null) until Rust knows how many cases are coming. */
function progressValues(progress: SyncProgress): { value: number | null; max: number | null } {
  if (progress.casesRemaining === null) return { value: null, max: null }
  const max = progress.casesReceived + progress.casesRemaining + progress.casesToSend
  if (max === 0) return { value: null, max: null }
  return { value: progress.casesReceived + progress.casesSent, max }
}

export function describeSync(status: SyncStatus, now: Date): SyncDescription {
  const syncedAt = parseInstant(status.lastSyncedAt)
  const lastSynced =
    syncedAt === null
      ? ('never' as const)
      : { relative: formatRelative(syncedAt, now), absolute: formatDateTime(syncedAt), iso: syncedAt.toISOString() }
  const base = {
    lastSynced,
    safety: safetyText(status),
    safe: status.everythingAcknowledged,
    problem: null,
    progress: null,
    canSyncNow: true,
    offerSignIn: false,
  }
  switch (status.connection) {
    case 'starting':
      return { ...base, state: { text: 'Checking', colour: 'grey' }, headline: 'Checking the connection to the server.', safety: null }
    case 'syncing':
      return {
        ...base,
        state: { text: 'Syncing', colour: 'blue' },
        headline: 'Sending and receiving changes.',
        progress: status.progress === null ? null : { text: progressText(status.progress), ...progressValues(status.progress) },
      }
    case 'online':
      return { ...base, state: { text: 'Online', colour: 'green' }, headline: 'Connected to the server.' }
    case 'offline':
      return { ...base, state: { text: 'Offline', colour: 'orange' }, headline: OFFLINE_HEADLINE, problem: status.lastError }
    case 'signed_out':
      return {
        ...base,
        state: { text: 'Signed out', colour: 'grey' },
        headline: 'Anything made on this laptop stays here. Sign in to send it to the server and receive your cases.',
        canSyncNow: false,
        offerSignIn: true,
      }
    case 'unavailable':
      return {
        ...base,
        state: { text: 'Problem', colour: 'red' },
        headline: 'Doorstep cannot open its data on this laptop. Contact your IT service desk.',
        safety: null,
        problem: status.lastError,
        canSyncNow: false,
      }
    case 'wiped':
      return {
        ...base,
        state: { text: 'Data removed', colour: 'red' },
        headline: 'Your council removed Doorstep’s data from this laptop. Contact your IT service desk.',
        lastSynced: null,
        safety: null,
        canSyncNow: false,
      }
  }
}

/**
 * What a screen reader should hear when the state changes. The key groups
 * statuses that sound the same, so counts changing by one stay quiet.
 * Null for "starting", which only lasts a moment.
 */
export function announcementFor(status: SyncStatus): { key: string; text: string } | null {
  const key = `${status.connection}:${status.everythingAcknowledged}`
  switch (status.connection) {
    case 'starting':
      return null
    case 'syncing':
      return { key, text: 'Syncing with the server.' }
    case 'online':
      return { key, text: `Online. ${safetyText(status)}` }
    case 'offline':
      return { key, text: OFFLINE_HEADLINE }
    case 'signed_out':
      return { key, text: 'Signed out. Sign in to send your work to the server.' }
    case 'unavailable':
      return { key, text: 'Doorstep cannot open its data on this laptop.' }
    case 'wiped':
      return { key, text: 'Doorstep’s data has been removed from this laptop.' }
  }
}

export interface AnnouncerTiming {
  /** A state must last this long to be announced, so a quick sync is one message, not two. */
  settleMs: number
  /** Progress during a long sync is read out at most this often. */
  progressEveryMs: number
  now(): number
}

export const DEFAULT_ANNOUNCER_TIMING: AnnouncerTiming = { settleMs: 1000, progressEveryMs: 15_000, now: () => Date.now() }

/**
 * Decides which statuses to read out: changes of state after they settle,
 * and progress no more often than `progressEveryMs`, never every tick. The
 * first status is not read: it is what the page showed when it opened.
 */
export class SyncAnnouncer {
  private announcedKey: string | null = null
  private started = false
  private lastSpokeAt = Number.NEGATIVE_INFINITY
  private pending: ReturnType<typeof setTimeout> | undefined
  /** The person pressed Sync now: tell them how it ended, even if nothing changed. */
  private resultWanted = false
  private sawSyncing = false
  private readonly say: (text: string) => void
  private readonly timing: AnnouncerTiming

  constructor(say: (text: string) => void, timing: AnnouncerTiming = DEFAULT_ANNOUNCER_TIMING) {
    this.say = say
    this.timing = timing
  }

  update(status: SyncStatus): void {
    const announcement = announcementFor(status)
    if (!this.started) {
      this.started = true
      this.announcedKey = announcement?.key ?? null
      return
    }
    if (announcement === null) return
    if (status.connection === 'syncing') this.sawSyncing = true
    const finishedAsked = this.resultWanted && this.sawSyncing && status.connection !== 'syncing'
    if (finishedAsked) {
      this.resultWanted = false
      this.sawSyncing = false
    }
    if (announcement.key !== this.announcedKey || finishedAsked) {
      this.cancel()
      this.pending = setTimeout(() => {
        this.pending = undefined
        this.speak(announcement.text)
        this.announcedKey = announcement.key
      }, this.timing.settleMs)
      return
    }
    // Back to the state already announced before the new one settled.
    this.cancel()
    if (status.connection === 'syncing' && status.progress !== null) {
      if (this.timing.now() - this.lastSpokeAt >= this.timing.progressEveryMs) {
        this.speak(`Still syncing. ${progressText(status.progress)}`)
      }
    }
  }

  /** The person asked for a sync; its result is read out when it ends. */
  expectResult(): void {
    this.resultWanted = true
    this.sawSyncing = false
  }

  cancel(): void {
    if (this.pending !== undefined) clearTimeout(this.pending)
    this.pending = undefined
  }

  private speak(text: string): void {
    this.lastSpokeAt = this.timing.now()
    this.say(text)
  }
}

function headlineMarkup(d: SyncDescription): SafeHtml {
  return html`${tag(d.state.text, d.state.colour)} <span class="doorstep-sync-status__headline-text">${d.headline}</span>`
}

function detailMarkup(d: SyncDescription, actionProblem: string | null): SafeHtml {
  return html`
    ${d.lastSynced === 'never'
      ? html`<span class="doorstep-sync-status__item">Not synced on this laptop yet.</span>`
      : d.lastSynced !== null &&
        html`<span class="doorstep-sync-status__item">Last synced ${d.lastSynced.relative}
          (<time datetime="${d.lastSynced.iso}">${d.lastSynced.absolute}</time>).</span>`}
    ${d.safety !== null &&
    (d.safe
      ? html`<strong class="doorstep-sync-status__item doorstep-sync-status__safe">${d.safety}</strong>`
      : html`<strong class="doorstep-sync-status__item">${d.safety}</strong>
          <a class="govuk-link doorstep-sync-status__item" href="#/outbox">See what is waiting</a>`)}
    ${d.problem !== null && html`<span class="doorstep-sync-status__item doorstep-sync-status__problem">Last attempt: ${d.problem}</span>`}
    ${actionProblem !== null && html`<span class="doorstep-sync-status__item doorstep-sync-status__problem">${actionProblem}</span>`}`
}

const SKELETON = html`
  <div class="govuk-width-container">
    <div class="doorstep-sync-status__layout">
      <div class="doorstep-sync-status__summary">
        <p class="govuk-body govuk-!-margin-bottom-1 doorstep-sync-status__headline" data-sync-headline></p>
        <p class="govuk-body-s govuk-!-margin-bottom-0 doorstep-sync-status__detail" data-sync-detail></p>
        <div class="doorstep-sync-status__progress" data-sync-progress hidden>
          <p class="govuk-body-s govuk-!-margin-bottom-1" id="sync-progress-text" data-sync-progress-text></p>
          <progress class="doorstep-sync-status__bar" aria-labelledby="sync-progress-text" data-sync-progress-bar></progress>
        </div>
      </div>
      <div class="doorstep-sync-status__actions">
        <button type="button" class="govuk-button govuk-button--secondary doorstep-sync-status__button" data-sync-now hidden>Sync now</button>
        <a class="govuk-link doorstep-sync-status__sign-in" href="#/sign-in" data-sync-sign-in hidden>Sign in</a>
      </div>
    </div>
  </div>`

export interface SyncStatusOptions {
  announce?: (text: string) => void
  now?: () => Date
  timing?: AnnouncerTiming
}

export interface SyncStatusBand {
  /** The latest status, or null before Rust has answered. */
  readonly current: SyncStatus | null
  show(status: SyncStatus): void
  stop(): void
}

/** Fills `element` with the sync status and keeps it up to date until stopped. */
export function startSyncStatus(element: HTMLElement, options: SyncStatusOptions = {}): SyncStatusBand {
  const now = options.now ?? (() => new Date())
  const announcer = new SyncAnnouncer(options.announce ?? announceToScreenReaders, options.timing)
  renderInto(element, SKELETON)
  const part = <T extends Element>(selector: string) => element.querySelector<T>(selector)!
  const headline = part<HTMLElement>('[data-sync-headline]')
  const detail = part<HTMLElement>('[data-sync-detail]')
  const progressBox = part<HTMLElement>('[data-sync-progress]')
  const progressLabel = part<HTMLElement>('[data-sync-progress-text]')
  const progressBar = part<HTMLProgressElement>('[data-sync-progress-bar]')
  const syncButton = part<HTMLButtonElement>('[data-sync-now]')
  const signInLink = part<HTMLAnchorElement>('[data-sync-sign-in]')

  let current: SyncStatus | null = null
  let heardEvent = false
  let actionProblem: string | null = null
  let stopped = false

  // The parts are updated one by one, never re-rendered as a whole, so the
  // Sync now button keeps keyboard focus while the status changes around it.
  function draw(): void {
    if (current === null) return
    const d = describeSync(current, now())
    element.dataset['connection'] = current.connection
    renderInto(headline, headlineMarkup(d))
    renderInto(detail, detailMarkup(d, actionProblem))
    progressBox.hidden = d.progress === null
    if (d.progress !== null) {
      progressLabel.textContent = d.progress.text
      if (d.progress.max === null || d.progress.value === null) {
        progressBar.removeAttribute('value')
      } else {
        progressBar.max = d.progress.max
        progressBar.value = d.progress.value
      }
    }
    syncButton.hidden = !d.canSyncNow
    signInLink.hidden = !d.offerSignIn
  }

  function show(status: SyncStatus): void {
    if (stopped) return
    const finished = current?.connection === 'syncing' && status.connection !== 'syncing'
    if (status.connection === 'syncing') actionProblem = null
    current = status
    draw()
    announcer.update(status)
    if (finished) window.dispatchEvent(new CustomEvent(SYNC_FINISHED_EVENT))
  }

  function showUnknown(error: unknown): void {
    element.dataset['connection'] = 'unknown'
    renderInto(
      headline,
      html`${tag('Unknown', 'grey')} <span class="doorstep-sync-status__headline-text">Doorstep could not check the connection to the server. Your work is still saved on this laptop.</span>`,
    )
    renderInto(detail, html`<span class="doorstep-sync-status__item">${describeIpcError(error)}</span>`)
  }

  syncButton.addEventListener('click', () => {
    announcer.expectResult()
    syncNow().catch((error: unknown) => {
      actionProblem = `Doorstep could not start a sync: ${describeIpcError(error)}`
      draw()
      announceToScreenReaders(actionProblem)
    })
  })

  // Rust cannot see the browser's network events; tell it, so it syncs at once.
  const onOnline = () => {
    // Nothing to tell the person if this fails: the next timed sync still runs.
    networkOnline().catch(() => undefined)
  }
  window.addEventListener('online', onOnline)
  const refreshTimes = setInterval(draw, 30_000)

  // Listen before asking, so no change is missed between the two; an event
  // that arrives before the answer is newer than it.
  const unlisten = onSyncStatus((status) => {
    heardEvent = true
    show(status)
  }).catch(() => null)
  syncStatus()
    .then((status) => {
      if (!heardEvent) show(status)
    })
    .catch((error: unknown) => {
      if (!heardEvent) showUnknown(error)
    })

  return {
    get current() {
      return current
    },
    show,
    stop() {
      stopped = true
      announcer.cancel()
      clearInterval(refreshTimes)
      window.removeEventListener('online', onOnline)
      void unlisten.then((fn) => fn?.())
    },
  }
}

/**
 * Calls `callback` after each sync while `owner` is on the page; the listener
 * removes itself once the page has been replaced.
 */
export function onSyncFinished(owner: Element, callback: () => void): void {
  const listener = () => {
    if (!owner.isConnected) {
      window.removeEventListener(SYNC_FINISHED_EVENT, listener)
      return
    }
    callback()
  }
  window.addEventListener(SYNC_FINISHED_EVENT, listener)
}
