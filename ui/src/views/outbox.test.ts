import { afterEach, describe, expect, it } from 'vitest'
import { UNLOCK_PATH, isKnownLocked, resetLockState } from '../idle'
import { mockDevice, mountView, textOf } from '../test/fake-backend'
import { settle } from '../test/fixtures'
import { SAFE_TO_HAND_IN, isSafeToHandIn, outboxView } from './outbox'

describe('the outbox', () => {
  it('is safe to hand in only with nothing waiting, nothing refused and no files to send', () => {
    const empty = { cases: [], refused: [], filesToSend: 0 }
    expect(isSafeToHandIn(empty)).toBe(true)
    expect(isSafeToHandIn({ ...empty, filesToSend: 1 })).toBe(false)
    expect(isSafeToHandIn({ ...empty, refused: [{ caseId: 'c', reference: null, summary: 's', reason: 'r' }] })).toBe(false)
  })

  it('lists the changes by case, named by reference, and the refused cases with the server’s reason', async () => {
    const device = mockDevice({ cases: 'sample' })
    const page = mountView(outboxView)
    await settle()
    const text = textOf(page)
    expect(text).toContain('5 changes to 3 cases, oldest first.')
    // Rust names the cases: the outbox opens none of them, however many wait.
    expect(device.sent('show_case')).toEqual([])
    expect(text).toContain('You are no longer assigned to this case.')
    expect(text).toContain('2 photos or documents waiting to be sent.')
    expect([...page.querySelectorAll('h3 a')].map((a) => a.textContent)).toContain('Not yet given a reference')
    expect(text).not.toContain(SAFE_TO_HAND_IN)
  })

  it('says the laptop is safe to hand in when the server has everything', async () => {
    mockDevice({ signedIn: true })
    const page = mountView(outboxView)
    await settle()
    expect(textOf(page)).toContain(SAFE_TO_HAND_IN)
  })
})

describe('the outbox while Doorstep is locked', () => {
  afterEach(() => resetLockState())

  it('goes to the lock screen when the outbox is refused, instead of showing a problem', async () => {
    mockDevice({ cases: 'sample', pin: '246810', locked: true })
    const page = mountView(outboxView)
    await settle()
    expect(window.location.hash).toBe(`#${UNLOCK_PATH}`)
    expect(isKnownLocked()).toBe(true)
    expect(textOf(page)).not.toContain('could not be shown')
  })
})
