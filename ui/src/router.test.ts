import { afterEach, describe, expect, it, vi } from 'vitest'
import { createRouter, pathFromHash, type RouteChange, type Router } from './router'

describe('reading the route from the address', () => {
  it.each([
    ['#/cases', '/cases'],
    ['#/cases/', '/cases'],
    ['#/about?x=1', '/about'],
    ['', null],
    ['#', null],
    ['#/', null],
    ['#main-content', undefined],
    ['#username', undefined],
  ])('%s gives %s', (hash, expected) => {
    expect(pathFromHash(hash)).toBe(expected)
  })
})

describe('moving between pages', () => {
  const routes = { '/cases': 'cases page', '/sign-in': 'sign-in page', '/about': 'about page' }
  let router: Router | undefined

  afterEach(() => router?.stop())

  function start(hash = ''): RouteChange<string>[] {
    window.history.replaceState(null, '', `/${hash}`)
    const changes: RouteChange<string>[] = []
    router = createRouter({ routes, defaultPath: '/sign-in', onChange: (c) => changes.push(c) })
    router.start()
    return changes
  }

  function goTo(hash: string): void {
    window.history.pushState(null, '', hash)
    window.dispatchEvent(new HashChangeEvent('hashchange'))
  }

  it('opens the start page when the app starts with no route, without adding to history', () => {
    const before = window.history.length
    const changes = start()
    expect(changes).toEqual([{ path: '/sign-in', route: 'sign-in page', initial: true }])
    expect(window.location.hash).toBe('#/sign-in')
    expect(window.history.length).toBe(before)
  })

  it('opens the page in the address when the app starts on one', () => {
    expect(start('#/about')).toEqual([{ path: '/about', route: 'about page', initial: true }])
  })

  it('shows the page a navigation link points at', () => {
    const changes = start()
    goTo('#/cases')
    expect(changes.at(-1)).toEqual({ path: '/cases', route: 'cases page', initial: false })
    expect(router!.currentPath).toBe('/cases')
  })

  it('reports an unknown address so the app can say the page was not found', () => {
    const changes = start()
    goTo('#/nowhere')
    expect(changes.at(-1)).toEqual({ path: '/nowhere', route: undefined, initial: false })
  })

  it('does not treat routes inherited from Object as pages', () => {
    const changes = start()
    goTo('#/constructor')
    expect(changes.at(-1)?.route).toBeUndefined()
  })

  it('stays on the current page when a skip link or error link changes the hash', () => {
    const changes = start('#/cases')
    goTo('#main-content')
    goTo('#/cases')
    expect(changes).toHaveLength(1)
  })

  it('goes back to the start page if the route is cleared', () => {
    const changes = start('#/cases')
    goTo('#/')
    expect(changes.at(-1)?.path).toBe('/sign-in')
    expect(window.location.hash).toBe('#/sign-in')
  })

  it('navigates in code by changing the address', async () => {
    const changes = start()
    const seen = new Promise((resolve) => window.addEventListener('hashchange', resolve, { once: true }))
    router!.navigate('/cases')
    expect(window.location.hash).toBe('#/cases')
    await seen
    expect(changes.at(-1)?.path).toBe('/cases')
  })

  it('stops listening once stopped', () => {
    const onChange = vi.fn()
    window.history.replaceState(null, '', '/#/cases')
    router = createRouter({ routes, defaultPath: '/sign-in', onChange })
    router.start()
    router.stop()
    goTo('#/about')
    expect(onChange).toHaveBeenCalledTimes(1)
  })
})
