// A team lead's "Who has accessed this case" on the case page: asked of the
// server only when the lead presses the button, and plain about being
// offline. Caseworkers never see it. Uses the browser tests' fake Rust side.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SAMPLE_IDS } from '../../tests/e2e/fake-device'
import { pageTitle } from '../app'
import { initViewComponents } from '../govuk'
import { resetLockState } from '../idle'
import { attachLiveRegion } from '../live-region'
import { readRole } from '../role'
import { mockDevice, textOf, type FakeBackend } from '../test/fake-backend'
import { EXAMPLE_APP_INFO, settle } from '../test/fixtures'
import { casePageView, forgetWorkKeptForUnlock } from './case-page'
import { ACCESS_BUTTON_ID, NO_ACCESS_ENTRIES, SHOW_ACCESS_RECORD, accessSectionMarkup } from './case-page-access'
import type { ViewContext } from './view'

const LEAD = { cases: 'sample', role: 'team-lead', user: 'lee.lead' } as const

afterEach(() => {
  resetLockState()
  forgetWorkKeptForUnlock()
})

async function openCase(caseId: string) {
  void readRole().catch(() => {})
  const container = document.createElement('div')
  const liveRegion = document.createElement('div')
  attachLiveRegion(liveRegion)
  const ctx: ViewContext = {
    info: EXAMPLE_APP_INFO,
    navigate: vi.fn(),
    setTitle: (title, o) => {
      document.title = pageTitle(title, o)
    },
    initComponents: initViewComponents,
    params: { id: caseId },
  }
  casePageView.render(container, ctx)
  document.body.append(liveRegion, container)
  await settle()
  const section = () => container.querySelector<HTMLElement>('#case-access')?.closest('section') ?? null
  const button = () => container.querySelector<HTMLButtonElement>(`#${ACCESS_BUTTON_ID}`)
  return {
    container,
    section,
    button,
    liveRegion,
    async press() {
      const pressed = button()!
      pressed.focus()
      pressed.click()
      await settle()
      // Past the live region's rewrite.
      await new Promise((resolve) => setTimeout(resolve, 80))
    },
  }
}

const accessCalls = (backend: FakeBackend) => backend.sent('case_access_record')

describe('who has accessed a case, for a team lead', () => {
  it('offers the record at the end of the case, in the contents too, without asking the server until asked', async () => {
    const backend = mockDevice(LEAD)
    const page = await openCase(SAMPLE_IDS.damp)
    expect(textOf(page.section()?.querySelector('h2'))).toBe('Who has accessed this case')
    expect(page.section()).toBe(page.container.querySelector('.doorstep-case-section:last-of-type'))
    expect([...page.container.querySelectorAll('.doorstep-case-contents a')].map((a) => textOf(a)).at(-1)).toBe('Who has accessed this case')
    expect(textOf(page.button())).toBe(SHOW_ACCESS_RECORD)
    expect(accessCalls(backend)).toEqual([])
  })

  it('shows the record, newest first, in plain words, with the laptop’s time where it was long before the server’s', async () => {
    const backend = mockDevice(LEAD)
    const page = await openCase(SAMPLE_IDS.damp)
    await page.press()
    expect(accessCalls(backend)).toEqual([{ caseId: SAMPLE_IDS.damp }])
    const table = page.section()!.querySelector('table')!
    expect(textOf(table.querySelector('caption'))).toBe('Access record, newest first')
    expect([...table.querySelectorAll('thead th')].map((th) => textOf(th))).toEqual(['When', 'Who', 'Laptop', 'What'])
    const rows = [...table.querySelectorAll('tbody tr')].map((row) => [...row.children].map((cell) => textOf(cell)))
    expect(rows.map((row) => row[3])).toEqual([
      'Opened on the laptop',
      'retention reviewed',
      'Removed from the laptop (no longer theirs)',
      'A change was refused',
      'Read through the API',
      'Exported',
      'Uploaded a file',
      'Changed the case (synced)',
      'Edited on the laptop',
      'Opened on the laptop',
      'Downloaded to a laptop',
      'Created the case (synced)',
      'Created on the laptop',
    ])
    // Newest first, as the server gives it.
    const times = [...table.querySelectorAll('tbody tr td:first-child > time')].map((t) => t.getAttribute('datetime')!)
    expect([...times].sort().reverse()).toEqual(times)
    expect(rows[0]).toEqual([expect.any(String), 'sam.caseworker', 'RIV-LT-0142', 'Opened on the laptop'])
    const edited = rows.find((row) => row[3] === 'Edited on the laptop')!
    expect(edited[0]).toMatch(/Recorded on the laptop at \d{1,2}(:\d\d)?(am|pm), reached the server at \d{1,2}(:\d\d)?(am|pm)$/)
    const viewed = rows.find((row) => row[3] === 'Read through the API')!
    expect(viewed.slice(1)).toEqual(['lee.lead', '—', 'Read through the API'])
    expect(rows.find((row) => row[3] === 'retention reviewed')?.slice(1, 3)).toEqual(['—', '—'])
    // The lead is told it came, and stays where they were.
    expect(document.activeElement?.id).toBe(ACCESS_BUTTON_ID)
    expect(textOf(page.liveRegion)).toMatch(/^Access record shown: \d+ entries, newest first\.$/)
  })

  it('offline, says the record needs a connection, and nothing else on the page changes', async () => {
    const backend = mockDevice({ ...LEAD, connection: 'offline' })
    const page = await openCase(SAMPLE_IDS.damp)
    const before = page.container.querySelectorAll('.doorstep-case-section').length
    await page.press()
    const inset = page.section()!.querySelector('.govuk-inset-text[data-access-offline]')!
    expect(textOf(inset)).toBe(
      'Could not reach the server at http://127.0.0.1:8787. Check the connection and try again. ' +
        'The access record is kept on the server, so it needs a connection. Everything else here works without one.',
    )
    expect(page.container.querySelector('.doorstep-problem, .govuk-error-summary')).toBeNull()
    expect(page.container.querySelectorAll('.doorstep-case-section')).toHaveLength(before)
    expect(document.activeElement?.id).toBe(ACCESS_BUTTON_ID)

    // Back online, the same button asks again.
    backend.device.setServerReachable(true)
    await page.press()
    expect(page.section()!.querySelector('table')).not.toBeNull()
    expect(page.section()!.querySelector('[data-access-offline]')).toBeNull()
  })

  it('shows any other problem in Rust’s words', async () => {
    mockDevice({ ...LEAD, failures: { case_access_record: { code: 'server_error', message: 'The server could not read its log.' } } })
    const page = await openCase(SAMPLE_IDS.damp)
    await page.press()
    expect(textOf(page.section()!.querySelector('[data-access-problem]'))).toBe('The access record could not be shown. The server could not read its log.')
  })

  it('says when the server has no record for the case', async () => {
    mockDevice(LEAD)
    const page = await openCase(SAMPLE_IDS.arrears)
    await page.press()
    expect(textOf(page.section())).toContain(NO_ACCESS_ENTRIES)
    expect(page.section()!.querySelector('table')).toBeNull()
  })

  it('marks the button while the server is asked, and asks once however often it is pressed', async () => {
    const backend = mockDevice(LEAD)
    backend.device.delay('case_access_record', 60)
    const page = await openCase(SAMPLE_IDS.damp)
    page.button()!.click()
    await settle()
    expect(page.button()!.getAttribute('aria-disabled')).toBe('true')
    expect(textOf(page.section())).toContain('Asking the server…')
    page.button()!.click()
    await new Promise((resolve) => setTimeout(resolve, 120))
    await settle()
    expect(accessCalls(backend)).toHaveLength(1)
    expect(page.button()!.hasAttribute('aria-disabled')).toBe(false)
  })
})

describe('who has accessed a case, for anyone else', () => {
  it('is not on a caseworker’s case page', async () => {
    const backend = mockDevice({ cases: 'sample' })
    const page = await openCase(SAMPLE_IDS.damp)
    expect(page.section()).toBeNull()
    expect(page.button()).toBeNull()
    expect(accessCalls(backend)).toEqual([])
  })

  it('is markup the lead’s page alone asks for', () => {
    const div = document.createElement('div')
    div.innerHTML = accessSectionMarkup({ kind: 'not-asked' }).value
    expect(div.querySelector('[data-access-result]')?.children).toHaveLength(0)
  })
})
