import { describe, expect, it } from 'vitest'
import { SIGN_IN_MESSAGES, isHttpUrl, normaliseSignIn, validateSignIn } from './validation'

const valid = { server: 'https://doorstep.example.gov.uk', username: 'sam.caseworker', password: 'hunter2 ' }

describe('checking the sign-in form before contacting the server', () => {
  it('accepts a complete form', () => {
    expect(validateSignIn(valid)).toEqual([])
  })

  it('asks for every missing answer, in the order the fields appear', () => {
    expect(validateSignIn({ server: '', username: '', password: '' })).toEqual([
      { field: 'server', message: 'Enter the server address' },
      { field: 'username', message: 'Enter your username' },
      { field: 'password', message: 'Enter your password' },
    ])
  })

  it('treats an answer of only spaces as missing', () => {
    expect(validateSignIn({ ...valid, username: '   ' })).toEqual([
      { field: 'username', message: SIGN_IN_MESSAGES.usernameMissing },
    ])
  })

  it('explains the format when the server address is not a web address', () => {
    for (const server of ['doorstep.example.gov.uk', 'ftp://example.gov.uk', 'https://', 'javascript:alert(1)', 'http://exa mple']) {
      expect(validateSignIn({ ...valid, server })).toEqual([{ field: 'server', message: SIGN_IN_MESSAGES.serverInvalid }])
    }
  })

  it('accepts local and plain http servers used in small councils and testing', () => {
    expect(isHttpUrl('http://127.0.0.1:8787')).toBe(true)
    expect(isHttpUrl('https://doorstep.example.gov.uk/api')).toBe(true)
  })

  it('ignores stray spaces around the server and username, but never changes the password', () => {
    expect(normaliseSignIn({ server: ' http://a.example ', username: ' sam ', password: ' p ' })).toEqual({
      server: 'http://a.example',
      username: 'sam',
      password: ' p ',
    })
  })
})
