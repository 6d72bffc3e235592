// Stands in for the Rust side in browser tests. Bundled to an IIFE by
// helpers.mjs and injected with page.addInitScript, so it runs before the
// app's own module. A test picks a scenario by setting
// globalThis.__DOORSTEP_MOCK__ in the same init script.
import { mockIPC } from '@tauri-apps/api/mocks'
import type { AppInfo } from '../../src/ipc'

interface MockScenario {
  appInfo?: Partial<AppInfo>
  /** Makes app_info reject with this value. */
  appInfoError?: unknown
  /** sign_in succeeds only with this password. */
  acceptPassword?: string
  /** What sign_in rejects with for any other password. */
  signInError?: unknown
}

interface RecordedCall {
  cmd: string
  payload: unknown
}

declare global {
  var __DOORSTEP_MOCK__: MockScenario | undefined
  var __DOORSTEP_IPC_CALLS__: RecordedCall[]
}

const DEFAULT_APP_INFO: AppInfo = {
  version: '0.1.0',
  dataDir: '/home/caseworker/.local/share/uk.org.doorstep.desktop',
  serverUrl: 'http://127.0.0.1:8787',
  council: { name: 'Example Borough Council', colour: '#1d4f91' },
}

const scenario: MockScenario = globalThis.__DOORSTEP_MOCK__ ?? {}
const appInfo: AppInfo = { ...DEFAULT_APP_INFO, ...scenario.appInfo }
globalThis.__DOORSTEP_IPC_CALLS__ = []

mockIPC((cmd, payload) => {
  globalThis.__DOORSTEP_IPC_CALLS__.push({ cmd, payload })
  switch (cmd) {
    case 'app_info':
      if (scenario.appInfoError !== undefined) throw scenario.appInfoError
      return appInfo
    case 'sign_in': {
      const password = (payload as { password?: unknown } | undefined)?.password
      if (scenario.acceptPassword !== undefined && password === scenario.acceptPassword) return null
      throw scenario.signInError ?? 'The username or password is not right'
    }
    default:
      // What Tauri itself rejects with for a command Rust does not have.
      throw `Command ${cmd} not found`
  }
})
