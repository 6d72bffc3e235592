// Hash routing: Tauri serves the UI from files, so there is no server to
// answer deep links and the hash is the only part of the URL we own.

/**
 * The route path for a location hash.
 * - `'#/cases'` → `'/cases'`
 * - `''`, `'#'`, `'#/'` → `null` (no route chosen: use the start page)
 * - `'#main-content'` → `undefined` (an in-page link, not a route)
 */
export function pathFromHash(hash: string): string | null | undefined {
  const value = hash.startsWith('#') ? hash.slice(1) : hash
  if (value === '' || value === '/') return null
  if (!value.startsWith('/')) return undefined
  // Trailing slashes and query strings are not part of a route's identity.
  const path = value.split('?')[0]!.replace(/\/+$/, '')
  return path === '' ? null : path
}

/** The values of a pattern's `:name` segments, e.g. `{ id: '01J…' }` for `/cases/:id`. */
export type RouteParams = Readonly<Record<string, string>>

export interface RouteMatch<R> {
  route: R
  /** Present only when a pattern such as `/cases/:id` matched. */
  params?: RouteParams
}

function isPattern(key: string): boolean {
  return key.split('/').some((segment) => segment.startsWith(':'))
}

function matchPattern(pattern: string, path: string): RouteParams | null {
  const patternSegments = pattern.split('/')
  const pathSegments = path.split('/')
  if (patternSegments.length !== pathSegments.length) return null
  const params: Record<string, string> = {}
  for (const [i, expected] of patternSegments.entries()) {
    const actual = pathSegments[i]!
    if (expected.startsWith(':')) {
      if (actual === '') return null
      try {
        params[expected.slice(1)] = decodeURIComponent(actual)
      } catch {
        // A malformed escape (`%E0%A4%A`) cannot name anything.
        return null
      }
    } else if (expected !== actual) {
      return null
    }
  }
  return params
}

/**
 * The route for a path. An exact path (`/cases/new`) always wins over a
 * pattern (`/cases/:id`); among patterns, the one with the fewest `:name`
 * segments wins, then the one listed first.
 */
export function matchRoute<R>(routes: Readonly<Record<string, R>>, path: string): RouteMatch<R> | undefined {
  if (Object.hasOwn(routes, path) && !isPattern(path)) return { route: routes[path]! }
  const patterns = Object.keys(routes)
    .filter(isPattern)
    .map((key, order) => ({ key, order, names: key.split('/').filter((s) => s.startsWith(':')).length }))
    .sort((a, b) => a.names - b.names || a.order - b.order)
  for (const { key } of patterns) {
    const params = matchPattern(key, path)
    if (params !== null) return { route: routes[key]!, params }
  }
  return undefined
}

export interface RouteChange<R> {
  path: string
  /** The matching route, or undefined when no route has this path. */
  route: R | undefined
  /** The pattern's values, present only when a pattern route such as `/cases/:id` matched. */
  params?: RouteParams
  /** True for the first render after start(), before the person has navigated. */
  initial: boolean
}

export interface RouterOptions<R> {
  routes: Readonly<Record<string, R>>
  /** Where an empty hash goes: the start page. */
  defaultPath: string
  onChange: (change: RouteChange<R>) => void
  /**
   * Asked before leaving the current page for another; returning false keeps
   * the page (and its unsaved work) and puts its address back.
   */
  canLeave?: (from: string, to: string) => boolean
  window?: Window
}

export interface Router {
  start(): void
  stop(): void
  navigate(path: string): void
  readonly currentPath: string | null
}

export function createRouter<R>(options: RouterOptions<R>): Router {
  const win = options.window ?? window
  let currentPath: string | null = null
  let started = false

  function show(path: string, initial: boolean): void {
    currentPath = path
    const match = matchRoute(options.routes, path)
    options.onChange({
      path,
      route: match?.route,
      ...(match?.params === undefined ? {} : { params: match.params }),
      initial,
    })
  }

  /** Asks the current page whether it may be left; if not, puts its address back. */
  function mayLeaveFor(path: string): boolean {
    if (currentPath === null || options.canLeave === undefined || options.canLeave(currentPath, path)) return true
    win.history.replaceState(win.history.state, '', `#${currentPath}`)
    return false
  }

  function onHashChange(): void {
    const path = pathFromHash(win.location.hash)
    // Skip links and error-summary links use in-page anchors; the page stays.
    if (path === undefined) return
    if (path === null) {
      if (!mayLeaveFor(options.defaultPath)) return
      win.history.replaceState(win.history.state, '', `#${options.defaultPath}`)
      show(options.defaultPath, false)
      return
    }
    if (path === currentPath) return
    if (!mayLeaveFor(path)) return
    show(path, false)
  }

  return {
    start() {
      if (started) return
      started = true
      win.addEventListener('hashchange', onHashChange)
      let path = pathFromHash(win.location.hash)
      if (path === null || path === undefined) {
        path = options.defaultPath
        // replaceState, not location.hash: the start page should not add a
        // history entry the Back key would have to step over.
        win.history.replaceState(win.history.state, '', `#${path}`)
      }
      show(path, true)
    },
    stop() {
      started = false
      win.removeEventListener('hashchange', onHashChange)
    },
    navigate(path: string) {
      if (`#${path}` === win.location.hash) {
        if (path !== currentPath && mayLeaveFor(path)) show(path, false)
        return
      }
      // Setting the hash fires hashchange, which renders the page.
      win.location.hash = `#${path}`
    },
    get currentPath() {
      return currentPath
    },
  }
}
