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
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Builder } from 'selenium-webdriver'
import { canConnect, freePort, startTauriDriver, stopTauriDriver, waitForPaint, withTimeout } from './driver.mjs'

const REPO_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..')
const SCREENSHOT_DIR = join(REPO_DIR, 'test-output', 'window')
const APP = process.env.DOORSTEP_APP_BINARY ? resolve(process.env.DOORSTEP_APP_BINARY) : undefined
const BIN_DIR = APP ? dirname(APP) : ''
const SERVER = join(BIN_DIR, 'doorstep-server')
const CLI = join(BIN_DIR, 'doorstep')

// The demo's people (crates/doorstep-server/src/demo.rs).
const CASEWORKER = { user: 'amy.caseworker', password: 'demo-amy-password' }
const LEAD = { user: 'sam.lead', password: 'demo-lead-password' }
const UI_TIMEOUT_MS = 60_000

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms))

/** One laptop running the `doorstep` CLI on its own data folder. */
function cli(dataDir, server, args, input) {
  return execFileSync(CLI, args, {
    encoding: 'utf8',
    input,
    env: { ...process.env, DOORSTEP_DATA_DIR: dataDir, DOORSTEP_SERVER_URL: server },
  })
}

class Server {
  constructor(dataDir, port) {
    this.dataDir = dataDir
    this.port = port
    this.url = `http://127.0.0.1:${port}`
  }

  async start() {
    this.child = spawn(SERVER, ['serve', '--listen', `127.0.0.1:${this.port}`, '--data-dir', this.dataDir], { stdio: 'ignore' })
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      if (await canConnect(this.port)) return
      await sleep(100)
    }
    throw new Error(`doorstep-server did not listen on ${this.url}`)
  }

  async stop() {
    if (!this.child || this.child.exitCode !== null) return
    const exited = new Promise((ok) => this.child.once('exit', ok))
    this.child.kill('SIGTERM')
    await exited
  }
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

/** Waits for `condition`; on a timeout the failure says what the window showed instead. */
async function waitShowingPage(driver, condition, message) {
  try {
    await driver.wait(condition, UI_TIMEOUT_MS, message)
  } catch (error) {
    const shown = await driver
      .executeScript('return location.hash + "\\n" + (document.body?.innerText ?? "").slice(0, 2000)')
      .catch(() => '(the window did not answer)')
    throw new Error(`${message}. The window showed:\n${shown}`, { cause: error })
  }
}

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

async function screenshot(driver, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  await waitForPaint(driver)
  await writeFile(join(SCREENSHOT_DIR, `${name}.png`), await driver.takeScreenshot(), 'base64')
}

describe('a caseworker works offline in the real window', { timeout: 360_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'doorstep-window-'))
  const appLaptop = join(work, 'app-laptop')
  const leadLaptop = join(work, 'lead-laptop')
  let server
  let driverProcess
  let driver
  let caseId

  before(async () => {
    assert.ok(APP, 'Set DOORSTEP_APP_BINARY to the built app, e.g. target/debug/doorstep-app')
    assert.ok(process.env.DISPLAY, 'No display: run this under xvfb-run')
    server = new Server(join(work, 'server'), await freePort())
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
    const port = await freePort()
    let nativePort = await freePort()
    while (nativePort === port) nativePort = await freePort()
    driverProcess = await startTauriDriver(port, nativePort, {
      ...process.env,
      DOORSTEP_DATA_DIR: appLaptop,
      DOORSTEP_SERVER_URL: server.url,
    })
    driver = await withTimeout(
      new Builder()
        .usingServer(`http://127.0.0.1:${port}/`)
        .withCapabilities({ browserName: 'wry', 'tauri:options': { application: APP } })
        .build(),
      60_000,
      'starting the app',
    )
    // The window has chosen its first page and drawn it before a step moves on.
    await waitShowingPage(driver, () => driver.executeScript(`return !!document.querySelector('main h1')`), 'the app drew no page')
  })

  after(async () => {
    try {
      if (driver) await withTimeout(driver.quit(), 30_000, 'closing the app').catch(() => {})
    } finally {
      await stopTauriDriver(driverProcess)
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
