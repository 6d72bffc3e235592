// What the real-window tests share: tauri-driver in its own process group,
// free ports, timeouts and waiting for WebKit to paint.
import { spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Builder } from 'selenium-webdriver'

export const TAURI_DRIVER = process.env.TAURI_DRIVER || 'tauri-driver'
export const NATIVE_DRIVER = process.env.WEBKIT_WEBDRIVER || '/usr/bin/WebKitWebDriver'
const DRIVER_START_TIMEOUT_MS = 30_000

/** A port nobody is listening on right now. */
export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => ok(port))
    })
  })
}

export function canConnect(port) {
  return new Promise((ok) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => {
      socket.destroy()
      ok(true)
    })
    socket.once('error', () => ok(false))
  })
}

export function withTimeout(promise, ms, what) {
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
export async function startTauriDriver(port, nativePort, env = process.env) {
  const child = spawn(
    TAURI_DRIVER,
    ['--port', String(port), '--native-port', String(nativePort), '--native-driver', NATIVE_DRIVER],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env },
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

export function stopProcessGroup(child, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // Already gone.
  }
}

export async function stopTauriDriver(driverProcess) {
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
export async function waitForPaint(driver) {
  await driver.executeAsyncScript('const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done()))')
  await new Promise((ok) => setTimeout(ok, 500))
}


const REPO_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..')
export const SCREENSHOT_DIR = join(REPO_DIR, 'test-output', 'window')
export const UI_TIMEOUT_MS = 60_000

/** Waits for `condition`; on a timeout the failure says what the window showed instead. */
export async function waitShowingPage(driver, condition, message) {
  try {
    await driver.wait(condition, UI_TIMEOUT_MS, message)
  } catch (error) {
    const shown = await driver
      .executeScript('return location.hash + "\\n" + (document.body?.innerText ?? "").slice(0, 2000)')
      .catch(() => '(the window did not answer)')
    throw new Error(`${message}. The window showed:\n${shown}`, { cause: error })
  }
}

export async function screenshot(driver, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  await waitForPaint(driver)
  await writeFile(join(SCREENSHOT_DIR, `${name}.png`), await driver.takeScreenshot(), 'base64')
}

/**
 * Starts the app `application` through tauri-driver with `env`, and waits
 * until the window has chosen its first page and drawn it.
 */
export async function openApp(application, env) {
  const port = await freePort()
  let nativePort = await freePort()
  while (nativePort === port) nativePort = await freePort()
  const driverProcess = await startTauriDriver(port, nativePort, env)
  const driver = await withTimeout(
    new Builder()
      .usingServer(`http://127.0.0.1:${port}/`)
      .withCapabilities({ browserName: 'wry', 'tauri:options': { application } })
      .build(),
    60_000,
    'starting the app',
  )
  await waitShowingPage(driver, () => driver.executeScript(`return !!document.querySelector('main h1')`), 'the app drew no page')
  return { driver, driverProcess }
}

/** Closes what `openApp` opened, whatever state it is in. */
export async function closeApp(opened) {
  try {
    if (opened?.driver) await withTimeout(opened.driver.quit(), 30_000, 'closing the app').catch(() => {})
  } finally {
    await stopTauriDriver(opened?.driverProcess)
  }
}

/** A `doorstep-server` process on loopback, serving `dataDir`. */
export class DoorstepServer {
  constructor(binary, dataDir, port) {
    this.binary = binary
    this.dataDir = dataDir
    this.port = port
    this.url = `http://127.0.0.1:${port}`
  }

  async start() {
    this.child = spawn(this.binary, ['serve', '--listen', `127.0.0.1:${this.port}`, '--data-dir', this.dataDir], { stdio: 'ignore' })
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      if (await canConnect(this.port)) return
      await new Promise((ok) => setTimeout(ok, 100))
    }
    throw new Error(`doorstep-server did not listen on ${this.url}`)
  }

  async stop() {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = new Promise((ok) => this.child.once('exit', ok))
    this.child.kill('SIGTERM')
    await exited
  }
}
