// A team lead handing a case to someone else from the case page, and the
// caseworker who is never offered it. Most tests use the browser tests'
// fake Rust side, so the team's caseload and the saving are as Rust's.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { REASSIGN_REFUSED_REASON, SAMPLE_IDS } from '../../tests/e2e/fake-device'
import { pageTitle, startApp } from '../app'
import { initViewComponents } from '../govuk'
import { UNLOCK_PATH, resetLockState } from '../idle'
import type { CasePage, Outbox, WorkerCaseload } from '../ipc'
import { attachLiveRegion } from '../live-region'
import { readRole } from '../role'
import type { Router } from '../router'
import { exampleCasePage, mockCaseBackend } from '../test/case-fixtures'
import { mockDevice, type FakeBackend } from '../test/fake-backend'
import { EXAMPLE_APP_INFO, settle } from '../test/fixtures'
import { SAVED_MESSAGE, casePageView, forgetWorkKeptForUnlock } from './case-page'
import { CHOOSE_PERSON_MESSAGE, ENTER_NAME_MESSAGE, MOST_RADIOS } from './case-page-reassign'
import type { ViewContext } from './view'

/** lee.lead leads sam.caseworker and alex.colleague; the laptop holds the team's cases. */
const LEAD = { cases: 'sample', role: 'team-lead', user: 'lee.lead' } as const
const CASEWORKER = { cases: 'sample' } as const
/** sam.caseworker's: they hold 11 open cases on the lead's laptop, alex.colleague 1. */
const DAMP = SAMPLE_IDS.damp
/** A referral assigned to nobody yet. */
const UNASSIGNED = SAMPLE_IDS.dutyReferral

const clean = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim()

afterEach(() => {
  resetLockState()
  forgetWorkKeptForUnlock()
})

/**
 * Opens a case as the app does after navigating. The app asks Rust for the
 * role at every page change, for its navigation; the page uses that answer.
 */
async function openCase(caseId: string) {
  void readRole().catch(() => {})
  const container = document.createElement('div')
  const liveRegion = document.createElement('div')
  attachLiveRegion(liveRegion)
  const ctx: ViewContext = {
    info: EXAMPLE_APP_INFO,
    navigate: vi.fn(),
    setTitle: (title, o) => {
      document.title = pageTitle(title, o)
    },
    initComponents: initViewComponents,
    params: { id: caseId },
  }
  casePageView.render(container, ctx)
  document.body.append(liveRegion, container)
  initViewComponents(container)
  container.querySelector<HTMLElement>('h1')?.focus()
  await settle()

  const $ = <E extends HTMLElement = HTMLElement>(selector: string): E => {
    const found = container.querySelector<E>(selector)
    if (!found) throw new Error(`Nothing matches ${selector}`)
    return found
  }
  const section = () => container.querySelector<HTMLElement>('#case-reassign')?.closest('section') ?? null
  const radioLabelled = (label: string) => {
    const radio = [...container.querySelectorAll<HTMLInputElement>('#case-reassign ~ form input[type="radio"]')].find(
      (r) => clean(container.querySelector(`label[for="${r.id}"]`)?.textContent) === label,
    )
    if (!radio) throw new Error(`No radio labelled ${label}`)
    return radio
  }
  return {
    container,
    $,
    section,
    text: () => clean(container.textContent),
    radioLabelled,
    choose(label: string) {
      const radio = radioLabelled(label)
      radio.checked = true
      radio.dispatchEvent(new Event('change', { bubbles: true }))
    },
    type(id: string, value: string) {
      $<HTMLInputElement>(`#${id}`).value = value
    },
    /** Each choice: its label, its hint and whether it is chosen. */
    choices: () =>
      [...(section()?.querySelectorAll('.govuk-radios__item') ?? [])].map((item) => [
        clean(item.querySelector('label')?.textContent),
        clean(item.querySelector('.govuk-radios__hint')?.textContent),
        item.querySelector<HTMLInputElement>('input')!.checked,
      ]),
    assignedToRow: () => {
      const row = [...container.querySelectorAll('#case-details ~ .govuk-summary-list .govuk-summary-list__row')].find(
        (r) => clean(r.querySelector('dt')?.textContent) === 'Assigned to',
      )
      return [clean(row?.querySelector('.govuk-summary-list__value')?.textContent), clean(row?.querySelector('.govuk-summary-list__actions')?.textContent)]
    },
    async press(name: string) {
      const buttons = [...container.querySelectorAll<HTMLButtonElement>('button')].filter((b) => clean(b.textContent) === name)
      if (buttons.length !== 1) throw new Error(`Expected one button ${name}, found ${buttons.length}`)
      buttons[0]!.click()
      await settle()
    },
    summaryLinks: () =>
      [...container.querySelectorAll('.govuk-error-summary__list li')].map((li) => [clean(li.textContent), li.querySelector('a')?.getAttribute('href') ?? null]),
    /** The live region is written a moment after it is cleared. */
    async announced() {
      await new Promise((resolve) => setTimeout(resolve, 80))
      return clean(liveRegion.textContent)
    },
  }
}

async function outboxDescriptions(backend: FakeBackend, caseId: string): Promise<string[]> {
  const outbox = (await backend.device.handle('outbox')) as Outbox
  return outbox.cases.find((c) => c.caseId === caseId)?.changes.map((c) => c.description) ?? []
}

function worker(name: string | null, openCases: number): WorkerCaseload {
  return {
    worker: name,
    openCases,
    inProgress: 0,
    awaitingReview: 0,
    visitsUnderWay: 0,
    overdueVisits: 0,
    overdueCases: 0,
    casesWithConflicts: 0,
    openTasks: 0,
    overdueTasks: 0,
  }
}

describe('a team lead reassigning a case', () => {
  it('finds Reassign this case after the details: everyone with cases on the laptop, their open cases, and who has it now', async () => {
    const backend = mockDevice(LEAD)
    const screen = await openCase(DAMP)
    const contents = [...screen.container.querySelectorAll('.doorstep-case-contents__list a')].map((a) => clean(a.textContent))
    expect(contents.slice(0, 2)).toEqual(['Case details', 'Reassign this case'])
    expect(screen.assignedToRow()).toEqual(['sam.caseworker', 'Reassign this case'])
    expect(screen.section()!.previousElementSibling?.querySelector('#case-details')).not.toBeNull()

    expect(clean(screen.section()!.querySelector('legend')?.textContent)).toBe('Who should the case be assigned to?')
    expect(clean(screen.section()!.querySelector('p')?.textContent)).toContain('The case is assigned to sam.caseworker now.')
    expect(screen.choices()).toEqual([
      ['alex.colleague', '1 open case', false],
      ['sam.caseworker (assigned now)', '11 open cases', true],
      ['Someone else', 'Someone with no cases on this laptop yet.', false],
    ])
    // The name box shows only once Someone else is chosen.
    expect(screen.$('#reassign-to-3-conditional').classList).toContain('govuk-radios__conditional--hidden')
    screen.choose('Someone else')
    expect(screen.$('#reassign-to-3-conditional').classList).not.toContain('govuk-radios__conditional--hidden')
    screen.choose('alex.colleague')
    expect(screen.$('#reassign-to-3-conditional').classList).toContain('govuk-radios__conditional--hidden')

    // The role came from the app's own question as the page opened: the page asked no second time.
    expect(backend.sent('device_status')).toHaveLength(1)
    expect(backend.sent('team_caseload')).toHaveLength(1)
  })

  it('reassigns to a colleague: saved on the laptop, confirmed, and the caseloads move', async () => {
    const backend = mockDevice(LEAD)
    const screen = await openCase(DAMP)
    screen.choose('alex.colleague')
    await screen.press('Reassign case')

    expect(backend.sent('set_field')).toEqual([{ caseId: DAMP, field: 'assigned_to', value: 'alex.colleague' }])
    const banner = screen.$('#reassign-saved')
    expect(document.activeElement).toBe(banner)
    expect(clean(banner.querySelector('.govuk-notification-banner__content')?.textContent)).toBe(
      'Reassigned to alex.colleague. The case leaves sam.caseworker’s laptop after anything they have not sent yet reaches the server.',
    )
    expect(banner.classList).toContain('govuk-notification-banner--success')
    expect(await screen.announced()).toBe(SAVED_MESSAGE)
    expect(screen.assignedToRow()[0]).toBe('alex.colleague')
    expect(screen.choices()).toEqual([
      ['alex.colleague (assigned now)', '2 open cases', true],
      ['sam.caseworker', '10 open cases', false],
      ['Someone else', 'Someone with no cases on this laptop yet.', false],
    ])
    expect(screen.container.querySelector('.govuk-error-summary')).toBeNull()
    expect(await outboxDescriptions(backend, DAMP)).toContain('Changed assigned to')

    // The confirmation is about that change only: the next one takes it away.
    screen.type('note-text', 'Handed to Alex while Sam is on leave.')
    await screen.press('Add note')
    expect(screen.container.querySelector('#reassign-saved')).toBeNull()
  })

  it('reassigns to someone with no cases on this laptop yet, by their username', async () => {
    const backend = mockDevice(LEAD)
    const screen = await openCase(DAMP)
    screen.choose('Someone else')
    screen.type('reassign-other', '  jo.bloggs ')
    await screen.press('Reassign case')
    expect(backend.sent('set_field')).toEqual([{ caseId: DAMP, field: 'assigned_to', value: 'jo.bloggs' }])
    expect(clean(screen.$('#reassign-saved').textContent)).toContain('Reassigned to jo.bloggs.')
    // Now on the laptop, jo.bloggs is in the list from here on.
    expect(screen.choices().map(([label]) => label)).toContain('jo.bloggs (assigned now)')
  })

  it('gives an unassigned case its first worker, and says what happens next', async () => {
    const backend = mockDevice(LEAD)
    const screen = await openCase(UNASSIGNED)
    expect(clean(screen.section()!.querySelector('p')?.textContent)).toContain('The case is not assigned to anyone now.')
    expect(screen.choices().filter(([, , chosen]) => chosen)).toEqual([])
    expect(screen.assignedToRow()).toEqual(['Not set', 'Reassign this case'])

    await screen.press('Reassign case')
    expect(screen.summaryLinks()).toEqual([[CHOOSE_PERSON_MESSAGE, '#reassign-to']])
    expect(document.activeElement).toBe(screen.$('.govuk-error-summary'))
    expect(clean(screen.$('#reassign-to-error').textContent)).toBe(`Error: ${CHOOSE_PERSON_MESSAGE}`)
    expect(screen.$('#reassign-to').closest('fieldset')!.getAttribute('aria-describedby')).toBe('reassign-to-hint reassign-to-error')
    expect(document.title).toMatch(/^Error: HOU-2026-0433/)
    expect(backend.sent('set_field')).toEqual([])

    screen.choose('sam.caseworker')
    await screen.press('Reassign case')
    expect(clean(screen.$('#reassign-saved .govuk-notification-banner__content').textContent)).toBe(
      'Reassigned to sam.caseworker. The case reaches sam.caseworker’s laptop after this change reaches the server.',
    )
  })

  it('will not reassign to the person who has it, however the name is typed', async () => {
    const backend = mockDevice(LEAD)
    const screen = await openCase(DAMP)
    await screen.press('Reassign case')
    expect(screen.summaryLinks()).toEqual([['The case is already assigned to sam.caseworker', '#reassign-to']])
    expect(screen.radioLabelled('sam.caseworker (assigned now)').checked).toBe(true)

    screen.choose('Someone else')
    screen.type('reassign-other', ' Sam.Caseworker')
    await screen.press('Reassign case')
    expect(screen.summaryLinks()).toEqual([['The case is already assigned to sam.caseworker', '#reassign-other']])
    expect(clean(screen.$('#reassign-other-error').textContent)).toBe('Error: The case is already assigned to sam.caseworker')
    // The choice and the name stay as they were, revealed, to be corrected.
    expect(screen.radioLabelled('Someone else').checked).toBe(true)
    expect(screen.$<HTMLInputElement>('#reassign-other').value).toBe(' Sam.Caseworker')
    expect(screen.$('#reassign-to-3-conditional').classList).not.toContain('govuk-radios__conditional--hidden')
    expect(backend.sent('set_field')).toEqual([])
  })

  it('asks for the name when Someone else is chosen with none typed', async () => {
    const backend = mockDevice(LEAD)
    const screen = await openCase(DAMP)
    screen.choose('Someone else')
    screen.type('reassign-other', '   ')
    await screen.press('Reassign case')
    expect(screen.summaryLinks()).toEqual([[ENTER_NAME_MESSAGE, '#reassign-other']])
    expect(screen.$('#reassign-other').classList).toContain('govuk-input--error')
    expect(screen.$('#reassign-other').getAttribute('aria-describedby')).toBe('reassign-other-hint reassign-other-error')
    expect(screen.$('#reassign-to-3-conditional').classList).not.toContain('govuk-radios__conditional--hidden')
    expect(backend.sent('set_field')).toEqual([])
  })

  it('shows Rust’s objection to a name at the name box', async () => {
    const backend = mockDevice(LEAD)
    const screen = await openCase(DAMP)
    screen.choose('Someone else')
    screen.type('reassign-other', 'x'.repeat(201))
    await screen.press('Reassign case')
    expect(backend.sent('set_field')).toHaveLength(1)
    expect(screen.summaryLinks()).toEqual([['Assigned to: use 200 characters or fewer', '#reassign-other']])
    expect(screen.container.querySelector('#reassign-saved')).toBeNull()
    expect(screen.assignedToRow()[0]).toBe('sam.caseworker')
  })

  it('goes to the lock screen when the save is refused because Doorstep locked, keeping the choice', async () => {
    const backend = mockDevice(LEAD)
    const screen = await openCase(DAMP)
    screen.choose('alex.colleague')
    backend.device.fail('set_field', { code: 'locked', message: 'Doorstep is locked. Enter your PIN to carry on.' })
    await screen.press('Reassign case')
    expect(window.location.hash).toBe(`#${UNLOCK_PATH}`)
    expect(screen.container.querySelector('.govuk-error-summary')).toBeNull()
    expect(screen.radioLabelled('alex.colleague').checked).toBe(true)
  })

  it('still lets the lead type a name when Rust will not list the team', async () => {
    const backend = mockDevice(LEAD)
    // The laptop last heard "team lead", but Rust now says otherwise: the server decides at the next sync.
    backend.device.fail('team_caseload', { code: 'not_a_team_lead', message: 'Only team leads can see their team’s caseload.' })
    const screen = await openCase(DAMP)
    expect(screen.section()!.querySelectorAll('input[type="radio"]')).toHaveLength(0)
    expect(clean(screen.section()!.textContent)).toContain('Doorstep could not list the people in your team')
    expect(clean(screen.$('label[for="reassign-other"]').textContent)).toBe('Who should the case be assigned to?')

    await screen.press('Reassign case')
    expect(screen.summaryLinks()).toEqual([[ENTER_NAME_MESSAGE, '#reassign-other']])

    screen.type('reassign-other', 'alex.colleague')
    await screen.press('Reassign case')
    expect(backend.sent('set_field')).toEqual([{ caseId: DAMP, field: 'assigned_to', value: 'alex.colleague' }])
    expect(document.activeElement).toBe(screen.$('#reassign-saved'))
  })

  it(`offers a team of more than ${MOST_RADIOS} in a select, with the name box under it`, async () => {
    const people = ['ama', 'ben', 'cat', 'dev', 'eli', 'fay', 'gus', 'hal', 'ivy'].map((name, i) => worker(name, i + 1))
    const page: CasePage = exampleCasePage()
    page.case.fields['assigned_to'] = { value: 'cat', by: 'lee.lead', at: page.case.createdAt }
    const backend = mockCaseBackend(page, {
      device_status: () => ({ role: 'team-lead' }),
      team_caseload: () => ({ asOf: Date.now(), workers: [...people, worker(null, 4)], overdueVisits: [] }),
    })
    const screen = await openCase('case-1')
    const select = screen.$<HTMLSelectElement>('#reassign-to')
    expect(select.tagName).toBe('SELECT')
    expect([...select.options].map((o) => o.textContent)).toEqual([
      'ama: 1 open case',
      'ben: 2 open cases',
      'cat: 3 open cases (assigned now)',
      'dev: 4 open cases',
      'eli: 5 open cases',
      'fay: 6 open cases',
      'gus: 7 open cases',
      'hal: 8 open cases',
      'ivy: 9 open cases',
      'Someone else',
    ])
    // The markup chooses who has it now. (happy-dom misreads `selected` as it
    // parses, choosing the option before, so the attribute itself is checked.)
    expect([...select.options].filter((o) => o.hasAttribute('selected')).map((o) => o.value)).toEqual(['cat'])
    expect(clean(screen.$('label[for="reassign-other"]').textContent)).toBe('If someone else, their username')

    // Chosen but with no name typed: the choice survives the error.
    select.value = '__someone_else__'
    await screen.press('Reassign case')
    expect(screen.summaryLinks()).toEqual([[ENTER_NAME_MESSAGE, '#reassign-other']])
    expect(screen.$<HTMLSelectElement>('#reassign-to').value).toBe('__someone_else__')

    screen.$<HTMLSelectElement>('#reassign-to').value = 'hal'
    await screen.press('Reassign case')
    expect(backend.callsTo('set_field')).toEqual([{ caseId: 'case-1', field: 'assigned_to', value: 'hal' }])
    expect(clean(screen.$('#reassign-saved').textContent)).toContain('Reassigned to hal. The case leaves cat’s laptop')
  })

  it('is offered in the app, which asks the role as the page opens', async () => {
    let router: Router | null = null
    try {
      window.history.replaceState(null, '', `/#/cases/${DAMP}`)
      mockDevice(LEAD)
      const root = document.createElement('div')
      document.body.append(root)
      router = await startApp(root)
      await settle()
      expect(root.querySelector('#case-reassign')).not.toBeNull()
      expect(root.querySelectorAll('#case-reassign ~ form input[type="radio"]')).toHaveLength(3)
    } finally {
      router?.stop()
    }
  })
})

describe('a caseworker and Assigned to', () => {
  it('is never offered Reassign, keeps Change, and the team’s caseload is not asked for', async () => {
    const backend = mockDevice(CASEWORKER)
    const screen = await openCase(DAMP)
    expect(screen.section()).toBeNull()
    expect(screen.container.querySelector('[data-form="reassign"]')).toBeNull()
    expect(screen.text()).not.toContain('Reassign')
    expect(screen.assignedToRow()).toEqual(['sam.caseworker', 'Change assigned to'])
    expect(backend.sent('team_caseload')).toEqual([])
  })

  it('is not offered Reassign when the role cannot be read', async () => {
    mockCaseBackend(exampleCasePage(), {
      device_status: () => {
        throw { code: 'unavailable', message: 'Doorstep could not read its store.' }
      },
    })
    const screen = await openCase('case-1')
    expect(screen.section()).toBeNull()
    expect(screen.assignedToRow()).toEqual(['sam.caseworker', 'Change assigned to'])
  })

  it('can still type someone else’s name with Change, which the laptop keeps and the server refuses', async () => {
    const backend = mockDevice(CASEWORKER)
    const screen = await openCase(DAMP)
    await screen.press('Change assigned to')
    screen.type('change-value', 'alex.colleague')
    await screen.press('Save assigned to')
    expect(backend.sent('set_field')).toEqual([{ caseId: DAMP, field: 'assigned_to', value: 'alex.colleague' }])
    expect(await screen.announced()).toBe(SAVED_MESSAGE)

    backend.device.finishSync()
    const outbox = (await backend.device.handle('outbox')) as Outbox
    expect(outbox.refused.find((c) => c.caseId === DAMP)?.reason).toBe(REASSIGN_REFUSED_REASON)
  })

})
