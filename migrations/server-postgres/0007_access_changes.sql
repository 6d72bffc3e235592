-- Who could see a case before a write changed its access (team, assignee or
-- type). A device whose user could see it then, and may not now, is told to
-- remove it ("removed" in the sync answer). One row per access-changing
-- write, at that write's cursor, holding the access keys from before it.
CREATE TABLE case_access_changes (
    cursor           BIGINT PRIMARY KEY,
    case_id          TEXT NOT NULL REFERENCES cases (id),
    team_key         TEXT,
    assignee_key     TEXT,
    shared_with_team BOOLEAN NOT NULL
);
CREATE INDEX case_access_changes_team ON case_access_changes (team_key, cursor);
CREATE INDEX case_access_changes_assignee ON case_access_changes (assignee_key, cursor);

-- How far each device has been served the change feed. Changes a device made
-- while it still held a case (before this cursor moved past the write that
-- took the case away) may still land; later ones may not.
ALTER TABLE devices ADD COLUMN synced_cursor BIGINT NOT NULL DEFAULT 0;
