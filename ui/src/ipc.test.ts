import { mockIPC } from '@tauri-apps/api/mocks'
import { describe, expect, it } from 'vitest'
import { caseAccessRecord, describeIpcError, getAppInfo, ipcErrorOf, signIn, teamAlerts, workerActivity } from './ipc'
import { EXAMPLE_APP_INFO, mockBackend } from './test/fixtures'

describe('talking to the Rust side', () => {
  it('reads the app settings with app_info', async () => {
    const backend = mockBackend()
    await expect(getAppInfo()).resolves.toEqual(EXAMPLE_APP_INFO)
    expect(backend.calls.map((c) => c.cmd)).toEqual(['app_info'])
  })

  it('accepts settings with no server address yet', async () => {
    mockBackend({ appInfo: { ...EXAMPLE_APP_INFO, serverUrl: null } })
    await expect(getAppInfo()).resolves.toMatchObject({ serverUrl: null })
  })

  it('refuses settings in a shape the UI does not understand', async () => {
    mockBackend({ appInfo: () => ({ version: '0.1.0', data_dir: '/x' }) })
    await expect(getAppInfo()).rejects.toThrow('unexpected format')
  })

  it('sends the sign-in details to sign_in', async () => {
    const backend = mockBackend({ signIn: () => null })
    await signIn({ server: 'https://a.example', username: 'sam', password: 'pw' })
    expect(backend.calls).toEqual([
      { cmd: 'sign_in', payload: { server: 'https://a.example', username: 'sam', password: 'pw' } },
    ])
  })

  it('turns command errors into readable messages', () => {
    expect(describeIpcError('Wrong username or password')).toBe('Wrong username or password')
    expect(describeIpcError({ message: 'Server not reachable', code: 'offline' })).toBe('Server not reachable')
    expect(describeIpcError(new Error('boom'))).toBe('boom')
    expect(describeIpcError(undefined)).toBe('Something went wrong. Try again.')
    expect(describeIpcError({ message: '' }, 'Fallback')).toBe('Fallback')
  })

  it('reads rejections as IpcErrors, whatever shape the command used', () => {
    expect(ipcErrorOf({ code: 'invalid_field', message: 'Summary: use 500 characters or fewer', field: 'summary' })).toEqual({
      code: 'invalid_field',
      message: 'Summary: use 500 characters or fewer',
      field: 'summary',
    })
    expect(ipcErrorOf({ code: 'no_such_case', message: 'There is no case 42 on this device.' })).toEqual({
      code: 'no_such_case',
      message: 'There is no case 42 on this device.',
    })
    expect(ipcErrorOf('The device store is locked')).toEqual({ code: 'unknown', message: 'The device store is locked' })
    expect(ipcErrorOf(new Error('bridge failed'))).toEqual({ code: 'unknown', message: 'bridge failed' })
    expect(ipcErrorOf(undefined, 'Could not save.')).toEqual({ code: 'unknown', message: 'Could not save.' })
    expect(ipcErrorOf({ code: '', message: 'x', field: '' })).toEqual({ code: 'unknown', message: 'x' })
  })

  it('asks for a lead’s oversight with the command names and arguments Rust has', async () => {
    const calls: [string, unknown][] = []
    mockIPC((cmd, payload) => {
      calls.push([cmd, payload])
      if (cmd === 'team_alerts') return { fetchedAt: null, alerts: [] }
      if (cmd === 'case_access_record') return { caseId: 'c1', entries: [] }
      return { worker: 'jo bloggs', entries: [] }
    })
    await expect(teamAlerts()).resolves.toEqual({ fetchedAt: null, alerts: [] })
    await expect(caseAccessRecord('c1')).resolves.toEqual({ caseId: 'c1', entries: [] })
    await expect(workerActivity('jo bloggs')).resolves.toEqual({ worker: 'jo bloggs', entries: [] })
    expect(calls.map(([cmd, payload]) => [cmd, payload ?? {}])).toEqual([
      ['team_alerts', {}],
      ['case_access_record', { caseId: 'c1' }],
      ['worker_activity', { worker: 'jo bloggs' }],
    ])
  })
})
