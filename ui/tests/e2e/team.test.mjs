// Browser tests of the team lead's page, Your team (#/team): lone-working
// alerts first, then the alerts the server raised, the last 8 weeks'
// figures (table, Chart.js chart and CSV file), the team's laptops, and the
// caseload table, its Chart.js chart and the CSV file (saved by Rust's
// save_export into the Downloads folder; the fake keeps what it wrote),
// against the built UI under the real CSP (and a frozen Object.prototype),
// with fake-device.ts standing in for Rust. Each state is checked with axe
// and saved to test-output/ui/team-*.png.
// Run `npm run build` first (or build elsewhere and set DOORSTEP_UI_DIST).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { assertBuilt, axeViolations, browserTestSession, focused, screenshot, tabTo } from './helpers.mjs'

assertBuilt()

/** lee.lead leads sam.caseworker, alex.colleague and the duty worker, jo.duty. */
const LEAD = { cases: 'sample', role: 'team-lead', user: 'lee.lead' }
const CASEWORKER = { cases: 'sample' }
const { withApp } = browserTestSession({ scenario: LEAD })
const NARROW = { width: 320, height: 640 }

// The two visits past their expected end in the lead's sample (fake-device.ts), longest overdue first.
const DUTY_VISIT = { caseId: '01JDSAMPLE0000000000000014', visitId: '01JDVISIT00000000000000006', reference: 'HOU-2026-0433' }
const ALEX_VISIT = { caseId: '01JDSAMPLE0000000000000013', visitId: '01JDVISIT00000000000000005', reference: 'ASC-2026-0215' }

const HEADER = 'Worker,Open cases,In progress,Awaiting review,Overdue cases,Open tasks,Overdue tasks,Visits under way,Overdue visits,Cases with conflicts'
// The team's one overdue task is on Alex's fire safety case (fake-device.ts): past its due date, not done.
const ALEX_ROW = ['alex.colleague', '1', '0', '1', '0', '1', '1', '1', '1', '0']
const SAM_ROW = ['sam.caseworker', '11', '5', '2', '2', '2', '0', '1', '0', '2']
const TOTAL_ROW = ['Total', '13', '5', '3', '2', '3', '1', '3', '2', '2']

/** The caseload table's scrolling region (the page has one for each of its tables). */
const CASELOAD_REGION = '[data-focus-key="caseload-table"]'

/** Where the fake's save_export writes (fake-device.ts, DOWNLOADS_FOLDER). */
const DOWNLOADS = '/home/sam/Downloads'

/** The files the fake's save_export wrote, oldest first. */
const savedFiles = (page) => page.evaluate(() => globalThis.__DOORSTEP_FAKE__.savedFiles())

/** Today as the file names have it: YYYY-MM-DD in the laptop's time zone. */
const todayOf = (page) =>
  page.evaluate(() => {
    const now = new Date()
    return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`
  })

/** The success banner after a save: its heading and the path line. */
async function savedBanner(page) {
  const banner = page.locator('[data-export-saved]')
  await banner.waitFor()
  return {
    banner,
    title: await banner.locator('.govuk-notification-banner__title').innerText(),
    heading: await banner.locator('.govuk-notification-banner__heading').innerText(),
    path: await banner.locator('[data-export-path]').innerText(),
  }
}

const liveRegionSays = (page, text) =>
  page.waitForFunction((text) => document.querySelector('[data-live-region]')?.textContent === text, text, { timeout: 5_000 })

/** GOV.UK Frontend's focus colour. */
const FOCUS_YELLOW = 'rgb(255, 221, 0)'

/** axe finds nothing, and the page is saved to test-output/ui/<name>.png for people to look at. */
async function expectAccessible(page, name) {
  const violations = await axeViolations(page)
  assert.equal(violations.length, 0, `axe found accessibility problems on ${name}:\n${violations.join('\n')}`)
  await screenshot(page, name)
}

async function teamShown(page) {
  await page.locator('h1', { hasText: 'Your team' }).waitFor()
  await page.waitForFunction(() => {
    const body = document.querySelector('[data-team-body]')
    return body !== null && !/Loading/.test(body.textContent ?? '')
  })
}

/** Chart.js has drawn: the canvas has pixels in the bars' own blue, not only a blank box. */
async function chartDrawn(page, selector = '[data-team-chart-canvas]') {
  await page.waitForFunction((selector) => {
    const canvas = document.querySelector(selector)
    if (!(canvas instanceof HTMLCanvasElement) || canvas.width === 0 || canvas.height === 0) return false
    const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data
    if (!pixels) return false
    for (let i = 0; i < pixels.length; i += 4) {
      // #1d70b8, the "In progress" series.
      if (pixels[i] === 29 && pixels[i + 1] === 112 && pixels[i + 2] === 184 && pixels[i + 3] === 255) return true
    }
    return false
  }, selector, { timeout: 5_000 })
}

const rowsOf = (page, part) =>
  page.locator(`.doorstep-team-table ${part} tr`).evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent.trim())))

const navLinks = (page) => page.locator('.govuk-service-navigation__list a').allInnerTexts()

async function focusStyle(page) {
  return page.evaluate(() => {
    const style = getComputedStyle(document.activeElement)
    return { background: style.backgroundColor, boxShadow: style.boxShadow }
  })
}

describe('your team, for a team lead', () => {
  test('with overdue visits: the alert comes first, longest overdue first, with what to do for each', async () => {
    await withApp({ hash: '#/team' }, async (page) => {
      await teamShown(page)
      assert.equal(await page.title(), 'Your team – Doorstep')
      await page.locator('.govuk-service-navigation__list a', { hasText: 'Team' }).waitFor()
      assert.equal(await page.locator('.govuk-service-navigation__list [aria-current="page"]').innerText(), 'Team')

      const banner = page.locator('[data-overdue-banner]')
      assert.equal(await banner.locator('[data-overdue-headline]').innerText(), '2 visits have run past their expected end with no check-out')
      const visits = banner.locator('.doorstep-overdue-visit')
      assert.deepEqual(await visits.locator('h4').allInnerTexts(), ['jo.duty: 1 hour 10 minutes overdue', 'alex.colleague: 25 minutes overdue'])
      assert.equal(await visits.first().getByRole('link').getAttribute('href'), `#/cases/${DUTY_VISIT.caseId}`)
      assert.match(await visits.first().innerText(), /HOU-2026-0433: Duty referral: family at risk of eviction this week/)
      assert.match(
        await visits.nth(1).innerText(),
        /Contact alex\.colleague now\. If you cannot reach them, follow the lone-working procedure: their buddy, then their line manager\./,
      )
      await page.getByText('Doorstep cannot raise an alarm while a laptop is offline; this list only knows what has synced.').waitFor()
      assert.match(await page.locator('[data-team-freshness]').innerText(), /^Figures from this laptop’s last sync, .+ \(12 minutes ago\)\.$/)

      assert.deepEqual((await rowsOf(page, 'tbody')).map((row) => row[0]), ['alex.colleague', 'sam.caseworker', 'Not assigned'])
      assert.deepEqual((await rowsOf(page, 'tbody'))[0], ALEX_ROW)
      assert.deepEqual((await rowsOf(page, 'tbody'))[1], SAM_ROW)
      assert.deepEqual((await rowsOf(page, 'tfoot'))[0], TOTAL_ROW)
      // The Overdue tasks column, found by its heading: Alex's one task, marked for attention; none for Sam.
      const headings = await page.locator('.doorstep-team-table thead th').allInnerTexts()
      const overdueTasks = headings.indexOf('Overdue tasks')
      assert.equal(headings[overdueTasks - 1], 'Open tasks', 'Overdue tasks comes right after Open tasks')
      const overdueTasksCells = page.locator(`.doorstep-team-table tbody tr > :nth-child(${overdueTasks + 1})`)
      assert.deepEqual(await overdueTasksCells.allInnerTexts(), ['1', '0', '0'])
      assert.equal(await overdueTasksCells.first().locator('strong.doorstep-team-warning').innerText(), '1')
      assert.equal(await overdueTasksCells.nth(1).locator('strong').count(), 0)
      // In the app's default window every column is in view, with nothing to scroll.
      const region = await page.locator(CASELOAD_REGION).evaluate((el) => ({ client: el.clientWidth, scroll: el.scrollWidth }))
      assert.ok(region.scroll <= region.client, `the whole table fits at 1200px (${JSON.stringify(region)})`)
      await chartDrawn(page)
      await expectAccessible(page, 'team-overdue')
    })
  })

  test('the chart: Chart.js draws the open cases per worker on the canvas, labelled as an image, with the table as its text', async () => {
    await withApp({ hash: '#/team' }, async (page) => {
      await teamShown(page)
      await chartDrawn(page)
      const canvas = page.locator('[data-team-chart-canvas]')
      assert.equal(await canvas.getAttribute('role'), 'img')
      assert.match(await canvas.getAttribute('aria-label'), /^Bar chart of open cases for each worker.* 13 open cases across 2 workers, and 1 not assigned\. sam\.caseworker has the most, 11\. The table above has the same figures\.$/)
      // Sized by its box, the canvas fits the page.
      const box = await canvas.boundingBox()
      assert.ok(box !== null && box.width > 300 && box.height > 150, `the chart has room to be read (${JSON.stringify(box)})`)
      await page.getByText('The table above has the same figures.').first().waitFor()
      await page.locator('[data-team-chart]').scrollIntoViewIfNeeded()
      await expectAccessible(page, 'team-chart')
    })
  })

  test('with none overdue: once both workers check out and the laptop syncs, the page says so calmly, by itself', async () => {
    await withApp({ hash: '#/team' }, async (page) => {
      await teamShown(page)
      await page.locator('[data-overdue-banner]').waitFor()
      // The check-outs reach this laptop with the next sync.
      await page.evaluate(
        async (visits) => {
          for (const { caseId, visitId } of visits) {
            await globalThis.__DOORSTEP_FAKE__.handle('check_out', { caseId, visitId, outcome: 'Safe; visit went well' })
          }
          await globalThis.__DOORSTEP_FAKE__.handle('sync_now')
        },
        [DUTY_VISIT, ALEX_VISIT],
      )
      await page.locator('[data-no-overdue]', { hasText: 'No visits are overdue.' }).waitFor()
      assert.equal(await page.locator('[data-overdue-banner]').count(), 0)
      await page.waitForFunction(() => document.querySelector('[data-live-region]')?.textContent === 'No visits are overdue now.')
      assert.equal(await page.locator('[data-team-alert]').innerText(), '', 'good news is not an alert')
      assert.match(await page.locator('[data-team-freshness]').innerText(), /\(just now\)\.$/)
      assert.deepEqual((await rowsOf(page, 'tfoot'))[0], ['Total', '13', '5', '3', '2', '3', '1', '1', '0', '2'])
      await chartDrawn(page)
      await expectAccessible(page, 'team-none-overdue')
    })
  })

  test('at 320px the page reflows with no sideways scrolling; only the table scrolls, inside its own region', async () => {
    await withApp({ hash: '#/team', viewport: NARROW }, async (page) => {
      await teamShown(page)
      await chartDrawn(page)
      const width = await page.evaluate(() => document.documentElement.scrollWidth)
      assert.ok(width <= 320, `no sideways scrolling at 320px (the page is ${width}px wide)`)
      const region = await page.locator(CASELOAD_REGION).evaluate((el) => ({ client: el.clientWidth, scroll: el.scrollWidth }))
      assert.ok(region.client <= 320 && region.scroll > region.client, `the table scrolls within its region (${JSON.stringify(region)})`)
      // The other tables fit the window too, or scroll within their own regions.
      for (const other of await page.locator('.doorstep-table-scroll').all()) {
        const box = await other.boundingBox()
        assert.ok(box !== null && box.x >= 0 && box.x + box.width <= 320, `each table's region fits the window (${JSON.stringify(box)})`)
      }
      const weekly = await page.locator('[data-weekly-chart-canvas]').boundingBox()
      assert.ok(weekly !== null && weekly.x >= 0 && weekly.x + weekly.width <= 320, `the weekly chart fits the window (${JSON.stringify(weekly)})`)
      const chart = await page.locator('[data-team-chart-canvas]').boundingBox()
      assert.ok(chart !== null && chart.x >= 0 && chart.x + chart.width <= 320, `the chart fits the window (${JSON.stringify(chart)})`)
      await expectAccessible(page, 'team-narrow')
    })
  })

  test('the caseload CSV: Rust saves it to Downloads, named for today, with the header, each worker and the total; a banner says where', async () => {
    await withApp({ hash: '#/team' }, async (page) => {
      await teamShown(page)
      await chartDrawn(page)
      await page.getByRole('button', { name: 'Download caseload as CSV' }).click()
      const name = `team-caseload-${await todayOf(page)}.csv`
      const { title, heading, path } = await savedBanner(page)
      assert.equal(title, 'Success')
      assert.equal(heading, `Saved ${name} to your Downloads folder`)
      assert.equal(path, `${DOWNLOADS}/${name}`)

      const files = await savedFiles(page)
      assert.deepEqual(files.map((file) => [file.fileName, file.path]), [[name, `${DOWNLOADS}/${name}`]])
      const text = files[0].contents
      assert.ok(text.startsWith('\uFEFF'), 'a byte order mark, so Excel reads the file as UTF-8')
      const lines = text.replace(/^\uFEFF/, '').split('\r\n')
      assert.equal(lines[0], HEADER)
      assert.equal(lines[1], ALEX_ROW.join(','), 'alex.colleague with the overdue task')
      assert.ok(lines.includes(SAM_ROW.join(',')), `a row for sam.caseworker in:\n${text}`)
      assert.ok(lines.includes('Not assigned,1,0,0,0,0,0,1,1,0'))
      assert.equal(lines[4], TOTAL_ROW.join(','))
      await liveRegionSays(page, `Saved ${name} to your Downloads folder.`)

      // As after a reassignment, the confirmation has focus, before the page's heading.
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'team-export-saved')
      assert.ok(await page.evaluate(() => document.activeElement?.compareDocumentPosition(document.querySelector('h1')) === Node.DOCUMENT_POSITION_FOLLOWING))
      await expectAccessible(page, 'team-csv-saved')
    })
  })

  test('a file that cannot be saved: Rust’s reason in an error summary, which takes focus; nothing is saved', async () => {
    await withApp({ hash: '#/team' }, async (page) => {
      await teamShown(page)
      const message = 'Could not save the file to your Downloads folder: No space left on device (os error 28). Check there is space and try again.'
      await page.evaluate((message) => globalThis.__DOORSTEP_FAKE__.fail('save_export', { code: 'export_failed', message }), message)
      await page.getByRole('button', { name: 'Download caseload as CSV' }).click()
      const summary = page.locator('.govuk-error-summary')
      await summary.waitFor()
      assert.equal(await summary.locator('.govuk-error-summary__title').innerText(), 'There is a problem')
      assert.equal(await summary.locator('.govuk-error-summary__list').innerText(), message)
      assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary')), true, 'the summary has focus')
      assert.equal(await page.locator('[data-export-saved]').count(), 0)
      assert.deepEqual(await savedFiles(page), [])
      await expectAccessible(page, 'team-csv-failed')

      // Space freed: the next try saves, and the banner replaces the summary.
      await page.evaluate(() => globalThis.__DOORSTEP_FAKE__.succeed('save_export'))
      await page.getByRole('button', { name: 'Download caseload as CSV' }).click()
      await savedBanner(page)
      assert.equal(await summary.count(), 0)
      assert.equal((await savedFiles(page)).length, 1)
    })
  })
})

describe('your team: what the server said, and the last 8 weeks', () => {
  const cellsOf = (page, selector) =>
    page.locator(`${selector} tbody tr`).evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent.trim().replace(/\s+/g, ' '))))

  test('the server’s alerts, open first with how each was sent; the figures for 8 weeks with their chart; the laptops, oldest sync first', async () => {
    await withApp({ hash: '#/team' }, async (page) => {
      await teamShown(page)
      const headings = await page.locator('[data-team-body] h2').allInnerTexts()
      assert.deepEqual(headings.slice(0, 5), [
        'Lone working',
        'Lone-worker alerts raised by the server',
        'Performance over the last 8 weeks',
        'Laptops and their last sync',
        'Caseload by worker',
      ])

      const alerts = page.locator('[data-team-server-alerts]')
      assert.match(await alerts.locator('[data-server-reported]').innerText(), /^As the server reported at \d{1,2}(:\d\d)?(am|pm)\. 1 alert is open\.$/)
      const alertRows = await cellsOf(page, '[data-team-server-alerts]')
      assert.deepEqual(alertRows.map((row) => [row[0], row[1], row[4].split(' ')[0]]), [
        ['jo.duty', DUTY_VISIT.reference, 'Open'],
        ['sam.caseworker', 'EH-2026-0077', 'Resolved'],
      ])
      assert.match(alertRows[0][5], /Webhook not sent: 3 tries, last error: HTTP 503/)
      assert.match(alertRows[0][5], /Email sent after 2 tries/)
      assert.equal(await alerts.getByRole('link', { name: DUTY_VISIT.reference, exact: true }).getAttribute('href'), `#/cases/${DUTY_VISIT.caseId}`)

      const kpis = await page.locator('[data-team-kpis] .govuk-summary-list__row').allInnerTexts()
      assert.deepEqual(kpis.map((row) => row.replace(/\s+/g, ' ').trim()), ['Median time to close a case 9.5 days', 'Cases closed 35'])
      const weeks = await cellsOf(page, '[data-weekly-table]')
      assert.equal(weeks.length, 8)
      assert.match(weeks[7][0], /\(this week so far\)$/)
      assert.deepEqual(await page.locator('[data-weekly-table] caption').innerText(), 'Cases opened and closed each week')
      await chartDrawn(page, '[data-weekly-chart-canvas]')
      assert.match(await page.locator('[data-weekly-chart-canvas]').getAttribute('aria-label'), /41 opened and 35 closed in all\. The table above has the same figures\.$/)

      const laptops = await cellsOf(page, '[data-team-laptops]')
      assert.deepEqual(laptops.map((row) => row[0]), ['jo.duty', 'alex.colleague', 'sam.caseworker', 'lee.lead', 'alex.colleague'])
      assert.equal(laptops[0][3], 'Never')
      assert.match(laptops[4][1], /RIV-LT-0077 Revoked/)
      await page.locator('[data-team-laptops]').scrollIntoViewIfNeeded()
      await expectAccessible(page, 'team-server-and-performance')
    })
  })

  test('a laptop that has never fetched the team from the server says so plainly, and will at its next sync', async () => {
    await withApp({ hash: '#/team', scenario: { ...LEAD, lastSyncedMinutesAgo: null } }, async (page) => {
      await teamShown(page)
      assert.equal(
        await page.locator('[data-team-server-alerts]').innerText(),
        'This laptop has not yet fetched your team’s lone-worker alerts from the server. It will at its next sync.',
      )
      assert.equal(await page.locator('[data-team-laptops]').innerText(), 'This laptop has not yet fetched your team’s laptops from the server. It will at its next sync.')
      // With nothing fetched, no banner either.
      assert.equal(await page.locator('[data-lone-worker-banner]').count(), 0)
      await expectAccessible(page, 'team-server-not-fetched')

      // The next sync fetches it.
      await page.evaluate(() => globalThis.__DOORSTEP_FAKE__.handle('sync_now'))
      await page.locator('[data-team-server-alerts] table').waitFor()
      await page.locator('[data-lone-worker-banner]').waitFor()
    })
  })

  test('the weekly figures CSV: a header, each week by its Monday, and the total; saved again, it gets a name of its own', async () => {
    await withApp({ hash: '#/team' }, async (page) => {
      await teamShown(page)
      const button = page.getByRole('button', { name: 'Download weekly figures (CSV)' })
      await button.click()
      const name = `team-weekly-figures-${await todayOf(page)}.csv`
      const first = await savedBanner(page)
      assert.equal(first.heading, `Saved ${name} to your Downloads folder`)
      assert.equal(first.path, `${DOWNLOADS}/${name}`)
      const [file] = await savedFiles(page)
      assert.equal(file.fileName, name)
      const lines = file.contents.replace(/^\uFEFF/, '').split('\r\n')
      assert.equal(lines[0], 'Week starting,Opened,Closed')
      assert.equal(lines.length, 11, 'a header, 8 weeks, the total and the final line ending')
      for (const line of lines.slice(1, 9)) assert.match(line, /^\d{4}-\d{2}-\d{2},\d+,\d+$/)
      assert.equal(lines[9], 'Total,41,35')
      await liveRegionSays(page, `Saved ${name} to your Downloads folder.`)

      // Rust never writes over a file: the second is "(1)", and the banner names it.
      await button.click()
      const second = `team-weekly-figures-${await todayOf(page)} (1).csv`
      await page.locator('[data-export-saved] .govuk-notification-banner__heading', { hasText: second }).waitFor()
      assert.equal(await page.locator('[data-export-path]').innerText(), `${DOWNLOADS}/${second}`)
      assert.equal(await page.locator('[data-export-saved]').count(), 1)
      const files = await savedFiles(page)
      assert.deepEqual(files.map((f) => f.fileName), [name, second])
      assert.equal(files[1].contents, file.contents)
      await liveRegionSays(page, `Saved ${second} to your Downloads folder.`)
      await expectAccessible(page, 'team-weekly-csv-saved')
    })
  })

  test('at 320px the saved banner’s long path wraps, with no sideways scrolling', async () => {
    await withApp({ hash: '#/team', viewport: NARROW }, async (page) => {
      await teamShown(page)
      await page.getByRole('button', { name: 'Download weekly figures (CSV)' }).click()
      await savedBanner(page)
      const width = await page.evaluate(() => document.documentElement.scrollWidth)
      assert.ok(width <= 320, `no sideways scrolling at 320px (the page is ${width}px wide)`)
      await expectAccessible(page, 'team-csv-saved-narrow')
    })
  })
})

describe('your team, for anyone else', () => {
  test('a caseworker has no Team item, and the address alone gets an explanation, not an error', async () => {
    await withApp({ hash: '#/team', scenario: CASEWORKER }, async (page) => {
      await teamShown(page)
      await page.getByText('Only team leads can see their team’s caseload.').waitFor()
      assert.equal(await page.locator('.doorstep-problem').count(), 0, 'not shown as an error')
      assert.equal(await page.locator('table, canvas').count(), 0)
      await page.locator('.govuk-service-navigation__list a', { hasText: 'My cases' }).waitFor()
      assert.ok(!(await navLinks(page)).includes('Team'))
      await expectAccessible(page, 'team-caseworker')
    })
  })
})

describe('your team with only the keyboard', () => {
  test('Tab reaches each case link, the table and the CSV button, each with a visible focus; Enter saves the file and opens a case', async () => {
    await withApp({ hash: '#/team' }, async (page) => {
      await teamShown(page)
      await chartDrawn(page)

      await tabTo(page, (el) => el.tag === 'a' && el.text === DUTY_VISIT.reference)
      assert.equal((await focusStyle(page)).background, FOCUS_YELLOW, 'the case link shows where focus is')
      await page.keyboard.press('Tab')
      assert.equal((await focused(page)).text, ALEX_VISIT.reference)
      assert.equal((await focusStyle(page)).background, FOCUS_YELLOW)

      await tabTo(page, (el) => el.className.includes('doorstep-table-scroll') && el.text.startsWith('Cases assigned to each worker'))
      assert.match((await focusStyle(page)).boxShadow, /rgb\(255, 221, 0\)/, 'the table’s region shows where focus is')
      // Its arrow keys scroll it sideways on a narrow window; Tab moves on, through each worker's name.
      await page.keyboard.press('Tab')
      assert.equal((await focused(page)).text, 'alex.colleague')
      await page.keyboard.press('Tab')
      assert.equal((await focused(page)).text, 'sam.caseworker')
      await page.keyboard.press('Tab')
      assert.equal((await focused(page)).text, 'Download caseload as CSV')
      assert.equal((await focusStyle(page)).background, FOCUS_YELLOW, 'the button shows where focus is')
      await screenshot(page, 'team-keyboard-download')

      await page.keyboard.press('Enter')
      const name = `team-caseload-${await todayOf(page)}.csv`
      const { heading } = await savedBanner(page)
      assert.equal(heading, `Saved ${name} to your Downloads folder`)
      assert.deepEqual((await savedFiles(page)).map((file) => file.fileName), [name])
      // As after a reassignment, focus moves to the confirmation, which shows it.
      assert.equal((await focused(page)).id, 'team-export-saved', 'the banner has focus')
      assert.equal(await page.evaluate(() => getComputedStyle(document.activeElement).outlineColor), FOCUS_YELLOW, 'the banner shows it has focus')
      await liveRegionSays(page, `Saved ${name} to your Downloads folder.`)
      await expectAccessible(page, 'team-keyboard-csv-saved')

      // The banner is before the heading, so the case links are ahead of it.
      await tabTo(page, (el) => el.tag === 'a' && el.text === ALEX_VISIT.reference)
      await page.keyboard.press('Enter')
      await page.locator('.doorstep-case-page h1.doorstep-case-heading').waitFor()
      assert.equal(await page.evaluate(() => location.hash), `#/cases/${ALEX_VISIT.caseId}`)
    })
  })
})
