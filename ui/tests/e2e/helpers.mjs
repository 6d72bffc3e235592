// Shared plumbing for the browser tests: serve ui/dist with Tauri's CSP,
// drive Debian's Chromium through playwright-core, inject the IPC mock,
// and collect anything that would be an error in the real app.
import assert from 'node:assert/strict'
import { AxeBuilder } from '@axe-core/playwright'
import { build } from 'esbuild'
import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before } from 'node:test'
import { chromium } from 'playwright-core'

const here = fileURLToPath(new URL('.', import.meta.url))
export const UI_DIR = resolve(here, '../..')
export const REPO_DIR = resolve(UI_DIR, '..')
// DOORSTEP_UI_DIST lets two people (or two agents) test separate builds at once.
export const DIST_DIR = resolve(process.env.DOORSTEP_UI_DIST ?? join(UI_DIR, 'dist'))
export const SCREENSHOT_DIR = join(REPO_DIR, 'test-output', 'ui')
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']

/** The tests check the built app, exactly as Tauri would load it. */
export function assertBuilt() {
  if (!existsSync(join(DIST_DIR, 'index.html'))) {
    throw new Error(`ui/dist/index.html is missing: run \`npm run build\` in ui/ before \`npm run test:e2e\`.`)
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium was not found at ${CHROMIUM}: install Debian's chromium package (scripts/install-deps.sh).`)
  }
}

/** The security settings the real app runs under, read from tauri.conf.json at test time. */
export async function tauriSecurity() {
  const conf = JSON.parse(await readFile(join(REPO_DIR, 'src-tauri', 'tauri.conf.json'), 'utf8'))
  const { csp, freezePrototype = false } = conf?.app?.security ?? {}
  if (typeof csp !== 'string' || csp === '') throw new Error('tauri.conf.json has no app.security.csp string')
  return { csp, freezePrototype: freezePrototype === true }
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

/** A static server for ui/dist on 127.0.0.1 with a free port, sending the Tauri CSP. */
export async function serveDist() {
  const { csp, freezePrototype } = await tauriSecurity()
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    const file = normalize(join(DIST_DIR, path === '/' ? 'index.html' : path))
    const headers = { 'Content-Security-Policy': csp, 'Cache-Control': 'no-store' }
    if (!file.startsWith(DIST_DIR + sep)) {
      res.writeHead(403, headers).end()
      return
    }
    try {
      const body = await readFile(file)
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body)
    } catch {
      res.writeHead(404, headers).end('Not found')
    }
  })
  await new Promise((ok, fail) => {
    server.once('error', fail)
    server.listen(0, '127.0.0.1', ok)
  })
  const { port } = server.address()
  return {
    url: `http://127.0.0.1:${port}/`,
    csp,
    freezePrototype,
    close: () => new Promise((ok) => server.close(ok)),
  }
}

/** The IPC mock as one classic script, ready for page.addInitScript. */
export async function bundleIpcMock() {
  const result = await build({
    entryPoints: [join(here, 'mock-ipc.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0].text
}

export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/**
 * A fresh page with the IPC mock (for `scenario`) and a watch on console
 * errors, uncaught exceptions and CSP violations. `problems` should stay empty.
 */
export async function openApp(browser, { server, mock, scenario = {}, hash = '', viewport = { width: 1200, height: 800 } }) {
  // 1200×800 is the app window's default size (tauri.conf.json).
  const context = await browser.newContext({ viewport, locale: 'en-GB' })
  const page = await context.newPage()
  const problems = []
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`)
  })
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`))
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`)
  })
  // Chromium also logs CSP violations to the console; the event catches any
  // it reports silently (for example style attributes set through HTML).
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`)
    })
  })
  // With freezePrototype, Tauri freezes Object.prototype before the app
  // runs; do the same here to catch code that would break in the real app.
  if (server.freezePrototype) await page.addInitScript(() => Object.freeze(Object.prototype))
  await page.addInitScript({ content: `globalThis.__DOORSTEP_MOCK__ = ${JSON.stringify(scenario)};\n${mock}` })
  await page.goto(`${server.url}${hash}`)
  await page.locator('h1').first().waitFor()
  return { page, context, problems }
}

/** Runs axe with the WCAG 2.2 A and AA rules; returns a readable list of violations. */
export async function axeViolations(page) {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze()
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.helpUrl}\n${v.nodes.map((n) => `  - ${n.target.join(' ')}: ${n.failureSummary?.replace(/\n/g, ' ')}`).join('\n')}`,
  )
}

export async function screenshot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  const path = join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

// Keyboard helpers, for tests that drive the app with only the keyboard.

/** What has focus: its tag, id, class and text (whitespace collapsed). */
export async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement
    return {
      tag: el?.tagName.toLowerCase(),
      id: el?.id ?? '',
      className: typeof el?.className === 'string' ? el.className : '',
      text: el?.textContent?.trim().replace(/\s+/g, ' ') ?? '',
    }
  })
}

/**
 * Presses Tab (or Shift+Tab) until `matches(focused element)` is true; fails
 * if it is not reached within `limit` presses. Proves the control is in the
 * keyboard order, without the test knowing every stop on the way.
 */
export async function tabTo(page, matches, { backwards = false, limit = 80 } = {}) {
  for (let presses = 0; presses < limit; presses++) {
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab')
    if (matches(await focused(page))) return
  }
  assert.fail(`could not reach the control with ${backwards ? 'Shift+Tab' : 'Tab'} (${limit} presses); focus is on ${JSON.stringify(await focused(page))}`)
}

/** Waits for the live region to say the last change was saved on this laptop. */
export async function waitForSaved(page) {
  await page.waitForFunction(() => /Saved on this laptop/.test(document.querySelector('[data-live-region]')?.textContent ?? ''), null, {
    timeout: 5_000,
  })
}

/**
 * One served build, one IPC mock and one Chromium for a test file, started
 * before its tests and stopped after them. `withApp(options, fn)` opens the
 * app in a fresh context (with `defaults` under `options`), runs `fn` with the
 * page, then fails if the page reported any error.
 */
export function browserTestSession(defaults = {}) {
  const shared = { server: undefined, browser: undefined, mock: undefined }
  before(async () => {
    shared.mock = await bundleIpcMock()
    shared.server = await serveDist()
    shared.browser = await launchChromium()
  })
  after(async () => {
    await shared.browser?.close()
    await shared.server?.close()
  })
  async function withApp(options, fn) {
    const app = await openApp(shared.browser, { server: shared.server, mock: shared.mock, ...defaults, ...options })
    try {
      await fn(app.page)
      // Let any late console errors (a blocked resource, say) arrive.
      await app.page.waitForTimeout(100)
      assert.deepEqual(app.problems, [], 'the page reported errors')
    } finally {
      await app.context.close()
    }
  }
  return { shared, withApp }
}
