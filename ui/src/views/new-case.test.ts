import { afterEach, describe, expect, it, vi } from 'vitest'
import { UNLOCK_PATH, resetLockState } from '../idle'
import { mockDevice, mountView, testContext, textOf } from '../test/fake-backend'
import { settle } from '../test/fixtures'
import { NEW_CASE_MESSAGES, fieldForRejection, newCaseView, validateNewCase } from './new-case'

describe('checking a new case before it is saved', () => {
  it('needs a type and a summary', () => {
    expect(validateNewCase({ type: '', otherType: '', summary: ' ' })).toEqual([
      { field: 'case-type', message: NEW_CASE_MESSAGES.typeMissing },
      { field: 'summary', message: NEW_CASE_MESSAGES.summaryMissing },
    ])
    expect(validateNewCase({ type: 'other', otherType: '', summary: 'Loose chimney pots' })).toEqual([
      { field: 'case-type-other', message: NEW_CASE_MESSAGES.otherTypeMissing },
    ])
    expect(validateNewCase({ type: 'Housing', otherType: '', summary: 'Damp' })).toEqual([])
  })

  it('puts Rust’s field errors on the input the person used', () => {
    const values = { type: 'other', otherType: 'Licensing', summary: '' }
    expect(fieldForRejection('case_type', values)).toBe('case-type-other')
    expect(fieldForRejection('case_type', { ...values, type: 'Housing' })).toBe('case-type')
    expect(fieldForRejection('summary', values)).toBe('summary')
    expect(fieldForRejection('team', values)).toBeUndefined()
    expect(fieldForRejection(undefined, values)).toBeUndefined()
  })
})

function fill(page: HTMLElement, type: string, summary: string, other = ''): void {
  if (type) page.querySelector<HTMLInputElement>(`input[name="case-type"][value="${type}"]`)!.checked = true
  page.querySelector<HTMLInputElement>('#case-type-other')!.value = other
  page.querySelector<HTMLTextAreaElement>('#summary')!.value = summary
}

const submit = (page: HTMLElement) => page.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }))

describe('the new case page', () => {
  it('shows every problem in the summary and next to its input, keeping what was typed', () => {
    mockDevice({ signedIn: true })
    const setTitle = vi.fn()
    const page = mountView(newCaseView, testContext({ setTitle }))
    fill(page, 'other', '', '')
    submit(page)
    const links = [...page.querySelectorAll('.govuk-error-summary a')].map((a) => [a.textContent, a.getAttribute('href')])
    expect(links).toEqual([
      ['Enter the type of case', '#case-type-other'],
      ['Enter a summary of the case', '#summary'],
    ])
    expect(textOf(page.querySelector('#summary-error'))).toBe('Error: Enter a summary of the case')
    expect(page.querySelector<HTMLInputElement>('input[value="other"]')!.checked).toBe(true)
    expect(page.querySelector('#conditional-case-type-other')!.classList.contains('govuk-radios__conditional--hidden')).toBe(false)
    expect(setTitle).toHaveBeenLastCalledWith('Create a new case', { error: true })
    expect(page.querySelector('h1')?.textContent).toBe('Create a new case')
  })

  it('reveals the text box only for another type', () => {
    mockDevice({ signedIn: true })
    const page = mountView(newCaseView)
    const other = page.querySelector('#conditional-case-type-other')!
    expect(other.classList.contains('govuk-radios__conditional--hidden')).toBe(true)
    const radio = page.querySelector<HTMLInputElement>('input[value="other"]')!
    radio.checked = true
    radio.dispatchEvent(new Event('change', { bubbles: true }))
    expect(other.classList.contains('govuk-radios__conditional--hidden')).toBe(false)
  })

  it('creates the case, asks for a sync soon and opens it', async () => {
    const backend = mockDevice({ signedIn: true })
    const navigate = vi.fn()
    const page = mountView(newCaseView, testContext({ navigate }))
    fill(page, 'other', '  Loose chimney pots over the pavement ', 'Dangerous structures')
    submit(page)
    await settle()
    expect(backend.sent('create_case')).toEqual([{ caseType: 'Dangerous structures', summary: 'Loose chimney pots over the pavement' }])
    expect(backend.sent('change_saved')).toHaveLength(1)
    const id = backend.device.rows({}).rows[0]!.caseId
    expect(navigate).toHaveBeenCalledWith(`/cases/${id}`)
  })

  it('shows a rejection without a field in the summary only', async () => {
    mockDevice({ signedIn: false })
    const page = mountView(newCaseView)
    fill(page, 'Housing', 'Damp')
    submit(page)
    await settle()
    expect(textOf(page.querySelector('.govuk-error-summary'))).toContain('Sign in to make changes on this device.')
    expect(page.querySelectorAll('.govuk-error-summary a')).toHaveLength(0)
  })
})

describe('the new case page while Doorstep is locked', () => {
  afterEach(() => resetLockState())

  it('goes to the lock screen when the case is refused, instead of showing an error', async () => {
    const backend = mockDevice({ cases: 'sample', pin: '246810', locked: true })
    const page = mountView(newCaseView)
    fill(page, 'Housing', 'Damp in the back bedroom')
    submit(page)
    await settle()
    expect(window.location.hash).toBe(`#${UNLOCK_PATH}`)
    expect(page.querySelector('.govuk-error-summary')).toBeNull()
    expect(backend.device.rows({}).total).toBe(12)
  })
})
