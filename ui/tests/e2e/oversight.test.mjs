// Browser tests of a team lead's oversight outside Your team: the
// lone-worker banner above every page, the case page's access record, a
// worker's activity, and who each conflicted case is assigned to. Against
// the built UI under the real CSP, with fake-device.ts standing in for
// Rust (whose lead sample has one open alert, for jo.duty on HOU-2026-0433).
// Each state is checked with axe and saved to test-output/ui/oversight-*.png.
// Run `npm run build` first (or build elsewhere and set DOORSTEP_UI_DIST).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { assertBuilt, axeViolations, browserTestSession, focused, screenshot, tabTo } from './helpers.mjs'

assertBuilt()

/** lee.lead leads sam.caseworker, alex.colleague and the duty worker, jo.duty. */
const LEAD = { cases: 'sample', role: 'team-lead', user: 'lee.lead' }
const LEAD_OFFLINE = { ...LEAD, connection: 'offline' }
const CASEWORKER = { cases: 'sample' }
const { withApp } = browserTestSession({ scenario: LEAD })
const NARROW = { width: 320, height: 640 }

/** sam.caseworker's damp case (SAMPLE_IDS.damp in fake-device.ts), with the longest access record. */
const DAMP = '01JDSAMPLE0000000000000001'
const DUTY_CASE = '01JDSAMPLE0000000000000014'
const OFFLINE_MESSAGE = 'Could not reach the server at http://127.0.0.1:8787. Check the connection and try again.'

/** axe finds nothing, and the page is saved to test-output/ui/<name>.png for people to look at. */
async function expectAccessible(page, name) {
  const violations = await axeViolations(page)
  assert.equal(violations.length, 0, `axe found accessibility problems on ${name}:\n${violations.join('\n')}`)
  await screenshot(page, name)
}

async function calls(page, cmd) {
  return page.evaluate((name) => globalThis.__DOORSTEP_IPC_CALLS__.filter((c) => c.cmd === name).map((c) => c.payload), cmd)
}

async function caseShown(page) {
  await page.locator('.doorstep-case-page h1.doorstep-case-heading').waitFor()
}

const banner = (page) => page.locator('[data-lone-worker-banner]')
const accessSection = (page) => page.locator('section', { has: page.locator('#case-access') })

describe('the lone-worker banner', () => {
  test('a team lead sees the open alert above another page, with links to the case and the Team page, and focus stays on the page', async () => {
    await withApp({ hash: '#/cases' }, async (page) => {
      await page.locator('h1', { hasText: 'My cases' }).waitFor()
      await banner(page).waitFor()
      assert.equal(await banner(page).getAttribute('role'), 'alert', 'read out: the lead has not heard of it yet')
      assert.equal(await banner(page).locator('h2').innerText(), 'Lone-worker alert')
      assert.match(
        await banner(page).locator('.govuk-notification-banner__heading').innerText(),
        /^Lone-worker alert: jo\.duty checked in at case HOU-2026-0433 and should have finished by \d{1,2}(:\d\d)?(am|pm)\. They have not checked out\.$/,
      )
      assert.equal(await banner(page).getByRole('link', { name: 'Go to case HOU-2026-0433' }).getAttribute('href'), `#/cases/${DUTY_CASE}`)
      assert.equal(await banner(page).getByRole('link', { name: 'See every alert on the Team page' }).getAttribute('href'), '#/team')
      // Inside main, before the page: the skip link reaches it first.
      assert.equal(await page.evaluate(() => document.querySelector('main')?.firstElementChild?.contains(document.querySelector('[data-lone-worker-banner]'))), true)
      assert.notEqual((await focused(page)).className.includes('govuk-notification-banner'), true)
      await expectAccessible(page, 'oversight-banner')

      // Another page: the same banner, no longer read out, and the new page's heading has focus.
      await page.locator('.govuk-service-navigation__list a', { hasText: 'Today’s visits' }).click()
      await page.locator('h1', { hasText: 'Today’s visits' }).waitFor()
      await page.waitForFunction(() => document.querySelector('[data-lone-worker-banner]')?.getAttribute('role') === 'region')
      assert.equal((await focused(page)).tag, 'h1')
      await expectAccessible(page, 'oversight-banner-region')

      // Going there is one Enter away.
      await banner(page).getByRole('link', { name: 'See every alert on the Team page' }).focus()
      await page.keyboard.press('Enter')
      await page.locator('h1', { hasText: 'Your team' }).waitFor()
      await page.waitForFunction(() => document.querySelector('[data-lone-worker-banner] a[href="#/team"]') === null)
      assert.equal(await banner(page).count(), 1, 'still shown on the Team page, without a link to itself')
    })
  })

  test('a new alert at a sync is read out; once the worker checks out and that reaches the server, the banner goes', async () => {
    await withApp({ hash: '#/visits' }, async (page) => {
      await banner(page).waitFor()
      await page.evaluate(async (caseId) => {
        const fake = globalThis.__DOORSTEP_FAKE__
        fake.serverRaisesAlert({ caseId, worker: 'alex.colleague' })
        await fake.handle('sync_now')
      }, '01JDSAMPLE0000000000000013')
      await page.waitForFunction(() => document.querySelectorAll('[data-lone-worker-banner] li').length === 2)
      assert.equal(await banner(page).getAttribute('role'), 'alert')
      assert.equal(await banner(page).locator('.govuk-notification-banner__heading').innerText(), '2 lone workers checked in and have not checked out in time.')
      await expectAccessible(page, 'oversight-banner-two')

      await page.evaluate(async (caseId) => {
        const fake = globalThis.__DOORSTEP_FAKE__
        await fake.handle('check_out', { caseId, visitId: '01JDVISIT00000000000000006', outcome: 'Safe; the family were out' })
        await fake.handle('check_out', { caseId: '01JDSAMPLE0000000000000013', visitId: '01JDVISIT00000000000000005', outcome: 'Safe' })
        await fake.handle('sync_now')
      }, DUTY_CASE)
      await page.waitForFunction(() => document.querySelector('[data-lone-worker-banner]') === null)
    })
  })

  test('a caseworker never sees it, and the app never asks for it', async () => {
    await withApp({ hash: '#/cases', scenario: CASEWORKER }, async (page) => {
      await page.locator('h1', { hasText: 'My cases' }).waitFor()
      await page.locator('.govuk-service-navigation__list a', { hasText: 'Today’s visits' }).click()
      await page.locator('h1', { hasText: 'Today’s visits' }).waitFor()
      await page.waitForTimeout(200)
      assert.equal(await banner(page).count(), 0)
      assert.deepEqual(await calls(page, 'team_alerts'), [])
    })
  })

  test('at 320px the banner reflows with the page', async () => {
    await withApp({ hash: '#/cases', viewport: NARROW }, async (page) => {
      await banner(page).waitFor()
      const width = await page.evaluate(() => document.documentElement.scrollWidth)
      assert.ok(width <= 320, `no sideways scrolling at 320px (the page is ${width}px wide)`)
      await expectAccessible(page, 'oversight-banner-narrow')
    })
  })
})

describe('who has accessed a case', () => {
  test('with only the keyboard: Tab to Show the access record, Enter, and the record appears with focus still on the button', async () => {
    await withApp({ hash: `#/cases/${DAMP}` }, async (page) => {
      await caseShown(page)
      await accessSection(page).locator('h2', { hasText: 'Who has accessed this case' }).waitFor()
      assert.deepEqual(await calls(page, 'case_access_record'), [], 'not asked until the lead asks')

      await tabTo(page, (el) => el.tag === 'button' && el.text === 'Show the access record', { limit: 200 })
      await page.keyboard.press('Enter')
      const table = accessSection(page).locator('table')
      await table.waitFor()
      assert.deepEqual(await calls(page, 'case_access_record'), [{ caseId: DAMP }])
      assert.equal((await focused(page)).text, 'Show the access record', 'focus stays on the button')
      assert.equal(await table.locator('caption').innerText(), 'Access record, newest first')
      assert.deepEqual(await table.locator('thead th').allInnerTexts(), ['When', 'Who', 'Laptop', 'What'])
      const what = await table.locator('tbody tr td:last-child').allInnerTexts()
      assert.equal(what[0], 'Opened on the laptop')
      assert.ok(what.includes('Read through the API') && what.includes('retention reviewed') && what.includes('Created on the laptop'))
      const edited = table.locator('tbody tr', { has: page.locator('td', { hasText: 'Edited on the laptop' }) })
      assert.match(await edited.locator('td').first().innerText(), /Recorded on the laptop at .+, reached the server at .+/)
      await page.waitForFunction(() => /^Access record shown: \d+ entries, newest first\.$/.test(document.querySelector('[data-live-region]')?.textContent ?? ''))
      await table.scrollIntoViewIfNeeded()
      await expectAccessible(page, 'oversight-access-record')
    })
  })

  test('offline, it says the record needs a connection, and the rest of the case is untouched', async () => {
    await withApp({ hash: `#/cases/${DAMP}`, scenario: LEAD_OFFLINE }, async (page) => {
      await caseShown(page)
      await accessSection(page).getByRole('button', { name: 'Show the access record' }).click()
      const inset = accessSection(page).locator('.govuk-inset-text')
      await inset.waitFor()
      assert.match(await inset.innerText(), new RegExp(`^${OFFLINE_MESSAGE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
      assert.match(await inset.innerText(), /needs a connection\. Everything else here works without one\.$/)
      assert.equal(await page.locator('.govuk-error-summary, .doorstep-problem').count(), 0)
      assert.equal(await page.locator('#case-details').count(), 1)
      await inset.scrollIntoViewIfNeeded()
      await expectAccessible(page, 'oversight-access-record-offline')
    })
  })

  test('a caseworker’s case page has no access record', async () => {
    await withApp({ hash: `#/cases/${DAMP}`, scenario: CASEWORKER }, async (page) => {
      await caseShown(page)
      await page.locator('#case-review').waitFor()
      assert.equal(await page.locator('#case-access').count(), 0)
      assert.equal(await page.getByRole('button', { name: 'Show the access record' }).count(), 0)
    })
  })
})

describe('a worker’s activity', () => {
  test('reached from their name on Your team with only the keyboard, it lists what they did, newest first, with each case linked', async () => {
    await withApp({ hash: '#/team' }, async (page) => {
      await page.locator('h1', { hasText: 'Your team' }).waitFor()
      await page.locator('[data-team-caseload] table').waitFor()
      await tabTo(page, (el) => el.tag === 'a' && el.text === 'alex.colleague', { limit: 200 })
      await page.keyboard.press('Enter')
      await page.locator('h1', { hasText: 'alex.colleague’s activity' }).waitFor()
      assert.equal(await page.evaluate(() => location.hash), '#/team/workers/alex.colleague')
      assert.equal((await focused(page)).tag, 'h1', 'focus moves to the new page’s heading')
      const table = page.locator('[data-access-table]')
      await table.waitFor()
      assert.equal(await page.title(), 'alex.colleague’s activity – Doorstep')
      assert.deepEqual(await table.locator('thead th').allInnerTexts(), ['When', 'Case', 'Who', 'Laptop', 'What'])
      assert.deepEqual(await table.locator('tbody tr td:last-child').allInnerTexts(), [
        'Edited on the laptop',
        'Removed from the laptop (no longer theirs)',
        'A change was refused',
      ])
      assert.deepEqual(await table.locator('tbody a').allInnerTexts(), ['ASC-2026-0215', 'HOU-2026-0412', 'HOU-2026-0412'])
      await expectAccessible(page, 'oversight-worker-activity')

      // The case is one Tab and Enter away.
      await tabTo(page, (el) => el.tag === 'a' && el.text === 'ASC-2026-0215')
      await page.keyboard.press('Enter')
      await caseShown(page)
      assert.equal(await page.evaluate(() => location.hash), '#/cases/01JDSAMPLE0000000000000013')
    })
  })

  test('offline, the page says it needs a connection and offers to try again', async () => {
    await withApp({ hash: '#/team/workers/jo.duty', scenario: LEAD_OFFLINE }, async (page) => {
      await page.locator('h1', { hasText: 'jo.duty’s activity' }).waitFor()
      const inset = page.locator('[data-access-offline]')
      await inset.waitFor()
      assert.match(await inset.innerText(), /^Could not reach the server at http:\/\/127\.0\.0\.1:8787\. Check the connection and try again\./)
      assert.equal(await page.locator('table').count(), 0)
      await expectAccessible(page, 'oversight-worker-activity-offline')

      await page.evaluate(() => globalThis.__DOORSTEP_FAKE__.setServerReachable(true))
      await page.getByRole('button', { name: 'Try again' }).click()
      await page.locator('[data-access-table]').waitFor()
      assert.deepEqual(await page.locator('[data-access-table] tbody td:last-child').allInnerTexts(), ['Opened on the laptop', 'Created the case (synced)'])
    })
  })

  test('a caseworker who types the address is told only team leads see it', async () => {
    await withApp({ hash: '#/team/workers/alex.colleague', scenario: CASEWORKER }, async (page) => {
      await page.getByText('Only team leads can see what a worker has done.').waitFor()
      assert.equal(await page.locator('table, .doorstep-problem').count(), 0)
      await expectAccessible(page, 'oversight-worker-activity-caseworker')
    })
  })
})

describe('conflicts, for a team lead', () => {
  test('each conflicted case says its reference and who it is assigned to', async () => {
    await withApp({ hash: '#/conflicts' }, async (page) => {
      await page.locator('.doorstep-conflict').first().waitFor()
      assert.deepEqual(await page.locator('[data-conflict-case-about]').allInnerTexts(), [
        'ASC-2026-0188. Assigned to sam.caseworker.',
        'EH-2026-0077. Assigned to sam.caseworker.',
      ])
      await expectAccessible(page, 'oversight-conflicts')
    })
  })
})
