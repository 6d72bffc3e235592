// Browser tests of the lock screen, Set your PIN, signing out and locking
// from About, on the built UI under the Tauri CSP with the Rust side faked
// (fake-device.ts). Every screen and error state is scanned with axe and
// screenshotted into test-output/ui/. Run `npm run build` first.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  assertBuilt,
  axeViolations,
  browserTestSession,
  screenshot,
} from './helpers.mjs'

const PIN = '246810'
const RIGHT_PASSWORD = 'correct horse battery staple'
/** A laptop with casework on it, a PIN set, that started locked. */
const LOCKED_LAPTOP = { cases: 'sample', pin: PIN, locked: true }
const NARROW = { width: 320, height: 640 }

assertBuilt()

const { withApp } = browserTestSession()

/** axe finds nothing, and the screen is saved for people to look at. */
async function checkScreen(page, name) {
  const violations = await axeViolations(page)
  assert.equal(violations.length, 0, `axe found accessibility problems on ${name}:\n${violations.join('\n')}`)
  await screenshot(page, name)
}

async function assertNoSidewaysScrolling(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(width <= 320, `no sideways scrolling at 320px (the page is ${width}px wide)`)
}

const activeElement = (page) =>
  page.evaluate(() => {
    const el = document.activeElement
    return { tag: el?.tagName.toLowerCase(), id: el?.id, text: el?.textContent?.trim().replace(/\s+/g, ' '), className: el?.className }
  })

const heading = (page) => page.locator('h1').first().textContent()
const calls = (page, cmd) => page.evaluate((name) => globalThis.__DOORSTEP_IPC_CALLS__.filter((c) => c.cmd === name), cmd)

async function typePin(page, pin) {
  await page.fill('#pin', pin)
  await page.getByRole('button', { name: 'Unlock' }).click()
}

/** Five wrong PINs, each answered before the next, until Rust sends the person to sign in. */
async function useUpEveryTry(page) {
  for (let triesLeft = 4; triesLeft >= 1; triesLeft--) {
    await typePin(page, '135790')
    await page.locator('#pin-hint', { hasText: `You can try ${triesLeft} more` }).waitFor()
  }
  await typePin(page, '135790')
  await page.locator('h1', { hasText: 'Sign in' }).waitFor()
}

describe('the lock screen', () => {
  test('opens first when Doorstep starts locked, says who is signed in and hides the navigation', async () => {
    await withApp({ scenario: LOCKED_LAPTOP, hash: '#/cases' }, async (page) => {
      assert.equal(await heading(page), 'Doorstep is locked')
      assert.equal(await page.title(), 'Doorstep is locked – Doorstep')
      assert.equal(await page.evaluate(() => location.hash), '#/unlock')
      assert.equal((await page.locator('[data-lock-user]').textContent()).trim(), 'Signed in as sam.caseworker.')
      await page.locator('#pin-hint', { hasText: 'You can try 5 more times' }).waitFor()
      assert.equal(await page.getAttribute('#pin', 'inputmode'), 'numeric')
      assert.equal(await page.getAttribute('#pin', 'autocomplete'), 'off')
      assert.equal(await page.locator('.govuk-service-navigation__wrapper').isVisible(), false, 'no links to pages that would be refused')
      assert.equal(await calls(page, 'list_cases').then((c) => c.length), 0, 'no casework was asked for while locked')
      await checkScreen(page, 'unlock')
    })
  })

  test('a wrong PIN is reported in the summary and next to the field, with the tries left', async () => {
    await withApp({ scenario: LOCKED_LAPTOP }, async (page) => {
      await typePin(page, '135790')
      const summary = page.locator('.govuk-error-summary')
      await summary.waitFor()
      assert.match(await summary.innerText(), /That PIN is not right/)
      assert.equal(await summary.locator('a').getAttribute('href'), '#pin')
      assert.match(await page.locator('#pin-error').innerText(), /That PIN is not right/)
      await page.locator('#pin-hint', { hasText: 'You can try 4 more times' }).waitFor()
      assert.equal(await page.title(), 'Error: Doorstep is locked – Doorstep')
      assert.match((await activeElement(page)).className, /govuk-error-summary/)
      assert.equal(await page.inputValue('#pin'), '', 'the wrong PIN is cleared')
      await checkScreen(page, 'unlock-wrong-pin')
    })
  })

  test('an empty PIN is caught before asking Rust', async () => {
    await withApp({ scenario: LOCKED_LAPTOP }, async (page) => {
      await page.getByRole('button', { name: 'Unlock' }).click()
      await page.locator('.govuk-error-summary', { hasText: 'Enter your PIN' }).waitFor()
      assert.deepEqual(await calls(page, 'unlock'), [])
      await checkScreen(page, 'unlock-no-pin-typed')
    })
  })

  test('after the last wrong PIN, sign-in opens and says why, and the work is still there after signing in', async () => {
    await withApp({ scenario: { ...LOCKED_LAPTOP, acceptPassword: RIGHT_PASSWORD } }, async (page) => {
      await useUpEveryTry(page)
      const banner = page.locator('.govuk-notification-banner[role="alert"]')
      assert.match(await banner.innerText(), /Too many wrong PINs/)
      await checkScreen(page, 'sign-in-after-too-many-wrong-pins')

      await page.fill('#username', 'sam.caseworker')
      await page.fill('#password', RIGHT_PASSWORD)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.locator('h1', { hasText: 'My cases' }).waitFor()
      assert.equal(await page.locator('.govuk-service-navigation__wrapper').isVisible(), true, 'the navigation is back')
    })
  })

  test('“Sign out (your work stays on this laptop)” signs out keeping the data and opens sign-in', async () => {
    await withApp({ scenario: LOCKED_LAPTOP }, async (page) => {
      await page.getByRole('link', { name: 'Sign out (your work stays on this laptop)' }).click()
      await page.locator('h1', { hasText: 'Sign in' }).waitFor()
      assert.deepEqual(
        (await calls(page, 'sign_out')).map((c) => c.payload),
        [{ removeData: false }],
      )
    })
  })

  test('other pages cannot be opened while locked', async () => {
    await withApp({ scenario: LOCKED_LAPTOP }, async (page) => {
      await page.evaluate(() => {
        location.hash = '#/outbox'
      })
      await page.waitForTimeout(100)
      assert.equal(await heading(page), 'Doorstep is locked')
      assert.equal(await page.evaluate(() => location.hash), '#/unlock')
      // Unlocking then opens the page that was asked for.
      await typePin(page, PIN)
      await page.locator('h1', { hasText: 'Outbox' }).waitFor()
    })
  })
})

describe('unlocking with only a keyboard', () => {
  test('Tab reaches the PIN with visible focus, Enter unlocks, and the page the person was on comes back', async () => {
    await withApp({ scenario: LOCKED_LAPTOP, hash: '#/visits' }, async (page) => {
      // First stop: the skip link, which goes straight to the page content.
      await page.keyboard.press('Tab')
      assert.equal((await activeElement(page)).text, 'Skip to main content')
      await page.keyboard.press('Enter')
      assert.equal((await activeElement(page)).id, 'main-content')

      let stops = 0
      while ((await activeElement(page)).id !== 'pin' && stops < 5) {
        await page.keyboard.press('Tab')
        stops += 1
      }
      assert.equal((await activeElement(page)).id, 'pin', 'the PIN field is reached from the keyboard')
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle)
      assert.notEqual(outline, 'none', 'the PIN field shows where focus is')

      // A wrong PIN first: the summary takes focus and its link leads back to the field.
      await page.keyboard.type('135790')
      await page.keyboard.press('Enter')
      await page.locator('.govuk-error-summary').waitFor()
      assert.match((await activeElement(page)).className, /govuk-error-summary/)
      await page.keyboard.press('Tab')
      assert.match((await activeElement(page)).text, /That PIN is not right/)
      await page.keyboard.press('Enter')
      assert.equal((await activeElement(page)).id, 'pin')

      // The Show button reveals what was typed, for checking it.
      await page.keyboard.type(PIN)
      await page.keyboard.press('Tab')
      assert.equal((await activeElement(page)).text, 'Show')
      await page.keyboard.press('Enter')
      assert.equal(await page.getAttribute('#pin', 'type'), 'text')
      await page.keyboard.press('Shift+Tab')
      await page.keyboard.press('Enter')

      await page.locator('h1', { hasText: 'Today’s visits' }).waitFor()
      assert.equal((await activeElement(page)).tag, 'h1', 'focus lands on the page heading')
      assert.equal(await page.evaluate(() => location.hash), '#/visits')
      assert.deepEqual(
        (await calls(page, 'unlock')).map((c) => c.payload.pin === PIN),
        [false, true],
      )
    })
  })
})

describe('noticing a lock while the window sat idle', () => {
  test('the lock screen appears when the window comes back into view, and unlocking returns to the case', async () => {
    await withApp({ scenario: { cases: 'sample', pin: PIN }, hash: '#/cases' }, async (page) => {
      await page.locator('h1', { hasText: 'My cases' }).waitFor()
      // Rust's idle lock: the fake locks as Rust would after 15 minutes without use.
      await page.evaluate(() => globalThis.__DOORSTEP_FAKE__.handle('lock'))
      await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')))
      await page.locator('h1', { hasText: 'Doorstep is locked' }).waitFor()
      await typePin(page, PIN)
      await page.locator('h1', { hasText: 'My cases' }).waitFor()
    })
  })

  test('telling Rust about activity happens at most once a minute, however much the person types', async () => {
    await withApp({ scenario: { cases: 'sample', pin: PIN }, hash: '#/cases' }, async (page) => {
      await page.locator('h1', { hasText: 'My cases' }).waitFor()
      for (let i = 0; i < 20; i++) await page.keyboard.press('Shift')
      await page.mouse.wheel(0, 200)
      await page.mouse.click(600, 400)
      assert.equal((await calls(page, 'user_active')).length, 1)
    })
  })
})

describe('the warning before the idle lock', () => {
  const SIGNED_IN_WITH_PIN = { cases: 'sample', pin: PIN }
  /** As if nobody had touched the laptop for 14 minutes, then the window checks. */
  async function leaveIdleForFourteenMinutes(page) {
    await page.evaluate(() => {
      globalThis.__DOORSTEP_FAKE__.idleFor(14 * 60_000)
      document.dispatchEvent(new Event('visibilitychange'))
    })
    await page.getByRole('alertdialog', { name: 'Doorstep is about to lock' }).waitFor()
  }

  test('takes focus, says how long is left, and is axe-clean, wide and at 320px', async () => {
    await withApp({ scenario: SIGNED_IN_WITH_PIN, hash: '#/cases' }, async (page) => {
      await page.locator('h1', { hasText: 'My cases' }).waitFor()
      await leaveIdleForFourteenMinutes(page)
      const dialog = page.getByRole('alertdialog', { name: 'Doorstep is about to lock' })
      assert.match(await dialog.textContent(), /will lock in\s+(1 minute|59 seconds)/)
      assert.equal((await activeElement(page)).text, 'Stay unlocked')
      await checkScreen(page, 'idle-warning')
      await page.setViewportSize(NARROW)
      await assertNoSidewaysScrolling(page)
      await checkScreen(page, 'idle-warning-320px')
    })
  })

  test('Enter on "Stay unlocked" keeps the window open and puts focus back where it was', async () => {
    await withApp({ scenario: SIGNED_IN_WITH_PIN, hash: '#/cases' }, async (page) => {
      await page.locator('h1', { hasText: 'My cases' }).waitFor()
      await page.locator('#case-search').focus()
      await leaveIdleForFourteenMinutes(page)
      const before = (await calls(page, 'user_active')).length
      await page.keyboard.press('Enter')
      await page.getByRole('alertdialog').waitFor({ state: 'detached' })
      assert.ok((await calls(page, 'user_active')).length > before, 'Rust was told the person is there')
      assert.equal((await activeElement(page)).id, 'case-search')
      const status = await page.evaluate(() => globalThis.__DOORSTEP_FAKE__.handle('lock_status'))
      assert.ok(status.millisUntilLock > 14 * 60_000, `the full idle time again, not ${status.millisUntilLock} ms`)
    })
  })

  test('Tab then Enter on "Lock now" locks at once; focus never leaves the warning', async () => {
    await withApp({ scenario: SIGNED_IN_WITH_PIN, hash: '#/cases' }, async (page) => {
      await page.locator('h1', { hasText: 'My cases' }).waitFor()
      await leaveIdleForFourteenMinutes(page)
      await page.keyboard.press('Tab')
      assert.equal((await activeElement(page)).text, 'Lock now')
      await page.keyboard.press('Enter')
      await page.locator('h1', { hasText: 'Doorstep is locked' }).waitFor()
      await typePin(page, PIN)
      await page.locator('h1', { hasText: 'My cases' }).waitFor()
    })
  })
})

describe('Set your PIN', () => {
  const SIGNED_IN_WITHOUT_PIN = { cases: 'sample' }

  test('explains why, and asks for the PIN twice', async () => {
    await withApp({ scenario: SIGNED_IN_WITHOUT_PIN, hash: '#/set-pin' }, async (page) => {
      assert.equal(await heading(page), 'Set your PIN')
      await page.locator('[data-idle-time]', { hasText: '15 minutes' }).waitFor()
      const text = await page.locator('main').innerText()
      assert.match(text, /It works without a signal/)
      assert.match(text, /be 6 to 12 digits long/)
      for (const id of ['#pin', '#pin-confirm']) {
        assert.equal(await page.getAttribute(id, 'inputmode'), 'numeric')
        assert.equal(await page.getAttribute(id, 'autocomplete'), 'off')
      }
      await checkScreen(page, 'set-pin')
    })
  })

  test('missing, mismatched and guessable PINs are explained, with the summary taking focus', async () => {
    await withApp({ scenario: SIGNED_IN_WITHOUT_PIN, hash: '#/set-pin' }, async (page) => {
      await page.getByRole('button', { name: 'Set PIN' }).click()
      const summary = page.locator('.govuk-error-summary')
      await summary.waitFor()
      assert.deepEqual(await summary.locator('a').allTextContents(), ['Enter a PIN', 'Enter your PIN again to confirm it'])
      assert.match((await activeElement(page)).className, /govuk-error-summary/)
      assert.equal(await page.title(), 'Error: Set your PIN – Doorstep')
      await checkScreen(page, 'set-pin-errors')

      await page.fill('#pin', '246810')
      await page.fill('#pin-confirm', '246812')
      await page.getByRole('button', { name: 'Set PIN' }).click()
      await page.locator('.govuk-error-summary', { hasText: 'The PINs do not match' }).waitFor()

      // A run of digits: only Rust has that rule, and its reason goes next to the PIN.
      await page.fill('#pin', '123456')
      await page.fill('#pin-confirm', '123456')
      await page.getByRole('button', { name: 'Set PIN' }).click()
      await page.locator('#pin-error', { hasText: 'harder to guess' }).waitFor()
      assert.equal(await summary.locator('a').getAttribute('href'), '#pin')
      await checkScreen(page, 'set-pin-refused-by-rust')
      assert.deepEqual((await calls(page, 'set_pin')).map((c) => c.payload.pin), ['123456'])
    })
  })

  test('a good PIN is saved and My cases opens', async () => {
    await withApp({ scenario: SIGNED_IN_WITHOUT_PIN, hash: '#/set-pin' }, async (page) => {
      await page.fill('#pin', PIN)
      await page.fill('#pin-confirm', PIN)
      await page.getByRole('button', { name: 'Set PIN' }).click()
      await page.locator('h1', { hasText: 'My cases' }).waitFor()
      const status = await page.evaluate(() => globalThis.__DOORSTEP_FAKE__.handle('lock_status'))
      assert.equal(status.pinSet, true)
    })
  })
})

describe('signing out', () => {
  test('keeping the data is the default', async () => {
    await withApp({ scenario: { cases: 'sample' }, hash: '#/sign-out' }, async (page) => {
      assert.equal(await heading(page), 'Sign out')
      await page.locator('main', { hasText: 'You are signed in as sam.caseworker.' }).waitFor()
      assert.equal(await page.getByLabel('Sign out and keep this laptop’s data (encrypted)').isChecked(), true)
      assert.equal(await page.getByLabel('Sign out and remove this laptop’s Doorstep data').isChecked(), false)
      await checkScreen(page, 'sign-out')

      await page.getByRole('button', { name: 'Continue' }).click()
      await page.locator('h1', { hasText: 'Sign in' }).waitFor()
      assert.deepEqual((await calls(page, 'sign_out')).map((c) => c.payload), [{ removeData: false }])
    })
  })

  test('removing the data needs confirming, and Rust refuses while changes wait to be sent', async () => {
    await withApp({ scenario: { cases: 'sample' }, hash: '#/sign-out' }, async (page) => {
      await page.getByLabel('Sign out and remove this laptop’s Doorstep data').check()
      await page.getByRole('button', { name: 'Continue' }).click()
      await page.locator('h1', { hasText: 'Remove this laptop’s Doorstep data' }).waitFor()
      assert.equal((await activeElement(page)).tag, 'h1')
      assert.match(await page.locator('.govuk-warning-text').innerText(), /cannot be undone/)
      await checkScreen(page, 'sign-out-confirm')

      await page.getByRole('button', { name: 'Remove data and sign out' }).click()
      await page.locator('.govuk-error-summary', { hasText: 'Tick the box' }).waitFor()
      assert.deepEqual(await calls(page, 'sign_out'), [])
      await checkScreen(page, 'sign-out-confirm-not-ticked')

      await page.getByLabel('I understand that this cannot be undone').check()
      await page.getByRole('button', { name: 'Remove data and sign out' }).click()
      const summary = page.locator('.govuk-error-summary', { hasText: 'cannot be removed yet' })
      await summary.waitFor()
      assert.match(await summary.innerText(), /have not reached the server/)
      assert.match((await activeElement(page)).className, /govuk-error-summary/)
      await checkScreen(page, 'sign-out-unsent-work')

      await summary.getByRole('link', { name: 'See the changes waiting to be sent in the Outbox' }).click()
      await page.locator('h1', { hasText: 'Outbox' }).waitFor()
    })
  })

  test('removes the data once everything is on the server', async () => {
    await withApp({ scenario: { cases: 'empty', signedIn: true }, hash: '#/sign-out' }, async (page) => {
      await page.getByLabel('Sign out and remove this laptop’s Doorstep data').check()
      await page.getByRole('button', { name: 'Continue' }).click()
      await page.getByLabel('I understand that this cannot be undone').check()
      await page.getByRole('button', { name: 'Remove data and sign out' }).click()
      await page.locator('h1', { hasText: 'Sign in' }).waitFor()
      assert.deepEqual((await calls(page, 'sign_out')).map((c) => c.payload), [{ removeData: true }])
    })
  })
})

describe('locking from About this device', () => {
  test('“Lock Doorstep” shows the lock screen, and unlocking comes back to About', async () => {
    await withApp({ scenario: { cases: 'sample', pin: PIN }, hash: '#/about' }, async (page) => {
      await page.getByRole('button', { name: 'Lock Doorstep' }).click()
      await page.locator('h1', { hasText: 'Doorstep is locked' }).waitFor()
      await typePin(page, PIN)
      await page.locator('h1', { hasText: 'About this device' }).waitFor()
    })
  })

  test('without a PIN it explains that one is needed, with a link to set it', async () => {
    await withApp({ scenario: { cases: 'sample' }, hash: '#/about' }, async (page) => {
      assert.match(await page.locator('main').innerText(), /docs\/accessibility\.md/)
      await page.getByRole('button', { name: 'Lock Doorstep' }).click()
      await page.locator('[data-lock-problem]', { hasText: 'You need to set a PIN' }).waitFor()
      await checkScreen(page, 'about-lock-needs-pin')
      await page.getByRole('link', { name: 'Set your PIN' }).click()
      await page.locator('h1', { hasText: 'Set your PIN' }).waitFor()
    })
  })
})

describe('at the 320px minimum width', () => {
  test('the lock screen with an error fits without sideways scrolling', async () => {
    await withApp({ scenario: LOCKED_LAPTOP, viewport: NARROW }, async (page) => {
      await typePin(page, '135790')
      await page.locator('.govuk-error-summary').waitFor()
      await assertNoSidewaysScrolling(page)
      await checkScreen(page, 'unlock-wrong-pin-320')
    })
  })

  test('Set your PIN with errors fits', async () => {
    await withApp({ scenario: { cases: 'sample' }, hash: '#/set-pin', viewport: NARROW }, async (page) => {
      await page.getByRole('button', { name: 'Set PIN' }).click()
      await page.locator('.govuk-error-summary').waitFor()
      await assertNoSidewaysScrolling(page)
      await checkScreen(page, 'set-pin-errors-320')
    })
  })

  test('both sign-out steps fit, with the refusal', async () => {
    await withApp({ scenario: { cases: 'sample' }, hash: '#/sign-out', viewport: NARROW }, async (page) => {
      await assertNoSidewaysScrolling(page)
      await checkScreen(page, 'sign-out-320')
      await page.getByLabel('Sign out and remove this laptop’s Doorstep data').check()
      await page.getByRole('button', { name: 'Continue' }).click()
      await page.locator('h1', { hasText: 'Remove this laptop’s Doorstep data' }).waitFor()
      await assertNoSidewaysScrolling(page)
      await checkScreen(page, 'sign-out-confirm-320')
      await page.getByLabel('I understand that this cannot be undone').check()
      await page.getByRole('button', { name: 'Remove data and sign out' }).click()
      await page.locator('.govuk-error-summary', { hasText: 'cannot be removed yet' }).waitFor()
      await assertNoSidewaysScrolling(page)
      await checkScreen(page, 'sign-out-unsent-work-320')
    })
  })

  test('sign-in, with the council’s server address and the reason for signing in again, fits', async () => {
    await withApp({ scenario: { ...LOCKED_LAPTOP, appInfo: { serverUrl: 'https://doorstep.riverside-district-council.gov.uk' } }, viewport: NARROW }, async (page) => {
      await useUpEveryTry(page)
      assert.match(await page.locator('[data-fixed-server]').textContent(), /riverside-district-council/)
      await assertNoSidewaysScrolling(page)
      await checkScreen(page, 'sign-in-after-too-many-wrong-pins-320')
    })
  })

  test('About, with its Lock button and the statement’s file name, fits', async () => {
    await withApp({ scenario: { cases: 'sample' }, hash: '#/about', viewport: NARROW }, async (page) => {
      await assertNoSidewaysScrolling(page)
      await checkScreen(page, 'about-320')
    })
  })
})
