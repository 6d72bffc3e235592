import { html, renderInto, type SafeHtml } from '../html'
import { SET_PIN_PATH, showLockScreen } from '../idle'
import { ipcErrorOf, lockNow } from '../ipc'
import { summaryList } from './govuk-markup'
import type { View } from './view'

export const LOCK_BUTTON_TEXT = 'Lock Doorstep'
export const LOCK_FAILED_FALLBACK = 'Doorstep could not lock. Try again.'
export const ACCESSIBILITY_STATEMENT_FILE = 'docs/accessibility.md'

/** Why locking failed. Without a PIN there would be no way back in but a full sign-in, so Rust refuses. */
function lockProblem(code: string, message: string): SafeHtml {
  return html`
    <div class="doorstep-lock-problem">
      <p class="govuk-body">${code === 'no_pin' ? 'You need to set a PIN before you can lock Doorstep.' : message}</p>
      ${code === 'no_pin' && html`<p class="govuk-body"><a class="govuk-link" href="#${SET_PIN_PATH}">Set your PIN</a></p>`}
    </div>`
}

// Everything in the list comes from Rust's app_info, so the page doubles as
// the check that the UI and the Rust side are talking to each other.
export const aboutView: View = {
  title: 'About this device',
  render(container, { info }) {
    renderInto(
      container,
      html`
        <div class="govuk-grid-row">
          <div class="govuk-grid-column-two-thirds">
            <h1 class="govuk-heading-l" tabindex="-1">About this device</h1>
            <p class="govuk-body">Your IT service desk may ask for these details if you need help with Doorstep.</p>
          </div>
        </div>
        ${summaryList([
          { key: 'App version', value: info.version },
          { key: 'Data folder', value: info.dataDir, valueClasses: 'govuk-!-text-break-word' },
          { key: 'Server', value: info.serverUrl ?? 'Not set', valueClasses: 'govuk-!-text-break-word' },
          { key: 'Council', value: info.council.name },
        ])}
        <div class="govuk-grid-row">
          <div class="govuk-grid-column-two-thirds">
            <h2 class="govuk-heading-m">Lock Doorstep</h2>
            <p class="govuk-body">Lock Doorstep whenever you leave the laptop, even for a moment. Your PIN unlocks it, with or without a signal. It also locks itself when it has not been used for a while.</p>
            <button type="button" class="govuk-button govuk-button--secondary" data-module="govuk-button" data-lock-now>${LOCK_BUTTON_TEXT}</button>
            <!-- Present from the start, so screen readers notice what is written into it. -->
            <div role="alert" data-lock-problem></div>
            <h2 class="govuk-heading-m">Accessibility</h2>
            <p class="govuk-body">Doorstep aims to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA. Its accessibility statement says how it was tested, what does not work well yet and how to report a problem.</p>
            <p class="govuk-body">The statement is in the file <code class="doorstep-file-name">${ACCESSIBILITY_STATEMENT_FILE}</code> that comes with Doorstep. Your IT service desk can give you a copy.</p>
          </div>
        </div>`,
    )

    let locking = false
    container.querySelector('[data-lock-now]')?.addEventListener('click', () => {
      if (locking) return
      locking = true
      const problemArea = container.querySelector<HTMLElement>('[data-lock-problem]')!
      renderInto(problemArea, html``)
      lockNow()
        .then(() => showLockScreen())
        .catch((error: unknown) => {
          const problem = ipcErrorOf(error, LOCK_FAILED_FALLBACK)
          renderInto(problemArea, lockProblem(problem.code, problem.message))
        })
        .finally(() => {
          locking = false
        })
    })
  },
}
