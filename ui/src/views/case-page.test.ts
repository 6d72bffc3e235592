import { afterEach, describe, expect, it, vi } from 'vitest'
import { SAMPLE_IDS, type FakeDevice } from '../../tests/e2e/fake-device'
import { pageTitle, startApp } from '../app'
import { initViewComponents } from '../govuk'
import { UNLOCK_PATH, checkLock, resetLockState } from '../idle'
import type { CasePage } from '../ipc'
import { mayLeave } from '../leave-guard'
import { attachLiveRegion } from '../live-region'
import type { Router } from '../router'
import { BASE_TIME, exampleCasePage, item, mockCaseBackend } from '../test/case-fixtures'
import { mockDevice } from '../test/fake-backend'
import { EXAMPLE_APP_INFO, settle } from '../test/fixtures'
import { SAVED_MESSAGE, casePageView, forgetWorkKeptForUnlock } from './case-page'
import type { ViewContext } from './view'

interface CaseScreen {
  container: HTMLElement
  navigate: ReturnType<typeof vi.fn>
  $<E extends Element = HTMLElement>(selector: string): E
  text(): string
  field(id: string): HTMLInputElement & HTMLTextAreaElement
  type(id: string, value: string): void
  press(name: string | RegExp): Promise<void>
  summaryLinks(): [string, string | null][]
  liveRegion(): string
}

function clean(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim()
}

/**
 * Opens /cases/case-1 the way the app does: render, attach, start the
 * components, and (unless `firstLoad`) put focus on the heading, as it is
 * after navigating.
 */
async function openCase(options: { firstLoad?: boolean; caseId?: string } = {}): Promise<CaseScreen> {
  const container = document.createElement('div')
  const navigate = vi.fn()
  const ctx: ViewContext = {
    info: EXAMPLE_APP_INFO,
    navigate,
    setTitle: (title, o) => {
      document.title = pageTitle(title, o)
    },
    initComponents: initViewComponents,
    params: { id: options.caseId ?? 'case-1' },
  }
  // The shell's polite live region, which pages announce saves through.
  const liveRegion = document.createElement('div')
  liveRegion.setAttribute('role', 'status')
  attachLiveRegion(liveRegion)
  casePageView.render(container, ctx)
  document.body.append(liveRegion, container)
  initViewComponents(container)
  if (!options.firstLoad) container.querySelector<HTMLElement>('h1')?.focus()
  await settle()

  const $ = <E extends Element = HTMLElement>(selector: string): E => {
    const found = container.querySelector<E>(selector)
    if (!found) throw new Error(`Nothing matches ${selector}`)
    return found
  }
  const buttons = () => [...container.querySelectorAll<HTMLButtonElement>('button')]
  return {
    container,
    navigate,
    $,
    text: () => clean(container.textContent),
    field: (id) => $(`#${id}`),
    type(id, value) {
      const field = $<HTMLInputElement>(`#${id}`)
      field.value = value
      field.dispatchEvent(new Event('input', { bubbles: true }))
    },
    async press(name) {
      const matches = buttons().filter((b) => (typeof name === 'string' ? clean(b.textContent) === name : name.test(clean(b.textContent))))
      if (matches.length !== 1) throw new Error(`Expected one button ${name}, found ${matches.length}`)
      matches[0]!.click()
      await settle()
    },
    summaryLinks: () =>
      [...container.querySelectorAll('.govuk-error-summary__list li')].map((li) => [clean(li.textContent), li.querySelector('a')?.getAttribute('href') ?? null]),
    liveRegion: () => clean(liveRegion.textContent),
  }
}

/** Waits for the live region, which is written a moment after it is cleared. */
async function announced(screen: CaseScreen): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 80))
  return screen.liveRegion()
}

function withCase(change: (page: CasePage) => void): CasePage {
  const page = exampleCasePage()
  change(page)
  return page
}

describe('opening a case', () => {
  it('shows the active risk warnings before anything else on the page', async () => {
    mockCaseBackend()
    const screen = await openCase()
    const page = screen.$('.doorstep-case-page')
    const banner = screen.$('#case-risks')
    expect(page.firstElementChild).toBe(banner)
    expect(clean(screen.$('#case-risks-title').textContent)).toBe('Risk warnings (2)')
    expect([...banner.querySelectorAll('.govuk-warning-text__text')].map((w) => clean(w.textContent))).toEqual([
      'Risk: Dog on premises',
      'Risk: Do not visit alone',
    ])
    expect(screen.text()).not.toContain('Old warning, now resolved')
    expect(banner.compareDocumentPosition(screen.$('h1')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy()
  })

  it('moves focus to the risk warnings after navigating, so a screen reader reads them first', async () => {
    mockCaseBackend()
    const screen = await openCase()
    expect(document.activeElement).toBe(screen.$('#case-risks'))
  })

  it('moves focus to the heading when there are no risks, and leaves it alone on first load', async () => {
    mockCaseBackend(withCase((p) => (p.case.risks = [])))
    const navigated = await openCase()
    expect(navigated.container.querySelector('#case-risks')).toBeNull()
    expect(document.activeElement).toBe(navigated.$('h1'))

    document.body.replaceChildren()
    mockCaseBackend()
    await openCase({ firstLoad: true })
    expect(document.activeElement).toBe(document.body)
  })

  it('asks Rust for the case in the address and names the page after it', async () => {
    const backend = mockCaseBackend()
    const screen = await openCase()
    expect(backend.callsTo('show_case')).toEqual([{ caseId: 'case-1' }])
    expect(clean(screen.$('h1').textContent)).toBe('Support after hospital discharge')
    expect(clean(screen.$('.govuk-caption-l').textContent)).toBe('Adult social care · DS-2026-0042')
    expect(document.title).toBe('DS-2026-0042: Support after hospital discharge – Doorstep')
  })

  it('lists the case details, with Change for every field except the reference the server gives', async () => {
    mockCaseBackend()
    const screen = await openCase()
    const rows = [...screen.$('#case-details').parentElement!.querySelectorAll('.govuk-summary-list__row')].map((row) => [
      clean(row.querySelector('.govuk-summary-list__key')?.textContent),
      clean(row.querySelector('.govuk-summary-list__value')?.textContent),
      clean(row.querySelector('.govuk-summary-list__actions')?.textContent),
    ])
    expect(rows).toEqual([
      ['Reference', 'DS-2026-0042', ''],
      ['Case type', 'Adult social care', 'Change case type'],
      ['Status', 'In progress', 'Change status'],
      ['Summary', 'Support after hospital discharge', 'Change summary'],
      ['Assigned to', 'sam.caseworker', 'Change assigned to'],
      ['Team', 'North locality', 'Change team'],
      ['Due date', '20 March 2026', 'Change due date'],
    ])
  })

  it('shows people as summary cards, with identifiers written the way people read them', async () => {
    mockCaseBackend()
    const screen = await openCase()
    const card = screen.$('.govuk-summary-card')
    expect(clean(card.querySelector('.govuk-summary-card__title')?.textContent)).toBe('Asha Patel')
    const text = clean(card.textContent)
    expect(text).toContain('Date of birth 14 July 1948')
    expect(text).toContain('NHS number 943 476 5919')
    expect(text).toContain('National Insurance number QQ 12 34 56 C')
    expect(text).toContain('Phone Not recorded')
  })

  it('lists attachments with their name, type, size, who added them and when', async () => {
    mockCaseBackend()
    const screen = await openCase()
    const text = clean(screen.$('#case-attachments').parentElement!.textContent)
    expect(text).toContain('discharge-letter.pdf')
    expect(text).toMatch(/application\/pdf, 248 KB\. Added by jo\.lead, 1 March 2026 at (\d{1,2}(:\d\d)?(am|pm)|midday|midnight)\./)
  })

  it('shows text from the case as text, never as markup', async () => {
    mockCaseBackend(withCase((p) => (p.case.risks = [item('r9', { text: '<img src=x onerror=alert(1)>', active: true })])))
    const screen = await openCase()
    expect(screen.container.querySelector('img')).toBeNull()
    expect(screen.text()).toContain('<img src=x onerror=alert(1)>')
  })
})

describe('where the case stands with the server', () => {
  it.each<[CasePage['sync'], string]>([
    [{ state: 'synced', unsyncedChanges: 0, refusedReason: null }, 'Synced'],
    [{ state: 'unsynced', unsyncedChanges: 1, refusedReason: null }, 'Not sent yet (1 change)'],
    [{ state: 'unsynced', unsyncedChanges: 3, refusedReason: null }, 'Not sent yet (3 changes)'],
    [{ state: 'refused', unsyncedChanges: 2, refusedReason: 'the case was reassigned to Jo' }, 'Refused by the server'],
  ])('shows the badge for %j', async (sync, badge) => {
    mockCaseBackend(withCase((p) => (p.sync = sync)))
    const screen = await openCase()
    expect(clean(screen.$('.doorstep-case-sync .govuk-tag').textContent)).toBe(badge)
  })

  it('gives the server’s reason when it refused the changes, and says they are kept', async () => {
    mockCaseBackend(withCase((p) => (p.sync = { state: 'refused', unsyncedChanges: 2, refusedReason: 'the case was reassigned to Jo' })))
    const screen = await openCase()
    const text = clean(screen.$('.doorstep-case-sync').textContent)
    expect(text).toContain('The server said: the case was reassigned to Jo.')
    expect(text).toContain('Your changes are kept on this laptop.')
  })

  it('names each conflicting detail and links to the conflicts page', async () => {
    mockCaseBackend(
      withCase((p) => {
        p.case.conflicts = [
          { path: 'summary', values: [] },
          { path: 'people.p1.phone', values: [] },
        ]
      }),
    )
    const screen = await openCase()
    const banner = screen.$('[aria-labelledby="case-conflicts-title"]')
    expect(clean(banner.textContent)).toContain('2 details were changed in two places at once')
    expect([...banner.querySelectorAll('.govuk-list li')].map((li) => clean(li.textContent))).toEqual([
      'Summary: 0 versions',
      'Phone (Asha Patel): 0 versions',
    ])
    expect(banner.querySelector('a')?.getAttribute('href')).toBe('#/conflicts')
  })
})

describe('the timeline', () => {
  it('lists notes, visits, tasks, consent and attachments newest first, with who and when', async () => {
    mockCaseBackend(
      withCase((p) => {
        p.case.consents = [item('c1', { person: 'Asha Patel', purpose: 'Share with GP', decision: 'given', typed_signature: 'Asha Patel' }, BASE_TIME + 5 * 3600_000)]
      }),
    )
    const screen = await openCase()
    const entries = [...screen.container.querySelectorAll('.doorstep-timeline__entry')]
    expect(entries.map((e) => clean(e.querySelector('h3')?.textContent))).toEqual([
      'Consent given',
      'Attachment added',
      'Note',
      'Task added: Order a bath seat',
      'Visit planned',
    ])
    expect(entries.map((e) => e.querySelector('time')?.getAttribute('datetime'))).toEqual(
      [5, 4, 3, 2, 1].map((h) => new Date(BASE_TIME + h * 3600_000).toISOString()),
    )
    expect(clean(entries[1]!.querySelector('.doorstep-timeline__meta')?.textContent)).toMatch(/^By jo\.lead, 1 March 2026 at /)
  })
})

describe('forms on the case page', () => {
  it('lists every problem in an error summary that takes focus and links to each field', async () => {
    const backend = mockCaseBackend()
    const screen = await openCase()
    await screen.press('Add a person')
    expect(document.activeElement).toBe(screen.field('person-name'))
    screen.type('person-date-of-birth-day', '31')
    screen.type('person-date-of-birth-month', '2')
    await screen.press('Add person')

    const summary = screen.$('.govuk-error-summary')
    expect(document.activeElement).toBe(summary)
    expect(screen.summaryLinks()).toEqual([
      ['Enter the person’s full name', '#person-name'],
      ['Date of birth must include a year', '#person-date-of-birth-day'],
    ])
    expect(clean(screen.$('#person-name-error').textContent)).toBe('Error: Enter the person’s full name')
    expect(screen.field('person-name').getAttribute('aria-describedby')).toBe('person-name-error')
    expect(document.title).toBe('Error: DS-2026-0042: Support after hospital discharge – Doorstep')
    expect(screen.field('person-date-of-birth-day').value).toBe('31')
    expect(backend.callsTo('add_person')).toEqual([])
  })

  it('shows an NHS number Rust refused next to the field, keeping what was typed', async () => {
    const backend = mockCaseBackend(exampleCasePage(), {
      add_person: () => {
        throw { code: 'invalid_field', message: 'NHS number: the check digit does not match', field: 'nhs_number' }
      },
    })
    const screen = await openCase()
    await screen.press('Add a person')
    screen.type('person-name', 'Ravi Patel')
    screen.type('person-nhs-number', '123 456 7890')
    await screen.press('Add person')

    expect(backend.callsTo('add_person')).toEqual([{ caseId: 'case-1', person: { name: 'Ravi Patel', nhsNumber: '123 456 7890' } }])
    expect(screen.summaryLinks()).toEqual([['NHS number: the check digit does not match', '#person-nhs-number']])
    expect(document.activeElement).toBe(screen.$('.govuk-error-summary'))
    expect(clean(screen.$('#person-nhs-number-error').textContent)).toBe('Error: NHS number: the check digit does not match')
    expect(screen.field('person-nhs-number').classList.contains('govuk-input--error')).toBe(true)
    expect(screen.field('person-name').value).toBe('Ravi Patel')
    expect(backend.callsTo('change_saved')).toEqual([])
  })

  it('understands a National Insurance number error named the way the person input names it', async () => {
    mockCaseBackend(exampleCasePage(), {
      add_person: () => Promise.reject({ code: 'invalid_field', message: 'National Insurance number: the prefix is not used', field: 'niNumber' }),
    })
    const screen = await openCase()
    await screen.press('Add a person')
    screen.type('person-name', 'Ravi Patel')
    screen.type('person-ni-number', 'BG123456A')
    await screen.press('Add person')
    expect(screen.summaryLinks()).toEqual([['National Insurance number: the prefix is not used', '#person-ni-number']])
  })

  it('shows plain-string errors from older commands in the summary', async () => {
    mockCaseBackend(exampleCasePage(), {
      add_note: () => {
        throw 'Command add_note not found'
      },
    })
    const screen = await openCase()
    screen.type('note-text', 'Called round, no answer.')
    await screen.press('Add note')
    expect(screen.summaryLinks()).toEqual([['Command add_note not found', null]])
    expect(screen.field('note-text').value).toBe('Called round, no answer.')
  })

  it('after a save, says "Saved on this laptop", nudges the sync and shows the case again from Rust', async () => {
    const backend = mockCaseBackend(exampleCasePage(), {
      add_note: (payload, b) => {
        b.page.case.notes.push({ id: 'n2', author: 'sam.caseworker', createdAt: BASE_TIME + 9 * 3600_000, text: String(payload['text']), revisions: [] })
        return 'n2'
      },
    })
    const screen = await openCase()
    screen.type('note-text', '  Called round, no answer.  ')
    await screen.press('Add note')

    expect(backend.callsTo('add_note')).toEqual([{ caseId: 'case-1', text: 'Called round, no answer.' }])
    expect(backend.calls.map((c) => c.cmd)).toEqual(['show_case', 'add_note', 'change_saved', 'show_case'])
    expect(clean(screen.$('.doorstep-timeline__entry p.doorstep-multiline').textContent)).toBe('Called round, no answer.')
    expect(screen.field('note-text').value).toBe('')
    expect(screen.container.querySelector('.govuk-error-summary')).toBeNull()
    expect(await announced(screen)).toBe(SAVED_MESSAGE)
  })

  it('asks for the note when it is empty', async () => {
    mockCaseBackend()
    const screen = await openCase()
    await screen.press('Add note')
    expect(screen.summaryLinks()).toEqual([['Enter the note', '#note-text']])
  })
})

describe('changing the case details', () => {
  it('opens a form for the field, saves it with set_field and returns focus to its Change button', async () => {
    const backend = mockCaseBackend(exampleCasePage(), {
      set_field: (payload, b) => {
        b.page.case.fields['team'] = { value: String(payload['value']), by: 'sam.caseworker', at: BASE_TIME }
      },
    })
    const screen = await openCase()
    await screen.press('Change team')
    expect(document.activeElement).toBe(screen.field('change-value'))
    expect(screen.field('change-value').value).toBe('North locality')
    screen.type('change-value', 'South locality')
    await screen.press('Save team')
    expect(backend.callsTo('set_field')).toEqual([{ caseId: 'case-1', field: 'team', value: 'South locality' }])
    expect(screen.text()).toContain('Team South locality')
    expect(document.activeElement).toBe(screen.$('#change-team'))
  })

  it('changes a date through the day, month and year boxes', async () => {
    const backend = mockCaseBackend()
    const screen = await openCase()
    await screen.press('Change due date')
    expect([screen.field('change-value-day').value, screen.field('change-value-month').value, screen.field('change-value-year').value]).toEqual(['20', '3', '2026'])
    screen.type('change-value-day', '5')
    screen.type('change-value-month', '4')
    await screen.press('Save due date')
    expect(backend.callsTo('set_field')).toEqual([{ caseId: 'case-1', field: 'due_date', value: '2026-04-05' }])
  })

  it('offers only the statuses the case can move to', async () => {
    mockCaseBackend()
    const screen = await openCase()
    await screen.press('Change status')
    const choices = [...screen.container.querySelectorAll<HTMLInputElement>('input[name="change-value"]')].map((r) => [r.value, r.checked])
    expect(choices).toEqual([
      ['in_progress', true],
      ['awaiting_review', false],
    ])
  })

  it('changes a person’s detail, and Cancel puts focus back on its Change button', async () => {
    const backend = mockCaseBackend()
    const screen = await openCase()
    await screen.press('Change phone for Asha Patel')
    await screen.press('Cancel')
    expect(document.activeElement).toBe(screen.$('#change-people-p1-phone'))
    await screen.press('Change phone for Asha Patel')
    screen.type('change-value', '01632 960 001')
    await screen.press('Save phone')
    expect(backend.callsTo('set_field')).toEqual([{ caseId: 'case-1', field: 'people.p1.phone', value: '01632 960 001' }])
  })

  it('does not let a required field be emptied', async () => {
    mockCaseBackend()
    const screen = await openCase()
    await screen.press('Change summary')
    screen.type('change-value', '   ')
    await screen.press('Save summary')
    expect(screen.summaryLinks()).toEqual([['Enter a summary of the case', '#change-value']])
  })
})

describe('visits', () => {
  it('checks in with the expected end as a UTC instant, and says Doorstep cannot raise an alarm offline', async () => {
    const backend = mockCaseBackend(exampleCasePage(), {
      check_in: (payload, b) => {
        const visit = b.page.case.visits[0]!
        visit.fields['checked_in_at'] = { value: new Date().toISOString(), by: 'sam.caseworker', at: Date.now() }
        visit.fields['expected_end'] = { value: String(payload['expectedEnd']), by: 'sam.caseworker', at: Date.now() }
      },
    })
    const screen = await openCase()
    await screen.press(/^Check in to the visit on/)
    expect(document.activeElement).toBe(screen.field('check-in-expected-end'))
    expect(screen.field('check-in-expected-end').type).toBe('datetime-local')
    expect(screen.field('check-in-expected-end').value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/)
    expect(clean(screen.$('form[data-form="check-in"] .govuk-warning-text').textContent)).toContain(
      'Doorstep cannot raise an alarm while this laptop is offline',
    )

    screen.type('check-in-expected-end', '2030-01-02T15:30')
    await screen.press('Check in')
    expect(backend.callsTo('check_in')).toEqual([{ caseId: 'case-1', visitId: 'v1', expectedEnd: new Date('2030-01-02T15:30').toISOString() }])
    expect(backend.callsTo('check_in')[0]!['expectedEnd']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/)

    const card = screen.$('#visit-v1').closest('.govuk-summary-card')!
    expect(clean(card.textContent)).toContain('Checked in')
    expect(clean(card.textContent)).toContain('Expected end 2 January 2030 at 3:30pm')
    expect(clean(card.querySelector('.govuk-warning-text')?.textContent)).toContain('Follow your council’s lone working procedure')
    expect(document.activeElement).toBe(screen.$('#check-out-v1'))
    expect(await announced(screen)).toBe(SAVED_MESSAGE)
  })

  it('will not check in with an expected end that has already passed', async () => {
    const backend = mockCaseBackend()
    const screen = await openCase()
    await screen.press(/^Check in to the visit on/)
    screen.type('check-in-expected-end', '2020-01-02T15:30')
    await screen.press('Check in')
    expect(screen.summaryLinks()).toEqual([['The expected end must be later than now', '#check-in-expected-end']])
    expect(backend.callsTo('check_in')).toEqual([])
  })

  it('checks out with the outcome', async () => {
    const backend = mockCaseBackend(
      withCase((p) => {
        p.case.visits[0]!.fields['checked_in_at'] = { value: '2026-03-02T10:05:00.000Z', by: 'sam.caseworker', at: BASE_TIME }
        p.case.visits[0]!.fields['expected_end'] = { value: '2099-03-02T11:00:00.000Z', by: 'sam.caseworker', at: BASE_TIME }
      }),
    )
    const screen = await openCase()
    await screen.press(/^Check out of the visit on/)
    expect(document.activeElement).toBe(screen.field('check-out-outcome'))
    await screen.press('Check out')
    expect(screen.summaryLinks()).toEqual([['Enter the outcome of the visit', '#check-out-outcome']])
    screen.type('check-out-outcome', 'Bath seat fitted.')
    await screen.press('Check out')
    expect(backend.callsTo('check_out')).toEqual([{ caseId: 'case-1', visitId: 'v1', outcome: 'Bath seat fitted.' }])
  })

  it('plans a visit at the instant typed, in UTC', async () => {
    const backend = mockCaseBackend()
    const screen = await openCase()
    screen.type('visit-planned-at', '2026-05-04T09:15')
    await screen.press('Plan visit')
    expect(backend.callsTo('add_item')).toEqual([
      { caseId: 'case-1', kind: 'visit', fields: { planned_at: new Date('2026-05-04T09:15').toISOString() } },
    ])
  })
})

describe('tasks', () => {
  it('marks a task done and not done through set_field', async () => {
    const backend = mockCaseBackend(exampleCasePage(), {
      set_field: (payload, b) => {
        b.page.case.tasks[0]!.fields['done'] = { value: payload['value'] === 'yes', by: 'sam.caseworker', at: BASE_TIME }
      },
    })
    const screen = await openCase()
    await screen.press('Mark as done: Order a bath seat')
    await screen.press('Mark as not done: Order a bath seat')
    expect(backend.callsTo('set_field')).toEqual([
      { caseId: 'case-1', field: 'tasks.t1.done', value: 'yes' },
      { caseId: 'case-1', field: 'tasks.t1.done', value: 'no' },
    ])
    expect(document.activeElement).toBe(screen.$('#task-t1'))
  })

  it('adds a task with a due date, and checks the date first', async () => {
    const backend = mockCaseBackend()
    const screen = await openCase()
    screen.type('task-title', 'Book a review')
    screen.type('task-due-date-day', '30')
    screen.type('task-due-date-month', '2')
    screen.type('task-due-date-year', '2026')
    await screen.press('Add task')
    expect(screen.summaryLinks()).toEqual([['Due date must be a real date', '#task-due-date-day']])
    screen.type('task-due-date-day', '28')
    await screen.press('Add task')
    expect(backend.callsTo('add_item')).toEqual([{ caseId: 'case-1', kind: 'task', fields: { title: 'Book a review', due_date: '2026-02-28' } }])
  })
})

describe('notes and the narrative', () => {
  it('corrects a note, keeping the earlier wording to read', async () => {
    const backend = mockCaseBackend(exampleCasePage(), {
      edit_note: (payload, b) => {
        const note = b.page.case.notes[0]!
        note.revisions.push({ text: String(payload['text']), by: 'sam.caseworker', at: BASE_TIME + 8 * 3600_000 })
        note.text = String(payload['text'])
      },
    })
    const screen = await openCase()
    await screen.press(/^Correct this note/)
    expect(screen.field('correction-text').value).toBe('Phoned daughter to arrange the visit.')
    await screen.press('Save correction')
    expect(screen.summaryLinks()).toEqual([['The corrected note is the same as the note. Change the wording, or cancel', '#correction-text']])
    screen.type('correction-text', 'Phoned son to arrange the visit.')
    await screen.press('Save correction')

    expect(backend.callsTo('edit_note')).toEqual([{ caseId: 'case-1', noteId: 'n1', text: 'Phoned son to arrange the visit.' }])
    const note = screen.$('.doorstep-timeline__entry[data-kind="note"]')
    expect(clean(note.querySelector('.doorstep-multiline')?.textContent)).toBe('Phoned son to arrange the visit.')
    expect(clean(note.querySelector('summary')?.textContent)).toBe('Earlier wording (1 version)')
    expect(clean(note.querySelector('.govuk-details__text')?.textContent)).toContain('Phoned daughter to arrange the visit.')
  })

  it('saves the narrative only when asked', async () => {
    const backend = mockCaseBackend()
    const screen = await openCase()
    expect(screen.field('narrative').value).toBe('Mrs Patel was discharged on 27 February.')
    expect(screen.$('#narrative-unsaved').hidden).toBe(true)
    screen.type('narrative', 'Mrs Patel was discharged on 27 February.\nShe lives alone.')
    expect(screen.$('#narrative-unsaved').hidden).toBe(false)
    expect(backend.callsTo('set_narrative')).toEqual([])
    await screen.press('Save narrative')
    expect(backend.callsTo('set_narrative')).toEqual([{ caseId: 'case-1', text: 'Mrs Patel was discharged on 27 February.\nShe lives alone.' }])
  })

  it('keeps an unsaved narrative when another part of the page is saved', async () => {
    mockCaseBackend()
    const screen = await openCase()
    screen.type('narrative', 'Draft in progress')
    screen.type('task-title', 'Book a review')
    await screen.press('Add task')
    expect(screen.field('narrative').value).toBe('Draft in progress')
    expect(screen.field('task-title').value).toBe('')
  })

  it('warns before leaving with unsaved narrative changes, and can leave without saving', async () => {
    mockCaseBackend()
    const screen = await openCase()
    expect(mayLeave('/cases')).toBe(true)
    screen.type('narrative', 'Unsaved words')
    expect(mayLeave('/cases')).toBe(false)
    await settle()

    const warning = screen.$('#leave-warning')
    expect(document.activeElement).toBe(warning)
    expect(clean(warning.textContent)).toContain('You have not saved your changes to the assessment narrative.')
    await screen.press('Leave without saving')
    expect(screen.navigate).toHaveBeenCalledWith('/cases')
    expect(mayLeave('/cases')).toBe(true)
  })

  it('can save the narrative and carry on to where the person was going', async () => {
    const backend = mockCaseBackend()
    const screen = await openCase()
    screen.type('narrative', 'Words worth keeping')
    mayLeave('/visits')
    await settle()
    await screen.press('Save narrative and continue')
    expect(backend.callsTo('set_narrative')).toEqual([{ caseId: 'case-1', text: 'Words worth keeping' }])
    expect(screen.navigate).toHaveBeenCalledWith('/visits')
  })
})

describe('consent', () => {
  afterEach(() => vi.restoreAllMocks())

  /** Fills in who, what for and "Consent given", as the person recording consent would. */
  async function startConsent(screen: CaseScreen): Promise<void> {
    await screen.press('Record consent')
    screen.$<HTMLInputElement>('#consent-person').click()
    screen.type('consent-purpose', 'Sharing information with her GP')
    screen.$<HTMLInputElement>('#consent-decision').click()
  }

  const revealed = (screen: CaseScreen, id: string) => !screen.$(`#${id}`).classList.contains('govuk-radios__conditional--hidden')

  /** Draws a stroke on the signature pad with a pointer, as a mouse, pen or finger would. */
  function drawSignature(screen: CaseScreen): void {
    const pad = screen.$<HTMLCanvasElement>('#consent-signature-pad')
    const at = (type: string, x: number) => new PointerEvent(type, { bubbles: true, button: 0, pointerId: 1, clientX: x, clientY: 50 })
    pad.dispatchEvent(at('pointerdown', 20))
    pad.dispatchEvent(at('pointermove', 200))
    pad.dispatchEvent(at('pointerup', 380))
  }

  it('records consent with a typed signature, the way to sign with a keyboard or screen reader', async () => {
    const backend = mockCaseBackend()
    const screen = await openCase()
    await startConsent(screen)
    expect(screen.text()).not.toContain('does not save drawings')
    expect(revealed(screen, 'consent-signature-method-conditional')).toBe(false)
    expect(revealed(screen, 'consent-signature-method-2-conditional')).toBe(false)
    await screen.press('Save consent record')
    expect(screen.summaryLinks()).toEqual([['Select how the person is signing', '#consent-signature-method']])

    screen.$<HTMLInputElement>('#consent-signature-method-2').click()
    expect(clean(screen.$('label[for="consent-signature-method-2"]').textContent)).toBe('They type their name')
    expect(revealed(screen, 'consent-signature-method-2-conditional')).toBe(true)
    expect(revealed(screen, 'consent-signature-method-conditional')).toBe(false)
    await screen.press('Save consent record')
    expect(screen.summaryLinks()).toEqual([['Enter a typed signature to record that consent was given', '#consent-typed-signature']])
    expect(revealed(screen, 'consent-signature-method-2-conditional')).toBe(true)

    screen.type('consent-typed-signature', 'Asha Patel')
    await screen.press('Save consent record')
    const [call] = backend.callsTo('add_item')
    expect(call).toMatchObject({ caseId: 'case-1', kind: 'consent' })
    expect(call!['fields']).toEqual({
      person: 'Asha Patel',
      purpose: 'Sharing information with her GP',
      decision: 'given',
      recorded_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      typed_signature: 'Asha Patel',
    })
    expect(backend.callsTo('attach_file')).toEqual([])
  })

  it('saves a drawn signature as a PNG attachment and names it in the consent record', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])
    vi.spyOn(HTMLCanvasElement.prototype, 'toBlob').mockImplementation((callback, type) => callback(new Blob([png], { type: type ?? '' })))
    const backend = mockCaseBackend(exampleCasePage(), { attach_file: () => 'f'.repeat(64) })
    const screen = await openCase()
    await startConsent(screen)
    screen.$<HTMLInputElement>('#consent-signature-method').click()
    expect(revealed(screen, 'consent-signature-method-conditional')).toBe(true)
    // Typed, then changed their mind: only the way chosen is kept.
    screen.type('consent-typed-signature', 'Not this one')
    drawSignature(screen)
    await screen.press('Save consent record')

    expect(backend.calls.map((c) => c.cmd)).toEqual(['show_case', 'attach_file', 'add_item', 'change_saved', 'show_case'])
    const [upload] = backend.rawCallsTo('attach_file')
    expect([...upload!.bytes]).toEqual([...png])
    const today = new Date()
    const date = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`
    expect(upload!.headers).toEqual({
      'doorstep-case-id': 'case-1',
      'doorstep-file-name': `signature-${date}.png`,
      'doorstep-media-type': 'image/png',
    })
    const fields = backend.callsTo('add_item')[0]!['fields'] as Record<string, string>
    expect(fields['signature_attachment']).toBe('f'.repeat(64))
    expect(fields).not.toHaveProperty('typed_signature')
    expect(await announced(screen)).toBe(SAVED_MESSAGE)
  })

  it('asks for the drawing when they chose to draw but the box is empty, and sends nothing', async () => {
    const backend = mockCaseBackend()
    const screen = await openCase()
    await startConsent(screen)
    screen.$<HTMLInputElement>('#consent-signature-method').click()
    await screen.press('Save consent record')
    expect(screen.summaryLinks()).toEqual([
      ['Ask the person to draw their signature in the box, or select ‘They type their name’', '#consent-signature-method'],
    ])
    expect(clean(screen.$('#consent-signature-method-error').textContent)).toContain('Ask the person to draw their signature')
    expect(revealed(screen, 'consent-signature-method-conditional')).toBe(true)
    expect(backend.callsTo('attach_file')).toEqual([])
    expect(backend.callsTo('add_item')).toEqual([])
  })

  it('shows why a drawn signature could not be stored, and keeps the consent unsaved', async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'toBlob').mockImplementation((callback) => callback(new Blob([new Uint8Array([1])], { type: 'image/png' })))
    const backend = mockCaseBackend(exampleCasePage(), {
      attach_file: () => {
        throw { code: 'store_error', message: 'Doorstep could not store the file. Try again.' }
      },
    })
    const screen = await openCase()
    await startConsent(screen)
    screen.$<HTMLInputElement>('#consent-signature-method').click()
    drawSignature(screen)
    await screen.press('Save consent record')
    expect(screen.summaryLinks()).toEqual([['Doorstep could not store the file. Try again.', null]])
    expect(backend.callsTo('add_item')).toEqual([])
    expect(screen.field('consent-purpose').value).toBe('Sharing information with her GP')
  })

  it('asks for everything it needs, including someone not on the case', async () => {
    const backend = mockCaseBackend()
    const screen = await openCase()
    await screen.press('Record consent')
    await screen.press('Save consent record')
    expect(screen.summaryLinks()).toEqual([
      ['Select who the consent is from', '#consent-person'],
      ['Enter what the consent is for', '#consent-purpose'],
      ['Select whether consent was given, refused or withdrawn', '#consent-decision'],
    ])
    screen.$<HTMLInputElement>('#consent-person-2').click()
    screen.type('consent-purpose', 'Sharing with housing')
    screen.$<HTMLInputElement>('#consent-decision-2').click()
    await screen.press('Save consent record')
    expect(screen.summaryLinks()).toEqual([['Enter the full name of the person the consent is from', '#consent-person-other']])
    screen.type('consent-person-other', 'Ravi Patel')
    await screen.press('Save consent record')
    expect(backend.callsTo('add_item')[0]!['fields']).toMatchObject({ person: 'Ravi Patel', decision: 'refused' })
  })

  it('shows a stored drawn signature on the consent record when asked, and lets it go when hidden', async () => {
    const sha = 'c'.repeat(64)
    const signatureBytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 9, 9])
    const backend = mockCaseBackend(
      withCase((p) => {
        p.case.consents = [item('c1', { person: 'Asha Patel', purpose: 'Share with GP', decision: 'given', signature_attachment: sha }, BASE_TIME + 5 * 3600_000)]
        p.case.attachments.push({ sha256: sha, name: 'signature-2026-03-01.png', mediaType: 'image/png', size: 6, addedBy: 'sam.caseworker', addedAt: BASE_TIME + 5 * 3600_000 })
      }),
      { attachment: () => signatureBytes.buffer },
    )
    const created = vi.spyOn(URL, 'createObjectURL')
    const revoked = vi.spyOn(URL, 'revokeObjectURL')
    const screen = await openCase()
    const record = () => screen.$('#case-consent ~ .doorstep-record-list')
    expect(clean(record().textContent)).toContain('Signature drawn')
    expect(backend.callsTo('attachment')).toEqual([])

    await screen.press('Show signature of Asha Patel')
    expect(backend.callsTo('attachment')).toEqual([{ caseId: 'case-1', sha256: sha }])
    const image = record().querySelector('img')!
    const url = created.mock.results[0]!.value as string
    expect(image.getAttribute('src')).toBe(url)
    expect(url).toMatch(/^blob:/)
    expect(image.alt).toBe('Signature drawn by Asha Patel')
    const blob = created.mock.calls[0]![0] as Blob
    expect(blob.type).toBe('image/png')
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([...signatureBytes])
    expect(document.activeElement).toBe(screen.$('#signature-c1'))
    expect(clean(screen.$('#signature-c1').textContent)).toBe('Hide signature of Asha Patel')
    // The timeline says there is a signature, without a second copy of it.
    expect(screen.container.querySelector('.doorstep-timeline img')).toBeNull()

    await screen.press('Hide signature of Asha Patel')
    expect(revoked).toHaveBeenCalledWith(url)
    expect(record().querySelector('img')).toBeNull()
  })
})

describe('attachments', () => {
  afterEach(() => vi.restoreAllMocks())

  function choose(screen: CaseScreen, file: File): void {
    const input = screen.field('attachment-file')
    const files = new DataTransfer()
    files.items.add(file)
    input.files = files.files
    input.dispatchEvent(new Event('change', { bubbles: true }))
  }

  const photo = () => new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4])], 'kitchen wall.png', { type: 'image/png' })

  it('offers a GOV.UK file upload for photos and documents, with the size limit in its hint', async () => {
    mockCaseBackend()
    const screen = await openCase()
    const input = screen.field('attachment-file')
    expect(input.type).toBe('file')
    expect(input.className).toBe('govuk-file-upload')
    expect(clean(screen.$('label[for="attachment-file"]').textContent)).toBe('Attach a photo or document')
    expect(clean(screen.$('#attachment-file-hint').textContent)).toContain('The file must be smaller than 50MB')
    expect(input.getAttribute('aria-describedby')).toBe('attachment-file-hint')
    expect(input.accept.split(',')).toEqual(expect.arrayContaining(['image/*', 'application/pdf', '.docx', '.xlsx']))
  })

  it('attaches the chosen file, says "Saved on this laptop", nudges the sync and lists it', async () => {
    const sha = 'b'.repeat(64)
    const backend = mockCaseBackend(exampleCasePage(), {
      attach_file: (_payload, b) => {
        b.page.case.attachments.push({ sha256: sha, name: 'kitchen wall.png', mediaType: 'image/png', size: 8, addedBy: 'sam.caseworker', addedAt: BASE_TIME + 6 * 3600_000 })
        return sha
      },
    })
    const screen = await openCase()
    choose(screen, photo())
    await screen.press('Attach file')

    expect(backend.calls.map((c) => c.cmd)).toEqual(['show_case', 'attach_file', 'change_saved', 'show_case'])
    const [upload] = backend.rawCallsTo('attach_file')
    expect([...upload!.bytes]).toEqual([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4])
    expect(upload!.headers).toEqual({ 'doorstep-case-id': 'case-1', 'doorstep-file-name': 'kitchen%20wall.png', 'doorstep-media-type': 'image/png' })
    const list = clean(screen.$('#case-attachments ~ .doorstep-record-list').textContent)
    expect(list).toContain('kitchen wall.png')
    expect(list).toMatch(/image\/png, 8 bytes\. Added by sam\.caseworker, 1 March 2026 at 3pm\./)
    expect(screen.field('attachment-file').files).toHaveLength(0)
    expect(screen.container.querySelector('.govuk-error-summary')).toBeNull()
    expect(document.activeElement).toBe(screen.$('#case-attachments'))
    expect(await announced(screen)).toBe(SAVED_MESSAGE)
  })

  it('asks for a file, and checks it is not empty or too big, before sending anything', async () => {
    const backend = mockCaseBackend()
    const screen = await openCase()
    await screen.press('Attach file')
    expect(screen.summaryLinks()).toEqual([['Select a file', '#attachment-file']])
    expect(clean(screen.$('#attachment-file-error').textContent)).toBe('Error: Select a file')
    expect(screen.field('attachment-file').getAttribute('aria-describedby')).toBe('attachment-file-hint attachment-file-error')
    expect(screen.field('attachment-file').classList.contains('govuk-file-upload--error')).toBe(true)

    choose(screen, new File([], 'blank.pdf', { type: 'application/pdf' }))
    await screen.press('Attach file')
    expect(screen.summaryLinks()).toEqual([['The selected file is empty', '#attachment-file']])

    const huge = new File([new Uint8Array(16)], 'scan.pdf', { type: 'application/pdf' })
    Object.defineProperty(huge, 'size', { value: 50 * 1024 * 1024 + 1 })
    choose(screen, huge)
    await screen.press('Attach file')
    expect(screen.summaryLinks()).toEqual([['The selected file must be smaller than 50MB', '#attachment-file']])
    expect(backend.callsTo('attach_file')).toEqual([])
  })

  it.each([
    ['a field error', { code: 'invalid_field', field: 'file', message: 'File name: choose a file with a name of 1 to 255 characters' }],
    ['any other error', { code: 'store_error', message: 'The file is 60000000 bytes; the largest attachment Doorstep accepts is 52428800 bytes (50 MiB).' }],
  ])('shows Rust’s refusal (%s) in the summary and next to the file input, keeping the file chosen', async (_kind, error) => {
    const backend = mockCaseBackend(exampleCasePage(), {
      attach_file: () => {
        throw error
      },
    })
    const screen = await openCase()
    choose(screen, photo())
    await screen.press('Attach file')
    expect(screen.summaryLinks()).toEqual([[error.message, '#attachment-file']])
    expect(document.activeElement).toBe(screen.$('.govuk-error-summary'))
    expect(clean(screen.$('#attachment-file-error').textContent)).toBe(`Error: ${error.message}`)
    expect(screen.field('attachment-file').files?.[0]?.name).toBe('kitchen wall.png')
    expect(backend.callsTo('change_saved')).toEqual([])
  })

  it('keeps the chosen file when another part of the page is saved', async () => {
    mockCaseBackend()
    const screen = await openCase()
    choose(screen, photo())
    screen.type('note-text', 'Photo of the kitchen wall to follow.')
    await screen.press('Add note')
    expect(screen.field('attachment-file').files?.[0]?.name).toBe('kitchen wall.png')
  })
})

describe('previews of photos', () => {
  afterEach(() => vi.restoreAllMocks())

  const sha = 'd'.repeat(64)
  const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 5, 6])
  const withPhoto = () =>
    withCase((p) => {
      p.case.attachments.push({ sha256: sha, name: 'kitchen-wall.jpg', mediaType: 'image/jpeg', size: 6, addedBy: 'sam.caseworker', addedAt: BASE_TIME + 6 * 3600_000 })
    })

  it('offers a preview of images only, and reads the bytes only when asked', async () => {
    const backend = mockCaseBackend(withPhoto())
    const screen = await openCase()
    const buttons = [...screen.$('#case-attachments').parentElement!.querySelectorAll('button[data-action="preview-attachment"]')]
    expect(buttons.map((b) => clean(b.textContent))).toEqual(['Show preview of kitchen-wall.jpg'])
    expect(backend.callsTo('attachment')).toEqual([])
  })

  it('shows the photo through a blob: URL made from its bytes, with the file name as its text alternative', async () => {
    const backend = mockCaseBackend(withPhoto(), { attachment: () => bytes.buffer })
    const created = vi.spyOn(URL, 'createObjectURL')
    const screen = await openCase()
    await screen.press('Show preview of kitchen-wall.jpg')

    expect(backend.callsTo('attachment')).toEqual([{ caseId: 'case-1', sha256: sha }])
    const blob = created.mock.calls[0]![0] as Blob
    expect(blob.type).toBe('image/jpeg')
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([...bytes])
    const image = screen.$<HTMLImageElement>('#case-attachments ~ .doorstep-record-list img')
    expect(image.getAttribute('src')).toBe(created.mock.results[0]!.value)
    expect(image.alt).toBe('kitchen-wall.jpg')
    expect(document.activeElement).toBe(screen.$(`#preview-${sha}`))
    expect(clean(document.activeElement?.textContent)).toBe('Hide preview of kitchen-wall.jpg')
  })

  it('revokes the URL when the preview is hidden, keeps it while other parts are saved, and revokes it on leaving', async () => {
    mockCaseBackend(withPhoto(), { attachment: () => bytes.buffer })
    const created = vi.spyOn(URL, 'createObjectURL')
    const revoked = vi.spyOn(URL, 'revokeObjectURL')
    const screen = await openCase()
    await screen.press('Show preview of kitchen-wall.jpg')
    const first = created.mock.results[0]!.value as string
    await screen.press('Hide preview of kitchen-wall.jpg')
    expect(revoked.mock.calls).toEqual([[first]])
    expect(screen.container.querySelector('#case-attachments ~ .doorstep-record-list img')).toBeNull()

    await screen.press('Show preview of kitchen-wall.jpg')
    const second = created.mock.results[1]!.value as string
    screen.type('note-text', 'Mould is spreading.')
    await screen.press('Add note')
    expect(screen.$('#case-attachments ~ .doorstep-record-list img').getAttribute('src')).toBe(second)
    expect(revoked).not.toHaveBeenCalledWith(second)

    // The app replaces the page and the address changes.
    screen.container.remove()
    window.dispatchEvent(new Event('hashchange'))
    await settle()
    expect(revoked).toHaveBeenCalledWith(second)
  })

  it('lets go of a preview whose attachment is no longer on the case', async () => {
    const backend = mockCaseBackend(withPhoto(), { attachment: () => bytes.buffer })
    const created = vi.spyOn(URL, 'createObjectURL')
    const revoked = vi.spyOn(URL, 'revokeObjectURL')
    const screen = await openCase()
    await screen.press('Show preview of kitchen-wall.jpg')
    backend.page.case.attachments = backend.page.case.attachments.filter((a) => a.sha256 !== sha)
    screen.type('note-text', 'Photo removed on the server.')
    await screen.press('Add note')
    expect(revoked).toHaveBeenCalledWith(created.mock.results[0]!.value)
  })

  it('says when the photo cannot be opened', async () => {
    mockCaseBackend(withPhoto(), {
      attachment: () => {
        throw { code: 'no_such_attachment', message: 'That file is not on this laptop yet. Sync, then try again.' }
      },
    })
    const created = vi.spyOn(URL, 'createObjectURL')
    const screen = await openCase()
    await screen.press('Show preview of kitchen-wall.jpg')
    const item = screen.$(`#preview-${sha}`).closest('li')!
    expect(clean(item.querySelector('.govuk-error-message')?.textContent)).toBe('Error: That file is not on this laptop yet. Sync, then try again.')
    expect(item.querySelector('img')).toBeNull()
    expect(created).not.toHaveBeenCalled()
    expect(await announced(screen)).toBe('That file is not on this laptop yet. Sync, then try again.')
  })
})

describe('submitting for review', () => {
  it('asks for confirmation, mentioning unfinished work, then submits', async () => {
    const backend = mockCaseBackend(exampleCasePage(), {
      submit_for_review: (_payload, b) => {
        b.page.case.fields['status'] = { value: 'awaiting_review', by: 'sam.caseworker', at: BASE_TIME }
      },
    })
    const screen = await openCase()
    await screen.press('Submit for review')
    expect(document.activeElement).toBe(screen.$('#confirm-submit-heading'))
    expect(screen.text()).toContain('1 task is not done.')
    expect(backend.callsTo('submit_for_review')).toEqual([])
    await screen.press('Yes, submit for review')
    expect(backend.callsTo('submit_for_review')).toEqual([{ caseId: 'case-1' }])
    expect(screen.text()).toContain('This case is waiting for your team lead to review it.')
    expect(screen.container.querySelector('#submit-for-review-button')).toBeNull()
  })

  it('is offered only while the case is open or in progress', async () => {
    for (const [status, offered] of [
      ['open', true],
      ['in_progress', true],
      ['awaiting_review', false],
      ['closed', false],
    ] as const) {
      document.body.replaceChildren()
      mockCaseBackend(withCase((p) => (p.case.fields['status'] = { value: status, by: 'x', at: BASE_TIME })))
      const screen = await openCase()
      expect(screen.container.querySelector('#submit-for-review-button') !== null, status).toBe(offered)
    }
  })
})

describe('leaving before the case arrives', () => {
  it('does not change the title of the page the person went to', async () => {
    let answer: (page: CasePage) => void = () => {}
    mockCaseBackend(exampleCasePage(), { show_case: () => new Promise<CasePage>((resolve) => (answer = resolve)) })
    const screen = await openCase()
    screen.container.remove()
    document.title = 'My cases – Doorstep'
    answer(exampleCasePage())
    await settle()
    expect(document.title).toBe('My cases – Doorstep')
    expect(mayLeave('/cases')).toBe(true)
  })
})

describe('a case that cannot be shown', () => {
  it('says clearly when the case is not on this laptop', async () => {
    mockCaseBackend(exampleCasePage(), {
      show_case: () => {
        throw { code: 'no_such_case', message: 'There is no case nope on this device.' }
      },
    })
    const screen = await openCase({ caseId: 'nope' })
    expect(clean(screen.$('h1').textContent)).toBe('Case not found')
    expect(document.title).toBe('Case not found – Doorstep')
    expect(screen.$('a[href="#/cases"]').textContent).toBe('My cases')
    expect(document.activeElement).toBe(screen.$('h1'))
  })

  it('explains other problems and offers to try again', async () => {
    let attempts = 0
    mockCaseBackend(exampleCasePage(), {
      show_case: (_p, b) => {
        attempts += 1
        if (attempts === 1) throw { code: 'store_error', message: 'Doorstep could not read its store. Try again.' }
        return b.page
      },
    })
    const screen = await openCase()
    expect(clean(screen.$('h1').textContent)).toBe('Sorry, the case could not be opened')
    expect(screen.text()).toContain('Doorstep could not read its store. Try again.')
    await screen.press('Try again')
    expect(clean(screen.$('h1').textContent)).toBe('Support after hospital discharge')
  })
})

describe('when Doorstep locks', () => {
  const LOCKED_ERROR = { code: 'locked', message: 'Doorstep is locked. Enter your PIN to carry on.' }
  let router: Router | null = null

  afterEach(() => {
    router?.stop()
    router = null
    resetLockState()
    forgetWorkKeptForUnlock()
  })

  /** Starts the whole app on a sample case, on the fake Rust side the browser tests use. */
  async function startOnCase(): Promise<{ root: HTMLElement; device: FakeDevice; press(name: string): Promise<void>; field(id: string): HTMLInputElement }> {
    window.history.replaceState(null, '', `/#/cases/${SAMPLE_IDS.damp}`)
    const { device } = mockDevice({ cases: 'sample', pin: '246810' })
    const root = document.createElement('div')
    document.body.append(root)
    router = await startApp(root)
    await settle()
    return {
      root,
      device,
      async press(name) {
        const matches = [...root.querySelectorAll<HTMLButtonElement>('button')].filter((b) => clean(b.textContent) === name)
        if (matches.length !== 1) throw new Error(`Expected one button ${name}, found ${matches.length}`)
        matches[0]!.click()
        await settle()
      },
      field(id) {
        const found = root.querySelector<HTMLInputElement>(`#${id}`)
        if (!found) throw new Error(`No field #${id}`)
        return found
      },
    }
  }

  async function unlockWithPin(root: HTMLElement): Promise<void> {
    expect(clean(root.querySelector('h1')?.textContent)).toBe('Doorstep is locked')
    root.querySelector<HTMLInputElement>('#pin')!.value = '246810'
    root.querySelector<HTMLButtonElement>('.doorstep-unlock button[type="submit"]')!.click()
    await settle()
  }

  const notesOn = async (device: FakeDevice) => ((await device.handle('show_case', { caseId: SAMPLE_IDS.damp })) as CasePage).case.notes.length

  it('goes to the lock screen when the case is refused on opening, instead of saying it could not be opened', async () => {
    mockCaseBackend(exampleCasePage(), {
      show_case: () => {
        throw LOCKED_ERROR
      },
    })
    const screen = await openCase()
    expect(window.location.hash).toBe(`#${UNLOCK_PATH}`)
    expect(screen.text()).not.toContain('could not be opened')
    expect(document.title).not.toContain('Error')
  })

  it('goes to the lock screen when a save is refused, with no error and what was typed still in place', async () => {
    mockCaseBackend(exampleCasePage(), {
      add_note: () => {
        throw LOCKED_ERROR
      },
    })
    const screen = await openCase()
    screen.type('note-text', 'Neighbour says she is away until Friday.')
    await screen.press('Add note')
    expect(window.location.hash).toBe(`#${UNLOCK_PATH}`)
    expect(screen.container.querySelector('.govuk-error-summary')).toBeNull()
    expect(screen.field('note-text').value).toBe('Neighbour says she is away until Friday.')
  })

  it('goes to the lock screen when the case cannot be read again after a save', async () => {
    let locked = false
    mockCaseBackend(exampleCasePage(), {
      add_note: () => {
        locked = true
      },
      show_case: (_payload, backend) => {
        if (locked) throw LOCKED_ERROR
        return backend.page
      },
    })
    const screen = await openCase()
    screen.type('note-text', 'Saved just before the lock.')
    await screen.press('Add note')
    expect(window.location.hash).toBe(`#${UNLOCK_PATH}`)
    expect(screen.text()).not.toContain('could not be opened')
  })

  it('gives back a note typed but refused, and an unsaved narrative, once the PIN is typed', async () => {
    const app = await startOnCase()
    const notesBefore = await notesOn(app.device)
    app.field('narrative').value = 'Damp worse in the back bedroom since January.'
    app.field('note-text').value = 'Neighbour says she is away until Friday.'
    await app.device.handle('lock')
    await app.press('Add note')
    expect(window.location.hash).toBe(`#${UNLOCK_PATH}`)

    await unlockWithPin(app.root)
    expect(window.location.hash).toBe(`#/cases/${SAMPLE_IDS.damp}`)
    expect(app.field('note-text').value).toBe('Neighbour says she is away until Friday.')
    expect(app.field('narrative').value).toBe('Damp worse in the back bedroom since January.')
    expect(app.root.querySelector<HTMLElement>('#narrative-unsaved')!.hidden).toBe(false)
    expect(await notesOn(app.device)).toBe(notesBefore)

    await app.press('Add note')
    expect(await notesOn(app.device)).toBe(notesBefore + 1)
    expect(app.field('note-text').value).toBe('')
  })

  it('gives back an open form and what was typed in it when the lock came while the page sat idle', async () => {
    const app = await startOnCase()
    await app.press('Add a person')
    app.field('person-name').value = 'Ravi Patel'
    await app.device.handle('lock')
    await checkLock()
    await settle()

    await unlockWithPin(app.root)
    expect(app.field('person-name').value).toBe('Ravi Patel')
  })

  it('does not give back a change that was saved just before the lock', async () => {
    let locked = false
    mockCaseBackend(exampleCasePage(), {
      add_note: () => {
        locked = true
      },
      show_case: (_payload, backend) => {
        if (locked) throw LOCKED_ERROR
        return backend.page
      },
    })
    const before = await openCase()
    before.type('narrative', 'Draft in progress')
    before.type('note-text', 'Saved just before the lock.')
    await before.press('Add note')
    before.container.remove()

    locked = false
    const after = await openCase()
    expect(after.field('note-text').value).toBe('')
    expect(after.field('narrative').value).toBe('Draft in progress')
  })

  it('forgets what it kept once someone signs out or in, as it may be someone else', async () => {
    mockCaseBackend(exampleCasePage(), {
      add_note: () => {
        throw LOCKED_ERROR
      },
    })
    const before = await openCase()
    before.type('note-text', 'Not for the next person.')
    await before.press('Add note')
    before.container.remove()
    forgetWorkKeptForUnlock()

    const after = await openCase()
    expect(after.field('note-text').value).toBe('')
  })
})
