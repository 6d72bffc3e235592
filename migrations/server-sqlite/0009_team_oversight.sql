-- Team oversight.

-- How far each device's own audit log has been recorded here: events a
-- device sends again (its answer was lost) are recorded once.
ALTER TABLE devices ADD COLUMN audit_seq INTEGER NOT NULL DEFAULT 0;

-- A change to a user's role or team changes which cases they may see. Each
-- change takes a place in the case feed (its cursor) and keeps the access
-- the user had before it, so their devices are told to remove the cases
-- they could see then and may not now, as they are for a reassigned case.
CREATE TABLE user_access_changes (
    cursor   INTEGER PRIMARY KEY,
    user_key TEXT NOT NULL,
    role     TEXT NOT NULL,
    team_key TEXT
);
CREATE INDEX user_access_changes_user ON user_access_changes (user_key, cursor);
