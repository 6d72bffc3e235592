// A stand-in for the Rust side of the lock, the PIN and signing out, for the
// unit tests of those pages. Each command answers from `handlers`, or with a
// sensible default for a signed-in laptop that is not locked.
import { mockIPC } from '@tauri-apps/api/mocks'
import type { DeviceStatus, IpcError, LockStatus } from '../ipc'

export const UNLOCKED: LockStatus = { locked: false, pinSet: true, attemptsLeft: 5, signedIn: true, idleLockMinutes: 15 }
export const LOCKED: LockStatus = { ...UNLOCKED, locked: true }

export const SIGNED_IN_DEVICE: DeviceStatus = {
  user: 'sam.caseworker',
  signedIn: true,
  role: 'caseworker',
  team: 'Riverside North',
  server: 'http://127.0.0.1:8787',
  cases: 12,
  unsyncedChanges: 0,
  filesToSend: 0,
  everythingAcknowledged: true,
  refusedCases: 0,
  conflicts: 0,
  lastSync: null,
  lastSyncError: null,
}

export type Handler = (payload: Record<string, unknown>) => unknown

export interface LockBackend {
  calls: { cmd: string; payload: Record<string, unknown> }[]
  /** How many times `cmd` was called. */
  count(cmd: string): number
}

/** What Rust rejects with: `{code, message, field?}`. */
export function ipcError(code: string, message: string, field?: string): IpcError {
  return field === undefined ? { code, message } : { code, message, field }
}

export function mockLockBackend(handlers: Record<string, Handler> = {}): LockBackend {
  const defaults: Record<string, Handler> = {
    lock_status: () => UNLOCKED,
    device_status: () => SIGNED_IN_DEVICE,
    user_active: () => null,
  }
  const backend: LockBackend = {
    calls: [],
    count: (cmd) => backend.calls.filter((c) => c.cmd === cmd).length,
  }
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>
    backend.calls.push({ cmd, payload: args })
    const handler = handlers[cmd] ?? defaults[cmd]
    if (handler === undefined) throw `Command ${cmd} not found`
    return handler(args)
  })
  return backend
}

/** Makes a handler reject, as a Rust command that returns an error does. */
export function rejectWith(error: unknown): Handler {
  return () => Promise.reject(error)
}
