import type { AppInfo } from '../ipc'
import type { RouteParams } from '../router'

/** What the app gives each page. */
export interface ViewContext {
  info: AppInfo
  navigate(path: string): void
  /** Sets document.title; error pages get the GOV.UK "Error: " prefix. */
  setTitle(title: string, options?: { error?: boolean }): void
  /** Starts GOV.UK Frontend components inside markup the page rendered itself. */
  initComponents(scope: Element): void
  /**
   * The values of the route pattern's `:name` segments (`id` for
   * `/cases/:id`). Empty or absent for pages with an exact path.
   */
  params?: RouteParams
}

export interface View {
  /** Page title without the service name, e.g. "My cases". */
  title: string
  /**
   * Fills `container`, which is empty and not yet in the document. A page
   * that keeps something running (a timer, a chart) returns a function that
   * stops it; the app calls it when another page replaces this one.
   */
  render(container: HTMLElement, ctx: ViewContext): void | (() => void)
}
