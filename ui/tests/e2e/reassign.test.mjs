// Browser tests of a team lead's Reassign this case on the case page,
// against the built UI under the real CSP, with fake-device.ts standing in
// for Rust. Each state is checked with axe and saved to
// test-output/ui/reassign-*.png; the last test reassigns with only the
// keyboard.
// Run `npm run build` first (or build elsewhere and set DOORSTEP_UI_DIST).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { assertBuilt, axeViolations, browserTestSession, focused, screenshot, tabTo, waitForSaved } from './helpers.mjs'

assertBuilt()

/** lee.lead leads sam.caseworker (11 open cases on the laptop) and alex.colleague (1). */
const LEAD = { cases: 'sample', role: 'team-lead', user: 'lee.lead' }
const CASEWORKER = { cases: 'sample' }
const { withApp } = browserTestSession({ scenario: LEAD })
const NARROW = { width: 320, height: 640 }

/** sam.caseworker's damp case (SAMPLE_IDS.damp in fake-device.ts). */
const DAMP = '01JDSAMPLE0000000000000001'
const caseHash = (id) => `#/cases/${id}`

const SUCCESS_TEXT =
  'Reassigned to alex.colleague. The case leaves sam.caseworker’s laptop after anything they have not sent yet reaches the server.'

async function caseShown(page) {
  await page.locator('.doorstep-case-page h1.doorstep-case-heading').waitFor()
}

/** Reassign appears once the app has the role and the team's caseload. */
async function reassignShown(page) {
  await caseShown(page)
  await page.locator('form[data-form="reassign"]').waitFor()
}

/** axe finds nothing, and the page is saved to test-output/ui/<name>.png for people to look at. */
async function expectAccessible(page, name) {
  const violations = await axeViolations(page)
  assert.equal(violations.length, 0, `axe found accessibility problems on ${name}:\n${violations.join('\n')}`)
  await screenshot(page, name)
}

async function expectNoSidewaysScrolling(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(width <= 320, `no sideways scrolling at 320px (the page is ${width}px wide)`)
}

async function calls(page, cmd) {
  return page.evaluate((name) => globalThis.__DOORSTEP_IPC_CALLS__.filter((c) => c.cmd === name).map((c) => c.payload), cmd)
}

const reassignSection = (page) => page.locator('section', { has: page.locator('#case-reassign') })

async function assignedToRow(page) {
  const row = page.locator('.govuk-summary-list__row', { has: page.locator('dt', { hasText: 'Assigned to' }) }).first()
  return (await row.locator('.govuk-summary-list__value').innerText()).trim()
}

describe('a team lead reassigning a case', () => {
  test('the form lists the team with their open cases, the current worker chosen', async () => {
    await withApp({ hash: caseHash(DAMP) }, async (page) => {
      await reassignShown(page)
      const section = reassignSection(page)
      assert.deepEqual(
        (await section.locator('.govuk-radios__label').allInnerTexts()).map((t) => t.trim()),
        ['alex.colleague', 'sam.caseworker (assigned now)', 'Someone else'],
      )
      assert.deepEqual(
        (await section.locator('.govuk-radios__hint').allInnerTexts()).map((t) => t.trim()).slice(0, 2),
        ['1 open case', '11 open cases'],
      )
      assert.equal(await page.isChecked('#reassign-to-2'), true)
      assert.equal(await page.locator('#reassign-other').isVisible(), false, 'the name box waits for Someone else')
      await expectAccessible(page, 'reassign-form')

      await page.getByLabel('Someone else').check()
      await page.locator('#reassign-other').waitFor()
      await expectAccessible(page, 'reassign-form-someone-else')
    })
  })

  test('the same person, then Someone else with no name: each problem is summarised and shown at its control', async () => {
    await withApp({ hash: caseHash(DAMP) }, async (page) => {
      await reassignShown(page)
      await page.getByRole('button', { name: 'Reassign case' }).click()
      const summary = page.locator('.govuk-error-summary')
      await summary.waitFor()
      assert.match((await focused(page)).className, /govuk-error-summary/)
      assert.equal(await summary.getByRole('link').innerText(), 'The case is already assigned to sam.caseworker')
      assert.equal(await summary.getByRole('link').getAttribute('href'), '#reassign-to')
      assert.match(await page.locator('#reassign-to-error').innerText(), /The case is already assigned to sam\.caseworker/)
      assert.match(await page.title(), /^Error: /)
      await expectAccessible(page, 'reassign-error-same-person')

      await page.getByLabel('Someone else').check()
      await page.getByRole('button', { name: 'Reassign case' }).click()
      await page.locator('#reassign-other-error').waitFor()
      assert.equal(await summary.getByRole('link').innerText(), 'Enter the username of the person to assign the case to')
      // The summary's link takes focus to the name box, which stays revealed.
      await summary.getByRole('link').click()
      assert.equal((await focused(page)).id, 'reassign-other')
      assert.deepEqual(await calls(page, 'set_field'), [], 'nothing reached Rust')
      await expectAccessible(page, 'reassign-error')
    })
  })

  test('reassigning saves on the laptop, confirms where the case goes, and moves focus to the confirmation', async () => {
    await withApp({ hash: caseHash(DAMP) }, async (page) => {
      await reassignShown(page)
      await page.getByLabel('alex.colleague').check()
      await page.getByRole('button', { name: 'Reassign case' }).click()
      await waitForSaved(page)
      assert.equal((await focused(page)).id, 'reassign-saved')
      assert.equal((await page.locator('#reassign-saved .govuk-notification-banner__content').innerText()).replace(/\s+/g, ' ').trim(), SUCCESS_TEXT)
      assert.equal(await assignedToRow(page), 'alex.colleague')
      assert.equal(await page.locator('label[for="reassign-to"]').innerText(), 'alex.colleague (assigned now)')
      assert.deepEqual(await calls(page, 'set_field'), [{ caseId: DAMP, field: 'assigned_to', value: 'alex.colleague' }])
      await expectAccessible(page, 'reassign-success')
    })
  })

  test('at 320px the form, its errors and the confirmation reflow with no sideways scrolling', async () => {
    await withApp({ hash: caseHash(DAMP), viewport: NARROW }, async (page) => {
      await reassignShown(page)
      await page.getByLabel('Someone else').check()
      await page.getByRole('button', { name: 'Reassign case' }).click()
      await page.locator('#reassign-other-error').waitFor()
      await page.locator('#case-reassign').scrollIntoViewIfNeeded()
      await expectNoSidewaysScrolling(page)
      await expectAccessible(page, 'reassign-narrow')

      await page.locator('#reassign-other').fill('priya.a-very-long-username.riverside-north')
      await page.getByRole('button', { name: 'Reassign case' }).click()
      await waitForSaved(page)
      await page.locator('#reassign-saved').waitFor()
      await expectNoSidewaysScrolling(page)
      await expectAccessible(page, 'reassign-narrow-success')
    })
  })

  test('when the team cannot be listed, the lead types the name instead', async () => {
    const failures = { team_caseload: { code: 'not_a_team_lead', message: 'Only team leads can see their team’s caseload.' } }
    await withApp({ hash: caseHash(DAMP), scenario: { ...LEAD, failures } }, async (page) => {
      await reassignShown(page)
      assert.equal(await reassignSection(page).locator('input[type="radio"]').count(), 0)
      await page.getByText('Doorstep could not list the people in your team').waitFor()
      await page.getByLabel('Who should the case be assigned to?').fill('alex.colleague')
      await page.getByRole('button', { name: 'Reassign case' }).click()
      await waitForSaved(page)
      assert.deepEqual(await calls(page, 'set_field'), [{ caseId: DAMP, field: 'assigned_to', value: 'alex.colleague' }])
      await expectAccessible(page, 'reassign-fallback-success')
    })
  })

  test('a caseworker has no Reassign, and Change for Assigned to as before', async () => {
    await withApp({ hash: caseHash(DAMP), scenario: CASEWORKER }, async (page) => {
      await caseShown(page)
      await page.getByRole('button', { name: 'Change assigned to' }).waitFor()
      assert.equal(await page.locator('#case-reassign').count(), 0)
      assert.equal(await page.locator('[data-form="reassign"]').count(), 0)
      assert.deepEqual(await calls(page, 'team_caseload'), [])
    })
  })
})

describe('reassigning with only the keyboard', () => {
  test('from the contents list to the colleague, with Tab, the arrow keys and Enter', async () => {
    await withApp({ hash: caseHash(DAMP) }, async (page) => {
      await reassignShown(page)
      await tabTo(page, (el) => el.tag === 'a' && el.text === 'Reassign this case')
      await page.keyboard.press('Enter')
      assert.equal((await focused(page)).id, 'case-reassign', 'focus moves to the section')

      // Into the radios: Tab lands on the one chosen, the current worker.
      await page.keyboard.press('Tab')
      assert.equal((await focused(page)).id, 'reassign-to-2')
      await page.keyboard.press('ArrowUp')
      assert.equal((await focused(page)).id, 'reassign-to')
      assert.equal(await page.isChecked('#reassign-to'), true)
      // The hidden name box is not a stop: next is the button.
      await page.keyboard.press('Tab')
      assert.equal((await focused(page)).text, 'Reassign case')
      await page.keyboard.press('Enter')
      await waitForSaved(page)

      assert.equal((await focused(page)).id, 'reassign-saved', 'focus moves to the confirmation')
      assert.deepEqual(await calls(page, 'set_field'), [{ caseId: DAMP, field: 'assigned_to', value: 'alex.colleague' }])
      const outbox = await page.evaluate(() => globalThis.__DOORSTEP_FAKE__.handle('outbox'))
      const changes = outbox.cases.find((c) => c.caseId === '01JDSAMPLE0000000000000001')?.changes.map((c) => c.description)
      assert.ok(changes?.includes('Changed assigned to'), 'waiting in the outbox to sync')
      await expectAccessible(page, 'reassign-keyboard-success')
    })
  })
})
