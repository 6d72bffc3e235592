// My cases: every case on this laptop, with search as you type, filters,
// sorting and a virtual list that stays quick with tens of thousands of
// cases. Filters and the scroll position are remembered while the app is
// open, so coming back from a case puts the person where they were.
import { createLatestGate, debounce } from '../async'
import { html, renderInto, type SafeHtml } from '../html'
import { handleLocked } from '../idle'
import { describeIpcError, deviceStatus, listCases, type CaseList, type CaseQuery } from '../ipc'
import { onSyncFinished } from '../sync-status'
import { plural } from '../time-format'
import { STATUS_LABELS } from './case-labels'
import {
  DEFAULT_FILTERS,
  DUE_BEFORE_ERROR,
  narrowsList,
  queryFor,
  readDate,
  type CaseFilters,
  type RiskFilter,
} from './case-filters'
import { PAGE_SIZE, VirtualCaseList } from './case-list'
import { select } from './govuk-markup'
import { pageHeading, problemBox } from './page-parts'
import type { View, ViewContext } from './view'

/** Long enough to skip the keystrokes of a word, short enough to feel instant. */
export const SEARCH_DELAY_MS = 150

function copyFilters(filters: CaseFilters): CaseFilters {
  return { ...filters, dueBefore: { ...filters.dueBefore } }
}

/** Where the person left My cases, kept while the app is open. */
const remembered = { filters: copyFilters(DEFAULT_FILTERS), scrollTop: 0 }

/** Forgets the remembered filters and scroll position (for tests). */
export function forgetCasesState(): void {
  remembered.filters = copyFilters(DEFAULT_FILTERS)
  remembered.scrollTop = 0
}

const STATUS_OPTIONS = [
  { value: 'any', text: 'Any status' },
  ...Object.entries(STATUS_LABELS).map(([value, text]) => ({ value, text })),
]

const RISK_OPTIONS: { value: RiskFilter; text: string }[] = [
  { value: 'any', text: 'With or without' },
  { value: 'with', text: 'Only cases with risk warnings' },
  { value: 'without', text: 'Only cases without risk warnings' },
]

const SORT_OPTIONS = [
  { value: 'updated', text: 'Most recently changed' },
  { value: 'due_date', text: 'Due soonest' },
  { value: 'reference', text: 'Reference' },
  { value: 'relevance', text: 'Best match for the search' },
]

function noCasesMarkup(signedIn: boolean): SafeHtml {
  return html`
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <p class="govuk-body">There are no cases on this device yet.</p>
        ${signedIn
          ? html`<p class="govuk-body">Cases assigned to you will appear here after Doorstep next syncs with your council’s server.</p>
              <a href="#/cases/new" role="button" draggable="false" class="govuk-button" data-module="govuk-button">Create a new case</a>`
          : html`<p class="govuk-body">Cases will appear here after you <a class="govuk-link" href="#/sign-in">sign in</a> and sync with your council’s Doorstep server.</p>`}
      </div>
    </div>`
}

function dateItem(part: 'day' | 'month' | 'year', label: string, value: string, width: 2 | 4): SafeHtml {
  return html`
    <div class="govuk-date-input__item">
      <div class="govuk-form-group">
        <label class="govuk-label govuk-date-input__label" for="due-before-${part}">${label}</label>
        <input class="govuk-input govuk-date-input__input govuk-input--width-${width}" id="due-before-${part}"
          name="due-before-${part}" type="text" inputmode="numeric" autocomplete="off" value="${value}">
      </div>
    </div>`
}

function browseMarkup(filters: CaseFilters): SafeHtml {
  return html`
    <a href="#/cases/new" role="button" draggable="false" class="govuk-button govuk-button--secondary" data-module="govuk-button">Create a new case</a>
    <form class="doorstep-case-filters" role="search" aria-label="Search and filter cases" novalidate data-case-filters>
      <div class="govuk-form-group doorstep-case-filters__search">
        <label class="govuk-label govuk-label--s" for="case-search">Search cases</label>
        <div id="case-search-hint" class="govuk-hint">Names, references, summaries and notes. The list changes as you type.</div>
        <input class="govuk-input" id="case-search" name="case-search" type="search" autocomplete="off" spellcheck="false"
          aria-describedby="case-search-hint" value="${filters.text}">
      </div>
      <div class="doorstep-case-filters__grid">
        ${select({ id: 'case-status', label: 'Status', options: STATUS_OPTIONS, value: filters.status })}
        ${select({ id: 'case-risk', label: 'Risk warnings', options: RISK_OPTIONS, value: filters.risk })}
        ${select({ id: 'case-sort', label: 'Sort by', options: SORT_OPTIONS, value: filters.sort })}
        <div class="govuk-form-group doorstep-case-filters__due" data-due-group>
          <fieldset class="govuk-fieldset" role="group" aria-describedby="due-before-hint">
            <legend class="govuk-fieldset__legend">Due before</legend>
            <div id="due-before-hint" class="govuk-hint">For example, 27 3 2026</div>
            <p id="due-before-error" class="govuk-error-message" hidden><span class="govuk-visually-hidden">Error:</span> ${DUE_BEFORE_ERROR}</p>
            <div class="govuk-date-input" id="due-before">
              ${dateItem('day', 'Day', filters.dueBefore.day, 2)}
              ${dateItem('month', 'Month', filters.dueBefore.month, 2)}
              ${dateItem('year', 'Year', filters.dueBefore.year, 4)}
            </div>
          </fieldset>
        </div>
        <div class="govuk-form-group doorstep-case-filters__conflicts">
          <div class="govuk-checkboxes govuk-checkboxes--small">
            <div class="govuk-checkboxes__item">
              <input class="govuk-checkboxes__input" id="case-conflicts" name="case-conflicts" type="checkbox" value="yes"${filters.conflictsOnly ? html` checked` : ''}>
              <label class="govuk-label govuk-checkboxes__label" for="case-conflicts">Only cases with conflicts</label>
            </div>
          </div>
        </div>
      </div>
    </form>
    <div class="doorstep-case-results">
      <div class="doorstep-case-results__bar">
        <p class="govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-0" id="case-count" role="status"></p>
        <a class="govuk-link doorstep-case-results__clear" href="#/cases" data-clear-filters hidden>Clear filters</a>
      </div>
      <p class="govuk-hint" id="case-list-hint">In the list, the up and down arrow keys move between cases, and Enter opens one.</p>
      <div data-case-list-host></div>
      <div data-case-list-empty hidden>
        <p class="govuk-body">No cases match your search and filters.</p>
        <p class="govuk-body"><a class="govuk-link" href="#/cases" data-clear-filters>Clear filters</a> to see all your cases.</p>
      </div>
      <div data-case-list-problem></div>
    </div>`
}

class CasesPage {
  private readonly body: HTMLElement
  private readonly ctx: ViewContext
  private filters = copyFilters(remembered.filters)
  private readonly gate = createLatestGate()
  private readonly search = debounce(() => void this.runQuery(), SEARCH_DELAY_MS)
  private readonly signedIn: Promise<boolean>
  private mode: 'loading' | 'no-cases' | 'browse' = 'loading'
  private list: VirtualCaseList | null = null

  constructor(body: HTMLElement, ctx: ViewContext) {
    this.body = body
    this.ctx = ctx
    // Only the "no cases yet" text needs it; ask at once so it is ready.
    this.signedIn = deviceStatus().then(
      (status) => status.signedIn,
      () => false,
    )
  }

  start(): void {
    void this.runQuery({ scrollTop: remembered.scrollTop })
    onSyncFinished(this.body, () => this.refresh())
  }

  private part<T extends HTMLElement>(selector: string): T {
    return this.body.querySelector<T>(selector)!
  }

  /** Asks Rust for the first page of the current query and shows it, unless a newer query overtook it. */
  private async runQuery({ scrollTop = 0 }: { scrollTop?: number } = {}): Promise<void> {
    const query = queryFor(this.filters)
    remembered.filters = copyFilters(this.filters)
    let answer: CaseList
    try {
      const outcome = await this.gate.run(() => listCases({ ...query, offset: 0, limit: PAGE_SIZE }))
      if (outcome.stale) return
      answer = outcome.value
    } catch (error) {
      this.showProblem(error)
      return
    }
    if (!this.body.isConnected && this.mode !== 'loading') return
    if (answer.total === 0 && !narrowsList(this.filters)) {
      await this.showNoCases()
      return
    }
    this.showBrowse()
    this.showResults(query, answer, scrollTop)
  }

  /** After a sync: the same query again, keeping the person's place. */
  private refresh(): void {
    if (this.mode === 'browse' && this.list !== null && !this.part('[data-case-list-host]').hidden) {
      this.list.refresh()
    } else {
      void this.runQuery()
    }
  }

  private async showNoCases(): Promise<void> {
    const signedIn = await this.signedIn
    this.mode = 'no-cases'
    this.list?.destroy()
    this.list = null
    renderInto(this.body, noCasesMarkup(signedIn))
    this.ctx.initComponents(this.body)
  }

  private showBrowse(): void {
    if (this.mode === 'browse') return
    this.mode = 'browse'
    renderInto(this.body, browseMarkup(this.filters))
    this.ctx.initComponents(this.body)
    this.list = new VirtualCaseList(this.part('[data-case-list-host]'), {
      labelledBy: 'case-count',
      describedBy: 'case-list-hint',
      onTotalChange: (total) => {
        // A sync emptied the list: let the query decide which empty state it is.
        if (total === 0) void this.runQuery()
        else this.showCount(total)
      },
      onError: (error) => this.showProblem(error),
      onScroll: (scrollTop) => {
        remembered.scrollTop = scrollTop
      },
    })
    this.wireFilters()
  }

  private showCount(total: number): void {
    this.part('#case-count').textContent = plural(total, 'case')
  }

  private showResults(query: CaseQuery, answer: CaseList, scrollTop: number): void {
    renderInto(this.part('[data-case-list-problem]'), html``)
    this.showCount(answer.total)
    const empty = answer.total === 0
    const narrowed = narrowsList(this.filters)
    this.part('[data-case-list-host]').hidden = empty
    this.part('[data-case-list-empty]').hidden = !empty
    this.part('#case-list-hint').hidden = empty
    this.part('.doorstep-case-results__clear').hidden = empty || !narrowed
    remembered.scrollTop = scrollTop
    this.list?.reset((offset, limit) => listCases({ ...query, offset, limit }), answer, scrollTop)
  }

  /** Why the cases could not be read: the first page of a query, or a later page the list asked for. */
  private showProblem(error: unknown): void {
    if (handleLocked(error)) return
    const box = problemBox('Your cases could not be shown', describeIpcError(error), 'Try again')
    const target = this.mode === 'browse' ? this.part('[data-case-list-problem]') : this.body
    renderInto(target, box)
    target.querySelector('[data-retry]')?.addEventListener('click', () => {
      renderInto(target, html`<p class="govuk-body">Loading your cases…</p>`)
      void this.runQuery()
    })
  }

  private wireFilters(): void {
    const form = this.part<HTMLFormElement>('[data-case-filters]')
    const dueGroup = this.part('[data-due-group]')

    form.addEventListener('submit', (event) => {
      // Enter in the search box: search now rather than after the pause.
      event.preventDefault()
      this.search.cancel()
      void this.runQuery()
    })

    form.addEventListener('input', (event) => {
      const target = event.target
      if (!(target instanceof HTMLInputElement)) return
      if (target.id === 'case-search') {
        this.filters.text = target.value
        this.search()
      } else if (dueGroup.contains(target)) {
        const before = queryFor(this.filters).dueBefore
        this.filters.dueBefore = this.readDueBefore()
        const reading = readDate(this.filters.dueBefore)
        // A half-typed date is not a filter yet; its error waits until the person leaves the date.
        if (reading.kind !== 'invalid') this.showDateError(false)
        if (reading.kind !== 'invalid' && queryFor(this.filters).dueBefore !== before) this.search()
      }
    })

    form.addEventListener('change', (event) => {
      const target = event.target
      if (target instanceof HTMLSelectElement) {
        if (target.id === 'case-status') this.filters.status = target.value as CaseFilters['status']
        if (target.id === 'case-risk') this.filters.risk = target.value as RiskFilter
        if (target.id === 'case-sort') this.filters.sort = target.value as CaseFilters['sort']
      } else if (target instanceof HTMLInputElement && target.id === 'case-conflicts') {
        this.filters.conflictsOnly = target.checked
      } else {
        return
      }
      this.search.cancel()
      void this.runQuery()
    })

    dueGroup.addEventListener('focusout', (event) => {
      if (event.relatedTarget instanceof Node && dueGroup.contains(event.relatedTarget)) return
      this.showDateError(readDate(this.filters.dueBefore).kind === 'invalid')
    })

    this.body.addEventListener('click', (event) => {
      const link = (event.target as Element).closest('[data-clear-filters]')
      if (link === null) return
      event.preventDefault()
      this.clearFilters()
    })
  }

  private readDueBefore(): CaseFilters['dueBefore'] {
    const value = (part: string) => this.part<HTMLInputElement>(`#due-before-${part}`).value
    return { day: value('day'), month: value('month'), year: value('year') }
  }

  private showDateError(show: boolean): void {
    const group = this.part('[data-due-group]')
    group.classList.toggle('govuk-form-group--error', show)
    this.part('#due-before-error').hidden = !show
    group.querySelector('fieldset')!.setAttribute('aria-describedby', show ? 'due-before-hint due-before-error' : 'due-before-hint')
    for (const input of group.querySelectorAll('input')) input.classList.toggle('govuk-input--error', show)
  }

  private clearFilters(): void {
    this.filters = copyFilters(DEFAULT_FILTERS)
    this.part<HTMLInputElement>('#case-search').value = ''
    this.part<HTMLSelectElement>('#case-status').value = DEFAULT_FILTERS.status
    this.part<HTMLSelectElement>('#case-risk').value = DEFAULT_FILTERS.risk
    this.part<HTMLSelectElement>('#case-sort').value = DEFAULT_FILTERS.sort
    this.part<HTMLInputElement>('#case-conflicts').checked = false
    for (const part of ['day', 'month', 'year']) this.part<HTMLInputElement>(`#due-before-${part}`).value = ''
    this.showDateError(false)
    this.search.cancel()
    void this.runQuery()
    // The link that was pressed is about to hide; the search box is where to start again.
    this.part<HTMLInputElement>('#case-search').focus()
  }
}

export const casesView: View = {
  title: 'My cases',
  render(container, ctx) {
    renderInto(
      container,
      html`${pageHeading('My cases')}
        <div data-cases-body><p class="govuk-body">Loading your cases…</p></div>`,
    )
    new CasesPage(container.querySelector<HTMLElement>('[data-cases-body]')!, ctx).start()
  },
}
