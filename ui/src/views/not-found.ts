import { html, renderInto } from '../html'
import type { View } from './view'

// Only reachable through an old or mistyped link, but it must still be a
// proper page with a heading to land focus on.
export const notFoundView: View = {
  title: 'Page not found',
  render(container) {
    renderInto(
      container,
      html`
        <div class="govuk-grid-row">
          <div class="govuk-grid-column-two-thirds">
            <h1 class="govuk-heading-l" tabindex="-1">Page not found</h1>
            <p class="govuk-body">This page does not exist in Doorstep.</p>
            <p class="govuk-body">Go to <a class="govuk-link" href="#/cases">My cases</a>.</p>
          </div>
        </div>`,
    )
  },
}
