// A team lead's "Reassign this case" on the case page: who the case can go
// to, the checks made before saving `assigned_to`, and the confirmation.
//
// The people offered are those with cases on the lead's laptop, from
// `team_caseload`; anyone else is typed under "Someone else". Only the
// server decides who may reassign (it refuses a caseworker's change on
// sync), so this only shapes what the window offers a lead.
import { html, type SafeHtml } from '../html'
import type { WorkerCaseload } from '../ipc'
import { plural } from '../time-format'
import { readChoice, readText, type FieldProblem } from './case-page-fields'
import { inputField } from './govuk-form-markup'

export const REASSIGN_SECTION = { id: 'case-reassign', title: 'Reassign this case' } as const

/** The list of people (the first radio, or the select), which error links point at. */
export const REASSIGN_TO_ID = 'reassign-to'
/** The name typed for someone not in the list. */
export const REASSIGN_OTHER_ID = 'reassign-other'
/** The success banner; focus goes there once the change is saved. */
export const REASSIGN_SAVED_ID = 'reassign-saved'
/** The value of the "Someone else" choice. */
export const REASSIGN_SOMEONE_ELSE = '__someone_else__'
/** GOV.UK suggests a select over radios when there are many options: past this many people, the list is a select. */
export const MOST_RADIOS = 8

export const CHOOSE_PERSON_MESSAGE = 'Select who to assign the case to'
export const ENTER_NAME_MESSAGE = 'Enter the username of the person to assign the case to'
export const alreadyAssignedMessage = (name: string): string => `The case is already assigned to ${name}`

export interface Colleague {
  name: string
  openCases: number
}

/** Who a lead can hand the case to. `listed` is false when Rust could not give the list, and the lead types a name. */
export interface ReassignChoices {
  people: readonly Colleague[]
  listed: boolean
}

export const UNLISTED: ReassignChoices = { people: [], listed: false }

/** Everyone with cases on this laptop, in `team_caseload`'s order; its "not assigned" row is nobody to hand a case to. */
export function reassignChoicesFrom(workers: readonly WorkerCaseload[]): ReassignChoices {
  const people = workers
    .filter((w): w is WorkerCaseload & { worker: string } => w.worker !== null && w.worker.trim() !== '')
    .map((w) => ({ name: w.worker, openCases: w.openCases }))
  return { people, listed: true }
}

/** A reassignment just saved, for the confirmation. */
export interface Reassignment {
  to: string
  /** Who had the case; null when it was assigned to nobody. */
  from: string | null
}

/** As the server's access rules compare names (`name_key`): trimmed, in any case. */
export function sameName(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.trim().toLowerCase() === b.trim().toLowerCase()
}

export type ReassignReading = { problems: FieldProblem[] } | { name: string; inputId: string }

/** What the lead chose, or what stops it being saved; `current` is who has the case now. */
export function readReassignment(form: HTMLFormElement, current: string | null): ReassignReading {
  const list = form.elements.namedItem(REASSIGN_TO_ID)
  const choice = list === null ? REASSIGN_SOMEONE_ELSE : list instanceof HTMLSelectElement ? list.value : readChoice(form, REASSIGN_TO_ID)
  if (choice === null || choice === '') return { problems: [{ text: CHOOSE_PERSON_MESSAGE, fieldId: REASSIGN_TO_ID }] }
  const typed = choice === REASSIGN_SOMEONE_ELSE
  const name = typed ? readText(form, REASSIGN_OTHER_ID).trim() : choice
  const inputId = typed ? REASSIGN_OTHER_ID : REASSIGN_TO_ID
  if (name === '') return { problems: [{ text: ENTER_NAME_MESSAGE, fieldId: REASSIGN_OTHER_ID }] }
  if (current !== null && sameName(name, current)) return { problems: [{ text: alreadyAssignedMessage(current), fieldId: inputId }] }
  return { name, inputId }
}

// ---------------------------------------------------------------------------
// Markup
// ---------------------------------------------------------------------------

export interface ReassignModel {
  choices: ReassignChoices
  /** Who has the case now. */
  current: string | null
  problems: readonly FieldProblem[]
}

const LEGEND = 'Who should the case be assigned to?'
const LIST_HINT = 'Everyone with cases on this laptop, and how many open cases each has.'
const USERNAME_HINT = 'Their Doorstep username, for example jo.bloggs'

function problemFor(model: ReassignModel, fieldId: string): string | undefined {
  return model.problems.find((p) => p.fieldId === fieldId)?.text
}

function errorMessage(id: string, message: string | undefined): SafeHtml {
  return html`${message !== undefined &&
  html`<p id="${id}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> ${message}</p>`}`
}

function otherNameField(model: ReassignModel, label: string, labelClasses?: string): SafeHtml {
  return inputField({
    id: REASSIGN_OTHER_ID,
    label,
    labelClasses,
    hint: USERNAME_HINT,
    error: problemFor(model, REASSIGN_OTHER_ID),
    spellcheck: false,
    widthClass: 'govuk-!-width-two-thirds',
  })
}

/**
 * GOV.UK radios with the hint under each name, and "Someone else" revealing
 * the name box as GOV.UK's conditional reveal does (case-page.ts reveals it:
 * pages do not start the GOV.UK Radios script).
 */
function radios(model: ReassignModel): SafeHtml {
  const error = problemFor(model, REASSIGN_TO_ID)
  const people = model.choices.people
  const otherId = `${REASSIGN_TO_ID}-${people.length + 1}`
  return html`
    <div class="govuk-form-group${error === undefined ? '' : ' govuk-form-group--error'}">
      <fieldset class="govuk-fieldset" aria-describedby="${REASSIGN_TO_ID}-hint${error === undefined ? '' : ` ${REASSIGN_TO_ID}-error`}">
        <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">${LEGEND}</legend>
        <div id="${REASSIGN_TO_ID}-hint" class="govuk-hint">${LIST_HINT}</div>
        ${errorMessage(REASSIGN_TO_ID, error)}
        <div class="govuk-radios govuk-radios--small" data-module="govuk-radios">
          ${people.map((person, index) => {
            const id = index === 0 ? REASSIGN_TO_ID : `${REASSIGN_TO_ID}-${index + 1}`
            const current = sameName(person.name, model.current)
            return html`
              <div class="govuk-radios__item">
                <input class="govuk-radios__input" id="${id}" name="${REASSIGN_TO_ID}" type="radio" value="${person.name}"${current ? html` checked` : html``}
                  aria-describedby="${id}-item-hint">
                <label class="govuk-label govuk-radios__label" for="${id}">${person.name}${current && ' (assigned now)'}</label>
                <div id="${id}-item-hint" class="govuk-hint govuk-radios__hint">${plural(person.openCases, 'open case')}</div>
              </div>`
          })}
          <div class="govuk-radios__divider">or</div>
          <div class="govuk-radios__item">
            <input class="govuk-radios__input" id="${otherId}" name="${REASSIGN_TO_ID}" type="radio" value="${REASSIGN_SOMEONE_ELSE}"
              aria-describedby="${otherId}-item-hint" data-aria-controls="${otherId}-conditional">
            <label class="govuk-label govuk-radios__label" for="${otherId}">Someone else</label>
            <div id="${otherId}-item-hint" class="govuk-hint govuk-radios__hint">Someone with no cases on this laptop yet.</div>
          </div>
          <div class="govuk-radios__conditional govuk-radios__conditional--hidden" id="${otherId}-conditional">
            ${otherNameField(model, 'Their username')}
          </div>
        </div>
      </fieldset>
    </div>`
}

/** A long team as a GOV.UK select, with the name box under it (a select has no conditional reveal). */
function select(model: ReassignModel): SafeHtml {
  const error = problemFor(model, REASSIGN_TO_ID)
  const anyoneCurrent = model.choices.people.some((person) => sameName(person.name, model.current))
  return html`
    <div class="govuk-form-group${error === undefined ? '' : ' govuk-form-group--error'}">
      <label class="govuk-label govuk-label--s" for="${REASSIGN_TO_ID}">${LEGEND}</label>
      <div id="${REASSIGN_TO_ID}-hint" class="govuk-hint">${LIST_HINT} For anyone else, choose Someone else and type their username.</div>
      ${errorMessage(REASSIGN_TO_ID, error)}
      <select class="govuk-select${error === undefined ? '' : ' govuk-select--error'}" id="${REASSIGN_TO_ID}" name="${REASSIGN_TO_ID}"
        aria-describedby="${REASSIGN_TO_ID}-hint${error === undefined ? '' : ` ${REASSIGN_TO_ID}-error`}">
        ${!anyoneCurrent && html`<option value="" selected>Choose a person</option>`}
        ${model.choices.people.map((person) => {
          const current = sameName(person.name, model.current)
          return html`<option value="${person.name}"${current ? html` selected` : html``}>${person.name}: ${plural(person.openCases, 'open case')}${current && ' (assigned now)'}</option>`
        })}
        <option value="${REASSIGN_SOMEONE_ELSE}">Someone else</option>
      </select>
    </div>
    ${otherNameField(model, 'If someone else, their username')}`
}

export function reassignForm(model: ReassignModel): SafeHtml {
  const { people, listed } = model.choices
  const choice =
    people.length === 0
      ? html`
        ${!listed && html`<p class="govuk-body">Doorstep could not list the people in your team, so type the username of the person to assign the case to.</p>`}
        ${otherNameField(model, LEGEND, 'govuk-label--s')}`
      : people.length > MOST_RADIOS
        ? select(model)
        : radios(model)
  return html`
    <p class="govuk-body">${model.current === null ? 'The case is not assigned to anyone now.' : html`The case is assigned to <strong>${model.current}</strong> now.`}
      Reassign it when someone else should work on it.</p>
    <form class="doorstep-inline-form" data-form="reassign" novalidate>
      ${choice}
      <div class="govuk-button-group">
        <button type="submit" class="govuk-button" data-module="govuk-button">Reassign case</button>
      </div>
    </form>`
}

/** What the confirmation says: the case leaves the old worker's laptop only once their unsent work is safe. */
export function reassignedText(change: Reassignment): { heading: string; body: string } {
  return {
    heading: `Reassigned to ${change.to}.`,
    body:
      change.from === null
        ? `The case reaches ${change.to}’s laptop after this change reaches the server.`
        : `The case leaves ${change.from}’s laptop after anything they have not sent yet reaches the server.`,
  }
}

export function reassignSavedBanner(change: Reassignment | null): SafeHtml {
  if (change === null) return html``
  const { heading, body } = reassignedText(change)
  // A region that takes focus, like the review's confirmation: read once, not also as an alert.
  return html`
    <div class="govuk-notification-banner govuk-notification-banner--success" role="region" aria-labelledby="${REASSIGN_SAVED_ID}-title"
      id="${REASSIGN_SAVED_ID}" tabindex="-1">
      <div class="govuk-notification-banner__header">
        <h2 class="govuk-notification-banner__title" id="${REASSIGN_SAVED_ID}-title">Success</h2>
      </div>
      <div class="govuk-notification-banner__content">
        <p class="govuk-notification-banner__heading">${heading}</p>
        <p class="govuk-body">${body}</p>
      </div>
    </div>`
}
