// Stands in for the Rust side in browser tests. Bundled to an IIFE by
// helpers.mjs and injected with page.addInitScript, so it runs before the
// app's own module. A test picks a scenario by setting
// globalThis.__DOORSTEP_MOCK__ in the same init script; the fake device
// it drives (fake-device.ts) is then `globalThis.__DOORSTEP_FAKE__`, and every
// command the page sent is in `globalThis.__DOORSTEP_IPC_CALLS__`.
import { mockIPC } from '@tauri-apps/api/mocks'
import { FakeDevice, type FakeScenario } from './fake-device'

interface RecordedCall {
  cmd: string
  payload: unknown
  /** Sent with a raw body (attach_file), lower-cased as Rust reads them. */
  headers?: Record<string, string>
}

declare global {
  var __DOORSTEP_MOCK__: FakeScenario | undefined
  var __DOORSTEP_IPC_CALLS__: RecordedCall[]
  var __DOORSTEP_FAKE__: FakeDevice
}

const device = new FakeDevice(globalThis.__DOORSTEP_MOCK__ ?? {})
globalThis.__DOORSTEP_FAKE__ = device
globalThis.__DOORSTEP_IPC_CALLS__ = []

// The headers of the invoke being answered. mockIPC calls its handler with
// (cmd, payload) only, dropping invoke's options, where attach_file sends the
// case id, file name and media type; the wrapper below keeps them for it.
let headers: Record<string, string> | undefined

mockIPC(
  (cmd, payload) => {
    globalThis.__DOORSTEP_IPC_CALLS__.push(headers === undefined ? { cmd, payload } : { cmd, payload, headers })
    return device.handle(cmd, payload as Record<string, unknown> | undefined, headers)
  },
  // listen() and the fake's emit() of `sync-status` go through the mock's event bus.
  { shouldMockEvents: true },
)

type Invoke = (cmd: string, args?: unknown, options?: { headers?: HeadersInit }) => Promise<unknown>
const internals = (window as unknown as { __TAURI_INTERNALS__: { invoke: Invoke } }).__TAURI_INTERNALS__
const mockedInvoke = internals.invoke
internals.invoke = (cmd, args, options) => {
  // The mock's invoke calls the handler before it first awaits, so the
  // headers are read while they are still set.
  headers = options?.headers === undefined ? undefined : Object.fromEntries([...new Headers(options.headers)].map(([name, value]) => [name.toLowerCase(), value]))
  try {
    return mockedInvoke(cmd, args, options)
  } finally {
    headers = undefined
  }
}
