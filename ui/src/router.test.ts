import { afterEach, describe, expect, it, vi } from 'vitest'
import { createRouter, matchRoute, pathFromHash, type RouteChange, type Router } from './router'

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

describe('pages with a value in the address, such as /cases/:id', () => {
  const routes = {
    '/cases': 'cases page',
    '/cases/new': 'new case page',
    '/cases/:id': 'case page',
    '/cases/:id/notes/:noteId': 'note page',
    '/sign-in': 'sign-in page',
  }

  it('gives the page the value from the address', () => {
    expect(matchRoute(routes, '/cases/01J9ZK')).toEqual({ route: 'case page', params: { id: '01J9ZK' } })
    expect(matchRoute(routes, '/cases/c1/notes/n2')).toEqual({ route: 'note page', params: { id: 'c1', noteId: 'n2' } })
  })

  it('lets an exact path win over a pattern, wherever it is listed', () => {
    expect(matchRoute(routes, '/cases/new')).toEqual({ route: 'new case page' })
    expect(matchRoute({ '/cases/:id': 'case page', '/cases/new': 'new case page' }, '/cases/new')).toEqual({ route: 'new case page' })
    expect(matchRoute(routes, '/cases')).toEqual({ route: 'cases page' })
  })

  it('decodes escaped characters in the value', () => {
    expect(matchRoute(routes, '/cases/a%20b')?.params).toEqual({ id: 'a b' })
  })

  it.each(['/cases/c1/extra', '/cases/c1/notes', '/cases/%E0%A4%A', '/people/c1', '/cases/:id/notes'])('finds no page for %s', (path) => {
    expect(matchRoute(routes, path)).toBeUndefined()
  })

  it('does not treat a pattern written into the address as an exact path', () => {
    expect(matchRoute(routes, '/cases/:id')).toEqual({ route: 'case page', params: { id: ':id' } })
  })

  describe('while the app runs', () => {
    let router: Router | undefined
    afterEach(() => router?.stop())

    function goTo(hash: string): void {
      window.history.pushState(null, '', hash)
      window.dispatchEvent(new HashChangeEvent('hashchange'))
    }

    it('reports the values with the change, and moves between two cases', () => {
      window.history.replaceState(null, '', '/#/cases/c1')
      const changes: RouteChange<string>[] = []
      router = createRouter({ routes, defaultPath: '/sign-in', onChange: (c) => changes.push(c) })
      router.start()
      goTo('#/cases/c2')
      goTo('#/cases/new')
      expect(changes).toEqual([
        { path: '/cases/c1', route: 'case page', params: { id: 'c1' }, initial: true },
        { path: '/cases/c2', route: 'case page', params: { id: 'c2' }, initial: false },
        { path: '/cases/new', route: 'new case page', initial: false },
      ])
    })

    it('stays on a page that has unsaved work, and puts its address back', () => {
      window.history.replaceState(null, '', '/#/cases/c1')
      const changes: RouteChange<string>[] = []
      let unsaved = true
      const asked: [string, string][] = []
      router = createRouter({
        routes,
        defaultPath: '/sign-in',
        onChange: (c) => changes.push(c),
        canLeave: (from, to) => {
          asked.push([from, to])
          return !unsaved
        },
      })
      router.start()
      goTo('#/cases')
      expect(changes.map((c) => c.path)).toEqual(['/cases/c1'])
      expect(window.location.hash).toBe('#/cases/c1')
      expect(asked).toEqual([['/cases/c1', '/cases']])

      unsaved = false
      goTo('#/cases')
      expect(changes.map((c) => c.path)).toEqual(['/cases/c1', '/cases'])
    })

    it('does not ask about in-page links such as the skip link', () => {
      window.history.replaceState(null, '', '/#/cases/c1')
      const canLeave = vi.fn(() => false)
      router = createRouter({ routes, defaultPath: '/sign-in', onChange: () => {}, canLeave })
      router.start()
      goTo('#main-content')
      expect(canLeave).not.toHaveBeenCalled()
    })
  })
})
