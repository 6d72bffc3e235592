// Measures the real Doorstep window, for the README's app table:
//   - cold start to interactive: from starting the app to My cases showing
//     rows from the encrypted store;
//   - the time to render My cases over 10,000 cases;
//   - idle memory (PSS) of the app and its WebKit processes, beside a minimal
//     Tauri window (src-tauri/examples/minimal_window.rs) measured in the same run.
//
// It seeds a demo server with the cases, syncs them to a fresh device with
// the `doorstep` CLI (signed in as the demo team lead, who sees the whole
// team's cases), then opens that device in the app through tauri-driver.
// Run it after a debug build, under a display and a keyring:
//
//   scripts/with-keyring.sh xvfb-run --auto-servernum \
//     --server-args="-screen 0 1280x900x24" node ui/scripts/measure-app.mjs [--cases 10000]
//
// Numbers print as a table; nothing here asserts on time.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Builder } from 'selenium-webdriver'

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..')
const TARGET = process.env.CARGO_TARGET_DIR ?? join(REPO, 'target')
/**
 * Which build to measure: `debug` (the test build) or the folder of an
 * optimised one, such as `release` (`cargo build --release` or
 * `--profile bench`, which both write there).
 */
const PROFILE_DIR = process.argv.includes('--profile') ? process.argv[process.argv.indexOf('--profile') + 1] : 'debug'
const BIN = (name) => join(TARGET, PROFILE_DIR, name)
const TAURI_DRIVER = process.env.TAURI_DRIVER || 'tauri-driver'
const NATIVE_DRIVER = process.env.WEBKIT_WEBDRIVER || '/usr/bin/WebKitWebDriver'
const CASES = Number(process.argv[process.argv.indexOf('--cases') + 1] || 10_000)
const LEAD = { user: 'sam.lead', password: 'demo-lead-password' }
/** Seconds the windows sit untouched before their memory is read. */
const IDLE_SECONDS = 15
/** A row of My cases, as the list view marks them. */
const ROW_SELECTOR = '.doorstep-case-row__link'

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms))

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

async function waitForPort(port, seconds) {
  const deadline = Date.now() + seconds * 1000
  while (Date.now() < deadline) {
    const open = await new Promise((ok) => {
      const socket = connect({ port, host: '127.0.0.1' })
      socket.once('connect', () => ok(socket.destroy() || true))
      socket.once('error', () => ok(false))
    })
    if (open) return
    await sleep(100)
  }
  throw new Error(`nothing listened on port ${port} within ${seconds} s`)
}

function run(binary, args, options = {}) {
  return execFileSync(binary, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'inherit'], ...options })
}

/** Proportional set size in KiB of `pid` and every process below it. */
function treePssKiB(pid) {
  const children = new Map()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (!children.has(parent)) children.set(parent, [])
      children.get(parent).push(Number(entry))
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0
  const names = []
  const visit = (p) => {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8')
      total += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0)
      names.push(readFileSync(`/proc/${p}/comm`, 'utf8').trim())
    } catch {
      // Gone, or not ours to read.
    }
    for (const child of children.get(p) ?? []) visit(child)
  }
  visit(pid)
  return { kib: total, processes: names }
}

/**
 * When a process started, in ms since the epoch (to the kernel's 10 ms
 * tick): its start in ticks since boot, against the uptime read now. (The
 * boot time in /proc/stat is in whole seconds, too coarse for this.)
 */
function processStartEpochMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19])
  const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
  const now = Date.now()
  const uptimeSeconds = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0])
  return now - (uptimeSeconds - startTicks / ticksPerSecond) * 1000
}

function pidOf(binaryPath) {
  const out = execFileSync('pgrep', ['-f', '-n', binaryPath], { encoding: 'utf8' }).trim()
  return Number(out)
}

const mib = (kib) => (kib / 1024).toFixed(0)

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'doorstep-measure-'))
  const serverDir = join(work, 'server')
  const deviceDir = join(work, 'device')
  const children = []
  try {
    // The server, seeded with invented cases for one team.
    run(BIN('doorstep-server'), ['demo', '--data-dir', serverDir, '--cases', String(CASES)])
    const port = await freePort()
    const server = spawn(BIN('doorstep-server'), ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', serverDir], { stdio: 'ignore' })
    children.push(server)
    await waitForPort(port, 60)
    const url = `http://127.0.0.1:${port}`

    // A fresh laptop holding every case, as after a first sync.
    const env = { ...process.env, DOORSTEP_DATA_DIR: deviceDir, DOORSTEP_SERVER_URL: url }
    run(BIN('doorstep'), ['login', '--server', url, '--user', LEAD.user, '--password-stdin'], { env, input: `${LEAD.password}\n` })
    const syncStarted = Date.now()
    run(BIN('doorstep'), ['sync'], { env })
    const syncSeconds = (Date.now() - syncStarted) / 1000

    // The app, cold, through tauri-driver.
    const driverPort = await freePort()
    let nativePort = await freePort()
    while (nativePort === driverPort) nativePort = await freePort()
    const driverProcess = spawn(TAURI_DRIVER, ['--port', String(driverPort), '--native-port', String(nativePort), '--native-driver', NATIVE_DRIVER], {
      env,
      detached: true,
      stdio: 'ignore',
    })
    children.push(driverProcess)
    await waitForPort(driverPort, 30)
    const started = performance.now()
    const driver = await new Builder()
      .usingServer(`http://127.0.0.1:${driverPort}/`)
      .withCapabilities({ browserName: 'wry', 'tauri:options': { application: BIN('doorstep-app') } })
      .build()
    let coldStartMs
    let processToRowsMs
    let renderMs
    try {
      await driver.executeScript(`if (!location.hash.startsWith('#/cases')) location.hash = '#/cases'`)
      // The page's own clock when the rows were first seen, polled as fast as WebDriver allows.
      const rowsSeenAt = await driver.wait(
        async () => driver.executeScript(`return document.querySelectorAll(arguments[0]).length > 0 ? Date.now() : null`, ROW_SELECTOR),
        120_000,
      )
      coldStartMs = performance.now() - started
      // Without the WebDriver session's own start-up: from the app process
      // starting to the rows showing.
      processToRowsMs = rowsSeenAt - processStartEpochMs(pidOf(BIN('doorstep-app')))

      // Away and back: the list is built again from the store each time.
      await driver.executeScript(`location.hash = '#/about'`)
      await sleep(500)
      renderMs = await driver.executeAsyncScript(
        `const [selector, done] = [arguments[0], arguments[arguments.length - 1]]
         const t0 = performance.now()
         location.hash = '#/cases'
         const check = () => document.querySelectorAll(selector).length > 0
           ? requestAnimationFrame(() => done(performance.now() - t0))
           : requestAnimationFrame(check)
         requestAnimationFrame(check)`,
        ROW_SELECTOR,
      )
      const rowsInDom = await driver.executeScript(`return document.querySelectorAll(arguments[0]).length`, ROW_SELECTOR)

      await sleep(IDLE_SECONDS * 1000)
      const app = treePssKiB(pidOf(BIN('doorstep-app')))

      // The minimal window, alone on the same display.
      const minimal = spawn(join(TARGET, PROFILE_DIR, 'examples', 'minimal_window'), [], { env: process.env, stdio: 'ignore' })
      children.push(minimal)
      await sleep((IDLE_SECONDS + 5) * 1000)
      const bare = treePssKiB(minimal.pid)

      console.log(`\nDoorstep window, ${PROFILE_DIR} build, ${CASES} cases on the device (first sync by the CLI took ${syncSeconds.toFixed(1)} s)\n`)
      console.log('| measure | value |')
      console.log('|---|---|')
      console.log(`| cold start to My cases showing rows, from the app process starting | ${processToRowsMs.toFixed(0)} ms |`)
      console.log(`| the same, from asking tauri-driver for a session (adds WebKitWebDriver's start-up) | ${coldStartMs.toFixed(0)} ms |`)
      console.log(`| render My cases over ${CASES} cases (from navigation to rows painted) | ${renderMs.toFixed(0)} ms (${rowsInDom} rows in the DOM) |`)
      console.log(`| idle PSS: Doorstep and its WebKit processes | ${mib(app.kib)} MiB (${app.processes.join(', ')}) |`)
      console.log(`| idle PSS: minimal Tauri window, same run | ${mib(bare.kib)} MiB (${bare.processes.join(', ')}) |`)
      console.log(`| Doorstep's own share | ${mib(app.kib - bare.kib)} MiB |`)
    } finally {
      await driver.quit().catch(() => {})
    }
  } finally {
    for (const child of children.reverse()) {
      try {
        process.kill(child.spawnargs[0] === TAURI_DRIVER ? -child.pid : child.pid, 'SIGTERM')
      } catch {
        // Already stopped.
      }
    }
    await sleep(500)
    rmSync(work, { recursive: true, force: true })
  }
}

await main()
