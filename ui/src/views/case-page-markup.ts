// The case page's markup, as pure functions of what Rust sent and what the
// person is doing. case-page.ts owns the state and the events.
import { html, type SafeHtml } from '../html'
import type {
  AttachmentMeta,
  CasePage,
  CaseSync,
  CaseView,
  FieldConflict,
  ItemView,
  Millis,
  NoteView,
  ReviewDecision,
  ReviewView,
} from '../ipc'
import {
  CASE_FIELDS,
  PERSON_FIELDS,
  datePartsOf,
  idPart,
  inputIdFor,
  type EditableField,
  type FieldProblem,
} from './case-page-fields'
import { formatBytes, plural } from '../time-format'
import { STATUS_LABELS } from './case-labels'
import {
  NEXT_STATUSES,
  formatDate,
  formatInstant,
  formatNhsNumber,
  formatNiNumber,
  isCaseStatus,
  isoInstant,
  itemFlag,
  itemText,
  textOf,
  toDateTimeLocal,
} from './case-page-format'
import { ACCESS_SECTION, accessSectionMarkup, type AccessRecordState } from './case-page-access'
import { attachmentPreviewKey, signaturePreviewKey, type PreviewState } from './case-page-previews'
import {
  REASSIGN_SECTION,
  reassignForm,
  reassignSavedBanner,
  type ReassignChoices,
  type Reassignment,
} from './case-page-reassign'
import { errorSummary } from './govuk-markup'
import {
  dateField,
  inputField,
  radiosField,
  summaryCard,
  summaryRows,
  tag,
  textareaField,
  warningText,
  type SummaryRow,
} from './govuk-form-markup'

/** The form or confirmation open on the page, if any. At most one is open at a time. */
export type Panel =
  | { kind: 'change-field'; path: string }
  | { kind: 'add-person' }
  | { kind: 'record-consent' }
  | { kind: 'correct-note'; noteId: string }
  | { kind: 'check-in'; visitId: string }
  | { kind: 'check-out'; visitId: string }
  | { kind: 'confirm-submit' }

export interface CasePageModel {
  page: CasePage
  panel: Panel | null
  /** Problems with the form last submitted, for the error summary and the fields. */
  problems: readonly FieldProblem[]
  /** True when leaving the page was stopped because the narrative is not saved. */
  leaveBlocked: boolean
  /** Pictures the person asked to see (attachment previews, drawn signatures). */
  previews: { get(key: string): PreviewState | undefined }
  now: Date
  /** The person is a team lead, so a case awaiting review gets the decision form. */
  teamLead: boolean
  /** The decision just saved, for the success banner; null otherwise. */
  reviewSaved: ReviewDecision | null
  /** For a team lead, who the case can be handed to; null for anyone else, who is offered no Reassign. */
  reassign: ReassignChoices | null
  /** The reassignment just saved, for the success banner; null otherwise. */
  reassignSaved: Reassignment | null
  /** For a team lead, the server's access record as far as it has been asked for; null for anyone else. Absent: null. */
  accessRecord?: AccessRecordState | null
}

const LONE_WORKING_MESSAGE =
  'Doorstep cannot raise an alarm while this laptop is offline. Follow your council’s lone working procedure: for example, phone your buddy to say where you are and when you expect to finish.'

/** The team lead's decision form: first in the contents, when it is shown. */
const DECISION_SECTION = { id: 'case-decision', title: 'Review this case' } as const

/** The ids of the sections, for the contents list and for moving focus. */
const SECTIONS = [
  { id: 'case-details', title: 'Case details' },
  { id: 'case-people', title: 'People' },
  { id: 'case-visits', title: 'Visits' },
  { id: 'case-tasks', title: 'Tasks' },
  { id: 'case-notes', title: 'Notes' },
  { id: 'case-narrative', title: 'Assessment narrative' },
  { id: 'case-consent', title: 'Consent' },
  { id: 'case-attachments', title: 'Attachments' },
  { id: 'case-timeline', title: 'Timeline' },
  { id: 'case-review', title: 'Review' },
] as const

// ---------------------------------------------------------------------------
// Small pieces
// ---------------------------------------------------------------------------

function problemFor(model: CasePageModel, fieldId: string): string | undefined {
  return model.problems.find((p) => p.fieldId === fieldId)?.text
}

function dataAttributes(data: Readonly<Record<string, string>>): SafeHtml[] {
  return Object.entries(data).map(([name, value]) => html` data-${name}="${value}"`)
}

interface ActionButtonOptions {
  id: string
  action: string
  text: string
  /** Said by screen readers after `text`, so that "Change" says what it changes. */
  hiddenText?: string | undefined
  data?: Readonly<Record<string, string>>
  look?: 'link' | 'primary' | 'secondary' | 'warning'
  expanded?: boolean
}

function actionButton(o: ActionButtonOptions): SafeHtml {
  const classes = {
    link: 'govuk-link doorstep-link-button',
    primary: 'govuk-button',
    secondary: 'govuk-button govuk-button--secondary',
    warning: 'govuk-button govuk-button--warning',
  }[o.look ?? 'link']
  return html`<button type="button" class="${classes}" id="${o.id}" data-action="${o.action}"${dataAttributes(o.data ?? {})}${o.expanded === undefined ? html`` : html` aria-expanded="${String(o.expanded)}"`}>${o.text}${o.hiddenText !== undefined && html`<span class="govuk-visually-hidden">${/^[:,]/.test(o.hiddenText) ? '' : ' '}${o.hiddenText}</span>`}</button>`
}

function formButtons(submitText: string, withCancel = true): SafeHtml {
  return html`
    <div class="govuk-button-group">
      <button type="submit" class="govuk-button" data-module="govuk-button">${submitText}</button>
      ${withCancel && html`<button type="button" class="govuk-button govuk-button--secondary" data-action="cancel">Cancel</button>`}
    </div>`
}

function byAndWhen(who: string, at: Millis | string): SafeHtml {
  return html`${who}, <time datetime="${isoInstant(at)}">${formatInstant(at)}</time>`
}

function multiline(text: string): SafeHtml {
  return html`<p class="govuk-body doorstep-multiline">${text}</p>`
}

function notSet(text = 'Not set'): SafeHtml {
  return html`<span class="doorstep-not-set">${text}</span>`
}

// ---------------------------------------------------------------------------
// Top of the page: risks, heading, sync, conflicts
// ---------------------------------------------------------------------------

export function activeRisks(view: CaseView): string[] {
  return view.risks
    .filter((risk) => itemFlag(risk, 'active'))
    .map((risk) => itemText(risk, 'text'))
    .filter((text): text is string => text !== null)
}

function riskBanner(risks: readonly string[]): SafeHtml {
  if (risks.length === 0) return html``
  // A region, not an alert: the page moves focus here when it opens, so the
  // warnings are read first without interrupting anything else.
  return html`
    <div class="govuk-notification-banner doorstep-risk-banner" role="region" aria-labelledby="case-risks-title" id="case-risks" tabindex="-1">
      <div class="govuk-notification-banner__header">
        <h2 class="govuk-notification-banner__title" id="case-risks-title">${risks.length === 1 ? 'Risk warning' : `Risk warnings (${risks.length})`}</h2>
      </div>
      <div class="govuk-notification-banner__content">
        <ul class="govuk-list doorstep-risk-list">
          ${risks.map((risk) => html`<li>${warningText(risk, 'Risk:')}</li>`)}
        </ul>
      </div>
    </div>`
}

function syncBadge(sync: CaseSync): SafeHtml {
  switch (sync.state) {
    case 'synced':
      return html`
        <p class="govuk-body doorstep-case-sync"><span class="govuk-visually-hidden">Sync status: </span>${tag('Synced', 'green')}
          <span class="doorstep-case-sync__detail">The council’s server has every change made on this laptop.</span></p>`
    case 'unsynced':
      return html`
        <p class="govuk-body doorstep-case-sync"><span class="govuk-visually-hidden">Sync status: </span>${tag(`Not sent yet (${plural(sync.unsyncedChanges, 'change')})`, 'yellow')}
          <span class="doorstep-case-sync__detail">Saved on this laptop. Doorstep sends changes when it can reach the server.</span></p>`
    case 'refused':
      return html`
        <div class="doorstep-case-sync">
          <p class="govuk-body"><span class="govuk-visually-hidden">Sync status: </span>${tag('Refused by the server', 'red')}</p>
          <p class="govuk-body">The server said: ${sync.refusedReason ?? 'no reason was given'}.</p>
          <p class="govuk-body">Your changes are kept on this laptop. See the <a class="govuk-link" href="#/outbox">outbox</a> for what is waiting.</p>
        </div>`
  }
}

/** `summary` → "Summary"; `people.<id>.phone` → "Phone (Jo Bloggs)". */
function conflictLabel(view: CaseView, path: string): string {
  const parts = path.split('.')
  if (parts.length === 1) return CASE_FIELDS.find((f) => f.name === path)?.label ?? path
  const [collection, itemId, field] = parts as [string, string, string]
  const collections: Record<string, { items: ItemView[]; noun: string; title: string }> = {
    people: { items: view.people, noun: 'person', title: 'name' },
    visits: { items: view.visits, noun: 'visit', title: 'planned_at' },
    tasks: { items: view.tasks, noun: 'task', title: 'title' },
    consents: { items: view.consents, noun: 'consent record', title: 'person' },
    risks: { items: view.risks, noun: 'risk warning', title: 'text' },
  }
  const known = collections[collection]
  const fieldLabel = (collection === 'people' ? PERSON_FIELDS.find((f) => f.name === field)?.label : undefined) ?? field.replace(/_/g, ' ')
  const item = known?.items.find((i) => i.id === itemId)
  const itemName = item ? itemText(item, known!.title) : null
  const owner = itemName === null ? known?.noun ?? collection : collection === 'visits' ? `visit on ${formatInstant(itemName)}` : itemName
  return `${fieldLabel.charAt(0).toUpperCase()}${fieldLabel.slice(1)} (${owner})`
}

function conflictBanner(view: CaseView): SafeHtml {
  if (view.conflicts.length === 0) return html``
  const count = view.conflicts.length
  return html`
    <div class="govuk-notification-banner" role="region" aria-labelledby="case-conflicts-title">
      <div class="govuk-notification-banner__header">
        <h2 class="govuk-notification-banner__title" id="case-conflicts-title">Conflicting changes</h2>
      </div>
      <div class="govuk-notification-banner__content">
        <p class="govuk-notification-banner__heading">${count === 1 ? '1 detail was' : `${count} details were`} changed in two places at once</p>
        <p class="govuk-body">Doorstep kept every version until someone chooses which is right:</p>
        <ul class="govuk-list govuk-list--bullet">
          ${view.conflicts.map((c: FieldConflict) => html`<li>${conflictLabel(view, c.path)}: ${plural(c.values.length, 'version')}</li>`)}
        </ul>
        <p class="govuk-body"><a class="govuk-notification-banner__link" href="#/conflicts">Resolve conflicts</a></p>
      </div>
    </div>`
}

function leaveWarning(): SafeHtml {
  return html`
    <div class="govuk-notification-banner doorstep-leave-warning" role="alert" aria-labelledby="leave-warning-title" id="leave-warning" tabindex="-1">
      <div class="govuk-notification-banner__header">
        <h2 class="govuk-notification-banner__title" id="leave-warning-title">Unsaved changes</h2>
      </div>
      <div class="govuk-notification-banner__content">
        <p class="govuk-notification-banner__heading">You have not saved your changes to the assessment narrative.</p>
        <div class="govuk-button-group">
          <button type="submit" form="narrative-form" class="govuk-button" data-continue="yes">Save narrative and continue</button>
          <button type="button" class="govuk-button govuk-button--warning" data-action="discard-and-leave">Leave without saving</button>
        </div>
      </div>
    </div>`
}

function jumpLink(id: string, text: string, classes = 'govuk-link'): SafeHtml {
  return html`<a class="${classes}" href="#${id}" data-action="jump" data-section="${id}">${text}</a>`
}

function contents(sections: readonly { id: string; title: string }[]): SafeHtml {
  return html`
    <nav class="doorstep-case-contents" aria-labelledby="case-contents-title">
      <h2 class="govuk-heading-s" id="case-contents-title">On this page</h2>
      <ul class="govuk-list doorstep-case-contents__list">
        ${sections.map((s) => html`<li>${jumpLink(s.id, s.title)}</li>`)}
      </ul>
    </nav>`
}

function section(id: string, title: string, content: SafeHtml): SafeHtml {
  return html`
    <section class="doorstep-case-section" aria-labelledby="${id}">
      <h2 class="govuk-heading-m" id="${id}" tabindex="-1">${title}</h2>
      ${content}
    </section>`
}

// ---------------------------------------------------------------------------
// Editing one field (case details and people)
// ---------------------------------------------------------------------------

/** The field a path names: `summary` or `people.<id>.phone`. */
export function editableField(path: string): EditableField | undefined {
  const parts = path.split('.')
  if (parts.length === 1) return CASE_FIELDS.find((f) => f.name === path)
  if (parts.length === 3 && parts[0] === 'people') return PERSON_FIELDS.find((f) => f.name === parts[2])
  return undefined
}

function currentValue(view: CaseView, path: string): string | null {
  const parts = path.split('.')
  if (parts.length === 1) return textOf(view.fields[path])
  const person = view.people.find((p) => p.id === parts[1])
  return person ? itemText(person, parts[2]!) : null
}

/** The id of the input in the Change form, which error links point at. */
export const CHANGE_INPUT_ID = 'change-value'

function fieldControl(
  field: EditableField,
  id: string,
  value: string | null,
  error: string | undefined,
  labelClasses = 'govuk-label--s',
  statusChoices: readonly string[] = [],
): SafeHtml {
  const label = field.required ? field.label : `${field.label} (optional)`
  switch (field.kind) {
    case 'date':
      return dateField({ id, legend: label, hint: field.hint, error, value: datePartsOf(value) })
    case 'textarea':
      return textareaField({ id, label, labelClasses, hint: field.hint, error, value: value ?? '', rows: 3 })
    case 'status':
      return radiosField({
        id,
        legend: field.label,
        error,
        checked: value,
        items: statusChoices.filter(isCaseStatus).map((status) => ({ value: status, text: STATUS_LABELS[status] })),
      })
    case 'text':
      return inputField({
        id,
        label,
        labelClasses,
        hint: field.hint,
        error,
        value: value ?? '',
        type: field.type,
        widthClass: field.widthClass,
        inputmode: field.inputmode,
        spellcheck: field.spellcheck,
      })
  }
}

function changeForm(model: CasePageModel, path: string, ownerName?: string): SafeHtml {
  const field = editableField(path)
  if (field === undefined) return html``
  const value = currentValue(model.page.case, path)
  const status = textOf(model.page.case.fields['status'])
  const choices = isCaseStatus(status) ? [status, ...NEXT_STATUSES[status]] : []
  const heading = ownerName === undefined ? `Change ${field.label.toLowerCase()}` : `Change ${field.label.toLowerCase()} for ${ownerName}`
  return html`
    <form class="doorstep-panel" data-panel data-form="change-field" data-path="${path}" novalidate>
      <h3 class="govuk-heading-s">${heading}</h3>
      ${fieldControl(field, CHANGE_INPUT_ID, value, problemFor(model, inputIdFor(CHANGE_INPUT_ID, field)), 'govuk-label--s', choices)}
      ${formButtons(`Save ${field.label.toLowerCase()}`)}
    </form>`
}

export function changeButtonId(path: string): string {
  return `change-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`
}

function changeButton(path: string, label: string, owner?: string): SafeHtml {
  return actionButton({
    id: changeButtonId(path),
    action: 'change-field',
    data: { path },
    text: 'Change',
    hiddenText: owner === undefined ? label.toLowerCase() : `${label.toLowerCase()} for ${owner}`,
  })
}

// ---------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------

function caseDetails(model: CasePageModel): SafeHtml {
  const view = model.page.case
  if (model.panel?.kind === 'change-field' && !model.panel.path.includes('.')) {
    return changeForm(model, model.panel.path)
  }
  const rows: SummaryRow[] = CASE_FIELDS.map((field) => {
    const value = textOf(view.fields[field.name])
    let shown: SafeHtml | string
    if (field.name === 'reference') {
      shown = value ?? notSet('Not given yet. The council’s server gives one when the case first syncs.')
    } else if (field.name === 'status') {
      shown = isCaseStatus(value) ? STATUS_LABELS[value] : value ?? notSet()
    } else if (field.kind === 'date') {
      shown = value === null ? notSet() : formatDate(value)
    } else {
      shown = value === null ? notSet() : html`<span class="doorstep-multiline">${value}</span>`
    }
    // The reference is issued by the server and cannot be typed in; a lead
    // reassigns with the list of their team rather than by typing.
    const action =
      field.name === 'reference'
        ? undefined
        : field.name === 'assigned_to' && model.reassign !== null
          ? reassignLink()
          : changeButton(field.name, field.label)
    return { key: field.label, value: shown, action }
  })
  return summaryRows(rows)
}

/** In the Assigned to row, for a lead: goes to Reassign this case. */
function reassignLink(): SafeHtml {
  return html`<a class="govuk-link" href="#${REASSIGN_SECTION.id}" data-action="jump" data-section="${REASSIGN_SECTION.id}">Reassign<span class="govuk-visually-hidden"> this case</span></a>`
}

function personValue(field: EditableField, value: string | null): SafeHtml | string {
  if (value === null) return notSet('Not recorded')
  switch (field.name) {
    case 'date_of_birth':
      return formatDate(value)
    case 'nhs_number':
      return formatNhsNumber(value)
    case 'ni_number':
      return formatNiNumber(value)
    default:
      return html`<span class="doorstep-multiline">${value}</span>`
  }
}

function personCard(model: CasePageModel, person: ItemView): SafeHtml {
  const name = itemText(person, 'name') ?? 'Name not recorded'
  const panel = model.panel
  const editing = panel?.kind === 'change-field' && panel.path.startsWith(`people.${person.id}.`) ? panel.path : null
  const content =
    editing !== null
      ? changeForm(model, editing, name)
      : summaryRows(
          PERSON_FIELDS.map((field) => ({
            key: field.label,
            value: personValue(field, itemText(person, field.name)),
            action: changeButton(`people.${person.id}.${field.name}`, field.label, name),
          })),
        )
  return summaryCard(name, `person-${person.id}`, content)
}

function addPersonForm(model: CasePageModel): SafeHtml {
  return html`
    <form class="doorstep-panel" data-panel data-form="add-person" novalidate>
      <h3 class="govuk-heading-s" id="add-person-heading" tabindex="-1">Add a person</h3>
      ${PERSON_FIELDS.filter((f) => f.askWhenAdding).map((field) => {
        const id = `person-${idPart(field.name)}`
        return fieldControl(field, id, null, problemFor(model, inputIdFor(id, field)))
      })}
      ${formButtons('Add person')}
    </form>`
}

function people(model: CasePageModel): SafeHtml {
  const list = model.page.case.people
  return html`
    ${list.length === 0 && html`<p class="govuk-body">No one has been added to this case yet.</p>`}
    ${list.map((person) => personCard(model, person))}
    ${model.panel?.kind === 'add-person'
      ? addPersonForm(model)
      : actionButton({ id: 'add-person-button', action: 'add-person', text: 'Add a person', look: 'secondary' })}`
}

type VisitState = 'planned' | 'checked-in' | 'checked-out'

function visitState(visit: ItemView): VisitState {
  if (itemText(visit, 'checked_out_at') !== null) return 'checked-out'
  if (itemText(visit, 'checked_in_at') !== null) return 'checked-in'
  return 'planned'
}

function visitCard(model: CasePageModel, visit: ItemView): SafeHtml {
  const planned = itemText(visit, 'planned_at')
  const checkedIn = itemText(visit, 'checked_in_at')
  const expectedEnd = itemText(visit, 'expected_end')
  const checkedOut = itemText(visit, 'checked_out_at')
  const outcome = itemText(visit, 'outcome')
  const state = visitState(visit)
  const overdue = state === 'checked-in' && expectedEnd !== null && new Date(expectedEnd).getTime() < model.now.getTime()
  const title = planned === null ? 'Visit' : `Visit on ${formatInstant(planned)}`
  const statusTag = {
    planned: tag('Planned', 'blue'),
    'checked-in': overdue ? tag('Checked in: overdue', 'red') : tag('Checked in', 'yellow'),
    'checked-out': tag('Checked out', 'green'),
  }[state]
  const rows: SummaryRow[] = [
    { key: 'Status', value: statusTag },
    { key: 'Planned for', value: planned === null ? notSet() : formatInstant(planned) },
  ]
  if (checkedIn !== null) rows.push({ key: 'Checked in', value: formatInstant(checkedIn) })
  if (expectedEnd !== null) rows.push({ key: 'Expected end', value: formatInstant(expectedEnd) })
  if (checkedOut !== null) rows.push({ key: 'Checked out', value: formatInstant(checkedOut) })
  if (outcome !== null) rows.push({ key: 'Outcome', value: html`<span class="doorstep-multiline">${outcome}</span>` })

  const panel = model.panel
  let actions: SafeHtml = html``
  if (panel?.kind === 'check-in' && panel.visitId === visit.id) {
    actions = html`
      <form class="doorstep-panel" data-panel data-form="check-in" data-visit="${visit.id}" novalidate>
        ${warningText(LONE_WORKING_MESSAGE)}
        ${inputField({
          id: 'check-in-expected-end',
          label: 'When do you expect the visit to end?',
          labelClasses: 'govuk-label--s',
          hint: 'If you have not checked out by then, your team lead is alerted as soon as Doorstep or another device can reach the server.',
          error: problemFor(model, 'check-in-expected-end'),
          type: 'datetime-local',
          widthClass: 'govuk-input--width-20',
          value: toDateTimeLocal(new Date(model.now.getTime() + 60 * 60 * 1000)),
        })}
        ${formButtons('Check in')}
      </form>`
  } else if (panel?.kind === 'check-out' && panel.visitId === visit.id) {
    actions = html`
      <form class="doorstep-panel" data-panel data-form="check-out" data-visit="${visit.id}" novalidate>
        ${textareaField({
          id: 'check-out-outcome',
          label: 'Outcome of the visit',
          labelClasses: 'govuk-label--s',
          hint: 'What happened, and anything to follow up.',
          error: problemFor(model, 'check-out-outcome'),
          rows: 4,
        })}
        ${formButtons('Check out')}
      </form>`
  } else if (state === 'planned') {
    actions = actionButton({ id: `check-in-${visit.id}`, action: 'check-in', data: { visit: visit.id }, text: 'Check in', hiddenText: `to the ${title.toLowerCase()}`, look: 'secondary' })
  } else if (state === 'checked-in') {
    actions = html`
      ${warningText(LONE_WORKING_MESSAGE)}
      ${actionButton({ id: `check-out-${visit.id}`, action: 'check-out', data: { visit: visit.id }, text: 'Check out', hiddenText: `of the ${title.toLowerCase()}`, look: 'secondary' })}`
  }
  return summaryCard(title, `visit-${visit.id}`, html`${summaryRows(rows)}<div class="doorstep-card-actions">${actions}</div>`)
}

function plannedTime(visit: ItemView): number {
  const planned = itemText(visit, 'planned_at')
  return planned === null ? 0 : new Date(planned).getTime()
}

function visits(model: CasePageModel): SafeHtml {
  const list = [...model.page.case.visits].sort((a, b) => plannedTime(a) - plannedTime(b))
  return html`
    ${list.length === 0 && html`<p class="govuk-body">No visits are planned.</p>`}
    ${list.map((visit) => visitCard(model, visit))}
    <form class="doorstep-inline-form" data-form="plan-visit" novalidate>
      <h3 class="govuk-heading-s">Plan a visit</h3>
      ${inputField({
        id: 'visit-planned-at',
        label: 'Date and time of the visit',
        error: problemFor(model, 'visit-planned-at'),
        type: 'datetime-local',
        widthClass: 'govuk-input--width-20',
      })}
      ${formButtons('Plan visit', false)}
    </form>`
}

function tasks(model: CasePageModel): SafeHtml {
  const today = toDateTimeLocal(model.now).slice(0, 10)
  const list = model.page.case.tasks
  return html`
    ${list.length === 0
      ? html`<p class="govuk-body">There are no tasks on this case.</p>`
      : html`
        <ul class="govuk-list doorstep-task-list">
          ${list.map((task) => {
            const title = itemText(task, 'title') ?? 'Untitled task'
            const due = itemText(task, 'due_date')
            const done = itemFlag(task, 'done')
            const overdue = !done && due !== null && due < today
            return html`
              <li class="doorstep-task-list__item">
                <p class="govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1">${title}</p>
                <p class="govuk-body-s govuk-!-margin-bottom-2">
                  ${done ? tag('Done', 'green') : overdue ? tag('Overdue', 'red') : tag('To do', 'grey')}
                  ${due === null ? 'No due date' : `Due ${formatDate(due)}`}
                </p>
                ${actionButton({
                  id: `task-${task.id}`,
                  action: 'toggle-task',
                  data: { task: task.id, done: done ? 'no' : 'yes' },
                  text: done ? 'Mark as not done' : 'Mark as done',
                  hiddenText: `: ${title}`,
                  look: 'secondary',
                })}
              </li>`
          })}
        </ul>`}
    <form class="doorstep-inline-form" data-form="add-task" novalidate>
      <h3 class="govuk-heading-s">Add a task</h3>
      ${inputField({ id: 'task-title', label: 'Task', error: problemFor(model, 'task-title'), widthClass: 'govuk-!-width-two-thirds' })}
      ${dateField({ id: 'task-due-date', legend: 'Due date (optional)', hint: 'For example, 27 3 2027', error: problemFor(model, 'task-due-date-day') })}
      ${formButtons('Add task', false)}
    </form>`
}

function notes(model: CasePageModel): SafeHtml {
  return html`
    <form class="doorstep-inline-form" data-form="add-note" novalidate>
      ${textareaField({
        id: 'note-text',
        label: 'Add a note',
        labelClasses: 'govuk-label--s',
        hint: 'Notes cannot be deleted. You can correct a note later, and the earlier wording is kept. Notes appear in the timeline, newest first.',
        error: problemFor(model, 'note-text'),
        rows: 4,
      })}
      ${formButtons('Add note', false)}
    </form>`
}

function narrative(model: CasePageModel): SafeHtml {
  const edited = model.page.case.narrativeEdited
  return html`
    <form class="doorstep-inline-form" id="narrative-form" data-form="narrative" novalidate>
      <div class="govuk-form-group${problemFor(model, 'narrative') === undefined ? '' : ' govuk-form-group--error'}">
        <label class="govuk-label govuk-label--s" for="narrative">Narrative</label>
        <div id="narrative-hint" class="govuk-hint">
          The full assessment. Changes made on other devices merge with yours. Save when you finish a part.
          ${edited !== undefined && html`Last saved by ${byAndWhen(edited.by, edited.at)}.`}
        </div>
        ${problemFor(model, 'narrative') !== undefined &&
        html`<p id="narrative-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> ${problemFor(model, 'narrative')!}</p>`}
        <!-- The text is set through the DOM: markup would drop a leading blank line. -->
        <textarea class="govuk-textarea${problemFor(model, 'narrative') === undefined ? '' : ' govuk-textarea--error'}" id="narrative" name="narrative" rows="12"
          aria-describedby="narrative-hint${problemFor(model, 'narrative') === undefined ? '' : ' narrative-error'}"></textarea>
      </div>
      <p class="govuk-body doorstep-unsaved" id="narrative-unsaved" hidden>You have changes that are not saved.</p>
      ${formButtons('Save narrative', false)}
    </form>`
}

const DECISION_LABELS: Readonly<Record<string, string>> = {
  given: 'Consent given',
  refused: 'Consent refused',
  withdrawn: 'Consent withdrawn',
}

/** The value of the "Someone else" choice in the consent form's list of people. */
export const SOMEONE_ELSE = '__someone_else__'

/** The consent form's "How is the person signing?" radios: the first radio's id, which error links point at. */
export const SIGNATURE_METHOD_ID = 'consent-signature-method'
type SignatureMethod = 'drawn' | 'typed'

/**
 * Drawing or typing, each revealed under its radio as GOV.UK's conditional
 * reveal does. case-page.ts reveals the one chosen, because the GOV.UK Radios
 * script is not among the components pages start. Typing is the way to sign
 * with a keyboard or a screen reader: the drawing area is hidden from
 * assistive technology.
 */
function signatureChoice(model: CasePageModel): SafeHtml {
  const error = problemFor(model, SIGNATURE_METHOD_ID)
  const option = (index: number, value: SignatureMethod, text: string, hint: string, revealed: SafeHtml) => {
    const id = index === 1 ? SIGNATURE_METHOD_ID : `${SIGNATURE_METHOD_ID}-${index}`
    return html`
      <div class="govuk-radios__item">
        <input class="govuk-radios__input" id="${id}" name="${SIGNATURE_METHOD_ID}" type="radio" value="${value}"
          aria-describedby="${id}-item-hint" data-aria-controls="${id}-conditional">
        <label class="govuk-label govuk-radios__label" for="${id}">${text}</label>
        <div id="${id}-item-hint" class="govuk-hint govuk-radios__hint">${hint}</div>
      </div>
      <div class="govuk-radios__conditional govuk-radios__conditional--hidden" id="${id}-conditional">${revealed}</div>`
  }
  return html`
    <div class="govuk-form-group${error === undefined ? '' : ' govuk-form-group--error'}">
      <fieldset class="govuk-fieldset" aria-describedby="${SIGNATURE_METHOD_ID}-hint${error === undefined ? '' : ` ${SIGNATURE_METHOD_ID}-error`}">
        <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">How is the person signing?</legend>
        <div id="${SIGNATURE_METHOD_ID}-hint" class="govuk-hint">A signature is needed when consent is given.</div>
        ${error !== undefined &&
        html`<p id="${SIGNATURE_METHOD_ID}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> ${error}</p>`}
        <div class="govuk-radios govuk-radios--small" data-module="govuk-radios">
          ${option(
            1,
            'drawn',
            'They draw their signature',
            'With a mouse, pen or finger on this laptop’s screen.',
            html`
              <div class="doorstep-signature">
                <p class="govuk-body govuk-!-margin-bottom-2">Ask them to sign in the box.</p>
                <canvas class="doorstep-signature__pad" id="consent-signature-pad" width="600" height="200" aria-hidden="true"></canvas>
                ${actionButton({ id: 'clear-signature', action: 'clear-signature', text: 'Clear drawing', look: 'secondary' })}
              </div>`,
          )}
          ${option(
            2,
            'typed',
            'They type their name',
            'For signing with a keyboard or screen reader.',
            inputField({
              id: 'consent-typed-signature',
              label: 'Typed signature',
              hint: 'The person types their full name, or you type it and read it back to them to confirm.',
              error: problemFor(model, 'consent-typed-signature'),
              spellcheck: false,
              widthClass: 'govuk-!-width-two-thirds',
            }),
          )}
        </div>
      </fieldset>
    </div>`
}

function consentForm(model: CasePageModel): SafeHtml {
  const names = model.page.case.people.map((p) => itemText(p, 'name')).filter((n): n is string => n !== null)
  const personChoice =
    names.length === 0
      ? inputField({
          id: 'consent-person-other',
          label: 'Who is the consent from?',
          labelClasses: 'govuk-label--s',
          hint: 'Their full name',
          error: problemFor(model, 'consent-person-other'),
          spellcheck: false,
        })
      : html`
        ${radiosField({
          id: 'consent-person',
          legend: 'Who is the consent from?',
          error: problemFor(model, 'consent-person'),
          items: [...names.map((name) => ({ value: name, text: name })), { value: SOMEONE_ELSE, text: 'Someone else' }],
        })}
        ${inputField({
          id: 'consent-person-other',
          label: 'If someone else, their full name',
          error: problemFor(model, 'consent-person-other'),
          spellcheck: false,
        })}`
  return html`
    <form class="doorstep-panel" data-panel data-form="record-consent" novalidate>
      <h3 class="govuk-heading-s" id="record-consent-heading" tabindex="-1">Record consent</h3>
      ${personChoice}
      ${textareaField({
        id: 'consent-purpose',
        label: 'What is the consent for?',
        labelClasses: 'govuk-label--s',
        hint: 'For example, sharing information with their GP',
        error: problemFor(model, 'consent-purpose'),
        rows: 3,
      })}
      ${radiosField({
        id: 'consent-decision',
        legend: 'Decision',
        error: problemFor(model, 'consent-decision'),
        items: Object.entries(DECISION_LABELS).map(([value, text]) => ({ value, text })),
      })}
      ${signatureChoice(model)}
      ${formButtons('Save consent record')}
    </form>`
}

/**
 * One consent record. In the Consent section (`model` given) a drawn
 * signature can be shown; the timeline only says there is one.
 */
function consentSummary(consent: ItemView, model?: CasePageModel): SafeHtml {
  const decision = itemText(consent, 'decision') ?? ''
  const colour = decision === 'given' ? 'green' : decision === 'refused' ? 'red' : 'grey'
  const person = itemText(consent, 'person')
  const recorded = itemText(consent, 'recorded_at')
  const typed = itemText(consent, 'typed_signature')
  const drawn = itemText(consent, 'signature_attachment') !== null
  const signature = drawn ? 'Signature drawn' : typed === null ? 'No signature' : html`Typed signature: ${typed}`
  return html`
    <p class="govuk-body govuk-!-margin-bottom-1">${tag(DECISION_LABELS[decision] ?? decision, colour)}
      ${person ?? 'Person not recorded'}${recorded !== null && html`, ${formatInstant(recorded)}`}</p>
    <p class="govuk-body govuk-!-margin-bottom-1">For: <span class="doorstep-multiline">${itemText(consent, 'purpose') ?? ''}</span></p>
    <p class="govuk-body-s">${signature}${drawn && typed !== null && html`. Typed signature: ${typed}`}</p>
    ${drawn &&
    model !== undefined &&
    picture(model, {
      key: signaturePreviewKey(consent.id),
      buttonId: `signature-${consent.id}`,
      action: 'show-signature',
      data: { consent: consent.id },
      showText: 'Show signature',
      hideText: 'Hide signature',
      hiddenText: person === null ? undefined : `of ${person}`,
      alt: person === null ? 'Drawn signature' : `Signature drawn by ${person}`,
      classes: 'doorstep-picture doorstep-picture--signature',
    })}`
}

function consent(model: CasePageModel): SafeHtml {
  const list = model.page.case.consents
  return html`
    ${list.length === 0
      ? html`<p class="govuk-body">No consent has been recorded.</p>`
      : html`<ul class="govuk-list doorstep-record-list">${list.map((c) => html`<li>${consentSummary(c, model)}</li>`)}</ul>`}
    ${model.panel?.kind === 'record-consent'
      ? consentForm(model)
      : actionButton({ id: 'record-consent-button', action: 'record-consent', text: 'Record consent', look: 'secondary' })}`
}

/** The file input's id, which error links point at. */
export const ATTACH_INPUT_ID = 'attachment-file'
/** As Rust's store (`MAXIMUM_ATTACHMENT_BYTES`): 50 MiB. */
export const MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
/**
 * What the file picker offers: photos, PDFs and common office documents.
 * Only a suggestion to the picker; Rust stores any type.
 */
export const ATTACHMENT_ACCEPT = [
  'image/*',
  'application/pdf',
  '.pdf',
  '.doc',
  '.docx',
  '.odt',
  '.rtf',
  '.txt',
  '.xls',
  '.xlsx',
  '.ods',
  '.csv',
].join(',')

export const isImage = (attachment: AttachmentMeta): boolean => attachment.mediaType.toLowerCase().startsWith('image/')

interface PictureOptions {
  key: string
  buttonId: string
  action: string
  data: Readonly<Record<string, string>>
  showText: string
  hideText: string
  hiddenText?: string | undefined
  alt: string
  classes: string
}

/** A Show/Hide button, and the picture (or why it could not be shown) once asked for. */
function picture(model: CasePageModel, o: PictureOptions): SafeHtml {
  const state = model.previews.get(o.key)
  return html`
    <p class="govuk-body govuk-!-margin-bottom-2">${actionButton({
      id: o.buttonId,
      action: o.action,
      data: o.data,
      text: state?.kind === 'shown' ? o.hideText : o.showText,
      hiddenText: o.hiddenText,
    })}</p>
    ${state?.kind === 'shown' && html`<img class="${o.classes}" src="${state.url}" alt="${o.alt}">`}
    ${state?.kind === 'failed' &&
    html`<p class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> ${state.message}</p>`}`
}

function attachmentItem(model: CasePageModel, attachment: AttachmentMeta): SafeHtml {
  return html`
    <p class="govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1 govuk-!-text-break-word">${attachment.name}</p>
    <p class="govuk-body-s">${attachment.mediaType}, ${formatBytes(attachment.size)}. Added by ${byAndWhen(attachment.addedBy, attachment.addedAt)}.</p>
    ${isImage(attachment) &&
    picture(model, {
      key: attachmentPreviewKey(attachment.sha256),
      buttonId: `preview-${attachment.sha256}`,
      action: 'preview-attachment',
      data: { sha: attachment.sha256 },
      showText: 'Show preview',
      hideText: 'Hide preview',
      hiddenText: `of ${attachment.name}`,
      alt: attachment.name,
      classes: 'doorstep-picture',
    })}`
}

/** GOV.UK file upload, without the enhanced (JavaScript) version: the page is rendered again after every save. */
function attachForm(model: CasePageModel): SafeHtml {
  const error = problemFor(model, ATTACH_INPUT_ID)
  const describedBy = error === undefined ? `${ATTACH_INPUT_ID}-hint` : `${ATTACH_INPUT_ID}-hint ${ATTACH_INPUT_ID}-error`
  return html`
    <form class="doorstep-inline-form" data-form="attach-file" novalidate>
      <div class="govuk-form-group${error === undefined ? '' : ' govuk-form-group--error'}">
        <label class="govuk-label govuk-label--s" for="${ATTACH_INPUT_ID}">Attach a photo or document</label>
        <div id="${ATTACH_INPUT_ID}-hint" class="govuk-hint">For example, a photo, a PDF or a Word document. The file must be smaller than 50MB.</div>
        ${error !== undefined &&
        html`<p id="${ATTACH_INPUT_ID}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> ${error}</p>`}
        <input class="govuk-file-upload${error === undefined ? '' : ' govuk-file-upload--error'}" id="${ATTACH_INPUT_ID}" name="${ATTACH_INPUT_ID}" type="file"
          accept="${ATTACHMENT_ACCEPT}" aria-describedby="${describedBy}">
      </div>
      ${formButtons('Attach file', false)}
    </form>`
}

function attachments(model: CasePageModel): SafeHtml {
  const list = model.page.case.attachments
  return html`
    ${list.length === 0
      ? html`<p class="govuk-body">There are no photos or documents on this case.</p>`
      : html`<ul class="govuk-list doorstep-record-list">${list.map((a) => html`<li>${attachmentItem(model, a)}</li>`)}</ul>`}
    ${attachForm(model)}`
}

// ---------------------------------------------------------------------------
// Timeline
// ---------------------------------------------------------------------------

interface TimelineEntry {
  kind: 'note' | 'visit' | 'task' | 'consent' | 'attachment' | 'review'
  id: string
  at: Millis
  by: string
  title: string
}

/** Everything recorded on the case, newest first. */
function timelineEntries(view: CaseView): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...view.notes.map((n) => ({ kind: 'note' as const, id: n.id, at: n.createdAt, by: n.author, title: 'Note' })),
    ...view.visits.map((v) => ({ kind: 'visit' as const, id: v.id, at: v.addedAt, by: v.addedBy, title: 'Visit planned' })),
    ...view.tasks.map((t) => ({
      kind: 'task' as const,
      id: t.id,
      at: t.addedAt,
      by: t.addedBy,
      title: `Task added: ${itemText(t, 'title') ?? 'untitled'}`,
    })),
    ...view.consents.map((c) => ({
      kind: 'consent' as const,
      id: c.id,
      at: c.addedAt,
      by: c.addedBy,
      title: DECISION_LABELS[itemText(c, 'decision') ?? ''] ?? 'Consent recorded',
    })),
    ...view.attachments.map((a) => ({ kind: 'attachment' as const, id: a.sha256, at: a.addedAt, by: a.addedBy, title: 'Attachment added' })),
    ...reviewsOf(view).map((r) => ({ kind: 'review' as const, id: r.id, at: r.at, by: r.by, title: REVIEW_TITLES[r.decision] })),
  ]
  return entries.sort((a, b) => b.at - a.at || a.id.localeCompare(b.id))
}

function noteBody(model: CasePageModel, note: NoteView): SafeHtml {
  const panel = model.panel
  if (panel?.kind === 'correct-note' && panel.noteId === note.id) {
    return html`
      <form class="doorstep-panel" data-panel data-form="correct-note" data-note="${note.id}" novalidate>
        ${textareaField({
          id: 'correction-text',
          label: 'Corrected note',
          labelClasses: 'govuk-label--s',
          hint: 'The earlier wording is kept and can still be read.',
          error: problemFor(model, 'correction-text'),
          value: note.text,
          rows: 4,
        })}
        ${formButtons('Save correction')}
      </form>`
  }
  const earlier = note.revisions.slice(0, -1).reverse()
  const latest = note.revisions.at(-1)
  return html`
    ${multiline(note.text)}
    ${earlier.length > 0 &&
    latest !== undefined &&
    html`
      <p class="govuk-body-s">Corrected by ${byAndWhen(latest.by, latest.at)}.</p>
      <details class="govuk-details">
        <summary class="govuk-details__summary">
          <span class="govuk-details__summary-text">Earlier wording (${plural(earlier.length, 'version')})</span>
        </summary>
        <div class="govuk-details__text">
          <ol class="govuk-list doorstep-record-list">
            ${earlier.map((r) => html`<li>${multiline(r.text)}<p class="govuk-body-s">Written by ${byAndWhen(r.by, r.at)}</p></li>`)}
          </ol>
        </div>
      </details>`}
    ${actionButton({
      id: `correct-${note.id}`,
      action: 'correct-note',
      data: { note: note.id },
      text: 'Correct this note',
      hiddenText: `written ${formatInstant(note.createdAt)}`,
    })}`
}

function timelineBody(model: CasePageModel, entry: TimelineEntry): SafeHtml {
  const view = model.page.case
  switch (entry.kind) {
    case 'note': {
      const note = view.notes.find((n) => n.id === entry.id)
      return note ? noteBody(model, note) : html``
    }
    case 'visit': {
      const visit = view.visits.find((v) => v.id === entry.id)
      if (!visit) return html``
      const planned = itemText(visit, 'planned_at')
      const checkedIn = itemText(visit, 'checked_in_at')
      const expectedEnd = itemText(visit, 'expected_end')
      const checkedOut = itemText(visit, 'checked_out_at')
      const outcome = itemText(visit, 'outcome')
      return html`
        <ul class="govuk-list">
          <li>For ${planned === null ? 'a time not recorded' : formatInstant(planned)}</li>
          ${checkedIn !== null && html`<li>Checked in ${formatInstant(checkedIn)}${expectedEnd !== null && `, expected to end ${formatInstant(expectedEnd)}`}</li>`}
          ${checkedOut !== null && html`<li>Checked out ${formatInstant(checkedOut)}</li>`}
        </ul>
        ${outcome !== null && multiline(`Outcome: ${outcome}`)}`
    }
    case 'task': {
      const task = view.tasks.find((t) => t.id === entry.id)
      if (!task) return html``
      const due = itemText(task, 'due_date')
      return html`<p class="govuk-body">${due === null ? 'No due date' : `Due ${formatDate(due)}`}. ${itemFlag(task, 'done') ? 'Done.' : 'Not done yet.'}</p>`
    }
    case 'consent': {
      const record = view.consents.find((c) => c.id === entry.id)
      return record ? consentSummary(record) : html``
    }
    case 'attachment': {
      const attachment = view.attachments.find((a) => a.sha256 === entry.id)
      return attachment
        ? html`<p class="govuk-body govuk-!-text-break-word">${attachment.name} (${attachment.mediaType}, ${formatBytes(attachment.size)})</p>`
        : html``
    }
    case 'review': {
      const decision = reviewsOf(view).find((r) => r.id === entry.id)
      return decision === undefined || decision.comment.trim() === '' ? html`` : multiline(decision.comment)
    }
  }
}

function timeline(model: CasePageModel): SafeHtml {
  const entries = timelineEntries(model.page.case)
  if (entries.length === 0) return html`<p class="govuk-body">Nothing has been recorded on this case yet.</p>`
  return html`
    <ol class="doorstep-timeline">
      ${entries.map(
        (entry) => html`
          <li class="doorstep-timeline__entry" data-kind="${entry.kind}">
            <h3 class="govuk-heading-s govuk-!-margin-bottom-1">${entry.title}</h3>
            <p class="govuk-body-s doorstep-timeline__meta">By ${byAndWhen(entry.by, entry.at)}</p>
            ${timelineBody(model, entry)}
          </li>`,
      )}
    </ol>`
}

// ---------------------------------------------------------------------------
// Review: submitting, a team lead's decision, and what the lead said
// ---------------------------------------------------------------------------

const REVIEW_TITLES: Readonly<Record<ReviewDecision, string>> = {
  approved: 'Approved',
  returned: 'Returned with comments',
}

/** The decision form's fields, which error links point at. */
export const REVIEW_DECISION_ID = 'review-decision'
export const REVIEW_COMMENT_ID = 'review-comment'
/** The success banner after a decision is saved; focus goes there. */
export const REVIEW_SAVED_ID = 'review-saved'
export const REVIEW_SAVED_MESSAGE = 'Decision saved on this laptop. It goes to the server when you are online.'

/** Cases saved by an older Doorstep have no reviews at all. */
export function reviewsOf(view: CaseView): readonly ReviewView[] {
  return view.reviews ?? []
}

/** A team lead looking at a case that waits for them. */
function showsDecisionForm(model: CasePageModel): boolean {
  return model.teamLead && textOf(model.page.case.fields['status']) === 'awaiting_review'
}

/** The lead's comments on a case they sent back, while it is still being worked on: what the caseworker must act on. */
function returnedBanner(view: CaseView): SafeHtml {
  const latest = reviewsOf(view).at(-1)
  if (latest?.decision !== 'returned' || textOf(view.fields['status']) !== 'in_progress') return html``
  return html`
    <div class="govuk-notification-banner" role="region" aria-labelledby="case-returned-title" id="case-returned">
      <div class="govuk-notification-banner__header">
        <h2 class="govuk-notification-banner__title" id="case-returned-title">Returned for more work</h2>
      </div>
      <div class="govuk-notification-banner__content">
        <p class="govuk-notification-banner__heading">Returned by ${latest.by} on <time datetime="${isoInstant(latest.at)}">${formatInstant(latest.at)}</time>:</p>
        ${latest.comment.trim() === '' ? html`<p class="govuk-body">No comments were given.</p>` : multiline(latest.comment)}
        <p class="govuk-body">When you have made the changes, ${jumpLink('case-review', 'submit the case for review again', 'govuk-notification-banner__link')}.</p>
      </div>
    </div>`
}

function reviewSavedBanner(decision: ReviewDecision | null): SafeHtml {
  if (decision === null) return html``
  // A region that takes focus, like the risk warnings: read once, not also as an alert.
  return html`
    <div class="govuk-notification-banner govuk-notification-banner--success" role="region" aria-labelledby="review-saved-title"
      id="${REVIEW_SAVED_ID}" tabindex="-1">
      <div class="govuk-notification-banner__header">
        <h2 class="govuk-notification-banner__title" id="review-saved-title">Success</h2>
      </div>
      <div class="govuk-notification-banner__content">
        <p class="govuk-notification-banner__heading">${REVIEW_SAVED_MESSAGE}</p>
        <p class="govuk-body">${decision === 'approved'
          ? 'You approved the case, so it is now closed.'
          : 'You returned the case to the caseworker with your comments. It is in progress again.'}</p>
      </div>
    </div>`
}

function decisionForm(model: CasePageModel): SafeHtml {
  const submitted = model.page.case.fields['status']
  return html`
    ${submitted !== undefined && html`<p class="govuk-body">Submitted for review by ${byAndWhen(submitted.by, submitted.at)}.</p>`}
    <form class="doorstep-inline-form" data-form="review-case" novalidate>
      ${radiosField({
        id: REVIEW_DECISION_ID,
        legend: 'What is your decision?',
        error: problemFor(model, REVIEW_DECISION_ID),
        items: [
          { value: 'approved', text: 'Approve and close the case' },
          { value: 'returned', text: 'Return it to the caseworker with comments', hint: 'The case goes back to in progress.' },
        ],
      })}
      ${textareaField({
        id: REVIEW_COMMENT_ID,
        label: 'Comments',
        labelClasses: 'govuk-label--s',
        hint: 'Needed when you return the case: say what needs to change. The caseworker sees your comments.',
        error: problemFor(model, REVIEW_COMMENT_ID),
        rows: 5,
      })}
      ${formButtons('Save decision', false)}
    </form>`
}

/** The server refused this case's changes: said again here, as a review decision may be among them. */
function refusedWarning(sync: CaseSync): SafeHtml {
  if (sync.state !== 'refused') return html``
  return warningText(`The server refused the changes made to this case on this laptop: ${sync.refusedReason ?? 'no reason was given'}`)
}

function review(model: CasePageModel): SafeHtml {
  const view = model.page.case
  const status = textOf(view.fields['status'])
  const refused = refusedWarning(model.page.sync)
  if (status === 'awaiting_review') {
    return model.teamLead
      ? html`${refused}<p class="govuk-body">This case is waiting for review. Record your decision under ${jumpLink(DECISION_SECTION.id, DECISION_SECTION.title)}, near the top of the page.</p>`
      : html`${refused}<div class="govuk-inset-text">This case is waiting for your team lead to review it.</div>`
  }
  if (status === 'closed') {
    const latest = reviewsOf(view).at(-1)
    return html`${refused}<p class="govuk-body">This case is closed.${latest?.decision === 'approved' && html` It was approved by ${byAndWhen(latest.by, latest.at)}.`}</p>`
  }
  if (model.panel?.kind !== 'confirm-submit') {
    return html`
      ${refused}
      <p class="govuk-body">When the case is ready, submit it for review by your team lead.</p>
      ${actionButton({ id: 'submit-for-review-button', action: 'confirm-submit', text: 'Submit for review', look: 'primary' })}`
  }
  const openTasks = view.tasks.filter((t) => !itemFlag(t, 'done')).length
  const openVisits = view.visits.filter((v) => visitState(v) === 'checked-in').length
  return html`
    <form class="doorstep-panel" data-panel data-form="submit-for-review" novalidate>
      <h3 class="govuk-heading-s" id="confirm-submit-heading" tabindex="-1">Are you sure you want to submit this case for review?</h3>
      <p class="govuk-body">Your team lead will review it. It is sent when this laptop can reach the server.</p>
      ${(openTasks > 0 || openVisits > 0) &&
      warningText(
        [openTasks > 0 ? `${plural(openTasks, 'task')} ${openTasks === 1 ? 'is' : 'are'} not done.` : '', openVisits > 0 ? 'A visit is still checked in.' : '']
          .filter(Boolean)
          .join(' '),
      )}
      ${formButtons('Yes, submit for review')}
    </form>`
}

// ---------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------

export function caseHeading(view: CaseView): { caption: string; heading: string } {
  const reference = textOf(view.fields['reference'])
  const caseType = textOf(view.fields['case_type'])
  return {
    caption: [caseType, reference ?? 'No reference yet'].filter(Boolean).join(' · '),
    heading: textOf(view.fields['summary']) ?? 'Case',
  }
}

export function casePageMarkup(model: CasePageModel): SafeHtml {
  const view = model.page.case
  const { caption, heading } = caseHeading(view)
  const deciding = showsDecisionForm(model)
  const reassigning = model.reassign !== null
  // Reassign sits after the case details, where Assigned to is.
  const access = model.accessRecord ?? null
  const sections = [
    ...(deciding ? [DECISION_SECTION] : []),
    SECTIONS[0],
    ...(reassigning ? [REASSIGN_SECTION] : []),
    ...SECTIONS.slice(1),
    // Last: for a lead looking into the case, after everything on it.
    ...(access !== null ? [ACCESS_SECTION] : []),
  ]
  return html`
    ${model.problems.length > 0 && errorSummary(model.problems)}
    ${riskBanner(activeRisks(view))}
    ${reviewSavedBanner(model.reviewSaved)}
    ${reassignSavedBanner(model.reassignSaved)}
    <span class="govuk-caption-l">${caption}</span>
    <h1 class="govuk-heading-l doorstep-case-heading" tabindex="-1">${heading}</h1>
    ${syncBadge(model.page.sync)}
    ${model.leaveBlocked && leaveWarning()}
    ${returnedBanner(view)}
    ${conflictBanner(view)}
    ${contents(sections)}
    ${deciding && section(DECISION_SECTION.id, DECISION_SECTION.title, decisionForm(model))}
    ${section('case-details', 'Case details', caseDetails(model))}
    ${model.reassign !== null &&
    section(
      REASSIGN_SECTION.id,
      REASSIGN_SECTION.title,
      reassignForm({ choices: model.reassign, current: textOf(view.fields['assigned_to']), problems: model.problems }),
    )}
    ${section('case-people', 'People', people(model))}
    ${section('case-visits', 'Visits', visits(model))}
    ${section('case-tasks', 'Tasks', tasks(model))}
    ${section('case-notes', 'Notes', notes(model))}
    ${section('case-narrative', 'Assessment narrative', narrative(model))}
    ${section('case-consent', 'Consent', consent(model))}
    ${section('case-attachments', 'Attachments', attachments(model))}
    ${section('case-timeline', 'Timeline', timeline(model))}
    ${section('case-review', 'Review', review(model))}
    ${access !== null && section(ACCESS_SECTION.id, ACCESS_SECTION.title, accessSectionMarkup(access))}`
}

export function loadingMarkup(): SafeHtml {
  return html`
    <h1 class="govuk-heading-l" tabindex="-1">Case</h1>
    <p class="govuk-body">Opening the case…</p>`
}

export const NOT_FOUND_TITLE = 'Case not found'

export function notFoundMarkup(): SafeHtml {
  return html`
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <h1 class="govuk-heading-l" tabindex="-1">${NOT_FOUND_TITLE}</h1>
        <p class="govuk-body">This case is not on this laptop.</p>
        <p class="govuk-body">It may have been moved to another caseworker, or the link may be wrong.</p>
        <p class="govuk-body">Go to <a class="govuk-link" href="#/cases">My cases</a> to find it.</p>
      </div>
    </div>`
}

export const LOAD_ERROR_TITLE = 'Sorry, the case could not be opened'

export function loadErrorMarkup(message: string): SafeHtml {
  return html`
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <h1 class="govuk-heading-l" tabindex="-1">${LOAD_ERROR_TITLE}</h1>
        <p class="govuk-body">${message}</p>
        <p class="govuk-body">Your work is still saved on this laptop.</p>
        ${actionButton({ id: 'retry-load', action: 'retry-load', text: 'Try again', look: 'primary' })}
        <p class="govuk-body">Or go to <a class="govuk-link" href="#/cases">My cases</a>.</p>
      </div>
    </div>`
}
