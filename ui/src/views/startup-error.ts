import { html, renderInto } from '../html'

export const STARTUP_ERROR_TITLE = 'Sorry, there is a problem with Doorstep'

/**
 * Shown instead of the app when Rust could not give the UI its settings.
 * The technical detail is tucked into a details component for IT staff.
 */
export function renderStartupError(container: HTMLElement, detail: string): void {
  renderInto(
    container,
    html`
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <h1 class="govuk-heading-l" tabindex="-1">${STARTUP_ERROR_TITLE}</h1>
          <p class="govuk-body">Doorstep could not read its settings, so it cannot show your cases.</p>
          <p class="govuk-body">Close Doorstep and open it again.</p>
          <p class="govuk-body">If this keeps happening, contact your IT service desk.</p>
          <details class="govuk-details">
            <summary class="govuk-details__summary">
              <span class="govuk-details__summary-text">Technical details for IT</span>
            </summary>
            <div class="govuk-details__text">
              <p class="govuk-body govuk-!-text-break-word">${detail}</p>
            </div>
          </details>
        </div>
      </div>`,
  )
}
