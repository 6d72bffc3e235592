// The server's access log as a table: a case's access record on the case
// page, and a worker's activity on their page. Both ask the server there
// and then, so both can fail offline; they say so in the same words.
import { html, type SafeHtml } from '../html'
import { ipcErrorOf, type AccessEntry } from '../ipc'
import { formatDateTime, formatTime, isSameDay, parseInstant } from '../time-format'
import { accessActionLabel, laptopTimeIfDifferent } from './access-labels'

/** Shown for a laptop or person the server did not record. */
export const NOT_RECORDED = '—'

/** Why the log could not be shown: no connection, or something else (Rust's words either way). */
export interface AccessFailure {
  offline: boolean
  /** Only team leads may see it. */
  notALead: boolean
  message: string
}

export function accessFailure(error: unknown): AccessFailure {
  const { code, message } = ipcErrorOf(error, 'Doorstep could not get the record from the server. Try again.')
  return { offline: code === 'server_unreachable', notALead: code === 'not_a_team_lead', message }
}

/** The failure in an inset: offline is not an error on this laptop, and nothing else on the page needs the server. */
export function accessFailureMarkup(failure: AccessFailure, what: string): SafeHtml {
  if (failure.offline) {
    return html`
      <div class="govuk-inset-text" data-access-offline>
        <p class="govuk-body">${failure.message}</p>
        <p class="govuk-body govuk-!-margin-bottom-0">${what} is kept on the server, so it needs a connection. Everything else here works without one.</p>
      </div>`
  }
  return html`
    <div class="govuk-inset-text" data-access-problem>
      <p class="govuk-body govuk-!-margin-bottom-0">${what} could not be shown. ${failure.message}</p>
    </div>`
}

function instant(date: Date, text: string): SafeHtml {
  return html`<time datetime="${date.toISOString()}">${text}</time>`
}

/** When the server recorded it, and when the laptop did if that was more than a minute apart. */
export function accessWhen(entry: AccessEntry): SafeHtml {
  const server = parseInstant(entry.serverTime)
  if (server === null) return html`Not recorded`
  const laptop = laptopTimeIfDifferent(entry)
  if (laptop === null) return instant(server, formatDateTime(server))
  const laptopText = isSameDay(laptop, server) ? formatTime(laptop) : formatDateTime(laptop)
  return html`${instant(server, formatDateTime(server))}
    <span class="doorstep-access-when">Recorded on the laptop at ${instant(laptop, laptopText)}, reached the server at ${formatTime(server)}</span>`
}

export interface AccessTableOptions {
  caption: string
  /** Unique on the page: the caption's id, which labels the scrolling region. */
  id: string
  /** Adds a Case column, linking each line to its case by the text this gives. */
  caseName?: (caseId: string) => string
}

/** The log as a GOV.UK table, newest first as the server gives it, in a region that scrolls on a narrow window. */
export function accessTable(entries: readonly AccessEntry[], options: AccessTableOptions): SafeHtml {
  const { caseName } = options
  return html`
    <div class="doorstep-table-scroll" role="region" aria-labelledby="${options.id}-caption" tabindex="0" data-focus-key="${options.id}">
      <table class="govuk-table doorstep-access-table" data-access-table>
        <caption class="govuk-table__caption govuk-table__caption--s" id="${options.id}-caption">${options.caption}</caption>
        <thead class="govuk-table__head">
          <tr class="govuk-table__row">
            <th scope="col" class="govuk-table__header">When</th>
            ${caseName !== undefined && html`<th scope="col" class="govuk-table__header">Case</th>`}
            <th scope="col" class="govuk-table__header">Who</th>
            <th scope="col" class="govuk-table__header">Laptop</th>
            <th scope="col" class="govuk-table__header">What</th>
          </tr>
        </thead>
        <tbody class="govuk-table__body">
          ${entries.map(
            (entry) => html`
              <tr class="govuk-table__row">
                <td class="govuk-table__cell">${accessWhen(entry)}</td>
                ${caseName !== undefined &&
                html`<td class="govuk-table__cell doorstep-nowrap">${entry.caseId === null
                  ? NOT_RECORDED
                  : html`<a class="govuk-link" href="#/cases/${encodeURIComponent(entry.caseId)}">${caseName(entry.caseId)}</a>`}</td>`}
                <td class="govuk-table__cell">${entry.actor ?? NOT_RECORDED}</td>
                <td class="govuk-table__cell doorstep-nowrap">${entry.deviceName ?? NOT_RECORDED}</td>
                <td class="govuk-table__cell">${accessActionLabel(entry.action)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`
}
