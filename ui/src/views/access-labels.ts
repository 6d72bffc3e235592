// The server's access log in plain words: what each action name means to a
// team lead reading who has opened, changed or downloaded a case. One list,
// so the case page's access record and a worker's activity say the same.
import type { AccessEntry } from '../ipc'
import { parseInstant } from '../time-format'

/**
 * Actions the server records itself (`case_…`, `change_refused`,
 * `attachment_…`) and those a laptop reports at its next sync (`device_…`).
 */
export const ACCESS_ACTION_LABELS: Readonly<Record<string, string>> = {
  case_created: 'Created the case (synced)',
  case_changed: 'Changed the case (synced)',
  case_downloaded: 'Downloaded to a laptop',
  case_viewed: 'Read through the API',
  change_refused: 'A change was refused',
  attachment_uploaded: 'Uploaded a file',
  attachment_downloaded: 'Downloaded a file',
  device_viewed: 'Opened on the laptop',
  device_exported: 'Exported',
  device_edited: 'Edited on the laptop',
  device_created: 'Created on the laptop',
  device_resolved: 'Resolved a conflict',
  device_attached: 'Attached a file',
  device_imported: 'Imported',
  device_removed: 'Removed from the laptop (no longer theirs)',
}

/** What an action means, in plain words; one this list does not know reads as its name with spaces. */
export function accessActionLabel(action: string): string {
  if (Object.hasOwn(ACCESS_ACTION_LABELS, action)) return ACCESS_ACTION_LABELS[action]!
  const words = action.replace(/_/g, ' ').trim()
  return words === '' ? 'Not named by the server' : words
}

/** A laptop's clock and the server's may differ by this much before it is worth saying. */
export const CLOCK_DIFFERENCE_MS = 60_000

/**
 * When the laptop did it, if that was more than a minute before (or after)
 * the server heard: work done offline reaches the server at the next sync.
 * Null when there is no laptop time, or it is close enough to the server's.
 */
export function laptopTimeIfDifferent(entry: Pick<AccessEntry, 'serverTime' | 'deviceTime'>): Date | null {
  const server = parseInstant(entry.serverTime)
  const device = parseInstant(entry.deviceTime)
  if (server === null || device === null) return null
  return Math.abs(server.getTime() - device.getTime()) > CLOCK_DIFFERENCE_MS ? device : null
}
