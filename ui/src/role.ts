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

/**
 * The role this laptop last heard from the server: null when nobody is
 * signed in. Rejects when Rust cannot say, so callers can keep what they
 * showed before rather than take the person's screens away.
 */
export async function readRole(): Promise<string | null> {
  const status: unknown = await deviceStatus()
  if (typeof status !== 'object' || status === null) throw new Error('device_status gave no status')
  const role = (status as { role?: unknown }).role
  return typeof role === 'string' ? role : null
}
