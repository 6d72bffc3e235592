// The lone-worker banner a team lead sees at the top of every page while
// the server has an alert open: someone checked in to a visit and has not
// checked out by the time they said. It names who, where and by when, links
// to the case and to Your team, and is refreshed after every sync and at
// every page change, from what the laptop last heard from the server
// (`team_alerts` asks no server, so it answers offline too).
//
// It is an alert (read out at once) only when the number of open alerts
// goes up; otherwise a plain region that is there to be found. It never
// takes focus, and a refresh that changed nothing leaves it alone.
// Caseworkers never ask for it; nor does a page shown while locked or
// signed out.
import { html, renderInto, type SafeHtml } from './html'
import { ipcErrorOf, teamAlerts, type LoneWorkerAlert, type TeamAlerts } from './ipc'
import { lastReadRole, isTeamLead } from './role'
import { SYNC_FINISHED_EVENT } from './sync-status'
import { plural } from './time-format'
import { loneWorkingAction } from './views/team'
import { alertCaseName, alertSentence, serverReported } from './views/team-server'

/** Pages with no banner: nobody is signed in and unlocked there, or they are leaving. */
const NO_BANNER_PATHS: ReadonlySet<string> = new Set(['/sign-in', '/unlock', '/set-pin', '/sign-out'])
export const TEAM_PATH = '/team'
export const BANNER_TITLE_ID = 'lone-worker-banner-title'

export interface BannerOptions {
  /** Show the link to Your team (not on that page itself). */
  linkToTeam: boolean
  /** Read out at once: the number of open alerts went up. */
  urgent: boolean
}

function alertMarkup(alert: LoneWorkerAlert, now: Date, heading: boolean): SafeHtml {
  return html`
    <p class="${heading ? 'govuk-notification-banner__heading' : 'govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-2'}">${alertSentence(alert, now)}</p>
    <p class="govuk-body govuk-!-margin-bottom-2">${loneWorkingAction(alert.worker)}</p>
    <p class="govuk-body"><a class="govuk-notification-banner__link" href="#/cases/${encodeURIComponent(alert.caseId)}">Go to case ${alertCaseName(alert)}</a></p>`
}

/** The banner for `answer`'s open alerts; empty when there are none. */
export function bannerMarkup(answer: TeamAlerts, now: Date, options: BannerOptions): SafeHtml {
  const { alerts } = answer
  if (alerts.length === 0) return html``
  const single = alerts.length === 1 ? alerts[0] : undefined
  return html`
    <div class="govuk-notification-banner doorstep-notification-banner--urgent doorstep-lone-worker-banner" role="${options.urgent ? 'alert' : 'region'}"
      aria-labelledby="${BANNER_TITLE_ID}" data-lone-worker-banner>
      <div class="govuk-notification-banner__header">
        <h2 class="govuk-notification-banner__title" id="${BANNER_TITLE_ID}">${single === undefined ? 'Lone-worker alerts' : 'Lone-worker alert'}</h2>
      </div>
      <div class="govuk-notification-banner__content">
        ${single !== undefined
          ? alertMarkup(single, now, true)
          : html`
            <p class="govuk-notification-banner__heading">${plural(alerts.length, 'lone worker')} checked in and have not checked out in time.</p>
            <ul class="govuk-list doorstep-overdue-visits">${alerts.map((alert) => html`<li class="doorstep-overdue-visit">${alertMarkup(alert, now, false)}</li>`)}</ul>`}
        <p class="govuk-body govuk-!-margin-bottom-0">
          ${answer.fetchedAt !== null && html`${serverReported(answer.fetchedAt, now)} `}${options.linkToTeam &&
          html`<a class="govuk-notification-banner__link" href="#${TEAM_PATH}">See every alert on the Team page</a>`}
        </p>
      </div>
    </div>`
}

export interface AlertBanner {
  /** The page changed: on a page with no banner, it goes at once. */
  pageChanged(path: string | null): void
  /** Asks again, for a team lead; anyone else's banner goes, and nothing is asked. */
  refresh(teamLead: boolean): void
  /** How many open alerts the banner shows. */
  readonly shown: number
  stop(): void
}

/**
 * Keeps the banner in `slot` (a place at the top of every page that page
 * changes do not replace). The app says when the page or the role changes;
 * the banner listens for the end of each sync itself.
 */
export function startAlertBanner(slot: HTMLElement, options: { now?: () => Date } = {}): AlertBanner {
  const now = options.now ?? (() => new Date())
  let path: string | null = null
  let requests = 0
  /** Open alerts last shown; 0 when nothing is. */
  let count = 0
  /** The shown banner's markup as a region, so a refresh that changed nothing changes nothing. */
  let shownKey = ''
  let stopped = false

  function clear(): void {
    requests += 1
    count = 0
    shownKey = ''
    if (slot.firstChild !== null) slot.replaceChildren()
  }

  function show(answer: TeamAlerts): void {
    if (answer.alerts.length === 0) {
      clear()
      return
    }
    const linkToTeam = path !== TEAM_PATH
    const key = bannerMarkup(answer, now(), { linkToTeam, urgent: false }).value
    const urgent = answer.alerts.length > count
    count = answer.alerts.length
    if (key === shownKey && !urgent) {
      // Read out once is enough: from now on it is a region to be found, not news.
      slot.querySelector('[data-lone-worker-banner][role="alert"]')?.setAttribute('role', 'region')
      return
    }
    shownKey = key
    // A link that had focus keeps it, if it is still there.
    const active = document.activeElement
    const href = active !== null && slot.contains(active) ? active.getAttribute('href') : null
    renderInto(slot, bannerMarkup(answer, now(), { linkToTeam, urgent }))
    if (href !== null) slot.querySelector<HTMLElement>(`a[href="${CSS.escape(href)}"]`)?.focus()
  }

  function refresh(teamLead: boolean): void {
    if (stopped) return
    if (!teamLead || (path !== null && NO_BANNER_PATHS.has(path))) {
      clear()
      return
    }
    const request = ++requests
    teamAlerts().then(
      (answer) => {
        if (request === requests && !stopped) show(answer)
      },
      (error: unknown) => {
        if (request !== requests || stopped) return
        // Locked, or no longer a lead: the banner goes. Anything else keeps what is shown.
        const { code } = ipcErrorOf(error)
        if (code === 'locked' || code === 'not_a_team_lead' || code === 'not_signed_in') clear()
      },
    )
  }

  const onSyncFinished = () => {
    void lastReadRole().then((role) => refresh(isTeamLead(role)))
  }
  window.addEventListener(SYNC_FINISHED_EVENT, onSyncFinished)

  return {
    pageChanged(next) {
      path = next
      if (next !== null && NO_BANNER_PATHS.has(next)) clear()
    },
    refresh,
    get shown() {
      return count
    },
    stop() {
      stopped = true
      window.removeEventListener(SYNC_FINISHED_EVENT, onSyncFinished)
      clear()
    },
  }
}
