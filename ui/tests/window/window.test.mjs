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
import { accessSync, constants } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Builder, By, until } from 'selenium-webdriver'
import { NATIVE_DRIVER, freePort, startTauriDriver, stopTauriDriver, waitForPaint, withTimeout } from './driver.mjs'

const REPO_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..')
const SCREENSHOT_DIR = join(REPO_DIR, 'test-output', 'window')

const BINARY = process.env.DOORSTEP_APP_BINARY
const EXPECTED_VERSION = process.env.DOORSTEP_EXPECTED_VERSION

const SESSION_TIMEOUT_MS = 60_000
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
