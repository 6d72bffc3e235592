// Pieces the caseworker's pages share: the heading every page starts with,
// and the box that says a request to Rust failed.
import { html, type SafeHtml } from '../html'

/** The page's h1. It takes focus after navigation, so it is never re-rendered. */
export function pageHeading(text: string): SafeHtml {
  return html`<h1 class="govuk-heading-l" tabindex="-1">${text}</h1>`
}

/**
 * Says that something could not be loaded or done, in Rust's words, with a
 * way to try again. It is an alert: it appears after the person acted, or
 * in place of content they were waiting for.
 */
export function problemBox(title: string, message: string, retryLabel?: string): SafeHtml {
  return html`
    <div class="doorstep-problem" role="alert">
      <h2 class="govuk-heading-m">${title}</h2>
      <p class="govuk-body">${message}</p>
      ${retryLabel !== undefined &&
      html`<button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-retry>${retryLabel}</button>`}
    </div>`
}
