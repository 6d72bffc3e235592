// Boot sequence and page switching: read settings from Rust once, brand the
// shell, then let the router render pages into <main>.
import { applyCouncilBranding } from './branding'
import { UNLOCK_PATH, chooseStartPage, lockAllows, startLockWatch } from './idle'
import { initShellComponents, initViewComponents } from './govuk'
import { describeIpcError, getAppInfo, type AppInfo } from './ipc'
import { mayLeave } from './leave-guard'
import { attachLiveRegion } from './live-region'
import { isTeamLead, readRole } from './role'
import { startAlertBanner, type AlertBanner } from './lone-worker-banner'
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
import { reviewsView } from './views/reviews'
import { setPinView } from './views/set-pin'
import { signInView } from './views/sign-in'
import { signOutView } from './views/sign-out'
import { STARTUP_ERROR_TITLE, renderStartupError } from './views/startup-error'
import { teamView } from './views/team'
import { unlockView } from './views/unlock'
import { visitsView } from './views/visits'
import { WORKER_ACTIVITY_PATTERN, workerActivityView } from './views/worker-activity'
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

/** Offered to team leads only, after My cases: their other daily list. */
export const REVIEWS_NAV_ITEM: NavItem = { path: '/reviews', text: 'Cases to review' }
/** Offered to team leads only, after Cases to review: the team's caseload and lone-working alerts. */
export const TEAM_NAV_ITEM: NavItem = { path: '/team', text: 'Team' }

/** The navigation for someone with `role` (null when nobody is signed in). */
export function navigationFor(role: string | null): readonly NavItem[] {
  if (!isTeamLead(role)) return NAVIGATION
  const myCases = NAVIGATION.findIndex((item) => item.path === '/cases')
  return [...NAVIGATION.slice(0, myCases + 1), REVIEWS_NAV_ITEM, TEAM_NAV_ITEM, ...NAVIGATION.slice(myCases + 1)]
}

export const ROUTES: Readonly<Record<string, View>> = {
  '/cases': casesView,
  '/reviews': reviewsView,
  '/team': teamView,
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
  [WORKER_ACTIVITY_PATTERN]: workerActivityView,
}

export function pageTitle(title: string, options: { error?: boolean } = {}): string {
  return `${options.error ? 'Error: ' : ''}${title} – ${SERVICE_NAME}`
}

function focusHeading(scope: Element): void {
  // Headings carry tabindex="-1" so they can take focus without joining the
  // Tab order; screen readers then announce the new page.
  scope.querySelector<HTMLElement>('h1')?.focus()
}

let roleRequests = 0

/**
 * Brings the navigation into line with the person's role. Asked on every
 * page change, as signing in or out, or a sync, may have changed it; if
 * Rust cannot say, the navigation stays as it was.
 */
function refreshNavigation(shell: Shell, banner: AlertBanner | null): void {
  const request = ++roleRequests
  readRole().then(
    (role) => {
      // An older answer must not undo a newer one.
      if (request !== roleRequests) return
      shell.setNavigation(navigationFor(role))
      // Only a team lead's laptop is asked for lone-worker alerts.
      banner?.refresh(isTeamLead(role))
    },
    () => {},
  )
}

/** The lone-worker banner, while the app runs. */
let alertBanner: AlertBanner | null = null

/** Set by a page that keeps something running; called when the next page replaces it. */
let leaveShownPage: (() => void) | null = null

function showPage(shell: Shell, ctx: ViewContext, { path, route, params, initial }: RouteChange<View>): void {
  const view = route ?? notFoundView
  shell.setCurrent(route ? path : null)
  leaveShownPage?.()
  leaveShownPage = null
  const container = document.createElement('div')
  container.className = 'doorstep-view'
  leaveShownPage = view.render(container, { ...ctx, params: params ?? {} }) ?? null
  // The lock screen and sign-in show no banner: it goes as they open, not when Rust next answers.
  alertBanner?.pageChanged(route ? path : null)
  shell.showPage(container)
  ctx.setTitle(view.title)
  // Only the new page's DOM: the shell's components are already running.
  ctx.initComponents(container)
  // On first load, focus stays at the top of the document so the skip link
  // is the first Tab stop; after navigating, it moves to the new page.
  // A page that put focus somewhere itself (an error summary) keeps it.
  if (!initial && !container.contains(document.activeElement)) focusHeading(container)
  refreshNavigation(shell, alertBanner)
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
  alertBanner?.stop()
  alertBanner = shell.alertBanner === null ? null : startAlertBanner(shell.alertBanner)

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
