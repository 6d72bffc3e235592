// Browser tests of the built UI (ui/dist) under the real app's CSP, with the
// Rust side mocked. Run `npm run build` first; then `npm run test:e2e`.
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { describe, test } from 'node:test'
import {
  DIST_DIR,
  assertBuilt,
  axeViolations,
  browserTestSession,
  screenshot,
} from './helpers.mjs'

const RIGHT_PASSWORD = 'correct horse battery staple'

// Fails the whole file at once, with one clear message, if dist is missing.
assertBuilt()

const { shared, withApp } = browserTestSession()

async function expectNoAxeViolations(page) {
  const violations = await axeViolations(page)
  assert.equal(violations.length, 0, `axe found accessibility problems:\n${violations.join('\n')}`)
}

const activeElement = (page) =>
  page.evaluate(() => {
    const el = document.activeElement
    return {
      tag: el?.tagName.toLowerCase(),
      id: el?.id,
      text: el?.textContent?.trim().replace(/\s+/g, ' '),
      className: el?.className,
    }
  })

describe('the built app under the Tauri CSP', () => {
  test('is served with the same Content-Security-Policy as tauri.conf.json', async () => {
    const res = await fetch(shared.server.url)
    assert.equal(res.headers.get('content-security-policy'), shared.server.csp)
    assert.match(shared.server.csp, /script-src 'self'/)
    assert.match(shared.server.csp, /style-src 'self'/)
  })

  test('has no inline scripts or styles in the page', async () => {
    await withApp({}, async (page) => {
      const inline = await page.evaluate(() => ({
        scripts: [...document.scripts].filter((s) => !s.src).length,
        styleElements: document.querySelectorAll('style').length,
        // <html> gets its style attribute from CSSOM (the council colour), which the CSP allows.
        styleAttributes: [...document.querySelectorAll('body [style]')].map((el) => el.outerHTML.slice(0, 80)),
      }))
      assert.deepEqual(inline, { scripts: 0, styleElements: 0, styleAttributes: [] })
    })
  })

  test('ships no GOV.UK crown, crest or GDS Transport files', async () => {
    const files = await readdir(DIST_DIR, { recursive: true })
    assert.deepEqual(
      files.filter((f) => /crest|crown|govuk-icon|\.woff2?$|opengraph/i.test(f)),
      [],
    )
  })
})

describe('pages', () => {
  test('Sign in is the start page, showing the server the council set as fixed text, and accessible', async () => {
    await withApp({}, async (page) => {
      assert.equal(await page.title(), 'Sign in – Doorstep')
      assert.equal(await page.locator('h1').textContent(), 'Sign in')
      assert.equal(await page.locator('[data-fixed-server]').textContent(), 'http://127.0.0.1:8787')
      assert.equal(await page.locator('#server').count(), 0, 'no server field to mistype')
      assert.equal(await page.getAttribute('a.govuk-service-navigation__link[href="#/sign-in"]', 'aria-current'), 'page')
      // The password input's Show button is only revealed by its JavaScript.
      assert.equal(await page.locator('.govuk-password-input__toggle').isVisible(), true)
      await expectNoAxeViolations(page)
      await screenshot(page, 'sign-in')
    })
  })

  test('Sign in with validation errors shows the GOV.UK error summary and is accessible', async () => {
    await withApp({ scenario: { appInfo: { serverUrl: null } } }, async (page) => {
      await page.getByRole('button', { name: 'Sign in' }).click()
      const summary = page.locator('.govuk-error-summary')
      await summary.waitFor()
      assert.equal(await page.title(), 'Error: Sign in – Doorstep')
      assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary')), true)
      assert.deepEqual(await summary.locator('a').allTextContents(), [
        'Enter the server address',
        'Enter your username',
        'Enter your password',
      ])
      assert.equal((await page.locator('#username-error').textContent()).trim(), 'Error: Enter your username')
      await expectNoAxeViolations(page)
      await screenshot(page, 'sign-in-errors')
    })
  })

  test('My cases says there are no cases yet and is accessible', async () => {
    await withApp({ hash: '#/cases' }, async (page) => {
      assert.equal(await page.title(), 'My cases – Doorstep')
      const text = await page.locator('main').innerText()
      assert.match(text, /There are no cases on this device yet\./)
      assert.match(text, /Cases will appear here after you sign in and sync/)
      await expectNoAxeViolations(page)
      await screenshot(page, 'cases')
    })
  })

  test('About this device shows what Rust reported and is accessible', async () => {
    await withApp({ hash: '#/about' }, async (page) => {
      assert.equal(await page.title(), 'About this device – Doorstep')
      const rows = await page.$$eval('.govuk-summary-list__row', (els) =>
        els.map((row) => [row.querySelector('dt').textContent.trim(), row.querySelector('dd').textContent.trim()]),
      )
      assert.deepEqual(rows, [
        ['App version', '0.1.0'],
        ['Data folder', '/home/caseworker/.local/share/uk.org.doorstep.desktop'],
        ['Server', 'http://127.0.0.1:8787'],
        ['Council', 'Example Borough Council'],
      ])
      assert.equal((await page.locator('footer').innerText()).includes('Doorstep version 0.1.0'), true)
      await expectNoAxeViolations(page)
      await screenshot(page, 'about')
    })
  })

  test('shows a readable error, not a blank window, when Rust cannot give the settings', async () => {
    await withApp({ scenario: { appInfoError: 'settings database is locked' } }, async (page) => {
      assert.equal(await page.locator('h1').textContent(), 'Sorry, there is a problem with Doorstep')
      const text = await page.locator('main').innerText()
      assert.match(text, /could not read its settings/)
      assert.match(text, /Close Doorstep and open it again\./)
      assert.match(text, /contact your IT service desk/)
      await page.getByText('Technical details for IT').click()
      assert.match(await page.locator('.govuk-details__text').innerText(), /settings database is locked/)
      await expectNoAxeViolations(page)
      await screenshot(page, 'startup-error')
    })
  })
})

describe('council branding', () => {
  test('the header takes the council colour from Rust, with readable white text', async () => {
    await withApp({ scenario: { appInfo: { council: { name: 'Riverside District Council', colour: '#00703c' } } } }, async (page) => {
      assert.equal((await page.locator('.doorstep-header').innerText()).trim(), 'Riverside District Council')
      const colours = await page.evaluate(() => {
        const header = document.querySelector('.doorstep-header')
        const name = document.querySelector('.doorstep-header__council-name')
        return { background: getComputedStyle(header).backgroundColor, text: getComputedStyle(name).color }
      })
      assert.deepEqual(colours, { background: 'rgb(0, 112, 60)', text: 'rgb(255, 255, 255)' })
      await expectNoAxeViolations(page)
    })
  })

  test('no text uses GDS Transport and there is no crown', async () => {
    await withApp({}, async (page) => {
      const fonts = await page.evaluate(() => ({
        body: getComputedStyle(document.body).fontFamily,
        h1: getComputedStyle(document.querySelector('h1')).fontFamily,
        button: getComputedStyle(document.querySelector('.govuk-button')).fontFamily,
        faces: [...document.fonts].map((f) => f.family),
        fontFaceRules: [...document.styleSheets].flatMap((s) => [...s.cssRules]).filter((r) => r instanceof CSSFontFaceRule).length,
      }))
      for (const family of [fonts.body, fonts.h1, fonts.button]) {
        assert.doesNotMatch(family, /GDS Transport/i)
        assert.match(family, /^system-ui/)
      }
      assert.deepEqual(fonts.faces, [])
      assert.equal(fonts.fontFaceRules, 0)
      const crown = await page.evaluate(() => ({
        svgs: document.querySelectorAll('svg').length,
        crownClasses: document.querySelectorAll('.govuk-header__logotype, .govuk-footer__crown, .govuk-footer__copyright-logo').length,
        // Case matters: council web addresses end in gov.uk, but the GOV.UK brand must not appear.
        mentions: /crown copyright/i.test(document.body.innerText) || /GOV\.UK/.test(document.body.innerText),
      }))
      assert.deepEqual(crown, { svgs: 0, crownClasses: 0, mentions: false })
    })
  })
})

describe('a narrow window', () => {
  test('at the 320px minimum width the navigation folds into a Menu button that works from the keyboard', async () => {
    await withApp({ hash: '#/cases', viewport: { width: 320, height: 640 } }, async (page) => {
      const menu = page.getByRole('button', { name: 'Menu' })
      assert.equal(await menu.isVisible(), true)
      assert.equal(await menu.getAttribute('aria-expanded'), 'false')
      assert.equal(await page.locator('#navigation').isVisible(), false)
      const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth)
      assert.ok(pageWidth <= 320, `no sideways scrolling (page is ${pageWidth}px wide)`)

      await menu.focus()
      await page.keyboard.press('Enter')
      assert.equal(await menu.getAttribute('aria-expanded'), 'true')
      assert.equal(await page.getByRole('link', { name: 'About this device' }).isVisible(), true)
      await expectNoAxeViolations(page)
      await screenshot(page, 'cases-narrow-menu-open')
    })
  })
})

describe('using Doorstep with only a keyboard', () => {
  test('skip link, navigation, and signing in all work from the keyboard', async () => {
    await withApp({ scenario: { acceptPassword: RIGHT_PASSWORD } }, async (page) => {
      const focusBackground = async () => page.evaluate(() => getComputedStyle(document.activeElement).backgroundColor)

      // The skip link is the first Tab stop, and visible when focused.
      await page.keyboard.press('Tab')
      assert.deepEqual(await activeElement(page), {
        tag: 'a',
        id: '',
        text: 'Skip to main content',
        className: 'govuk-skip-link',
      })
      assert.equal(await page.locator('.govuk-skip-link').isVisible(), true)
      assert.equal(await focusBackground(), 'rgb(255, 221, 0)', 'focused links get the GOV.UK yellow focus style')

      // Next comes the service navigation.
      await page.keyboard.press('Tab')
      assert.equal((await activeElement(page)).text, 'My cases')
      assert.equal(await focusBackground(), 'rgb(255, 221, 0)')

      // Enter opens My cases and focus lands on its heading.
      await page.keyboard.press('Enter')
      await page.locator('h1', { hasText: 'My cases' }).waitFor()
      assert.deepEqual(await activeElement(page), { tag: 'h1', id: '', text: 'My cases', className: 'govuk-heading-l' })
      assert.equal(await page.title(), 'My cases – Doorstep')

      // The "sign in" link in the page text is the next stop; follow it.
      await page.keyboard.press('Tab')
      assert.equal((await activeElement(page)).text, 'sign in')
      await page.keyboard.press('Enter')
      await page.locator('h1', { hasText: 'Sign in' }).waitFor()
      assert.equal((await activeElement(page)).tag, 'h1')

      // Fill the form, forgetting the password, and submit with the button.
      // The server address is the council's, shown as text: no Tab stop.
      await page.keyboard.press('Tab')
      assert.equal((await activeElement(page)).id, 'username')
      assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none')
      await page.keyboard.type('sam.caseworker')
      await page.keyboard.press('Tab')
      assert.equal((await activeElement(page)).id, 'password')
      await page.keyboard.press('Tab')
      assert.equal((await activeElement(page)).text, 'Show')
      await page.keyboard.press('Tab')
      assert.equal((await activeElement(page)).text, 'Sign in')
      await page.keyboard.press('Enter')

      // The error summary takes focus; its link leads to the password field.
      await page.locator('.govuk-error-summary').waitFor()
      assert.match((await activeElement(page)).className, /govuk-error-summary/)
      await page.keyboard.press('Tab')
      assert.equal((await activeElement(page)).text, 'Enter your password')
      await page.keyboard.press('Enter')
      assert.equal((await activeElement(page)).id, 'password')
      assert.equal(await page.evaluate(() => location.hash), '#/sign-in', 'error links do not change the route')

      // A wrong password: the reason from Rust is shown in the summary.
      await page.keyboard.type('not the password')
      await page.keyboard.press('Enter')
      await page.locator('.govuk-error-summary', { hasText: 'The username or password is not right' }).waitFor()
      assert.match((await activeElement(page)).className, /govuk-error-summary/)

      // The right password signs in; this laptop has no PIN yet, so Set your PIN opens.
      await page.focus('#password')
      await page.keyboard.press('ControlOrMeta+a')
      await page.keyboard.type(RIGHT_PASSWORD)
      await page.keyboard.press('Enter')
      await page.locator('h1', { hasText: 'Set your PIN' }).waitFor()
      assert.equal((await activeElement(page)).tag, 'h1')

      const calls = await page.evaluate(() => globalThis.__DOORSTEP_IPC_CALLS__)
      assert.deepEqual(
        calls.filter((c) => c.cmd === 'sign_in').map((c) => [c.payload.server, c.payload.username, c.payload.password === RIGHT_PASSWORD]),
        [
          ['http://127.0.0.1:8787', 'sam.caseworker', false],
          ['http://127.0.0.1:8787', 'sam.caseworker', true],
        ],
      )
    })
  })

  test('the skip link moves focus to the main content without changing the page', async () => {
    await withApp({ hash: '#/about' }, async (page) => {
      await page.keyboard.press('Tab')
      await page.keyboard.press('Enter')
      assert.equal((await activeElement(page)).id, 'main-content')
      assert.equal(await page.evaluate(() => location.hash), '#/about')
      assert.equal(await page.locator('h1').textContent(), 'About this device')
    })
  })
})
