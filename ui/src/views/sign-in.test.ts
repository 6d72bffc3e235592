import { afterEach, describe, expect, it, vi } from 'vitest'
import { pageTitle } from '../app'
import { initViewComponents } from '../govuk'
import type { AppInfo } from '../ipc'
import { resetLockState } from '../idle'
import { EXAMPLE_APP_INFO, mockBackend, settle } from '../test/fixtures'
import { UNLOCKED, ipcError, mockLockBackend } from '../test/lock-backend'
import { noticeForSignIn, signInView } from './sign-in'
import type { ViewContext } from './view'

interface Page {
  container: HTMLElement
  navigate: ReturnType<typeof vi.fn>
  field(id: string): HTMLInputElement
  fill(values: Partial<Record<'server' | 'username' | 'password', string>>): void
  submit(): Promise<void>
  summaryLinks(): [string, string | null][]
}

/** A laptop whose server address nobody has set: the person types it. */
const NO_SERVER_SET: AppInfo = { ...EXAMPLE_APP_INFO, serverUrl: null }

/** Renders the sign-in page the way the app does: render, attach, start components. */
function openSignIn(info: AppInfo = NO_SERVER_SET): Page {
  const container = document.createElement('div')
  const navigate = vi.fn()
  const ctx: ViewContext = {
    info,
    navigate,
    setTitle: (title, options) => {
      document.title = pageTitle(title, options)
    },
    initComponents: initViewComponents,
  }
  signInView.render(container, ctx)
  document.body.append(container)
  ctx.setTitle(signInView.title)
  initViewComponents(container)

  const field = (id: string) => container.querySelector<HTMLInputElement>(`#${id}`)!
  return {
    container,
    navigate,
    field,
    fill(values) {
      for (const [id, value] of Object.entries(values)) field(id).value = value
    },
    async submit() {
      container.querySelector<HTMLButtonElement>('button[type="submit"]')!.click()
      await settle()
    },
    summaryLinks() {
      return [...container.querySelectorAll('.govuk-error-summary__list li')].map((li) => [
        li.textContent!.trim(),
        li.querySelector('a')?.getAttribute('href') ?? null,
      ])
    },
  }
}

describe('signing in', () => {
  it('asks for the server address, username and password, with the right browser hints', () => {
    const page = openSignIn()
    const label = (id: string) => page.container.querySelector(`label[for="${id}"]`)?.textContent?.trim()
    expect([label('server'), label('username'), label('password')]).toEqual(['Server address', 'Username', 'Password'])
    expect(page.field('username').autocomplete).toBe('username')
    expect(page.field('password').type).toBe('password')
    expect(page.field('password').autocomplete).toBe('current-password')
    expect(page.container.querySelector('button[type="submit"]')?.textContent?.trim()).toBe('Sign in')
    expect(page.container.querySelector('form')?.noValidate).toBe(true)
  })

  it('starts with an empty server address when none is set', () => {
    expect(openSignIn().field('server').value).toBe('')
  })

  it('lists every missing answer in an error summary that takes focus and links to each field', async () => {
    mockBackend()
    const page = openSignIn()
    await page.submit()

    const summary = page.container.querySelector<HTMLElement>('.govuk-error-summary')!
    expect(document.activeElement).toBe(summary)
    expect(summary.textContent).toContain('There is a problem')
    expect(page.summaryLinks()).toEqual([
      ['Enter the server address', '#server'],
      ['Enter your username', '#username'],
      ['Enter your password', '#password'],
    ])
    expect(document.title).toBe('Error: Sign in – Doorstep')
  })

  it('shows each message next to its field, and tells screen readers which field it belongs to', async () => {
    const page = openSignIn()
    page.fill({ server: 'https://doorstep.example.gov.uk', username: '', password: '' })
    await page.submit()

    const username = page.field('username')
    const message = page.container.querySelector('#username-error')!
    expect(message.textContent?.replace(/\s+/g, ' ').trim()).toBe('Error: Enter your username')
    expect(username.getAttribute('aria-describedby')).toBe('username-error')
    expect(username.classList.contains('govuk-input--error')).toBe(true)
    expect(username.closest('.govuk-form-group')?.classList.contains('govuk-form-group--error')).toBe(true)
    expect(page.field('server').classList.contains('govuk-input--error')).toBe(false)
  })

  it('moves to the field when its error link is followed', async () => {
    const page = openSignIn(EXAMPLE_APP_INFO)
    page.fill({ username: 'sam', password: '' })
    await page.submit()
    page.container.querySelector<HTMLAnchorElement>('.govuk-error-summary a[href="#password"]')!.click()
    expect(document.activeElement).toBe(page.field('password'))
  })

  it('explains the format when the server address is not a web address', async () => {
    const page = openSignIn()
    page.fill({ server: 'doorstep.council.gov.uk', username: 'sam', password: 'pw' })
    await page.submit()
    expect(page.summaryLinks()).toEqual([
      ['Enter the server address in the correct format, like https://doorstep.yourcouncil.gov.uk', '#server'],
    ])
    expect(page.field('server').value).toBe('doorstep.council.gov.uk')
  })

  it('keeps what was typed when errors are shown, without writing the password into the page markup', async () => {
    const page = openSignIn(EXAMPLE_APP_INFO)
    page.fill({ username: '', password: 'secret-pass' })
    await page.submit()
    expect(page.field('password').value).toBe('secret-pass')
    expect(page.container.innerHTML).not.toContain('secret-pass')
  })

  it('sends valid details to Rust, tidied, and opens My cases when signed in', async () => {
    const backend = mockBackend({ signIn: () => null })
    const page = openSignIn()
    page.fill({ server: ' https://doorstep.example.gov.uk ', username: ' sam ', password: ' pw ' })
    await page.submit()
    expect(backend.calls.filter((c) => c.cmd === 'sign_in')).toEqual([
      { cmd: 'sign_in', payload: { server: 'https://doorstep.example.gov.uk', username: 'sam', password: ' pw ' } },
    ])
    expect(page.navigate).toHaveBeenCalledWith('/cases')
  })

  it('shows the reason Rust gives when signing in fails', async () => {
    mockBackend({
      signIn: () => {
        throw 'The username or password is not right'
      },
    })
    const page = openSignIn(EXAMPLE_APP_INFO)
    page.fill({ username: 'sam', password: 'wrong' })
    await page.submit()
    const summary = page.container.querySelector('.govuk-error-summary')
    expect(document.activeElement).toBe(summary)
    expect(page.summaryLinks()).toEqual([['The username or password is not right', null]])
    expect(document.title).toBe('Error: Sign in – Doorstep')
    expect(page.navigate).not.toHaveBeenCalled()
  })

  it('understands errors that Rust sends as an object with a message', async () => {
    mockBackend({
      signIn: () => Promise.reject({ kind: 'offline', message: 'Doorstep cannot reach the server' }),
    })
    const page = openSignIn(EXAMPLE_APP_INFO)
    page.fill({ username: 'sam', password: 'pw' })
    await page.submit()
    expect(page.summaryLinks()).toEqual([['Doorstep cannot reach the server', null]])
  })

  it('copes with sign_in not existing in Rust yet', async () => {
    mockBackend()
    const page = openSignIn(EXAMPLE_APP_INFO)
    page.fill({ username: 'sam', password: 'pw' })
    await page.submit()
    expect(page.summaryLinks()).toEqual([['Command sign_in not found', null]])
  })

  it('never writes the password to the console', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m))
    mockBackend({
      signIn: () => {
        throw new Error('nope')
      },
    })
    const page = openSignIn(EXAMPLE_APP_INFO)
    page.fill({ username: 'sam', password: 'top-secret-123' })
    await page.submit()
    for (const spy of spies) {
      expect(JSON.stringify(spy.mock.calls)).not.toContain('top-secret-123')
    }
  })

  it('sends only one request if the button is pressed twice', async () => {
    let release: () => void = () => {}
    const backend = mockBackend({ signIn: () => new Promise<void>((r) => (release = r)) })
    const page = openSignIn(EXAMPLE_APP_INFO)
    page.fill({ username: 'sam', password: 'pw' })
    page.container.querySelector('form')!.requestSubmit()
    page.container.querySelector('form')!.requestSubmit()
    await settle()
    release()
    await settle()
    expect(backend.calls.filter((c) => c.cmd === 'sign_in')).toHaveLength(1)
  })
})

describe('signing in to the server the council set', () => {
  it('shows the address as fixed text, not a field that could be mistyped', () => {
    const page = openSignIn(EXAMPLE_APP_INFO)
    expect(page.container.querySelector('#server')).toBeNull()
    expect(page.container.querySelector('input[type="url"]')).toBeNull()
    const row = page.container.querySelector('.doorstep-fixed-server .govuk-summary-list__row')!
    expect(row.querySelector('dt')?.textContent?.trim()).toBe('Server')
    expect(row.querySelector('dd')?.textContent?.trim()).toBe('http://127.0.0.1:8787')
    expect(page.container.textContent).toContain('If it looks wrong, contact your IT service desk.')
  })

  it('signs in to that address', async () => {
    const backend = mockLockBackend({ sign_in: () => null })
    const page = openSignIn({ ...EXAMPLE_APP_INFO, serverUrl: 'https://doorstep.riverside.gov.uk' })
    page.fill({ username: 'sam', password: 'pw' })
    await page.submit()
    expect(backend.calls.find((c) => c.cmd === 'sign_in')?.payload).toEqual({
      server: 'https://doorstep.riverside.gov.uk',
      username: 'sam',
      password: 'pw',
    })
  })

  it('lists only the missing username and password, never a server field that is not there', async () => {
    mockLockBackend()
    const page = openSignIn(EXAMPLE_APP_INFO)
    await page.submit()
    expect(page.summaryLinks()).toEqual([
      ['Enter your username', '#username'],
      ['Enter your password', '#password'],
    ])
  })

  it('shows the address as text, not markup', () => {
    const page = openSignIn({ ...EXAMPLE_APP_INFO, serverUrl: 'https://x.gov.uk/<b>bold</b>' })
    expect(page.container.querySelector('[data-fixed-server] b')).toBeNull()
    expect(page.container.querySelector('[data-fixed-server]')?.textContent).toBe('https://x.gov.uk/<b>bold</b>')
  })
})

describe('after signing in', () => {
  afterEach(() => resetLockState())

  async function signInWith(lockStatus: () => unknown): Promise<Page> {
    mockLockBackend({ sign_in: () => null, lock_status: lockStatus })
    const page = openSignIn(EXAMPLE_APP_INFO)
    page.fill({ username: 'sam', password: 'pw' })
    await page.submit()
    return page
  }

  it('asks for a PIN when none is set yet, so Doorstep can be unlocked without a signal', async () => {
    const page = await signInWith(() => ({ ...UNLOCKED, pinSet: false }))
    expect(page.navigate).toHaveBeenCalledWith('/set-pin')
  })

  it('opens My cases when a PIN is already set', async () => {
    const page = await signInWith(() => UNLOCKED)
    expect(page.navigate).toHaveBeenCalledWith('/cases')
  })

  it('opens My cases when Rust cannot say whether a PIN is set', async () => {
    const page = await signInWith(() => Promise.reject(ipcError('store_error', 'The store is busy')))
    expect(page.navigate).toHaveBeenCalledWith('/cases')
  })

  it('opens the window again: the navigation hidden while locked comes back', async () => {
    document.documentElement.setAttribute('data-doorstep-locked', '')
    await signInWith(() => UNLOCKED)
    expect(document.documentElement.hasAttribute('data-doorstep-locked')).toBe(false)
  })
})

describe('being sent to sign in', () => {
  it('says why at the top of the page, once, as an alert', () => {
    noticeForSignIn('The PIN was wrong too many times, so you need to sign in with your council password.')
    const page = openSignIn(EXAMPLE_APP_INFO)
    const banner = page.container.querySelector('.govuk-notification-banner')!
    expect(banner.getAttribute('role')).toBe('alert')
    expect(banner.textContent).toContain('The PIN was wrong too many times')
    // It comes before the heading, as GOV.UK places notification banners.
    expect(banner.compareDocumentPosition(page.container.querySelector('h1')!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy()

    expect(openSignIn(EXAMPLE_APP_INFO).container.querySelector('.govuk-notification-banner')).toBeNull()
  })

  it('keeps the reason on the page when the sign-in needs correcting', async () => {
    mockLockBackend()
    noticeForSignIn('No PIN is set on this laptop. Sign in with your council password')
    const page = openSignIn(EXAMPLE_APP_INFO)
    await page.submit()
    expect(page.container.querySelector('.govuk-notification-banner')?.textContent).toContain('No PIN is set')
  })
})
