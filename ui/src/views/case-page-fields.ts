// The fields of a case and of the people on it, as the case page edits them,
// and the checks the page makes before asking Rust to save. Rust validates
// everything again (NHS and National Insurance numbers, postcodes, lengths);
// these checks only catch what a person can fix without a round trip.
import type { DateParts } from './govuk-form-markup'

export interface FieldProblem {
  text: string
  /** The id of the input to link to from the error summary; absent for page-level problems. */
  fieldId?: string
}

export type EditKind = 'text' | 'textarea' | 'date' | 'status'

export interface EditableField {
  /** The field's name in the case document (`due_date`, `nhs_number`). */
  name: string
  label: string
  kind: EditKind
  required: boolean
  /** What to say when a required field is left empty. */
  requiredMessage?: string
  hint?: string
  type?: 'text' | 'email' | 'tel'
  widthClass?: string
  inputmode?: 'numeric'
  /** Identifiers and names: no spelling checks or automatic capitals. */
  spellcheck?: false
  /** Whether the Add a person form asks for it. */
  askWhenAdding?: boolean
}

export const CASE_FIELDS: readonly EditableField[] = [
  { name: 'reference', label: 'Reference', kind: 'text', required: false },
  { name: 'case_type', label: 'Case type', kind: 'text', required: true, requiredMessage: 'Enter the case type', widthClass: 'govuk-!-width-two-thirds' },
  { name: 'status', label: 'Status', kind: 'status', required: true },
  { name: 'summary', label: 'Summary', kind: 'textarea', required: true, requiredMessage: 'Enter a summary of the case' },
  {
    name: 'assigned_to',
    label: 'Assigned to',
    kind: 'text',
    required: false,
    hint: 'Their Doorstep username',
    spellcheck: false,
    widthClass: 'govuk-!-width-two-thirds',
  },
  { name: 'team', label: 'Team', kind: 'text', required: false, widthClass: 'govuk-!-width-two-thirds' },
  { name: 'due_date', label: 'Due date', kind: 'date', required: false, hint: 'For example, 27 3 2027' },
]

export const PERSON_FIELDS: readonly EditableField[] = [
  {
    name: 'name',
    label: 'Full name',
    kind: 'text',
    required: true,
    requiredMessage: 'Enter the person’s full name',
    spellcheck: false,
    askWhenAdding: true,
  },
  { name: 'date_of_birth', label: 'Date of birth', kind: 'date', required: false, hint: 'For example, 27 3 1958', askWhenAdding: true },
  {
    name: 'nhs_number',
    label: 'NHS number',
    kind: 'text',
    required: false,
    hint: '10 digits, for example 943 476 5919',
    widthClass: 'govuk-input--width-10',
    inputmode: 'numeric',
    spellcheck: false,
    askWhenAdding: true,
  },
  {
    name: 'ni_number',
    label: 'National Insurance number',
    kind: 'text',
    required: false,
    hint: 'It’s on their National Insurance card, benefit letter, payslip or P60. For example, ‘QQ 12 34 56 C’',
    widthClass: 'govuk-input--width-10',
    spellcheck: false,
    askWhenAdding: true,
  },
  { name: 'address', label: 'Address', kind: 'textarea', required: false, askWhenAdding: true },
  { name: 'postcode', label: 'Postcode', kind: 'text', required: false, widthClass: 'govuk-input--width-10', spellcheck: false, askWhenAdding: true },
  { name: 'uprn', label: 'UPRN', kind: 'text', required: false, hint: 'Up to 12 digits', widthClass: 'govuk-input--width-20', inputmode: 'numeric', spellcheck: false },
  { name: 'phone', label: 'Phone', kind: 'text', type: 'tel', required: false, widthClass: 'govuk-input--width-20', askWhenAdding: true },
  { name: 'email', label: 'Email', kind: 'text', type: 'email', required: false, spellcheck: false, askWhenAdding: true },
  {
    name: 'relationship',
    label: 'Relationship to the case',
    kind: 'text',
    required: false,
    hint: 'For example, the person the case is about, daughter, carer or neighbour',
    askWhenAdding: true,
  },
]

/** `nhs_number` → `nhs-number`, for element ids. */
export const idPart = (name: string): string => name.replace(/_/g, '-')

/** The element an error link should point at: a date's day input, or the field itself. */
export function inputIdFor(id: string, field: EditableField | undefined): string {
  return field?.kind === 'date' ? `${id}-day` : id
}

/** `nhsNumber`, `nhs_number` or `people.01J….nhs_number` → `nhs_number`. */
export function fieldNameFromRust(field: string): string {
  const last = field.split('.').at(-1) ?? field
  return last.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

export function readText(form: HTMLFormElement, id: string): string {
  const element = form.elements.namedItem(id)
  return element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement ? element.value : ''
}

/** The value of the checked radio in the group named `name`, if any. */
export function readChoice(form: HTMLFormElement, name: string): string | null {
  const checked = form.querySelector<HTMLInputElement>(`input[type="radio"][name="${CSS.escape(name)}"]:checked`)
  return checked?.value ?? null
}

export function readDateParts(form: HTMLFormElement, id: string): DateParts {
  return {
    day: readText(form, `${id}-day`).trim(),
    month: readText(form, `${id}-month`).trim(),
    year: readText(form, `${id}-year`).trim(),
  }
}

/** `2026-03-01` → the three boxes of a GOV.UK date input. */
export function datePartsOf(isoDate: string | null): DateParts {
  const match = isoDate === null ? null : /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate)
  return match ? { day: String(Number(match[3])), month: String(Number(match[2])), year: match[1]! } : { day: '', month: '', year: '' }
}

export type DateReading = { kind: 'empty' } | { kind: 'date'; isoDate: string } | { kind: 'invalid'; message: string }

/**
 * Checks a GOV.UK date input and gives `YYYY-MM-DD`, with the GOV.UK
 * messages for missing or impossible parts.
 */
export function readDate(parts: DateParts, label: string): DateReading {
  const names = (['day', 'month', 'year'] as const).filter((name) => parts[name] === '')
  if (names.length === 3) return { kind: 'empty' }
  if (names.length > 0) {
    const missing = names.length === 1 ? `a ${names[0]}` : `a ${names[0]} and ${names[1]}`
    return { kind: 'invalid', message: `${label} must include ${missing}` }
  }
  if (!/^\d{1,2}$/.test(parts.day) || !/^\d{1,2}$/.test(parts.month) || !/^\d+$/.test(parts.year)) {
    return { kind: 'invalid', message: `${label} must be a real date` }
  }
  if (parts.year.length !== 4) return { kind: 'invalid', message: 'Year must include 4 numbers' }
  const [day, month, year] = [Number(parts.day), Number(parts.month), Number(parts.year)]
  const date = new Date(Date.UTC(year, month - 1, day))
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return { kind: 'invalid', message: `${label} must be a real date` }
  }
  return { kind: 'date', isoDate: `${parts.year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` }
}

export function requiredMessage(field: EditableField): string {
  return field.requiredMessage ?? `Enter the ${field.label.toLowerCase()}`
}
