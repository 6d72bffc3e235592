import { describe, expect, it } from 'vitest'
import { mockDevice, mountView, textOf } from '../test/fake-backend'
import { settle } from '../test/fixtures'
import { SAFE_TO_HAND_IN, isSafeToHandIn, outboxView } from './outbox'

describe('the outbox', () => {
  it('is safe to hand in only with nothing waiting, nothing refused and no files to send', () => {
    const empty = { entries: [], refused: [], filesToSend: 0 }
    expect(isSafeToHandIn(empty)).toBe(true)
    expect(isSafeToHandIn({ ...empty, filesToSend: 1 })).toBe(false)
    expect(isSafeToHandIn({ ...empty, refused: [{ caseId: 'c', summary: 's', reason: 'r' }] })).toBe(false)
  })

  it('lists the changes by case, named by reference, and the refused cases with the server’s reason', async () => {
    mockDevice({ cases: 'sample' })
    const page = mountView(outboxView)
    await settle()
    const text = textOf(page)
    expect(text).toContain('5 changes to 3 cases, oldest first.')
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
