// Browser tests of the team lead's review: Cases to review (#/reviews) and
// the decision on the case page, against the built UI under the real CSP,
// with fake-device.ts standing in for Rust. Each state is checked with axe
// and saved to test-output/ui/review-*.png; the last test makes a whole
// review with only the keyboard.
// Run `npm run build` first (or build elsewhere and set DOORSTEP_UI_DIST).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { assertBuilt, axeViolations, browserTestSession, focused, screenshot, tabTo, waitForSaved } from './helpers.mjs'

assertBuilt()

/** lee.lead leads sam.caseworker's team: three cases wait for review. */
const LEAD = { cases: 'sample', role: 'team-lead', user: 'lee.lead' }
const CASEWORKER = { cases: 'sample' }
const { withApp } = browserTestSession({ scenario: LEAD })
const NARROW = { width: 320, height: 640 }

// The sample cases waiting for review (SAMPLE_IDS in fake-device.ts), oldest submission first.
const BLUE_BADGE = { id: '01JDSAMPLE0000000000000012', reference: 'ASC-2026-0172' }
const FOOD_BANK = { id: '01JDSAMPLE0000000000000004', reference: 'WEL-2026-0020' }
const FIRE_SAFETY = { id: '01JDSAMPLE0000000000000013', reference: 'ASC-2026-0215' }

const COMMENT = 'Add the date of the mobility assessment to the narrative, then submit it again.'

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

async function queueShown(page) {
  await page.locator('h1', { hasText: 'Cases to review' }).waitFor()
  await page.locator('[data-reviews-body] > p').first().waitFor()
  await page.waitForFunction(() => !/Loading/.test(document.querySelector('[data-reviews-body]')?.textContent ?? ''))
}

async function caseShown(page) {
  await page.locator('.doorstep-case-page h1.doorstep-case-heading').waitFor()
}

const navLinks = (page) => page.locator('.govuk-service-navigation__list a').allInnerTexts()

async function calls(page, cmd) {
  return page.evaluate((name) => globalThis.__DOORSTEP_IPC_CALLS__.filter((c) => c.cmd === name).map((c) => c.payload), cmd)
}

describe('cases to review', () => {
  test('filled: one card per case, oldest submission first, with who submitted it and its risks', async () => {
    await withApp({ hash: '#/reviews' }, async (page) => {
      await queueShown(page)
      assert.equal(await page.title(), 'Cases to review – Doorstep')
      assert.equal((await page.locator('[data-review-count]').innerText()).trim(), '3 cases waiting, oldest first.')
      const links = page.locator('.doorstep-review-card h2 a')
      assert.deepEqual(await links.allInnerTexts(), [BLUE_BADGE.reference, FOOD_BANK.reference, FIRE_SAFETY.reference])
      assert.equal(await links.first().getAttribute('href'), `#/cases/${BLUE_BADGE.id}`)
      const fire = page.locator('.doorstep-review-card').nth(2)
      assert.match(await fire.innerText(), /By alex\.colleague/)
      assert.match(await fire.innerText(), /Oxygen cylinders in the home/)
      assert.equal(await page.locator('.govuk-service-navigation__list [aria-current="page"]').innerText(), 'Cases to review')
      await expectAccessible(page, 'review-queue')
    })
  })

  test('empty: says nothing is waiting', async () => {
    await withApp({ hash: '#/reviews', scenario: { signedIn: true, role: 'team-lead', user: 'lee.lead' } }, async (page) => {
      await queueShown(page)
      await page.getByText('No cases are waiting for review.').waitFor()
      assert.equal(await page.locator('.doorstep-review-card').count(), 0)
      await expectAccessible(page, 'review-queue-empty')
    })
  })

  test('a caseworker has no review item in the menu, and the address alone gets an explanation', async () => {
    await withApp({ hash: '#/reviews', scenario: CASEWORKER }, async (page) => {
      await queueShown(page)
      await page.getByText('Only team leads review cases.').waitFor()
      assert.equal(await page.locator('.doorstep-problem').count(), 0, 'not shown as an error')
      assert.ok(!(await navLinks(page)).includes('Cases to review'))
      await expectAccessible(page, 'review-queue-caseworker')
    })
  })

  test('at 320px the queue reflows with no sideways scrolling', async () => {
    await withApp({ hash: '#/reviews', viewport: NARROW }, async (page) => {
      await queueShown(page)
      await page.locator('.doorstep-review-card').nth(2).waitFor()
      await expectNoSidewaysScrolling(page)
      await expectAccessible(page, 'review-queue-narrow')
    })
  })
})

describe('deciding on a case', () => {
  test('the decision form comes first for a team lead, with the case’s earlier return in the timeline', async () => {
    await withApp({ hash: `#/cases/${BLUE_BADGE.id}` }, async (page) => {
      await caseShown(page)
      const section = page.locator('section', { has: page.locator('#case-decision') })
      await section.locator('legend', { hasText: 'What is your decision?' }).waitFor()
      assert.equal(await page.locator('.doorstep-case-contents__list a').first().innerText(), 'Review this case')
      assert.match(await page.locator('.doorstep-timeline').innerText(), /Returned with comments[\s\S]*Add the notes from the mobility assessment/)
      await expectAccessible(page, 'review-case-form')
    })
  })

  test('saving with no decision, then returning with no comments: each problem is summarised and shown at its field', async () => {
    await withApp({ hash: `#/cases/${BLUE_BADGE.id}` }, async (page) => {
      await caseShown(page)
      await page.getByRole('button', { name: 'Save decision' }).click()
      const summary = page.locator('.govuk-error-summary')
      await summary.waitFor()
      assert.match((await focused(page)).className, /govuk-error-summary/)
      assert.equal(await summary.getByRole('link').getAttribute('href'), '#review-decision')
      assert.match(await page.locator('#review-decision-error').innerText(), /Select whether to approve the case or return it/)
      assert.match(await page.title(), /^Error: /)
      await expectAccessible(page, 'review-case-error-no-decision')

      await page.getByLabel('Return it to the caseworker with comments').check()
      await page.getByRole('button', { name: 'Save decision' }).click()
      await page.locator('#review-comment-error').waitFor()
      assert.equal(await summary.getByRole('link').getAttribute('href'), '#review-comment')
      // The summary's link takes focus to the comment box.
      await summary.getByRole('link').click()
      assert.equal((await focused(page)).id, 'review-comment')
      assert.deepEqual(await calls(page, 'review_case'), [], 'nothing reached Rust')
      await expectAccessible(page, 'review-case-error-no-comment')
    })
  })

  test('approving closes the case, says it is saved on this laptop and moves focus to the confirmation', async () => {
    await withApp({ hash: `#/cases/${FOOD_BANK.id}` }, async (page) => {
      await caseShown(page)
      await page.getByLabel('Approve and close the case').check()
      await page.getByRole('button', { name: 'Save decision' }).click()
      await waitForSaved(page)
      assert.equal((await focused(page)).id, 'review-saved')
      assert.match(await page.locator('#review-saved').innerText(), /Decision saved on this laptop\. It goes to the server when you are online\./)
      assert.equal(await page.locator('#case-decision').count(), 0)
      assert.match(await page.locator('.govuk-summary-list').first().innerText(), /Status\s+Closed/)
      assert.deepEqual(await calls(page, 'review_case'), [{ caseId: FOOD_BANK.id, decision: 'approved', comment: '' }])
      await expectAccessible(page, 'review-case-approved')
    })
  })

  test('a decision the server refuses, because the person is no longer a lead, is explained beside the review', async () => {
    await withApp({ hash: `#/cases/${FOOD_BANK.id}` }, async (page) => {
      await caseShown(page)
      await page.getByLabel('Approve and close the case').check()
      await page.getByRole('button', { name: 'Save decision' }).click()
      await waitForSaved(page)
      // The next sync brings the news: the server no longer counts them as a lead.
      await page.evaluate(() => {
        globalThis.__DOORSTEP_FAKE__.setServerRole('caseworker')
        globalThis.__DOORSTEP_FAKE__.finishSync()
      })
      await page.evaluate(() => (location.hash = '#/outbox'))
      await page.locator('h1', { hasText: 'Outbox' }).waitFor()
      await page.getByText('Refused by the server').waitFor()
      assert.ok(!(await navLinks(page)).includes('Cases to review'), 'the menu follows the role the server gave')
      await page.evaluate((id) => (location.hash = `#/cases/${id}`), FOOD_BANK.id)
      await caseShown(page)
      const review = page.locator('section', { has: page.locator('#case-review') })
      assert.match(await review.innerText(), /The server refused the changes made to this case on this laptop: Only a team lead can approve or return a case\./)
      await expectAccessible(page, 'review-case-refused')
    })
  })

  test('a caseworker sees that the case waits for their team lead, and no form', async () => {
    await withApp({ hash: `#/cases/${BLUE_BADGE.id}`, scenario: CASEWORKER }, async (page) => {
      await caseShown(page)
      await page.locator('.govuk-inset-text', { hasText: 'This case is waiting for your team lead to review it.' }).waitFor()
      assert.equal(await page.locator('[data-form="review-case"]').count(), 0)
      await expectAccessible(page, 'review-case-caseworker')
    })
  })

  test('at 320px the decision form reflows with no sideways scrolling', async () => {
    await withApp({ hash: `#/cases/${BLUE_BADGE.id}`, viewport: NARROW }, async (page) => {
      await caseShown(page)
      await page.locator('#review-comment').waitFor()
      await page.getByRole('button', { name: 'Save decision' }).click()
      await page.locator('.govuk-error-summary').waitFor()
      await expectNoSidewaysScrolling(page)
      await expectAccessible(page, 'review-case-form-narrow')
    })
  })
})

describe('a review with only the keyboard', () => {
  test('from My cases to the oldest case waiting, returned with comments', async () => {
    await withApp({ hash: '#/cases' }, async (page) => {
      await page.locator('h1', { hasText: 'My cases' }).waitFor()
      // The menu learns the role from Rust just after the page opens.
      await page.locator('.govuk-service-navigation__list a', { hasText: 'Cases to review' }).waitFor()
      await tabTo(page, (el) => el.tag === 'a' && el.text === 'Cases to review', { backwards: true })
      await page.keyboard.press('Enter')
      await queueShown(page)
      assert.equal((await focused(page)).tag, 'h1', 'focus lands on the Cases to review heading')

      // The first card is the oldest submission.
      await tabTo(page, (el) => el.tag === 'a' && el.text.startsWith('ASC-'))
      assert.equal((await focused(page)).text, BLUE_BADGE.reference)
      await page.keyboard.press('Enter')
      await caseShown(page)
      assert.equal(await page.evaluate(() => location.hash), `#/cases/${BLUE_BADGE.id}`)

      // The contents list leads straight to the decision.
      await tabTo(page, (el) => el.tag === 'a' && el.text === 'Review this case')
      await page.keyboard.press('Enter')
      assert.equal((await focused(page)).id, 'case-decision')
      await page.keyboard.press('Tab')
      assert.equal((await focused(page)).id, 'review-decision')
      // Arrow keys move through the radios, choosing as they go.
      await page.keyboard.press('ArrowDown')
      assert.equal((await focused(page)).id, 'review-decision-2')
      assert.equal(await page.isChecked('#review-decision-2'), true)
      await page.keyboard.press('Tab')
      assert.equal((await focused(page)).id, 'review-comment')
      await page.keyboard.type(COMMENT)
      await page.keyboard.press('Tab')
      assert.equal((await focused(page)).text, 'Save decision')
      await page.keyboard.press('Enter')
      await waitForSaved(page)

      assert.equal((await focused(page)).id, 'review-saved', 'focus moves to the confirmation')
      assert.deepEqual(await calls(page, 'review_case'), [{ caseId: BLUE_BADGE.id, decision: 'returned', comment: COMMENT }])
      assert.match(await page.locator('#case-returned').innerText(), new RegExp(`Returned by lee\\.lead[\\s\\S]*${COMMENT.replace(/[.,]/g, '\\$&')}`))
      const outbox = await page.evaluate(() => globalThis.__DOORSTEP_FAKE__.handle('outbox'))
      const changes = outbox.cases.find((c) => c.caseId === '01JDSAMPLE0000000000000012')?.changes.map((c) => c.description)
      assert.deepEqual(changes, ['Returned the case for more work'])

      await expectAccessible(page, 'review-keyboard-returned')
    })
  })
})
