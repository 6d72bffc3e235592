import { afterEach, describe, expect, it } from 'vitest'
import { UNLOCK_PATH, resetLockState } from '../idle'
import type { FieldConflict } from '../ipc'
import { mockDevice, mountView, textOf } from '../test/fake-backend'
import { settle } from '../test/fixtures'
import { caseAbout, conflictsView, keepLabel, resolvedMessage } from './conflicts'

const ME = 'sam.caseworker'

function conflict(...people: string[]): FieldConflict {
  return { path: 'summary', values: people.map((by, i) => ({ value: `value ${i}`, by, at: 0 })) }
}

describe('the words on conflict buttons', () => {
  it('mine and theirs when it is between me and one colleague', () => {
    const c = conflict(ME, 'alex.colleague')
    expect(c.values.map((v) => keepLabel(v, c, ME))).toEqual(['Keep mine', 'Keep theirs'])
  })

  it('names each colleague when there is more than one, or none of the values is mine', () => {
    const three = conflict(ME, 'alex.colleague', 'jo.lead')
    expect(three.values.map((v) => keepLabel(v, three, ME))).toEqual(['Keep mine', 'Keep alex.colleague’s', 'Keep jo.lead’s'])
    const theirs = conflict('alex.colleague', 'jo.lead')
    expect(theirs.values.map((v) => keepLabel(v, theirs, ME))).toEqual(['Keep alex.colleague’s', 'Keep jo.lead’s'])
  })

  it('says what was kept', () => {
    const c = conflict(ME, 'alex.colleague')
    expect(resolvedMessage('Summary', c.values[0]!, ME)).toBe('Kept your value for Summary.')
    expect(resolvedMessage('Summary', c.values[1]!, ME)).toBe('Kept alex.colleague’s value for Summary.')
    expect(resolvedMessage('Summary', null, ME)).toBe('Saved the new value for Summary.')
  })
})

describe('the conflicts page', () => {
  it('shows each conflict with its values, and settles one with the chosen value', async () => {
    const backend = mockDevice({ cases: 'sample' })
    const page = mountView(conflictsView)
    await settle()
    const titles = [...page.querySelectorAll('.doorstep-conflict .govuk-summary-card__title')].map((t) => t.textContent)
    expect(titles).toEqual(['Summary', 'Done (task)', 'Phone number (person)'])
    const done = page.querySelectorAll<HTMLElement>('.doorstep-conflict')[1]!
    expect([...done.querySelectorAll('.doorstep-conflict__text')].map((p) => p.textContent)).toEqual(['No', 'Yes'])

    done.querySelector<HTMLButtonElement>('[data-keep="1"]')!.click()
    await settle()
    expect(backend.sent('resolve_conflict')).toEqual([
      { caseId: '01JDSAMPLE0000000000000008', field: 'tasks.01JDTASK000000000000000002.done', value: 'yes' },
    ])
    expect(page.querySelectorAll('.doorstep-conflict')).toHaveLength(2)
    expect(document.activeElement?.textContent).toBe('Phone number (person)')
  })

  it('says which case each conflict is on, by reference, and who it is assigned to', async () => {
    mockDevice({ cases: 'sample', role: 'team-lead', user: 'lee.lead' })
    const page = mountView(conflictsView)
    await settle()
    const cases = [...page.querySelectorAll<HTMLElement>('.doorstep-conflict-case')].map((section) => [
      textOf(section.querySelector('h2')),
      textOf(section.querySelector('[data-conflict-case-about]')),
    ])
    expect(cases).toEqual([
      ['Falls risk at home: grab rails and a pendant alarm', 'ASC-2026-0188. Assigned to sam.caseworker.'],
      ['Noise complaint: late-night music from the flat above', 'EH-2026-0077. Assigned to sam.caseworker.'],
    ])
  })

  it('says a case with no reference yet is not assigned, when it is not', () => {
    expect(caseAbout({ reference: null, assignedTo: null })).toBe('Not assigned.')
    expect(caseAbout({ reference: null, assignedTo: 'jo.duty' })).toBe('Assigned to jo.duty.')
    expect(caseAbout({ reference: 'HOU-2026-0433', assignedTo: ' ' })).toBe('HOU-2026-0433. Not assigned.')
  })

  it('with none, says there are none', async () => {
    mockDevice({ signedIn: true })
    const page = mountView(conflictsView)
    await settle()
    expect(textOf(page)).toContain('There are no conflicts on this laptop.')
  })
})

describe('conflicts while Doorstep is locked', () => {
  afterEach(() => resetLockState())

  it('goes to the lock screen when the conflicts are refused', async () => {
    mockDevice({ cases: 'sample', pin: '246810', locked: true })
    const page = mountView(conflictsView)
    await settle()
    expect(window.location.hash).toBe(`#${UNLOCK_PATH}`)
    expect(textOf(page)).not.toContain('could not be shown')
  })

  it('goes to the lock screen when a choice is refused, instead of saying it was not saved', async () => {
    const backend = mockDevice({ cases: 'sample', pin: '246810' })
    const page = mountView(conflictsView)
    await settle()
    await backend.device.handle('lock')
    page.querySelector<HTMLButtonElement>('[data-keep="1"]')!.click()
    await settle()
    expect(window.location.hash).toBe(`#${UNLOCK_PATH}`)
    expect(textOf(page)).not.toContain('Your choice was not saved')
    expect(page.querySelectorAll('.doorstep-conflict')).toHaveLength(3)
  })
})
