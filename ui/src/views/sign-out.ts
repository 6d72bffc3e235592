// Sign out. Keeping the laptop's data (encrypted) is the default: the work
// is still there when the person signs in again. Removing it is for handing
// the laptop back; it cannot be undone, so it needs a second, explicit step,
// and Rust refuses it (`unsent_work`) while any change made here has not
// reached the server, because removing it then would lose that work.
import { html, renderInto, type SafeHtml } from '../html'
import { SIGN_IN_PATH, handleLocked } from '../idle'
import { deviceStatus, ipcErrorOf, signOut, type DeviceStatus } from '../ipc'
import { announce } from '../live-region'
import { plural } from '../time-format'
import { forgetWorkKeptForUnlock } from './case-page'
import { warningText } from './govuk-form-markup'
import { problemSummary, radios, singleCheckbox, type ProblemItem } from './lock-markup'
import type { View, ViewContext } from './view'

export const SIGN_OUT_TITLE = 'Sign out'
export const CONFIRM_REMOVE_TITLE = 'Remove this laptop’s Doorstep data'
export const KEEP_DATA_CHOICE = 'Sign out and keep this laptop’s data (encrypted)'
export const REMOVE_DATA_CHOICE = 'Sign out and remove this laptop’s Doorstep data'
export const CONFIRM_REMOVE_LABEL = 'I understand that this cannot be undone'
export const CONFIRM_REMOVE_MISSING = 'Tick the box to confirm that you understand the data cannot be got back'
export const SIGN_OUT_FAILED_FALLBACK = 'Doorstep could not sign you out. Try again.'
export const OUTBOX_LINK_TEXT = 'See the changes waiting to be sent in the Outbox'
export const KEPT_ANNOUNCEMENT = 'You have signed out. Your work is saved on this laptop, encrypted.'
export const REMOVED_ANNOUNCEMENT = 'You have signed out and this laptop’s Doorstep data has been removed.'

type Choice = 'keep' | 'remove'

type SignOutState =
  | { step: 'choose'; choice: Choice; problems: readonly ProblemItem[] }
  | { step: 'confirm'; checkboxError: string | null }

/** "sam.caseworker is signed in. 3 changes and 1 file have not been sent yet." */
function deviceSummary(status: DeviceStatus | null): SafeHtml {
  if (status === null) return html``
  const waiting = [
    status.unsyncedChanges > 0 ? plural(status.unsyncedChanges, 'change') : null,
    status.filesToSend > 0 ? plural(status.filesToSend, 'file') : null,
  ].filter((part): part is string => part !== null)
  return html`
    ${status.signedIn && html`<p class="govuk-body">You are signed in as <strong>${status.user}</strong>.</p>`}
    ${waiting.length > 0 &&
    html`<p class="govuk-body">${waiting.join(' and ')} made on this laptop ${status.unsyncedChanges + status.filesToSend === 1 ? 'has' : 'have'} not reached the server yet. They stay on this laptop if you keep its data.</p>`}`
}

function chooseMarkup(state: Extract<SignOutState, { step: 'choose' }>, status: DeviceStatus | null): SafeHtml {
  return html`
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        ${state.problems.length > 0 && problemSummary(state.problems)}
        <h1 class="govuk-heading-l" tabindex="-1">${SIGN_OUT_TITLE}</h1>
        <div data-device-summary>${deviceSummary(status)}</div>
        <form class="doorstep-sign-out" novalidate>
          ${radios({
            name: 'sign-out-choice',
            legend: 'What should happen to the Doorstep data on this laptop?',
            checked: state.choice,
            choices: [
              {
                value: 'keep',
                text: KEEP_DATA_CHOICE,
                hint: 'Your cases and any changes not yet sent stay on this laptop, encrypted. They are there when you sign in again.',
              },
              {
                value: 'remove',
                text: REMOVE_DATA_CHOICE,
                hint: 'Only when you hand the laptop back or pass it to someone else. You will be asked to confirm.',
              },
            ],
          })}
          <button type="submit" class="govuk-button" data-module="govuk-button" data-prevent-double-click="true">Continue</button>
        </form>
      </div>
    </div>`
}

function confirmMarkup(state: Extract<SignOutState, { step: 'confirm' }>): SafeHtml {
  return html`
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        ${state.checkboxError !== null && problemSummary([{ text: state.checkboxError, href: '#confirm-remove' }])}
        <h1 class="govuk-heading-l" tabindex="-1">${CONFIRM_REMOVE_TITLE}</h1>
        ${warningText('Removing the data cannot be undone. Every case, note, photo and document stored on this laptop will be deleted from it.')}
        <p class="govuk-body">Anything already on the council’s server stays there. Doorstep will not remove the data while changes made on this laptop are still waiting to be sent.</p>
        <form class="doorstep-confirm-remove" novalidate>
          ${singleCheckbox({ id: 'confirm-remove', label: CONFIRM_REMOVE_LABEL, error: state.checkboxError ?? undefined })}
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button" data-prevent-double-click="true">Remove data and sign out</button>
            <button type="button" class="govuk-button govuk-button--secondary" data-module="govuk-button" data-cancel-remove>Cancel</button>
          </div>
        </form>
      </div>
    </div>`
}

export const signOutView: View = {
  title: SIGN_OUT_TITLE,
  render(container: HTMLElement, ctx: ViewContext) {
    let pending = false
    let status: DeviceStatus | null = null

    const markup = (state: SignOutState) => (state.step === 'choose' ? chooseMarkup(state, status) : confirmMarkup(state))

    /** Shows a new step or its errors: the error summary takes focus, otherwise the new heading does. */
    const show = (state: SignOutState) => {
      renderInto(container, markup(state))
      const hasErrors = state.step === 'choose' ? state.problems.length > 0 : state.checkboxError !== null
      ctx.setTitle(state.step === 'choose' ? SIGN_OUT_TITLE : CONFIRM_REMOVE_TITLE, { error: hasErrors })
      ctx.initComponents(container)
      if (!container.contains(document.activeElement)) container.querySelector<HTMLElement>('h1')?.focus()
    }

    renderInto(container, markup({ step: 'choose', choice: 'keep', problems: [] }))
    deviceStatus()
      .then((answer) => {
        status = answer
        const summary = container.querySelector('[data-device-summary]')
        if (summary) renderInto(summary, deviceSummary(status))
      })
      .catch(() => {
        // The page works without it: it only says who is signed in and what waits.
      })

    const signOutAndLeave = (removeData: boolean) => {
      pending = true
      signOut(removeData)
        .then(() => {
          forgetWorkKeptForUnlock()
          announce(removeData ? REMOVED_ANNOUNCEMENT : KEPT_ANNOUNCEMENT)
          ctx.navigate(SIGN_IN_PATH)
        })
        .catch((error: unknown) => {
          if (handleLocked(error)) return
          const problem = ipcErrorOf(error, SIGN_OUT_FAILED_FALLBACK)
          const problems: ProblemItem[] =
            problem.code === 'unsent_work'
              ? [{ text: problem.message }, { text: OUTBOX_LINK_TEXT, href: '#/outbox' }]
              : [{ text: problem.message }]
          show({ step: 'choose', choice: removeData ? 'remove' : 'keep', problems })
        })
        .finally(() => {
          pending = false
        })
    }

    container.addEventListener('submit', (event) => {
      event.preventDefault()
      const form = event.target
      if (!(form instanceof HTMLFormElement) || pending) return
      if (form.classList.contains('doorstep-sign-out')) {
        const choice = form.querySelector<HTMLInputElement>('input[name="sign-out-choice"]:checked')?.value
        if (choice === 'remove') show({ step: 'confirm', checkboxError: null })
        else signOutAndLeave(false)
        return
      }
      const confirmed = form.querySelector<HTMLInputElement>('#confirm-remove')?.checked === true
      if (!confirmed) {
        show({ step: 'confirm', checkboxError: CONFIRM_REMOVE_MISSING })
        return
      }
      signOutAndLeave(true)
    })

    container.addEventListener('click', (event) => {
      if (!(event.target instanceof Element) || event.target.closest('[data-cancel-remove]') === null) return
      show({ step: 'choose', choice: 'keep', problems: [] })
    })
  },
}
