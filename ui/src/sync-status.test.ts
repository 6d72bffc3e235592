import { emit } from '@tauri-apps/api/event'
import { mockIPC } from '@tauri-apps/api/mocks'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SyncProgress, SyncStatus } from './ipc'
import { SYNC_FINISHED_EVENT, SyncAnnouncer, describeSync, progressText, startSyncStatus } from './sync-status'
import { settle } from './test/fixtures'

const NOW = new Date(2026, 10, 28, 15, 0)

function status(overrides: Partial<SyncStatus> = {}): SyncStatus {
  return {
    connection: 'online',
    lastSyncedAt: new Date(2026, 10, 28, 14, 48).toISOString(),
    lastError: null,
    progress: null,
    unsyncedChanges: 0,
    filesToSend: 0,
    everythingAcknowledged: true,
    ...overrides,
  }
}

const progress = (overrides: Partial<SyncProgress> = {}): SyncProgress => ({
  round: 1,
  casesReceived: 1_200,
  casesRemaining: 8_800,
  casesSent: 0,
  casesToSend: 0,
  bytesSent: 0,
  bytesReceived: 3_400_000,
  ...overrides,
})

describe('what the sync status says', () => {
  it('online with nothing waiting: safe on the server, and when it last synced', () => {
    const d = describeSync(status(), NOW)
    expect(d.state).toEqual({ text: 'Online', colour: 'green' })
    expect(d.safety).toBe('Everything is safe on the server.')
    expect(d.lastSynced).toEqual({ relative: '12 minutes ago', absolute: '28 November 2026 at 2:48pm', iso: expect.stringMatching(/^2026-11-28T/) })
    expect(d.canSyncNow).toBe(true)
  })

  it('counts what is waiting: changes and files', () => {
    const waiting = (unsyncedChanges: number, filesToSend: number) =>
      describeSync(status({ unsyncedChanges, filesToSend, everythingAcknowledged: false }), NOW).safety
    expect(waiting(3, 0)).toBe('3 changes not yet sent.')
    expect(waiting(1, 2)).toBe('1 change and 2 files not yet sent.')
    expect(waiting(0, 0)).toBe('Some changes are waiting for the server to confirm them.')
  })

  it('offline: says the work is safe on the laptop and will go when there is a connection', () => {
    const d = describeSync(status({ connection: 'offline', lastError: 'Could not reach the server', everythingAcknowledged: false, unsyncedChanges: 2 }), NOW)
    expect(d.state.text).toBe('Offline')
    expect(d.headline).toBe('You are offline. Your work is saved on this laptop and will be sent to the server when there is a connection.')
    expect(d.problem).toBe('Could not reach the server')
    expect(d.safety).toBe('2 changes not yet sent.')
  })

  it('signed out: offers to sign in instead of syncing', () => {
    const d = describeSync(status({ connection: 'signed_out' }), NOW)
    expect([d.canSyncNow, d.offerSignIn]).toEqual([false, true])
  })

  it('wiped or unavailable: no sync, and who to contact', () => {
    const wiped = describeSync(status({ connection: 'wiped', lastSyncedAt: null }), NOW)
    expect(wiped.headline).toMatch(/Contact your IT service desk/)
    expect([wiped.canSyncNow, wiped.safety, wiped.lastSynced]).toEqual([false, null, null])
    expect(describeSync(status({ connection: 'unavailable', lastError: 'keyring locked' }), NOW).problem).toBe('keyring locked')
  })

  it('never synced on this laptop: says so', () => {
    expect(describeSync(status({ lastSyncedAt: null }), NOW).lastSynced).toBe('never')
  })

  it('progress in words and numbers for the progress bar', () => {
    const d = describeSync(status({ connection: 'syncing', progress: progress({ casesToSend: 3, casesSent: 1, bytesSent: 2_000 }) }), NOW)
    expect(d.progress).toEqual({
      text: 'Received 1,200 of 10,000 cases. Sent 1 of 3 cases. 3.4 MB so far.',
      value: 1_201,
      max: 10_003,
    })
    const unknownTotal = describeSync(status({ connection: 'syncing', progress: progress({ casesRemaining: null, casesReceived: 40 }) }), NOW)
    expect(unknownTotal.progress).toEqual({ text: 'Received 40 cases so far. 3.4 MB so far.', value: null, max: null })
    expect(progressText(progress({ casesReceived: 0, casesRemaining: null, bytesReceived: 0 }))).toBe('Starting to sync.')
  })
})

describe('what screen readers hear', () => {
  let clock = 0
  let heard: string[] = []
  let announcer: SyncAnnouncer

  beforeEach(() => {
    vi.useFakeTimers()
    clock = 0
    heard = []
    announcer = new SyncAnnouncer((text) => heard.push(text), { settleMs: 1_000, progressEveryMs: 15_000, now: () => clock })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  const tick = (ms: number) => {
    clock += ms
    vi.advanceTimersByTime(ms)
  }

  it('not the status the page opened with', () => {
    announcer.update(status())
    tick(5_000)
    expect(heard).toEqual([])
  })

  it('a change of state, once it has lasted a moment', () => {
    announcer.update(status())
    announcer.update(status({ connection: 'offline', everythingAcknowledged: false }))
    expect(heard).toEqual([])
    tick(1_000)
    expect(heard).toEqual(['You are offline. Your work is saved on this laptop and will be sent to the server when there is a connection.'])
  })

  it('nothing for a quick background sync that changes nothing', () => {
    announcer.update(status())
    announcer.update(status({ connection: 'syncing', progress: progress() }))
    tick(400)
    announcer.update(status())
    tick(5_000)
    expect(heard).toEqual([])
  })

  it('the result of a sync the person asked for, even when nothing changed', () => {
    announcer.update(status())
    announcer.expectResult()
    announcer.update(status({ connection: 'syncing', progress: progress() }))
    tick(400)
    announcer.update(status())
    tick(1_000)
    expect(heard).toEqual(['Online. Everything is safe on the server.'])
  })

  it('a long sync: that it started, then progress no more than every 15 seconds', () => {
    announcer.update(status())
    announcer.update(status({ connection: 'syncing', progress: progress({ casesReceived: 0 }) }))
    tick(1_000)
    expect(heard).toEqual(['Syncing with the server.'])
    for (let i = 1; i <= 30; i++) {
      tick(1_000)
      announcer.update(status({ connection: 'syncing', progress: progress({ casesReceived: i * 100, casesRemaining: 10_000 - i * 100 }) }))
    }
    expect(heard).toEqual([
      'Syncing with the server.',
      'Still syncing. Received 1,500 of 10,000 cases. 3.4 MB so far.',
      'Still syncing. Received 3,000 of 10,000 cases. 3.4 MB so far.',
    ])
  })

  it('a count changing by one is not a change of state', () => {
    announcer.update(status({ everythingAcknowledged: false, unsyncedChanges: 1 }))
    announcer.update(status({ everythingAcknowledged: false, unsyncedChanges: 2 }))
    tick(5_000)
    expect(heard).toEqual([])
  })
})

describe('the sync status band', () => {
  let replies: { sync_status: () => unknown; sync_now: () => unknown }
  let commands: string[]

  beforeEach(() => {
    commands = []
    replies = { sync_status: () => status(), sync_now: () => null }
    mockIPC(
      (cmd) => {
        commands.push(cmd)
        if (cmd === 'sync_status') return replies.sync_status()
        if (cmd === 'sync_now') return replies.sync_now()
        if (cmd === 'network_online') return null
        throw `Command ${cmd} not found`
      },
      { shouldMockEvents: true },
    )
  })

  function mount() {
    const element = document.createElement('section')
    document.body.append(element)
    const heard: string[] = []
    const band = startSyncStatus(element, { announce: (text) => heard.push(text), now: () => NOW })
    return { element, band, heard, text: () => element.textContent!.replace(/\s+/g, ' ') }
  }

  it('shows what sync_status says at start', async () => {
    const { element, band, text } = mount()
    await settle()
    expect(element.dataset['connection']).toBe('online')
    expect(text()).toContain('Online Connected to the server.')
    expect(text()).toContain('Last synced 12 minutes ago (28 November 2026 at 2:48pm).')
    expect(text()).toContain('Everything is safe on the server.')
    expect(element.querySelector<HTMLButtonElement>('[data-sync-now]')!.hidden).toBe(false)
    band.stop()
  })

  it('follows sync-status events, keeping the Sync now button (and its focus) in place', async () => {
    const { element, band, text } = mount()
    await settle()
    const button = element.querySelector<HTMLButtonElement>('[data-sync-now]')!
    button.focus()
    await emit('sync-status', status({ connection: 'syncing', progress: progress(), everythingAcknowledged: false, unsyncedChanges: 4 }))
    expect(text()).toContain('Received 1,200 of 10,000 cases.')
    expect(element.querySelector('progress')!.getAttribute('max')).toBe('10000')
    expect(element.querySelector<HTMLElement>('[data-sync-progress]')!.hidden).toBe(false)
    expect(text()).toContain('4 changes not yet sent.')
    expect(element.querySelector('a[href="#/outbox"]')?.textContent).toBe('See what is waiting')
    expect(document.activeElement).toBe(button)
    band.stop()
  })

  it('an event that arrives before the first answer wins over it', async () => {
    let answer!: (value: SyncStatus) => void
    replies.sync_status = () => new Promise((resolve) => (answer = resolve))
    const { element, band } = mount()
    await settle()
    await emit('sync-status', status({ connection: 'offline' }))
    answer(status({ connection: 'starting' }))
    await settle()
    expect(element.dataset['connection']).toBe('offline')
    band.stop()
  })

  it('Sync now asks Rust to sync, and says so if it cannot', async () => {
    replies.sync_now = () => {
      throw { code: 'already_syncing', message: 'A sync is already running.' }
    }
    const { element, band, text } = mount()
    await settle()
    element.querySelector<HTMLButtonElement>('[data-sync-now]')!.click()
    await settle()
    expect(commands).toContain('sync_now')
    expect(text()).toContain('Doorstep could not start a sync: A sync is already running.')
    band.stop()
  })

  it('tells Rust when the browser sees the network come back', async () => {
    const { band } = mount()
    await settle()
    window.dispatchEvent(new Event('online'))
    await settle()
    expect(commands).toContain('network_online')
    band.stop()
    window.dispatchEvent(new Event('online'))
    await settle()
    expect(commands.filter((c) => c === 'network_online')).toHaveLength(1)
  })

  it('lets pages know when a sync has finished', async () => {
    const finished = vi.fn()
    window.addEventListener(SYNC_FINISHED_EVENT, finished)
    const { band } = mount()
    await settle()
    await emit('sync-status', status({ connection: 'syncing' }))
    expect(finished).not.toHaveBeenCalled()
    await emit('sync-status', status())
    expect(finished).toHaveBeenCalledTimes(1)
    window.removeEventListener(SYNC_FINISHED_EVENT, finished)
    band.stop()
  })

  it('says so when the status cannot be read', async () => {
    replies.sync_status = () => {
      throw 'sync thread stopped'
    }
    const { element, band, text } = mount()
    await settle()
    expect(element.dataset['connection']).toBe('unknown')
    expect(text()).toContain('Doorstep could not check the connection to the server. Your work is still saved on this laptop.')
    expect(text()).toContain('sync thread stopped')
    band.stop()
  })
})
