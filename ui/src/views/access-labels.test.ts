import { describe, expect, it } from 'vitest'
import { ACCESS_ACTION_LABELS, accessActionLabel, laptopTimeIfDifferent } from './access-labels'

describe('access log actions in plain words', () => {
  it('says what each action the server records means', () => {
    expect(accessActionLabel('case_created')).toBe('Created the case (synced)')
    expect(accessActionLabel('case_changed')).toBe('Changed the case (synced)')
    expect(accessActionLabel('case_downloaded')).toBe('Downloaded to a laptop')
    expect(accessActionLabel('case_viewed')).toBe('Read through the API')
    expect(accessActionLabel('change_refused')).toBe('A change was refused')
    expect(accessActionLabel('attachment_uploaded')).toBe('Uploaded a file')
    expect(accessActionLabel('attachment_downloaded')).toBe('Downloaded a file')
  })

  it('says what each action a laptop reports means', () => {
    expect(accessActionLabel('device_viewed')).toBe('Opened on the laptop')
    expect(accessActionLabel('device_exported')).toBe('Exported')
    expect(accessActionLabel('device_edited')).toBe('Edited on the laptop')
    expect(accessActionLabel('device_created')).toBe('Created on the laptop')
    expect(accessActionLabel('device_resolved')).toBe('Resolved a conflict')
    expect(accessActionLabel('device_attached')).toBe('Attached a file')
    expect(accessActionLabel('device_imported')).toBe('Imported')
    expect(accessActionLabel('device_removed')).toBe('Removed from the laptop (no longer theirs)')
    expect(Object.keys(ACCESS_ACTION_LABELS)).toHaveLength(15)
  })

  it('reads an action it does not know as its name with spaces for underscores', () => {
    expect(accessActionLabel('retention_reviewed')).toBe('retention reviewed')
    expect(accessActionLabel('exported')).toBe('exported')
    expect(accessActionLabel('')).toBe('Not named by the server')
    // Names from the object's prototype are not actions.
    expect(accessActionLabel('constructor')).toBe('constructor')
    expect(accessActionLabel('__proto__')).toBe('proto')
  })
})

describe('when the laptop did it', () => {
  const at = (iso: string) => new Date(iso)

  it('is worth saying when it was more than a minute from when the server heard', () => {
    expect(laptopTimeIfDifferent({ serverTime: '2026-11-28T11:02:00Z', deviceTime: '2026-11-28T09:14:00Z' })).toEqual(at('2026-11-28T09:14:00Z'))
    // A laptop clock that runs fast counts too.
    expect(laptopTimeIfDifferent({ serverTime: '2026-11-28T11:02:00Z', deviceTime: '2026-11-28T11:05:00Z' })).toEqual(at('2026-11-28T11:05:00Z'))
  })

  it('is not when it is within a minute, missing, or unreadable', () => {
    expect(laptopTimeIfDifferent({ serverTime: '2026-11-28T11:02:00Z', deviceTime: '2026-11-28T11:01:00Z' })).toBeNull()
    expect(laptopTimeIfDifferent({ serverTime: '2026-11-28T11:02:00Z', deviceTime: '2026-11-28T11:02:30Z' })).toBeNull()
    expect(laptopTimeIfDifferent({ serverTime: '2026-11-28T11:02:00Z', deviceTime: null })).toBeNull()
    expect(laptopTimeIfDifferent({ serverTime: 'yesterday', deviceTime: '2026-11-28T09:14:00Z' })).toBeNull()
  })
})
