// Sign-in checks that can be made without the server. The messages follow the
// GOV.UK error message style: say what to do, in words a caseworker uses.

export interface SignInValues {
  server: string
  username: string
  password: string
}

export type SignInField = keyof SignInValues

export interface FieldError {
  field: SignInField
  message: string
}

export const SIGN_IN_MESSAGES = {
  serverMissing: 'Enter the server address',
  serverInvalid: 'Enter the server address in the correct format, like https://doorstep.yourcouncil.gov.uk',
  usernameMissing: 'Enter your username',
  passwordMissing: 'Enter your password',
} as const

/** True for an absolute http:// or https:// address with a host name. */
export function isHttpUrl(value: string): boolean {
  if (/\s/.test(value)) return false
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return false
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
}

/** Spaces around a server address or username are never meant; passwords are kept exactly as typed. */
export function normaliseSignIn(values: SignInValues): SignInValues {
  return { server: values.server.trim(), username: values.username.trim(), password: values.password }
}

/** Errors in the order the fields appear on the page, which is the order the summary lists them. */
export function validateSignIn(values: SignInValues): FieldError[] {
  const { server, username, password } = normaliseSignIn(values)
  const errors: FieldError[] = []
  if (server === '') errors.push({ field: 'server', message: SIGN_IN_MESSAGES.serverMissing })
  else if (!isHttpUrl(server)) errors.push({ field: 'server', message: SIGN_IN_MESSAGES.serverInvalid })
  if (username === '') errors.push({ field: 'username', message: SIGN_IN_MESSAGES.usernameMissing })
  if (password === '') errors.push({ field: 'password', message: SIGN_IN_MESSAGES.passwordMissing })
  return errors
}
