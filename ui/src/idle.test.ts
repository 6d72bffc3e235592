import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  ACTIVITY_REPORT_INTERVAL_MS,
  LOCKED_ATTRIBUTE,
  LOCK_POLL_INTERVAL_MS,
  chooseStartPage,
  chooseStartPath,
  handleLocked,
  isKnownLocked,
  lockAllows,
  resetLockState,
  showLockScreen,
  startLockWatch,
  takeReturnPath,
  type LockNavigator,
} from './idle'
import { LOCKED, SIGNED_IN_DEVICE, UNLOCKED, ipcError, mockLockBackend, type LockBackend } from './test/lock-backend'

const MINUTE = 60_000

/** A router stand-in that records where the app was sent. */
interface FakeRouter extends LockNavigator {
  visited: string[]
  currentPath: string | null
}

function fakeRouter(startAt: string): FakeRouter {
  const router: FakeRouter = {
    visited: [],
    currentPath: startAt,
    navigate(path: string) {
      router.visited.push(path)
      router.currentPath = path
    },
  }
  return router
}

function press(type: 'keydown' | 'pointerdown' | 'wheel'): void {
  const event = type === 'keydown' ? new KeyboardEvent('keydown', { key: 'a', bubbles: true }) : new Event(type, { bubbles: true })
  document.body.dispatchEvent(event)
}

afterEach(() => {
  resetLockState()
  vi.useRealTimers()
})

describe('telling Rust the person is still there', () => {
  let backend: LockBackend

  beforeEach(() => {
    vi.useFakeTimers()
    backend = mockLockBackend()
    startLockWatch(fakeRouter('/cases'))
  })

  it('reports the first key press at once', async () => {
    press('keydown')
    await vi.advanceTimersByTimeAsync(0)
    expect(backend.count('user_active')).toBe(1)
  })

  it('reports typing, clicking and scrolling at most once a minute', async () => {
    for (let second = 0; second < 59; second++) {
      press(second % 3 === 0 ? 'keydown' : second % 3 === 1 ? 'pointerdown' : 'wheel')
      await vi.advanceTimersByTimeAsync(1000)
    }
    expect(backend.count('user_active')).toBe(1)

    await vi.advanceTimersByTimeAsync(ACTIVITY_REPORT_INTERVAL_MS)
    press('pointerdown')
    await vi.advanceTimersByTimeAsync(0)
    expect(backend.count('user_active')).toBe(2)
  })

  it('says nothing while nobody touches the laptop', async () => {
    await vi.advanceTimersByTimeAsync(10 * MINUTE)
    expect(backend.count('user_active')).toBe(0)
  })

  it('stops listening when the watch is stopped', async () => {
    resetLockState()
    press('keydown')
    await vi.advanceTimersByTimeAsync(0)
    expect(backend.count('user_active')).toBe(0)
  })
})

describe('noticing that Doorstep has locked', () => {
  beforeEach(() => vi.useFakeTimers())

  it('shows the lock screen within 30 seconds of the idle time running out, and goes back to the same page after', async () => {
    let status = UNLOCKED
    mockLockBackend({ lock_status: () => status })
    const router = fakeRouter('/cases/01JDCASE')
    startLockWatch(router)

    // Rust locks after 15 minutes without use.
    await vi.advanceTimersByTimeAsync(15 * MINUTE - LOCK_POLL_INTERVAL_MS)
    expect(router.visited).toEqual([])
    status = LOCKED
    await vi.advanceTimersByTimeAsync(LOCK_POLL_INTERVAL_MS + 1)

    expect(router.visited).toEqual(['/unlock'])
    expect(isKnownLocked()).toBe(true)
    expect(document.documentElement.hasAttribute(LOCKED_ATTRIBUTE)).toBe(true)
    expect(takeReturnPath()).toBe('/cases/01JDCASE')
  })

  it('does not ask Rust while the person is working', async () => {
    const backend = mockLockBackend()
    startLockWatch(fakeRouter('/cases'))
    for (let minute = 0; minute < 30; minute++) {
      press('keydown')
      await vi.advanceTimersByTimeAsync(MINUTE)
    }
    expect(backend.count('lock_status')).toBe(0)
  })

  it('asks every 30 seconds once the window has been idle for the idle-lock time', async () => {
    const backend = mockLockBackend()
    startLockWatch(fakeRouter('/cases'))
    await vi.advanceTimersByTimeAsync(15 * MINUTE)
    const asked = backend.count('lock_status')
    expect(asked).toBeGreaterThan(0)
    await vi.advanceTimersByTimeAsync(2 * LOCK_POLL_INTERVAL_MS)
    expect(backend.count('lock_status')).toBe(asked + 2)
  })

  it('checks at once when the window comes back into view', async () => {
    mockLockBackend({ lock_status: () => LOCKED })
    const router = fakeRouter('/visits')
    startLockWatch(router)
    document.dispatchEvent(new Event('visibilitychange'))
    await vi.advanceTimersByTimeAsync(0)
    expect(router.visited).toEqual(['/unlock'])
  })

  it('leaves the sign-in page alone: signing in opens the window too', async () => {
    mockLockBackend({ lock_status: () => LOCKED })
    const router = fakeRouter('/sign-in')
    startLockWatch(router)
    document.dispatchEvent(new Event('visibilitychange'))
    await vi.advanceTimersByTimeAsync(0)
    expect(router.visited).toEqual([])
    expect(isKnownLocked()).toBe(true)
  })

  it('sends the person to sign in when the lock has no PIN left to open it', async () => {
    mockLockBackend({ lock_status: () => ({ ...LOCKED, pinSet: false }) })
    const router = fakeRouter('/cases')
    startLockWatch(router)
    document.dispatchEvent(new Event('visibilitychange'))
    await vi.advanceTimersByTimeAsync(0)
    expect(router.visited).toEqual(['/sign-in'])
  })

  it('uses the idle time Rust reports', async () => {
    const backend = mockLockBackend({ lock_status: () => ({ ...UNLOCKED, idleLockMinutes: 5 }) })
    await chooseStartPath('/cases')
    startLockWatch(fakeRouter('/cases'))
    const before = backend.count('lock_status')
    await vi.advanceTimersByTimeAsync(5 * MINUTE)
    expect(backend.count('lock_status')).toBeGreaterThan(before)
  })
})

describe('a page whose command was refused because Doorstep is locked', () => {
  it('goes to the lock screen and says it has dealt with the error', () => {
    const router = fakeRouter('/outbox')
    startLockWatch(router)
    expect(handleLocked(ipcError('locked', 'Doorstep is locked. Enter your PIN to unlock it'))).toBe(true)
    expect(router.visited).toEqual(['/unlock'])
    expect(takeReturnPath()).toBe('/outbox')
  })

  it('leaves every other error to the page', () => {
    const router = fakeRouter('/outbox')
    startLockWatch(router)
    expect(handleLocked(ipcError('no_such_case', 'There is no case'))).toBe(false)
    expect(handleLocked('Command outbox not found')).toBe(false)
    expect(handleLocked(new Error('locked'))).toBe(false)
    expect(router.visited).toEqual([])
  })

  it('works before the app has started watching, through the address', () => {
    window.location.hash = '#/visits'
    expect(handleLocked({ code: 'locked', message: 'Doorstep is locked' })).toBe(true)
    expect(window.location.hash).toBe('#/unlock')
  })
})

describe('moving between pages while locked', () => {
  beforeEach(() => vi.useFakeTimers())

  it('allows sign-in, About and the lock screen itself', () => {
    startLockWatch(fakeRouter('/unlock'))
    showLockScreen()
    expect(['/sign-in', '/about', '/unlock'].map(lockAllows)).toEqual([true, true, true])
  })

  it('turns other pages down and opens the lock screen, then goes to the page asked for', async () => {
    const router = fakeRouter('/about')
    startLockWatch(router)
    showLockScreen()
    router.currentPath = '/about'
    router.visited.length = 0
    expect(lockAllows('/conflicts')).toBe(false)
    await vi.advanceTimersByTimeAsync(0)
    expect(router.visited).toEqual(['/unlock'])
    expect(takeReturnPath()).toBe('/conflicts')
  })

  it('allows every page once unlocked', () => {
    expect(lockAllows('/cases')).toBe(true)
  })

  it('goes to My cases after unlocking when the lock came on a sign-in or sign-out page', () => {
    startLockWatch(fakeRouter('/sign-out'))
    showLockScreen()
    expect(takeReturnPath()).toBe('/cases')
  })
})

describe('the first page when Doorstep starts', () => {
  it('leaves a page someone went to while Rust was still answering', async () => {
    let answer: (status: typeof UNLOCKED) => void = () => {}
    mockLockBackend({ lock_status: () => new Promise((resolve) => (answer = resolve)) })
    window.history.replaceState(null, '', '#')
    const starting = chooseStartPage()
    await Promise.resolve()
    window.location.hash = '#/cases/01JDCASE'
    answer(UNLOCKED)
    await starting
    expect(window.location.hash).toBe('#/cases/01JDCASE')
  })

  it('puts My cases in the address when nothing was asked for and nobody went anywhere', async () => {
    mockLockBackend()
    window.history.replaceState(null, '', '#')
    await chooseStartPage()
    expect(window.location.hash).toBe('#/cases')
  })

  it('is the lock screen when the window starts locked, then the page that was asked for', async () => {
    mockLockBackend({ lock_status: () => LOCKED })
    expect(await chooseStartPath('/visits')).toBe('/unlock')
    expect(isKnownLocked()).toBe(true)
    expect(takeReturnPath()).toBe('/visits')
  })

  it('is sign-in when locked with no PIN left', async () => {
    mockLockBackend({ lock_status: () => ({ ...LOCKED, pinSet: false }) })
    expect(await chooseStartPath(null)).toBe('/sign-in')
  })

  it('is sign-in on a laptop where nobody has signed in and there are no cases', async () => {
    mockLockBackend({
      lock_status: () => ({ ...UNLOCKED, signedIn: false, pinSet: false }),
      device_status: () => ({ ...SIGNED_IN_DEVICE, signedIn: false, cases: 0 }),
    })
    expect(await chooseStartPath(null)).toBe('/sign-in')
  })

  it('is My cases for someone signed in, or when cases are kept on the laptop', async () => {
    mockLockBackend()
    expect(await chooseStartPath(null)).toBe('/cases')
    mockLockBackend({
      lock_status: () => ({ ...UNLOCKED, signedIn: false }),
      device_status: () => ({ ...SIGNED_IN_DEVICE, signedIn: false, cases: 3 }),
    })
    expect(await chooseStartPath(null)).toBe('/cases')
  })

  it('is the page asked for when Doorstep is not locked', async () => {
    mockLockBackend({ lock_status: () => ({ ...UNLOCKED, signedIn: false }) })
    expect(await chooseStartPath('/about')).toBe('/about')
  })

  it('is left to the router when Rust cannot say', async () => {
    mockLockBackend({ lock_status: () => Promise.reject('Command lock_status not found') })
    expect(await chooseStartPath(null)).toBeNull()
    expect(await chooseStartPath('/about')).toBe('/about')
  })

  it('does not wait for ever for a slow first answer', async () => {
    vi.useFakeTimers()
    mockLockBackend({ lock_status: () => new Promise(() => {}) })
    const start = chooseStartPath('/cases')
    await vi.advanceTimersByTimeAsync(2_000)
    expect(await start).toBe('/cases')
  })
})
