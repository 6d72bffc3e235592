// Set your PIN: straight after a full sign-in, so that the idle lock can be
// opened again with no signal. Rust keeps only an Argon2id hash of the PIN.
import { html, renderInto, type SafeHtml } from '../html'
import { HOME_PATH, handleLocked } from '../idle'
import { ipcErrorOf, lockStatus, setPin } from '../ipc'
import { announce } from '../live-region'
import {
  MAXIMUM_PIN_DIGITS,
  MINIMUM_PIN_DIGITS,
  PIN_MESSAGES,
  normalisePin,
  validateNewPin,
  type PinError,
} from '../pin-validation'
import { pinInput, problemSummary, type ProblemItem } from './lock-markup'
import type { View, ViewContext } from './view'

export const SET_PIN_TITLE = 'Set your PIN'
export const SET_PIN_FAILED_FALLBACK = 'Doorstep could not save your PIN. Try again.'
export const PIN_SET_ANNOUNCEMENT = 'Your PIN is set. Use it to unlock Doorstep when it locks.'

interface SetPinState {
  fieldErrors: readonly PinError[]
  /** A problem from Rust that is not about the PIN itself, such as not being signed in. */
  problem: string | null
}

function idleTimeText(minutes: number | null): string {
  if (minutes === null) return 'a few minutes'
  return minutes === 1 ? '1 minute' : `${minutes} minutes`
}

function markup(state: SetPinState, idleLockMinutes: number | null): SafeHtml {
  const items: ProblemItem[] = [
    ...(state.problem === null ? [] : [{ text: state.problem }]),
    ...state.fieldErrors.map((e) => ({ text: e.message, href: `#${e.field}` })),
  ]
  const error = (field: PinError['field']) => state.fieldErrors.find((e) => e.field === field)?.message
  return html`
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        ${items.length > 0 && problemSummary(items)}
        <h1 class="govuk-heading-l" tabindex="-1">${SET_PIN_TITLE}</h1>
        <p class="govuk-body">Doorstep locks itself when it has not been used for <span data-idle-time>${idleTimeText(idleLockMinutes)}</span>, so that no one else can read people’s information on this laptop.</p>
        <p class="govuk-body">Your PIN unlocks it again. It works without a signal, so you can carry on with visits where there is no internet connection.</p>
        <p class="govuk-body">Your PIN must:</p>
        <ul class="govuk-list govuk-list--bullet">
          <li>be ${MINIMUM_PIN_DIGITS} to ${MAXIMUM_PIN_DIGITS} digits long</li>
          <li>not be a run of digits, such as 123456 or 987654</li>
          <li>not be one digit repeated, such as 111111</li>
        </ul>
        <p class="govuk-body">Do not use a PIN you use for anything else, such as a bank card.</p>
        <form class="doorstep-set-pin" novalidate>
          ${pinInput({ id: 'pin', label: 'PIN', error: error('pin') })}
          ${pinInput({ id: 'pin-confirm', label: 'Confirm your PIN', toggleName: 'PIN confirmation', error: error('pin-confirm') })}
          <button type="submit" class="govuk-button" data-module="govuk-button" data-prevent-double-click="true">Set PIN</button>
        </form>
      </div>
    </div>`
}

function field(container: HTMLElement, id: string): HTMLInputElement | null {
  return container.querySelector<HTMLInputElement>(`#${id}`)
}

export const setPinView: View = {
  title: SET_PIN_TITLE,
  render(container: HTMLElement, ctx: ViewContext) {
    let pending = false
    let idleLockMinutes: number | null = null

    const show = (state: SetPinState, typed: { pin: string; confirmation: string }) => {
      renderInto(container, markup(state, idleLockMinutes))
      // PINs go into the DOM property only, never into an attribute.
      const pin = field(container, 'pin')
      const confirmation = field(container, 'pin-confirm')
      if (pin) pin.value = typed.pin
      if (confirmation) confirmation.value = typed.confirmation
      ctx.setTitle(SET_PIN_TITLE, { error: state.problem !== null || state.fieldErrors.length > 0 })
      // Starts the error summary, which takes focus so its problems are read first.
      ctx.initComponents(container)
    }

    renderInto(container, markup({ fieldErrors: [], problem: null }, null))

    // How long until the lock, for the explanation; the page makes sense without it.
    lockStatus()
      .then((status) => {
        idleLockMinutes = status.idleLockMinutes
        const time = container.querySelector('[data-idle-time]')
        if (time) time.textContent = idleTimeText(idleLockMinutes)
      })
      .catch(() => {})

    container.addEventListener('submit', (event) => {
      event.preventDefault()
      const form = event.target
      if (!(form instanceof HTMLFormElement) || pending) return
      const pin = field(container, 'pin')?.value ?? ''
      const confirmation = field(container, 'pin-confirm')?.value ?? ''

      const fieldErrors = validateNewPin(pin, confirmation)
      if (fieldErrors.length > 0) {
        // PINs that do not match: which one is wrong cannot be known, so both are typed again.
        const mismatch = fieldErrors.some((e) => e.message === PIN_MESSAGES.noMatch)
        show({ fieldErrors, problem: null }, mismatch ? { pin: '', confirmation: '' } : { pin, confirmation })
        return
      }

      pending = true
      setPin(normalisePin(pin))
        .then(() => {
          announce(PIN_SET_ANNOUNCEMENT)
          ctx.navigate(HOME_PATH)
        })
        .catch((error: unknown) => {
          if (handleLocked(error)) return
          const problem = ipcErrorOf(error, SET_PIN_FAILED_FALLBACK)
          const empty = { pin: '', confirmation: '' }
          if (problem.field === 'pin' || problem.code === 'unusable_pin') {
            show({ fieldErrors: [{ field: 'pin', message: problem.message }], problem: null }, empty)
          } else {
            show({ fieldErrors: [], problem: problem.message }, empty)
          }
        })
        .finally(() => {
          pending = false
        })
    })
  },
}
