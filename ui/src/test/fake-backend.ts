// The browser tests' fake Rust side (tests/e2e/fake-device.ts), for unit
// tests of pages that need realistic answers: filters, search, edits.
import { mockIPC } from '@tauri-apps/api/mocks'
import { FakeDevice, type FakeScenario } from '../../tests/e2e/fake-device'
import type { ViewContext } from '../views/view'
import { EXAMPLE_APP_INFO } from './fixtures'

export interface FakeBackend {
  device: FakeDevice
  calls: { cmd: string; payload: Record<string, unknown> }[]
  /** The payloads sent to one command. */
  sent(cmd: string): Record<string, unknown>[]
}

export function mockDevice(scenario: FakeScenario = {}): FakeBackend {
  const device = new FakeDevice(scenario)
  const calls: FakeBackend['calls'] = []
  mockIPC(
    (cmd, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>
      calls.push({ cmd, payload: args })
      return device.handle(cmd, args)
    },
    { shouldMockEvents: true },
  )
  return { device, calls, sent: (cmd) => calls.filter((c) => c.cmd === cmd).map((c) => c.payload) }
}

/** A page's context with no router or components behind it. */
export function testContext(overrides: Partial<ViewContext> = {}): ViewContext {
  return { info: EXAMPLE_APP_INFO, navigate: () => {}, setTitle: () => {}, initComponents: () => {}, ...overrides }
}

/** Renders a view into a container in the document, as the app does. */
export function mountView(view: { render(container: HTMLElement, ctx: ViewContext): void }, ctx = testContext()): HTMLElement {
  const container = document.createElement('div')
  document.body.append(container)
  view.render(container, ctx)
  return container
}

export const textOf = (element: Element | null | undefined): string => (element?.textContent ?? '').replace(/\s+/g, ' ').trim()
