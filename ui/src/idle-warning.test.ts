import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LOCK_POLL_INTERVAL_MS, resetLockState, startLockWatch, takeReturnPath, warningLeadMs, type LockNavigator } from './idle'
import { IDLE_WARNING_ID, formatTimeLeft, isIdleWarningShown } from './idle-warning'
import { LOCKED, UNLOCKED, mockLockBackend } from './test/lock-backend'

const MINUTE = 60_000
const IDLE_LOCK = 15 * MINUTE

function fakeRouter(startAt: string): LockNavigator & { visited: string[] } {
  const router = {
    visited: [] as string[],
    currentPath: startAt as string | null,
    navigate(path: string) {
      router.visited.push(path)
      router.currentPath = path
    },
  }
  return router
}

function warning(): HTMLDialogElement | null {
  return document.getElementById(IDLE_WARNING_ID) as HTMLDialogElement | null
}

function button(name: string): HTMLButtonElement {
  const found = [...(warning()?.querySelectorAll('button') ?? [])].find((b) => b.textContent?.trim() === name)
  if (!found) throw new Error(`no "${name}" button in the warning`)
  return found
}

/**
 * Rust's side of the idle lock for these stories: it counts down from the
 * last `user_active`, and locks at nothing.
 */
function idleRust() {
  let lastUse = Date.now()
  let lockedByHand = false
  const backend = mockLockBackend({
    lock_status: () => {
      const left = IDLE_LOCK - (Date.now() - lastUse)
      if (lockedByHand || left <= 0) return { ...LOCKED, millisUntilLock: null }
      return { ...UNLOCKED, millisUntilLock: left }
    },
    user_active: () => {
      lastUse = Date.now()
      return null
    },
    lock: () => {
      lockedByHand = true
      return null
    },
  })
  return backend
}

beforeEach(() => {
  vi.useFakeTimers()
  document.body.innerHTML = '<main><button id="in-the-page">Save note</button></main>'
})

afterEach(() => {
  resetLockState()
  vi.useRealTimers()
  document.body.innerHTML = ''
})

describe('the warning before the idle lock', () => {
  it('comes two minutes before the lock, takes focus and says how long is left', async () => {
    idleRust()
    const router = fakeRouter('/cases/01JDCASE')
    document.getElementById('in-the-page')?.focus()
    startLockWatch(router)

    await vi.advanceTimersByTimeAsync(IDLE_LOCK - 3 * MINUTE)
    expect(isIdleWarningShown()).toBe(false)
    await vi.advanceTimersByTimeAsync(MINUTE + LOCK_POLL_INTERVAL_MS)

    expect(isIdleWarningShown()).toBe(true)
    const dialog = warning()
    expect(dialog?.getAttribute('role')).toBe('alertdialog')
    expect(dialog?.textContent).toContain('Doorstep is about to lock')
    expect(dialog?.textContent).toContain('Everything you have saved stays on this laptop')
    expect(document.activeElement).toBe(button('Stay unlocked'))
    const timeLeft = dialog?.querySelector('[data-time-left]')?.textContent ?? ''
    expect(timeLeft).toMatch(/^(1 minute( \d+ seconds?)?|2 minutes)$/)
    expect(router.visited).toEqual([])
  })

  it('gives the full idle time back when the person chooses to stay, and puts focus back where it was', async () => {
    const backend = idleRust()
    const router = fakeRouter('/cases/01JDCASE')
    document.getElementById('in-the-page')?.focus()
    startLockWatch(router)
    await vi.advanceTimersByTimeAsync(IDLE_LOCK - MINUTE)
    expect(isIdleWarningShown()).toBe(true)

    button('Stay unlocked').click()
    await vi.advanceTimersByTimeAsync(0)

    expect(backend.count('user_active')).toBe(1)
    expect(isIdleWarningShown()).toBe(false)
    expect(document.activeElement?.id).toBe('in-the-page')
    // Well past the old lock time, still open.
    await vi.advanceTimersByTimeAsync(5 * MINUTE)
    expect(router.visited).toEqual([])
  })

  it('treats Escape as staying', async () => {
    const backend = idleRust()
    startLockWatch(fakeRouter('/visits'))
    await vi.advanceTimersByTimeAsync(IDLE_LOCK - MINUTE)
    warning()?.dispatchEvent(new Event('cancel', { cancelable: true }))
    await vi.advanceTimersByTimeAsync(0)
    expect(backend.count('user_active')).toBe(1)
    expect(isIdleWarningShown()).toBe(false)
  })

  it('locks at once with "Lock now"', async () => {
    const backend = idleRust()
    const router = fakeRouter('/cases/01JDCASE')
    startLockWatch(router)
    await vi.advanceTimersByTimeAsync(IDLE_LOCK - MINUTE)

    button('Lock now').click()
    await vi.advanceTimersByTimeAsync(0)

    expect(backend.count('lock')).toBe(1)
    expect(router.visited).toEqual(['/unlock'])
    expect(takeReturnPath()).toBe('/cases/01JDCASE')
    expect(isIdleWarningShown()).toBe(false)
  })

  it('shows the lock screen when the countdown runs out, with no wait for the next check', async () => {
    idleRust()
    const router = fakeRouter('/outbox')
    startLockWatch(router)
    await vi.advanceTimersByTimeAsync(IDLE_LOCK - MINUTE)
    expect(isIdleWarningShown()).toBe(true)

    await vi.advanceTimersByTimeAsync(MINUTE + 1000)
    expect(router.visited).toEqual(['/unlock'])
    expect(isIdleWarningShown()).toBe(false)
  })

  it('reads the time left out at one minute and at twenty seconds, not every second', async () => {
    idleRust()
    startLockWatch(fakeRouter('/cases'))
    await vi.advanceTimersByTimeAsync(IDLE_LOCK - 2 * MINUTE + 1)
    const region = warning()?.querySelector('[aria-live]')
    const heard: string[] = []
    for (let second = 0; second < 110; second++) {
      await vi.advanceTimersByTimeAsync(1000)
      const text = region?.textContent ?? ''
      if (text !== '' && heard.at(-1) !== text) heard.push(text)
    }
    expect(heard).toEqual(['Doorstep will lock in 1 minute.', 'Doorstep will lock in 20 seconds.'])
  })

  it('goes away when someone used the laptop meanwhile, as Rust then has longer left', async () => {
    let millisUntilLock = MINUTE
    mockLockBackend({ lock_status: () => ({ ...UNLOCKED, millisUntilLock }) })
    startLockWatch(fakeRouter('/cases'))
    await vi.advanceTimersByTimeAsync(IDLE_LOCK)
    expect(isIdleWarningShown()).toBe(true)

    millisUntilLock = 14 * MINUTE
    document.dispatchEvent(new Event('visibilitychange'))
    await vi.advanceTimersByTimeAsync(0)
    expect(isIdleWarningShown()).toBe(false)
  })

  it('never shows when no PIN is set, as there is nothing to lock with', async () => {
    mockLockBackend({ lock_status: () => ({ ...UNLOCKED, pinSet: false, millisUntilLock: null }) })
    startLockWatch(fakeRouter('/cases'))
    await vi.advanceTimersByTimeAsync(IDLE_LOCK + MINUTE)
    expect(isIdleWarningShown()).toBe(false)
  })
})

describe('how long before the lock the warning comes', () => {
  it('is two minutes for the usual idle times, and half a short one, never under the 20 seconds WCAG asks for', () => {
    expect(warningLeadMs(15)).toBe(2 * MINUTE)
    expect(warningLeadMs(4)).toBe(2 * MINUTE)
    expect(warningLeadMs(1)).toBe(30_000)
  })
})

describe('the time left, in words', () => {
  it.each([
    [120, '2 minutes'],
    [61, '1 minute 1 second'],
    [60, '1 minute'],
    [59.2, '1 minute'],
    [20, '20 seconds'],
    [1, '1 second'],
    [0, '0 seconds'],
  ])('%s seconds is "%s"', (seconds, words) => {
    expect(formatTimeLeft(seconds)).toBe(words)
  })
})
