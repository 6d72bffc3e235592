import { mockIPC } from '@tauri-apps/api/mocks'
import type { AppInfo } from '../ipc'

export const EXAMPLE_APP_INFO: AppInfo = {
  version: '0.1.0',
  dataDir: '/home/x/.local/share/uk.org.doorstep.desktop',
  serverUrl: 'http://127.0.0.1:8787',
  council: { name: 'Example Borough Council', colour: '#1d4f91' },
}

export interface MockBackend {
  calls: { cmd: string; payload: unknown }[]
}

/**
 * Stands in for the Rust side. `signIn` decides what the sign_in command
 * does; by default it is missing, as it is in Rust today.
 */
export function mockBackend(
  options: {
    appInfo?: AppInfo | (() => unknown)
    signIn?: (payload: Record<string, unknown>) => unknown
  } = {},
): MockBackend {
  const backend: MockBackend = { calls: [] }
  mockIPC((cmd, payload) => {
    backend.calls.push({ cmd, payload })
    if (cmd === 'app_info') {
      const info = options.appInfo ?? EXAMPLE_APP_INFO
      return typeof info === 'function' ? info() : info
    }
    if (cmd === 'sign_in' && options.signIn) return options.signIn(payload as Record<string, unknown>)
    throw `Command ${cmd} not found`
  })
  return backend
}

/** Lets pending promise callbacks (the mocked IPC replies) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0))
}
