// Typed wrappers around the Rust commands. Views never call `invoke` directly,
// so the command names and payload shapes live in one place.
import { invoke } from '@tauri-apps/api/core'
import { listen, type UnlistenFn } from '@tauri-apps/api/event'

export interface Council {
  name: string
  /** Hex colour; Rust guarantees at least 4.5:1 contrast with white. */
  colour: string
}

export interface AppInfo {
  version: string
  dataDir: string
  serverUrl: string | null
  council: Council
}

export interface SignInRequest {
  server: string
  username: string
  password: string
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function isAppInfo(value: unknown): value is AppInfo {
  if (!isRecord(value) || !isRecord(value['council'])) return false
  const council = value['council']
  return (
    typeof value['version'] === 'string' &&
    typeof value['dataDir'] === 'string' &&
    (value['serverUrl'] === null || typeof value['serverUrl'] === 'string') &&
    typeof council['name'] === 'string' &&
    typeof council['colour'] === 'string'
  )
}

/**
 * Reads the app's settings from Rust. Rejects if the reply is not the shape
 * the UI was written for, so a mismatch with the Rust side shows the startup
 * error page rather than half-rendered pages.
 */
export async function getAppInfo(): Promise<AppInfo> {
  const info: unknown = await invoke('app_info')
  if (!isAppInfo(info)) {
    throw new Error('app_info returned settings in an unexpected format')
  }
  return info
}

export async function signIn(request: SignInRequest): Promise<void> {
  await invoke('sign_in', { ...request })
}

// ---------------------------------------------------------------------------
// The caseworker's commands. Rust: `src-tauri/src/commands.rs`, each a
// one-line call into `doorstep_client::desktop::DesktopApp`. Every command
// rejects with an `IpcError`; field-level problems name the field so the
// error summary can link to it.
// ---------------------------------------------------------------------------

/** What every command rejects with. */
export interface IpcError {
  /** Stable machine code, e.g. `invalid_field`, `no_such_case`, `locked`, `not_signed_in`. */
  code: string
  /** Plain English for the person: what happened and what to do. */
  message: string
  /**
   * For `invalid_field`: which input the problem belongs to, as the name the
   * view passed in (`summary`, `nhs_number`, `expected_end`...), so an error
   * summary link can point at `#<field>`.
   */
  field?: string
}

export type CaseStatus = 'open' | 'in_progress' | 'awaiting_review' | 'closed'
export type CaseSort = 'updated' | 'due_date' | 'reference' | 'relevance'
/** Milliseconds since 1970-01-01 UTC, as the device's clock read it. */
export type Millis = number
/** `null` is a cleared field; booleans are flags (task done, risk active). */
export type FieldValue = null | boolean | string

export interface FieldEntry {
  value: FieldValue
  by: string
  at: Millis
}

export interface FieldConflict {
  /** `summary`, or `collection.itemId.field` such as `people.01J….phone`. */
  path: string
  /** Every value, oldest first: each stays until a person chooses. */
  values: FieldEntry[]
}

export interface ItemView {
  id: string
  addedBy: string
  addedAt: Millis
  fields: Record<string, FieldEntry>
}

export interface NoteRevision {
  text: string
  by: string
  at: Millis
}

export interface NoteView {
  id: string
  author: string
  createdAt: Millis
  text: string
  /** Oldest first; notes are append-only, corrections add a revision. */
  revisions: NoteRevision[]
}

export interface AttachmentMeta {
  sha256: string
  name: string
  mediaType: string
  size: number
  addedBy: string
  addedAt: Millis
}

/**
 * A whole case. Case fields (`fields`): reference, case_type, status,
 * summary, assigned_to, team, due_date (YYYY-MM-DD).
 * People fields: name, date_of_birth, nhs_number, ni_number, address,
 * postcode, uprn, phone, email, relationship.
 * Visit fields: planned_at, checked_in_at, expected_end, checked_out_at
 * (RFC 3339 instants), outcome.
 * Task fields: title, due_date, done (boolean), assigned_to.
 * Consent fields: person, purpose, decision (`given`, `refused` or
 * `withdrawn`), recorded_at, typed_signature, signature_attachment (sha256).
 * Risk fields: text, active (boolean).
 */
export interface CaseView {
  id: string
  schemaVersion: number
  createdBy: string
  createdAt: Millis
  fields: Record<string, FieldEntry>
  narrative: string
  narrativeEdited?: FieldEntry
  people: ItemView[]
  visits: ItemView[]
  tasks: ItemView[]
  consents: ItemView[]
  risks: ItemView[]
  notes: NoteView[]
  attachments: AttachmentMeta[]
  /** Team leads' decisions, oldest first. Cases saved by an older Doorstep have none. */
  reviews?: ReviewView[]
  conflicts: FieldConflict[]
}

export type ReviewDecision = 'approved' | 'returned'

/** A team lead's decision on a case awaiting review. Decisions are never edited. */
export interface ReviewView {
  id: string
  decision: ReviewDecision
  /** What the lead wrote; may be empty for an approval. */
  comment: string
  by: string
  at: Millis
}

/**
 * Where a case stands with the server, for its badge:
 * - `synced`: the server holds every change made here;
 * - `unsynced`: changes wait to be sent (`unsyncedChanges` of them);
 * - `refused`: the server refused its changes; they stay here with `refusedReason`.
 */
export type CaseSyncState = 'synced' | 'unsynced' | 'refused'

export interface CaseSync {
  state: CaseSyncState
  unsyncedChanges: number
  refusedReason: string | null
}

/** One row of My cases: the indexed projection, never the whole document. */
export interface CaseRow {
  caseId: string
  reference: string | null
  caseType: string
  status: CaseStatus
  summary: string
  assignedTo: string | null
  team: string | null
  /** YYYY-MM-DD */
  dueDate: string | null
  /** Active risk warnings. */
  riskWarnings: string[]
  peopleNames: string[]
  noteCount: number
  openTaskCount: number
  /** RFC 3339: the next visit not yet checked in. */
  nextVisitAt: string | null
  openVisitExpectedEnd: string | null
  conflictCount: number
  updatedBy: string
  updatedAt: Millis
  sync: CaseSync
}

/** A case waiting for a team lead: its My cases row, and who submitted it when. */
export interface ReviewQueueEntry extends CaseRow {
  submittedBy: string
  /** By the submitting device's clock. */
  submittedAt: Millis
}

export interface CaseQuery {
  status?: CaseStatus
  /** YYYY-MM-DD: cases due strictly before this date. */
  dueBefore?: string
  /** true: only cases with an active risk warning; false: only without. */
  hasRisk?: boolean
  conflictsOnly?: boolean
  /** Words typed in the search box; the last may be unfinished. */
  text?: string
  sort?: CaseSort
  offset?: number
  /** At most 500 rows per call; the list asks for the rows it shows. */
  limit?: number
}

export interface CaseList {
  /** How many cases match the query, for the virtual list's height and "N cases". */
  total: number
  /** Rows `offset .. offset + rows.length` of the matching cases. */
  rows: CaseRow[]
}

export interface CasePage {
  case: CaseView
  sync: CaseSync
}

/** A visit planned for today, or checked in and not yet out. */
export interface VisitRow {
  caseId: string
  caseReference: string | null
  caseSummary: string
  visitId: string
  /** RFC 3339 */
  plannedAt: string
  checkedInAt: string | null
  expectedEnd: string | null
  checkedOutAt: string | null
  /** The first person's address and postcode, where known. */
  address: string | null
  riskWarnings: string[]
}

export interface DeviceStatus {
  user: string
  signedIn: boolean
  role: string | null
  team: string | null
  server: string | null
  cases: number
  unsyncedChanges: number
  filesToSend: number
  everythingAcknowledged: boolean
  refusedCases: number
  conflicts: number
  lastSync: string | null
  lastSyncError: string | null
}

export interface SignedIn {
  user: string
  role: string
  team: string | null
  server: string
  deviceId: string
}

export interface OutboxEntry {
  id: number
  caseId: string
  description: string
  createdAt: Millis
  hlc: string
  heads: string[]
}

export interface RefusedCase {
  caseId: string
  reference: string | null
  summary: string
  reason: string
}

/** One case's changes that the server has not acknowledged, named as My cases names it. */
export interface OutboxCase {
  caseId: string
  reference: string | null
  summary: string
  /** Oldest first. */
  changes: OutboxEntry[]
}

export interface Outbox {
  /** Every case with changes the server has not acknowledged, by its oldest change. */
  cases: OutboxCase[]
  /** Cases the server refused, with its reason; their changes stay here. */
  refused: RefusedCase[]
  filesToSend: number
}

export interface CaseConflicts {
  caseId: string
  /** Given by the server at the case's first sync; null before then. */
  reference: string | null
  summary: string
  /** Who the case is assigned to; null when it is assigned to nobody. */
  assignedTo: string | null
  conflicts: FieldConflict[]
}

export type Connection = 'starting' | 'syncing' | 'online' | 'offline' | 'signed_out' | 'unavailable' | 'wiped'

export interface SyncProgress {
  round: number
  casesReceived: number
  casesRemaining: number | null
  casesSent: number
  casesToSend: number
  bytesSent: number
  bytesReceived: number
}

/** Sent with every change as the `sync-status` event, and by `sync_status`. */
export interface SyncStatus {
  connection: Connection
  lastSyncedAt: string | null
  lastError: string | null
  progress: SyncProgress | null
  unsyncedChanges: number
  filesToSend: number
  everythingAcknowledged: boolean
}

export interface PersonInput {
  name: string
  dateOfBirth?: string
  nhsNumber?: string
  niNumber?: string
  address?: string
  postcode?: string
  uprn?: string
  phone?: string
  email?: string
  relationship?: string
}

/** One worker's share of the cases on this laptop; `worker` is null for cases assigned to nobody. */
export interface WorkerCaseload {
  worker: string | null
  /** Every case not closed; in progress and awaiting review are among them. */
  openCases: number
  inProgress: number
  awaitingReview: number
  /** Cases with a visit checked in and not yet out. */
  visitsUnderWay: number
  /** Of those, past their expected end. */
  overdueVisits: number
  /** Open cases past their due date. */
  overdueCases: number
  casesWithConflicts: number
  /** Unfinished tasks on open cases. */
  openTasks: number
  /** Of those, past their due date. */
  overdueTasks: number
}

/** A visit checked in, not checked out, and past its expected end: a lone-worker alert. */
export interface OverdueVisit {
  caseId: string
  caseReference: string | null
  caseSummary: string
  visitId: string
  /** Who checked in: the person who may need help. */
  worker: string
  /** RFC 3339 */
  checkedInAt: string
  /** RFC 3339 */
  expectedEnd: string
  minutesOverdue: number
}

/** One week's cases opened and closed, across the team. */
export interface WeekFigures {
  /** YYYY-MM-DD, a Monday. */
  weekStarting: string
  opened: number
  closed: number
}

export interface TeamKpis {
  /** 8 weeks, oldest first; the last is the current week, so far. */
  weeks: WeekFigures[]
  /** Cases closed within those 8 weeks. */
  closedInPeriod: number
  /** Over the cases closed in those 8 weeks, to one decimal place; null when none closed. */
  medianDaysToClose: number | null
}

/** A laptop the server knows in the lead's team. */
export interface TeamDevice {
  deviceId: string
  /** Who signed in on it. */
  user: string
  hostname: string
  os: string
  appVersion: string
  /** RFC 3339; null when it has never synced. */
  lastSyncAt: string | null
  /** IT revoked it: it can no longer sync, and wipes itself when it next reaches the server. */
  revoked: boolean
}

export type AlertChannel = 'webhook' | 'email'

/** How the server tried to send an alert through one channel. */
export interface AlertDelivery {
  channel: AlertChannel
  delivered: boolean
  attempts: number
  /** The last attempt's error, if any. */
  lastError: string | null
}

/** An alert the server raised because a worker checked in and did not check out in time. */
export interface LoneWorkerAlert {
  id: number
  caseId: string
  caseReference: string | null
  caseSummary: string | null
  /** Who checked in: the person who may need help. */
  worker: string
  /** RFC 3339 */
  expectedEnd: string
  /** RFC 3339 */
  raisedAt: string
  /** RFC 3339; null while the alert is open. */
  resolvedAt: string | null
  deliveries: AlertDelivery[]
}

/** What the server said about the team at this laptop's last sync. */
export interface ServerTeamView {
  /** When this laptop fetched it. */
  fetchedAt: Millis
  devices: TeamDevice[]
  /** Open alerts and those resolved in the last 7 days, newest first. */
  alerts: LoneWorkerAlert[]
}

export interface TeamCaseload {
  /** The moment the figures were worked out for. */
  asOf: Millis
  /** By worker name, cases assigned to nobody last. */
  workers: WorkerCaseload[]
  /** Longest overdue first. */
  overdueVisits: OverdueVisit[]
  /** Cases opened and closed over the last 8 weeks. */
  kpis: TeamKpis
  /** Null when this laptop has never fetched the team's laptops and alerts from the server. */
  fromServer: ServerTeamView | null
}

/** The lone-worker alerts still open, as the server said at the last sync. */
export interface TeamAlerts {
  /** When this laptop fetched them; null when it never has. */
  fetchedAt: Millis | null
  /** Only open alerts. */
  alerts: LoneWorkerAlert[]
}

/** One line of the server's access log. */
export interface AccessEntry {
  seq: number
  /** RFC 3339: when the server recorded it. */
  serverTime: string
  /** RFC 3339: when the laptop did it, by the laptop's clock, for actions done on a laptop. */
  deviceTime: string | null
  actor: string | null
  deviceId: string | null
  deviceName: string | null
  /** `case_created`, `device_viewed`...: see views/access-labels.ts. */
  action: string
  caseId: string | null
}

export interface CaseAccessRecord {
  caseId: string
  /** Newest first. */
  entries: AccessEntry[]
}

export interface WorkerActivity {
  worker: string
  /** Newest first. */
  entries: AccessEntry[]
}

export type ItemKind = 'visit' | 'task' | 'consent' | 'risk'

export const SYNC_STATUS_EVENT = 'sync-status'

export const deviceStatus = (): Promise<DeviceStatus> => invoke('device_status')
export const signOut = (removeData: boolean): Promise<void> => invoke('sign_out', { removeData })
export const listCases = (query: CaseQuery): Promise<CaseList> => invoke('list_cases', { query })
export const todaysVisits = (): Promise<VisitRow[]> => invoke('todays_visits')
export const showCase = (caseId: string): Promise<CasePage> => invoke('show_case', { caseId })
export const createCase = (caseType: string, summary: string): Promise<string> =>
  invoke('create_case', { caseType, summary })
/** `field` is a case field (`summary`) or an item field (`tasks.<id>.done`); flags take `yes`/`no`. */
export const setField = (caseId: string, field: string, value: string): Promise<void> =>
  invoke('set_field', { caseId, field, value })
export const addNote = (caseId: string, text: string): Promise<string> => invoke('add_note', { caseId, text })
export const editNote = (caseId: string, noteId: string, text: string): Promise<void> =>
  invoke('edit_note', { caseId, noteId, text })
export const setNarrative = (caseId: string, text: string): Promise<void> => invoke('set_narrative', { caseId, text })
export const addPerson = (caseId: string, person: PersonInput): Promise<string> =>
  invoke('add_person', { caseId, person })
/** `fields` are the item's field names (see CaseView) to what was typed. */
export const addItem = (caseId: string, kind: ItemKind, fields: Record<string, string>): Promise<string> =>
  invoke('add_item', { caseId, kind, fields })
/**
 * Instants cross the bridge as RFC 3339 in UTC (`2026-11-28T14:30:00.000Z`):
 * turn a `datetime-local` input into one with `new Date(value).toISOString()`.
 */
export const checkIn = (caseId: string, visitId: string, expectedEnd: string): Promise<void> =>
  invoke('check_in', { caseId, visitId, expectedEnd })
export const checkOut = (caseId: string, visitId: string, outcome: string): Promise<void> =>
  invoke('check_out', { caseId, visitId, outcome })
export const submitForReview = (caseId: string): Promise<void> => invoke('submit_for_review', { caseId })
/**
 * Team leads only: cases awaiting review, oldest submission first. Rejects
 * with `not_a_team_lead` for anyone else.
 */
export const reviewQueue = (): Promise<ReviewQueueEntry[]> => invoke('review_queue')
/**
 * Approves (the case closes) or returns it with comments (back to in
 * progress); resolves to the review's id. Saved on the laptop at once; the
 * server checks the role again when it syncs. Comment problems name the
 * field `comment`; a case no longer waiting rejects with `not_awaiting_review`.
 */
export const reviewCase = (caseId: string, decision: ReviewDecision, comment: string): Promise<string> =>
  invoke('review_case', { caseId, decision, comment })
/**
 * Team leads only: caseloads per worker and overdue visits, worked out from
 * the cases on this laptop, so as fresh as its last sync. Rejects with
 * `not_a_team_lead` for anyone else.
 */
export const teamCaseload = (): Promise<TeamCaseload> => invoke('team_caseload')
/**
 * Team leads only: the lone-worker alerts still open, as the server said at
 * the last sync (no server call). Rejects with `not_a_team_lead` for anyone else.
 */
export const teamAlerts = (): Promise<TeamAlerts> => invoke('team_alerts')
/**
 * Team leads only: who has opened, changed or downloaded a case, asked of
 * the server there and then. Rejects with `server_unreachable` offline, and
 * `not_a_team_lead` for anyone else.
 */
export const caseAccessRecord = (caseId: string): Promise<CaseAccessRecord> => invoke('case_access_record', { caseId })
/** Team leads only: what one worker has done, from the server's access log; errors as `caseAccessRecord`. */
export const workerActivity = (worker: string): Promise<WorkerActivity> => invoke('worker_activity', { worker })
/** Where `save_export` wrote a file. */
export interface SavedExport {
  /** The absolute path written, in the person's Downloads folder. */
  path: string
  /**
   * The name it was saved under: the one asked for, or with a number added
   * when a file of that name was there already (`team-caseload-2026-12-03 (1).csv`).
   */
  fileName: string
}
/**
 * Team leads only: writes a CSV file into the person's Downloads folder and
 * says where. (The app's window cannot download a `blob:` link, so every
 * export goes through Rust.) `contents` is written as given, as UTF-8.
 * Rejects with `not_a_team_lead` for anyone else, `invalid_input` for a file
 * name not matching `^[a-z0-9-]+\.csv$`, and `export_failed` when the file
 * could not be written (its message says why, and what to check).
 */
export const saveExport = (fileName: string, contents: string): Promise<SavedExport> =>
  invoke('save_export', { fileName, contents })
export const getOutbox = (): Promise<Outbox> => invoke('outbox')
export const listConflicts = (): Promise<CaseConflicts[]> => invoke('conflicts')
/** Keep mine, keep theirs or an edited value: the chosen text for the field. */
export const resolveConflict = (caseId: string, field: string, value: string): Promise<void> =>
  invoke('resolve_conflict', { caseId, field, value })
export const syncStatus = (): Promise<SyncStatus> => invoke('sync_status')
export const syncNow = (): Promise<void> => invoke('sync_now')
export const networkOnline = (): Promise<void> => invoke('network_online')
export const changeSaved = (): Promise<void> => invoke('change_saved')

/**
 * Turns a rejected command into text for the person using the app. Tauri
 * commands reject with whatever the Rust error serialises to: usually a
 * string, sometimes an object with a `message`.
 */
export function describeIpcError(error: unknown, fallback = 'Something went wrong. Try again.'): string {
  if (typeof error === 'string' && error.trim() !== '') return error
  if (isRecord(error) && typeof error['message'] === 'string' && error['message'].trim() !== '') {
    return error['message']
  }
  return fallback
}

/**
 * Reads a rejected command as an `IpcError`. Newer commands reject with
 * `{code, message, field?}`; older ones with a plain string; a bug in the
 * bridge may throw an `Error`. Anything else gets the fallback message.
 */
export function ipcErrorOf(error: unknown, fallback = 'Something went wrong. Try again.'): IpcError {
  const message = describeIpcError(error, fallback)
  if (!isRecord(error) || error instanceof Error) return { code: 'unknown', message }
  const code = typeof error['code'] === 'string' && error['code'] !== '' ? error['code'] : 'unknown'
  const field = error['field']
  return typeof field === 'string' && field !== '' ? { code, message, field } : { code, message }
}

/** Calls `handler` with every `sync-status` event Rust sends. */
export function onSyncStatus(handler: (status: SyncStatus) => void): Promise<UnlistenFn> {
  return listen<SyncStatus>(SYNC_STATUS_EVENT, (event) => handler(event.payload))
}

// ---------------------------------------------------------------------------
// The lock, the PIN, and files. Rust: `doorstep_client::desktop` and `unlock`.
// While locked, every case command rejects with code `locked`; `app_info`,
// `sync_status`, `device_status`, `lock_status`, `unlock`, `sign_in` and
// `sign_out` (keeping data) still answer.
// ---------------------------------------------------------------------------

export interface LockStatus {
  locked: boolean
  pinSet: boolean
  /** Wrong PINs allowed before a full sign-in is needed. */
  attemptsLeft: number
  signedIn: boolean
  /** The window locks after this many minutes without use. */
  idleLockMinutes: number
  /** While unlocked with a PIN set, the time until the idle lock; otherwise null. */
  millisUntilLock?: number | null
}

export const lockStatus = (): Promise<LockStatus> => invoke('lock_status')
/** "Lock" button; rejects with `no_pin` when no PIN is set. */
export const lockNow = (): Promise<void> => invoke('lock')
/**
 * Rejects with `{code: 'invalid_field', field: 'pin'}` for a wrong PIN (the
 * message says how many tries are left), `pin_locked_out` after the last one
 * (the person must sign in with their password; their work stays), or `no_pin`.
 */
export const unlock = (pin: string): Promise<void> => invoke('unlock', { pin })
/** 6 to 12 digits, no runs or repeats; only after a full sign-in. Field errors name `pin`. */
export const setPin = (pin: string): Promise<void> => invoke('set_pin', { pin })
/** The person typed or clicked: call at most about once a minute. */
export const userActive = (): Promise<void> => invoke('user_active')

/**
 * Attaches a file chosen in a file picker. The bytes go as the raw body, the
 * name and type as headers. Field errors name `file`.
 */
export async function attachFile(caseId: string, file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  return invoke('attach_file', bytes, {
    headers: {
      'Doorstep-Case-Id': caseId,
      'Doorstep-File-Name': encodeURIComponent(file.name),
      'Doorstep-Media-Type': file.type || 'application/octet-stream',
    },
  })
}

/** An attachment's bytes, checked against their address; for previews use a blob: URL. */
export async function attachmentBytes(caseId: string, sha256: string): Promise<ArrayBuffer> {
  return invoke('attachment', { caseId, sha256 })
}
