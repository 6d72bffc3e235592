import { describe, expect, it, vi } from 'vitest'
import { pageTitle } from '../app'
import { initViewComponents } from '../govuk'
import type { AppInfo } from '../ipc'
import { EXAMPLE_APP_INFO, mockBackend, settle } from '../test/fixtures'
import { signInView } from './sign-in'
import type { ViewContext } from './view'

interface Page {
  container: HTMLElement
  navigate: ReturnType<typeof vi.fn>
  field(id: string): HTMLInputElement
  fill(values: Partial<Record<'server' | 'username' | 'password', string>>): void
  submit(): Promise<void>
  summaryLinks(): [string, string | null][]
}

/** Renders the sign-in page the way the app does: render, attach, start components. */
function openSignIn(info: AppInfo = EXAMPLE_APP_INFO): Page {
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

  it('fills in the server address the device already knows', () => {
    expect(openSignIn().field('server').value).toBe('http://127.0.0.1:8787')
    expect(openSignIn({ ...EXAMPLE_APP_INFO, serverUrl: null }).field('server').value).toBe('')
  })

  it('lists every missing answer in an error summary that takes focus and links to each field', async () => {
    mockBackend()
    const page = openSignIn({ ...EXAMPLE_APP_INFO, serverUrl: null })
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
    page.fill({ username: '', password: '' })
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
    const page = openSignIn()
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
    const page = openSignIn()
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
    expect(backend.calls).toEqual([
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
    const page = openSignIn()
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
    const page = openSignIn()
    page.fill({ username: 'sam', password: 'pw' })
    await page.submit()
    expect(page.summaryLinks()).toEqual([['Doorstep cannot reach the server', null]])
  })

  it('copes with sign_in not existing in Rust yet', async () => {
    mockBackend()
    const page = openSignIn()
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
    const page = openSignIn()
    page.fill({ username: 'sam', password: 'top-secret-123' })
    await page.submit()
    for (const spy of spies) {
      expect(JSON.stringify(spy.mock.calls)).not.toContain('top-secret-123')
    }
  })

  it('sends only one request if the button is pressed twice', async () => {
    let release: () => void = () => {}
    const backend = mockBackend({ signIn: () => new Promise<void>((r) => (release = r)) })
    const page = openSignIn()
    page.fill({ username: 'sam', password: 'pw' })
    page.container.querySelector('form')!.requestSubmit()
    page.container.querySelector('form')!.requestSubmit()
    await settle()
    release()
    await settle()
    expect(backend.calls.filter((c) => c.cmd === 'sign_in')).toHaveLength(1)
  })
})
