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

export interface RouteChange<R> {
  path: string
  /** The matching route, or undefined when no route has this path. */
  route: R | undefined
  /** True for the first render after start(), before the person has navigated. */
  initial: boolean
}

export interface RouterOptions<R> {
  routes: Readonly<Record<string, R>>
  /** Where an empty hash goes: the start page. */
  defaultPath: string
  onChange: (change: RouteChange<R>) => void
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
    options.onChange({ path, route: Object.hasOwn(options.routes, path) ? options.routes[path] : undefined, initial })
  }

  function onHashChange(): void {
    const path = pathFromHash(win.location.hash)
    // Skip links and error-summary links use in-page anchors; the page stays.
    if (path === undefined) return
    if (path === null) {
      win.history.replaceState(win.history.state, '', `#${options.defaultPath}`)
      show(options.defaultPath, false)
      return
    }
    if (path === currentPath) return
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
        if (path !== currentPath) show(path, false)
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
