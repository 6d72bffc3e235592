// Boot sequence and page switching: read settings from Rust once, brand the
// shell, then let the router render pages into <main>.
import { applyCouncilBranding } from './branding'
import { UNLOCK_PATH, chooseStartPage, lockAllows, startLockWatch } from './idle'
import { initShellComponents, initViewComponents } from './govuk'
import { describeIpcError, getAppInfo, type AppInfo } from './ipc'
import { mayLeave } from './leave-guard'
import { attachLiveRegion } from './live-region'
import { createRouter, type RouteChange, type Router } from './router'
import { SERVICE_NAME, renderShell, type NavItem, type Shell } from './shell'
import { startSyncStatus } from './sync-status'
import { aboutView } from './views/about'
import { casePageView } from './views/case-page'
import { casesView } from './views/cases'
import { conflictsView } from './views/conflicts'
import { newCaseView } from './views/new-case'
import { notFoundView } from './views/not-found'
import { outboxView } from './views/outbox'
import { setPinView } from './views/set-pin'
import { signInView } from './views/sign-in'
import { signOutView } from './views/sign-out'
import { STARTUP_ERROR_TITLE, renderStartupError } from './views/startup-error'
import { unlockView } from './views/unlock'
import { visitsView } from './views/visits'
import type { View, ViewContext } from './views/view'

export const START_PATH = '/sign-in'

export const NAVIGATION: readonly NavItem[] = [
  { path: '/cases', text: 'My cases' },
  { path: '/visits', text: 'Today’s visits' },
  { path: '/outbox', text: 'Outbox' },
  { path: '/conflicts', text: 'Conflicts' },
  { path: '/sign-in', text: 'Sign in' },
  { path: '/sign-out', text: 'Sign out' },
  { path: '/about', text: 'About this device' },
]

export const ROUTES: Readonly<Record<string, View>> = {
  '/cases': casesView,
  '/cases/new': newCaseView,
  '/visits': visitsView,
  '/outbox': outboxView,
  '/conflicts': conflictsView,
  '/sign-in': signInView,
  '/set-pin': setPinView,
  '/unlock': unlockView,
  '/sign-out': signOutView,
  '/about': aboutView,
  // Exact paths such as /cases/new win over this pattern.
  '/cases/:id': casePageView,
}

export function pageTitle(title: string, options: { error?: boolean } = {}): string {
  return `${options.error ? 'Error: ' : ''}${title} – ${SERVICE_NAME}`
}

function focusHeading(scope: Element): void {
  // Headings carry tabindex="-1" so they can take focus without joining the
  // Tab order; screen readers then announce the new page.
  scope.querySelector<HTMLElement>('h1')?.focus()
}

function showPage(shell: Shell, ctx: ViewContext, { path, route, params, initial }: RouteChange<View>): void {
  const view = route ?? notFoundView
  shell.setCurrent(route ? path : null)
  const container = document.createElement('div')
  container.className = 'doorstep-view'
  view.render(container, { ...ctx, params: params ?? {} })
  shell.main.replaceChildren(container)
  ctx.setTitle(view.title)
  // Only the new page's DOM: the shell's components are already running.
  ctx.initComponents(container)
  // On first load, focus stays at the top of the document so the skip link
  // is the first Tab stop; after navigating, it moves to the new page.
  // A page that put focus somewhere itself (an error summary) keeps it.
  if (!initial && !container.contains(document.activeElement)) focusHeading(container)
}

/**
 * Starts the app inside `root`. Resolves to the running router, or null when
 * the settings could not be read and the startup error is shown instead.
 */
export async function startApp(root: HTMLElement): Promise<Router | null> {
  let info: AppInfo
  try {
    info = await getAppInfo()
  } catch (error) {
    const shell = renderShell(root, { councilName: null, version: null, navigation: [] })
    initShellComponents(root)
    renderStartupError(shell.main, describeIpcError(error, error instanceof Error ? error.message : 'Unknown error'))
    document.title = pageTitle(STARTUP_ERROR_TITLE)
    return null
  }

  applyCouncilBranding(info.council)
  const shell = renderShell(root, { councilName: info.council.name, version: info.version, navigation: NAVIGATION })
  initShellComponents(root)
  attachLiveRegion(shell.liveRegion)
  if (shell.syncStatus) startSyncStatus(shell.syncStatus)

  let router: Router | null = null
  const ctx: ViewContext = {
    info,
    navigate: (path) => router?.navigate(path),
    setTitle: (title, options) => {
      document.title = pageTitle(title, options)
    },
    initComponents: initViewComponents,
  }
  router = createRouter<View>({
    routes: ROUTES,
    defaultPath: START_PATH,
    onChange: (change) => showPage(shell, ctx, change),
    // The lock wins over a page's unsaved work: nothing can be saved while locked.
    canLeave: (_from, to) => lockAllows(to) && (to === UNLOCK_PATH || mayLeave(to)),
  })
  // Locked, or nobody signed in yet: open the lock screen or sign-in first.
  await chooseStartPage()
  router.start()
  startLockWatch(router)
  return router
}
