// An in-memory stand-in for the Rust side of the desktop app, for browser
// tests. It answers every command in src/ipc.ts the way
// crates/doorstep-client/src/desktop.rs does: the same filters, sort
// orders and search rules for My cases, the same field checks and error
// codes, edits that mark a case "not sent yet" and add to the outbox, and a
// background sync that reports its progress as `sync-status` events.
//
// The lock (lock_status, lock, unlock, set_pin, user_active) is kept too:
// while locked, case commands reject with `locked`.
//
// Roles too: `device_status` reports the scenario's role, and only a team
// lead gets review_queue, review_case, team_caseload, team_alerts, save_export,
// case_access_record and worker_activity, as
// crates/doorstep-client/src/review.rs and team.rs have it. The server tells the device the role again at each
// sync; `setServerRole` changes what it will say, and a review decision
// sent by someone who is no longer a lead is refused, as the server does.
// So is a caseworker's change of `assigned_to` to anyone but themselves:
// set_field saves it on the laptop, as Rust does, and the sync is refused.
//
// The server's side of a lead's oversight too: the team's laptops and the
// lone-worker alerts the server raised (with how it sent them), which the
// laptop fetches at each sync and team_caseload and team_alerts give from
// there, offline too; and the server's access log, which
// case_access_record and worker_activity ask the server for there and
// then, so they reject with `server_unreachable` while the server cannot
// be reached (a scenario that starts offline, or `goOffline()`).
// `serverRaisesAlert` has the server raise another alert, which the laptop
// hears of at its next sync; an alert resolves once its visit's check-out
// reaches the server.
//
// Files too: attach_file and attachment keep the bytes in memory under
// their sha256. attach_file's bytes are the raw body (the payload is the
// Uint8Array itself) and its case id, file name and media type travel as
// headers. mockIPC hands its handler only (cmd, payload) and drops the
// headers, so mock-ipc.ts catches them on their way into the mock and passes
// them to `handle`; without them (a test calling `handle` directly) the
// file goes to the case last opened with show_case, named `file`, with the
// type read from its first bytes.
//
// Exports too: save_export writes a team lead's CSV file into the Downloads
// folder as Rust does (lead only; a name such as `team-caseload-2026-12-03.csv`,
// lower-case letters, digits and hyphens, or `invalid_input`; ` (1)`, ` (2)`...
// added when the name is taken). Nothing touches the disk: `savedFiles()`
// gives what was written, for a test to read back. `fail('save_export',
// {code: 'export_failed', ...})` stands in for a full disk.
//
// mock-ipc.ts creates one per page from the test's scenario and exposes it
// as `globalThis.__DOORSTEP_FAKE__`, so a test can change the world while
// the page is open (drop the connection, slow a command down, finish a sync).
import { emit } from '@tauri-apps/api/event'
import type {
  AccessEntry,
  AppInfo,
  CaseAccessRecord,
  LockStatus,
  LoneWorkerAlert,
  ServerTeamView,
  TeamAlerts,
  TeamDevice,
  TeamKpis,
  WorkerActivity,
  CaseConflicts,
  CaseList,
  CasePage,
  CaseQuery,
  CaseRow,
  CaseStatus,
  CaseSync,
  CaseView,
  Connection,
  DeviceStatus,
  FieldConflict,
  FieldEntry,
  FieldValue,
  IpcError,
  ItemKind,
  ItemView,
  NoteView,
  Outbox,
  OutboxCase,
  OutboxEntry,
  PersonInput,
  ReviewDecision,
  ReviewQueueEntry,
  ReviewView,
  SavedExport,
  SyncProgress,
  SyncStatus,
  TeamCaseload,
  VisitRow,
  WorkerCaseload,
} from '../../src/ipc'

export interface FakeScenario {
  appInfo?: Partial<AppInfo>
  /** Makes app_info reject with this value. */
  appInfoError?: unknown
  /** sign_in succeeds only with this password. */
  acceptPassword?: string
  /** What sign_in rejects with for any other password. */
  signInError?: unknown
  /**
   * What is on the laptop: nothing (the default), a dozen realistic cases
   * with visits today, conflicts, a refused case and unsent changes
   * (`sample`), or this many generated cases.
   */
  cases?: 'empty' | 'sample' | number
  /** Default: signed in when there are cases, signed out when there are none. */
  signedIn?: boolean
  /** The signed-in person. Default `sam.caseworker`. */
  user?: string
  /**
   * Their role, as the server last said: `caseworker` (the default),
   * `team-lead` or `admin`. For a team lead, the sample caseload is their
   * team's: sam.caseworker's cases, one more of alex.colleague's waiting
   * for review, and a referral assigned to nobody. Two visits on those last
   * two have run past their expected end with no check-out.
   */
  role?: string
  /** Default: `online` when signed in, `signed_out` otherwise. */
  connection?: Connection
  /** Whether a sync reaches the server. Default: true unless the connection starts offline. */
  serverReachable?: boolean
  /** Start part-way through a long sync, which waits for `finishSync()`. */
  syncingProgress?: SyncProgress
  /** Progress events during a sync, and the time between them. Defaults 3 and 150 ms. */
  syncSteps?: number
  syncStepMs?: number
  /** Default 12 minutes ago; null: never synced. */
  lastSyncedMinutesAgo?: number | null
  /** Photos and documents waiting to upload. Default 0 (2 in `sample`). */
  filesToSend?: number
  /** Commands that reject, with what they reject with. */
  failures?: Record<string, unknown>
  /** The PIN that unlocks the app; default none set. */
  pin?: string
  /** Start locked (needs `pin`). */
  locked?: boolean
}

/** What the server holds about a lead's team: it reaches the laptop only at a sync. */
interface ServerTeam {
  devices: TeamDevice[]
  /** Newest first. */
  alerts: LoneWorkerAlert[]
  /** Which visit each alert is about, so its check-out can resolve it. */
  alertVisits: Map<number, string>
  /** The access log, oldest first. */
  accessLog: AccessEntry[]
  kpis: TeamKpis
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const MAX_ROWS_PER_PAGE = 500

const DEFAULT_APP_INFO: AppInfo = {
  version: '0.1.0',
  dataDir: '/home/caseworker/.local/share/uk.org.doorstep.desktop',
  serverUrl: 'http://127.0.0.1:8787',
  council: { name: 'Example Borough Council', colour: '#1d4f91' },
}

// ---------------------------------------------------------------------------
// Field rules, as doorstep-core's field specs have them
// ---------------------------------------------------------------------------

type FieldKind = 'text' | 'status' | 'date' | 'instant' | 'flag' | 'nhs' | 'ni' | 'postcode' | 'uprn' | 'decision'

interface FieldSpec {
  label: string
  kind: FieldKind
  required: boolean
  maxLength?: number
}

type Section = 'case' | 'people' | 'visits' | 'tasks' | 'consents' | 'risks'
type Collection = Exclude<Section, 'case'>

const spec = (label: string, kind: FieldKind, required: boolean, maxLength?: number): FieldSpec =>
  maxLength === undefined ? { label, kind, required } : { label, kind, required, maxLength }

const FIELD_SPECS: Record<Section, Record<string, FieldSpec>> = {
  case: {
    reference: spec('Reference', 'text', false, 40),
    case_type: spec('Case type', 'text', true, 60),
    status: spec('Status', 'status', true),
    summary: spec('Summary', 'text', true, 500),
    assigned_to: spec('Assigned to', 'text', false, 200),
    team: spec('Team', 'text', false, 200),
    due_date: spec('Due date', 'date', false),
  },
  people: {
    name: spec('Full name', 'text', true, 200),
    date_of_birth: spec('Date of birth', 'date', false),
    nhs_number: spec('NHS number', 'nhs', false),
    ni_number: spec('National Insurance number', 'ni', false),
    address: spec('Address', 'text', false, 500),
    postcode: spec('Postcode', 'postcode', false),
    uprn: spec('UPRN', 'uprn', false),
    phone: spec('Phone', 'text', false, 40),
    email: spec('Email', 'text', false, 200),
    relationship: spec('Relationship to the case', 'text', false, 200),
  },
  visits: {
    planned_at: spec('Planned for', 'instant', true),
    checked_in_at: spec('Checked in', 'instant', false),
    expected_end: spec('Expected end', 'instant', false),
    checked_out_at: spec('Checked out', 'instant', false),
    outcome: spec('Outcome', 'text', false, 4000),
  },
  tasks: {
    title: spec('Task', 'text', true, 200),
    due_date: spec('Due date', 'date', false),
    done: spec('Done', 'flag', false),
    assigned_to: spec('Assigned to', 'text', false, 200),
  },
  consents: {
    person: spec('Person', 'text', true, 200),
    purpose: spec('Purpose', 'text', true, 4000),
    decision: spec('Decision', 'decision', true),
    recorded_at: spec('Recorded', 'instant', true),
    typed_signature: spec('Typed signature', 'text', false, 200),
    signature_attachment: spec('Signature', 'text', false, 64),
  },
  risks: {
    text: spec('Risk warning', 'text', true, 300),
    active: spec('Active', 'flag', true),
  },
}

const KIND_COLLECTIONS: Record<ItemKind, Collection> = { visit: 'visits', task: 'tasks', consent: 'consents', risk: 'risks' }
const NOUNS: Record<Collection, string> = { people: 'person', visits: 'visit', tasks: 'task', consents: 'consent record', risks: 'risk warning' }
const STATUS_LABELS: Record<CaseStatus, string> = {
  open: 'Open',
  in_progress: 'In progress',
  awaiting_review: 'Awaiting review',
  closed: 'Closed',
}
const NOTE_LIMIT = 20_000
/** doorstep-store's MAXIMUM_ATTACHMENT_BYTES. */
const MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
const PIN_ATTEMPTS = 5
/** The server's reason for refusing a review decision from someone who is not a team lead (doorstep-core access.rs). */
export const REVIEW_REFUSED_REASON =
  'Only a team lead can approve or return a case. Your decision is kept on this laptop; ask a team lead to review the case.'

/** The server's reason for refusing a caseworker's reassignment (doorstep-core access.rs, `OnlyLeadsReassign`). */
export const REASSIGN_REFUSED_REASON = 'Only a team lead can assign a case to someone else. Ask your team lead to reassign it.'

/** As the server's `name_key`: names are compared trimmed, in any case. */
function sameName(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.trim().toLowerCase() === b.trim().toLowerCase()
}

/** The spellings Rust's `Role::parse` accepts for a team lead. */
function isTeamLeadRole(role: string | null): boolean {
  return role !== null && ['team-lead', 'team_lead', 'teamlead'].includes(role.trim().toLowerCase())
}
/** Where the fake's save_export writes: the Downloads folder of the person signed in, as Rust finds it. */
export const DOWNLOADS_FOLDER = '/home/sam/Downloads'
/** The file names save_export accepts, as Rust checks them. */
const EXPORT_FILE_NAME = /^[a-z0-9-]+\.csv$/

/** A file save_export wrote, for a test to read back. */
export interface SavedFile extends SavedExport {
  /** Exactly what the page sent, byte order mark and all. */
  contents: string
}

/** Rust's default idle lock. */
const IDLE_LOCK_MS = 15 * 60_000

/** What still answers while the app is locked; every other command rejects with `locked`. */
const ANSWERED_WHILE_LOCKED = new Set([
  'app_info',
  'sync_status',
  'sync_now',
  'network_online',
  'device_status',
  'lock_status',
  'lock',
  'unlock',
  'sign_in',
  'sign_out',
  'user_active',
])

class FakeError extends Error {
  readonly ipc: IpcError
  constructor(ipc: IpcError) {
    super(ipc.message)
    this.ipc = ipc
  }
}

function reject(code: string, message: string, field?: string): never {
  throw new FakeError(field === undefined ? { code, message } : { code, message, field })
}

function invalid(name: string, fieldSpec: FieldSpec, problem: string): never {
  reject('invalid_field', `${fieldSpec.label}: ${problem}`, name)
}

function validNhsNumber(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false
  const sum = [...digits.slice(0, 9)].reduce((total, digit, i) => total + Number(digit) * (10 - i), 0)
  const check = 11 - (sum % 11)
  if (check === 10) return false
  return (check === 11 ? 0 : check) === Number(digits[9])
}

function validNiNumber(value: string): boolean {
  const match = /^([A-Z])([A-Z])\d{6}[ABCD]$/.exec(value)
  if (!match) return false
  const [, first, second] = match
  if ('DFIQUV'.includes(first!) || 'DFIQUVO'.includes(second!)) return false
  return !['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'].includes(`${first}${second}`)
}

const POSTCODE = /^(GIR 0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2})$/

/** A file's type from its first bytes, for a file that came without its media type header. */
function sniffMediaType(bytes: Uint8Array): string {
  const starts = (...prefix: number[]) => prefix.every((byte, i) => bytes[i] === byte)
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'image/png'
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg'
  if (starts(0x25, 0x50, 0x44, 0x46)) return 'application/pdf'
  return 'application/octet-stream'
}

function normalisePostcode(value: string): string {
  const compact = value.replace(/\s+/g, '').toUpperCase()
  return compact.length > 3 ? `${compact.slice(0, -3)} ${compact.slice(-3)}` : compact
}

/** Checks what was typed for a field and turns it into the stored value; '' clears. */
function fieldValue(name: string, fieldSpec: FieldSpec, input: string): FieldValue {
  const text = input.trim()
  if (text === '') {
    if (fieldSpec.required) reject('invalid_field', `Enter ${fieldSpec.label.toLowerCase()}; it cannot be left empty`, name)
    return null
  }
  switch (fieldSpec.kind) {
    case 'text':
      if (fieldSpec.maxLength !== undefined && text.length > fieldSpec.maxLength) {
        invalid(name, fieldSpec, `use ${fieldSpec.maxLength} characters or fewer`)
      }
      return text
    case 'status':
      if (!Object.hasOwn(STATUS_LABELS, text)) invalid(name, fieldSpec, 'choose open, in progress, awaiting review or closed')
      return text
    case 'date': {
      const date = new Date(`${text}T00:00:00Z`)
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) {
        invalid(name, fieldSpec, 'enter a real date, like 2026-03-27')
      }
      return text
    }
    case 'instant': {
      const date = new Date(text)
      if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(date.getTime())) invalid(name, fieldSpec, 'enter a date and time')
      return date.toISOString()
    }
    case 'flag':
      if (/^(yes|true)$/i.test(text)) return true
      if (/^(no|false)$/i.test(text)) return false
      return invalid(name, fieldSpec, 'choose yes or no')
    case 'nhs': {
      const digits = text.replace(/\s+/g, '')
      if (!validNhsNumber(digits)) invalid(name, fieldSpec, 'enter a valid 10-digit NHS number, like 943 476 5919')
      return digits
    }
    case 'ni': {
      const compact = text.replace(/\s+/g, '').toUpperCase()
      if (!validNiNumber(compact)) invalid(name, fieldSpec, 'enter a National Insurance number in the right format, like QQ 12 34 56 C')
      return compact
    }
    case 'postcode': {
      const postcode = normalisePostcode(text)
      if (!POSTCODE.test(postcode)) invalid(name, fieldSpec, 'enter a real postcode, like SW1A 1AA')
      return postcode
    }
    case 'uprn':
      if (!/^\d{1,12}$/.test(text)) invalid(name, fieldSpec, 'enter up to 12 digits')
      return text
    case 'decision':
      if (!['given', 'refused', 'withdrawn'].includes(text)) invalid(name, fieldSpec, 'choose given, refused or withdrawn')
      return text
  }
}

interface ParsedPath {
  section: Section
  itemId: string | null
  field: string
  spec: FieldSpec
}

function parsePath(path: string): ParsedPath {
  const parts = path.split('.')
  if (parts.length === 1) {
    const field = parts[0]!
    const fieldSpec = Object.hasOwn(FIELD_SPECS.case, field) ? FIELD_SPECS.case[field] : undefined
    if (fieldSpec) return { section: 'case', itemId: null, field, spec: fieldSpec }
  } else if (parts.length === 3) {
    const [collection, itemId, field] = parts as [string, string, string]
    if (Object.hasOwn(NOUNS, collection)) {
      const specs = FIELD_SPECS[collection as Collection]
      const fieldSpec = Object.hasOwn(specs, field) ? specs[field] : undefined
      if (fieldSpec) return { section: collection as Collection, itemId, field, spec: fieldSpec }
    }
  }
  return reject('invalid_field', `Doorstep has no field called ${path}`, path)
}

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------

interface FakeCase {
  view: CaseView
  sync: CaseSync
  updatedBy: string
  updatedAt: number
}

function text(entry: FieldEntry | undefined): string | null {
  return typeof entry?.value === 'string' ? entry.value : null
}

/** Words as the search index splits them: letters and digits, lower case. */
function words(value: string): string[] {
  return value.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
}

function rowOf(stored: FakeCase): CaseRow {
  const { view } = stored
  const visitsNotStarted = view.visits
    .filter((visit) => text(visit.fields['checked_in_at']) === null)
    .map((visit) => text(visit.fields['planned_at']))
    .filter((at): at is string => at !== null)
    .sort()
  const openVisit = view.visits.find(
    (visit) => text(visit.fields['checked_in_at']) !== null && text(visit.fields['checked_out_at']) === null,
  )
  return {
    caseId: view.id,
    reference: text(view.fields['reference']),
    caseType: text(view.fields['case_type']) ?? '',
    status: (text(view.fields['status']) ?? 'open') as CaseStatus,
    summary: text(view.fields['summary']) ?? '',
    assignedTo: text(view.fields['assigned_to']),
    team: text(view.fields['team']),
    dueDate: text(view.fields['due_date']),
    riskWarnings: view.risks
      .filter((risk) => risk.fields['active']?.value === true)
      .map((risk) => text(risk.fields['text']))
      .filter((warning): warning is string => warning !== null),
    peopleNames: view.people.map((person) => text(person.fields['name'])).filter((name): name is string => name !== null),
    noteCount: view.notes.length,
    openTaskCount: view.tasks.filter((task) => task.fields['done']?.value !== true).length,
    nextVisitAt: visitsNotStarted[0] ?? null,
    openVisitExpectedEnd: openVisit ? text(openVisit.fields['expected_end']) : null,
    conflictCount: view.conflicts.length,
    updatedBy: stored.updatedBy,
    updatedAt: stored.updatedAt,
    sync: { ...stored.sync },
  }
}

function searchText(view: CaseView): string {
  return [
    text(view.fields['summary']),
    text(view.fields['case_type']),
    text(view.fields['reference']),
    view.narrative,
    ...view.notes.map((note) => note.text),
    ...view.people.map((person) => text(person.fields['name'])),
  ]
    .filter((part): part is string => part !== null)
    .join(' ')
}

/** Every word must match; the last may be unfinished ("smi" finds Smith). Returns a score, or 0 for no match. */
function matchScore(caseWords: readonly string[], queryWords: readonly string[]): number {
  let score = 0
  for (const [i, word] of queryWords.entries()) {
    const last = i === queryWords.length - 1
    const hits = caseWords.filter((candidate) => (last ? candidate.startsWith(word) : candidate === word)).length
    if (hits === 0) return 0
    score += hits
  }
  return score
}

// Deterministic pseudo-random numbers, so generated cases are the same every run.
function mulberry32(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** A ULID-shaped id: the time, then a counter, so ids sort in the order they were made. */
function ulid(time: number, counter: number): string {
  let out = ''
  let t = time
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[t % 32]! + out
    t = Math.floor(t / 32)
  }
  let c = counter
  let tail = ''
  for (let i = 0; i < 16; i++) {
    tail = CROCKFORD[c % 32]! + tail
    c = Math.floor(c / 32)
  }
  return out + tail
}

// ---------------------------------------------------------------------------
// The device
// ---------------------------------------------------------------------------

interface Delay {
  cmd: string
  ms: number
  when?: (payload: Record<string, unknown>) => boolean
}

export class FakeDevice {
  readonly appInfo: AppInfo
  private readonly scenario: FakeScenario
  private readonly cases = new Map<string, FakeCase>()
  private outboxEntries: OutboxEntry[] = []
  private nextOutboxId = 1
  private idCounter = 0
  private signedIn: boolean
  private user: string
  /** The role this device last heard from the server. */
  private role: string
  /** The role the server will give at the next sync. */
  private serverRole: string
  /** Cases with a review decision the server has not yet seen. */
  private readonly reviewsToSend = new Set<string>()
  /** Cases whose assignee was changed on this laptop, with the new one, until the server sees it. */
  private readonly reassignmentsToSend = new Map<string, string | null>()
  private connection: Connection
  private serverReachable: boolean
  private lastSyncedAt: string | null
  private lastError: string | null = null
  private progress: SyncProgress | null = null
  private filesToSend: number
  private syncTimer: ReturnType<typeof setTimeout> | undefined
  private readonly failures = new Map<string, unknown>()
  private readonly delays: Delay[] = []
  /** Bumped by every edit: the cached sort orders are then out of date. */
  private version = 0
  private listCache: { key: string; version: number; ids: string[] } | null = null
  private pin: string | null
  private locked: boolean
  /** When the window was last used, as Rust counts it (any unlocked command but `lock_status`). */
  private lastUse = Date.now()
  private attemptsLeft = PIN_ATTEMPTS
  private readonly rowCache = new Map<string, { version: number; row: CaseRow; words: string[] }>()
  /** Attached files' bytes, by sha256. */
  private readonly files = new Map<string, Uint8Array>()
  /** Where attach_file puts a file that came without headers. */
  private lastShownCase: string | null = null
  /** What the server knows about the lead's team, and what the laptop fetched of it at its last sync. */
  private readonly serverTeam: ServerTeam
  private fetchedTeam: ServerTeamView | null = null
  /** What save_export wrote, oldest first; the Downloads folder starts empty with each page. */
  private readonly downloads: SavedFile[] = []

  constructor(scenario: FakeScenario = {}) {
    this.scenario = scenario
    this.appInfo = { ...DEFAULT_APP_INFO, ...scenario.appInfo }
    const hasCases = scenario.cases !== undefined && scenario.cases !== 'empty'
    this.signedIn = scenario.signedIn ?? hasCases
    this.user = scenario.user ?? 'sam.caseworker'
    this.role = scenario.role ?? 'caseworker'
    this.serverRole = this.role
    this.connection = scenario.connection ?? (scenario.syncingProgress ? 'syncing' : this.signedIn ? 'online' : 'signed_out')
    this.serverReachable = scenario.serverReachable ?? this.connection !== 'offline'
    const minutesAgo = scenario.lastSyncedMinutesAgo === undefined ? 12 : scenario.lastSyncedMinutesAgo
    this.lastSyncedAt = minutesAgo === null || !this.signedIn ? null : new Date(Date.now() - minutesAgo * MINUTE).toISOString()
    if (this.connection === 'offline') {
      this.lastError = 'Could not reach the Doorstep server at http://127.0.0.1:8787: connection refused'
    }
    this.filesToSend = scenario.filesToSend ?? (scenario.cases === 'sample' ? 2 : 0)
    for (const [cmd, error] of Object.entries(scenario.failures ?? {})) this.failures.set(cmd, error)
    if (scenario.cases === 'sample') this.seedSample()
    else if (typeof scenario.cases === 'number') this.seedGenerated(scenario.cases)
    this.serverTeam = serverTeamFor(Date.now(), this.user, this.lastSyncedAt, isTeamLeadRole(this.role) && scenario.cases === 'sample' ? this.cases : null)
    if (this.lastSyncedAt !== null && isTeamLeadRole(this.role)) this.fetchTeam(new Date(this.lastSyncedAt).getTime())
    if (scenario.syncingProgress) this.progress = { ...scenario.syncingProgress }
    this.pin = scenario.pin ?? null
    this.locked = scenario.locked === true && this.pin !== null
  }

  // ----- hooks for tests -------------------------------------------------

  /** Makes `cmd` reject with `error` until `succeed(cmd)`. */
  fail(cmd: string, error: unknown): void {
    this.failures.set(cmd, error)
  }

  succeed(cmd: string): void {
    this.failures.delete(cmd)
  }

  /** Answers `cmd` (when `when` says so) only after `ms`. */
  delay(cmd: string, ms: number, when?: (payload: Record<string, unknown>) => boolean): void {
    this.delays.push(when === undefined ? { cmd, ms } : { cmd, ms, when })
  }

  /** The network drops: the next status says offline. */
  goOffline(reason = 'Could not reach the Doorstep server at http://127.0.0.1:8787: connection refused'): void {
    this.serverReachable = false
    this.stopSync()
    this.connection = 'offline'
    this.lastError = reason
    this.publish()
  }

  /** The server can be reached again (the app learns of it on its next sync). */
  setServerReachable(reachable: boolean): void {
    this.serverReachable = reachable
  }

  /** The server gives the person this role from the next sync on (a lead moved back to casework, say). */
  setServerRole(role: string): void {
    this.serverRole = role
  }

  /**
   * The server raises a lone-worker alert (a visit not checked out in
   * time) about the visit under way on the case; the laptop hears of it at
   * its next sync. Returns its id.
   */
  serverRaisesAlert(alert: Partial<LoneWorkerAlert> & Pick<LoneWorkerAlert, 'caseId' | 'worker'>): number {
    const id = Math.max(0, ...this.serverTeam.alerts.map((a) => a.id)) + 1
    const stored = this.cases.get(alert.caseId)
    const now = Date.now()
    // About the visit still under way on the case: its check-out resolves the alert.
    const underWay = stored?.view.visits.find((v) => text(v.fields['checked_in_at']) !== null && text(v.fields['checked_out_at']) === null)
    if (underWay !== undefined) this.serverTeam.alertVisits.set(id, underWay.id)
    this.serverTeam.alerts.unshift({
      id,
      caseReference: stored ? text(stored.view.fields['reference']) : null,
      caseSummary: stored ? text(stored.view.fields['summary']) : null,
      expectedEnd: new Date(now - 20 * MINUTE).toISOString(),
      raisedAt: new Date(now).toISOString(),
      resolvedAt: null,
      deliveries: [{ channel: 'email', delivered: true, attempts: 1, lastError: null }],
      ...alert,
    })
    return id
  }

  /** IT revoked the laptop: its data is gone. */
  wipe(): void {
    this.stopSync()
    this.cases.clear()
    this.outboxEntries = []
    this.filesToSend = 0
    this.signedIn = false
    this.connection = 'wiped'
    this.lastSyncedAt = null
    this.version += 1
    this.publish()
  }

  /** Ends a sync that is waiting (one started from `syncingProgress`). */
  finishSync(): void {
    this.stopSync()
    this.completeSync()
  }

  /** The row My cases would show for a query, for tests to know what to expect. */
  rows(query: CaseQuery): CaseList {
    return this.listCases(query)
  }

  get caseCount(): number {
    return this.cases.size
  }

  /** The files save_export wrote into the Downloads folder, oldest first. */
  savedFiles(): SavedFile[] {
    return structuredClone(this.downloads)
  }

  // ----- the commands ----------------------------------------------------

  /** Answers one command as Rust would: a value, or a rejection with an IpcError (or a string, for sign_in). */
  async handle(cmd: string, payload: Record<string, unknown> = {}, headers: Readonly<Record<string, string>> = {}): Promise<unknown> {
    const args = structuredClone(payload)
    const delay = this.delays.find((d) => d.cmd === cmd && (d.when === undefined || d.when(args)))
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay.ms))
    if (this.failures.has(cmd)) throw structuredClone(this.failures.get(cmd))
    try {
      // Tauri serialises answers: the page must never share objects with the fake.
      const answer = await this.answer(cmd, args, headers)
      return answer === undefined ? null : structuredClone(answer)
    } catch (error) {
      if (error instanceof FakeError) throw { ...error.ipc }
      throw error
    }
  }

  private answer(cmd: string, a: Record<string, unknown>, headers: Readonly<Record<string, string>>): unknown {
    const str = (name: string): string => {
      const value = a[name]
      if (typeof value !== 'string') reject('bad_request', `The ${name} argument is missing`)
      return value
    }
    if (this.pin !== null && !this.locked && Date.now() - this.lastUse >= IDLE_LOCK_MS) this.locked = true
    if (this.locked && !ANSWERED_WHILE_LOCKED.has(cmd)) reject('locked', 'Doorstep is locked. Enter your PIN to carry on.')
    if (!this.locked && cmd !== 'lock_status') this.lastUse = Date.now()
    switch (cmd) {
      case 'app_info':
        if (this.scenario.appInfoError !== undefined) throw this.scenario.appInfoError
        return this.appInfo
      case 'sign_in':
        return this.signIn(str('username'), a['password'])
      case 'sign_out':
        return this.signOut(a['removeData'] === true)
      case 'device_status':
        return this.deviceStatus()
      case 'list_cases':
        return this.listCases((a['query'] ?? {}) as CaseQuery)
      case 'todays_visits':
        return this.todaysVisits()
      case 'show_case':
        return this.showCase(str('caseId'))
      case 'create_case':
        return this.createCase(str('caseType'), str('summary'))
      case 'set_field':
        return this.setField(str('caseId'), str('field'), str('value'))
      case 'add_note':
        return this.addNote(str('caseId'), str('text'))
      case 'edit_note':
        return this.editNote(str('caseId'), str('noteId'), str('text'))
      case 'set_narrative':
        return this.setNarrative(str('caseId'), str('text'))
      case 'add_person':
        return this.addPerson(str('caseId'), a['person'] as PersonInput)
      case 'add_item':
        return this.addItem(str('caseId'), str('kind') as ItemKind, (a['fields'] ?? {}) as Record<string, string>)
      case 'check_in':
        return this.checkIn(str('caseId'), str('visitId'), str('expectedEnd'))
      case 'check_out':
        return this.checkOut(str('caseId'), str('visitId'), str('outcome'))
      case 'submit_for_review':
        return this.submitForReview(str('caseId'))
      case 'review_queue':
        return this.reviewQueue()
      case 'review_case':
        return this.reviewCase(str('caseId'), a['decision'], str('comment'))
      case 'team_caseload':
        return this.teamCaseload()
      case 'team_alerts':
        return this.teamAlerts()
      case 'case_access_record':
        return this.caseAccessRecord(str('caseId'))
      case 'worker_activity':
        return this.workerActivity(str('worker'))
      case 'outbox':
        return this.outbox()
      case 'conflicts':
        return this.conflicts()
      case 'resolve_conflict':
        return this.resolveConflict(str('caseId'), str('field'), str('value'))
      case 'sync_status':
        return this.syncStatus()
      case 'sync_now':
        return this.startSync()
      case 'network_online':
        this.serverReachable = true
        return this.startSync()
      case 'lock_status':
        return this.lockStatus()
      case 'lock':
        if (this.pin === null) reject('no_pin', 'Set a PIN first, so you can unlock Doorstep again.')
        this.locked = true
        return null
      case 'unlock':
        return this.unlock(str('pin'))
      case 'set_pin':
        return this.setPin(str('pin'))
      case 'user_active':
        return null
      case 'attach_file':
        return this.attachFile(a as unknown, headers)
      case 'attachment':
        return this.attachment(str('caseId'), str('sha256'))
      case 'save_export':
        return this.saveExport(str('fileName'), str('contents'))
      case 'change_saved':
        // Rust syncs a few seconds after the person pauses; the tests start
        // syncs themselves, so only the counts are brought up to date here.
        this.publish()
        return null
      default:
        // What Tauri itself rejects with for a command Rust does not have.
        throw `Command ${cmd} not found`
    }
  }

  private signIn(username: string, password: unknown): null {
    if (this.scenario.acceptPassword === undefined || password !== this.scenario.acceptPassword) {
      throw this.scenario.signInError ?? 'The username or password is not right'
    }
    this.signedIn = true
    this.user = username
    this.locked = false
    this.lastUse = Date.now()
    this.attemptsLeft = PIN_ATTEMPTS
    this.connection = 'online'
    this.serverReachable = true
    this.publish()
    return null
  }

  private lockStatus(): LockStatus {
    return {
      locked: this.locked,
      pinSet: this.pin !== null,
      attemptsLeft: this.attemptsLeft,
      signedIn: this.signedIn,
      idleLockMinutes: IDLE_LOCK_MS / 60_000,
      millisUntilLock: this.locked || this.pin === null ? null : Math.max(0, IDLE_LOCK_MS - (Date.now() - this.lastUse)),
    }
  }

  /** As if nobody had touched the window for `ms` (tests of the idle warning). */
  idleFor(ms: number): void {
    this.lastUse = Date.now() - ms
  }

  private unlock(pin: string): null {
    if (this.pin === null) reject('no_pin', 'No PIN is set on this laptop. Sign in with your password.')
    if (this.attemptsLeft === 0) reject('pin_locked_out', 'Too many wrong PINs. Sign in with your password; your work is still here.')
    if (pin !== this.pin) {
      this.attemptsLeft -= 1
      if (this.attemptsLeft === 0) {
        this.signedIn = false
        reject('pin_locked_out', 'Too many wrong PINs. Sign in with your password; your work is still here.')
      }
      reject('invalid_field', `That PIN is not right. You have ${this.attemptsLeft} more ${this.attemptsLeft === 1 ? 'try' : 'tries'}.`, 'pin')
    }
    this.locked = false
    this.lastUse = Date.now()
    this.attemptsLeft = PIN_ATTEMPTS
    return null
  }

  private setPin(pin: string): null {
    if (!this.signedIn) reject('not_signed_in', 'Sign in with your password before setting a PIN.')
    if (!/^\d{6,12}$/.test(pin)) reject('invalid_field', 'Enter a PIN of 6 to 12 digits', 'pin')
    const digits = [...pin].map(Number)
    const steps = new Set(digits.slice(1).map((digit, i) => digit - digits[i]!))
    if (steps.size === 1 && [0, 1, -1].includes([...steps][0]!)) {
      reject('invalid_field', 'Choose a PIN that is harder to guess: not one digit repeated or a run like 123456', 'pin')
    }
    this.pin = pin
    this.attemptsLeft = PIN_ATTEMPTS
    return null
  }

  private signOut(removeData: boolean): null {
    const waiting = this.outboxEntries.length + this.filesToSend
    if (removeData && waiting > 0) {
      reject(
        'unsent_work',
        `This device's data cannot be removed yet: ${waiting} changes and files made here have not reached the server, and removing them would lose that work. Connect and sync first, or sign out and keep the data`,
      )
    }
    this.stopSync()
    this.signedIn = false
    this.locked = false
    this.lastUse = Date.now()
    this.connection = 'signed_out'
    if (removeData) {
      this.cases.clear()
      this.version += 1
    }
    this.publish()
    return null
  }

  private refusedCount(): number {
    return [...this.cases.values()].filter((c) => c.sync.state === 'refused').length
  }

  private everythingAcknowledged(): boolean {
    return this.outboxEntries.length === 0 && this.filesToSend === 0 && this.refusedCount() === 0
  }

  private deviceStatus(): DeviceStatus {
    return {
      user: this.user,
      signedIn: this.signedIn,
      role: this.signedIn ? this.role : null,
      team: this.signedIn ? 'Riverside North' : null,
      server: this.appInfo.serverUrl,
      cases: this.cases.size,
      unsyncedChanges: this.outboxEntries.length,
      filesToSend: this.filesToSend,
      everythingAcknowledged: this.everythingAcknowledged(),
      refusedCases: this.refusedCount(),
      conflicts: [...this.cases.values()].reduce((sum, c) => sum + c.view.conflicts.length, 0),
      lastSync: this.lastSyncedAt,
      lastSyncError: this.lastError,
    }
  }

  private cached(stored: FakeCase): { row: CaseRow; words: string[] } {
    const hit = this.rowCache.get(stored.view.id)
    if (hit && hit.version === this.version) return hit
    const fresh = { version: this.version, row: rowOf(stored), words: words(searchText(stored.view)) }
    this.rowCache.set(stored.view.id, fresh)
    return fresh
  }

  private listCases(query: CaseQuery): CaseList {
    if (query.limit !== undefined && query.limit > MAX_ROWS_PER_PAGE) {
      reject('invalid_filter', `Ask for at most ${MAX_ROWS_PER_PAGE} cases at a time`)
    }
    if (query.dueBefore !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(query.dueBefore)) {
      reject('invalid_filter', `"${query.dueBefore}" is not a date: use the form 2026-03-27`)
    }
    const { offset = 0, limit, ...filters } = query
    const key = JSON.stringify(filters)
    if (this.listCache === null || this.listCache.key !== key || this.listCache.version !== this.version) {
      this.listCache = { key, version: this.version, ids: this.matchingIds(query) }
    }
    const ids = this.listCache.ids
    const page = ids.slice(offset, limit === undefined ? undefined : offset + limit)
    return { total: ids.length, rows: page.map((id) => this.cached(this.cases.get(id)!).row) }
  }

  private matchingIds(query: CaseQuery): string[] {
    const queryWords = words(query.text ?? '')
    const matches: { row: CaseRow; score: number }[] = []
    for (const stored of this.cases.values()) {
      const { row, words: caseWords } = this.cached(stored)
      if (query.status !== undefined && row.status !== query.status) continue
      if (query.dueBefore !== undefined && (row.dueDate === null || row.dueDate >= query.dueBefore)) continue
      if (query.hasRisk === true && row.riskWarnings.length === 0) continue
      if (query.hasRisk === false && row.riskWarnings.length > 0) continue
      if (query.conflictsOnly === true && row.conflictCount === 0) continue
      let score = 0
      if (queryWords.length > 0) {
        score = matchScore(caseWords, queryWords)
        if (score === 0) continue
      }
      matches.push({ row, score })
    }
    const byUpdated = (a: CaseRow, b: CaseRow) => b.updatedAt - a.updatedAt || a.caseId.localeCompare(b.caseId)
    const nullsLast = (a: string | null, b: string | null) => (a === null ? 1 : 0) - (b === null ? 1 : 0) || (a ?? '').localeCompare(b ?? '')
    matches.sort((x, y) => {
      switch (query.sort ?? 'updated') {
        case 'due_date':
          return nullsLast(x.row.dueDate, y.row.dueDate) || byUpdated(x.row, y.row)
        case 'reference':
          return nullsLast(x.row.reference, y.row.reference) || x.row.caseId.localeCompare(y.row.caseId)
        case 'relevance':
          return queryWords.length > 0 ? y.score - x.score || byUpdated(x.row, y.row) : byUpdated(x.row, y.row)
        default:
          return byUpdated(x.row, y.row)
      }
    })
    return matches.map((m) => m.row.caseId)
  }

  private find(caseId: string): FakeCase {
    const stored = this.cases.get(caseId)
    if (!stored) reject('no_such_case', `There is no case ${caseId} on this device. Check the id with \`doorstep case list\`.`)
    return stored
  }

  private showCase(caseId: string): CasePage {
    const stored = this.find(caseId)
    this.lastShownCase = caseId
    return { case: stored.view, sync: stored.sync }
  }

  /** As `Device::attach_from_window`: the checks, then the bytes stored once under their sha256. */
  private async attachFile(body: unknown, headers: Readonly<Record<string, string>>): Promise<string> {
    // A copy: the fake keeps the bytes, the page keeps its own.
    const bytes = body instanceof Uint8Array || body instanceof ArrayBuffer ? new Uint8Array(body) : null
    if (bytes === null) reject('bad_request', 'Doorstep could not read the file. Choose it again', 'file')
    const header = (name: string): string | undefined => headers[name]
    // No headers: see the note at the top of this file.
    const caseId = header('doorstep-case-id') ?? this.lastShownCase ?? ''
    let name: string | null
    try {
      name = decodeURIComponent(header('doorstep-file-name') ?? 'file').trim()
    } catch {
      name = null
    }
    if (!name || [...name].length > 255) reject('invalid_field', 'File name: choose a file with a name of 1 to 255 characters', 'file')
    const typed = (header('doorstep-media-type') ?? sniffMediaType(bytes)).trim().toLowerCase()
    const mediaType = typed.length <= 100 && /^[a-z0-9+.-]+\/[a-z0-9+.-]+$/.test(typed) ? typed : 'application/octet-stream'
    if (bytes.length === 0) reject('invalid_field', 'File name: the file is empty: choose another', 'file')
    this.find(caseId)
    if (bytes.length > MAX_ATTACHMENT_BYTES) {
      reject(
        'store_error',
        `The file is ${bytes.length} bytes; the largest attachment Doorstep accepts is ${MAX_ATTACHMENT_BYTES} bytes (50 MiB). Make it smaller (for example, take the photo at a lower resolution) or split the document`,
      )
    }
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
    const sha256 = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('')
    this.files.set(sha256, bytes)
    this.filesToSend += 1
    this.edit(caseId, 'Attached a file', (view) => {
      // Attachments are keyed by sha256: the same file twice is one attachment.
      view.attachments = view.attachments.filter((a) => a.sha256 !== sha256)
      view.attachments.push({ sha256, name: name!, mediaType, size: bytes.length, addedBy: this.user, addedAt: Date.now() })
    })
    return sha256
  }

  /** The bytes, as the ArrayBuffer Tauri gives for a raw `Response`. */
  private attachment(caseId: string, sha256: string): ArrayBuffer {
    const listed = this.find(caseId).view.attachments.some((a) => a.sha256 === sha256)
    const bytes = this.files.get(sha256)
    if (!listed || bytes === undefined) reject('no_such_attachment', `There is no attachment ${sha256} on this case`)
    return bytes.slice().buffer
  }

  private todaysVisits(): VisitRow[] {
    const now = new Date()
    const from = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime()
    const to = from + DAY
    const visits: VisitRow[] = []
    for (const { view } of this.cases.values()) {
      const person = view.people[0]
      const addressParts = person ? [text(person.fields['address']), text(person.fields['postcode'])].filter((p) => p !== null) : []
      const riskWarnings = rowOf({ view, sync: { state: 'synced', unsyncedChanges: 0, refusedReason: null }, updatedAt: 0, updatedBy: '' }).riskWarnings
      for (const visit of view.visits) {
        const plannedAt = text(visit.fields['planned_at'])
        if (plannedAt === null) continue
        const checkedIn = text(visit.fields['checked_in_at'])
        const checkedOut = text(visit.fields['checked_out_at'])
        const planned = new Date(plannedAt).getTime()
        const plannedToday = planned >= from && planned < to
        const underWay = checkedIn !== null && checkedOut === null
        // As Rust: today's visits not yet started, and every visit under way.
        // Finished ones stay listed for the day they were planned, so the
        // caseworker sees the day as it went.
        if (!(plannedToday || underWay)) continue
        visits.push({
          caseId: view.id,
          caseReference: text(view.fields['reference']),
          caseSummary: text(view.fields['summary']) ?? '',
          visitId: visit.id,
          plannedAt,
          checkedInAt: checkedIn,
          expectedEnd: text(visit.fields['expected_end']),
          checkedOutAt: checkedOut,
          address: addressParts.length > 0 ? addressParts.join(', ') : null,
          riskWarnings,
        })
      }
    }
    return visits.sort((x, y) => x.plannedAt.localeCompare(y.plannedAt))
  }

  private newId(): string {
    this.idCounter += 1
    return ulid(Date.now(), this.idCounter)
  }

  private entry(value: FieldValue): FieldEntry {
    return { value, by: this.user, at: Date.now() }
  }

  /** Every change goes through here: it needs a signed-in person, marks the case unsent and adds to the outbox. */
  private edit<T>(caseId: string, description: string, change: (view: CaseView) => T): T {
    if (!this.signedIn) reject('not_signed_in', 'Sign in to make changes on this device.')
    const stored = this.find(caseId)
    const result = change(stored.view)
    stored.updatedAt = Date.now()
    stored.updatedBy = this.user
    stored.sync =
      stored.sync.state === 'refused'
        ? { ...stored.sync, unsyncedChanges: stored.sync.unsyncedChanges + 1 }
        : { state: 'unsynced', unsyncedChanges: stored.sync.unsyncedChanges + 1, refusedReason: null }
    this.addOutbox(caseId, description)
    this.version += 1
    return result
  }

  private addOutbox(caseId: string, description: string, at = Date.now()): void {
    const id = this.nextOutboxId++
    this.outboxEntries.push({
      id,
      caseId,
      description,
      createdAt: at,
      hlc: `${at.toString(16).padStart(12, '0')}-${String(id).padStart(4, '0')}-laptop`,
      heads: [((at * 2654435761 + id) % 2 ** 32).toString(16).padStart(8, '0').repeat(8)],
    })
  }

  private createCase(caseType: string, summary: string): string {
    if (!this.signedIn) reject('not_signed_in', 'Sign in to make changes on this device.')
    const fields: Record<string, FieldEntry> = {}
    for (const [name, input] of [
      ['case_type', caseType],
      ['summary', summary],
    ] as const) {
      const value = fieldValue(name, FIELD_SPECS.case[name]!, input)
      fields[name] = this.entry(value)
    }
    fields['status'] = this.entry('open')
    fields['assigned_to'] = this.entry(this.user)
    fields['team'] = this.entry('Riverside North')
    const id = this.newId()
    const now = Date.now()
    this.cases.set(id, {
      view: emptyCase(id, this.user, now, fields),
      sync: { state: 'unsynced', unsyncedChanges: 1, refusedReason: null },
      updatedAt: now,
      updatedBy: this.user,
    })
    this.addOutbox(id, 'Created the case')
    this.version += 1
    return id
  }

  private item(view: CaseView, section: Collection, itemId: string): ItemView {
    const found = view[section].find((item) => item.id === itemId)
    if (!found) reject('no_such_item', `There is no ${NOUNS[section]} with id ${itemId} on this case`)
    return found
  }

  private fieldsAt(view: CaseView, path: ParsedPath): Record<string, FieldEntry> {
    return path.section === 'case' || path.itemId === null ? view.fields : this.item(view, path.section, path.itemId).fields
  }

  private setField(caseId: string, field: string, value: string): null {
    const path = parsePath(field)
    if (path.section === 'case' && path.field === 'reference') {
      reject('set_by_server', "Reference is given by the council's server when the case first syncs and cannot be typed in")
    }
    const stored = this.find(caseId)
    const target = this.fieldsAt(stored.view, path)
    const parsed = fieldValue(path.field, path.spec, value)
    this.edit(caseId, `Changed ${path.spec.label.toLowerCase()}`, (view) => {
      target[path.field] = this.entry(parsed)
      // Writing a field supersedes every value it had, conflicting or not.
      view.conflicts = view.conflicts.filter((conflict) => conflict.path !== field)
    })
    // Saved whoever made it: only the server checks who may reassign.
    if (path.section === 'case' && path.field === 'assigned_to') this.reassignmentsToSend.set(caseId, typeof parsed === 'string' ? parsed : null)
    return null
  }

  private addNote(caseId: string, noteText: string): string {
    if (noteText.trim() === '') reject('invalid_field', "Enter the note's text", 'text')
    if (noteText.length > NOTE_LIMIT) {
      reject('invalid_field', `The text is ${noteText.length} characters long; the limit is ${NOTE_LIMIT}. Split it into several notes or attach it as a document`, 'text')
    }
    const id = this.newId()
    this.edit(caseId, 'Added a note', (view) => {
      const createdAt = Date.now()
      // As Rust: every version is kept, the first being the original.
      view.notes.push({ id, author: this.user, createdAt, text: noteText, revisions: [{ text: noteText, by: this.user, at: createdAt }] })
    })
    return id
  }

  private editNote(caseId: string, noteId: string, noteText: string): null {
    if (noteText.trim() === '') reject('invalid_field', "Enter the note's text", 'text')
    const note = this.find(caseId).view.notes.find((n) => n.id === noteId)
    if (!note) reject('no_such_item', `There is no note with id ${noteId} on this case`)
    this.edit(caseId, 'Corrected a note', () => {
      note.revisions.push({ text: noteText, by: this.user, at: Date.now() })
      note.text = noteText
    })
    return null
  }

  private setNarrative(caseId: string, narrative: string): null {
    this.edit(caseId, 'Changed the assessment narrative', (view) => {
      view.narrative = narrative
      view.narrativeEdited = this.entry(null)
    })
    return null
  }

  /** Checks an item's fields (all of them, required ones present) and returns them as entries. */
  private itemFields(section: Collection, inputs: Record<string, string>): Record<string, FieldEntry> {
    const specs = FIELD_SPECS[section]
    const fields: Record<string, FieldEntry> = {}
    for (const [name, input] of Object.entries(inputs)) {
      const fieldSpec = Object.hasOwn(specs, name) ? specs[name] : undefined
      if (!fieldSpec) reject('invalid_field', `A ${NOUNS[section]} has no field called ${name}`, name)
      const value = fieldValue(name, { ...fieldSpec, required: false }, input)
      if (value !== null) fields[name] = this.entry(value)
    }
    for (const [name, fieldSpec] of Object.entries(specs)) {
      if (fieldSpec.required && !Object.hasOwn(fields, name)) {
        reject('invalid_field', `Enter ${fieldSpec.label.toLowerCase()}; it cannot be left empty`, name)
      }
    }
    return fields
  }

  private addPerson(caseId: string, person: PersonInput): string {
    const inputs: Record<string, string> = {}
    const names: Record<keyof PersonInput, string> = {
      name: 'name',
      dateOfBirth: 'date_of_birth',
      nhsNumber: 'nhs_number',
      niNumber: 'ni_number',
      address: 'address',
      postcode: 'postcode',
      uprn: 'uprn',
      phone: 'phone',
      email: 'email',
      relationship: 'relationship',
    }
    for (const [key, name] of Object.entries(names)) {
      const value = person?.[key as keyof PersonInput]
      if (typeof value === 'string') inputs[name] = value
    }
    this.find(caseId)
    const fields = this.itemFields('people', inputs)
    const id = this.newId()
    this.edit(caseId, 'Added a person', (view) => {
      view.people.push({ id, addedBy: this.user, addedAt: Date.now(), fields })
    })
    return id
  }

  private addItem(caseId: string, kind: ItemKind, inputs: Record<string, string>): string {
    if (!Object.hasOwn(KIND_COLLECTIONS, kind)) reject('invalid_input', `Doorstep cannot add a ${kind} to a case`)
    const section = KIND_COLLECTIONS[kind]
    this.find(caseId)
    const fields = this.itemFields(section, inputs)
    const id = this.newId()
    this.edit(caseId, `Added a ${NOUNS[section]}`, (view) => {
      view[section].push({ id, addedBy: this.user, addedAt: Date.now(), fields })
    })
    return id
  }

  private checkIn(caseId: string, visitId: string, expectedEnd: string): null {
    const fieldSpec = FIELD_SPECS.visits['expected_end']!
    const end = new Date(expectedEnd)
    if (expectedEnd.trim() === '' || Number.isNaN(end.getTime())) invalid('expected_end', fieldSpec, 'enter the time you expect to leave')
    if (end.getTime() <= Date.now()) invalid('expected_end', fieldSpec, 'the time you expect to leave must be later than now')
    const visit = this.item(this.find(caseId).view, 'visits', visitId)
    if (visit.fields['checked_in_at']) invalid('checked_in_at', FIELD_SPECS.visits['checked_in_at']!, 'you have already checked in to this visit')
    this.edit(caseId, 'Checked in to a visit', () => {
      visit.fields['checked_in_at'] = this.entry(new Date().toISOString())
      visit.fields['expected_end'] = this.entry(end.toISOString())
    })
    return null
  }

  private checkOut(caseId: string, visitId: string, outcome: string): null {
    const visit = this.item(this.find(caseId).view, 'visits', visitId)
    const checkedOutSpec = FIELD_SPECS.visits['checked_out_at']!
    if (!visit.fields['checked_in_at']) invalid('checked_out_at', checkedOutSpec, 'check in to this visit before checking out')
    if (visit.fields['checked_out_at']) invalid('checked_out_at', checkedOutSpec, 'you have already checked out of this visit')
    const outcomeValue = fieldValue('outcome', FIELD_SPECS.visits['outcome']!, outcome)
    this.edit(caseId, 'Checked out of a visit', () => {
      visit.fields['checked_out_at'] = this.entry(new Date().toISOString())
      visit.fields['outcome'] = this.entry(outcomeValue)
    })
    return null
  }

  private submitForReview(caseId: string): null {
    const status = text(this.find(caseId).view.fields['status']) as CaseStatus
    if (status === 'awaiting_review' || status === 'closed') {
      reject(
        'illegal_transition',
        `A case cannot move from ${STATUS_LABELS[status]} to ${STATUS_LABELS.awaiting_review}. ${status === 'closed' ? 'Reopen it first.' : 'It is already waiting for review.'}`,
      )
    }
    this.edit(caseId, 'Submitted for review', (view) => {
      view.fields['status'] = this.entry('awaiting_review')
    })
    return null
  }

  /** As `Device::require_team_lead`: the role this device last heard decides. */
  private requireTeamLead(): void {
    const role = this.signedIn ? this.role : null
    if (!isTeamLeadRole(role)) {
      reject('not_a_team_lead', `Only team leads review cases, and you are signed in as ${role ?? 'nobody signed in'}. Ask your team lead to review it`)
    }
  }

  private reviewQueue(): ReviewQueueEntry[] {
    this.requireTeamLead()
    return this.listCases({ status: 'awaiting_review' })
      .rows.map((row) => {
        const submitted = this.cases.get(row.caseId)!.view.fields['status']
        return { ...row, submittedBy: submitted?.by ?? '', submittedAt: submitted?.at ?? row.updatedAt }
      })
      .sort((a, b) => a.submittedAt - b.submittedAt || a.caseId.localeCompare(b.caseId))
  }

  /** As `Device::review_case` and `Case::record_review`, with the errors the window gets for them. */
  private reviewCase(caseId: string, decision: unknown, comment: string): string {
    if (decision !== 'approved' && decision !== 'returned') {
      // What Tauri rejects with when an argument does not deserialise.
      throw `invalid args \`decision\` for command \`review_case\`: unknown variant \`${String(decision)}\`, expected \`approved\` or \`returned\``
    }
    this.requireTeamLead()
    const status = text(this.find(caseId).view.fields['status']) as CaseStatus
    if (status !== 'awaiting_review') {
      reject(
        'not_awaiting_review',
        `This case is ${STATUS_LABELS[status].toLowerCase()} and not waiting for review, so there is nothing to approve or return. Sync to see its latest state`,
      )
    }
    const trimmed = comment.trim()
    if (decision === 'returned' && trimmed === '') {
      reject('invalid_field', 'Enter comments saying what needs to change before you return the case', 'comment')
    }
    if ([...trimmed].length > NOTE_LIMIT) {
      reject(
        'invalid_field',
        `The text is ${[...trimmed].length} characters long; the limit is ${NOTE_LIMIT}. Split it into several notes or attach it as a document`,
        'comment',
      )
    }
    const id = this.newId()
    const description = decision === 'approved' ? 'Approved the case' : 'Returned the case for more work'
    this.edit(caseId, description, (view) => {
      const review: ReviewView = { id, decision: decision as ReviewDecision, comment: trimmed, by: this.user, at: Date.now() }
      view.reviews = [...(view.reviews ?? []), review]
      view.fields['status'] = this.entry(decision === 'approved' ? 'closed' : 'in_progress')
    })
    this.reviewsToSend.add(caseId)
    return id
  }

  /** As `Device::team_caseload` and `DeviceStore::caseload`: figures per assignee, and visits past their end. */
  private teamCaseload(): TeamCaseload {
    this.requireTeamLead()
    const now = Date.now()
    const nowText = new Date(now).toISOString()
    // Rust compares due dates with the date part of now in UTC.
    const today = nowText.slice(0, 10)
    const byWorker = new Map<string | null, WorkerCaseload>()
    for (const stored of this.cases.values()) {
      const row = this.cached(stored).row
      let load = byWorker.get(row.assignedTo)
      if (load === undefined) {
        load = {
          worker: row.assignedTo,
          openCases: 0,
          inProgress: 0,
          awaitingReview: 0,
          visitsUnderWay: 0,
          overdueVisits: 0,
          overdueCases: 0,
          casesWithConflicts: 0,
          openTasks: 0,
          overdueTasks: 0,
        }
        byWorker.set(row.assignedTo, load)
      }
      const open = row.status !== 'closed'
      if (open) load.openCases += 1
      if (row.status === 'in_progress') load.inProgress += 1
      if (row.status === 'awaiting_review') load.awaitingReview += 1
      // Counted per case, as the projection holds one open visit per case.
      if (row.openVisitExpectedEnd !== null) load.visitsUnderWay += 1
      if (row.openVisitExpectedEnd !== null && row.openVisitExpectedEnd < nowText) load.overdueVisits += 1
      if (open && row.dueDate !== null && row.dueDate < today) load.overdueCases += 1
      if (row.conflictCount > 0) load.casesWithConflicts += 1
      if (open) load.openTasks += row.openTaskCount
      if (open) {
        load.overdueTasks += stored.view.tasks.filter((task) => {
          const due = task.fields['due_date']?.value
          return task.fields['done']?.value !== true && typeof due === 'string' && due < today
        }).length
      }
    }
    const workers = [...byWorker.values()].sort(
      (a, b) =>
        (a.worker === null ? 1 : 0) - (b.worker === null ? 1 : 0) ||
        (a.worker ?? '').toLowerCase().localeCompare((b.worker ?? '').toLowerCase()),
    )
    const overdueVisits: TeamCaseload['overdueVisits'] = []
    for (const { view } of this.cases.values()) {
      for (const visit of view.visits) {
        const checkedIn = visit.fields['checked_in_at']
        const expectedEnd = text(visit.fields['expected_end'])
        if (checkedIn === undefined || text(checkedIn) === null || expectedEnd === null) continue
        if (text(visit.fields['checked_out_at']) !== null || expectedEnd >= nowText) continue
        overdueVisits.push({
          caseId: view.id,
          caseReference: text(view.fields['reference']),
          caseSummary: text(view.fields['summary']) ?? '',
          visitId: visit.id,
          // Who checked in: the person who may need help, whoever the case is assigned to.
          worker: checkedIn.by,
          checkedInAt: text(checkedIn)!,
          expectedEnd,
          minutesOverdue: Math.floor((now - new Date(expectedEnd).getTime()) / MINUTE),
        })
      }
    }
    overdueVisits.sort((a, b) => a.expectedEnd.localeCompare(b.expectedEnd))
    return { asOf: now, workers, overdueVisits, kpis: this.serverTeam.kpis, fromServer: this.fetchedTeam }
  }

  /**
   * As Rust's `save_export`: a lead's CSV file into the Downloads folder,
   * never over a file already there: `name (1).csv`, `name (2).csv`...
   */
  private saveExport(fileName: string, contents: string): SavedExport {
    if (!isTeamLeadRole(this.signedIn ? this.role : null)) {
      reject('not_a_team_lead', 'Only team leads can save their team’s figures.')
    }
    if (!EXPORT_FILE_NAME.test(fileName)) {
      reject('invalid_input', `Doorstep cannot save a file named “${fileName}”: the name must be lower-case letters, digits and hyphens, ending .csv.`)
    }
    const taken = new Set(this.downloads.map((file) => file.fileName))
    const stem = fileName.slice(0, -'.csv'.length)
    let name = fileName
    for (let n = 1; taken.has(name); n++) name = `${stem} (${n}).csv`
    const saved = { path: `${DOWNLOADS_FOLDER}/${name}`, fileName: name }
    this.downloads.push({ ...saved, contents })
    return saved
  }

  /** As the lead-only commands about the team's oversight refuse anyone else. */
  private requireLeadForOversight(): void {
    if (!isTeamLeadRole(this.signedIn ? this.role : null)) reject('not_a_team_lead', 'Only team leads can see this.')
  }

  /** Commands that ask the server there and then fail like this while it cannot be reached. */
  private requireServer(): void {
    if (!this.serverReachable) {
      reject('server_unreachable', `Could not reach the server at ${this.appInfo.serverUrl ?? 'the address you signed in to'}. Check the connection and try again.`)
    }
  }

  /** As `Device::team_alerts`: the open alerts the laptop fetched at its last sync; no server call. */
  private teamAlerts(): TeamAlerts {
    this.requireLeadForOversight()
    if (this.fetchedTeam === null) return { fetchedAt: null, alerts: [] }
    return { fetchedAt: this.fetchedTeam.fetchedAt, alerts: this.fetchedTeam.alerts.filter((alert) => alert.resolvedAt === null) }
  }

  /** The server's access log for one case, newest first. */
  private caseAccessRecord(caseId: string): CaseAccessRecord {
    this.requireLeadForOversight()
    this.requireServer()
    return { caseId, entries: this.serverTeam.accessLog.filter((entry) => entry.caseId === caseId).reverse() }
  }

  /** The server's access log for one worker, newest first. */
  private workerActivity(worker: string): WorkerActivity {
    this.requireLeadForOversight()
    this.requireServer()
    return { worker, entries: this.serverTeam.accessLog.filter((entry) => sameName(entry.actor, worker)).reverse() }
  }

  /** The laptop fetches the team's laptops and alerts, as a lead's sync does. */
  private fetchTeam(at: number): void {
    const weekAgo = at - 7 * DAY
    this.fetchedTeam = {
      fetchedAt: at,
      devices: this.serverTeam.devices.map((device) => ({ ...device })),
      alerts: this.serverTeam.alerts
        .filter((alert) => alert.resolvedAt === null || new Date(alert.resolvedAt).getTime() >= weekAgo)
        .map((alert) => structuredClone(alert)),
    }
  }

  /** At a sync: check-outs that reach the server resolve their alerts, this laptop's sync is recorded, and a lead's laptop fetches the team. */
  private syncTeam(): void {
    const now = Date.now()
    const nowText = new Date(now).toISOString()
    for (const alert of this.serverTeam.alerts) {
      if (alert.resolvedAt !== null) continue
      const visitId = this.serverTeam.alertVisits.get(alert.id)
      const visit = visitId === undefined ? undefined : this.cases.get(alert.caseId)?.view.visits.find((v) => v.id === visitId)
      if (visit !== undefined && text(visit.fields['checked_out_at']) !== null) alert.resolvedAt = nowText
    }
    for (const device of this.serverTeam.devices) {
      if (device.deviceId === OWN_DEVICE_ID) device.lastSyncAt = nowText
    }
    if (isTeamLeadRole(this.role)) this.fetchTeam(now)
    else this.fetchedTeam = null
  }

  private outbox(): Outbox {
    const cases: OutboxCase[] = []
    for (const entry of this.outboxEntries) {
      const waiting = cases.find((c) => c.caseId === entry.caseId)
      if (waiting) {
        waiting.changes.push(entry)
        continue
      }
      const fields = this.cases.get(entry.caseId)?.view.fields ?? {}
      cases.push({
        caseId: entry.caseId,
        reference: text(fields['reference']),
        summary: text(fields['summary']) ?? '',
        changes: [entry],
      })
    }
    return {
      cases,
      refused: [...this.cases.values()]
        .filter((c) => c.sync.state === 'refused')
        .map((c) => ({
          caseId: c.view.id,
          reference: text(c.view.fields['reference']),
          summary: text(c.view.fields['summary']) ?? '',
          reason: c.sync.refusedReason ?? '',
        })),
      filesToSend: this.filesToSend,
    }
  }

  private conflicts(): CaseConflicts[] {
    return [...this.cases.values()]
      .filter((c) => c.view.conflicts.length > 0)
      .sort((x, y) => y.updatedAt - x.updatedAt)
      .map((c) => ({
        caseId: c.view.id,
        reference: text(c.view.fields['reference']),
        summary: text(c.view.fields['summary']) ?? '',
        assignedTo: text(c.view.fields['assigned_to']),
        conflicts: c.view.conflicts,
      }))
  }

  private resolveConflict(caseId: string, field: string, value: string): null {
    const stored = this.find(caseId)
    const path = parsePath(field)
    if (!stored.view.conflicts.some((conflict) => conflict.path === field)) {
      reject('no_conflict', `${path.spec.label} has no conflict to resolve; set it with \`case set\` instead`)
    }
    const target = this.fieldsAt(stored.view, path)
    const parsed = fieldValue(path.field, path.spec, value)
    this.edit(caseId, `Resolved a conflict in ${path.spec.label.toLowerCase()}`, (view) => {
      target[path.field] = this.entry(parsed)
      view.conflicts = view.conflicts.filter((conflict) => conflict.path !== field)
    })
    return null
  }

  // ----- sync ------------------------------------------------------------

  private syncStatus(): SyncStatus {
    return {
      connection: this.connection,
      lastSyncedAt: this.lastSyncedAt,
      lastError: this.lastError,
      progress: this.progress === null ? null : { ...this.progress },
      unsyncedChanges: this.outboxEntries.length,
      filesToSend: this.filesToSend,
      everythingAcknowledged: this.everythingAcknowledged(),
    }
  }

  /** Sends the status to the window, as Rust's background sync does after every change. */
  private publish(): void {
    void emit('sync-status', this.syncStatus())
  }

  private stopSync(): void {
    if (this.syncTimer !== undefined) clearTimeout(this.syncTimer)
    this.syncTimer = undefined
  }

  private startSync(): null {
    if (!this.signedIn || this.connection === 'wiped' || this.connection === 'syncing') return null
    this.connection = 'syncing'
    const casesToSend = [...this.cases.values()].filter((c) => c.sync.state === 'unsynced').length
    this.progress = { round: 1, casesReceived: 0, casesRemaining: 0, casesSent: 0, casesToSend, bytesSent: 0, bytesReceived: 0 }
    this.publish()
    const steps = this.scenario.syncSteps ?? 3
    const stepMs = this.scenario.syncStepMs ?? 150
    let step = 0
    const tick = () => {
      if (!this.serverReachable) {
        this.syncTimer = undefined
        this.progress = null
        this.connection = 'offline'
        this.lastError = 'Could not reach the Doorstep server at http://127.0.0.1:8787: connection refused'
        this.publish()
        return
      }
      step += 1
      if (step > steps) {
        this.syncTimer = undefined
        this.completeSync()
        return
      }
      const progress = this.progress!
      progress.casesSent = Math.round((casesToSend * step) / steps)
      progress.bytesSent = progress.casesSent * 2_400
      this.publish()
      this.syncTimer = setTimeout(tick, stepMs)
    }
    this.syncTimer = setTimeout(tick, stepMs)
    return null
  }

  /** The server acknowledged everything it did not refuse. */
  private completeSync(): void {
    // The server says the role again, and checks it before taking a decision.
    this.role = this.serverRole
    for (const caseId of this.reviewsToSend) {
      const stored = this.cases.get(caseId)
      if (stored && !isTeamLeadRole(this.role)) {
        stored.sync = { state: 'refused', unsyncedChanges: stored.sync.unsyncedChanges, refusedReason: REVIEW_REFUSED_REASON }
      }
    }
    this.reviewsToSend.clear()
    // And a caseworker may only take a case themselves, never hand it on.
    for (const [caseId, assignee] of this.reassignmentsToSend) {
      const stored = this.cases.get(caseId)
      if (stored && !isTeamLeadRole(this.role) && !sameName(assignee, this.user)) {
        stored.sync = { state: 'refused', unsyncedChanges: stored.sync.unsyncedChanges, refusedReason: REASSIGN_REFUSED_REASON }
      }
    }
    this.reassignmentsToSend.clear()
    const refusedIds = new Set([...this.cases.values()].filter((c) => c.sync.state === 'refused').map((c) => c.view.id))
    for (const stored of this.cases.values()) {
      if (stored.sync.state === 'unsynced') stored.sync = { state: 'synced', unsyncedChanges: 0, refusedReason: null }
    }
    this.outboxEntries = this.outboxEntries.filter((entry) => refusedIds.has(entry.caseId))
    this.filesToSend = 0
    this.progress = null
    this.connection = 'online'
    this.lastError = null
    this.lastSyncedAt = new Date().toISOString()
    this.syncTeam()
    this.version += 1
    this.publish()
  }

  // ----- seed data -------------------------------------------------------

  private seedSample(): void {
    for (const sample of sampleCases(Date.now(), this.user, isTeamLeadRole(this.role))) {
      this.cases.set(sample.stored.view.id, sample.stored)
      for (const change of sample.unsent) this.addOutbox(sample.stored.view.id, change.description, change.at)
    }
    this.outboxEntries.sort((a, b) => a.createdAt - b.createdAt)
  }

  private seedGenerated(count: number): void {
    for (const stored of generatedCases(count, Date.now(), this.user)) {
      this.cases.set(stored.view.id, stored)
      if (stored.sync.state === 'unsynced') this.addOutbox(stored.view.id, 'Changed summary', stored.updatedAt)
    }
    this.outboxEntries.sort((a, b) => a.createdAt - b.createdAt)
  }
}

function emptyCase(id: string, createdBy: string, createdAt: number, fields: Record<string, FieldEntry>): CaseView {
  return {
    id,
    schemaVersion: 2,
    createdBy,
    createdAt,
    fields,
    narrative: '',
    people: [],
    visits: [],
    tasks: [],
    consents: [],
    risks: [],
    notes: [],
    attachments: [],
    reviews: [],
    conflicts: [],
  }
}

// ---------------------------------------------------------------------------
// The sample caseload: a dozen cases a Riverside caseworker might hold
// ---------------------------------------------------------------------------

const COLLEAGUE = 'alex.colleague'

interface SampleSeed {
  stored: FakeCase
  unsent: { description: string; at: number }[]
}

/** The fixed ids of the sample cases, for tests that open one. */
export const SAMPLE_IDS = {
  damp: '01JDSAMPLE0000000000000001',
  carers: '01JDSAMPLE0000000000000002',
  noise: '01JDSAMPLE0000000000000003',
  foodBank: '01JDSAMPLE0000000000000004',
  overcrowding: '01JDSAMPLE0000000000000005',
  reablement: '01JDSAMPLE0000000000000006',
  closedRepair: '01JDSAMPLE0000000000000007',
  falls: '01JDSAMPLE0000000000000008',
  pestControl: '01JDSAMPLE0000000000000009',
  arrears: '01JDSAMPLE0000000000000010',
  hoarding: '01JDSAMPLE0000000000000011',
  blueBadge: '01JDSAMPLE0000000000000012',
  /**
   * Only for a team lead: a colleague's case waiting for review, with a risk
   * warning and a visit 25 minutes past its expected end.
   */
  fireSafety: '01JDSAMPLE0000000000000013',
  /** Only for a team lead: a referral assigned to nobody, visited by the duty worker, 70 minutes past its end. */
  dutyReferral: '01JDSAMPLE0000000000000014',
} as const

/** The visits a team lead's sample has run past their expected end, longest overdue first. */
export const OVERDUE_VISIT_IDS = {
  dutyReferral: '01JDVISIT00000000000000006',
  fireSafety: '01JDVISIT00000000000000005',
} as const

/** The duty worker who visits referrals not yet assigned to anyone. */
export const DUTY_WORKER = 'jo.duty'

/** The team lead who returned the Blue Badge case once before. */
const LEAD = 'lee.lead'
/** Whose cases a team lead's sample caseload is. */
const TEAM_CASEWORKER = 'sam.caseworker'

/**
 * The sample caseload. For a caseworker (`forTeamLead` false) the cases are
 * `signedIn`'s own; for a team lead they are their team's: sam.caseworker's,
 * and a colleague's case that is also waiting for review.
 */
function sampleCases(now: number, signedIn: string, forTeamLead = false): SampleSeed[] {
  const user = forTeamLead ? TEAM_CASEWORKER : signedIn
  const startOfToday = new Date(new Date(now).setHours(0, 0, 0, 0)).getTime()
  const todayAt = (hours: number, minutes = 0) => new Date(startOfToday + hours * HOUR + minutes * MINUTE).toISOString()
  const day = (offset: number) => new Date(now + offset * DAY).toISOString().slice(0, 10)
  const by = (who: string, minutesAgo: number) => ({ by: who, at: now - minutesAgo * MINUTE })
  const entry = (value: FieldValue, who = user, minutesAgo = 60 * 24 * 5): FieldEntry => ({ value, ...by(who, minutesAgo) })
  const item = (id: string, fields: Record<string, FieldValue>, minutesAgo = 60 * 24 * 5, who = user): ItemView => ({
    id,
    addedBy: who,
    addedAt: now - minutesAgo * MINUTE,
    fields: Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, entry(value, who, minutesAgo)])),
  })
  const note = (id: string, noteText: string, minutesAgo: number, author = user): NoteView => ({
    id,
    author,
    createdAt: now - minutesAgo * MINUTE,
    text: noteText,
    revisions: [{ text: noteText, by: author, at: now - minutesAgo * MINUTE }],
  })
  const conflict = (path: string, values: [FieldValue, string, number][]): FieldConflict => ({
    path,
    values: values.map(([value, who, minutesAgo]) => ({ value, ...by(who, minutesAgo) })),
  })
  // Ten seconds more than the whole minutes, so "25 minutes overdue" still
  // holds for the next fifty seconds of a test.
  const minutesBefore = (minutes: number) => new Date(now - minutes * MINUTE - 10_000).toISOString()
  /** A visit `who` checked in to and has not checked out of, its expected end already past. */
  const overdueVisit = (
    id: string,
    who: string,
    times: { plannedMinutesAgo: number; checkedInMinutesAgo: number; endedMinutesAgo: number },
  ): ItemView => ({
    id,
    addedBy: who,
    addedAt: now - DAY,
    fields: {
      planned_at: entry(minutesBefore(times.plannedMinutesAgo), who, 60 * 24),
      checked_in_at: entry(minutesBefore(times.checkedInMinutesAgo), who, times.checkedInMinutesAgo),
      expected_end: entry(minutesBefore(times.endedMinutesAgo), who, times.checkedInMinutesAgo),
    },
  })

  interface Sample {
    id: string
    reference: string | null
    type: string
    status: CaseStatus
    summary: string
    due: string | null
    updatedMinutesAgo: number
    updatedBy?: string
    people?: ItemView[]
    visits?: ItemView[]
    tasks?: ItemView[]
    risks?: ItemView[]
    notes?: NoteView[]
    narrative?: string
    conflicts?: FieldConflict[]
    unsent?: string[]
    refused?: string
    /** Default: the caseworker; null: assigned to nobody. */
    assignedTo?: string | null
    /** Who submitted it for review, and when: the status field's entry. */
    submitted?: [who: string, minutesAgo: number]
    reviews?: ReviewView[]
  }

  const samples: Sample[] = [
    {
      id: SAMPLE_IDS.damp,
      reference: 'HOU-2026-0412',
      type: 'Housing',
      status: 'in_progress',
      summary: 'Damp and mould in the children’s bedroom; tenant’s son has asthma',
      due: day(5),
      updatedMinutesAgo: 40,
      people: [
        item('01JDPERSON0000000000000001', { name: 'Aisha Khan', address: 'Flat 4, 12 Mill Lane, Riverside', postcode: 'RV1 2AB', phone: '07700 900123', relationship: 'Tenant' }),
        item('01JDPERSON0000000000000002', { name: 'Zain Khan', date_of_birth: '2016-04-02', relationship: 'Son' }),
      ],
      visits: [item('01JDVISIT00000000000000001', { planned_at: todayAt(10) })],
      tasks: [item('01JDTASK000000000000000001', { title: 'Ask the landlord for the damp survey', due_date: day(3), done: false })],
      notes: [note('01JDNOTE000000000000000001', 'Mould behind the wardrobe and round the window. Photos taken.', 60 * 24 * 3)],
      narrative: 'Black mould on two walls of the back bedroom. Extractor fan in the bathroom does not work.',
    },
    {
      id: SAMPLE_IDS.carers,
      reference: 'ASC-2026-0193',
      type: 'Adult social care',
      status: 'open',
      summary: 'Carer’s assessment after hospital discharge',
      due: day(2),
      updatedMinutesAgo: 25,
      people: [
        item('01JDPERSON0000000000000003', { name: 'Margaret Okafor', date_of_birth: '1943-11-19', nhs_number: '9434765919', address: '7 Orchard Close, Riverside', postcode: 'RV2 5QT', relationship: 'The person the case is about' }),
        item('01JDPERSON0000000000000004', { name: 'Daniel Okafor', phone: '07700 900456', relationship: 'Son and main carer' }),
      ],
      visits: [
        (() => {
          const visit = item('01JDVISIT00000000000000002', { planned_at: todayAt(9, 30) })
          visit.fields['checked_in_at'] = entry(new Date(now - 30 * MINUTE).toISOString(), user, 30)
          visit.fields['expected_end'] = entry(new Date(now + 45 * MINUTE).toISOString(), user, 30)
          return visit
        })(),
      ],
      risks: [item('01JDRISK000000000000000001', { text: 'Dog on premises', active: true })],
      notes: [note('01JDNOTE000000000000000002', 'Daniel is finding the stairs hard to manage with his mother.', 35)],
      unsent: ['Added a note', 'Changed phone'],
    },
    {
      id: SAMPLE_IDS.noise,
      reference: 'EH-2026-0077',
      type: 'Environmental health',
      status: 'in_progress',
      summary: 'Noise complaint: late-night music from the flat above',
      due: day(9),
      updatedMinutesAgo: 60 * 3,
      updatedBy: COLLEAGUE,
      people: [item('01JDPERSON0000000000000005', { name: 'Tom Barker', address: '22b Station Road, Riverside', postcode: 'RV1 7HD', phone: '07700 900789' })],
      visits: [item('01JDVISIT00000000000000003', { planned_at: todayAt(15, 30) })],
      risks: [
        item('01JDRISK000000000000000002', { text: 'Do not visit alone: verbal abuse on the last visit', active: true }),
        item('01JDRISK000000000000000003', { text: 'Old warning about a broken step, now fixed', active: false }),
      ],
      conflicts: [
        conflict('people.01JDPERSON0000000000000005.phone', [
          ['07700 900789', user, 60 * 26],
          ['07700 900111', COLLEAGUE, 60 * 25],
        ]),
      ],
    },
    {
      id: SAMPLE_IDS.foodBank,
      reference: 'WEL-2026-0020',
      type: 'Welfare',
      status: 'awaiting_review',
      summary: 'Food bank referral and benefits check',
      due: day(14),
      updatedMinutesAgo: 60 * 24,
      submitted: [user, 60 * 24],
      people: [item('01JDPERSON0000000000000006', { name: 'Lena Nowak', ni_number: 'QQ123456C', address: '3 Canal Walk, Riverside', postcode: 'RV3 1JP' })],
    },
    {
      id: SAMPLE_IDS.overcrowding,
      reference: null,
      type: 'Housing',
      status: 'open',
      summary: 'Overcrowding: family of six in a two-bedroom flat',
      due: null,
      updatedMinutesAgo: 15,
      people: [item('01JDPERSON0000000000000007', { name: 'Grace Mensah', address: 'Flat 9, Heron House, Riverside', postcode: 'RV2 8LW' })],
      unsent: ['Created the case', 'Added a person'],
    },
    {
      id: SAMPLE_IDS.reablement,
      reference: 'ASC-2026-0201',
      type: 'Adult social care',
      status: 'in_progress',
      summary: 'Reablement package review',
      due: day(-2),
      updatedMinutesAgo: 60 * 5,
      people: [item('01JDPERSON0000000000000008', { name: 'Harold Price', date_of_birth: '1939-02-07' })],
      unsent: ['Changed due date'],
      refused: 'You are no longer assigned to this case. Ask your team lead to reassign it to you.',
    },
    {
      id: SAMPLE_IDS.closedRepair,
      reference: 'HOU-2026-0398',
      type: 'Housing',
      status: 'closed',
      summary: 'Broken boiler: repair confirmed by the landlord',
      due: day(-20),
      updatedMinutesAgo: 60 * 24 * 12,
      people: [item('01JDPERSON0000000000000009', { name: 'Priya Shah' })],
    },
    {
      id: SAMPLE_IDS.falls,
      reference: 'ASC-2026-0188',
      type: 'Adult social care',
      status: 'in_progress',
      summary: 'Falls risk at home: grab rails and a pendant alarm',
      due: day(4),
      updatedMinutesAgo: 60 * 2,
      people: [item('01JDPERSON0000000000000010', { name: 'Edith Morgan', date_of_birth: '1936-08-30', address: '41 Willow Road, Riverside', postcode: 'RV4 2DN' })],
      tasks: [item('01JDTASK000000000000000002', { title: 'Order grab rails', due_date: day(1), done: false })],
      conflicts: [
        conflict('summary', [
          ['Falls risk at home: grab rails and a pendant alarm', user, 60 * 30],
          ['Falls risk: grab rails fitted, pendant alarm still to order', COLLEAGUE, 60 * 28],
        ]),
        conflict('tasks.01JDTASK000000000000000002.done', [
          [false, user, 60 * 30],
          [true, COLLEAGUE, 60 * 28],
        ]),
      ],
    },
    {
      id: SAMPLE_IDS.pestControl,
      reference: 'EH-2026-0081',
      type: 'Environmental health',
      status: 'in_progress',
      summary: 'Rats in the shared bin store',
      due: day(1),
      updatedMinutesAgo: 60 * 6,
      people: [item('01JDPERSON0000000000000011', { name: 'Samuel Adeyemi', address: 'Block C, Kingfisher Estate, Riverside', postcode: 'RV5 3AA' })],
      visits: [
        (() => {
          const visit = item('01JDVISIT00000000000000004', { planned_at: todayAt(8) })
          visit.fields['checked_in_at'] = entry(todayAt(8, 5), user)
          visit.fields['expected_end'] = entry(todayAt(8, 45), user)
          visit.fields['checked_out_at'] = entry(todayAt(8, 50), user)
          visit.fields['outcome'] = entry('Bait laid; follow up in two weeks', user)
          return visit
        })(),
      ],
    },
    {
      id: SAMPLE_IDS.arrears,
      reference: 'WEL-2026-0031',
      type: 'Welfare',
      status: 'open',
      summary: 'Council tax arrears and a discretionary housing payment',
      due: day(-5),
      updatedMinutesAgo: 60 * 24 * 2,
      people: [item('01JDPERSON0000000000000012', { name: 'Chloe Smith' }), item('01JDPERSON0000000000000013', { name: 'Ryan Smith' })],
    },
    {
      id: SAMPLE_IDS.hoarding,
      reference: 'ASC-2026-0207',
      type: 'Adult social care',
      status: 'open',
      summary: 'Self-neglect and hoarding: fire safety concern',
      due: day(7),
      updatedMinutesAgo: 60 * 24 * 4,
      people: [item('01JDPERSON0000000000000014', { name: 'Brian Fletcher', address: '5 Ferry Lane, Riverside', postcode: 'RV1 9XU' })],
      risks: [item('01JDRISK000000000000000004', { text: 'Blocked exits: keep the front door open', active: true })],
    },
    {
      id: SAMPLE_IDS.blueBadge,
      reference: 'ASC-2026-0172',
      type: 'Adult social care',
      status: 'awaiting_review',
      summary: 'Blue Badge renewal with mobility assessment',
      due: day(21),
      updatedMinutesAgo: 60 * 24 * 6,
      people: [item('01JDPERSON0000000000000015', { name: 'Joan Whitfield' })],
      // Sent back once for the assessment notes, then submitted again.
      reviews: [
        {
          id: '01JDREVIEW0000000000000001',
          decision: 'returned',
          comment: 'Add the notes from the mobility assessment before I can approve the renewal.',
          ...by(LEAD, 60 * 24 * 8),
        },
      ],
      submitted: [user, 60 * 24 * 6],
    },
  ]
  if (forTeamLead) {
    samples.push({
      id: SAMPLE_IDS.fireSafety,
      reference: 'ASC-2026-0215',
      type: 'Adult social care',
      status: 'awaiting_review',
      summary: 'Home fire safety check: smoke alarms fitted',
      due: day(3),
      updatedMinutesAgo: 60 * 3,
      updatedBy: COLLEAGUE,
      assignedTo: COLLEAGUE,
      people: [item('01JDPERSON0000000000000016', { name: 'Irene Walsh', address: '2 Lock Cottages, Riverside', postcode: 'RV3 4PE' })],
      risks: [item('01JDRISK000000000000000005', { text: 'Oxygen cylinders in the home: no naked flames', active: true })],
      // The team's one overdue task: past its due date and not done, on an open case. The
      // other is past its due date too, but done, so it is neither open nor overdue.
      tasks: [
        item('01JDTASK000000000000000003', { title: 'Ask the landlord to fit a heat alarm in the kitchen', due_date: day(-2), done: false }, 60 * 24 * 6, COLLEAGUE),
        item('01JDTASK000000000000000004', { title: 'Book the fire service’s home safety visit', due_date: day(-4), done: true }, 60 * 24 * 6, COLLEAGUE),
      ],
      // Alex went to check the smoke alarms and has not checked out: 25 minutes past the expected end.
      visits: [overdueVisit(OVERDUE_VISIT_IDS.fireSafety, COLLEAGUE, { plannedMinutesAgo: 75, checkedInMinutesAgo: 70, endedMinutesAgo: 25 })],
      submitted: [COLLEAGUE, 60 * 3],
    })
    samples.push({
      id: SAMPLE_IDS.dutyReferral,
      reference: 'HOU-2026-0433',
      type: 'Housing',
      status: 'open',
      summary: 'Duty referral: family at risk of eviction this week',
      due: day(6),
      updatedMinutesAgo: 60 * 2,
      updatedBy: DUTY_WORKER,
      assignedTo: null,
      people: [item('01JDPERSON0000000000000017', { name: 'Kofi Asante', address: '14 Quay Street, Riverside', postcode: 'RV1 4TG' })],
      // The duty worker's visit is the longest overdue: 1 hour 10 minutes.
      visits: [overdueVisit(OVERDUE_VISIT_IDS.dutyReferral, DUTY_WORKER, { plannedMinutesAgo: 130, checkedInMinutesAgo: 125, endedMinutesAgo: 70 })],
    })
  }

  return samples.map((sample, index) => {
    const updatedAt = now - sample.updatedMinutesAgo * MINUTE
    const fields: Record<string, FieldEntry> = {
      case_type: entry(sample.type),
      status: sample.submitted === undefined ? entry(sample.status) : entry(sample.status, ...sample.submitted),
      summary: entry(sample.summary),
      team: entry('Riverside North'),
    }
    if (sample.assignedTo !== null) fields['assigned_to'] = entry(sample.assignedTo ?? user)
    if (sample.reference !== null) fields['reference'] = entry(sample.reference, 'server')
    if (sample.due !== null) fields['due_date'] = entry(sample.due)
    const view: CaseView = {
      ...emptyCase(sample.id, user, now - (30 + index) * DAY, fields),
      narrative: sample.narrative ?? '',
      people: sample.people ?? [],
      visits: sample.visits ?? [],
      tasks: sample.tasks ?? [],
      risks: sample.risks ?? [],
      notes: sample.notes ?? [],
      reviews: sample.reviews ?? [],
      conflicts: sample.conflicts ?? [],
    }
    const unsent = (sample.unsent ?? []).map((description, i) => ({ description, at: updatedAt - (10 - i) * MINUTE }))
    const sync: CaseSync =
      sample.refused !== undefined
        ? { state: 'refused', unsyncedChanges: unsent.length, refusedReason: sample.refused }
        : unsent.length > 0
          ? { state: 'unsynced', unsyncedChanges: unsent.length, refusedReason: null }
          : { state: 'synced', unsyncedChanges: 0, refusedReason: null }
    return { stored: { view, sync, updatedAt, updatedBy: sample.updatedBy ?? user }, unsent }
  })
}

// ---------------------------------------------------------------------------
// The server's side of a lead's oversight: laptops, alerts, the access log
// ---------------------------------------------------------------------------

/** The laptop the fake is: the signed-in person's. */
const OWN_DEVICE_ID = 'dev-this-laptop'
const OWN_HOSTNAME = 'RIV-LT-0099'

/** What the server's alerting webhook answered, for the sample's failed deliveries. */
export const WEBHOOK_ERROR = 'HTTP 503 Service Unavailable from the alerting webhook'
export const EMAIL_FIRST_ERROR = 'Timed out talking to the mail server'

/** The sample's lone-worker alerts: the duty worker's visit (open), and one of sam's two days ago (resolved). */
export const SAMPLE_ALERT_IDS = { open: 7, resolved: 6 } as const

/** The access log's laptops: who uses each, by hostname. */
const SAMPLE_LAPTOPS: Record<string, { user: string; os: string; appVersion: string; lastSyncMinutesAgo: number | null; revoked?: boolean }> = {
  'RIV-LT-0142': { user: TEAM_CASEWORKER, os: 'Windows 11 Pro', appVersion: '0.1.0', lastSyncMinutesAgo: 20 },
  'RIV-LT-0178': { user: 'alex.colleague', os: 'Windows 11 Pro', appVersion: '0.1.0', lastSyncMinutesAgo: 60 * 24 * 3 + 120 },
  'RIV-LT-0201': { user: 'jo.duty', os: 'Ubuntu 24.04 LTS', appVersion: '0.0.9', lastSyncMinutesAgo: null },
  'RIV-LT-0077': { user: 'alex.colleague', os: 'Windows 10 Pro', appVersion: '0.0.8', lastSyncMinutesAgo: 60 * 24 * 41, revoked: true },
}

const deviceIdOf = (hostname: string) => (hostname === OWN_HOSTNAME ? OWN_DEVICE_ID : `dev-${hostname.toLowerCase()}`)

/** The Monday of `now`'s week (UTC), as the server counts weeks. */
function mondayOf(now: number): number {
  const date = new Date(now)
  const sinceMonday = (date.getUTCDay() + 6) % 7
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - sinceMonday)
}

/** 8 weeks of figures, oldest first, with `opened` and `closed` per week. */
function weeksOf(now: number, opened: readonly number[], closed: readonly number[]): TeamKpis['weeks'] {
  const monday = mondayOf(now)
  return opened.map((count, i) => ({
    weekStarting: new Date(monday - (opened.length - 1 - i) * 7 * DAY).toISOString().slice(0, 10),
    opened: count,
    closed: closed[i] ?? 0,
  }))
}

/**
 * What the server holds for the signed-in person's team. A lead's sample
 * (`cases` given) has five laptops (one never synced, one revoked), an open
 * alert for the duty worker's overdue visit whose webhook keeps failing
 * and whose email went on the second try, one resolved two days ago, 8
 * weeks of figures and an access log for a few cases. Anyone else's is
 * just this laptop and empty figures.
 */
function serverTeamFor(now: number, user: string, lastSyncedAt: string | null, cases: ReadonlyMap<string, FakeCase> | null): ServerTeam {
  const ago = (minutes: number) => new Date(now - minutes * MINUTE).toISOString()
  const own: TeamDevice = {
    deviceId: OWN_DEVICE_ID,
    user,
    hostname: OWN_HOSTNAME,
    os: 'Windows 11 Pro',
    appVersion: DEFAULT_APP_INFO.version,
    lastSyncAt: lastSyncedAt,
    revoked: false,
  }
  if (cases === null) {
    return {
      devices: [own],
      alerts: [],
      alertVisits: new Map(),
      accessLog: [],
      kpis: { weeks: weeksOf(now, [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]), closedInPeriod: 0, medianDaysToClose: null },
    }
  }
  const devices: TeamDevice[] = [
    own,
    ...Object.entries(SAMPLE_LAPTOPS).map(([hostname, laptop]) => ({
      deviceId: deviceIdOf(hostname),
      user: laptop.user,
      hostname,
      os: laptop.os,
      appVersion: laptop.appVersion,
      lastSyncAt: laptop.lastSyncMinutesAgo === null ? null : ago(laptop.lastSyncMinutesAgo),
      revoked: laptop.revoked === true,
    })),
  ]
  const caseText = (caseId: string, field: string) => {
    const entry = cases.get(caseId)?.view.fields[field]
    return typeof entry?.value === 'string' ? entry.value : null
  }
  const dutyVisit = cases.get(SAMPLE_IDS.dutyReferral)?.view.visits.find((v) => v.id === OVERDUE_VISIT_IDS.dutyReferral)
  const dutyEnd = text(dutyVisit?.fields['expected_end']) ?? ago(70)
  const dutyEndAt = new Date(dutyEnd).getTime()
  const samEnd = now - 2 * DAY - 3 * HOUR
  const alerts: LoneWorkerAlert[] = [
    {
      id: SAMPLE_ALERT_IDS.open,
      caseId: SAMPLE_IDS.dutyReferral,
      caseReference: caseText(SAMPLE_IDS.dutyReferral, 'reference'),
      caseSummary: caseText(SAMPLE_IDS.dutyReferral, 'summary'),
      worker: DUTY_WORKER,
      expectedEnd: dutyEnd,
      raisedAt: new Date(dutyEndAt + 15 * MINUTE).toISOString(),
      resolvedAt: null,
      deliveries: [
        { channel: 'webhook', delivered: false, attempts: 3, lastError: WEBHOOK_ERROR },
        { channel: 'email', delivered: true, attempts: 2, lastError: EMAIL_FIRST_ERROR },
      ],
    },
    {
      id: SAMPLE_ALERT_IDS.resolved,
      caseId: SAMPLE_IDS.noise,
      caseReference: caseText(SAMPLE_IDS.noise, 'reference'),
      caseSummary: caseText(SAMPLE_IDS.noise, 'summary'),
      worker: TEAM_CASEWORKER,
      expectedEnd: new Date(samEnd).toISOString(),
      raisedAt: new Date(samEnd + 15 * MINUTE).toISOString(),
      resolvedAt: new Date(samEnd + 38 * MINUTE).toISOString(),
      deliveries: [{ channel: 'email', delivered: true, attempts: 1, lastError: null }],
    },
  ]
  // [case, action, who, laptop, server minutes ago, laptop minutes ago]
  const log: [string, string, string | null, string | null, number, number | null][] = [
    [SAMPLE_IDS.damp, 'device_created', 'sam.caseworker', 'RIV-LT-0142', 60 * 24 * 30, 60 * 24 * 30 + 118],
    [SAMPLE_IDS.damp, 'case_created', 'sam.caseworker', 'RIV-LT-0142', 60 * 24 * 30, null],
    [SAMPLE_IDS.damp, 'case_downloaded', user, OWN_HOSTNAME, 60 * 24 * 20, null],
    [SAMPLE_IDS.noise, 'device_created', 'sam.caseworker', 'RIV-LT-0142', 60 * 24 * 12, 60 * 24 * 12],
    [SAMPLE_IDS.noise, 'case_created', 'sam.caseworker', 'RIV-LT-0142', 60 * 24 * 12, null],
    [SAMPLE_IDS.dutyReferral, 'case_created', DUTY_WORKER, 'RIV-LT-0201', 60 * 24 * 6, null],
    [SAMPLE_IDS.damp, 'device_viewed', 'sam.caseworker', 'RIV-LT-0142', 60 * 24 * 3 + 10, 60 * 24 * 3 + 10],
    [SAMPLE_IDS.damp, 'device_edited', 'sam.caseworker', 'RIV-LT-0142', 60 * 24 * 3, 60 * 24 * 3 + 108],
    [SAMPLE_IDS.damp, 'case_changed', 'sam.caseworker', 'RIV-LT-0142', 60 * 24 * 3, null],
    [SAMPLE_IDS.damp, 'attachment_uploaded', 'sam.caseworker', 'RIV-LT-0142', 60 * 24 * 3 - 1, null],
    [SAMPLE_IDS.damp, 'device_exported', 'sam.caseworker', 'RIV-LT-0142', 60 * 24 * 2, 60 * 24 * 2],
    [SAMPLE_IDS.damp, 'case_viewed', user, null, 60 * 24 * 2 - 30, null],
    [SAMPLE_IDS.damp, 'change_refused', 'alex.colleague', 'RIV-LT-0178', 60 * 24 + 30, 60 * 24 + 95],
    [SAMPLE_IDS.damp, 'device_removed', 'alex.colleague', 'RIV-LT-0178', 60 * 24 + 29, 60 * 24 + 29],
    [SAMPLE_IDS.fireSafety, 'device_edited', 'alex.colleague', 'RIV-LT-0178', 60 * 3, 60 * 3],
    [SAMPLE_IDS.dutyReferral, 'device_viewed', DUTY_WORKER, 'RIV-LT-0201', 60 * 2 + 5, 60 * 2 + 5],
    [SAMPLE_IDS.damp, 'retention_reviewed', null, null, 60 * 5, null],
    [SAMPLE_IDS.damp, 'device_viewed', 'sam.caseworker', 'RIV-LT-0142', 45, 45],
  ]
  const accessLog: AccessEntry[] = log
    .map(([caseId, action, actor, hostname, serverAgo, laptopAgo], i) => ({
      seq: 0,
      serverTime: new Date(now - serverAgo * MINUTE + i * 1000).toISOString(),
      deviceTime: laptopAgo === null ? null : new Date(now - laptopAgo * MINUTE + i * 1000).toISOString(),
      actor,
      deviceId: hostname === null ? null : deviceIdOf(hostname),
      deviceName: hostname,
      action,
      caseId,
    }))
    .sort((a, b) => a.serverTime.localeCompare(b.serverTime))
    .map((entry, i) => ({ ...entry, seq: 1001 + i }))
  return {
    devices,
    alerts,
    alertVisits: new Map([[SAMPLE_ALERT_IDS.open, OVERDUE_VISIT_IDS.dutyReferral]]),
    accessLog,
    // 35 closed in the 8 weeks; the median case took 9.5 days from opening to closing.
    kpis: { weeks: weeksOf(now, [6, 4, 7, 5, 8, 3, 6, 2], [5, 6, 3, 4, 7, 5, 4, 1]), closedInPeriod: 35, medianDaysToClose: 9.5 },
  }
}

// ---------------------------------------------------------------------------
// Generated caseloads, for the 10,000-case tests
// ---------------------------------------------------------------------------

const FIRST_NAMES = ['Aisha', 'Ben', 'Chloe', 'Daniel', 'Edith', 'Farah', 'George', 'Hannah', 'Imran', 'Jade', 'Kwame', 'Laura', 'Mohammed', 'Niamh', 'Oliver', 'Priya', 'Rhys', 'Sophie', 'Tariq', 'Zofia']
const SURNAMES = ['Adeyemi', 'Barker', 'Clarke', 'Davies', 'Evans', 'Fletcher', 'Green', 'Hughes', 'Iqbal', 'Jones', 'Khan', 'Lewis', 'Morgan', 'Nowak', 'Okafor', 'Patel', 'Roberts', 'Smith', 'Taylor', 'Williams']
const STREETS = ['Mill Lane', 'Orchard Close', 'Station Road', 'Canal Walk', 'Willow Road', 'Ferry Lane', 'High Street', 'Church Street', 'Park Avenue', 'Meadow Way']
const TYPES: { type: string; prefix: string; summaries: string[] }[] = [
  { type: 'Housing', prefix: 'HOU', summaries: ['Damp and mould in the bedroom', 'Overcrowding in a two-bedroom flat', 'Disrepair reported to the landlord', 'Homelessness prevention', 'Adaptations for a wheelchair user'] },
  { type: 'Adult social care', prefix: 'ASC', summaries: ['Carer’s assessment', 'Support after hospital discharge', 'Falls risk at home', 'Review of the care package', 'Safeguarding concern raised by a neighbour'] },
  { type: 'Environmental health', prefix: 'EH', summaries: ['Noise complaint', 'Pests in the shared bin store', 'Fly-tipping behind the shops', 'Food hygiene follow-up', 'Smoke from a garden fire'] },
  { type: 'Welfare', prefix: 'WEL', summaries: ['Food bank referral', 'Council tax arrears', 'Discretionary housing payment', 'Benefits check', 'Crisis grant for white goods'] },
]
const RISKS = ['Dog on premises', 'Do not visit alone', 'Smoker in the home', 'Steep unlit stairs']
const STATUSES: CaseStatus[] = ['open', 'in_progress', 'in_progress', 'awaiting_review', 'closed']

/**
 * `count` cases, the same every run. Case n (from 1) was changed n × 7
 * minutes ago, so the default order (most recently changed first) is case
 * 1 to case `count`, and its reference is TYPE-2026-nnnnn.
 */
function generatedCases(count: number, now: number, user: string): FakeCase[] {
  const random = mulberry32(20_260_301)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const cases: FakeCase[] = []
  for (let n = 1; n <= count; n++) {
    const kind = pick(TYPES)
    const updatedAt = now - n * 7 * MINUTE
    const entry = (value: FieldValue): FieldEntry => ({ value, by: user, at: updatedAt })
    const surname = pick(SURNAMES)
    const people: ItemView[] = [0, 1].slice(0, random() < 0.3 ? 2 : 1).map((i) => ({
      id: ulid(updatedAt, n * 10 + i),
      addedBy: user,
      addedAt: updatedAt,
      fields: {
        name: entry(`${pick(FIRST_NAMES)} ${surname}`),
        address: entry(`${1 + Math.floor(random() * 120)} ${pick(STREETS)}, Riverside`),
      },
    }))
    const risks: ItemView[] =
      random() < 0.15
        ? [{ id: ulid(updatedAt, n * 10 + 5), addedBy: user, addedAt: updatedAt, fields: { text: entry(pick(RISKS)), active: entry(true) } }]
        : []
    const fields: Record<string, FieldEntry> = {
      reference: { value: `${kind.prefix}-2026-${String(n).padStart(5, '0')}`, by: 'server', at: updatedAt },
      case_type: entry(kind.type),
      status: entry(pick(STATUSES)),
      summary: entry(pick(kind.summaries)),
      assigned_to: entry(user),
      team: entry('Riverside North'),
    }
    if (random() < 0.8) fields['due_date'] = entry(new Date(now + Math.floor(random() * 120 - 30) * DAY).toISOString().slice(0, 10))
    const unsynced = random() < 0.02
    cases.push({
      view: { ...emptyCase(ulid(now - count * 7 * MINUTE, n), user, updatedAt - 30 * DAY, fields), people, risks },
      sync: unsynced ? { state: 'unsynced', unsyncedChanges: 1, refusedReason: null } : { state: 'synced', unsyncedChanges: 0, refusedReason: null },
      updatedAt,
      updatedBy: user,
    })
  }
  return cases
}
