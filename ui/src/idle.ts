// The idle lock, as the window sees it. Rust decides when Doorstep is locked
// (after `idleLockMinutes` without use, or the Lock button) and refuses case
// commands with code `locked` until the PIN is typed. This module:
// - picks the first page at start (the lock screen if locked);
// - tells Rust the person is still there (`user_active`), at most once a minute;
// - warns shortly before the idle lock, so the person can stay (WCAG 2.2.1);
// - notices a lock that happened while the page sat idle, and shows the lock screen;
// - remembers the page the person was on, to go back to after unlocking.
import { hideIdleWarning, showIdleWarning } from './idle-warning'
import { deviceStatus, ipcErrorOf, lockNow, lockStatus, userActive, type LockStatus } from './ipc'
import { keepUnsavedWorkForUnlock } from './leave-guard'
import { pathFromHash } from './router'

export const UNLOCK_PATH = '/unlock'
export const SIGN_IN_PATH = '/sign-in'
export const SET_PIN_PATH = '/set-pin'
/** Where unlocking goes when there is no page to go back to. */
export const HOME_PATH = '/cases'

/** `user_active` is cheap, but Rust only needs to hear about once a minute. */
export const ACTIVITY_REPORT_INTERVAL_MS = 60_000
export const LOCK_POLL_INTERVAL_MS = 30_000
/** Used until Rust says otherwise; the policy default. */
export const DEFAULT_IDLE_LOCK_MINUTES = 15
/** The warning comes this long before the lock: two minutes, or half the idle time if that is shorter. */
export const WARNING_LEAD_MS = 120_000

/** How long before the lock the warning shows, for an idle time of `minutes`. */
export function warningLeadMs(minutes: number): number {
  return Math.min(WARNING_LEAD_MS, (minutes * 60_000) / 2)
}

/** A slow first `lock_status` (Rust opening the store) must not hold the window blank. */
export const START_CHECK_TIMEOUT_MS = 2_000

/** Pages that make sense while locked: they show no case data and need no unlocked store. */
const PAGES_ALLOWED_WHILE_LOCKED: ReadonlySet<string> = new Set([UNLOCK_PATH, SIGN_IN_PATH, '/about'])
/** Pages not worth coming back to after unlocking. */
const PAGES_NOT_TO_RETURN_TO: ReadonlySet<string> = new Set([UNLOCK_PATH, SIGN_IN_PATH, SET_PIN_PATH, '/sign-out'])

/** Set on <html> while locked, so the stylesheet can hide navigation that would only be refused. */
export const LOCKED_ATTRIBUTE = 'data-doorstep-locked'

export interface LockNavigator {
  navigate(path: string): void
  readonly currentPath: string | null
}

let navigator: LockNavigator | null = null
let returnPath: string | null = null
let knownLocked = false
let idleLockMinutes = DEFAULT_IDLE_LOCK_MINUTES

function setKnownLocked(locked: boolean): void {
  knownLocked = locked
  document.documentElement.toggleAttribute(LOCKED_ATTRIBUTE, locked)
}

function currentPath(): string | null {
  return navigator?.currentPath ?? pathFromHash(window.location.hash) ?? null
}

function go(path: string): void {
  if (navigator) navigator.navigate(path)
  else window.location.hash = `#${path}`
}

/** True while the window is known to be locked (the lock screen is, or should be, showing). */
export function isKnownLocked(): boolean {
  return knownLocked
}

/**
 * Asked before every page change. While locked, only pages that work locked
 * may open; any other would only be refused, so the lock screen opens
 * instead, and unlocking then goes to the page that was asked for.
 */
export function lockAllows(path: string): boolean {
  if (!knownLocked || PAGES_ALLOWED_WHILE_LOCKED.has(path)) return true
  rememberReturnPath(path)
  // After the router has finished turning this page change down.
  if (currentPath() !== UNLOCK_PATH) setTimeout(() => go(UNLOCK_PATH), 0)
  return false
}

/** Remembers `path` as the page to go back to after unlocking, unless it is a sign-in or lock page. */
export function rememberReturnPath(path: string | null): void {
  if (path !== null && !PAGES_NOT_TO_RETURN_TO.has(path)) returnPath = path
}

/** The page to go back to after unlocking (My cases if none), forgetting it. */
export function takeReturnPath(): string {
  const path = returnPath ?? HOME_PATH
  returnPath = null
  return path
}

/** Shows the lock screen, remembering the current page to come back to. */
export function showLockScreen(): void {
  hideIdleWarning()
  setKnownLocked(true)
  const path = currentPath()
  if (path === UNLOCK_PATH) return
  rememberReturnPath(path)
  // Nothing can be saved while locked, so the page keeps what was typed, to give back after the PIN.
  keepUnsavedWorkForUnlock()
  go(UNLOCK_PATH)
}

/** The window was opened again, by the PIN or a full sign-in. */
export function markUnlocked(): void {
  setKnownLocked(false)
}

/** True when a command was refused because Doorstep is locked. */
export function isLockedRefusal(error: unknown): boolean {
  return ipcErrorOf(error).code === 'locked'
}

/**
 * For any page whose command failed: if it failed because Doorstep is
 * locked, shows the lock screen and returns true, so the page need not show
 * an error of its own. Otherwise returns false.
 */
export function handleLocked(error: unknown): boolean {
  if (!isLockedRefusal(error)) return false
  showLockScreen()
  return true
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/**
 * The page to open first, given the page asked for (null when none was):
 * - locked: the lock screen, returning to the page asked for afterwards
 *   (or sign-in, if no PIN is left to unlock with);
 * - no page asked for: sign-in on a laptop with no one signed in and no
 *   cases, otherwise My cases;
 * - otherwise the page asked for.
 * If Rust cannot say (an older Rust, or no answer in time), null: the
 * router's usual start page.
 */
export async function chooseStartPath(requested: string | null): Promise<string | null> {
  let status: LockStatus
  try {
    status = await withTimeout(lockStatus(), START_CHECK_TIMEOUT_MS)
  } catch {
    return requested
  }
  idleLockMinutes = status.idleLockMinutes
  if (status.locked) {
    setKnownLocked(true)
    rememberReturnPath(requested)
    return status.pinSet ? UNLOCK_PATH : SIGN_IN_PATH
  }
  if (requested !== null) return requested
  if (status.signedIn) return HOME_PATH
  try {
    const device = await withTimeout(deviceStatus(), START_CHECK_TIMEOUT_MS)
    return device.cases > 0 ? HOME_PATH : SIGN_IN_PATH
  } catch {
    return SIGN_IN_PATH
  }
}

/** Puts the start page in the address before the router reads it, without a history entry. */
export async function chooseStartPage(win: Window = window): Promise<void> {
  const requested = pathFromHash(win.location.hash) ?? null
  const path = await chooseStartPath(requested)
  // Someone (or a test driver) went to a page while Rust was answering: that
  // choice is newer than ours, and the lock still guards it on the way in.
  const meanwhile = pathFromHash(win.location.hash) ?? null
  if (meanwhile !== requested) return
  if (path !== null && path !== requested) win.history.replaceState(win.history.state, '', `#${path}`)
}

// ---------------------------------------------------------------------------
// Watching for activity and for a lock
// ---------------------------------------------------------------------------

export interface ActivityReporter {
  /** Call on every key press, click or scroll. */
  activity(): void
  /** Reports at once, whenever the last report was (the warning's "Stay unlocked"). */
  reportNow(): void
  /** When the person last did something, by `Date.now()`. */
  readonly lastActivityAt: number
}

/** Passes activity on to `report` at most once per `intervalMs`; the first at once. */
export function createActivityReporter(report: () => void, intervalMs = ACTIVITY_REPORT_INTERVAL_MS): ActivityReporter {
  let lastReportAt = Number.NEGATIVE_INFINITY
  let lastActivityAt = Date.now()
  return {
    activity() {
      const now = Date.now()
      lastActivityAt = now
      if (now - lastReportAt < intervalMs) return
      lastReportAt = now
      report()
    },
    reportNow() {
      const now = Date.now()
      lastActivityAt = now
      lastReportAt = now
      report()
    },
    get lastActivityAt() {
      return lastActivityAt
    },
  }
}

const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'wheel'] as const

let stopWatching: (() => void) | null = null

let activityReporter: ActivityReporter | null = null

const warningActions = {
  stay() {
    activityReporter?.reportNow()
  },
  lockNow() {
    lockNow().then(showLockScreen, () => void checkLock())
  },
  expired() {
    void checkLock()
  },
}

/** Shows the warning when Rust says the lock is near, and takes it away when it is not. */
function warnIfLockIsNear(status: LockStatus): void {
  const millisLeft = status.millisUntilLock
  // An older Rust, or no PIN set: nothing to warn about.
  if (millisLeft === undefined || millisLeft === null) return
  if (millisLeft <= warningLeadMs(status.idleLockMinutes)) showIdleWarning(millisLeft, warningActions)
  else hideIdleWarning()
}

/**
 * Asks Rust whether the window is locked, and shows the lock screen if so.
 * While unlocked, lock status answers also bring `knownLocked` up to date
 * (after a sign-in elsewhere in the app, say).
 */
export async function checkLock(): Promise<void> {
  let status: LockStatus
  try {
    status = await lockStatus()
  } catch {
    // Rust is busy or gone: the next check, or the next refused command, will tell.
    return
  }
  idleLockMinutes = status.idleLockMinutes
  if (!status.locked) {
    setKnownLocked(false)
    warnIfLockIsNear(status)
    return
  }
  hideIdleWarning()
  const path = currentPath()
  // The sign-in page unlocks too (Rust opens the window on a full sign-in).
  if (path === SIGN_IN_PATH) {
    setKnownLocked(true)
    return
  }
  if (status.pinSet) showLockScreen()
  else {
    setKnownLocked(true)
    go(SIGN_IN_PATH)
  }
}

/**
 * Starts watching: reports activity, and every 30 seconds checks whether
 * the window has locked; also when the window comes back into view.
 * Returns a function that stops it all (tests, or a second start).
 *
 * Asking costs Rust nothing, but the regular check only asks once the
 * person has been away long enough for the warning to be near; coming
 * back to the window asks at once.
 */
export function startLockWatch(router: LockNavigator): () => void {
  stopWatching?.()
  navigator = router
  const reporter = createActivityReporter(() => {
    userActive().catch(() => {
      // Only a hint to Rust; a lost one just means the lock may come a minute early.
    })
  })
  const onActivity = () => reporter.activity()
  const onVisibilityChange = () => {
    if (document.visibilityState === 'visible') void checkLock()
  }
  activityReporter = reporter
  const poll = setInterval(() => {
    const idleMs = Date.now() - reporter.lastActivityAt
    // Early enough to warn: Rust may have heard of the last use up to a
    // report interval before the window did, so it may lock sooner.
    const askFrom = idleLockMinutes * 60_000 - warningLeadMs(idleLockMinutes) - LOCK_POLL_INTERVAL_MS
    if (knownLocked || idleMs >= askFrom) void checkLock()
  }, LOCK_POLL_INTERVAL_MS)

  for (const type of ACTIVITY_EVENTS) document.addEventListener(type, onActivity, { capture: true, passive: true })
  document.addEventListener('visibilitychange', onVisibilityChange)

  const stop = () => {
    clearInterval(poll)
    for (const type of ACTIVITY_EVENTS) document.removeEventListener(type, onActivity, { capture: true })
    document.removeEventListener('visibilitychange', onVisibilityChange)
    if (navigator === router) navigator = null
    if (activityReporter === reporter) activityReporter = null
    hideIdleWarning()
    if (stopWatching === stop) stopWatching = null
  }
  stopWatching = stop
  return stop
}

/** Forgets everything this module remembers; for tests. */
export function resetLockState(): void {
  stopWatching?.()
  navigator = null
  returnPath = null
  idleLockMinutes = DEFAULT_IDLE_LOCK_MINUTES
  setKnownLocked(false)
}
