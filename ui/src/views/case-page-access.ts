// A team lead's "Who has accessed this case" on the case page: the server's
// access record for the case, asked for only when the lead presses the
// button (it needs the server, and the page must not ask it on every
// load). Offline, the section says so and the rest of the page carries on.
import { html, type SafeHtml } from '../html'
import type { AccessEntry } from '../ipc'
import { formatTime } from '../time-format'
import { accessFailureMarkup, accessTable, type AccessFailure } from './access-record'

export const ACCESS_SECTION = { id: 'case-access', title: 'Who has accessed this case' } as const
export const ACCESS_BUTTON_ID = 'show-access-record'
export const SHOW_ACCESS_RECORD = 'Show the access record'
export const NO_ACCESS_ENTRIES = 'The server has no record of anyone opening, changing or downloading this case.'

/** Where the lead's request for the record has got to. */
export type AccessRecordState =
  | { kind: 'not-asked' }
  | { kind: 'asking' }
  | { kind: 'shown'; entries: readonly AccessEntry[]; at: Date }
  | { kind: 'failed'; failure: AccessFailure }

export const NOT_ASKED: AccessRecordState = { kind: 'not-asked' }

/** What is said once the record has come, or not. */
export function accessResultMessage(state: AccessRecordState): string | null {
  if (state.kind === 'shown') {
    return state.entries.length === 0 ? NO_ACCESS_ENTRIES : `Access record shown: ${state.entries.length === 1 ? '1 entry' : `${state.entries.length.toLocaleString('en-GB')} entries`}, newest first.`
  }
  if (state.kind === 'failed') return state.failure.message
  return null
}

function result(state: AccessRecordState): SafeHtml {
  switch (state.kind) {
    case 'not-asked':
      return html``
    case 'asking':
      return html`<p class="govuk-body">Asking the server…</p>`
    case 'failed':
      return accessFailureMarkup(state.failure, 'The access record')
    case 'shown':
      return html`
        <p class="govuk-body">As the server had it at <time datetime="${state.at.toISOString()}">${formatTime(state.at)}</time>.</p>
        ${state.entries.length === 0
          ? html`<p class="govuk-body" data-no-access-entries>${NO_ACCESS_ENTRIES}</p>`
          : accessTable(state.entries, { caption: 'Access record, newest first', id: 'case-access-record' })}`
  }
}

export function accessSectionMarkup(state: AccessRecordState): SafeHtml {
  return html`
    <p class="govuk-body">The server records everyone who opens, changes, downloads or exports this case, on a laptop or
      through the server. Work done on a laptop while offline reaches the record when the laptop next syncs.</p>
    <button type="button" class="govuk-button govuk-button--secondary" id="${ACCESS_BUTTON_ID}" data-action="show-access-record"
      ${state.kind === 'asking' ? html`aria-disabled="true"` : html``}>${SHOW_ACCESS_RECORD}</button>
    <div data-access-result>${result(state)}</div>`
}
