import { html, renderInto, type SafeHtml } from '../html'
import { describeIpcError, signIn } from '../ipc'
import { normaliseSignIn, validateSignIn, type FieldError, type SignInValues } from '../validation'
import { errorSummary, passwordInput, textInput, type ErrorSummaryItem } from './govuk-markup'
import type { View, ViewContext } from './view'

export const SIGN_IN_FAILED_FALLBACK = 'Doorstep could not sign you in. Try again.'

interface SignInState {
  values: SignInValues
  fieldErrors: readonly FieldError[]
  /** A problem reported by the server or the Rust side, not tied to one field. */
  problem: string | null
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
        <h1 class="govuk-heading-l" tabindex="-1">Sign in</h1>
        <p class="govuk-body">Sign in with the username and password your council gave you. You need to be connected to the internet or your council’s network to sign in.</p>
        <form class="doorstep-sign-in" novalidate>
          ${textInput({
            id: 'server',
            label: 'Server address',
            hint: 'Your IT service desk will give you this. For example, https://doorstep.yourcouncil.gov.uk',
            type: 'url',
            autocomplete: 'url',
            value: state.values.server,
            ...optional('error', fieldError(state, 'server')),
          })}
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

/** Spreads `{ [key]: value }` only when there is a value, for exactOptionalPropertyTypes. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}

function readValues(form: HTMLFormElement): SignInValues {
  const value = (name: string): string => {
    const field = form.elements.namedItem(name)
    return field instanceof HTMLInputElement ? field.value : ''
  }
  return { server: value('server'), username: value('username'), password: value('password') }
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
    show(container, ctx, {
      values: { server: ctx.info.serverUrl ?? '', username: '', password: '' },
      fieldErrors: [],
      problem: null,
    })

    // Listen on the container: the form is replaced each time errors are shown.
    container.addEventListener('submit', (event) => {
      // There is nowhere to post to (and the CSP's form-action 'none' forbids
      // it); Rust does the signing in.
      event.preventDefault()
      const form = event.target
      if (!(form instanceof HTMLFormElement) || pending) return

      const values = readValues(form)
      const fieldErrors = validateSignIn(values)
      if (fieldErrors.length > 0) {
        show(container, ctx, { values, fieldErrors, problem: null })
        return
      }

      pending = true
      signIn(normaliseSignIn(values))
        .then(() => ctx.navigate('/cases'))
        .catch((error: unknown) => {
          show(container, ctx, { values, fieldErrors: [], problem: describeIpcError(error, SIGN_IN_FAILED_FALLBACK) })
        })
        .finally(() => {
          pending = false
        })
    })
  },
}
