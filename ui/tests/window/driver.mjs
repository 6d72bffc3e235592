// What the real-window tests share: tauri-driver in its own process group,
// free ports, timeouts and waiting for WebKit to paint.
import { spawn } from 'node:child_process'
import { connect, createServer } from 'node:net'

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

