// Typed wrappers around the Rust commands. Views never call `invoke` directly,
// so the command names and payload shapes live in one place.
import { invoke } from '@tauri-apps/api/core'

export interface Council {
  name: string
  /** Hex colour; Rust guarantees at least 4.5:1 contrast with white. */
  colour: string
}

export interface AppInfo {
  version: string
  dataDir: string
  serverUrl: string | null
  council: Council
}

export interface SignInRequest {
  server: string
  username: string
  password: string
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function isAppInfo(value: unknown): value is AppInfo {
  if (!isRecord(value) || !isRecord(value['council'])) return false
  const council = value['council']
  return (
    typeof value['version'] === 'string' &&
    typeof value['dataDir'] === 'string' &&
    (value['serverUrl'] === null || typeof value['serverUrl'] === 'string') &&
    typeof council['name'] === 'string' &&
    typeof council['colour'] === 'string'
  )
}

/**
 * Reads the app's settings from Rust. Rejects if the reply is not the shape
 * the UI was written for, so a mismatch with the Rust side shows the startup
 * error page rather than half-rendered pages.
 */
export async function getAppInfo(): Promise<AppInfo> {
  const info: unknown = await invoke('app_info')
  if (!isAppInfo(info)) {
    throw new Error('app_info returned settings in an unexpected format')
  }
  return info
}

export async function signIn(request: SignInRequest): Promise<void> {
  await invoke('sign_in', { ...request })
}

/**
 * Turns a rejected command into text for the person using the app. Tauri
 * commands reject with whatever the Rust error serialises to: usually a
 * string, sometimes an object with a `message`.
 */
export function describeIpcError(error: unknown, fallback = 'Something went wrong. Try again.'): string {
  if (typeof error === 'string' && error.trim() !== '') return error
  if (isRecord(error) && typeof error['message'] === 'string' && error['message'].trim() !== '') {
    return error['message']
  }
  return fallback
}
