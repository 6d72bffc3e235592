// Browser tests of the caseworker's lists (My cases, Today's visits, the
// outbox, conflicts, creating a case) and the sync status on every page,
// against the built UI under the real CSP, with fake-device.ts standing in
// for Rust. Run `npm run build` first; then `npm run test:e2e`.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { assertBuilt, axeViolations, browserTestSession, screenshot } from './helpers.mjs'

assertBuilt()

const { withApp } = browserTestSession()

const SAMPLE = { cases: 'sample' }
const SIGNED_IN_NOTHING_WAITING = { signedIn: true }
const TEN_THOUSAND = { cases: 10_000 }
const NARROW = { width: 320, height: 640 }
const LONG_SYNC = {
  round: 1,
  casesReceived: 1_200,
  casesRemaining: 8_800,
  casesSent: 0,
  casesToSend: 3,
  bytesSent: 0,
  bytesReceived: 3_400_000,
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

const band = (page) => page.locator('[data-sync-status]')
const liveRegion = (page) => page.locator('[data-live-region]')
const count = (page) => page.locator('#case-count')
const rowLinks = (page) => page.locator('.doorstep-case-row__link')

async function calls(page, cmd) {
  return page.evaluate((name) => globalThis.__DOORSTEP_IPC_CALLS__.filter((c) => c.cmd === name).map((c) => c.payload), cmd)
}

async function waitForAnnouncement(page, pattern) {
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.querySelector('[data-live-region]')?.textContent ?? ''),
    pattern.source,
    { timeout: 5_000 },
  )
}

async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement
    return {
      tag: el?.tagName.toLowerCase(),
      id: el?.id,
      text: el?.textContent?.trim().replace(/\s+/g, ' '),
      row: el?.closest('[aria-posinset]')?.getAttribute('aria-posinset') ?? null,
    }
  })
}

describe('the sync status, on every page', () => {
  test('online with nothing waiting: says when it last synced and that everything is safe on the server', async () => {
    await withApp({ scenario: SIGNED_IN_NOTHING_WAITING, hash: '#/cases' }, async (page) => {
      const status = band(page)
      await status.getByText('Everything is safe on the server.').waitFor()
      const text = await status.innerText()
      assert.match(text, /Online/)
      assert.match(text, /Connected to the server\./)
      assert.match(text, /Last synced 12 minutes ago \(\d{1,2} \w+ \d{4} at \d{1,2}(:\d\d)?(am|pm)\)/)
      assert.match(await status.locator('time').getAttribute('datetime'), /^\d{4}-\d\d-\d\dT/)
      assert.equal(await status.getByRole('button', { name: 'Sync now' }).isVisible(), true)
      await expectAccessible(page, 'sync-online-safe')
    })
  })

  test('with changes not yet sent: counts them and links to the outbox', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/cases' }, async (page) => {
      await band(page).getByText('5 changes and 2 files not yet sent.').waitFor()
      await band(page).getByRole('link', { name: 'See what is waiting' }).click()
      await page.locator('h1', { hasText: 'Outbox' }).waitFor()
    })
  })

  test('offline: says plainly that work is saved on this laptop, and syncs when the browser sees the network again', async () => {
    await withApp({ scenario: { ...SAMPLE, connection: 'offline' }, hash: '#/cases' }, async (page) => {
      const status = band(page)
      await status.getByText('Offline', { exact: true }).waitFor()
      const text = await status.innerText()
      assert.match(text, /Your work is saved on this laptop and will be sent to the server when there is a connection\./)
      assert.match(text, /Last attempt: Could not reach the Doorstep server/)
      assert.match(text, /5 changes and 2 files not yet sent\./)
      await expectAccessible(page, 'sync-offline')

      await page.evaluate(() => window.dispatchEvent(new Event('online')))
      await status.getByText('Connected to the server.').waitFor()
      assert.equal((await calls(page, 'network_online')).length, 1)
      // The refused case's change stays until the team lead acts.
      await status.getByText('1 change not yet sent.').waitFor()
      await waitForAnnouncement(page, /^Online\. 1 change not yet sent\.$/)
    })
  })

  test('a long sync shows how far it has got, as text and a progress bar', async () => {
    await withApp({ scenario: { ...SAMPLE, syncingProgress: LONG_SYNC }, hash: '#/cases' }, async (page) => {
      const status = band(page)
      await status.getByText('Syncing', { exact: true }).waitFor()
      assert.equal(
        (await page.locator('#sync-progress-text').innerText()).trim(),
        'Received 1,200 of 10,000 cases. Sent 0 of 3 cases. 3.4 MB so far.',
      )
      const bar = page.getByRole('progressbar', { name: /Received 1,200 of 10,000 cases/ })
      assert.deepEqual([await bar.getAttribute('value'), await bar.getAttribute('max')], ['1200', '10003'])
      assert.equal(await liveRegion(page).textContent(), '', 'the page as it opened is not read out')
      await expectAccessible(page, 'sync-syncing')

      await page.evaluate(() => globalThis.__DOORSTEP_FAKE__.finishSync())
      await status.getByText('Connected to the server.').waitFor()
      assert.equal(await page.locator('[data-sync-progress]').isHidden(), true)
    })
  })

  test('Sync now sends the waiting changes and says how it went', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/cases' }, async (page) => {
      await band(page).getByText('5 changes and 2 files not yet sent.').waitFor()
      await band(page).getByRole('button', { name: 'Sync now' }).click()
      await band(page).getByText('Last synced just now').waitFor()
      await band(page).getByText('1 change not yet sent.').waitFor()
      assert.equal((await calls(page, 'sync_now')).length, 1)
      await waitForAnnouncement(page, /^Online\. 1 change not yet sent\.$/)
      // The list shows the new badges without being reopened.
      await page.locator('.doorstep-case-row', { hasText: 'ASC-2026-0193' }).getByText('Synced', { exact: true }).waitFor()
    })
  })

  test('signed out: offers to sign in and has no Sync now button', async () => {
    await withApp({}, async (page) => {
      const status = band(page)
      await status.getByText('Signed out', { exact: true }).waitFor()
      assert.equal(await status.getByRole('link', { name: 'Sign in' }).isVisible(), true)
      assert.equal(await status.getByRole('button', { name: 'Sync now' }).isHidden(), true)
      await expectAccessible(page, 'sync-signed-out')
    })
  })

  test('wiped by IT: says the data was removed and who to contact', async () => {
    await withApp({ scenario: { connection: 'wiped' }, hash: '#/cases' }, async (page) => {
      const status = band(page)
      await status.getByText('Data removed', { exact: true }).waitFor()
      assert.match(await status.innerText(), /Your council removed Doorstep’s data from this laptop\. Contact your IT service desk\./)
      assert.equal(await status.getByRole('button', { name: 'Sync now' }).isHidden(), true)
      await expectAccessible(page, 'sync-wiped')
    })
  })

  for (const [state, scenario] of [
    ['offline', { ...SAMPLE, connection: 'offline' }],
    ['syncing', { ...SAMPLE, syncingProgress: LONG_SYNC }],
  ]) {
    test(`every caseworker page is accessible while ${state}`, async () => {
      await withApp({ scenario, hash: '#/cases' }, async (page) => {
        for (const [path, heading, ready] of [
          ['#/cases', 'My cases', '.doorstep-case-row__link'],
          ['#/visits', 'Today’s visits', '.doorstep-visit'],
          ['#/outbox', 'Outbox', '.govuk-summary-card'],
          ['#/conflicts', 'Conflicts', '.doorstep-conflict'],
          ['#/cases/new', 'Create a new case', 'form'],
        ]) {
          await page.evaluate((hash) => (location.hash = hash), path)
          await page.locator('h1', { hasText: heading }).waitFor()
          await page.locator(ready).first().waitFor()
          await expectAccessible(page, `${path.slice(2).replace('/', '-')}-${state}`)
        }
      })
    })
  }
})

describe('My cases', () => {
  test('lists every case with its reference, summary, people, status, due date, risk, sync badge and conflicts', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/cases' }, async (page) => {
      await rowLinks(page).first().waitFor()
      assert.equal(await count(page).innerText(), '12 cases')
      assert.equal(await page.title(), 'My cases – Doorstep')

      const row = (text) => page.locator('.doorstep-case-row', { hasText: text })
      const carers = await row('ASC-2026-0193').innerText()
      for (const part of ['Carer’s assessment after hospital discharge', 'Margaret Okafor, Daniel Okafor', 'Open', 'Not sent yet', 'Dog on premises', 'Due ']) {
        assert.ok(carers.includes(part), `the row shows "${part}"`)
      }
      assert.match(await row('Overcrowding').innerText(), /Not yet given a reference/)
      assert.match(await row('HOU-2026-0412').innerText(), /Synced/)
      assert.match(await row('ASC-2026-0201').innerText(), /Refused by server/)
      assert.match(await row('ASC-2026-0201').innerText(), /Overdue: due/)
      assert.match(await row('ASC-2026-0188').innerText(), /2 conflicts/)
      assert.equal(await row('ASC-2026-0193').locator('a').getAttribute('href'), '#/cases/01JDSAMPLE0000000000000002')
      assert.deepEqual(
        await page.$$eval('.doorstep-case-row', (rows) => rows.slice(0, 2).map((r) => [r.getAttribute('aria-posinset'), r.getAttribute('aria-setsize')])),
        [
          ['1', '12'],
          ['2', '12'],
        ],
      )
      await expectAccessible(page, 'cases-sample')
    })
  })

  test('filters narrow the list, and "Clear filters" brings every case back', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/cases' }, async (page) => {
      await rowLinks(page).first().waitFor()
      await page.selectOption('#case-status', 'awaiting_review')
      await page.waitForFunction(() => document.querySelector('#case-count')?.textContent === '2 cases')
      assert.deepEqual((await rowLinks(page).allInnerTexts()).sort(), ['ASC-2026-0172', 'WEL-2026-0020'])

      await page.selectOption('#case-status', 'any')
      await page.check('#case-conflicts')
      await page.waitForFunction(() => document.querySelector('#case-count')?.textContent === '2 cases')
      assert.deepEqual((await rowLinks(page).allInnerTexts()).sort(), ['ASC-2026-0188', 'EH-2026-0077'])

      await page.selectOption('#case-risk', 'with')
      await page.waitForFunction(() => document.querySelector('#case-count')?.textContent === '1 case')
      assert.deepEqual(await rowLinks(page).allInnerTexts(), ['EH-2026-0077'])

      // Due before 1 January 2000: nothing is that old.
      await page.fill('#due-before-day', '1')
      await page.fill('#due-before-month', '1')
      await page.fill('#due-before-year', '2000')
      await page.locator('[data-case-list-empty]').getByText('No cases match your search and filters.').waitFor()
      assert.equal(await count(page).innerText(), '0 cases')
      await expectAccessible(page, 'cases-no-match')

      await page.locator('[data-case-list-empty]').getByRole('link', { name: 'Clear filters' }).click()
      await page.waitForFunction(() => document.querySelector('#case-count')?.textContent === '12 cases')
      assert.equal((await focused(page)).id, 'case-search', 'focus goes back to the search box')
      assert.deepEqual(
        await page.evaluate(() => [
          document.querySelector('#case-risk').value,
          document.querySelector('#case-conflicts').checked,
          document.querySelector('#due-before-year').value,
        ]),
        ['any', false, ''],
      )
    })
  })

  test('a date that does not exist is explained when the person leaves the date, and does not filter', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/cases' }, async (page) => {
      await rowLinks(page).first().waitFor()
      await page.fill('#due-before-day', '31')
      await page.fill('#due-before-month', '2')
      await page.fill('#due-before-year', '2026')
      assert.equal(await page.locator('#due-before-error').isHidden(), true, 'no error while typing')
      await page.focus('#case-conflicts')
      await page.locator('#due-before-error').waitFor()
      assert.equal(
        (await page.locator('#due-before-error').textContent()).replace(/\s+/g, ' ').trim(),
        'Error: Due before must be a real date, like 27 3 2026',
      )
      assert.equal(await count(page).innerText(), '12 cases')
      await expectAccessible(page, 'cases-date-error')
    })
  })

  test('search narrows the list as you type, asking once typing pauses rather than at every key', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/cases' }, async (page) => {
      await rowLinks(page).first().waitFor()
      await page.focus('#case-search')
      await page.keyboard.type('okaf')
      await page.waitForFunction(() => document.querySelector('#case-count')?.textContent === '1 case')
      assert.deepEqual(await rowLinks(page).allInnerTexts(), ['ASC-2026-0193'])
      const searches = (await calls(page, 'list_cases')).filter((c) => c.query.text !== undefined).map((c) => c.query.text)
      // Keystrokes closer together than the pause share a request. (How many
      // requests there are depends on how fast the test types, so only the
      // bound and the last are checked.)
      assert.ok(searches.length < 'okaf'.length, `fewer requests than keystrokes: ${searches.join(', ')}`)
      assert.equal(searches.at(-1), 'okaf')
      await expectAccessible(page, 'cases-search')
    })
  })

  test('a slow answer to an older search never replaces the answer to a newer one', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/cases' }, async (page) => {
      await rowLinks(page).first().waitFor()
      await page.evaluate(() => globalThis.__DOORSTEP_FAKE__.delay('list_cases', 700, (p) => p.query.text === 'o'))
      await page.focus('#case-search')
      await page.keyboard.type('o')
      await page.waitForTimeout(300)
      await page.keyboard.type('kafor')
      await page.waitForFunction(() => document.querySelector('#case-count')?.textContent === '1 case')
      // Long enough for the slow answer (for "o", many cases) to arrive.
      await page.waitForTimeout(900)
      assert.equal(await count(page).innerText(), '1 case')
      assert.deepEqual(await rowLinks(page).allInnerTexts(), ['ASC-2026-0193'])
      assert.deepEqual(
        (await calls(page, 'list_cases')).map((c) => c.query.text).filter(Boolean),
        ['o', 'okafor'],
      )
    })
  })

  test('with no cases on the laptop yet, a signed-in caseworker can create one', async () => {
    await withApp({ scenario: SIGNED_IN_NOTHING_WAITING, hash: '#/cases' }, async (page) => {
      await page.getByText('There are no cases on this device yet.').waitFor()
      assert.match(await page.locator('main').innerText(), /Cases assigned to you will appear here after Doorstep next syncs/)
      assert.equal(await page.locator('#case-search').count(), 0, 'no filters for an empty laptop')
      await expectAccessible(page, 'cases-empty-signed-in')
      await page.getByRole('button', { name: 'Create a new case' }).click()
      await page.locator('h1', { hasText: 'Create a new case' }).waitFor()
    })
  })

  test('when the cases cannot be read, says why and offers to try again', async () => {
    const failure = { code: 'store_error', message: 'The case database on this laptop could not be read.' }
    await withApp({ scenario: { ...SAMPLE, failures: { list_cases: failure } }, hash: '#/cases' }, async (page) => {
      const problem = page.getByRole('alert')
      await problem.getByText('Your cases could not be shown').waitFor()
      assert.match(await problem.innerText(), /The case database on this laptop could not be read\./)
      await expectAccessible(page, 'cases-error')
      await page.evaluate(() => globalThis.__DOORSTEP_FAKE__.succeed('list_cases'))
      await problem.getByRole('button', { name: 'Try again' }).click()
      await rowLinks(page).first().waitFor()
      assert.equal(await count(page).innerText(), '12 cases')
    })
  })

  test('10,000 cases: only the rows in view are in the page, and scrolling to the end shows the last case', async () => {
    await withApp({ scenario: TEN_THOUSAND, hash: '#/about' }, async (page) => {
      await page.locator('h1', { hasText: 'About this device' }).waitFor()
      const renderMs = await page.evaluate(
        () =>
          new Promise((resolve) => {
            const started = performance.now()
            location.hash = '#/cases'
            const check = () => (document.querySelector('.doorstep-case-row__link') ? resolve(performance.now() - started) : requestAnimationFrame(check))
            check()
          }),
      )
      console.log(`My cases with 10,000 cases: first rows visible ${renderMs.toFixed(0)} ms after navigating`)
      assert.equal(await count(page).innerText(), '10,000 cases')
      const rowsAtStart = await page.locator('.doorstep-case-row').count()
      assert.ok(rowsAtStart > 0 && rowsAtStart < 200, `${rowsAtStart} rows in the DOM`)
      await expectAccessible(page, 'cases-10000')

      const last = await page.evaluate(() => globalThis.__DOORSTEP_FAKE__.rows({ offset: 9_999, limit: 1 }).rows[0])
      await page.locator('[data-case-list]').evaluate((list) => (list.scrollTop = list.scrollHeight))
      const lastRow = page.locator('.doorstep-case-row[aria-posinset="10000"]')
      await lastRow.locator('a', { hasText: last.reference }).waitFor()
      assert.equal(await lastRow.locator('a').getAttribute('href'), `#/cases/${last.caseId}`)
      const inView = await lastRow.evaluate((row) => {
        const list = row.closest('[data-case-list]').getBoundingClientRect()
        const box = row.getBoundingClientRect()
        return box.top >= list.top - 1 && box.bottom <= list.bottom + 1
      })
      assert.equal(inView, true, 'the last case is inside the scrolling box')
      const rowsAtEnd = await page.locator('.doorstep-case-row').count()
      assert.ok(rowsAtEnd < 200, `${rowsAtEnd} rows in the DOM at the end`)
      await screenshot(page, 'cases-10000-end')
    })
  })

  test('keyboard only: Tab into the list, move with the arrow keys, Home and End, and open a case with Enter', async () => {
    await withApp({ scenario: TEN_THOUSAND, hash: '#/cases' }, async (page) => {
      await rowLinks(page).first().waitFor()
      const expected = await page.evaluate(() => globalThis.__DOORSTEP_FAKE__.rows({ offset: 0, limit: 3 }).rows)
      const last = await page.evaluate(() => globalThis.__DOORSTEP_FAKE__.rows({ offset: 9_999, limit: 1 }).rows[0])

      await page.focus('#case-conflicts')
      await page.keyboard.press('Tab')
      assert.deepEqual(await focused(page), { tag: 'a', id: '', text: expected[0].reference, row: '1' }, 'the list is one Tab stop, at its first case')
      assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).backgroundColor), 'rgba(0, 0, 0, 0)', 'the focused link is highlighted')

      await page.keyboard.press('ArrowDown')
      await page.keyboard.press('ArrowDown')
      assert.equal((await focused(page)).text, expected[2].reference)

      await page.keyboard.press('End')
      await page.waitForFunction(() => document.activeElement?.closest('[aria-posinset]')?.getAttribute('aria-posinset') === '10000')
      assert.equal((await focused(page)).text, last.reference)
      assert.ok((await page.locator('.doorstep-case-row').count()) < 200)

      await page.keyboard.press('Home')
      await page.waitForFunction(() => document.activeElement?.closest('[aria-posinset]')?.getAttribute('aria-posinset') === '1')
      await page.keyboard.press('PageDown')
      assert.ok(Number((await focused(page)).row) > 1, 'Page Down moves a screenful')

      // Tab leaves the list rather than walking through 10,000 links.
      await page.keyboard.press('Home')
      await page.keyboard.press('ArrowDown')
      await page.keyboard.press('Tab')
      assert.equal((await focused(page)).row, null)
      await page.keyboard.press('Shift+Tab')
      assert.equal((await focused(page)).text, expected[1].reference, 'coming back lands on the case last visited')

      await page.keyboard.press('Enter')
      await page.waitForFunction((hash) => location.hash === hash, `#/cases/${expected[1].caseId}`)
    })
  })

  test('at 320px wide the filters and rows reflow with no sideways scrolling', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/cases', viewport: NARROW }, async (page) => {
      await rowLinks(page).first().waitFor()
      await expectNoSidewaysScrolling(page)
      await expectAccessible(page, 'cases-narrow')
    })
  })
})

describe('Today’s visits', () => {
  test('lists today’s visits in time order, with risk warnings before anything else', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/visits' }, async (page) => {
      await page.locator('.doorstep-visit').first().waitFor()
      const titles = await page.locator('.doorstep-visit .govuk-summary-card__title').allInnerTexts()
      assert.deepEqual(titles, ['8am: EH-2026-0081', '9:30am: ASC-2026-0193', '10am: HOU-2026-0412', '3:30pm: EH-2026-0077'])
      const noise = page.locator('.doorstep-visit', { hasText: 'EH-2026-0077' })
      assert.match(await noise.locator('.govuk-warning-text').innerText(), /Do not visit alone: verbal abuse on the last visit/)
      assert.doesNotMatch(await noise.innerText(), /broken step/, 'inactive warnings are not shown')
      assert.match(await noise.innerText(), /22b Station Road, Riverside, RV1 7HD/)
      assert.match(await noise.innerText(), /Not started/)
      const carers = page.locator('.doorstep-visit', { hasText: 'ASC-2026-0193' })
      assert.match(await carers.innerText(), /Checked in at .*\. Expected to end at /)
      assert.match(await carers.locator('.govuk-warning-text').innerText(), /Dog on premises/)
      assert.match(await page.locator('.doorstep-visit', { hasText: 'EH-2026-0081' }).innerText(), /Checked out at 8:50am/)
      await carers.getByRole('link', { name: 'Open case ASC-2026-0193' }).waitFor()
      assert.equal(await carers.getByRole('link').getAttribute('href'), '#/cases/01JDSAMPLE0000000000000002')
      await expectAccessible(page, 'visits')
    })
  })

  test('with no visits today, says so', async () => {
    await withApp({ scenario: SIGNED_IN_NOTHING_WAITING, hash: '#/visits' }, async (page) => {
      await page.getByText('You have no visits planned for today.').waitFor()
      await expectAccessible(page, 'visits-empty')
    })
  })

  test('when the visits cannot be read, says why', async () => {
    const failure = { code: 'store_error', message: 'The case database on this laptop could not be read.' }
    await withApp({ scenario: { ...SAMPLE, failures: { todays_visits: failure } }, hash: '#/visits' }, async (page) => {
      await page.getByRole('alert').getByText('Today’s visits could not be shown').waitFor()
      await expectAccessible(page, 'visits-error')
    })
  })

  test('at 320px wide the visits reflow', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/visits', viewport: NARROW }, async (page) => {
      await page.locator('.doorstep-visit').first().waitFor()
      await expectNoSidewaysScrolling(page)
      await expectAccessible(page, 'visits-narrow')
    })
  })
})

describe('Create a new case', () => {
  test('leaving everything out shows an error summary that takes focus and links to each input', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/cases/new' }, async (page) => {
      await page.getByRole('button', { name: 'Create case' }).click()
      const summary = page.locator('.govuk-error-summary')
      await summary.waitFor()
      assert.equal(await page.title(), 'Error: Create a new case – Doorstep')
      assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary')), true)
      assert.deepEqual(await summary.locator('a').allInnerTexts(), ['Select the type of case', 'Enter a summary of the case'])
      assert.equal(await summary.locator('a').first().getAttribute('href'), '#case-type')
      assert.match(await page.locator('#summary-error').innerText(), /Enter a summary of the case/)
      await expectAccessible(page, 'new-case-errors')

      await summary.getByRole('link', { name: 'Enter a summary of the case' }).click()
      assert.equal((await focused(page)).id, 'summary')
      assert.equal(await page.evaluate(() => location.hash), '#/cases/new')
    })
  })

  test('"Another type" reveals a text box, which must then be filled in', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/cases/new' }, async (page) => {
      assert.equal(await page.locator('#case-type-other').isVisible(), false)
      await page.getByLabel('Another type').check()
      assert.equal(await page.locator('#case-type-other').isVisible(), true)
      await page.fill('#summary', 'Dangerous structure: loose chimney pots')
      await page.getByRole('button', { name: 'Create case' }).click()
      const summary = page.locator('.govuk-error-summary')
      await summary.waitFor()
      assert.deepEqual(await summary.locator('a').allInnerTexts(), ['Enter the type of case'])
      assert.equal(await summary.locator('a').getAttribute('href'), '#case-type-other')
      assert.equal(await page.inputValue('#summary'), 'Dangerous structure: loose chimney pots', 'what was typed is kept')
    })
  })

  test('a problem Rust finds with a field is shown next to it; other problems in the summary', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/cases/new' }, async (page) => {
      await page.evaluate(() =>
        globalThis.__DOORSTEP_FAKE__.fail('create_case', { code: 'invalid_field', field: 'summary', message: 'Summary: use 500 characters or fewer' }),
      )
      await page.getByLabel('Housing').check()
      await page.fill('#summary', 'Too long, as far as this test is concerned')
      await page.getByRole('button', { name: 'Create case' }).click()
      await page.locator('#summary-error').waitFor()
      assert.match(await page.locator('#summary-error').innerText(), /Summary: use 500 characters or fewer/)
      assert.equal(await page.locator('.govuk-error-summary a').getAttribute('href'), '#summary')

      await page.evaluate(() => globalThis.__DOORSTEP_FAKE__.fail('create_case', 'The device store is locked by another Doorstep window'))
      await page.getByRole('button', { name: 'Create case' }).click()
      await page.locator('.govuk-error-summary', { hasText: 'The device store is locked' }).waitFor()
      assert.equal(await page.locator('.govuk-error-summary a').count(), 0, 'a problem with no field has no link')
      await expectAccessible(page, 'new-case-rejected')
    })
  })

  test('a new case is saved, opened, and shows in My cases as not yet sent', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/cases/new' }, async (page) => {
      await page.getByLabel('Welfare').check()
      await page.fill('#summary', 'Emergency fuel voucher')
      await page.getByRole('button', { name: 'Create case' }).click()
      await page.waitForFunction(() => /^#\/cases\/[0-9A-Z]{26}$/.test(location.hash))
      const [created] = await calls(page, 'create_case')
      assert.deepEqual(created, { caseType: 'Welfare', summary: 'Emergency fuel voucher' })
      await page.waitForFunction(() => globalThis.__DOORSTEP_IPC_CALLS__.some((c) => c.cmd === 'change_saved'))

      await page.evaluate(() => (location.hash = '#/cases'))
      const row = page.locator('.doorstep-case-row', { hasText: 'Emergency fuel voucher' })
      await row.waitFor()
      assert.match(await row.innerText(), /Not yet given a reference/)
      assert.match(await row.innerText(), /Not sent yet/)
      assert.equal(await count(page).innerText(), '13 cases')
    })
  })

  test('at 320px wide the form reflows', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/cases/new', viewport: NARROW }, async (page) => {
      await page.getByRole('button', { name: 'Create case' }).click()
      await page.locator('.govuk-error-summary').waitFor()
      await expectNoSidewaysScrolling(page)
      await expectAccessible(page, 'new-case-narrow')
    })
  })
})

describe('the outbox', () => {
  test('lists every change not yet sent, by case, the cases the server refused and why, and files waiting', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/outbox' }, async (page) => {
      await page.getByRole('heading', { name: 'Changes not yet sent' }).waitFor()
      const text = await page.locator('main').innerText()
      assert.match(text, /Refused by the server/)
      assert.match(text, /You are no longer assigned to this case\. Ask your team lead to reassign it to you\./)
      assert.match(text, /2 photos or documents waiting to be sent/)
      assert.match(text, /5 changes to 3 cases, oldest first\./)
      const carers = page.locator('.govuk-summary-card', { hasText: 'ASC-2026-0193' })
      assert.deepEqual(await carers.locator('dd').allInnerTexts(), ['Added a note', 'Changed phone'])
      await page.locator('.govuk-summary-card', { hasText: 'Not yet given a reference' }).getByText('Created the case').waitFor()
      assert.doesNotMatch(text, /safe to hand in/)
      await expectAccessible(page, 'outbox')
    })
  })

  test('once the server has everything, says it is safe to hand in the laptop', async () => {
    await withApp({ scenario: SIGNED_IN_NOTHING_WAITING, hash: '#/outbox' }, async (page) => {
      await page.getByText('Everything made on this laptop is on the server. It is safe to hand in.').waitFor()
      await expectAccessible(page, 'outbox-empty')
    })
  })

  test('empties as a sync is acknowledged, leaving only the refused case', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/outbox' }, async (page) => {
      await page.getByRole('heading', { name: 'Changes not yet sent' }).waitFor()
      await band(page).getByRole('button', { name: 'Sync now' }).click()
      await page.getByText('1 change to 1 case, oldest first.').waitFor()
      assert.doesNotMatch(await page.locator('main').innerText(), /photos or documents waiting/)
    })
  })

  test('when the outbox cannot be read, says why', async () => {
    const failure = { code: 'store_error', message: 'The outbox could not be read.' }
    await withApp({ scenario: { ...SAMPLE, failures: { outbox: failure } }, hash: '#/outbox' }, async (page) => {
      await page.getByRole('alert').getByText('The outbox could not be shown').waitFor()
      await expectAccessible(page, 'outbox-error')
    })
  })
})

describe('conflicts', () => {
  test('shows every value side by side, with who set each and when', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/conflicts' }, async (page) => {
      await page.locator('.doorstep-conflict').first().waitFor()
      assert.deepEqual(await page.locator('.doorstep-conflict-case h2').allInnerTexts(), [
        'Falls risk at home: grab rails and a pendant alarm',
        'Noise complaint: late-night music from the flat above',
      ])
      const phone = page.locator('.doorstep-conflict', { hasText: 'Phone number (person)' })
      const values = await phone.locator('.doorstep-conflict__value').allInnerTexts()
      assert.equal(values.length, 2)
      assert.match(values[0], /Your value\s+07700 900789\s+Set by you \(sam\.caseworker\) on .+ at .+\s+Keep mine/)
      assert.match(values[1], /alex\.colleague’s value\s+07700 900111\s+Set by alex\.colleague on .+\s+Keep theirs/)
      const done = page.locator('.doorstep-conflict', { hasText: 'Done (task)' })
      assert.deepEqual(await done.locator('.doorstep-conflict__text').allInnerTexts(), ['No', 'Yes'])
      assert.equal(await done.locator('details').count(), 0, 'a yes/no field has nothing to type')
      await expectAccessible(page, 'conflicts')
    })
  })

  test('"Keep mine" and "Keep theirs" settle a conflict, say so, and move to the next one', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/conflicts' }, async (page) => {
      await page.locator('.doorstep-conflict').first().waitFor()
      await page.getByRole('button', { name: /^Keep mine for Summary/ }).click()
      await waitForAnnouncement(page, /^Kept your value for Summary\.$/)
      assert.equal(await page.locator('.doorstep-conflict').count(), 2)
      assert.equal((await focused(page)).text, 'Done (task)', 'focus moves to the conflict that took its place')

      await page.getByRole('button', { name: /^Keep theirs for Done \(task\)/ }).click()
      await waitForAnnouncement(page, /^Kept alex\.colleague’s value for Done \(task\)\.$/)
      assert.equal((await focused(page)).text, 'Phone number (person)')
      assert.deepEqual(
        (await calls(page, 'resolve_conflict')).map((c) => [c.caseId, c.field, c.value]),
        [
          ['01JDSAMPLE0000000000000008', 'summary', 'Falls risk at home: grab rails and a pendant alarm'],
          ['01JDSAMPLE0000000000000008', 'tasks.01JDTASK000000000000000002.done', 'yes'],
        ],
      )
      assert.ok((await calls(page, 'change_saved')).length >= 2)
    })
  })

  test('"Enter a different value" saves what was typed, and checks it like any other edit', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/conflicts' }, async (page) => {
      await page.locator('.doorstep-conflict').first().waitFor()
      const phone = page.locator('.doorstep-conflict', { hasText: 'Phone number (person)' })
      await phone.getByText('Enter a different value').click()
      await phone.getByLabel('New value for Phone number (person)').fill('0'.repeat(41))
      await phone.getByRole('button', { name: 'Save Phone number (person)' }).click()
      await phone.locator('.govuk-error-message').waitFor()
      assert.match(await phone.locator('.govuk-error-message').innerText(), /Phone: use 40 characters or fewer/)
      await expectAccessible(page, 'conflicts-edit-error')

      await phone.getByLabel('New value for Phone number (person)').fill('01632 960 001')
      await phone.getByRole('button', { name: 'Save Phone number (person)' }).click()
      await waitForAnnouncement(page, /^Saved the new value for Phone number \(person\)\.$/)
      assert.deepEqual((await calls(page, 'resolve_conflict')).at(-1).value, '01632 960 001')
    })
  })

  test('with every conflict settled, says there are none left', async () => {
    await withApp({ scenario: SAMPLE, hash: '#/conflicts' }, async (page) => {
      await page.locator('.doorstep-conflict').first().waitFor()
      const buttons = [/^Keep mine for Phone/, /^Keep mine for Summary/, /^Keep mine for Done/]
      for (const [i, name] of buttons.entries()) {
        await page.getByRole('button', { name }).click()
        await page.waitForFunction((left) => document.querySelectorAll('.doorstep-conflict').length === left, buttons.length - 1 - i)
      }
      await page.getByText('There are no conflicts on this laptop.').waitFor()
      await waitForAnnouncement(page, /There are no conflicts left\.$/)
      assert.equal((await focused(page)).tag, 'h1')
      await expectAccessible(page, 'conflicts-all-settled')
    })
  })

  test('with no conflicts, says so', async () => {
    await withApp({ scenario: SIGNED_IN_NOTHING_WAITING, hash: '#/conflicts' }, async (page) => {
      await page.getByText('There are no conflicts on this laptop.').waitFor()
      await expectAccessible(page, 'conflicts-empty')
    })
  })

  test('when conflicts cannot be read, says why', async () => {
    const failure = { code: 'store_error', message: 'The case database on this laptop could not be read.' }
    await withApp({ scenario: { ...SAMPLE, failures: { conflicts: failure } }, hash: '#/conflicts' }, async (page) => {
      await page.getByRole('alert').getByText('Conflicts could not be shown').waitFor()
      await expectAccessible(page, 'conflicts-error')
    })
  })

  test('at 320px wide the values stack with no sideways scrolling, as do the outbox and the status band', async () => {
    await withApp({ scenario: { ...SAMPLE, connection: 'offline' }, hash: '#/conflicts', viewport: NARROW }, async (page) => {
      await page.locator('.doorstep-conflict').first().waitFor()
      await expectNoSidewaysScrolling(page)
      await expectAccessible(page, 'conflicts-narrow')
      await page.evaluate(() => (location.hash = '#/outbox'))
      await page.getByRole('heading', { name: 'Changes not yet sent' }).waitFor()
      await expectNoSidewaysScrolling(page)
      await expectAccessible(page, 'outbox-narrow')
    })
  })
})
