import { html, renderInto } from '../html'
import { summaryList } from './govuk-markup'
import type { View } from './view'

// Everything on this page comes from Rust's app_info, so it doubles as the
// check that the UI and the Rust side are talking to each other.
export const aboutView: View = {
  title: 'About this device',
  render(container, { info }) {
    renderInto(
      container,
      html`
        <div class="govuk-grid-row">
          <div class="govuk-grid-column-two-thirds">
            <h1 class="govuk-heading-l" tabindex="-1">About this device</h1>
            <p class="govuk-body">Your IT service desk may ask for these details if you need help with Doorstep.</p>
          </div>
        </div>
        ${summaryList([
          { key: 'App version', value: info.version },
          { key: 'Data folder', value: info.dataDir, valueClasses: 'govuk-!-text-break-word' },
          { key: 'Server', value: info.serverUrl ?? 'Not set', valueClasses: 'govuk-!-text-break-word' },
          { key: 'Council', value: info.council.name },
        ])}`,
    )
  },
}
