// Renders one page the way the app does (render, attach, set the title,
// start the GOV.UK components), with helpers to act on it as a person would.
import { vi } from 'vitest'
import { pageTitle } from '../app'
import { initViewComponents } from '../govuk'
import type { AppInfo } from '../ipc'
import type { View, ViewContext } from '../views/view'
import { EXAMPLE_APP_INFO, settle } from './fixtures'

export interface OpenView {
  container: HTMLElement
  navigate: ReturnType<typeof vi.fn<(path: string) => void>>
  input(id: string): HTMLInputElement
  type(id: string, value: string): void
  /** Presses the form's submit button and waits for Rust's answer. */
  submit(buttonText?: string): Promise<void>
  click(selector: string): Promise<void>
  /** The error summary's items: text, and where each link goes. */
  summaryItems(): [string, string | null][]
  text(): string
}

export function openView(view: View, info: AppInfo = EXAMPLE_APP_INFO): OpenView {
  const container = document.createElement('div')
  const navigate = vi.fn<(path: string) => void>()
  const ctx: ViewContext = {
    info,
    navigate,
    setTitle: (title, options) => {
      document.title = pageTitle(title, options)
    },
    initComponents: initViewComponents,
  }
  view.render(container, ctx)
  document.body.append(container)
  ctx.setTitle(view.title)
  initViewComponents(container)

  const input = (id: string) => {
    const element = container.querySelector<HTMLInputElement>(`#${id}`)
    if (!element) throw new Error(`No input #${id}`)
    return element
  }
  return {
    container,
    navigate,
    input,
    type(id, value) {
      input(id).value = value
    },
    async submit(buttonText) {
      const buttons = [...container.querySelectorAll<HTMLButtonElement>('button[type="submit"]')]
      const button = buttonText === undefined ? buttons[0] : buttons.find((b) => b.textContent?.trim() === buttonText)
      if (!button) throw new Error(`No submit button ${buttonText ?? ''}`)
      button.click()
      await settle()
    },
    async click(selector) {
      const element = container.querySelector<HTMLElement>(selector)
      if (!element) throw new Error(`Nothing matches ${selector}`)
      element.click()
      await settle()
    },
    summaryItems() {
      return [...container.querySelectorAll('.govuk-error-summary__list li')].map((li) => [
        li.textContent!.trim(),
        li.querySelector('a')?.getAttribute('href') ?? null,
      ])
    },
    text() {
      return container.textContent?.replace(/\s+/g, ' ').trim() ?? ''
    },
  }
}
