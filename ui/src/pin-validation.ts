// Checks on a new PIN that can be made before asking Rust. Rust checks again
// (and also refuses runs such as 123456 and repeats such as 111111), so these
// only save a round trip and give each field its own message.

export const MINIMUM_PIN_DIGITS = 6
export const MAXIMUM_PIN_DIGITS = 12

export type PinField = 'pin' | 'pin-confirm'

export interface PinError {
  field: PinField
  message: string
}

export const PIN_MESSAGES = {
  pinMissing: 'Enter a PIN',
  pinNotDigits: 'Your PIN must only include numbers 0 to 9',
  pinLength: `Your PIN must be between ${MINIMUM_PIN_DIGITS} and ${MAXIMUM_PIN_DIGITS} digits`,
  confirmMissing: 'Enter your PIN again to confirm it',
  noMatch: 'The PINs do not match. Enter the same PIN twice',
  unlockPinMissing: 'Enter your PIN',
} as const

/** Spaces typed around a PIN are never meant; spaces inside it are a mistake the checks report. */
export function normalisePin(value: string): string {
  return value.trim()
}

/** Errors in page order (PIN, then its confirmation), which is the order the summary lists them. */
export function validateNewPin(pin: string, confirmation: string): PinError[] {
  const first = normalisePin(pin)
  const second = normalisePin(confirmation)
  const errors: PinError[] = []
  if (first === '') errors.push({ field: 'pin', message: PIN_MESSAGES.pinMissing })
  else if (!/^[0-9]+$/.test(first)) errors.push({ field: 'pin', message: PIN_MESSAGES.pinNotDigits })
  else if (first.length < MINIMUM_PIN_DIGITS || first.length > MAXIMUM_PIN_DIGITS) {
    errors.push({ field: 'pin', message: PIN_MESSAGES.pinLength })
  }
  if (second === '') errors.push({ field: 'pin-confirm', message: PIN_MESSAGES.confirmMissing })
  else if (errors.length === 0 && second !== first) errors.push({ field: 'pin-confirm', message: PIN_MESSAGES.noMatch })
  return errors
}
