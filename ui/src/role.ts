// What the person may do depends on the role the server last gave them:
// only team leads review cases. `device_status` reports the role this laptop
// last heard at a sync. It only decides what the window offers; Rust and the
// server check the role again before any decision counts.
import { deviceStatus } from './ipc'

/** The spellings Rust's `Role::parse` accepts for a team lead. */
const TEAM_LEAD_SPELLINGS: ReadonlySet<string> = new Set(['team-lead', 'team_lead', 'teamlead'])

export function isTeamLead(role: string | null | undefined): boolean {
  return typeof role === 'string' && TEAM_LEAD_SPELLINGS.has(role.trim().toLowerCase())
}

/** The newest `readRole`'s answer, as `lastReadRole` gives it; null before anyone asks. */
let latest: Promise<string | null | undefined> | null = null
/** The last role Rust gave, for when the newest asking fails. */
let known: string | null | undefined

async function askRust(): Promise<string | null> {
  const status: unknown = await deviceStatus()
  if (typeof status !== 'object' || status === null) throw new Error('device_status gave no status')
  const role = (status as { role?: unknown }).role
  return typeof role === 'string' ? role : null
}

/**
 * The role this laptop last heard from the server: null when nobody is
 * signed in. Rejects when Rust cannot say, so callers can keep what they
 * showed before rather than take the person's screens away.
 */
export function readRole(): Promise<string | null> {
  const answer = askRust()
  const remembered: Promise<string | null | undefined> = answer.then(
    (role) => {
      // An older answer arriving late must not undo a newer one.
      if (latest === remembered) known = role
      return role
    },
    () => known,
  )
  latest = remembered
  return answer
}

/**
 * The role as last asked for, by whoever asked, waiting for the answer if
 * it is on its way; undefined when nobody has asked yet. The app asks at
 * every page change (for its navigation), so a page that only adjusts what
 * it offers can use that answer instead of asking Rust again. If the last
 * asking failed, the role before it stands, as the navigation does.
 */
export function lastReadRole(): Promise<string | null | undefined> {
  return latest ?? Promise.resolve(undefined)
}

/** Forgets every answer, as when the app starts: for tests, each of which is a fresh start. */
export function forgetRole(): void {
  latest = null
  known = undefined
}
