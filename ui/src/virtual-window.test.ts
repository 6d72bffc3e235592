import { describe, expect, it } from 'vitest'
import { pagesCovering, rowForKey, rowsInView, rowsPerPage, rowsToRender, scrollTopToReveal } from './virtual-window'

const view = { height: 500, rowHeight: 100, total: 10_000 }

describe('which rows are in view', () => {
  it('at the top: the rows the viewport covers, partly covered ones included', () => {
    expect(rowsInView({ ...view, scrollTop: 0 })).toEqual({ first: 0, end: 5 })
    expect(rowsInView({ ...view, scrollTop: 50 })).toEqual({ first: 0, end: 6 })
  })

  it('part way down, and at the very end', () => {
    expect(rowsInView({ ...view, scrollTop: 123_450 })).toEqual({ first: 1_234, end: 1_240 })
    expect(rowsInView({ ...view, scrollTop: 999_500 })).toEqual({ first: 9_995, end: 10_000 })
  })

  it('never past the last row, even when the browser overscrolls', () => {
    expect(rowsInView({ ...view, scrollTop: 5_000_000 })).toEqual({ first: 9_999, end: 10_000 })
  })

  it('nothing for an empty list', () => {
    expect(rowsInView({ ...view, total: 0, scrollTop: 0 })).toEqual({ first: 0, end: 0 })
  })

  it('renders a margin either side, clipped to the list', () => {
    expect(rowsToRender({ ...view, scrollTop: 123_450 }, 6)).toEqual({ first: 1_228, end: 1_246 })
    expect(rowsToRender({ ...view, scrollTop: 0 }, 6)).toEqual({ first: 0, end: 11 })
    expect(rowsToRender({ ...view, total: 3, scrollTop: 0 }, 6)).toEqual({ first: 0, end: 3 })
  })

  it('keeps the DOM small however long the list is', () => {
    const range = rowsToRender({ height: 800, rowHeight: 112, total: 100_000, scrollTop: 4_000_000 }, 6)
    expect(range.end - range.first).toBeLessThan(30)
  })
})

describe('which pages to ask Rust for', () => {
  it('the pages holding the rows, each once', () => {
    expect(pagesCovering({ first: 0, end: 11 }, 100)).toEqual([0])
    expect(pagesCovering({ first: 95, end: 110 }, 100)).toEqual([0, 1])
    expect(pagesCovering({ first: 9_990, end: 10_000 }, 100)).toEqual([99])
    expect(pagesCovering({ first: 5, end: 5 }, 100)).toEqual([])
  })
})

describe('scrolling a row into view', () => {
  const box = { height: 500, rowHeight: 100 }
  it('leaves the scroll alone when the row is already whole in view', () => {
    expect(scrollTopToReveal(3, { ...box, scrollTop: 0 })).toBe(0)
  })
  it('scrolls up to a row above, and down just enough for a row below', () => {
    expect(scrollTopToReveal(2, { ...box, scrollTop: 1_000 })).toBe(200)
    expect(scrollTopToReveal(20, { ...box, scrollTop: 0 })).toBe(1_600)
    expect(scrollTopToReveal(9_999, { ...box, scrollTop: 0 })).toBe(999_500)
  })
})

describe('keys in the list', () => {
  it('move one row, a page, or to either end, staying inside the list', () => {
    expect(rowForKey('ArrowDown', 4, 10, 3)).toBe(5)
    expect(rowForKey('ArrowUp', 4, 10, 3)).toBe(3)
    expect(rowForKey('ArrowUp', 0, 10, 3)).toBe(0)
    expect(rowForKey('ArrowDown', 9, 10, 3)).toBe(9)
    expect(rowForKey('PageDown', 8, 10, 3)).toBe(9)
    expect(rowForKey('PageUp', 2, 10, 3)).toBe(0)
    expect(rowForKey('Home', 7, 10, 3)).toBe(0)
    expect(rowForKey('End', 0, 10, 3)).toBe(9)
  })

  it('leave other keys alone, so Tab and Enter keep their meaning', () => {
    expect(rowForKey('Tab', 4, 10, 3)).toBeNull()
    expect(rowForKey('Enter', 4, 10, 3)).toBeNull()
    expect(rowForKey('ArrowDown', 0, 0, 3)).toBeNull()
  })

  it('a page is the whole rows that fit, at least one', () => {
    expect(rowsPerPage({ height: 500, rowHeight: 112 })).toBe(4)
    expect(rowsPerPage({ height: 50, rowHeight: 112 })).toBe(1)
  })
})
