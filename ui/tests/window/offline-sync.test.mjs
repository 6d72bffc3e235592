// The real Doorstep window on a real server, with no mocks: a caseworker edits
// a case while the server is down, the app syncs by itself when it returns,
// a second laptop (the `doorstep` CLI) sees the edit, and when both change
// the same detail the app shows the conflict with both values.
//
// Run under a display and a keyring, after a debug build (scripts/test.sh does):
//   DOORSTEP_APP_BINARY=target/debug/doorstep-app scripts/with-keyring.sh \
//     xvfb-run --auto-servernum node --test ui/tests/window/
// The server and CLI are taken from the app's folder (target/debug).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DoorstepServer, UI_TIMEOUT_MS, closeApp, freePort, openApp, screenshot, waitShowingPage } from './driver.mjs'

const APP = process.env.DOORSTEP_APP_BINARY ? resolve(process.env.DOORSTEP_APP_BINARY) : undefined
const BIN_DIR = APP ? dirname(APP) : ''
const SERVER = join(BIN_DIR, 'doorstep-server')
const CLI = join(BIN_DIR, 'doorstep')

// The demo's people (crates/doorstep-server/src/demo.rs).
const CASEWORKER = { user: 'amy.caseworker', password: 'demo-amy-password' }
const LEAD = { user: 'sam.lead', password: 'demo-lead-password' }

/** One laptop running the `doorstep` CLI on its own data folder. */
function cli(dataDir, server, args, input) {
  return execFileSync(CLI, args, {
    encoding: 'utf8',
    input,
    env: { ...process.env, DOORSTEP_DATA_DIR: dataDir, DOORSTEP_SERVER_URL: server },
  })
}

/** Calls a Rust command from the page, as the UI does, to read state the test checks. */
function invoke(driver, command, args = {}) {
  return driver.executeAsyncScript(
    `const [command, args, done] = arguments
     window.__TAURI_INTERNALS__.invoke(command, args).then((value) => done({ value }), (error) => done({ error }))`,
    command,
    args,
  )
}

async function waitForSync(driver, what, test) {
  let last
  await driver.wait(
    async () => {
      last = (await invoke(driver, 'sync_status')).value
      return last !== undefined && test(last)
    },
    UI_TIMEOUT_MS,
    `the app never became ${what}`,
  ).catch((error) => {
    throw new Error(`${error.message}; last sync status: ${JSON.stringify(last)}`)
  })
}

const pageText = (driver) => driver.executeScript('return document.querySelector("main")?.innerText ?? ""')

async function changeSummary(driver, caseId, text) {
  await driver.executeScript(`location.hash = arguments[0]`, `#/cases/${caseId}`)
  await waitShowingPage(driver, () => driver.executeScript(`return !!document.getElementById('change-summary')`), 'the case page did not show')
  await driver.executeScript(`document.getElementById('change-summary').click()`)
  await driver.wait(async () => driver.executeScript(`return !!document.getElementById('change-value')`), UI_TIMEOUT_MS, 'the Change summary form did not open')
  await driver.executeScript(
    `const input = document.getElementById('change-value')
     input.value = arguments[0]
     input.dispatchEvent(new Event('input', { bubbles: true }))
     input.form.requestSubmit()`,
    text,
  )
  // Rust holding the value is what counts; the live region's "Saved on this
  // laptop" may already have given way to the sync status it shares.
  await waitShowingPage(
    driver,
    async () => (await invoke(driver, 'show_case', { caseId })).value?.case.fields.summary?.value === text,
    'the change was never saved',
  )
}

describe('a caseworker works offline in the real window', { timeout: 360_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'doorstep-window-'))
  const appLaptop = join(work, 'app-laptop')
  const leadLaptop = join(work, 'lead-laptop')
  let server
  let app
  let driver
  let caseId

  before(async () => {
    assert.ok(APP, 'Set DOORSTEP_APP_BINARY to the built app, e.g. target/debug/doorstep-app')
    assert.ok(process.env.DISPLAY, 'No display: run this under xvfb-run')
    server = new DoorstepServer(SERVER, join(work, 'server'), await freePort())
    execFileSync(SERVER, ['demo', '--data-dir', server.dataDir, '--cases', '12'], { stdio: 'ignore' })
    await server.start()

    // The caseworker's laptop was set up at the office: signed in and synced.
    cli(appLaptop, server.url, ['login', '--server', server.url, '--user', CASEWORKER.user, '--password-stdin'], `${CASEWORKER.password}\n`)
    cli(appLaptop, server.url, ['sync'])
    const cases = JSON.parse(cli(appLaptop, server.url, ['--json', 'case', 'list']))
    assert.ok(cases.length > 0, 'the caseworker has cases to work on')
    caseId = cases[0].caseId

    // Out in the field: no connection to the server.
    await server.stop()
    app = await openApp(APP, {
      ...process.env,
      DOORSTEP_DATA_DIR: appLaptop,
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

  test('1. with the server stopped, the app says it is offline and still saves the edit', async () => {
    await waitForSync(driver, 'offline', (status) => status.connection === 'offline')
    await changeSummary(driver, caseId, 'Edited in the app with no signal')
    const page = (await invoke(driver, 'show_case', { caseId })).value
    assert.equal(page.case.fields.summary.value, 'Edited in the app with no signal')
    assert.equal(page.sync.state, 'unsynced', 'the edit waits on this laptop')
    assert.match(await pageText(driver), /Not sent yet/)
    // Offline, nothing else speaks, so the save is still what was last announced.
    await waitShowingPage(
      driver,
      async () => /Saved on this laptop/.test(await driver.executeScript(`return document.querySelector('[data-live-region]')?.textContent ?? ''`)),
      'the app never said the change was saved',
    )
    await screenshot(driver, 'offline-edit')
  })

  test('2. when the server is back, the app syncs by itself and the edit is safe', async () => {
    await server.start()
    // What the window does when the browser reports the network back.
    await driver.executeScript(`window.dispatchEvent(new Event('online'))`)
    await waitForSync(driver, 'synced', (status) => status.connection === 'online' && status.everythingAcknowledged)
    const page = (await invoke(driver, 'show_case', { caseId })).value
    assert.equal(page.sync.state, 'synced')
  })

  test('3. a second laptop, the CLI, sees the edit', async () => {
    cli(leadLaptop, server.url, ['login', '--server', server.url, '--user', LEAD.user, '--password-stdin'], `${LEAD.password}\n`)
    cli(leadLaptop, server.url, ['sync'])
    const shown = JSON.parse(cli(leadLaptop, server.url, ['--json', 'case', 'show', caseId]))
    assert.equal(shown.fields.summary.value, 'Edited in the app with no signal')
  })

  test('4. both change the summary at once, and the app shows the conflict with both values', async () => {
    // The lead edits offline on the copy they synced; meanwhile the caseworker edits in the app.
    cli(leadLaptop, server.url, ['case', 'set', caseId, 'summary', "The lead's wording"])
    await changeSummary(driver, caseId, "The caseworker's second wording")
    await waitForSync(driver, 'synced again', (status) => status.connection === 'online' && status.everythingAcknowledged)
    cli(leadLaptop, server.url, ['sync'])

    await invoke(driver, 'sync_now')
    await driver.wait(
      async () => ((await invoke(driver, 'show_case', { caseId })).value?.case.conflicts.length ?? 0) > 0,
      UI_TIMEOUT_MS,
      'the conflict never reached the app',
    )
    await driver.executeScript(`location.hash = '#/conflicts'`)
    await driver.wait(async () => /The lead's wording/.test(await pageText(driver)), UI_TIMEOUT_MS, 'the conflicts page does not show the lead’s value')
    const text = await pageText(driver)
    assert.match(text, /The caseworker's second wording/, 'both values are shown side by side')
    await screenshot(driver, 'conflict')
  })
})
