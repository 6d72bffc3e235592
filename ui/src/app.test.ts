import { describe, expect, it } from 'vitest'
import { startApp } from './app'
import { COUNCIL_COLOUR_PROPERTY } from './branding'
import type { Router } from './router'
import { EXAMPLE_APP_INFO, mockBackend, settle } from './test/fixtures'

function mountRoot(): HTMLElement {
  const root = document.createElement('div')
  root.id = 'app'
  document.body.append(root)
  return root
}

async function goTo(hash: string): Promise<void> {
  window.location.hash = hash
  await settle()
}

function navLink(root: HTMLElement, text: string): HTMLAnchorElement {
  const link = [...root.querySelectorAll<HTMLAnchorElement>('.govuk-service-navigation__link')].find(
    (a) => a.textContent?.trim() === text,
  )
  if (!link) throw new Error(`No navigation link "${text}"`)
  return link
}

describe('starting Doorstep', () => {
  let router: Router | null = null

  async function start(options: Parameters<typeof mockBackend>[0] = {}): Promise<HTMLElement> {
    window.history.replaceState(null, '', '/')
    mockBackend(options)
    const root = mountRoot()
    router?.stop()
    router = await startApp(root)
    return root
  }

  it('asks Rust for its settings once', async () => {
    const backend = mockBackend()
    router?.stop()
    router = await startApp(mountRoot())
    await goTo('#/about')
    await goTo('#/cases')
    expect(backend.calls.filter((c) => c.cmd === 'app_info')).toHaveLength(1)
  })

  it('shows the council name in the header and Doorstep as the service', async () => {
    const root = await start()
    expect(root.querySelector('.doorstep-header')?.textContent?.trim()).toBe('Example Borough Council')
    expect(root.querySelector('.govuk-service-navigation__service-name')?.textContent?.trim()).toBe('Doorstep')
  })

  it('brands the page with the council colour', async () => {
    await start()
    expect(document.documentElement.style.getPropertyValue(COUNCIL_COLOUR_PROPERTY)).toBe('#1d4f91')
  })

  it('puts the skip link first and points it at the main content', async () => {
    const root = await start()
    const first = root.firstElementChild as HTMLAnchorElement
    expect(first.className).toBe('govuk-skip-link')
    expect(first.getAttribute('href')).toBe('#main-content')
    expect(root.querySelector('main#main-content')).not.toBeNull()
  })

  it('offers My cases, Today’s visits, Outbox, Conflicts, Sign in, Sign out and About this device in the navigation', async () => {
    const root = await start()
    const links = [...root.querySelectorAll('.govuk-service-navigation__list a')].map((a) => [
      a.textContent?.trim(),
      a.getAttribute('href'),
    ])
    expect(links).toEqual([
      ['My cases', '#/cases'],
      ['Today’s visits', '#/visits'],
      ['Outbox', '#/outbox'],
      ['Conflicts', '#/conflicts'],
      ['Sign in', '#/sign-in'],
      ['Sign out', '#/sign-out'],
      ['About this device', '#/about'],
    ])
  })

  it('puts the sync status and the live region between the header and the page', async () => {
    const root = await start()
    const band = root.querySelector('[data-sync-status]')!
    expect(band.getAttribute('aria-label')).toBe('Sync status')
    expect(band.previousElementSibling?.tagName).toBe('HEADER')
    expect(root.querySelector('[data-live-region]')?.getAttribute('aria-live')).toBe('polite')
  })

  it('shows the app version from Rust in the footer', async () => {
    const root = await start({ appInfo: { ...EXAMPLE_APP_INFO, version: '2.3.4' } })
    expect(root.querySelector('footer')?.textContent).toContain('Doorstep version 2.3.4')
  })

  it('opens on the sign-in page, marked as the current page', async () => {
    const root = await start()
    expect(document.title).toBe('Sign in – Doorstep')
    expect(root.querySelector('h1')?.textContent).toBe('Sign in')
    expect(navLink(root, 'Sign in').getAttribute('aria-current')).toBe('page')
    expect(root.querySelectorAll('[aria-current]')).toHaveLength(1)
  })

  it('leaves focus at the top on first load so the skip link is the first Tab stop', async () => {
    await start()
    expect(document.activeElement).toBe(document.body)
  })

  it('moves to My cases, updates the title, current link and focus', async () => {
    const root = await start()
    await goTo('#/cases')
    const h1 = root.querySelector('h1')!
    expect(h1.textContent).toBe('My cases')
    expect(document.title).toBe('My cases – Doorstep')
    expect(document.activeElement).toBe(h1)
    expect(navLink(root, 'My cases').getAttribute('aria-current')).toBe('page')
    expect(navLink(root, 'Sign in').hasAttribute('aria-current')).toBe(false)
  })

  it('starts GOV.UK Frontend components in each newly rendered page', async () => {
    const root = await start()
    expect(root.querySelector('[data-module="govuk-password-input"]')?.hasAttribute('data-govuk-password-input-init')).toBe(true)
    expect(root.querySelector('.govuk-password-input__toggle')?.hasAttribute('hidden')).toBe(false)
    await goTo('#/cases')
    await goTo('#/sign-in')
    expect(root.querySelector('[data-module="govuk-password-input"]')?.hasAttribute('data-govuk-password-input-init')).toBe(true)
  })

  it('starts the shell components once', async () => {
    const root = await start()
    expect(root.querySelector('.govuk-service-navigation')?.hasAttribute('data-govuk-service-navigation-init')).toBe(true)
    expect(root.querySelector('.govuk-skip-link')?.hasAttribute('data-govuk-skip-link-init')).toBe(true)
  })

  it('says when a page does not exist, with no navigation item marked', async () => {
    const root = await start()
    await goTo('#/reports')
    expect(root.querySelector('h1')?.textContent).toBe('Page not found')
    expect(document.title).toBe('Page not found – Doorstep')
    expect(root.querySelectorAll('[aria-current]')).toHaveLength(0)
  })

  it('shows a council name containing markup as plain text', async () => {
    const root = await start({
      appInfo: { ...EXAMPLE_APP_INFO, council: { name: '<b>Evil</b> & Co', colour: '#1d4f91' } },
    })
    expect(root.querySelector('.doorstep-header b')).toBeNull()
    expect(root.querySelector('.doorstep-header')?.textContent?.trim()).toBe('<b>Evil</b> & Co')
  })

  it('explains what to do, rather than showing a blank window, when the settings cannot be read', async () => {
    const root = await start({
      appInfo: () => {
        throw 'database locked'
      },
    })
    expect(root.querySelector('h1')?.textContent).toBe('Sorry, there is a problem with Doorstep')
    expect(root.textContent).toContain('Doorstep could not read its settings')
    expect(root.textContent).toContain('Close Doorstep and open it again.')
    expect(root.textContent).toContain('contact your IT service desk')
    expect(root.querySelector('.govuk-details__text')?.textContent).toContain('database locked')
    expect(document.title).toBe('Sorry, there is a problem with Doorstep – Doorstep')
    expect(root.querySelector('.govuk-service-navigation')).toBeNull()
    expect(root.querySelector('[data-sync-status]')).toBeNull()
    expect(router).toBeNull()
  })

  it('shows the same error when the settings are in an unexpected shape', async () => {
    const root = await start({ appInfo: () => ({ version: 1 }) })
    expect(root.querySelector('h1')?.textContent).toBe('Sorry, there is a problem with Doorstep')
    expect(root.querySelector('.govuk-details__text')?.textContent).toContain('unexpected format')
  })
})
