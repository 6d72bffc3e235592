// Timing helpers for pages that ask Rust while the person is still typing.

export interface Debounced<A extends unknown[]> {
  (...args: A): void
  /** Drops a call that is waiting. */
  cancel(): void
  /** Runs a waiting call now, if there is one. */
  flush(): void
}

/** Runs `fn` once the calls have paused for `waitMs`, with the last call's arguments. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, waitMs: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | undefined
  let lastArgs: A | undefined
  const run = () => {
    timer = undefined
    const args = lastArgs
    lastArgs = undefined
    if (args !== undefined) fn(...args)
  }
  const debounced = (...args: A) => {
    lastArgs = args
    if (timer !== undefined) clearTimeout(timer)
    timer = setTimeout(run, waitMs)
  }
  debounced.cancel = () => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    lastArgs = undefined
  }
  debounced.flush = () => {
    if (timer === undefined) return
    clearTimeout(timer)
    run()
  }
  return debounced
}

export type Outcome<T> = { stale: false; value: T } | { stale: true }

export interface LatestGate {
  /**
   * Starts `task`. Its answer is passed on only if no later task was started
   * meanwhile; otherwise it resolves as stale, whether it succeeded or failed,
   * so an old reply can never overwrite a newer one.
   */
  run<T>(task: () => Promise<T>): Promise<Outcome<T>>
  /** Makes every task in flight stale (the page moved on). */
  invalidate(): void
}

export function createLatestGate(): LatestGate {
  let newest = 0
  return {
    async run<T>(task: () => Promise<T>): Promise<Outcome<T>> {
      newest += 1
      const ticket = newest
      try {
        const value = await task()
        return ticket === newest ? { stale: false, value } : { stale: true }
      } catch (error) {
        if (ticket !== newest) return { stale: true }
        throw error
      }
    },
    invalidate() {
      newest += 1
    },
  }
}
