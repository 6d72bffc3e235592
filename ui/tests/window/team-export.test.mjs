// The real Doorstep window on a real demo server, with no mocks: a team lead
// signs in, opens Your team, presses Enter on "Download caseload as CSV", and
// the file is really written into their Downloads folder, with the same
// figures as the table, and the page says where it went.
//
// The app gets its own HOME, and a user-dirs.dirs there (as on a Linux
// desktop) naming $HOME/Downloads, so the file lands in a throwaway folder.
// The keyring is unaffected: it is reached over the D-Bus session bus that
// scripts/with-keyring.sh starts, not through HOME.
//
// Run under a display and a keyring, after a debug build (scripts/test.sh does):
//   DOORSTEP_APP_BINARY=target/debug/doorstep-app scripts/with-keyring.sh \
//     xvfb-run --auto-servernum node --test ui/tests/window/
// The server is taken from the app's folder (target/debug).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { By, Key } from 'selenium-webdriver'
import { DoorstepServer, UI_TIMEOUT_MS, closeApp, freePort, openApp, screenshot, waitShowingPage } from './driver.mjs'

const APP = process.env.DOORSTEP_APP_BINARY ? resolve(process.env.DOORSTEP_APP_BINARY) : undefined
const SERVER = APP ? join(dirname(APP), 'doorstep-server') : ''

// The demo's people (crates/doorstep-server/src/demo.rs).
const LEAD = { user: 'sam.lead', password: 'demo-lead-password' }
const DEMO_WORKERS = ['amy.caseworker', 'ben.caseworker']
// Not a run of digits nor one digit repeated, as Set your PIN requires.
const PIN = '407193'
// The caseload file's first line (ui/src/views/team-figures.ts, CASELOAD_COLUMNS).
const CSV_HEADER =
  'Worker,Open cases,In progress,Awaiting review,Overdue cases,Open tasks,Overdue tasks,Visits under way,Overdue visits,Cases with conflicts'
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf])

const heading = (driver) => driver.executeScript(`return (document.querySelector('main h1')?.textContent ?? '').trim()`)

/** Types into a field as a person would, after emptying it. */
async function type(driver, selector, text) {
  const field = await driver.findElement(By.css(selector))
  await field.clear()
  await field.sendKeys(text)
}

describe('a team lead saves the caseload as a CSV file from the real window', { timeout: 360_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'doorstep-team-export-'))
  const serverData = join(work, 'server')
  const laptop = join(work, 'lead-laptop')
  const home = join(work, 'home')
  const downloads = join(home, 'Downloads')
  let server
  let app
  let driver
  let savedPath

  before(async () => {
    assert.ok(APP, 'Set DOORSTEP_APP_BINARY to the built app, e.g. target/debug/doorstep-app')
    assert.ok(process.env.DISPLAY, 'No display: run this under xvfb-run')

    // A demo server with a small team and a few cases.
    server = new DoorstepServer(SERVER, serverData, await freePort())
    execFileSync(SERVER, ['demo', '--data-dir', serverData, '--cases', '20'], { stdio: 'ignore' })
    await server.start()

    // The lead's own home folder, set up as a Linux desktop sets it up: the
    // Downloads folder is named in ~/.config/user-dirs.dirs. It does not
    // exist yet; saving the file makes it.
    mkdirSync(join(home, '.config'), { recursive: true })
    writeFileSync(join(home, '.config', 'user-dirs.dirs'), 'XDG_DOWNLOAD_DIR="$HOME/Downloads"\n')

    app = await openApp(APP, {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      DOORSTEP_DATA_DIR: laptop,
      DOORSTEP_SERVER_URL: server.url,
    })
    driver = app.driver
  })

  after(async () => {
    try {
      await closeApp(app)
    } finally {
      await server?.stop()
      rmSync(work, { recursive: true, force: true })
    }
  })

  test('1. the lead signs in through the window and sets a PIN', async () => {
    await waitShowingPage(driver, async () => (await heading(driver)) === 'Sign in', 'a new laptop did not open on Sign in')
    await type(driver, '#username', LEAD.user)
    await type(driver, '#password', LEAD.password)
    await driver.findElement(By.css('form.doorstep-sign-in button[type="submit"]')).click()

    await waitShowingPage(driver, async () => (await heading(driver)) !== 'Sign in' || (await driver.executeScript(`return !!document.querySelector('.govuk-error-summary')`)), 'signing in never finished')
    const signInProblem = await driver.executeScript(`return document.querySelector('.govuk-error-summary')?.innerText ?? ''`)
    assert.notEqual(await heading(driver), 'Sign in', `the lead is signed in, not shown an error: ${signInProblem}`)
    if ((await heading(driver)) === 'Set your PIN') {
      await type(driver, '#pin', PIN)
      await type(driver, '#pin-confirm', PIN)
      await driver.findElement(By.css('form.doorstep-set-pin button[type="submit"]')).click()
      await waitShowingPage(driver, async () => (await heading(driver)) !== 'Set your PIN', 'the PIN was never set')
    }
    // The lead's navigation has Your team.
    await waitShowingPage(
      driver,
      () => driver.executeScript(`return !!document.querySelector('a.govuk-service-navigation__link[href="#/team"]')`),
      'the navigation has no link to the Team page',
    )
  })

  test('2. Your team shows the demo workers’ caseload once the team’s cases have synced', async () => {
    await driver.findElement(By.css('a.govuk-service-navigation__link[href="#/team"]')).click()
    await waitShowingPage(driver, async () => (await heading(driver)) === 'Your team', 'the Team page did not open')
    // The page redraws itself after each sync, so the table appears when the cases arrive.
    await waitShowingPage(
      driver,
      () =>
        driver.executeScript(
          `const rows = [...document.querySelectorAll('.doorstep-team-table tbody th')].map((th) => th.textContent.trim())
           return arguments[0].every((worker) => rows.includes(worker))`,
          DEMO_WORKERS,
        ),
      'the caseload table never listed the demo caseworkers',
    )
    const button = await driver.findElement(By.css('[data-download-csv]'))
    assert.equal((await button.getText()).trim(), 'Download caseload as CSV')
  })

  test('3. pressing Enter on “Download caseload as CSV” saves the file in Downloads and the page says where', async () => {
    assert.equal(existsSync(downloads), false, 'nothing has been saved before the lead asks')
    const button = await driver.findElement(By.css('[data-download-csv]'))
    await driver.executeScript('arguments[0].focus()', button)
    assert.equal(await driver.executeScript(`return document.activeElement?.hasAttribute('data-download-csv') ?? false`), true, 'the button has focus')
    await button.sendKeys(Key.ENTER)

    await waitShowingPage(
      driver,
      () => driver.executeScript(`return !!document.querySelector('[data-export-saved], [data-team-export] .govuk-error-summary')`),
      'the page never said whether the file was saved',
    )
    const problem = await driver.executeScript(`return document.querySelector('[data-team-export] .govuk-error-summary')?.innerText ?? null`)
    assert.equal(problem, null, `the window showed an error instead of saving the file: ${problem}`)

    const banner = await driver.executeScript(`
      const banner = document.querySelector('[data-export-saved]')
      return {
        title: banner.querySelector('.govuk-notification-banner__title').textContent.trim(),
        heading: banner.querySelector('.govuk-notification-banner__heading').textContent.trim(),
        path: banner.querySelector('[data-export-path]').textContent.trim(),
        focused: document.activeElement === banner,
      }`)
    assert.equal(banner.title, 'Success')
    const fileName = basename(banner.path)
    assert.match(fileName, /^team-caseload-\d{4}-\d{2}-\d{2}\.csv$/)
    assert.equal(banner.heading, `Saved ${fileName} to your Downloads folder`)
    assert.equal(banner.path, join(downloads, fileName), 'the file went into the lead’s Downloads folder')
    assert.equal(banner.focused, true, 'focus moved to the success banner, so it is read out')
    assert.deepEqual(readdirSync(downloads), [fileName], 'exactly one file was saved')
    savedPath = banner.path
    await screenshot(driver, 'team-export')
  })

  test('4. the saved file is UTF-8 with a BOM and has the same figures as the table, ending with the total', async () => {
    assert.ok(savedPath, 'the file was saved in the previous step')
    const bytes = readFileSync(savedPath)
    assert.deepEqual(bytes.subarray(0, 3), UTF8_BOM, 'the file starts with the UTF-8 byte order mark, for Excel')
    const lines = bytes.subarray(3).toString('utf8').split('\r\n')
    assert.equal(lines.pop(), '', 'every line ends with CRLF')
    assert.equal(lines[0], CSV_HEADER)

    // What the lead sees in the table: one line a worker, then the total.
    const table = await driver.executeScript(`
      const line = (row) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent.trim().replace(/,/g, '')).join(',')
      return [...document.querySelectorAll('.doorstep-team-table tbody tr, .doorstep-team-table tfoot tr')].map(line)`)
    assert.deepEqual(lines.slice(1), table, 'the file has the table’s rows and figures')
    for (const worker of DEMO_WORKERS) {
      assert.ok(lines.some((l) => l.startsWith(`${worker},`)), `the file has a row for ${worker}`)
    }
    const total = lines.at(-1).split(',')
    assert.equal(total[0], 'Total', 'the last row is the total')
    const openCases = lines.slice(1, -1).reduce((sum, l) => sum + Number(l.split(',')[1]), 0)
    assert.ok(openCases > 0, 'the demo team has open cases')
    assert.equal(Number(total[1]), openCases, 'the total adds up the workers’ open cases')
  })
})
