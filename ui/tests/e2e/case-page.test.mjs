// Browser tests of the case page (#/cases/:id) against the built UI under
// the real CSP, with fake-device.ts standing in for Rust. Each state is
// checked with axe and saved to test-output/ui/case-*.png.
// Run `npm run build` first (or build elsewhere and set DOORSTEP_UI_DIST).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  assertBuilt,
  axeViolations,
  browserTestSession,
  focused,
  screenshot,
  tabTo,
  waitForSaved,
} from './helpers.mjs'

assertBuilt()


const SAMPLE = { cases: 'sample' }
const { withApp } = browserTestSession({ scenario: SAMPLE })
const NARROW = { width: 320, height: 640 }

// The sample cases this file opens (SAMPLE_IDS in fake-device.ts).
const CASES = {
  /** Housing: people, a visit today, a task, a note and a narrative; no risks. */
  damp: '01JDSAMPLE0000000000000001',
  /** Adult social care: a dog on the premises, and a visit checked in now. */
  carers: '01JDSAMPLE0000000000000002',
  /** Noise complaint: "do not visit alone", and a conflicting phone number. */
  noise: '01JDSAMPLE0000000000000003',
  /** The server refused its changes: the case was reassigned. */
  reablement: '01JDSAMPLE0000000000000006',
  /** Two conflicts: the summary and a task's done flag. */
  falls: '01JDSAMPLE0000000000000008',
}

const caseHash = (id) => `#/cases/${id}`

/** Waits for the case itself, not the "Opening the case…" heading. */
async function caseShown(page) {
  await page.locator('.doorstep-case-page h1.doorstep-case-heading').waitFor()
}

/** axe finds nothing, and the page is saved to test-output/ui/<name>.png for people to look at. */
async function expectAccessible(page, name) {
  const violations = await axeViolations(page)
  assert.equal(violations.length, 0, `axe found accessibility problems on ${name}:\n${violations.join('\n')}`)
  await screenshot(page, name)
}

async function expectNoSidewaysScrolling(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(width <= 320, `no sideways scrolling at 320px (the page is ${width}px wide)`)
}

async function calls(page, cmd) {
  return page.evaluate((name) => globalThis.__DOORSTEP_IPC_CALLS__.filter((c) => c.cmd === name).map((c) => c.payload), cmd)
}

describe('the case page in each state', () => {
  test('filled: details, people, visits, tasks, narrative and a timeline, newest first', async () => {
    await withApp({ hash: caseHash(CASES.damp) }, async (page) => {
      await caseShown(page)
      assert.match(await page.title(), /^HOU-2026-0412: Damp and mould/)
      assert.equal(await page.locator('#case-risks').count(), 0)
      const details = await page.$$eval('#case-details ~ .govuk-summary-list .govuk-summary-list__row', (rows) =>
        rows.map((row) => row.querySelector('dt').textContent.trim()),
      )
      assert.deepEqual(details, ['Reference', 'Case type', 'Status', 'Summary', 'Assigned to', 'Team', 'Due date'])
      const cards = await page.locator('.govuk-summary-card__title').allInnerTexts()
      assert.deepEqual(cards.slice(0, 2), ['Aisha Khan', 'Zain Khan'])
      assert.match(cards[2], /^Visit on /)
      assert.equal(await page.inputValue('#narrative'), 'Black mould on two walls of the back bedroom. Extractor fan in the bathroom does not work.')
      const times = await page.$$eval('.doorstep-timeline time', (els) => els.map((el) => Date.parse(el.getAttribute('datetime'))))
      assert.ok(times.length >= 3)
      assert.deepEqual(times, [...times].sort((a, b) => b - a), 'the timeline is newest first')
      await expectAccessible(page, 'case-filled')
    })
  })

  test('with risks: the warnings come before anything else, and take focus when the case is opened', async () => {
    await withApp({ hash: '#/cases' }, async (page) => {
      await page.evaluate((hash) => (location.hash = hash), caseHash(CASES.noise))
      await caseShown(page)
      const banner = page.locator('#case-risks')
      assert.equal((await banner.locator('.govuk-notification-banner__title').innerText()).trim(), 'Risk warning')
      assert.match(await banner.innerText(), /Do not visit alone: verbal abuse on the last visit/)
      assert.doesNotMatch(await page.locator('main').innerText(), /broken step/, 'an inactive risk is not shown')
      const first = await page.evaluate(() => document.querySelector('.doorstep-case-page').firstElementChild?.id)
      assert.equal(first, 'case-risks')
      const [bannerBox, headingBox] = [await banner.boundingBox(), await page.locator('h1').boundingBox()]
      assert.ok(bannerBox.y < headingBox.y, 'the warnings are above the heading')
      assert.equal((await focused(page)).id, 'case-risks')
      const colours = await banner.locator('.govuk-notification-banner__header').evaluate((el) => getComputedStyle(el).backgroundColor)
      assert.equal(colours, 'rgb(202, 53, 53)', 'risk warnings use the error red, not the council colour')
      await expectAccessible(page, 'case-risks')
    })
  })

  test('with a conflict: names the details and links to the conflicts page', async () => {
    await withApp({ hash: caseHash(CASES.falls) }, async (page) => {
      await caseShown(page)
      const banner = page.locator('[aria-labelledby="case-conflicts-title"]')
      assert.match(await banner.innerText(), /2 details were changed in two places at once/)
      assert.match(await banner.innerText(), /Summary: 2 versions/)
      assert.match(await banner.innerText(), /Done \(Order grab rails\): 2 versions/)
      assert.equal(await banner.getByRole('link', { name: 'Resolve conflicts' }).getAttribute('href'), '#/conflicts')
      await expectAccessible(page, 'case-conflict')
    })
  })

  test('refused by the server: the badge, the server’s reason, and that the changes are kept', async () => {
    await withApp({ hash: caseHash(CASES.reablement) }, async (page) => {
      await caseShown(page)
      const sync = page.locator('.doorstep-case-sync')
      assert.equal((await sync.locator('.govuk-tag').innerText()).trim(), 'Refused by the server')
      assert.match(await sync.innerText(), /The server said: You are no longer assigned to this case\./)
      assert.match(await sync.innerText(), /Your changes are kept on this laptop/)
      await expectAccessible(page, 'case-refused')
    })
  })

  test('form errors: the summary takes focus, links to each field, and Rust’s NHS number check shows inline', async () => {
    await withApp({ hash: caseHash(CASES.damp) }, async (page) => {
      await caseShown(page)
      await page.getByRole('button', { name: 'Add a person' }).click()
      await page.getByRole('button', { name: 'Add person' }).click()
      const summary = page.locator('.govuk-error-summary')
      await summary.waitFor()
      assert.match((await focused(page)).text, /^There is a problem/)
      assert.match(await page.title(), /^Error: HOU-2026-0412/)
      assert.deepEqual(await summary.locator('a').allInnerTexts(), ['Enter the person’s full name'])

      await page.fill('#person-name', 'Yusuf Khan')
      await page.fill('#person-nhs-number', '123 456 7890')
      await page.getByRole('button', { name: 'Add person' }).click()
      await page.locator('.govuk-error-summary a[href="#person-nhs-number"]').waitFor()
      assert.match(await page.locator('#person-nhs-number-error').innerText(), /NHS number: enter a valid 10-digit NHS number/)
      assert.equal(await page.inputValue('#person-name'), 'Yusuf Khan', 'what was typed is kept')

      await page.locator('.govuk-error-summary a').click()
      assert.equal((await focused(page)).id, 'person-nhs-number')
      assert.equal(await page.evaluate(() => location.hash), caseHash(CASES.damp), 'error links do not change the page')
      await expectAccessible(page, 'case-form-errors')
    })
  })

  test('checked in: the visit says Doorstep cannot raise an alarm offline, and offers Check out', async () => {
    await withApp({ hash: caseHash(CASES.carers) }, async (page) => {
      await caseShown(page)
      const card = page.locator('.govuk-summary-card', { has: page.locator('h3[id^="visit-"]') })
      assert.match(await card.innerText(), /Checked in/)
      assert.match(await card.locator('.govuk-warning-text').innerText(), /Doorstep cannot raise an alarm while this laptop is offline/)
      assert.equal(await card.getByRole('button', { name: /^Check out/ }).isVisible(), true)
      await expectAccessible(page, 'case-checked-in')
    })
  })

  test('not found: a clear page that leads back to My cases', async () => {
    await withApp({ hash: '#/cases/01JDNOTONTHISLAPTOP000000' }, async (page) => {
      await page.locator('h1', { hasText: 'Case not found' }).waitFor()
      assert.equal(await page.title(), 'Case not found – Doorstep')
      assert.equal(await page.getByRole('link', { name: 'My cases' }).last().getAttribute('href'), '#/cases')
      await expectAccessible(page, 'case-not-found')
    })
  })

  test('recording consent with a drawn signature: stored as a PNG attachment and shown on the record when asked', async () => {
    await withApp({ hash: caseHash(CASES.damp) }, async (page) => {
      await caseShown(page)
      await page.getByRole('button', { name: 'Record consent' }).click()
      await page.getByLabel('Aisha Khan').check()
      await page.fill('#consent-purpose', 'Sharing the damp survey with the landlord')
      await page.getByLabel('Consent given').check()
      const canvas = page.locator('#consent-signature-pad')
      assert.equal(await canvas.isVisible(), false, 'the drawing area opens only when drawing is chosen')
      await page.getByLabel('They draw their signature').check()
      await canvas.scrollIntoViewIfNeeded()
      const box = await canvas.boundingBox()
      await page.mouse.move(box.x + 20, box.y + box.height / 2)
      await page.mouse.down()
      await page.mouse.move(box.x + box.width / 2, box.y + 20, { steps: 8 })
      await page.mouse.move(box.x + box.width - 20, box.y + box.height - 20, { steps: 8 })
      await page.mouse.up()
      const inked = await canvas.evaluate((c) => c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 === 3 && v > 0))
      assert.equal(inked, true, 'the drawing shows')
      await expectAccessible(page, 'case-consent-form')

      await page.getByRole('button', { name: 'Save consent record' }).click()
      await waitForSaved(page)
      const [upload] = await page.evaluate(() =>
        globalThis.__DOORSTEP_IPC_CALLS__.filter((c) => c.cmd === 'attach_file').map((c) => ({ headers: c.headers, png: [...c.payload.slice(0, 8)] })),
      )
      assert.equal(upload.headers['doorstep-case-id'], CASES.damp)
      assert.match(upload.headers['doorstep-file-name'], /^signature-\d{4}-\d{2}-\d{2}\.png$/)
      assert.equal(upload.headers['doorstep-media-type'], 'image/png')
      assert.deepEqual(upload.png, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'the drawing is sent as a PNG')
      const [added] = await calls(page, 'add_item')
      assert.equal(added.kind, 'consent')
      assert.deepEqual(Object.keys(added.fields).sort(), ['decision', 'person', 'purpose', 'recorded_at', 'signature_attachment'])
      const stored = await page.evaluate((id) => globalThis.__DOORSTEP_FAKE__.handle('show_case', { caseId: id }), CASES.damp)
      assert.equal(added.fields.signature_attachment, stored.case.attachments.find((a) => a.name.startsWith('signature-')).sha256)

      const record = page.locator('#case-consent ~ .doorstep-record-list')
      assert.match(await record.innerText(), /Consent given\s+Aisha Khan/)
      assert.match(await record.innerText(), /Signature drawn/)
      await record.getByRole('button', { name: 'Show signature of Aisha Khan' }).click()
      const signature = record.getByRole('img', { name: 'Signature drawn by Aisha Khan' })
      await signature.waitFor()
      assert.match(await signature.getAttribute('src'), /^blob:/)
      assert.ok(await signature.evaluate((img) => img.complete && img.naturalWidth === 600), 'the stored PNG loads through its blob: URL under the CSP')
      assert.equal((await focused(page)).text, 'Hide signature of Aisha Khan')
      await expectAccessible(page, 'case-consent-signature')
    })
  })

  test('recording consent with a typed signature, using only the keyboard', async () => {
    await withApp({ hash: caseHash(CASES.damp) }, async (page) => {
      await caseShown(page)
      await tabTo(page, (el) => el.text === 'Record consent')
      await page.keyboard.press('Enter')
      await tabTo(page, (el) => el.id === 'consent-person')
      await page.keyboard.press('Space')
      await tabTo(page, (el) => el.id === 'consent-purpose')
      await page.keyboard.type('Sharing the damp survey with the landlord')
      await tabTo(page, (el) => el.id === 'consent-decision')
      await page.keyboard.press('Space')
      // Radios are one Tab stop; the arrow keys move between them.
      await tabTo(page, (el) => el.id === 'consent-signature-method')
      await page.keyboard.press('ArrowDown')
      assert.equal((await focused(page)).id, 'consent-signature-method-2')
      assert.equal(await page.locator('#consent-typed-signature').isVisible(), true, 'choosing to type shows the typed signature')
      assert.equal(await page.locator('#consent-signature-pad').isVisible(), false)
      await page.keyboard.press('Tab')
      assert.equal((await focused(page)).id, 'consent-typed-signature')
      await page.keyboard.type('Aisha Khan')
      await tabTo(page, (el) => el.text === 'Save consent record')
      await page.keyboard.press('Enter')
      await waitForSaved(page)
      const [added] = await calls(page, 'add_item')
      assert.deepEqual(Object.keys(added.fields).sort(), ['decision', 'person', 'purpose', 'recorded_at', 'typed_signature'])
      assert.equal(added.fields.typed_signature, 'Aisha Khan')
      assert.deepEqual(await calls(page, 'attach_file'), [])
      assert.match(await page.locator('#case-consent ~ .doorstep-record-list').innerText(), /Typed signature: Aisha Khan/)
    })
  })
})

/** A 24×16 PNG: small enough to read in a test, a real image for the browser to decode. */
const SMALL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABgAAAAQCAIAAACDRijCAAAAJ0lEQVR42mP4/OkjHMn6T4QjUsUZhrFBlGhGFh/OBo2mo9F0RAWDABM13l/D3NIXAAAAAElFTkSuQmCC',
  'base64',
)

describe('attachments', () => {
  test('attach a photo through the file upload, see it listed, and show its preview', async () => {
    await withApp({ hash: caseHash(CASES.damp) }, async (page) => {
      await caseShown(page)
      const section = page.locator('.doorstep-case-section', { has: page.locator('#case-attachments') })
      assert.match(await section.innerText(), /There are no photos or documents on this case/)

      await section.getByRole('button', { name: 'Attach file' }).click()
      await page.locator('.govuk-error-summary a[href="#attachment-file"]').waitFor()
      assert.match(await page.locator('#attachment-file-error').innerText(), /Select a file/)
      await expectAccessible(page, 'case-attachment-error')

      await page.setInputFiles('#attachment-file', { name: 'mould behind wardrobe.png', mimeType: 'image/png', buffer: SMALL_PNG })
      await section.getByRole('button', { name: 'Attach file' }).click()
      await waitForSaved(page)
      assert.equal(await page.locator('.govuk-error-summary').count(), 0)
      assert.equal((await focused(page)).id, 'case-attachments')
      const listed = await section.locator('.doorstep-record-list > li').innerText()
      assert.match(listed, /mould behind wardrobe\.png/)
      assert.match(listed, /image\/png, 96 bytes\. Added by sam\.caseworker, /)
      assert.equal(await page.locator('#attachment-file').evaluate((input) => input.files.length), 0, 'the file input is ready for the next file')
      const [upload] = await page.evaluate(() => globalThis.__DOORSTEP_IPC_CALLS__.filter((c) => c.cmd === 'attach_file').map((c) => c.headers))
      assert.deepEqual(upload, {
        'doorstep-case-id': CASES.damp,
        'doorstep-file-name': 'mould%20behind%20wardrobe.png',
        'doorstep-media-type': 'image/png',
      })
      assert.equal((await calls(page, 'change_saved')).length, 1, 'the save nudges the sync')

      await section.getByRole('button', { name: 'Show preview of mould behind wardrobe.png' }).click()
      const preview = section.getByRole('img', { name: 'mould behind wardrobe.png' })
      await preview.waitFor()
      assert.match(await preview.getAttribute('src'), /^blob:/)
      assert.ok(await preview.evaluate((img) => img.complete && img.naturalWidth === 24), 'the photo loads through its blob: URL under the CSP')
      assert.equal((await focused(page)).text, 'Hide preview of mould behind wardrobe.png')
      await expectAccessible(page, 'case-attachment-preview')

      await section.getByRole('button', { name: 'Hide preview of mould behind wardrobe.png' }).click()
      assert.equal(await section.getByRole('img').count(), 0)
    })
  })
})

describe('unsaved narrative', () => {
  test('leaving with changes not saved is stopped with a warning; "Leave without saving" goes on', async () => {
    await withApp({ hash: caseHash(CASES.damp) }, async (page) => {
      await caseShown(page)
      await page.fill('#narrative', 'A new paragraph, not saved yet.')
      await page.getByRole('link', { name: 'My cases' }).first().click()
      const warning = page.locator('#leave-warning')
      await warning.waitFor()
      assert.equal(await page.evaluate(() => location.hash), caseHash(CASES.damp), 'the address stays on the case')
      assert.equal((await focused(page)).id, 'leave-warning')
      assert.equal(await page.inputValue('#narrative'), 'A new paragraph, not saved yet.')
      await expectAccessible(page, 'case-unsaved-narrative')
      await page.getByRole('button', { name: 'Leave without saving' }).click()
      await page.waitForFunction(() => location.hash === '#/cases')
      assert.deepEqual(await calls(page, 'set_narrative'), [])
    })
  })
})

describe('using the case page with only a keyboard', () => {
  test('open a case, check in, add a note, check out and submit for review', async () => {
    await withApp({ hash: '#/cases' }, async (page) => {
      // Open the case from My cases: one Tab stop for the list, arrows within it.
      await page.locator('.doorstep-case-row__link').first().waitFor()
      await tabTo(page, (el) => el.className.includes('doorstep-case-row__link'))
      for (let i = 0; i < 12 && (await focused(page)).text !== 'HOU-2026-0412'; i++) await page.keyboard.press('ArrowDown')
      assert.equal((await focused(page)).text, 'HOU-2026-0412')
      await page.keyboard.press('Enter')
      await caseShown(page)
      assert.equal((await focused(page)).tag, 'h1', 'focus lands on the case heading')

      // Check in: the expected end defaults to an hour from now.
      await tabTo(page, (el) => el.tag === 'button' && /^Check in to the visit/.test(el.text))
      assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none', 'the focused button shows it')
      await page.keyboard.press('Enter')
      await page.locator('#check-in-expected-end').waitFor()
      assert.equal((await focused(page)).id, 'check-in-expected-end')
      assert.match(await page.locator('form[data-form="check-in"]').innerText(), /cannot raise an alarm while this laptop is offline/)
      await tabTo(page, (el) => el.tag === 'button' && el.text === 'Check in')
      await page.keyboard.press('Enter')
      await waitForSaved(page)
      assert.match((await focused(page)).text, /^Check out of the visit/)
      const [checkIn] = await calls(page, 'check_in')
      assert.match(checkIn.expectedEnd, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/, 'the expected end crosses the bridge as a UTC instant')
      assert.ok(Date.parse(checkIn.expectedEnd) > Date.now())

      // Add a note.
      await tabTo(page, (el) => el.id === 'note-text')
      await page.keyboard.type('Tenant showed me the mould. Son was at school.')
      await tabTo(page, (el) => el.text === 'Add note')
      await page.evaluate(() => (document.querySelector('[data-live-region]').textContent = ''))
      await page.keyboard.press('Enter')
      await waitForSaved(page)
      assert.match(await page.locator('.doorstep-timeline__entry').first().innerText(), /Tenant showed me the mould/)
      assert.equal((await focused(page)).id, 'note-text')

      // Check out, going back up the page.
      await tabTo(page, (el) => el.tag === 'button' && /^Check out of the visit/.test(el.text), { backwards: true })
      await page.keyboard.press('Enter')
      assert.equal((await focused(page)).id, 'check-out-outcome')
      await page.keyboard.type('Landlord to fix the extractor fan.')
      await tabTo(page, (el) => el.tag === 'button' && el.text === 'Check out')
      await page.evaluate(() => (document.querySelector('[data-live-region]').textContent = ''))
      await page.keyboard.press('Enter')
      await waitForSaved(page)
      assert.match(await page.locator('.govuk-summary-card', { has: page.locator('h3[id^="visit-"]') }).innerText(), /Checked out/)

      // Submit for review, confirming first.
      await tabTo(page, (el) => el.text === 'Submit for review')
      await page.keyboard.press('Enter')
      assert.equal((await focused(page)).id, 'confirm-submit-heading')
      await tabTo(page, (el) => el.text === 'Yes, submit for review')
      await page.keyboard.press('Enter')
      await page.getByText('This case is waiting for your team lead to review it.').waitFor()

      assert.deepEqual((await calls(page, 'add_note')).map((c) => c.text), ['Tenant showed me the mould. Son was at school.'])
      assert.deepEqual((await calls(page, 'check_out')).map((c) => c.outcome), ['Landlord to fix the extractor fan.'])
      assert.deepEqual(await calls(page, 'submit_for_review'), [{ caseId: CASES.damp }])
      assert.equal((await calls(page, 'change_saved')).length, 4, 'each save nudges the sync')
    })
  })
})

describe('a narrow window', () => {
  for (const [name, id, open] of [
    ['filled', CASES.damp, null],
    ['checked-in', CASES.carers, null],
    ['with a form open', CASES.damp, 'Record consent'],
  ]) {
    test(`at 320px the case page (${name}) reflows with no sideways scrolling`, async () => {
      await withApp({ hash: caseHash(id), viewport: NARROW }, async (page) => {
        await caseShown(page)
        if (open) await page.getByRole('button', { name: open }).click()
        await expectNoSidewaysScrolling(page)
        await expectAccessible(page, `case-narrow-${name.replace(/ /g, '-')}`)
      })
    })
  }
})
