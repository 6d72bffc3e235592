// govuk-frontend ships no TypeScript types; this declares only the part of
// its public JavaScript API that Doorstep uses.
declare module 'govuk-frontend' {
  export const version: string

  export class Component {
    constructor($root: Element | null)
    static moduleName: string
  }

  export type ComponentClass = (new ($root: Element, config?: object) => Component) & {
    moduleName: string
  }

  export type ErrorCallback = (error: unknown, context: { component?: ComponentClass; element?: Element; config?: unknown }) => void

  export interface CreateAllOptions {
    scope?: Document | Element | null
    onError?: ErrorCallback
  }

  export function createAll<T extends ComponentClass>(
    Component: T,
    config?: object,
    scopeOrOptions?: Document | Element | CreateAllOptions | ErrorCallback,
  ): InstanceType<T>[]

  export function initAll(config?: { scope?: Document | Element | null; onError?: ErrorCallback }): void

  export function isSupported($scope?: HTMLElement | null): boolean

  export class Button extends Component {}
  export class ErrorSummary extends Component {}
  export class PasswordInput extends Component {}
  export class ServiceNavigation extends Component {}
  export class SkipLink extends Component {}
}
