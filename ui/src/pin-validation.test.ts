import { describe, expect, it } from 'vitest'
import { PIN_MESSAGES, validateNewPin } from './pin-validation'

describe('checking a new PIN before asking Rust', () => {
  it('accepts 6 to 12 digits typed the same twice', () => {
    expect(validateNewPin('246810', '246810')).toEqual([])
    expect(validateNewPin('902104119357', '902104119357')).toEqual([])
  })

  it('ignores spaces typed before or after the PIN', () => {
    expect(validateNewPin(' 246810 ', '246810')).toEqual([])
  })

  it('asks for both fields when nothing was typed', () => {
    expect(validateNewPin('', '')).toEqual([
      { field: 'pin', message: PIN_MESSAGES.pinMissing },
      { field: 'pin-confirm', message: PIN_MESSAGES.confirmMissing },
    ])
  })

  it('refuses letters, spaces and symbols', () => {
    for (const pin of ['24681a', '246 810', '24-6810', '２４６８１０']) {
      expect(validateNewPin(pin, pin)).toEqual([{ field: 'pin', message: PIN_MESSAGES.pinNotDigits }])
    }
  })

  it('refuses PINs that are too short or too long', () => {
    expect(validateNewPin('13579', '13579')).toEqual([{ field: 'pin', message: PIN_MESSAGES.pinLength }])
    expect(validateNewPin('1357913579135', '1357913579135')).toEqual([{ field: 'pin', message: PIN_MESSAGES.pinLength }])
  })

  it('says when the two PINs do not match, against the confirmation', () => {
    expect(validateNewPin('246810', '246811')).toEqual([{ field: 'pin-confirm', message: PIN_MESSAGES.noMatch }])
  })

  it('does not call a confirmation wrong when the PIN itself must change', () => {
    expect(validateNewPin('123', '456')).toEqual([{ field: 'pin', message: PIN_MESSAGES.pinLength }])
  })

  it('leaves runs and repeated digits to Rust, which has the rule', () => {
    expect(validateNewPin('123456', '123456')).toEqual([])
  })
})
