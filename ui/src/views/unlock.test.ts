import { afterEach, describe, expect, it } from 'vitest'
import { LOCKED_ATTRIBUTE, isKnownLocked, rememberReturnPath, resetLockState, showLockScreen } from '../idle'
import { PIN_MESSAGES } from '../pin-validation'
import { settle } from '../test/fixtures'
import { LOCKED, SIGNED_IN_DEVICE, ipcError, mockLockBackend, rejectWith } from '../test/lock-backend'
import { openView } from '../test/render-view'
import { signInView } from './sign-in'
import { unlockView } from './unlock'

const WRONG_PIN = (left: number) =>
  `That PIN is not right. You can try ${left} more ${left === 1 ? 'time' : 'times'} before you need to sign in with your council password`
const LOCKED_OUT =
  'The PIN was wrong too many times, so you need to sign in with your council password. Your work is saved on this laptop'

/** A fake Rust lock that knows one PIN and counts wrong ones, as doorstep-client's unlock.rs does. */
function lockedLaptop(options: { pin?: string; attemptsLeft?: number } = {}) {
  const pin = options.pin ?? '246810'
  let attemptsLeft = options.attemptsLeft ?? 5
  let locked = true
  const backend = mockLockBackend({
    lock_status: () => ({ ...LOCKED, locked, attemptsLeft, pinSet: attemptsLeft > 0 }),
    unlock: ({ pin: typed }) => {
      if (typed === pin) {
        locked = false
        attemptsLeft = 5
        return null
      }
      attemptsLeft -= 1
      if (attemptsLeft === 0) return Promise.reject(ipcError('pin_locked_out', LOCKED_OUT))
      return Promise.reject(ipcError('invalid_field', WRONG_PIN(attemptsLeft), 'pin'))
    },
    sign_out: () => null,
  })
  return backend
}

async function openLockScreen() {
  const page = openView(unlockView)
  await settle()
  return page
}

afterEach(() => resetLockState())

describe('the lock screen', () => {
  it('says Doorstep is locked and who is signed in', async () => {
    lockedLaptop()
    const page = await openLockScreen()
    expect(page.container.querySelector('h1')?.textContent).toBe('Doorstep is locked')
    expect(document.title).toBe('Doorstep is locked – Doorstep')
    const user = page.container.querySelector<HTMLElement>('[data-lock-user]')!
    expect(user.hidden).toBe(false)
    expect(user.textContent).toBe('Signed in as sam.caseworker.')
    expect(page.text()).toContain('You do not need a signal.')
  })

  it('does not name anyone when nobody is signed in', async () => {
    mockLockBackend({ lock_status: () => LOCKED, device_status: () => ({ ...SIGNED_IN_DEVICE, signedIn: false }) })
    const page = await openLockScreen()
    expect(page.container.querySelector<HTMLElement>('[data-lock-user]')!.hidden).toBe(true)
  })

  it('asks for the PIN in a number field that browsers do not fill, saying how many tries are left', async () => {
    lockedLaptop({ attemptsLeft: 3 })
    const page = await openLockScreen()
    const pin = page.input('pin')
    expect(pin.type).toBe('password')
    expect(pin.getAttribute('inputmode')).toBe('numeric')
    expect(pin.getAttribute('autocomplete')).toBe('off')
    expect(pin.getAttribute('aria-describedby')).toBe('pin-hint')
    expect(page.container.querySelector('#pin-hint')?.textContent).toBe(
      'The PIN you set after signing in. You can try 3 more times before you need to sign in with your council password.',
    )
  })

  it('asks for the PIN when Unlock is pressed with the field empty', async () => {
    const backend = lockedLaptop()
    const page = await openLockScreen()
    await page.submit('Unlock')
    expect(page.summaryItems()).toEqual([[PIN_MESSAGES.unlockPinMissing, '#pin']])
    expect(document.activeElement).toBe(page.container.querySelector('.govuk-error-summary'))
    expect(backend.count('unlock')).toBe(0)
  })

  it('shows a wrong PIN’s message in the summary and next to the field, and the tries left', async () => {
    lockedLaptop()
    const page = await openLockScreen()
    page.type('pin', '111222')
    await page.submit('Unlock')

    expect(page.summaryItems()).toEqual([[WRONG_PIN(4), '#pin']])
    expect(document.activeElement).toBe(page.container.querySelector('.govuk-error-summary'))
    expect(document.title).toBe('Error: Doorstep is locked – Doorstep')
    expect(page.container.querySelector('#pin-error')?.textContent?.replace(/\s+/g, ' ').trim()).toBe(`Error: ${WRONG_PIN(4)}`)
    expect(page.input('pin').getAttribute('aria-describedby')).toBe('pin-hint pin-error')
    expect(page.input('pin').value).toBe('')
    expect(page.container.querySelector('#pin-hint')?.textContent).toContain('You can try 4 more times')
    expect(page.navigate).not.toHaveBeenCalled()
  })

  it('says "1 more time" before the last try', async () => {
    lockedLaptop({ attemptsLeft: 2 })
    const page = await openLockScreen()
    page.type('pin', '111222')
    await page.submit('Unlock')
    expect(page.summaryItems()).toEqual([[WRONG_PIN(1), '#pin']])
    expect(page.container.querySelector('#pin-hint')?.textContent).toContain('You can try 1 more time before')
  })

  it('unlocks with the right PIN and goes back to the page the person was on', async () => {
    const backend = lockedLaptop()
    rememberReturnPath('/cases/01JDCASE')
    showLockScreen()
    const page = await openLockScreen()
    page.type('pin', '246810')
    await page.submit('Unlock')
    expect(backend.calls.filter((c) => c.cmd === 'unlock')).toEqual([{ cmd: 'unlock', payload: { pin: '246810' } }])
    expect(page.navigate).toHaveBeenCalledWith('/cases/01JDCASE')
    expect(isKnownLocked()).toBe(false)
    expect(document.documentElement.hasAttribute(LOCKED_ATTRIBUTE)).toBe(false)
  })

  it('goes to My cases after unlocking when there is no page to go back to', async () => {
    lockedLaptop()
    const page = await openLockScreen()
    page.type('pin', '246810')
    await page.submit('Unlock')
    expect(page.navigate).toHaveBeenCalledWith('/cases')
  })

  it('after the last wrong PIN, sends the person to sign in and tells them why there', async () => {
    lockedLaptop({ attemptsLeft: 1 })
    const page = await openLockScreen()
    page.type('pin', '999999')
    await page.submit('Unlock')
    expect(page.navigate).toHaveBeenCalledWith('/sign-in')

    const signIn = openView(signInView)
    expect(signIn.container.querySelector('.govuk-notification-banner[role="alert"]')?.textContent).toContain(LOCKED_OUT)
  })

  it('sends the person to sign in when there is no PIN left to unlock with', async () => {
    mockLockBackend({ lock_status: () => ({ ...LOCKED, pinSet: false, attemptsLeft: 0 }) })
    const page = await openLockScreen()
    expect(page.navigate).toHaveBeenCalledWith('/sign-in')
    expect(openView(signInView).text()).toContain('No PIN is set on this laptop')
  })

  it('moves on when Doorstep turns out not to be locked', async () => {
    mockLockBackend()
    rememberReturnPath('/visits')
    const page = await openLockScreen()
    expect(page.navigate).toHaveBeenCalledWith('/visits')
  })

  it('shows other problems without a link to the field', async () => {
    mockLockBackend({ lock_status: () => LOCKED, unlock: rejectWith(ipcError('store_error', 'The store could not be read')) })
    const page = await openLockScreen()
    page.type('pin', '246810')
    await page.submit('Unlock')
    expect(page.summaryItems()).toEqual([['The store could not be read', null]])
    expect(page.container.querySelector('#pin-error')).toBeNull()
  })

  it('signs out keeping the work, then goes to sign in', async () => {
    const backend = lockedLaptop()
    const page = await openLockScreen()
    const link = page.container.querySelector<HTMLAnchorElement>('a[data-sign-out]')!
    expect(link.textContent?.trim()).toBe('Sign out (your work stays on this laptop)')
    await page.click('a[data-sign-out]')
    expect(backend.calls.filter((c) => c.cmd === 'sign_out')).toEqual([{ cmd: 'sign_out', payload: { removeData: false } }])
    expect(page.navigate).toHaveBeenCalledWith('/sign-in')
  })

  it('shows why signing out failed, and stays', async () => {
    mockLockBackend({ lock_status: () => LOCKED, sign_out: rejectWith(ipcError('keyring_error', 'The keyring is locked')) })
    const page = await openLockScreen()
    await page.click('a[data-sign-out]')
    expect(page.summaryItems()).toEqual([['The keyring is locked', null]])
    expect(page.navigate).not.toHaveBeenCalled()
  })
})
