import { describe, expect, it } from 'vitest'
import { attachLiveRegion } from '../live-region'
import { PIN_MESSAGES } from '../pin-validation'
import { settle } from '../test/fixtures'
import { UNLOCKED, ipcError, mockLockBackend, rejectWith } from '../test/lock-backend'
import { openView } from '../test/render-view'
import { PIN_SET_ANNOUNCEMENT, setPinView } from './set-pin'

const RUN_REFUSED =
  'That PIN cannot be used. Do not use a repeated digit or a run such as 123456: they are the first PINs anyone tries'

function openSetPin() {
  return openView(setPinView)
}

describe('Set your PIN', () => {
  it('explains why a PIN is needed and what makes a good one', async () => {
    mockLockBackend({ lock_status: () => ({ ...UNLOCKED, pinSet: false, idleLockMinutes: 10 }) })
    const page = openSetPin()
    await settle()
    expect(page.container.querySelector('h1')?.textContent).toBe('Set your PIN')
    const text = page.text()
    expect(text).toContain('Doorstep locks itself when it has not been used for 10 minutes')
    expect(text).toContain('It works without a signal')
    expect(text).toContain('be 6 to 12 digits long')
    expect(text).toContain('not be a run of digits, such as 123456')
    expect(text).toContain('not be one digit repeated, such as 111111')
  })

  it('asks for the PIN twice in fields that bring up number keys and that browsers do not save', () => {
    mockLockBackend()
    const page = openSetPin()
    for (const id of ['pin', 'pin-confirm']) {
      const input = page.input(id)
      expect(input.type).toBe('password')
      expect(input.getAttribute('inputmode')).toBe('numeric')
      expect(input.getAttribute('autocomplete')).toBe('off')
    }
    const label = (id: string) => page.container.querySelector(`label[for="${id}"]`)?.textContent?.trim()
    expect([label('pin'), label('pin-confirm')]).toEqual(['PIN', 'Confirm your PIN'])
    // The GOV.UK password input's Show button, named for what it shows.
    expect(page.container.querySelector('button[aria-controls="pin"]')?.getAttribute('aria-label')).toBe('Show PIN')
    expect(page.container.querySelector('button[aria-controls="pin-confirm"]')?.getAttribute('aria-label')).toBe(
      'Show PIN confirmation',
    )
  })

  it('lists what is missing in an error summary that takes focus and links to each field', async () => {
    const backend = mockLockBackend()
    const page = openSetPin()
    await page.submit()
    const summary = page.container.querySelector('.govuk-error-summary')
    expect(document.activeElement).toBe(summary)
    expect(page.summaryItems()).toEqual([
      [PIN_MESSAGES.pinMissing, '#pin'],
      [PIN_MESSAGES.confirmMissing, '#pin-confirm'],
    ])
    expect(document.title).toBe('Error: Set your PIN – Doorstep')
    expect(backend.count('set_pin')).toBe(0)
  })

  it('shows each message next to its field and moves to the field from the summary', async () => {
    mockLockBackend()
    const page = openSetPin()
    page.type('pin', '12ab56')
    page.type('pin-confirm', '12ab56')
    await page.submit()
    expect(page.container.querySelector('#pin-error')?.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      `Error: ${PIN_MESSAGES.pinNotDigits}`,
    )
    expect(page.input('pin').getAttribute('aria-describedby')).toBe('pin-error')
    expect(page.input('pin').classList.contains('govuk-input--error')).toBe(true)
    page.container.querySelector<HTMLAnchorElement>('.govuk-error-summary a[href="#pin"]')!.click()
    expect(document.activeElement).toBe(page.input('pin'))
  })

  it('says when the PIN is too short', async () => {
    mockLockBackend()
    const page = openSetPin()
    page.type('pin', '2468')
    page.type('pin-confirm', '2468')
    await page.submit()
    expect(page.summaryItems()).toEqual([[PIN_MESSAGES.pinLength, '#pin']])
  })

  it('asks for both again when they do not match, without writing either into the page', async () => {
    mockLockBackend()
    const page = openSetPin()
    page.type('pin', '246810')
    page.type('pin-confirm', '246801')
    await page.submit()
    expect(page.summaryItems()).toEqual([[PIN_MESSAGES.noMatch, '#pin-confirm']])
    expect(page.input('pin').value).toBe('')
    expect(page.input('pin-confirm').value).toBe('')
    expect(page.container.innerHTML).not.toContain('246810')
  })

  it('keeps a good PIN when only the confirmation is missing', async () => {
    mockLockBackend()
    const page = openSetPin()
    page.type('pin', '246810')
    await page.submit()
    expect(page.input('pin').value).toBe('246810')
    expect(page.container.innerHTML).not.toContain('246810')
  })

  it('shows Rust’s reason next to the PIN when Rust refuses it', async () => {
    mockLockBackend({ set_pin: rejectWith(ipcError('invalid_field', RUN_REFUSED, 'pin')) })
    const page = openSetPin()
    page.type('pin', '123456')
    page.type('pin-confirm', '123456')
    await page.submit()
    expect(page.summaryItems()).toEqual([[RUN_REFUSED, '#pin']])
    expect(page.container.querySelector('#pin-error')?.textContent).toContain(RUN_REFUSED)
    expect(document.activeElement).toBe(page.container.querySelector('.govuk-error-summary'))
    expect(page.input('pin').value).toBe('')
    expect(page.navigate).not.toHaveBeenCalled()
  })

  it('shows problems that are not about the PIN without a link', async () => {
    mockLockBackend({ set_pin: rejectWith(ipcError('not_signed_in', 'Sign in before you set a PIN')) })
    const page = openSetPin()
    page.type('pin', '246810')
    page.type('pin-confirm', '246810')
    await page.submit()
    expect(page.summaryItems()).toEqual([['Sign in before you set a PIN', null]])
  })

  it('saves the PIN, says so, and opens My cases', async () => {
    const region = document.createElement('div')
    document.body.append(region)
    attachLiveRegion(region)
    const backend = mockLockBackend({ set_pin: () => null })
    const page = openSetPin()
    page.type('pin', ' 246810 ')
    page.type('pin-confirm', '246810')
    await page.submit()
    expect(backend.calls.filter((c) => c.cmd === 'set_pin')).toEqual([{ cmd: 'set_pin', payload: { pin: '246810' } }])
    expect(page.navigate).toHaveBeenCalledWith('/cases')
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(region.textContent).toBe(PIN_SET_ANNOUNCEMENT)
  })

  it('sends the PIN once if the button is pressed twice', async () => {
    let release: () => void = () => {}
    const backend = mockLockBackend({ set_pin: () => new Promise<void>((resolve) => (release = resolve)) })
    const page = openSetPin()
    page.type('pin', '246810')
    page.type('pin-confirm', '246810')
    page.container.querySelector('form')!.requestSubmit()
    page.container.querySelector('form')!.requestSubmit()
    await settle()
    release()
    await settle()
    expect(backend.count('set_pin')).toBe(1)
  })
})
