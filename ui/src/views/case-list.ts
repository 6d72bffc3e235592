// The virtual list on My cases. A laptop may hold 10,000 cases or more, so
// only the rows in view (and a few either side) exist in the DOM; the rest
// of the list is empty height. Rows come from Rust a page at a time as the
// list scrolls, and pages are kept for when it scrolls back.
//
// Keyboard: the list is one Tab stop (a roving tabindex on the rows' links).
// Up and Down move one case, Page Up and Page Down a screenful, Home and End
// to the first and last case, scrolling as they go; Enter opens the case.
import { html, renderInto, type SafeHtml } from '../html'
import type { CaseList, CaseRow } from '../ipc'
import { calendarDateOf, formatCalendarDate } from '../time-format'
import {
  pagesCovering,
  rowForKey,
  rowsInView,
  rowsPerPage,
  rowsToRender,
  scrollTopToReveal,
  type Viewport,
} from '../virtual-window'
import { caseTitle, conflictTag, statusTag, syncTag } from './case-labels'
import { tag } from './govuk-form-markup'

/** Rows per `list_cases` call: a few screens' worth, well under Rust's 500. */
export const PAGE_SIZE = 100
/** Rows rendered beyond each edge of the viewport. */
const OVERSCAN = 6
/** Pages kept in memory; the furthest from view are dropped first. */
const MAX_CACHED_PAGES = 40
/** Used until a row has been measured, and where nothing has layout (unit tests). */
const FALLBACK_ROW_HEIGHT = 128
const FALLBACK_VIEWPORT_HEIGHT = 640

export type PageLoader = (offset: number, limit: number) => Promise<CaseList>

export interface CaseListOptions {
  /** The id of the element that names the list (the case count). */
  labelledBy: string
  /** The id of the keyboard hint. */
  describedBy: string
  /** The number of matching cases changed while scrolling (a sync added or removed some). */
  onTotalChange(total: number): void
  /** A page could not be loaded. */
  onError(error: unknown): void
  /** The list scrolled; for remembering where the person was. */
  onScroll?(scrollTop: number): void
}

interface RenderedRow {
  element: HTMLLIElement
  /** The row's data when it was drawn; null for a "Loading" placeholder, undefined before the first draw. */
  data: CaseRow | null | undefined
}

function isOverdue(row: CaseRow, today: string): boolean {
  return row.dueDate !== null && row.dueDate < today && row.status !== 'closed'
}

function rowMarkup(row: CaseRow, index: number, today: string): SafeHtml {
  const id = `case-row-${index}`
  return html`
    <div class="doorstep-case-row__main">
      <p class="doorstep-case-row__title">
        <a class="govuk-link doorstep-case-row__link" href="#/cases/${encodeURIComponent(row.caseId)}" aria-describedby="${id}-about ${id}-state">${caseTitle(row.reference)}</a>
        <span class="doorstep-case-row__type">${row.caseType}</span>
      </p>
      <div id="${id}-about">
        <p class="doorstep-case-row__line">${row.summary}</p>
        <p class="doorstep-case-row__line">${row.peopleNames.length === 0
          ? html`<span class="doorstep-case-row__muted">No people added</span>`
          : html`<span class="govuk-visually-hidden">People: </span>${row.peopleNames.join(', ')}`}</p>
        ${row.riskWarnings.length > 0 &&
        html`<p class="doorstep-case-row__line doorstep-case-row__risk">${tag('Risk', 'red')} ${row.riskWarnings.join('; ')}</p>`}
      </div>
    </div>
    <p class="doorstep-case-row__state" id="${id}-state">
      ${statusTag(row.status)} ${syncTag(row.sync)} ${conflictTag(row.conflictCount)}
      ${row.dueDate === null
        ? html`<span class="doorstep-case-row__due doorstep-case-row__muted">No due date</span>`
        : isOverdue(row, today)
          ? html`<strong class="doorstep-case-row__overdue">Overdue: due ${formatCalendarDate(row.dueDate)}</strong>`
          : html`<span class="doorstep-case-row__due">Due ${formatCalendarDate(row.dueDate)}</span>`}
    </p>`
}

function placeholderMarkup(index: number, total: number): SafeHtml {
  return html`<p class="doorstep-case-row__loading">Loading case ${(index + 1).toLocaleString('en-GB')} of ${total.toLocaleString('en-GB')}…</p>`
}

export class VirtualCaseList {
  readonly viewport: HTMLDivElement
  private readonly list: HTMLUListElement
  private readonly options: CaseListOptions
  private readonly rendered = new Map<number, RenderedRow>()
  /** Loaded pages by page number, oldest use first. */
  private readonly pages = new Map<number, CaseRow[]>()
  /**
   * The pages from before a refresh, shown until their new answers arrive,
   * so rows (and the focused link) do not blink into "Loading" after a sync.
   */
  private stale = new Map<number, CaseRow[]>()
  private readonly loading = new Set<number>()
  private load: PageLoader = () => Promise.resolve({ total: 0, rows: [] })
  /** Bumped for every new query: answers for an older one are dropped. */
  private generation = 0
  private total = 0
  private rowHeight = FALLBACK_ROW_HEIGHT
  private measured = false
  /** The row whose link is the list's Tab stop. */
  private activeIndex = 0
  /** A row the keyboard moved to before its page had arrived. */
  private focusWhenLoaded: number | null = null
  private frame = 0
  private readonly resizeObserver: ResizeObserver | null = null

  constructor(host: HTMLElement, options: CaseListOptions) {
    this.options = options
    renderInto(
      host,
      html`<div class="doorstep-case-list" data-case-list>
        <ul class="doorstep-case-list__rows" aria-labelledby="${options.labelledBy}" aria-describedby="${options.describedBy}"></ul>
      </div>`,
    )
    this.viewport = host.querySelector<HTMLDivElement>('[data-case-list]')!
    this.list = this.viewport.querySelector('ul')!
    this.viewport.addEventListener('scroll', () => this.scheduleRender(), { passive: true })
    this.list.addEventListener('keydown', (event) => this.onKeyDown(event))
    this.list.addEventListener('focusin', (event) => this.onFocusIn(event))
    if (typeof ResizeObserver !== 'undefined') {
      this.resizeObserver = new ResizeObserver(() => this.onResize())
      this.resizeObserver.observe(this.viewport)
    }
  }

  /** Shows a new query's results, starting from its first page. */
  reset(load: PageLoader, first: CaseList, scrollTop = 0): void {
    this.generation += 1
    this.load = load
    this.pages.clear()
    this.stale.clear()
    this.loading.clear()
    this.total = first.total
    this.storePage(0, first.rows)
    this.activeIndex = 0
    this.focusWhenLoaded = null
    for (const row of this.rendered.values()) row.element.remove()
    this.rendered.clear()
    this.applyHeight()
    this.viewport.scrollTop = scrollTop
    this.render()
  }

  /** Asks again for the pages in view (after a sync), keeping the scroll position and focus. */
  refresh(): void {
    this.generation += 1
    this.stale = new Map(this.pages)
    this.pages.clear()
    this.loading.clear()
    this.render()
  }

  /** Stops watching the viewport's size; the page is going away. */
  destroy(): void {
    this.resizeObserver?.disconnect()
    if (this.frame !== 0) cancelAnimationFrame(this.frame)
  }

  /** How many rows are in the DOM now: for tests and for the curious. */
  get renderedCount(): number {
    return this.rendered.size
  }

  private viewportBox(): Viewport {
    return {
      scrollTop: this.viewport.scrollTop,
      height: this.viewport.clientHeight || FALLBACK_VIEWPORT_HEIGHT,
      rowHeight: this.rowHeight,
      total: this.total,
    }
  }

  private storePage(page: number, rows: CaseRow[]): void {
    this.stale.delete(page)
    this.pages.delete(page)
    this.pages.set(page, rows)
    while (this.pages.size > MAX_CACHED_PAGES) {
      const visible = new Set(pagesCovering(rowsToRender(this.viewportBox(), OVERSCAN), PAGE_SIZE))
      const evictable = [...this.pages.keys()].find((p) => !visible.has(p))
      if (evictable === undefined) break
      this.pages.delete(evictable)
    }
  }

  private rowAt(index: number): CaseRow | undefined {
    const page = Math.floor(index / PAGE_SIZE)
    return (this.pages.get(page) ?? this.stale.get(page))?.[index % PAGE_SIZE]
  }

  private ensurePage(page: number): void {
    if (this.pages.has(page) || this.loading.has(page)) return
    const generation = this.generation
    this.loading.add(page)
    this.load(page * PAGE_SIZE, PAGE_SIZE)
      .then((answer) => {
        if (generation !== this.generation) return
        this.loading.delete(page)
        this.storePage(page, answer.rows)
        if (answer.total !== this.total) {
          this.total = answer.total
          this.applyHeight()
          this.options.onTotalChange(answer.total)
        }
        this.render()
      })
      .catch((error: unknown) => {
        if (generation !== this.generation) return
        this.loading.delete(page)
        this.options.onError(error)
      })
  }

  private applyHeight(): void {
    this.list.style.height = `${this.total * this.rowHeight}px`
  }

  private scheduleRender(): void {
    if (this.frame !== 0) return
    this.frame = requestAnimationFrame(() => {
      this.frame = 0
      this.render()
      this.options.onScroll?.(this.viewport.scrollTop)
    })
  }

  private onResize(): void {
    // The page was replaced: nothing left to lay out.
    if (!this.viewport.isConnected) {
      this.destroy()
      return
    }
    // The row height comes from CSS and changes with the window's width
    // (rows wrap onto more lines on a narrow screen) and with text size.
    this.measured = false
    this.render()
  }

  /** Reads the row height the CSS gives, keeping the same first row in view if it changed. */
  private measure(sample: HTMLLIElement): void {
    if (this.measured) return
    const height = sample.getBoundingClientRect().height
    if (height <= 0) return
    this.measured = true
    if (Math.abs(height - this.rowHeight) < 0.5) return
    const firstInView = Math.floor(this.viewport.scrollTop / this.rowHeight)
    this.rowHeight = height
    this.applyHeight()
    this.viewport.scrollTop = firstInView * height
  }

  private focusedIndex(): number | null {
    const focused = document.activeElement
    if (!(focused instanceof HTMLElement) || !this.list.contains(focused)) return null
    const index = focused.closest<HTMLElement>('[data-index]')?.dataset['index']
    return index === undefined ? null : Number(index)
  }

  private render(): void {
    let range = rowsToRender(this.viewportBox(), OVERSCAN)
    for (const page of pagesCovering(range, PAGE_SIZE)) this.ensurePage(page)
    const focused = this.focusedIndex()

    // The Tab stop follows the person: the focused row, else the row they
    // last moved to if it is still near the view, else the first row in view.
    if (focused !== null) this.activeIndex = focused
    else if (this.activeIndex < range.first || this.activeIndex >= range.end || this.activeIndex >= this.total) {
      this.activeIndex = rowsInView(this.viewportBox()).first
    }

    for (const [index, row] of this.rendered) {
      // The focused row stays even when scrolled away, or focus would drop to the page.
      if ((index < range.first || index >= range.end || index >= this.total) && index !== focused) {
        row.element.remove()
        this.rendered.delete(index)
      }
    }

    const today = calendarDateOf(new Date())
    for (let index = range.first; index < range.end; index++) this.drawRow(index, today)

    const sample = this.rendered.values().next().value
    if (sample !== undefined && !this.measured) {
      this.measure(sample.element)
      if (this.measured) {
        range = rowsToRender(this.viewportBox(), OVERSCAN)
        for (const [index, row] of this.rendered) row.element.style.top = `${index * this.rowHeight}px`
        for (let index = range.first; index < range.end; index++) this.drawRow(index, today)
      }
    }

    if (this.focusWhenLoaded !== null && this.rowAt(this.focusWhenLoaded) !== undefined) {
      const index = this.focusWhenLoaded
      this.focusWhenLoaded = null
      this.focusRow(index)
    }
  }

  private drawRow(index: number, today: string): void {
    const data = this.rowAt(index) ?? null
    let row = this.rendered.get(index)
    if (row === undefined) {
      const element = document.createElement('li')
      element.className = 'doorstep-case-row'
      element.dataset['index'] = String(index)
      row = { element, data: undefined }
      this.insertInOrder(index, element)
      this.rendered.set(index, row)
    }
    if (row.data !== data) {
      const hadFocus = row.element.contains(document.activeElement)
      renderInto(row.element, data === null ? placeholderMarkup(index, this.total) : rowMarkup(data, index, today))
      row.element.classList.toggle('doorstep-case-row--loading', data === null)
      row.data = data
      if (hadFocus) this.linkOf(index)?.focus({ preventScroll: true })
    }
    row.element.style.top = `${index * this.rowHeight}px`
    row.element.setAttribute('aria-posinset', String(index + 1))
    row.element.setAttribute('aria-setsize', String(this.total))
    const link = this.linkOf(index)
    if (link) link.tabIndex = index === this.activeIndex ? 0 : -1
  }

  /** Keeps the DOM in list order, for screen readers' reading order, without moving the focused row. */
  private insertInOrder(index: number, element: HTMLLIElement): void {
    let before: HTMLLIElement | null = null
    for (const [other, row] of this.rendered) {
      if (other > index && (before === null || other < Number(before.dataset['index']))) before = row.element
    }
    this.list.insertBefore(element, before)
  }

  private linkOf(index: number): HTMLAnchorElement | null {
    return this.rendered.get(index)?.element.querySelector<HTMLAnchorElement>('a') ?? null
  }

  private onFocusIn(event: FocusEvent): void {
    const index = (event.target as HTMLElement).closest<HTMLElement>('[data-index]')?.dataset['index']
    if (index === undefined || Number(index) === this.activeIndex) return
    this.linkOf(this.activeIndex)?.setAttribute('tabindex', '-1')
    this.activeIndex = Number(index)
    this.linkOf(this.activeIndex)?.setAttribute('tabindex', '0')
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return
    const current = this.focusedIndex() ?? this.activeIndex
    const target = rowForKey(event.key, current, this.total, rowsPerPage(this.viewportBox()))
    if (target === null) return
    event.preventDefault()
    this.focusRow(target)
  }

  /** Scrolls row `index` into view and focuses its link, once its page has arrived. */
  private focusRow(index: number): void {
    this.viewport.scrollTop = scrollTopToReveal(index, this.viewportBox())
    this.activeIndex = index
    this.focusWhenLoaded = null
    this.render()
    const link = this.linkOf(index)
    if (link) {
      link.tabIndex = 0
      link.focus({ preventScroll: true })
      for (const [other] of this.rendered) if (other !== index) this.linkOf(other)?.setAttribute('tabindex', '-1')
    } else {
      this.focusWhenLoaded = index
    }
  }
}
