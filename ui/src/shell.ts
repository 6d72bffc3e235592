// The parts of the page that stay put between routes: skip link, council
// header, service navigation, main landmark and footer. Pages render inside
// `main`; only the navigation's current item changes when the route does.
import { html, renderInto, type SafeHtml } from './html'

export const SERVICE_NAME = 'Doorstep'

export interface NavItem {
  path: string
  text: string
}

export interface ShellOptions {
  /** Null when the settings could not be read. */
  councilName: string | null
  version: string | null
  /** Empty when there is nothing to navigate to (the startup error). */
  navigation: readonly NavItem[]
}

export interface Shell {
  main: HTMLElement
  /** Where the sync status goes; null on the startup error, which has no app to sync. */
  syncStatus: HTMLElement | null
  /** The polite live region for announcements from any page. */
  liveRegion: HTMLElement
  /**
   * Where a team lead's lone-worker banner goes, at the top of main, above
   * every page; page changes replace what follows it. Null on the startup error.
   */
  alertBanner: HTMLElement | null
  /** Shows `page` in main, after the banner, in place of the page before. */
  showPage(page: HTMLElement): void
  /** Marks the navigation item for `path` as the current page. */
  setCurrent(path: string | null): void
  /** Offers these items instead (the role changed), keeping the current page and any focus on a link. */
  setNavigation(items: readonly NavItem[]): void
}

function sameItems(a: readonly NavItem[], b: readonly NavItem[]): boolean {
  return a.length === b.length && a.every((item, i) => item.path === b[i]?.path && item.text === b[i]?.text)
}

function navItems(items: readonly NavItem[], currentPath: string | null): SafeHtml {
  return html`${items.map((item) =>
    item.path === currentPath
      ? html`<li class="govuk-service-navigation__item govuk-service-navigation__item--active">
          <a class="govuk-service-navigation__link" href="#${item.path}" aria-current="page"><strong class="govuk-service-navigation__active-fallback">${item.text}</strong></a>
        </li>`
      : html`<li class="govuk-service-navigation__item">
          <a class="govuk-service-navigation__link" href="#${item.path}">${item.text}</a>
        </li>`,
  )}`
}

function serviceNavigation(items: readonly NavItem[]): SafeHtml {
  return html`
    <section aria-label="Service information" class="govuk-service-navigation" data-module="govuk-service-navigation">
      <div class="govuk-width-container">
        <div class="govuk-service-navigation__container">
          <span class="govuk-service-navigation__service-name">
            <span class="govuk-service-navigation__text">${SERVICE_NAME}</span>
          </span>
          ${items.length > 0 &&
          html`<nav aria-label="Menu" class="govuk-service-navigation__wrapper">
            <button type="button" class="govuk-service-navigation__toggle govuk-js-service-navigation-toggle" aria-controls="navigation" hidden aria-hidden="true">Menu</button>
            <ul class="govuk-service-navigation__list" id="navigation">${navItems(items, null)}</ul>
          </nav>`}
        </div>
      </div>
    </section>`
}

function markup(o: ShellOptions): SafeHtml {
  return html`
    <a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link">Skip to main content</a>
    <header class="govuk-template__header">
      <div class="govuk-generic-header doorstep-header">
        <div class="govuk-generic-header__container govuk-width-container">
          <div class="govuk-generic-header__logo">
            <span class="doorstep-header__council-name">${o.councilName ?? SERVICE_NAME}</span>
          </div>
        </div>
      </div>
      ${o.councilName !== null && serviceNavigation(o.navigation)}
    </header>
    ${o.councilName !== null &&
    html`<section class="doorstep-sync-status" aria-label="Sync status" data-sync-status></section>`}
    <div class="govuk-visually-hidden" aria-live="polite" aria-atomic="true" data-live-region></div>
    <div class="doorstep-main">
      <div class="govuk-width-container">
        <main class="govuk-main-wrapper" id="main-content">${o.councilName !== null &&
          html`<div class="doorstep-alert-banner-slot" data-alert-banner></div>`}</main>
      </div>
    </div>
    <footer class="govuk-footer">
      <div class="govuk-width-container">
        <div class="govuk-footer__meta">
          <div class="govuk-footer__meta-item govuk-footer__meta-item--grow">
            <p class="govuk-body-s govuk-!-margin-bottom-0" data-app-version>${SERVICE_NAME} version ${o.version ?? 'unknown'}</p>
          </div>
          ${o.councilName !== null &&
          html`<div class="govuk-footer__meta-item">
            <p class="govuk-body-s govuk-!-margin-bottom-0">Provided by ${o.councilName}</p>
          </div>`}
        </div>
      </div>
    </footer>`
}

export function renderShell(root: HTMLElement, options: ShellOptions): Shell {
  renderInto(root, markup(options))
  const main = root.querySelector<HTMLElement>('#main-content')!
  const list = root.querySelector<HTMLElement>('.govuk-service-navigation__list')

  // The skip link targets #main-content, but in a hash router that would
  // replace the route in the address. GOV.UK Frontend's SkipLink still moves
  // focus to main; this only stops the hash from changing.
  root.querySelector('.govuk-skip-link')?.addEventListener('click', (event) => event.preventDefault())

  let navigation = options.navigation
  let currentPath: string | null = null
  return {
    main,
    syncStatus: root.querySelector<HTMLElement>('[data-sync-status]'),
    liveRegion: root.querySelector<HTMLElement>('[data-live-region]')!,
    alertBanner: root.querySelector<HTMLElement>('[data-alert-banner]'),
    showPage(page) {
      const slot = main.querySelector(':scope > [data-alert-banner]')
      if (slot === null) main.replaceChildren(page)
      else main.replaceChildren(slot, page)
    },
    setCurrent(path) {
      currentPath = path
      // Only the <li>s are replaced: the ServiceNavigation component keeps a
      // reference to the <ul> for its mobile menu toggle.
      if (list) renderInto(list, navItems(navigation, path))
    },
    setNavigation(items) {
      if (sameItems(items, navigation)) return
      navigation = items
      if (!list) return
      // The answer may come while someone is tabbing through the menu.
      const focused = list.contains(document.activeElement) ? document.activeElement?.getAttribute('href') : null
      renderInto(list, navItems(navigation, currentPath))
      if (focused) list.querySelector<HTMLElement>(`a[href="${CSS.escape(focused)}"]`)?.focus()
    },
  }
}
