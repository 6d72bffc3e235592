// Conflicts: where the caseworker and a colleague changed the same field
// while apart. Doorstep keeps every value (it never picks silently), shows
// them side by side with who set each and when, and the person chooses:
// keep mine, keep theirs, or type a new value.
import { html, renderInto, type SafeHtml } from '../html'
import { handleLocked } from '../idle'
import {
  changeSaved,
  deviceStatus,
  describeIpcError,
  ipcErrorOf,
  listConflicts,
  resolveConflict,
  type CaseConflicts,
  type FieldConflict,
  type FieldEntry,
} from '../ipc'
import { announce } from '../live-region'
import { onSyncFinished } from '../sync-status'
import { formatDateTime } from '../time-format'
import { displayValue, fieldLabel, valueAsInput } from './case-labels'
import { textareaField } from './govuk-form-markup'
import { textInput } from './govuk-markup'
import { pageHeading, problemBox } from './page-parts'
import type { View } from './view'

/** Fields whose values run to sentences get a textarea when edited. */
const LONG_TEXT_FIELDS = new Set(['summary', 'outcome', 'purpose', 'text', 'address'])

const FORMAT_HINTS: Readonly<Record<string, string>> = {
  due_date: 'Use the format year-month-day, for example 2026-03-27',
  date_of_birth: 'Use the format year-month-day, for example 1958-03-27',
  planned_at: 'Use the format 2026-03-27T14:30:00Z',
  expected_end: 'Use the format 2026-03-27T14:30:00Z',
}

function fieldName(path: string): string {
  return path.split('.').pop() ?? path
}

/** What the button for one value says, from the signed-in person's point of view. */
export function keepLabel(entry: FieldEntry, conflict: FieldConflict, user: string | null): string {
  if (entry.by === user) return 'Keep mine'
  const hasMine = conflict.values.some((value) => value.by === user)
  const others = conflict.values.filter((value) => value.by !== user).length
  return hasMine && others === 1 ? 'Keep theirs' : `Keep ${entry.by}’s`
}

function whose(entry: FieldEntry, user: string | null): string {
  return entry.by === user ? 'Your value' : `${entry.by}’s value`
}

function setBy(entry: FieldEntry, user: string | null): string {
  const who = entry.by === user ? `you (${entry.by})` : entry.by
  return `Set by ${who} on ${formatDateTime(new Date(entry.at))}`
}

/** What is said once a value is chosen. */
export function resolvedMessage(label: string, entry: FieldEntry | null, user: string | null): string {
  if (entry === null) return `Saved the new value for ${label}.`
  return entry.by === user ? `Kept your value for ${label}.` : `Kept ${entry.by}’s value for ${label}.`
}

function editField(id: string, conflict: FieldConflict, value: string, error?: string): SafeHtml {
  const label = `New value for ${fieldLabel(conflict.path)}`
  const name = fieldName(conflict.path)
  const hint = Object.hasOwn(FORMAT_HINTS, name) ? FORMAT_HINTS[name] : undefined
  const common = { id, label, value, ...(hint === undefined ? {} : { hint }), ...(error === undefined ? {} : { error }) }
  return LONG_TEXT_FIELDS.has(name)
    ? textareaField({ ...common, rows: 3 })
    : textInput({ ...common, autocomplete: 'off' })
}

function conflictCard(item: CaseConflicts, conflict: FieldConflict, key: string, user: string | null): SafeHtml {
  const label = fieldLabel(conflict.path)
  const isFlag = conflict.values.some((entry) => typeof entry.value === 'boolean')
  const mine = conflict.values.find((entry) => entry.by === user)
  const editValue = valueAsInput((mine ?? conflict.values[conflict.values.length - 1])?.value ?? null)
  return html`
    <div class="govuk-summary-card doorstep-conflict" data-conflict="${key}" data-case-id="${item.caseId}" data-path="${conflict.path}">
      <div class="govuk-summary-card__title-wrapper">
        <h3 class="govuk-summary-card__title" id="${key}-title" tabindex="-1">${label}</h3>
      </div>
      <div class="govuk-summary-card__content">
        <ul class="doorstep-conflict__values">
          ${conflict.values.map(
            (entry, index) => html`
              <li class="doorstep-conflict__value">
                <p class="govuk-body-s govuk-!-font-weight-bold govuk-!-margin-bottom-1">${whose(entry, user)}</p>
                <p class="govuk-body doorstep-conflict__text">${displayValue(conflict.path, entry.value)}</p>
                <p class="govuk-body-s doorstep-conflict__when">${setBy(entry, user)}</p>
                <button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-keep="${index}">
                  ${keepLabel(entry, conflict, user)}<span class="govuk-visually-hidden"> for ${label}: ${displayValue(conflict.path, entry.value)}</span>
                </button>
              </li>`,
          )}
        </ul>
        ${!isFlag &&
        html`<details class="govuk-details govuk-!-margin-bottom-0">
          <summary class="govuk-details__summary">
            <span class="govuk-details__summary-text">Enter a different value<span class="govuk-visually-hidden"> for ${label}</span></span>
          </summary>
          <div class="govuk-details__text">
            <form novalidate data-edit>
              <div data-edit-field>${editField(`${key}-edit`, conflict, editValue)}</div>
              <button type="submit" class="govuk-button govuk-!-margin-bottom-0">Save<span class="govuk-visually-hidden"> ${label}</span></button>
            </form>
          </div>
        </details>`}
      </div>
    </div>`
}

/** "HOU-2026-0412. Assigned to sam.caseworker.": whose case it is, so a lead knows who to ask. */
export function caseAbout(item: Pick<CaseConflicts, 'reference' | 'assignedTo'>): string {
  const reference = item.reference ?? null
  const assigned = item.assignedTo ?? null
  const who = assigned === null || assigned.trim() === '' ? 'Not assigned.' : `Assigned to ${assigned}.`
  return reference === null ? who : `${reference}. ${who}`
}

function conflictsMarkup(cases: readonly CaseConflicts[], user: string | null): SafeHtml {
  if (cases.length === 0) {
    return html`
      <p class="govuk-body">There are no conflicts on this laptop.</p>
      <p class="govuk-body">If you and a colleague change the same thing while one of you is offline, Doorstep keeps both
        and asks you to choose here.</p>`
  }
  return html`
    <p class="govuk-body">You and a colleague changed the same thing while one of you was offline. Doorstep kept both values.
      Choose which to keep, or enter a different one.</p>
    ${cases.map(
      (item, caseIndex) => html`
        <section class="doorstep-conflict-case" aria-labelledby="conflict-case-${caseIndex}">
          <h2 class="govuk-heading-m govuk-!-margin-bottom-2" id="conflict-case-${caseIndex}">
            <a class="govuk-link" href="#/cases/${encodeURIComponent(item.caseId)}">${item.summary}</a>
          </h2>
          <p class="govuk-body" data-conflict-case-about>${caseAbout(item)}</p>
          ${item.conflicts.map((conflict, index) => conflictCard(item, conflict, `conflict-${caseIndex}-${index}`, user))}
        </section>`,
    )}`
}

class ConflictsPage {
  private readonly body: HTMLElement
  private readonly problem: HTMLElement
  private readonly heading: HTMLElement
  private readonly user: Promise<string | null>
  private cases: CaseConflicts[] = []
  private pending = false

  constructor(container: HTMLElement) {
    this.body = container.querySelector<HTMLElement>('[data-conflicts-body]')!
    this.problem = container.querySelector<HTMLElement>('[data-conflicts-problem]')!
    this.heading = container.querySelector<HTMLElement>('h1')!
    this.user = deviceStatus().then(
      (status) => status.user,
      () => null,
    )
    this.body.addEventListener('click', (event) => this.onClick(event))
    this.body.addEventListener('submit', (event) => this.onSubmit(event))
  }

  /** Loads the conflicts; `focusCard` is the position of a card to focus after resolving one. */
  async load(focusCard?: number): Promise<void> {
    try {
      const [cases, user] = await Promise.all([listConflicts(), this.user])
      this.cases = cases
      renderInto(this.body, conflictsMarkup(cases, user))
    } catch (error) {
      if (handleLocked(error)) return
      renderInto(this.body, problemBox('Conflicts could not be shown', describeIpcError(error), 'Try again'))
      return
    }
    if (focusCard === undefined) return
    // The next conflict moves into the resolved one's place: go there, or to the heading when none are left.
    const titles = this.body.querySelectorAll<HTMLElement>('.doorstep-conflict .govuk-summary-card__title')
    const next = titles[Math.min(focusCard, titles.length - 1)]
    ;(next ?? this.heading).focus()
  }

  private find(card: HTMLElement): { item: CaseConflicts; conflict: FieldConflict } | null {
    const item = this.cases.find((c) => c.caseId === card.dataset['caseId'])
    const conflict = item?.conflicts.find((c) => c.path === card.dataset['path'])
    return item && conflict ? { item, conflict } : null
  }

  private position(card: HTMLElement): number {
    return [...this.body.querySelectorAll('.doorstep-conflict')].indexOf(card)
  }

  private onClick(event: Event): void {
    const target = event.target as Element
    if (target.closest('[data-retry]')) {
      renderInto(this.body, html`<p class="govuk-body">Loading conflicts…</p>`)
      void this.load()
      return
    }
    const button = target.closest<HTMLElement>('[data-keep]')
    const card = button?.closest<HTMLElement>('[data-conflict]')
    if (!button || !card) return
    const found = this.find(card)
    const entry = found?.conflict.values[Number(button.dataset['keep'])]
    if (!found || !entry) return
    void this.user.then((user) =>
      this.resolve(card, found.item, found.conflict, valueAsInput(entry.value), resolvedMessage(fieldLabel(found.conflict.path), entry, user)),
    )
  }

  private onSubmit(event: Event): void {
    event.preventDefault()
    const form = event.target as HTMLFormElement
    const card = form.closest<HTMLElement>('[data-conflict]')
    const found = card && this.find(card)
    const input = form.querySelector<HTMLInputElement | HTMLTextAreaElement>('input, textarea')
    if (!card || !found || !input) return
    void this.resolve(card, found.item, found.conflict, input.value, resolvedMessage(fieldLabel(found.conflict.path), null, null), form)
  }

  private async resolve(
    card: HTMLElement,
    item: CaseConflicts,
    conflict: FieldConflict,
    value: string,
    message: string,
    editForm?: HTMLFormElement,
  ): Promise<void> {
    if (this.pending) return
    this.pending = true
    renderInto(this.problem, html``)
    try {
      await resolveConflict(item.caseId, conflict.path, value)
      changeSaved().catch(() => undefined)
      const position = this.position(card)
      await this.load(position)
      const left = this.cases.reduce((sum, c) => sum + c.conflicts.length, 0)
      announce(left === 0 ? `${message} There are no conflicts left.` : message)
    } catch (error) {
      if (handleLocked(error)) return
      const rejection = ipcErrorOf(error, 'Doorstep could not save your choice. Try again.')
      if (editForm !== undefined && rejection.code === 'invalid_field') {
        // The typed value is the problem: say so next to it, keeping what was typed.
        const key = card.dataset['conflict']!
        const slot = editForm.querySelector<HTMLElement>('[data-edit-field]')!
        renderInto(slot, editField(`${key}-edit`, conflict, value, rejection.message))
        slot.querySelector<HTMLElement>('input, textarea')?.focus()
      } else {
        renderInto(this.problem, problemBox('Your choice was not saved', rejection.message))
      }
    } finally {
      this.pending = false
    }
  }
}

export const conflictsView: View = {
  title: 'Conflicts',
  render(container) {
    renderInto(
      container,
      html`${pageHeading('Conflicts')}
        <div data-conflicts-problem></div>
        <div data-conflicts-body><p class="govuk-body">Loading conflicts…</p></div>`,
    )
    const page = new ConflictsPage(container)
    void page.load()
    onSyncFinished(container, () => {
      // A sync may bring new conflicts; redraw only if the person is not in the middle of one.
      if (!container.contains(document.activeElement) || document.activeElement === container.querySelector('h1')) void page.load()
    })
  },
}
