// An example case and a small stand-in for the Rust commands the case page
// uses, for the case page's unit tests.
import { mockIPC } from '@tauri-apps/api/mocks'
import type { CasePage, FieldEntry, ItemView } from '../ipc'

const SAM = 'sam.caseworker'
/** 1 March 2026, 09:00 UTC: every example time counts from here. */
export const BASE_TIME = Date.UTC(2026, 2, 1, 9, 0)
const hour = 60 * 60 * 1000

export function entry(value: FieldEntry['value'], at = BASE_TIME, by = SAM): FieldEntry {
  return { value, by, at }
}

export function item(id: string, fields: Record<string, FieldEntry['value']>, addedAt = BASE_TIME, addedBy = SAM): ItemView {
  return {
    id,
    addedBy,
    addedAt,
    fields: Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, entry(value, addedAt, addedBy)])),
  }
}

/** A case with a little of everything, as `show_case` would return it. */
export function exampleCasePage(): CasePage {
  return {
    sync: { state: 'unsynced', unsyncedChanges: 3, refusedReason: null },
    case: {
      id: 'case-1',
      schemaVersion: 2,
      createdBy: SAM,
      createdAt: BASE_TIME,
      fields: {
        reference: entry('DS-2026-0042'),
        case_type: entry('Adult social care'),
        status: entry('in_progress'),
        summary: entry('Support after hospital discharge'),
        assigned_to: entry(SAM),
        team: entry('North locality'),
        due_date: entry('2026-03-20'),
      },
      narrative: 'Mrs Patel was discharged on 27 February.',
      people: [
        item('p1', {
          name: 'Asha Patel',
          date_of_birth: '1948-07-14',
          nhs_number: '9434765919',
          ni_number: 'QQ123456C',
          address: '12 Mill Lane',
          postcode: 'AB1 2CD',
          relationship: 'The person the case is about',
        }),
      ],
      visits: [item('v1', { planned_at: '2026-03-02T10:00:00.000Z' }, BASE_TIME + 1 * hour)],
      tasks: [item('t1', { title: 'Order a bath seat', due_date: '2026-03-10', done: false }, BASE_TIME + 2 * hour)],
      consents: [],
      risks: [
        item('r1', { text: 'Dog on premises', active: true }),
        item('r2', { text: 'Do not visit alone', active: true }),
        item('r3', { text: 'Old warning, now resolved', active: false }),
      ],
      notes: [
        {
          id: 'n1',
          author: SAM,
          createdAt: BASE_TIME + 3 * hour,
          text: 'Phoned daughter to arrange the visit.',
          revisions: [{ text: 'Phoned daughter to arrange the visit.', by: SAM, at: BASE_TIME + 3 * hour }],
        },
      ],
      attachments: [
        {
          sha256: 'a'.repeat(64),
          name: 'discharge-letter.pdf',
          mediaType: 'application/pdf',
          size: 248_000,
          addedBy: 'jo.lead',
          addedAt: BASE_TIME + 4 * hour,
        },
      ],
      conflicts: [],
    },
  }
}

export interface Call {
  cmd: string
  payload: Record<string, unknown>
  /** Sent with a raw body: attach_file's case id, file name and media type. */
  headers?: Record<string, string>
}

export interface CaseBackend {
  calls: Call[]
  /** The case `show_case` returns next; handlers may change it to show a save. */
  page: CasePage
  callsTo(cmd: string): Record<string, unknown>[]
  /** The raw bodies sent to `cmd` (attach_file's file bytes), with their headers. */
  rawCallsTo(cmd: string): { bytes: Uint8Array; headers: Record<string, string> }[]
}

type Handler = (payload: Record<string, unknown>, backend: CaseBackend) => unknown

/**
 * Answers `show_case` with `page` and every other command with success,
 * unless `handlers` says otherwise (return a value, or throw to reject).
 */
export function mockCaseBackend(page: CasePage = exampleCasePage(), handlers: Record<string, Handler> = {}): CaseBackend {
  const backend: CaseBackend = {
    calls: [],
    page,
    callsTo: (cmd) => backend.calls.filter((c) => c.cmd === cmd).map((c) => c.payload),
    rawCallsTo: (cmd) =>
      backend.calls
        .filter((c) => c.cmd === cmd)
        .map((c) => ({ bytes: c.payload as unknown as Uint8Array, headers: c.headers ?? {} })),
  }
  let headers: Record<string, string> | undefined
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>
    backend.calls.push(headers === undefined ? { cmd, payload: args } : { cmd, payload: args, headers })
    const handler = handlers[cmd]
    if (handler) return handler(args, backend)
    if (cmd === 'show_case') return structuredClone(backend.page)
    return null
  })
  // mockIPC drops invoke's options, where a raw-body command's headers
  // travel; keep them for the handler, which the mock calls straight away.
  const internals = (window as unknown as { __TAURI_INTERNALS__: { invoke: Invoke } }).__TAURI_INTERNALS__
  const mockedInvoke = internals.invoke
  internals.invoke = (cmd, args, options) => {
    headers = options?.headers === undefined ? undefined : Object.fromEntries([...new Headers(options.headers)].map(([name, value]) => [name.toLowerCase(), value]))
    try {
      return mockedInvoke(cmd, args, options)
    } finally {
      headers = undefined
    }
  }
  return backend
}

type Invoke = (cmd: string, args?: unknown, options?: { headers?: HeadersInit }) => Promise<unknown>
