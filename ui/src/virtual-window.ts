// The arithmetic behind the virtual case list: which rows to put in the DOM
// for a scroll position, which pages of rows to ask Rust for, and where a
// key press moves. Every row has the same height, so a row's position is
// just index × height.

export interface Viewport {
  scrollTop: number
  /** The visible height of the scrolling box, in CSS px. */
  height: number
  rowHeight: number
  total: number
}

/** Rows `first` to `end - 1`; `end` is exclusive, so an empty range has first === end. */
export interface RowRange {
  first: number
  end: number
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high)
}

/** The rows at least partly inside the viewport. */
export function rowsInView({ scrollTop, height, rowHeight, total }: Viewport): RowRange {
  if (total <= 0 || rowHeight <= 0) return { first: 0, end: 0 }
  const first = clamp(Math.floor(scrollTop / rowHeight), 0, total - 1)
  const end = clamp(Math.ceil((scrollTop + Math.max(height, 0)) / rowHeight), first + 1, total)
  return { first, end }
}

/** The rows in view plus `overscan` rows either side, so a short scroll shows rows at once. */
export function rowsToRender(viewport: Viewport, overscan: number): RowRange {
  const { first, end } = rowsInView(viewport)
  if (first === end) return { first, end }
  return { first: Math.max(0, first - overscan), end: Math.min(viewport.total, end + overscan) }
}

/** The page numbers (`pageSize` rows each, from 0) that hold the rows in `range`. */
export function pagesCovering({ first, end }: RowRange, pageSize: number): number[] {
  if (end <= first) return []
  const pages: number[] = []
  for (let page = Math.floor(first / pageSize); page <= Math.floor((end - 1) / pageSize); page++) pages.push(page)
  return pages
}

/** The smallest scroll that shows row `index` whole: unchanged if it is already in view. */
export function scrollTopToReveal(index: number, { scrollTop, height, rowHeight }: Omit<Viewport, 'total'>): number {
  const top = index * rowHeight
  const bottom = top + rowHeight
  if (top < scrollTop) return top
  if (bottom > scrollTop + height) return Math.max(0, bottom - height)
  return scrollTop
}

/** How many whole rows fit in the viewport: the step for Page Up and Page Down. */
export function rowsPerPage({ height, rowHeight }: Pick<Viewport, 'height' | 'rowHeight'>): number {
  return rowHeight > 0 ? Math.max(1, Math.floor(height / rowHeight)) : 1
}

/**
 * Where a key moves the focus in a list of `total` rows, or null for keys the
 * list does not handle (Tab, letters, Enter: those keep their usual meaning).
 */
export function rowForKey(key: string, current: number, total: number, pageRows: number): number | null {
  if (total <= 0) return null
  const last = total - 1
  switch (key) {
    case 'ArrowDown':
      return clamp(current + 1, 0, last)
    case 'ArrowUp':
      return clamp(current - 1, 0, last)
    case 'PageDown':
      return clamp(current + pageRows, 0, last)
    case 'PageUp':
      return clamp(current - pageRows, 0, last)
    case 'Home':
      return 0
    case 'End':
      return last
    default:
      return null
  }
}
