import { afterEach, describe, expect, it } from 'vitest'
import { isKnownLocked, resetLockState, startLockWatch, takeReturnPath } from '../idle'
import { EXAMPLE_APP_INFO } from '../test/fixtures'
import { ipcError, mockLockBackend, rejectWith } from '../test/lock-backend'
import { openView } from '../test/render-view'
import { aboutView } from './about'
import type { ViewContext } from './view'

function render(info = EXAMPLE_APP_INFO): Map<string, string> {
  const container = document.createElement('div')
  const ctx: ViewContext = { info, navigate: () => {}, setTitle: () => {}, initComponents: () => {} }
  aboutView.render(container, ctx)
  document.body.append(container)
  expect(container.querySelector('h1')?.textContent).toBe('About this device')
  const rows = new Map<string, string>()
  container.querySelectorAll('.govuk-summary-list__row').forEach((row) => {
    rows.set(row.querySelector('dt')!.textContent!.trim(), row.querySelector('dd')!.textContent!.trim())
  })
  return rows
}

describe('About this device', () => {
  it('lists the version, data folder, server and council that Rust reported', () => {
    expect([...render()]).toEqual([
      ['App version', '0.1.0'],
      ['Data folder', '/home/x/.local/share/uk.org.doorstep.desktop'],
      ['Server', 'http://127.0.0.1:8787'],
      ['Council', 'Example Borough Council'],
    ])
  })

  it('says the server is not set when there is no server address yet', () => {
    expect(render({ ...EXAMPLE_APP_INFO, serverUrl: null }).get('Server')).toBe('Not set')
  })

  it('shows a data folder path with markup characters as text', () => {
    expect(render({ ...EXAMPLE_APP_INFO, dataDir: '/home/<x>/data' }).get('Data folder')).toBe('/home/<x>/data')
  })

  it('has a heading that can take focus after navigation', () => {
    const container = document.createElement('div')
    aboutView.render(container, { info: EXAMPLE_APP_INFO, navigate: () => {}, setTitle: () => {}, initComponents: () => {} })
    expect(container.querySelector('h1')?.getAttribute('tabindex')).toBe('-1')
  })
})

describe('locking Doorstep from About this device', () => {
  afterEach(() => resetLockState())

  function watchRoutes() {
    const router = { visited: [] as string[], currentPath: '/about' as string | null, navigate: (path: string) => void router.visited.push(path) }
    startLockWatch(router)
    return router
  }

  it('locks at once and shows the lock screen, coming back here after unlocking', async () => {
    const backend = mockLockBackend({ lock: () => null })
    const router = watchRoutes()
    const page = openView(aboutView)
    const button = page.container.querySelector<HTMLButtonElement>('button[data-lock-now]')!
    expect(button.textContent?.trim()).toBe('Lock Doorstep')
    await page.click('button[data-lock-now]')
    expect(backend.count('lock')).toBe(1)
    expect(router.visited).toEqual(['/unlock'])
    expect(isKnownLocked()).toBe(true)
    expect(takeReturnPath()).toBe('/about')
  })

  it('explains that a PIN is needed first, with a link to set one', async () => {
    mockLockBackend({ lock: rejectWith(ipcError('no_pin', 'No PIN is set on this laptop. Sign in with your council password')) })
    const router = watchRoutes()
    const page = openView(aboutView)
    await page.click('button[data-lock-now]')
    const problem = page.container.querySelector('[data-lock-problem]')!
    expect(problem.getAttribute('role')).toBe('alert')
    expect(problem.textContent).toContain('You need to set a PIN before you can lock Doorstep.')
    expect(problem.querySelector('a')?.getAttribute('href')).toBe('#/set-pin')
    expect(router.visited).toEqual([])
  })

  it('shows any other reason in Rust’s words', async () => {
    mockLockBackend({ lock: rejectWith(ipcError('store_error', 'The store could not be read')) })
    const page = openView(aboutView)
    await page.click('button[data-lock-now]')
    expect(page.container.querySelector('[data-lock-problem]')?.textContent?.trim()).toBe('The store could not be read')
  })
})

describe('the accessibility statement', () => {
  it('is named on the page by its file, since the app cannot open files from the source code', () => {
    const page = openView(aboutView)
    expect(page.text()).toContain('WCAG) 2.2 at level AA')
    expect(page.container.querySelector('code')?.textContent).toBe('docs/accessibility.md')
    expect(page.text()).toContain('Your IT service desk can give you a copy.')
  })
})
