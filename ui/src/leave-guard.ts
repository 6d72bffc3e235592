// A page with unsaved work (the case narrative) can stop the app from
// navigating away. The router asks `mayLeave` before every page change;
// closing or reloading the window is caught with `beforeunload`. The lock
// is the one page change a page cannot stop: it is told instead, so it can
// keep its unsaved work until the PIN is typed.

export interface LeaveGuard {
  hasUnsavedChanges(): boolean
  /** Called instead of leaving, so the page can say what is unsaved and offer to save it. */
  onBlocked(to: string): void
  /** Called just before the lock screen replaces the page, which may keep what was typed in memory. */
  keepForUnlock?(): void
}

let current: LeaveGuard | null = null
let listening = false

function onBeforeUnload(event: BeforeUnloadEvent): void {
  if (current?.hasUnsavedChanges()) event.preventDefault()
}

/** Registers the page's guard, replacing any earlier page's. */
export function setLeaveGuard(guard: LeaveGuard): void {
  current = guard
  if (!listening) {
    window.addEventListener('beforeunload', onBeforeUnload)
    listening = true
  }
}

/** Removes `guard` if it is still the registered one. */
export function clearLeaveGuard(guard: LeaveGuard): void {
  if (current === guard) current = null
}

/** True when nothing unsaved would be lost by going to `to`. */
export function mayLeave(to: string): boolean {
  if (current === null || !current.hasUnsavedChanges()) return true
  current.onBlocked(to)
  return false
}

/** Lets the current page keep its unsaved work before the lock screen replaces it. */
export function keepUnsavedWorkForUnlock(): void {
  current?.keepForUnlock?.()
}
