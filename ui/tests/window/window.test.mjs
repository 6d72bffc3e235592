// Drives the REAL Doorstep window (the built Tauri app in WebKitGTK) through
// tauri-driver and WebKitWebDriver. Run under a display, for example:
//
//   DOORSTEP_APP_BINARY=target/debug/doorstep-app DOORSTEP_EXPECTED_VERSION=0.1.0 \
//     xvfb-run --auto-servernum node --test ui/tests/window/
//
// Environment:
//   DOORSTEP_APP_BINARY        path to the built app (required)
//   DOORSTEP_EXPECTED_VERSION  the version the About page must show (required)
//   TAURI_DRIVER               tauri-driver to run (default: `tauri-driver` on PATH)
//   WEBKIT_WEBDRIVER           native driver (default: /usr/bin/WebKitWebDriver)
//   DOORSTEP_DATA_DIR, DOORSTEP_COUNCIL_NAME  passed on to the app; when set, the
//                              page must show exactly these values
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { isAbsolute, join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Builder, By, until } from 'selenium-webdriver'

const REPO_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..')
const SCREENSHOT_DIR = join(REPO_DIR, 'test-output', 'window')

const BINARY = process.env.DOORSTEP_APP_BINARY
const EXPECTED_VERSION = process.env.DOORSTEP_EXPECTED_VERSION
const TAURI_DRIVER = process.env.TAURI_DRIVER || 'tauri-driver'
const NATIVE_DRIVER = process.env.WEBKIT_WEBDRIVER || '/usr/bin/WebKitWebDriver'

const SESSION_TIMEOUT_MS = 60_000
const DRIVER_START_TIMEOUT_MS = 30_000
const UI_TIMEOUT_MS = 30_000

function checkEnvironment() {
  assert.ok(BINARY, 'Set DOORSTEP_APP_BINARY to the built app, e.g. target/debug/doorstep-app')
  assert.ok(EXPECTED_VERSION, 'Set DOORSTEP_EXPECTED_VERSION to the version the app should report')
  assert.ok(process.env.DISPLAY || process.env.WAYLAND_DISPLAY, 'No display: run this under xvfb-run')
  try {
    accessSync(BINARY, constants.X_OK)
  } catch {
    assert.fail(`DOORSTEP_APP_BINARY (${BINARY}) does not exist or is not executable: build the app first`)
  }
  try {
    accessSync(NATIVE_DRIVER, constants.X_OK)
  } catch {
    assert.fail(`${NATIVE_DRIVER} is missing: install Debian's webkit2gtk-driver package`)
  }
}

/** A port nobody is listening on right now. */
function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => ok(port))
    })
  })
}

function canConnect(port) {
  return new Promise((ok) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => {
      socket.destroy()
      ok(true)
    })
    socket.once('error', () => ok(false))
  })
}

function withTimeout(promise, ms, what) {
  let timer
  return Promise.race([
    promise,
    new Promise((_, fail) => {
      timer = setTimeout(() => fail(new Error(`Timed out after ${ms / 1000} s ${what}`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

/**
 * Starts tauri-driver in its own process group, so that stopping it also
 * stops the WebKitWebDriver and app processes it starts.
 */
async function startTauriDriver(port, nativePort) {
  const child = spawn(
    TAURI_DRIVER,
    ['--port', String(port), '--native-port', String(nativePort), '--native-driver', NATIVE_DRIVER],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })))
  const failedToSpawn = new Promise((ok) => child.once('error', (err) => ok(err)))

  const deadline = Date.now() + DRIVER_START_TIMEOUT_MS
  while (Date.now() < deadline) {
    const early = await Promise.race([exited, failedToSpawn, new Promise((ok) => setTimeout(() => ok(null), 250))])
    if (early instanceof Error) {
      throw new Error(`Could not run ${TAURI_DRIVER} (${early.message}); install it with \`cargo install tauri-driver --locked\` or set TAURI_DRIVER`)
    }
    if (early) throw new Error(`tauri-driver exited early (${JSON.stringify(early)}):\n${output}`)
    if (await canConnect(port)) return { child, output: () => output, exited }
  }
  stopProcessGroup(child)
  throw new Error(`tauri-driver did not accept connections on port ${port} within ${DRIVER_START_TIMEOUT_MS / 1000} s:\n${output}`)
}

function stopProcessGroup(child, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // Already gone.
  }
}

async function stopTauriDriver(driverProcess) {
  if (!driverProcess) return
  const { child, exited } = driverProcess
  stopProcessGroup(child, 'SIGTERM')
  const stopped = await Promise.race([exited.then(() => true), new Promise((ok) => setTimeout(() => ok(false), 5_000))])
  if (!stopped) stopProcessGroup(child, 'SIGKILL')
}

/**
 * WebKitGTK can hand WebDriver a snapshot from before the last DOM change
 * (seen on a cold start under Xvfb), so let two frames paint first.
 */
async function waitForPaint(driver) {
  await driver.executeAsyncScript('const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done()))')
  await new Promise((ok) => setTimeout(ok, 500))
}

const text = (driver, selector) =>
  driver.executeScript(`return (document.querySelector(arguments[0])?.textContent ?? '').trim()`, selector)

describe('the real Doorstep window', { timeout: 240_000 }, () => {
  let driverProcess
  let driver

  before(async () => {
    checkEnvironment()
    const port = await freePort()
    let nativePort = await freePort()
    while (nativePort === port) nativePort = await freePort()
    driverProcess = await startTauriDriver(port, nativePort)
    driver = await withTimeout(
      new Builder()
        .usingServer(`http://127.0.0.1:${port}/`)
        .withCapabilities({ browserName: 'wry', 'tauri:options': { application: resolve(BINARY) } })
        .build(),
      SESSION_TIMEOUT_MS,
      'creating the WebDriver session (starting the app)',
    )
  })

  after(async () => {
    try {
      if (driver) await withTimeout(driver.quit(), 30_000, 'closing the app').catch(() => {})
    } finally {
      await stopTauriDriver(driverProcess)
    }
  })

  test('opens with the council header and the service navigation', async () => {
    const header = await driver.wait(until.elementLocated(By.css('.doorstep-header')), UI_TIMEOUT_MS)
    await driver.wait(until.elementLocated(By.css('.govuk-service-navigation__list')), UI_TIMEOUT_MS, 'The app shows its startup error instead of the navigation: app_info failed')
    const councilName = (await header.getText()).trim()
    assert.ok(councilName.length > 0, 'the header shows a council name')
    if (process.env.DOORSTEP_COUNCIL_NAME) assert.equal(councilName, process.env.DOORSTEP_COUNCIL_NAME)
    assert.notEqual(councilName, 'Doorstep', 'the header shows the council, not the startup-error fallback')

    const myCases = await driver.findElement(By.css('a.govuk-service-navigation__link[href="#/cases"]'))
    assert.equal((await myCases.getText()).trim(), 'My cases')
    assert.equal(await text(driver, '.govuk-service-navigation__service-name'), 'Doorstep')

    // The council colour reached the CSS and white text on it stays readable.
    const contrast = await driver.executeScript(`
      const rgb = getComputedStyle(document.querySelector('.doorstep-header')).backgroundColor.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number)
      const lin = (c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4 }
      const l = 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2])
      return 1.05 / (l + 0.05)`)
    assert.ok(contrast >= 4.5, `white header text has ${contrast.toFixed(2)}:1 contrast`)
  })

  test('About this device shows the version and data folder that Rust reports', async () => {
    await driver.findElement(By.css('a.govuk-service-navigation__link[href="#/about"]')).click()
    await driver.wait(async () => (await text(driver, 'h1')) === 'About this device', UI_TIMEOUT_MS)

    const rows = Object.fromEntries(
      await driver.executeScript(`
        return [...document.querySelectorAll('.govuk-summary-list__row')].map((row) => [
          row.querySelector('dt').textContent.trim(),
          row.querySelector('dd').textContent.trim(),
        ])`),
    )
    assert.equal(rows['App version'], EXPECTED_VERSION)
    const dataDir = rows['Data folder'] ?? ''
    assert.ok(dataDir.length > 0, 'a data folder is shown')
    assert.ok(isAbsolute(dataDir), `the data folder is an absolute path (got ${JSON.stringify(dataDir)})`)
    assert.ok(rows['Council'], 'the council is shown')
    // When the caller chose the settings, the page must show exactly what Rust read.
    if (process.env.DOORSTEP_DATA_DIR) assert.equal(dataDir, process.env.DOORSTEP_DATA_DIR)
    if (process.env.DOORSTEP_COUNCIL_NAME) assert.equal(rows['Council'], process.env.DOORSTEP_COUNCIL_NAME)
    assert.equal(await text(driver, '[data-app-version]'), `Doorstep version ${EXPECTED_VERSION}`)
    assert.equal(await driver.executeScript('return document.title'), 'About this device – Doorstep')

    await mkdir(SCREENSHOT_DIR, { recursive: true })
    await waitForPaint(driver)
    await writeFile(join(SCREENSHOT_DIR, 'about.png'), await driver.takeScreenshot(), 'base64')
  })
})
