import { html, renderInto, type SafeHtml } from '../html'
import { HOME_PATH, SET_PIN_PATH, markUnlocked } from '../idle'
import { describeIpcError, lockStatus, signIn } from '../ipc'
import { normaliseSignIn, validateSignIn, type FieldError, type SignInValues } from '../validation'
import { errorSummary, passwordInput, textInput, type ErrorSummaryItem } from './govuk-markup'
import { forgetWorkKeptForUnlock } from './case-page'
import { importantBanner } from './lock-markup'
import type { View, ViewContext } from './view'

export const SIGN_IN_FAILED_FALLBACK = 'Doorstep could not sign you in. Try again.'

interface SignInState {
  values: SignInValues
  /**
   * The address IT set (machine policy) or the settings hold. It is shown as
   * text, not an input: a caseworker has no reason to change it, and a typo
   * would send their password somewhere else.
   */
  fixedServer: string | null
  fieldErrors: readonly FieldError[]
  /** A problem reported by the server or the Rust side, not tied to one field. */
  problem: string | null
  /** Why the person was sent here (such as too many wrong PINs), until they sign in. */
  notice: string | null
}

let pendingNotice: string | null = null

/**
 * Shows `message` at the top of the sign-in page the next time it opens: for
 * pages that send the person here, such as the lock screen after the last
 * wrong PIN.
 */
export function noticeForSignIn(message: string): void {
  pendingNotice = message
}

function takeNotice(): string | null {
  const notice = pendingNotice
  pendingNotice = null
  return notice
}

function fieldError(state: SignInState, field: keyof SignInValues): string | undefined {
  return state.fieldErrors.find((e) => e.field === field)?.message
}

function markup(state: SignInState): SafeHtml {
  const items: ErrorSummaryItem[] = [
    ...(state.problem === null ? [] : [{ text: state.problem }]),
    ...state.fieldErrors.map((e) => ({ text: e.message, fieldId: e.field })),
  ]
  return html`
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        ${items.length > 0 && errorSummary(items)}
        ${state.notice !== null && importantBanner('sign-in-notice', state.notice)}
        <h1 class="govuk-heading-l" tabindex="-1">Sign in</h1>
        <p class="govuk-body">Sign in with the username and password your council gave you. You need to be connected to the internet or your council’s network to sign in.</p>
        <form class="doorstep-sign-in" novalidate>
          ${state.fixedServer === null
            ? textInput({
                id: 'server',
                label: 'Server address',
                hint: 'Your IT service desk will give you this. For example, https://doorstep.yourcouncil.gov.uk',
                type: 'url',
                autocomplete: 'url',
                value: state.values.server,
                ...optional('error', fieldError(state, 'server')),
              })
            : fixedServerMarkup(state.fixedServer)}
          ${textInput({
            id: 'username',
            label: 'Username',
            autocomplete: 'username',
            widthClass: 'govuk-!-width-two-thirds',
            value: state.values.username,
            ...optional('error', fieldError(state, 'username')),
          })}
          ${passwordInput({
            id: 'password',
            label: 'Password',
            autocomplete: 'current-password',
            ...optional('error', fieldError(state, 'password')),
          })}
          <button type="submit" class="govuk-button" data-module="govuk-button" data-prevent-double-click="true">Sign in</button>
        </form>
      </div>
    </div>`
}

/** The server address as plain text, and who to ask if it looks wrong. */
function fixedServerMarkup(server: string): SafeHtml {
  return html`
    <dl class="govuk-summary-list govuk-summary-list--no-border doorstep-fixed-server">
      <div class="govuk-summary-list__row">
        <dt class="govuk-summary-list__key">Server</dt>
        <dd class="govuk-summary-list__value govuk-!-text-break-word" data-fixed-server>${server}</dd>
      </div>
    </dl>
    <p class="govuk-hint">Your council set this address. If it looks wrong, contact your IT service desk.</p>`
}

/** Spreads `{ [key]: value }` only when there is a value, for exactOptionalPropertyTypes. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}

function readValues(form: HTMLFormElement, fixedServer: string | null): SignInValues {
  const value = (name: string): string => {
    const field = form.elements.namedItem(name)
    return field instanceof HTMLInputElement ? field.value : ''
  }
  return { server: fixedServer ?? value('server'), username: value('username'), password: value('password') }
}

/** Where a new sign-in goes: Set your PIN if there is none yet (so the lock can work offline), otherwise My cases. */
async function pageAfterSignIn(): Promise<string> {
  try {
    return (await lockStatus()).pinSet ? HOME_PATH : SET_PIN_PATH
  } catch {
    // An older Rust without the lock: nothing to set up.
    return HOME_PATH
  }
}

function show(container: HTMLElement, ctx: ViewContext, state: SignInState): void {
  renderInto(container, markup(state))
  // The password goes into the DOM property only, never into an attribute.
  const password = container.querySelector<HTMLInputElement>('#password')
  if (password) password.value = state.values.password
  // The first render is not in the document yet: the app sets the title and
  // starts components once it is. Later renders (with errors) do it here;
  // the error summary takes focus as it starts, so screen readers announce
  // the problems first.
  if (container.isConnected) {
    ctx.setTitle(signInView.title, { error: state.problem !== null || state.fieldErrors.length > 0 })
    ctx.initComponents(container)
  }
}

export const signInView: View = {
  title: 'Sign in',
  render(container, ctx) {
    let pending = false
    const fixedServer = ctx.info.serverUrl
    const notice = takeNotice()
    show(container, ctx, {
      values: { server: fixedServer ?? '', username: '', password: '' },
      fixedServer,
      fieldErrors: [],
      problem: null,
      notice,
    })

    // Listen on the container: the form is replaced each time errors are shown.
    container.addEventListener('submit', (event) => {
      // There is nowhere to post to (and the CSP's form-action 'none' forbids
      // it); Rust does the signing in.
      event.preventDefault()
      const form = event.target
      if (!(form instanceof HTMLFormElement) || pending) return

      const values = readValues(form, fixedServer)
      // A fixed address is Rust's to check: it has no field to link an error to.
      const fieldErrors = validateSignIn(values).filter((e) => fixedServer === null || e.field !== 'server')
      if (fieldErrors.length > 0) {
        show(container, ctx, { values, fixedServer, fieldErrors, problem: null, notice })
        return
      }

      pending = true
      signIn(normaliseSignIn(values))
        .then(async () => {
          // Rust opens the window on a full sign-in, whatever the lock said.
          markUnlocked()
          forgetWorkKeptForUnlock()
          ctx.navigate(await pageAfterSignIn())
        })
        .catch((error: unknown) => {
          show(container, ctx, {
            values,
            fixedServer,
            fieldErrors: [],
            problem: describeIpcError(error, SIGN_IN_FAILED_FALLBACK),
            notice,
          })
        })
        .finally(() => {
          pending = false
        })
    })
  },
}
