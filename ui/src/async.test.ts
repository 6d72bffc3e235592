import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createLatestGate, debounce } from './async'

describe('debounce', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('runs once, with the last arguments, after the calls pause', () => {
    const seen: string[] = []
    const search = debounce((text: string) => seen.push(text), 150)
    search('o')
    vi.advanceTimersByTime(100)
    search('ok')
    vi.advanceTimersByTime(100)
    search('oka')
    expect(seen).toEqual([])
    vi.advanceTimersByTime(150)
    expect(seen).toEqual(['oka'])
  })

  it('can run a waiting call at once, or drop it', () => {
    const seen: string[] = []
    const search = debounce((text: string) => seen.push(text), 150)
    search('now')
    search.flush()
    expect(seen).toEqual(['now'])
    search('never')
    search.cancel()
    vi.advanceTimersByTime(500)
    search.flush()
    expect(seen).toEqual(['now'])
  })
})

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok
    reject = fail
  })
  return { promise, resolve, reject }
}

describe('only the newest answer counts', () => {
  it('drops an older answer that arrives after a newer one', async () => {
    const gate = createLatestGate()
    const older = deferred<string>()
    const newer = deferred<string>()
    const first = gate.run(() => older.promise)
    const second = gate.run(() => newer.promise)
    newer.resolve('okafor')
    older.resolve('o')
    await expect(second).resolves.toEqual({ stale: false, value: 'okafor' })
    await expect(first).resolves.toEqual({ stale: true })
  })

  it('passes on the newest failure, and ignores failures of older requests', async () => {
    const gate = createLatestGate()
    const older = gate.run(() => Promise.reject(new Error('old')))
    const newer = gate.run(() => Promise.reject(new Error('new')))
    await expect(older).resolves.toEqual({ stale: true })
    await expect(newer).rejects.toThrow('new')
  })

  it('makes everything in flight stale when the page moves on', async () => {
    const gate = createLatestGate()
    const pending = gate.run(() => Promise.resolve(1))
    gate.invalidate()
    await expect(pending).resolves.toEqual({ stale: true })
  })
})
