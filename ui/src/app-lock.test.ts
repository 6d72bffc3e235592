// Starting Doorstep with the lock: the first page, and what can be opened while locked.
import { afterEach, describe, expect, it } from 'vitest'
import { startApp } from './app'
import { LOCKED_ATTRIBUTE, handleLocked, resetLockState } from './idle'
import { clearLeaveGuard, setLeaveGuard, type LeaveGuard } from './leave-guard'
import type { Router } from './router'
import { EXAMPLE_APP_INFO, settle } from './test/fixtures'
import { LOCKED, SIGNED_IN_DEVICE, UNLOCKED, mockLockBackend, type Handler } from './test/lock-backend'

let router: Router | null = null

async function start(hash: string, handlers: Record<string, Handler>): Promise<HTMLElement> {
  window.history.replaceState(null, '', `/${hash}`)
  mockLockBackend({ app_info: () => EXAMPLE_APP_INFO, ...handlers })
  const root = document.createElement('div')
  root.id = 'app'
  document.body.append(root)
  router = await startApp(root)
  await settle()
  return root
}

const heading = (root: HTMLElement) => root.querySelector('h1')?.textContent

afterEach(() => {
  router?.stop()
  router = null
  resetLockState()
})

describe('starting Doorstep', () => {
  it('opens the lock screen when the window starts locked, hiding the navigation, and returns to the page asked for', async () => {
    let locked = true
    const root = await start('#/about', {
      lock_status: () => ({ ...LOCKED, locked }),
      unlock: () => {
        locked = false
        return null
      },
    })
    expect(heading(root)).toBe('Doorstep is locked')
    expect(window.location.hash).toBe('#/unlock')
    expect(document.documentElement.hasAttribute(LOCKED_ATTRIBUTE)).toBe(true)

    root.querySelector<HTMLInputElement>('#pin')!.value = '246810'
    root.querySelector<HTMLButtonElement>('button[type="submit"]')!.click()
    await settle()
    expect(heading(root)).toBe('About this device')
    expect(document.documentElement.hasAttribute(LOCKED_ATTRIBUTE)).toBe(false)
  })

  it('opens sign-in on a new laptop: nobody signed in and no cases', async () => {
    const root = await start('', {
      lock_status: () => ({ ...UNLOCKED, signedIn: false, pinSet: false }),
      device_status: () => ({ ...SIGNED_IN_DEVICE, signedIn: false, cases: 0 }),
    })
    expect(heading(root)).toBe('Sign in')
  })

  it('opens My cases for someone already signed in', async () => {
    const root = await start('', { lock_status: () => UNLOCKED })
    expect(window.location.hash).toBe('#/cases')
    expect(heading(root)).toBe('My cases')
  })

  it('keeps the lock screen up when another page is asked for while locked', async () => {
    const root = await start('#/unlock', { lock_status: () => LOCKED })
    window.location.hash = '#/cases'
    await settle()
    expect(heading(root)).toBe('Doorstep is locked')
    expect(window.location.hash).toBe('#/unlock')
  })

  it('lets the person reach sign-in while locked, which opens the window too', async () => {
    const root = await start('#/unlock', { lock_status: () => LOCKED })
    window.location.hash = '#/sign-in'
    await settle()
    expect(heading(root)).toBe('Sign in')
  })
})

describe('locking while a page has unsaved work', () => {
  it('shows the lock screen anyway: nothing could be saved while locked', async () => {
    let status = UNLOCKED
    const root = await start('#/about', { lock_status: () => status })
    const blockedTo: string[] = []
    const guard: LeaveGuard = { hasUnsavedChanges: () => true, onBlocked: (to) => void blockedTo.push(to) }
    setLeaveGuard(guard)
    try {
      status = LOCKED
      handleLocked({ code: 'locked', message: 'Doorstep is locked. Enter your PIN to unlock it' })
      await settle()
      expect(heading(root)).toBe('Doorstep is locked')
      expect(blockedTo).toEqual([])
    } finally {
      clearLeaveGuard(guard)
    }
  })

  it('still lets the page stop an ordinary page change', async () => {
    const root = await start('#/about', { lock_status: () => UNLOCKED })
    const guard: LeaveGuard = { hasUnsavedChanges: () => true, onBlocked: () => {} }
    setLeaveGuard(guard)
    try {
      window.location.hash = '#/sign-in'
      await settle()
      expect(heading(root)).toBe('About this device')
    } finally {
      clearLeaveGuard(guard)
    }
  })
})
