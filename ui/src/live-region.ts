// One polite live region for the whole app, kept in the shell so it exists
// before anything is announced (screen readers ignore regions that appear
// together with their text). Pages announce saves and results through it;
// the sync status announces changes of connection.

let region: HTMLElement | null = null
let pending: ReturnType<typeof setTimeout> | undefined

/** The delay between clearing and writing, so the same message twice is read twice. */
const REWRITE_DELAY_MS = 50

export function attachLiveRegion(element: HTMLElement): void {
  region = element
}

/** Says `message` to screen reader users once they finish what they are hearing. */
export function announce(message: string): void {
  const target = region
  if (target === null) return
  if (pending !== undefined) clearTimeout(pending)
  target.textContent = ''
  pending = setTimeout(() => {
    pending = undefined
    target.textContent = message
  }, REWRITE_DELAY_MS)
}
