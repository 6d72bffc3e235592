import { html, renderInto } from '../html'
import type { View } from './view'

// Cases are not stored on the device yet, so this page says so plainly
// rather than showing an empty table.
export const casesView: View = {
  title: 'My cases',
  render(container) {
    renderInto(
      container,
      html`
        <div class="govuk-grid-row">
          <div class="govuk-grid-column-two-thirds">
            <h1 class="govuk-heading-l" tabindex="-1">My cases</h1>
            <p class="govuk-body">There are no cases on this device yet.</p>
            <p class="govuk-body">Cases will appear here after you <a class="govuk-link" href="#/sign-in">sign in</a> and sync with your council’s Doorstep server.</p>
          </div>
        </div>`,
    )
  },
}
