import { describe, expect, it } from 'vitest'
import { formatBytes, formatCalendarDate, formatDateTime, formatDateWithDay, formatRelative, formatTime, plural } from './time-format'

// Local times, so the tests mean the same in any time zone.
const at = (hours: number, minutes = 0, day = 28) => new Date(2026, 10, day, hours, minutes)

describe('times and dates in GOV.UK style', () => {
  it('writes times as people say them', () => {
    expect(formatTime(at(14, 30))).toBe('2:30pm')
    expect(formatTime(at(9))).toBe('9am')
    expect(formatTime(at(12))).toBe('midday')
    expect(formatTime(at(0))).toBe('midnight')
    expect(formatTime(at(0, 5))).toBe('12:05am')
  })

  it('writes dates in full, with no leading zeros', () => {
    expect(formatDateTime(at(14, 30, 3))).toBe('3 November 2026 at 2:30pm')
    expect(formatDateWithDay(at(9))).toBe('Saturday 28 November 2026')
    expect(formatCalendarDate('2026-03-07')).toBe('7 March 2026')
    expect(formatCalendarDate('not a date')).toBe('not a date')
  })

  it('says how long ago, in words', () => {
    const now = at(15, 0)
    expect(formatRelative(at(14, 59, 28), now)).toBe('1 minute ago')
    expect(formatRelative(new Date(now.getTime() - 20_000), now)).toBe('just now')
    expect(formatRelative(at(14, 48), now)).toBe('12 minutes ago')
    expect(formatRelative(at(12, 0), now)).toBe('3 hours ago')
    expect(formatRelative(at(16, 0, 27), now)).toBe('yesterday')
    expect(formatRelative(at(9, 0, 24), now)).toBe('4 days ago')
    // A laptop clock a little ahead of the server's.
    expect(formatRelative(at(15, 1), now)).toBe('just now')
  })

  it('counts with thousands separators and the right plural', () => {
    expect(plural(1, 'case')).toBe('1 case')
    expect(plural(2_431, 'case')).toBe('2,431 cases')
    expect(plural(0, 'change')).toBe('0 changes')
    expect(plural(2, 'photo or document', 'photos or documents')).toBe('2 photos or documents')
  })

  it('writes sizes the way people read them', () => {
    expect(formatBytes(820)).toBe('820 bytes')
    expect(formatBytes(14_000)).toBe('14 KB')
    expect(formatBytes(3_400_000)).toBe('3.4 MB')
    expect(formatBytes(1_230_000_000)).toBe('1.2 GB')
  })
})
