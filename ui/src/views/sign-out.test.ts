import { afterEach, describe, expect, it } from 'vitest'
import { resetLockState } from '../idle'
import { settle } from '../test/fixtures'
import { SIGNED_IN_DEVICE, ipcError, mockLockBackend, rejectWith } from '../test/lock-backend'
import { openView } from '../test/render-view'
import {
  CONFIRM_REMOVE_LABEL,
  CONFIRM_REMOVE_MISSING,
  KEEP_DATA_CHOICE,
  OUTBOX_LINK_TEXT,
  REMOVE_DATA_CHOICE,
  signOutView,
} from './sign-out'

const UNSENT_WORK =
  'This device’s data cannot be removed yet: 3 changes and files made here have not reached the server, and removing them would lose that work. Connect and sync first, or sign out and keep the data'

async function openSignOut() {
  const page = openView(signOutView)
  await settle()
  return page
}

function choose(page: Awaited<ReturnType<typeof openSignOut>>, value: 'keep' | 'remove'): void {
  page.container.querySelector<HTMLInputElement>(`input[name="sign-out-choice"][value="${value}"]`)!.checked = true
}

afterEach(() => resetLockState())

describe('signing out', () => {
  it('offers to keep this laptop’s data (the default) or remove it', async () => {
    mockLockBackend()
    const page = await openSignOut()
    expect(page.container.querySelector('h1')?.textContent).toBe('Sign out')
    const legend = page.container.querySelector('fieldset legend')?.textContent?.trim()
    expect(legend).toBe('What should happen to the Doorstep data on this laptop?')
    const radios = [...page.container.querySelectorAll<HTMLInputElement>('input[type="radio"]')].map((radio) => [
      page.container.querySelector(`label[for="${radio.id}"]`)?.textContent?.trim(),
      radio.checked,
    ])
    expect(radios).toEqual([
      [KEEP_DATA_CHOICE, true],
      [REMOVE_DATA_CHOICE, false],
    ])
  })

  it('says who is signed in and what has not reached the server yet', async () => {
    mockLockBackend({ device_status: () => ({ ...SIGNED_IN_DEVICE, unsyncedChanges: 3, filesToSend: 1 }) })
    const page = await openSignOut()
    expect(page.text()).toContain('You are signed in as sam.caseworker.')
    expect(page.text()).toContain('3 changes and 1 file made on this laptop have not reached the server yet.')
  })

  it('keeps the data by default: signs out, then goes to sign in', async () => {
    const backend = mockLockBackend({ sign_out: () => null })
    const page = await openSignOut()
    await page.submit('Continue')
    expect(backend.calls.filter((c) => c.cmd === 'sign_out')).toEqual([{ cmd: 'sign_out', payload: { removeData: false } }])
    expect(page.navigate).toHaveBeenCalledWith('/sign-in')
  })

  it('asks for confirmation before removing the data, with a warning that it cannot be undone', async () => {
    const backend = mockLockBackend({ sign_out: () => null })
    const page = await openSignOut()
    choose(page, 'remove')
    await page.submit('Continue')

    expect(backend.count('sign_out')).toBe(0)
    const heading = page.container.querySelector('h1')!
    expect(heading.textContent).toBe('Remove this laptop’s Doorstep data')
    expect(document.activeElement).toBe(heading)
    expect(document.title).toBe('Remove this laptop’s Doorstep data – Doorstep')
    expect(page.container.querySelector('.govuk-warning-text')?.textContent).toContain('Removing the data cannot be undone.')
    expect(page.container.querySelector('label[for="confirm-remove"]')?.textContent?.trim()).toBe(CONFIRM_REMOVE_LABEL)
  })

  it('does not remove anything until “I understand” is ticked', async () => {
    const backend = mockLockBackend({ sign_out: () => null })
    const page = await openSignOut()
    choose(page, 'remove')
    await page.submit('Continue')
    await page.submit('Remove data and sign out')

    expect(backend.count('sign_out')).toBe(0)
    expect(page.summaryItems()).toEqual([[CONFIRM_REMOVE_MISSING, '#confirm-remove']])
    expect(document.activeElement).toBe(page.container.querySelector('.govuk-error-summary'))
    expect(page.container.querySelector('#confirm-remove-error')?.textContent).toContain(CONFIRM_REMOVE_MISSING)
    expect(document.title).toBe('Error: Remove this laptop’s Doorstep data – Doorstep')
  })

  it('removes the data once confirmed, then goes to sign in', async () => {
    const backend = mockLockBackend({ sign_out: () => null })
    const page = await openSignOut()
    choose(page, 'remove')
    await page.submit('Continue')
    page.input('confirm-remove').checked = true
    await page.submit('Remove data and sign out')
    expect(backend.calls.filter((c) => c.cmd === 'sign_out')).toEqual([{ cmd: 'sign_out', payload: { removeData: true } }])
    expect(page.navigate).toHaveBeenCalledWith('/sign-in')
  })

  it('can go back from the confirmation without removing anything', async () => {
    const backend = mockLockBackend({ sign_out: () => null })
    const page = await openSignOut()
    choose(page, 'remove')
    await page.submit('Continue')
    await page.click('[data-cancel-remove]')
    expect(page.container.querySelector('h1')?.textContent).toBe('Sign out')
    expect(page.container.querySelector<HTMLInputElement>('input[value="keep"]')?.checked).toBe(true)
    expect(backend.count('sign_out')).toBe(0)
  })

  it('explains plainly when Rust refuses because changes wait to be sent, with a link to the outbox', async () => {
    mockLockBackend({ sign_out: rejectWith(ipcError('unsent_work', UNSENT_WORK)) })
    const page = await openSignOut()
    choose(page, 'remove')
    await page.submit('Continue')
    page.input('confirm-remove').checked = true
    await page.submit('Remove data and sign out')

    expect(page.summaryItems()).toEqual([
      [UNSENT_WORK, null],
      [OUTBOX_LINK_TEXT, '#/outbox'],
    ])
    expect(document.activeElement).toBe(page.container.querySelector('.govuk-error-summary'))
    expect(page.container.querySelector('h1')?.textContent).toBe('Sign out')
    expect(document.title).toBe('Error: Sign out – Doorstep')
    expect(page.navigate).not.toHaveBeenCalled()
  })

  it('shows any other problem in Rust’s words', async () => {
    mockLockBackend({ sign_out: rejectWith(ipcError('not_signed_in', 'You are not signed in')) })
    const page = await openSignOut()
    await page.submit('Continue')
    expect(page.summaryItems()).toEqual([['You are not signed in', null]])
  })

  it('opens the lock screen if Doorstep locked meanwhile', async () => {
    mockLockBackend({ sign_out: rejectWith(ipcError('locked', 'Doorstep is locked. Enter your PIN to unlock it')) })
    window.location.hash = '#/sign-out'
    const page = await openSignOut()
    choose(page, 'remove')
    await page.submit('Continue')
    page.input('confirm-remove').checked = true
    await page.submit('Remove data and sign out')
    expect(window.location.hash).toBe('#/unlock')
    expect(page.container.querySelector('.govuk-error-summary')).toBeNull()
  })
})
