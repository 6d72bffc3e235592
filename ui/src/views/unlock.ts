// The lock screen. Rust locks the window after the idle time (or the Lock
// button) and answers no case commands until the PIN is typed. Too many
// wrong PINs end the session: then only the council password, checked by the
// server, opens Doorstep again. The work on the laptop stays either way.
import { html, renderInto, type SafeHtml } from '../html'
import { SIGN_IN_PATH, markUnlocked, takeReturnPath } from '../idle'
import { deviceStatus, ipcErrorOf, lockStatus, signOut, unlock, type IpcError } from '../ipc'
import { announce } from '../live-region'
import { PIN_MESSAGES, normalisePin } from '../pin-validation'
import { forgetWorkKeptForUnlock } from './case-page'
import { pinInput, problemSummary, type ProblemItem } from './lock-markup'
import { noticeForSignIn } from './sign-in'
import type { View, ViewContext } from './view'

export const UNLOCK_TITLE = 'Doorstep is locked'
export const UNLOCK_FAILED_FALLBACK = 'Doorstep could not check your PIN. Try again.'
export const SIGN_OUT_FAILED_FALLBACK = 'Doorstep could not sign you out. Try again.'
export const UNLOCKED_ANNOUNCEMENT = 'Doorstep is unlocked.'
export const SIGNED_OUT_ANNOUNCEMENT = 'You have signed out. Your work is saved on this laptop.'
/** What Rust says for `no_pin`, for when the lock status shows there is no PIN to unlock with. */
export const NO_PIN_NOTICE = 'No PIN is set on this laptop. Sign in with your council password'

/** Codes that mean the PIN can no longer open Doorstep: only a full sign-in will. */
const NEEDS_SIGN_IN: ReadonlySet<string> = new Set(['pin_locked_out', 'no_pin'])

interface UnlockProblem {
  message: string
  /** True when the problem is with the PIN typed, so the message also goes next to the field. */
  aboutPin: boolean
}

interface LockDetails {
  /** Who is signed in, when Rust has said. */
  user: string | null
  attemptsLeft: number | null
}

export function attemptsText(attemptsLeft: number): string {
  const times = attemptsLeft === 1 ? '1 more time' : `${attemptsLeft} more times`
  return `You can try ${times} before you need to sign in with your council password.`
}

function pinHint(details: LockDetails): string {
  const base = 'The PIN you set after signing in.'
  return details.attemptsLeft === null ? base : `${base} ${attemptsText(details.attemptsLeft)}`
}

function userText(user: string | null): string {
  return user === null ? '' : `Signed in as ${user}.`
}

function markup(problem: UnlockProblem | null, details: LockDetails): SafeHtml {
  const items: ProblemItem[] =
    problem === null ? [] : [problem.aboutPin ? { text: problem.message, href: '#pin' } : { text: problem.message }]
  return html`
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds doorstep-lock-screen">
        ${items.length > 0 && problemSummary(items)}
        <h1 class="govuk-heading-l" tabindex="-1">${UNLOCK_TITLE}</h1>
        <p class="govuk-body-l" data-lock-user${details.user === null ? html` hidden` : html``}>${userText(details.user)}</p>
        <p class="govuk-body">Your work is saved on this laptop. Enter your PIN to carry on. You do not need a signal.</p>
        <form class="doorstep-unlock" novalidate>
          ${pinInput({ id: 'pin', label: 'PIN', hint: pinHint(details), error: problem?.aboutPin ? problem.message : undefined })}
          <button type="submit" class="govuk-button" data-module="govuk-button" data-prevent-double-click="true">Unlock</button>
        </form>
        <p class="govuk-body">Not you, or forgotten your PIN?
          <a class="govuk-link" href="#${SIGN_IN_PATH}" data-sign-out>Sign out (your work stays on this laptop)</a></p>
      </div>
    </div>`
}

export const unlockView: View = {
  title: UNLOCK_TITLE,
  render(container: HTMLElement, ctx: ViewContext) {
    let pending = false
    const details: LockDetails = { user: null, attemptsLeft: null }

    const show = (problem: UnlockProblem) => {
      renderInto(container, markup(problem, details))
      ctx.setTitle(UNLOCK_TITLE, { error: true })
      // Starts the error summary, which takes focus so the problem is read first.
      ctx.initComponents(container)
    }

    /** Updates the name and tries left in place, so focus and typing are not disturbed. */
    const showDetails = () => {
      const user = container.querySelector<HTMLElement>('[data-lock-user]')
      if (user) {
        user.textContent = userText(details.user)
        user.hidden = details.user === null
      }
      const hint = container.querySelector('#pin-hint')
      if (hint) hint.textContent = pinHint(details)
    }

    const goToSignIn = (notice: string) => {
      noticeForSignIn(notice)
      ctx.navigate(SIGN_IN_PATH)
    }

    const refreshAttempts = async (): Promise<void> => {
      try {
        const status = await lockStatus()
        details.attemptsLeft = status.attemptsLeft
        if (!container.isConnected) return
        if (!status.locked) {
          // Opened some other way (a sign-in): nothing to unlock.
          markUnlocked()
          ctx.navigate(takeReturnPath())
        } else if (!status.pinSet) {
          goToSignIn(NO_PIN_NOTICE)
        } else {
          showDetails()
        }
      } catch {
        // The form works without the count; a wrong PIN's message says it too.
      }
    }

    renderInto(container, markup(null, details))
    void refreshAttempts()
    deviceStatus()
      .then((status) => {
        details.user = status.signedIn && status.user !== '' ? status.user : null
        showDetails()
      })
      .catch(() => {})

    const onUnlockFailed = (problem: IpcError) => {
      if (NEEDS_SIGN_IN.has(problem.code)) {
        goToSignIn(problem.message)
        return
      }
      const aboutPin = problem.field === 'pin' || problem.code === 'wrong_pin'
      show({ message: problem.message, aboutPin })
      if (aboutPin) void refreshAttempts()
    }

    container.addEventListener('submit', (event) => {
      event.preventDefault()
      if (pending) return
      const pin = normalisePin(container.querySelector<HTMLInputElement>('#pin')?.value ?? '')
      if (pin === '') {
        show({ message: PIN_MESSAGES.unlockPinMissing, aboutPin: true })
        return
      }
      pending = true
      unlock(pin)
        .then(() => {
          markUnlocked()
          announce(UNLOCKED_ANNOUNCEMENT)
          ctx.navigate(takeReturnPath())
        })
        .catch((error: unknown) => onUnlockFailed(ipcErrorOf(error, UNLOCK_FAILED_FALLBACK)))
        .finally(() => {
          pending = false
        })
    })

    container.addEventListener('click', (event) => {
      const link = event.target instanceof Element ? event.target.closest('[data-sign-out]') : null
      if (link === null) return
      // The link goes to sign-in only once Rust has signed the person out.
      event.preventDefault()
      if (pending) return
      pending = true
      signOut(false)
        .then(() => {
          forgetWorkKeptForUnlock()
          announce(SIGNED_OUT_ANNOUNCEMENT)
          ctx.navigate(SIGN_IN_PATH)
        })
        .catch((error: unknown) => {
          const problem = ipcErrorOf(error, SIGN_OUT_FAILED_FALLBACK)
          // Already signed out (the session ended elsewhere): sign-in is where they need to be.
          if (problem.code === 'not_signed_in') ctx.navigate(SIGN_IN_PATH)
          else show({ message: problem.message, aboutPin: false })
        })
        .finally(() => {
          pending = false
        })
    })
  },
}
