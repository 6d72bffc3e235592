// The caseworker's main journey, end to end, with only the keyboard: sign in
// on a laptop that has casework but nobody signed in, set the PIN the app
// asks for, find a case by searching My cases, check in to its visit, add a
// note, check out and submit the case for review. Nothing here clicks, fills
// a field or changes the address: Tab, Shift+Tab, arrows, Enter, Space and
// typing only, so every step is proved reachable from the keyboard.
// Run `npm run build` first (or build elsewhere and set DOORSTEP_UI_DIST).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  assertBuilt,
  axeViolations,
  browserTestSession,
  focused,
  openApp,
  screenshot,
  tabTo,
  waitForSaved,
} from './helpers.mjs'

assertBuilt()

const { shared } = browserTestSession()

const PASSWORD = 'correct horse battery staple'
const PIN = '246810'
/** The sample housing case (SAMPLE_IDS.damp in fake-device.ts): Aisha Khan, with a visit today. */
const DAMP = { id: '01JDSAMPLE0000000000000001', reference: 'HOU-2026-0412', visitId: '01JDVISIT00000000000000001' }
const NOTE = 'Tenant showed me the mould. Son was at school.'
const OUTCOME = 'Landlord to fix the extractor fan.'

/** The cases the list shows now, by reference. */
const listedReferences = (page) => page.$$eval('.doorstep-case-row__link', (links) => links.map((a) => a.textContent.trim()))

/** The visit's summary card on the case page. */
const visitCard = (page) => page.locator('.govuk-summary-card', { has: page.locator('h3[id^="visit-"]') })

describe('the main journey with only a keyboard', () => {
  test('sign in, set the PIN, find a case, check in, add a note, check out and submit for review', async () => {
    const app = await openApp(shared.browser, {
      server: shared.server,
      mock: shared.mock,
      scenario: { cases: 'sample', signedIn: false, acceptPassword: PASSWORD },
    })
    const { page } = app
    try {
      // Signed out, but the laptop keeps earlier work, so the app opens on
      // My cases; the service navigation leads to Sign in.
      await page.locator('h1', { hasText: 'My cases' }).waitFor()
      await tabTo(page, (el) => el.tag === 'a' && el.text === 'Sign in')
      await page.keyboard.press('Enter')
      await page.locator('h1', { hasText: 'Sign in' }).waitFor()
      assert.equal((await focused(page)).tag, 'h1', 'focus lands on the Sign in heading')
      await tabTo(page, (el) => el.id === 'username')
      await page.keyboard.type('sam.caseworker')
      await page.keyboard.press('Tab')
      assert.equal((await focused(page)).id, 'password')
      await page.keyboard.type(PASSWORD)
      await tabTo(page, (el) => el.tag === 'button' && el.text === 'Sign in')
      await page.keyboard.press('Enter')

      // No PIN on this laptop yet, so Set your PIN opens, with focus on its heading.
      await page.locator('h1', { hasText: 'Set your PIN' }).waitFor()
      assert.equal((await focused(page)).tag, 'h1')
      await tabTo(page, (el) => el.id === 'pin')
      await page.keyboard.type(PIN)
      await tabTo(page, (el) => el.id === 'pin-confirm')
      await page.keyboard.type(PIN)
      // Enter in the confirmation submits the form.
      await page.keyboard.press('Enter')

      // My cases opens; search for the tenant, then Tab on to the one result.
      await page.locator('h1', { hasText: 'My cases' }).waitFor()
      await page.locator('.doorstep-case-row__link').first().waitFor()
      assert.ok((await listedReferences(page)).length > 1, 'before searching, the list has all the sample cases')
      await tabTo(page, (el) => el.id === 'case-search')
      await page.keyboard.type('Aisha Khan')
      await page.waitForFunction(
        (reference) => {
          const links = [...document.querySelectorAll('.doorstep-case-row__link')]
          return links.length === 1 && links[0].textContent.trim() === reference
        },
        DAMP.reference,
        { timeout: 5_000 },
      )
      await tabTo(page, (el) => el.className.includes('doorstep-case-row__link'))
      assert.equal((await focused(page)).text, DAMP.reference)
      await page.keyboard.press('Enter')

      // The case opens, focus on its heading.
      await page.locator('.doorstep-case-page h1.doorstep-case-heading').waitFor()
      assert.equal((await focused(page)).tag, 'h1', 'focus lands on the case heading')
      assert.equal(await page.evaluate(() => location.hash), `#/cases/${DAMP.id}`)

      // Check in: the expected end defaults to an hour from now.
      await tabTo(page, (el) => el.tag === 'button' && /^Check in to the visit/.test(el.text))
      await page.keyboard.press('Enter')
      await page.locator('#check-in-expected-end').waitFor()
      assert.equal((await focused(page)).id, 'check-in-expected-end')
      await tabTo(page, (el) => el.tag === 'button' && el.text === 'Check in')
      await page.keyboard.press('Enter')
      await waitForSaved(page)
      assert.match((await focused(page)).text, /^Check out of the visit/)

      // Add a note.
      await tabTo(page, (el) => el.id === 'note-text')
      await page.keyboard.type(NOTE)
      await tabTo(page, (el) => el.tag === 'button' && el.text === 'Add note')
      await page.keyboard.press('Enter')
      // "Saved on this laptop" is still up from the check-in, so wait for the note itself.
      await page.locator('.doorstep-timeline__entry').first().filter({ hasText: NOTE }).waitFor()
      await waitForSaved(page)

      // Check out, going back up the page.
      await tabTo(page, (el) => el.tag === 'button' && /^Check out of the visit/.test(el.text), { backwards: true })
      await page.keyboard.press('Enter')
      assert.equal((await focused(page)).id, 'check-out-outcome')
      await page.keyboard.type(OUTCOME)
      await tabTo(page, (el) => el.tag === 'button' && el.text === 'Check out')
      assert.doesNotMatch(await visitCard(page).innerText(), /Checked out/)
      await page.keyboard.press('Enter')
      await visitCard(page).filter({ hasText: 'Checked out' }).waitFor()
      await waitForSaved(page)

      // Submit for review, confirming first (Space on the button this time).
      await tabTo(page, (el) => el.tag === 'button' && el.text === 'Submit for review')
      await page.keyboard.press('Enter')
      assert.equal((await focused(page)).id, 'confirm-submit-heading')
      await tabTo(page, (el) => el.tag === 'button' && el.text === 'Yes, submit for review')
      await page.keyboard.press('Space')
      await page.getByText('This case is waiting for your team lead to review it.').waitFor()

      // What reached the (fake) Rust side, in order, and with what.
      const calls = await page.evaluate(() => globalThis.__DOORSTEP_IPC_CALLS__.map(({ cmd, payload }) => ({ cmd, payload })))
      const of = (cmd) => calls.filter((c) => c.cmd === cmd).map((c) => c.payload)
      const journey = ['sign_in', 'set_pin', 'check_in', 'add_note', 'check_out', 'submit_for_review']
      assert.deepEqual(
        calls.map((c) => c.cmd).filter((cmd) => journey.includes(cmd)),
        journey,
        'each step was sent once, in the order the caseworker took them',
      )
      const [signIn] = of('sign_in')
      assert.deepEqual({ ...signIn, password: signIn.password === PASSWORD }, {
        server: 'http://127.0.0.1:8787',
        username: 'sam.caseworker',
        password: true,
      })
      assert.deepEqual(of('set_pin'), [{ pin: PIN }])
      const [checkIn] = of('check_in')
      assert.equal(checkIn.caseId, DAMP.id)
      assert.equal(checkIn.visitId, DAMP.visitId)
      assert.match(checkIn.expectedEnd, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/, 'the expected end crosses the bridge as a UTC instant')
      assert.ok(Date.parse(checkIn.expectedEnd) > Date.now(), 'the expected end is in the future')
      assert.deepEqual(of('add_note'), [{ caseId: DAMP.id, text: NOTE }])
      assert.deepEqual(of('check_out'), [{ caseId: DAMP.id, visitId: DAMP.visitId, outcome: OUTCOME }])
      assert.deepEqual(of('submit_for_review'), [{ caseId: DAMP.id }])
      const searches = of('list_cases').map((q) => JSON.stringify(q))
      assert.ok(searches.some((q) => q.includes('Aisha Khan')), `My cases was searched for the tenant (${searches.join(', ')})`)

      // The fake's own state agrees: a PIN is set and the person is signed in.
      const status = await page.evaluate(() => globalThis.__DOORSTEP_FAKE__.handle('lock_status'))
      assert.equal(status.pinSet, true)
      assert.equal(status.signedIn, true)

      const violations = await axeViolations(page)
      assert.equal(violations.length, 0, `axe found accessibility problems on the submitted case:\n${violations.join('\n')}`)
      await screenshot(page, 'keyboard-journey-submitted')

      // Let any late console errors arrive.
      await page.waitForTimeout(100)
      assert.deepEqual(app.problems, [], 'the page reported errors')
    } finally {
      await app.context.close()
    }
  })
})
