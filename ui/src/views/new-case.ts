// Create a new case: its type and a summary. Everything else is added on
// the case page. Rust saves the case on this laptop at once; it gets a
// council reference when it first reaches the server.
import { html, renderInto, type SafeHtml } from '../html'
import { handleLocked } from '../idle'
import { changeSaved, createCase, ipcErrorOf } from '../ipc'
import { announce } from '../live-region'
import { textareaField } from './govuk-form-markup'
import { errorSummary, textInput, type ErrorSummaryItem } from './govuk-markup'
import { pageHeading } from './page-parts'
import type { View, ViewContext } from './view'

export const COMMON_CASE_TYPES = ['Adult social care', 'Housing', 'Environmental health', 'Welfare'] as const
const OTHER = 'other'

export const NEW_CASE_MESSAGES = {
  typeMissing: 'Select the type of case',
  otherTypeMissing: 'Enter the type of case',
  summaryMissing: 'Enter a summary of the case',
  failed: 'Doorstep could not create the case. Try again.',
} as const

/** The ids of the inputs an error can point at. */
type FieldId = 'case-type' | 'case-type-other' | 'summary'

export interface NewCaseValues {
  /** One of COMMON_CASE_TYPES, `other`, or '' when nothing is chosen. */
  type: string
  otherType: string
  summary: string
}

export interface FormError {
  /** Absent for problems that are not about one input. */
  field?: FieldId
  message: string
}

/** The errors for `values`, in the order the inputs appear. */
export function validateNewCase(values: NewCaseValues): FormError[] {
  const errors: FormError[] = []
  if (values.type === '') errors.push({ field: 'case-type', message: NEW_CASE_MESSAGES.typeMissing })
  else if (values.type === OTHER && values.otherType.trim() === '') {
    errors.push({ field: 'case-type-other', message: NEW_CASE_MESSAGES.otherTypeMissing })
  }
  if (values.summary.trim() === '') errors.push({ field: 'summary', message: NEW_CASE_MESSAGES.summaryMissing })
  return errors
}

export function chosenCaseType(values: NewCaseValues): string {
  return values.type === OTHER ? values.otherType.trim() : values.type
}

/** Which input a rejection from Rust belongs to; Rust names fields as they are stored. */
export function fieldForRejection(field: string | undefined, values: NewCaseValues): FieldId | undefined {
  if (field === 'summary') return 'summary'
  if (field === 'case_type' || field === 'caseType') return values.type === OTHER ? 'case-type-other' : 'case-type'
  return undefined
}

function errorFor(errors: readonly FormError[], field: FieldId): string | undefined {
  return errors.find((e) => e.field === field)?.message
}

/**
 * The case type radios. "Another type" reveals a text box right after it.
 * GOV.UK Frontend's Radios script would do the revealing, but it marks the
 * radio aria-expanded, which is not allowed on a radio; the page toggles
 * the box itself, and screen readers meet it next in reading order.
 */
function caseTypeRadios(values: NewCaseValues, errors: readonly FormError[]): SafeHtml {
  const error = errorFor(errors, 'case-type')
  const otherError = errorFor(errors, 'case-type-other')
  const radio = (value: string, label: string, index: number) => html`
    <div class="govuk-radios__item">
      <input class="govuk-radios__input" id="${index === 0 ? 'case-type' : `case-type-${index + 1}`}" name="case-type" type="radio"
        value="${value}"${values.type === value ? html` checked` : ''}>
      <label class="govuk-label govuk-radios__label" for="${index === 0 ? 'case-type' : `case-type-${index + 1}`}">${label}</label>
    </div>`
  return html`
    <div class="govuk-form-group${error === undefined ? '' : ' govuk-form-group--error'}">
      <fieldset class="govuk-fieldset"${error === undefined ? '' : html` aria-describedby="case-type-error"`}>
        <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">What type of case is it?</legend>
        ${error !== undefined &&
        html`<p id="case-type-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> ${error}</p>`}
        <div class="govuk-radios">
          ${COMMON_CASE_TYPES.map((type, index) => radio(type, type, index))}
          <div class="govuk-radios__divider">or</div>
          ${radio(OTHER, 'Another type', COMMON_CASE_TYPES.length)}
          <div class="govuk-radios__conditional${values.type === OTHER ? '' : ' govuk-radios__conditional--hidden'}" id="conditional-case-type-other">
            ${textInput({
              id: 'case-type-other',
              label: 'Type of case',
              autocomplete: 'off',
              widthClass: 'govuk-!-width-two-thirds',
              value: values.otherType,
              ...(otherError === undefined ? {} : { error: otherError }),
            })}
          </div>
        </div>
      </fieldset>
    </div>`
}

function formMarkup(values: NewCaseValues, errors: readonly FormError[]): SafeHtml {
  const summaryError = errorFor(errors, 'summary')
  return html`
    <form novalidate data-new-case>
      ${caseTypeRadios(values, errors)}
      ${textareaField({
        id: 'summary',
        label: 'Summary',
        labelClasses: 'govuk-label--m',
        hint: 'What the case is about, in a sentence or two. For example, damp and mould in the children’s bedroom.',
        value: values.summary,
        rows: 4,
        error: summaryError,
      })}
      <div class="govuk-button-group">
        <button type="submit" class="govuk-button" data-module="govuk-button">Create case</button>
        <a class="govuk-link" href="#/cases">Cancel</a>
      </div>
    </form>`
}

function readValues(form: HTMLFormElement): NewCaseValues {
  const checked = form.querySelector<HTMLInputElement>('input[name="case-type"]:checked')
  return {
    type: checked?.value ?? '',
    otherType: form.querySelector<HTMLInputElement>('#case-type-other')?.value ?? '',
    summary: form.querySelector<HTMLTextAreaElement>('#summary')?.value ?? '',
  }
}

function show(slots: { errors: HTMLElement; form: HTMLElement }, ctx: ViewContext, values: NewCaseValues, errors: FormError[]): void {
  renderInto(slots.form, formMarkup(values, errors))
  const items: ErrorSummaryItem[] = errors.map((e) => (e.field === undefined ? { text: e.message } : { text: e.message, fieldId: e.field }))
  renderInto(slots.errors, items.length === 0 ? html`` : errorSummary(items))
  ctx.setTitle(newCaseView.title, { error: errors.length > 0 })
  // Starting the error summary moves focus to it, so the problems are read first.
  ctx.initComponents(slots.form)
  ctx.initComponents(slots.errors)
}

export const newCaseView: View = {
  title: 'Create a new case',
  render(container, ctx) {
    renderInto(
      container,
      html`
        <div class="govuk-grid-row">
          <div class="govuk-grid-column-two-thirds">
            <div data-errors></div>
            ${pageHeading('Create a new case')}
            <div data-form>${formMarkup({ type: '', otherType: '', summary: '' }, [])}</div>
          </div>
        </div>`,
    )
    const slots = {
      errors: container.querySelector<HTMLElement>('[data-errors]')!,
      form: container.querySelector<HTMLElement>('[data-form]')!,
    }
    let pending = false

    container.addEventListener('change', (event) => {
      const target = event.target
      if (!(target instanceof HTMLInputElement) || target.name !== 'case-type') return
      container.querySelector('#conditional-case-type-other')?.classList.toggle('govuk-radios__conditional--hidden', target.value !== OTHER)
    })

    container.addEventListener('submit', (event) => {
      event.preventDefault()
      const form = event.target
      if (!(form instanceof HTMLFormElement) || pending) return
      const values = readValues(form)
      const errors = validateNewCase(values)
      if (errors.length > 0) {
        show(slots, ctx, values, errors)
        return
      }
      pending = true
      createCase(chosenCaseType(values), values.summary.trim())
        .then((caseId) => {
          // Only a hint to sync soon: the case is already saved on this laptop.
          changeSaved().catch(() => undefined)
          announce('Case created. It is saved on this laptop.')
          ctx.navigate(`/cases/${encodeURIComponent(caseId)}`)
        })
        .catch((error: unknown) => {
          if (handleLocked(error)) return
          const rejection = ipcErrorOf(error, NEW_CASE_MESSAGES.failed)
          const field = fieldForRejection(rejection.field, values)
          show(slots, ctx, values, [field === undefined ? { message: rejection.message } : { field, message: rejection.message }])
        })
        .finally(() => {
          pending = false
        })
    })
  },
}
