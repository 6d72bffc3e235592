// GOV.UK Frontend components are initialised per scope: the shell once at
// start, and each page's own DOM after it is rendered. Calling initAll() on
// the whole document again would skip or double-initialise components.
import {
  Button,
  ErrorSummary,
  PasswordInput,
  ServiceNavigation,
  SkipLink,
  createAll,
  type ComponentClass,
} from 'govuk-frontend'

const SHELL_COMPONENTS: readonly ComponentClass[] = [SkipLink, ServiceNavigation]
const VIEW_COMPONENTS: readonly ComponentClass[] = [Button, ErrorSummary, PasswordInput]

function reportComponentError(error: unknown): void {
  // A component that fails to start is a bug in our markup; make it visible.
  console.error('GOV.UK Frontend component could not start', error)
}

function initComponents(components: readonly ComponentClass[], scope: Element): void {
  for (const component of components) {
    createAll(component, undefined, { scope, onError: reportComponentError })
  }
}

export function initShellComponents(scope: Element): void {
  initComponents(SHELL_COMPONENTS, scope)
}

export function initViewComponents(scope: Element): void {
  initComponents(VIEW_COMPONENTS, scope)
}
