-- Devices, sessions, cases and the audit chain.

-- A device is one laptop's registration for one user. Revoking it kills its
-- tokens; its next contact is told to wipe.
CREATE TABLE devices (
    id            TEXT PRIMARY KEY NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    hostname      TEXT NOT NULL,
    os            TEXT NOT NULL,
    app_version   TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    last_sync_at  TEXT,
    revoked_at    TEXT,
    revoked_by    TEXT
);
CREATE INDEX devices_user ON devices (user_id);

-- Tokens are stored as SHA-256 digests, never as themselves.
CREATE TABLE access_tokens (
    digest     TEXT PRIMARY KEY NOT NULL,
    device_id  TEXT NOT NULL REFERENCES devices (id),
    session_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX access_tokens_device ON access_tokens (device_id);

-- A refresh token is used once. `used_at` is kept so that a second use is
-- recognised as theft and ends the device's session.
CREATE TABLE refresh_tokens (
    digest     TEXT PRIMARY KEY NOT NULL,
    device_id  TEXT NOT NULL REFERENCES devices (id),
    -- One sign-in and all its rotations: a replayed token ends only its own session.
    session_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    -- Spent by a refresh (rather than by sign-out or a new sign-in): only
    -- such a token shown again is a sign of theft.
    rotated    INTEGER NOT NULL DEFAULT 0 CHECK (rotated IN (0, 1))
);
CREATE INDEX refresh_tokens_device ON refresh_tokens (device_id);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
CREATE INDEX access_tokens_session ON access_tokens (session_id);

-- One row per case: the facts access decisions need, the write version for
-- optimistic concurrency, and the cursor of its latest change.
CREATE TABLE cases (
    id               TEXT PRIMARY KEY NOT NULL,
    case_type        TEXT NOT NULL,
    status           TEXT NOT NULL,
    summary          TEXT NOT NULL,
    team             TEXT,
    assigned_to      TEXT,
    -- Trimmed and lowercased by the server's code, so both backends match names alike.
    team_key         TEXT,
    assignee_key     TEXT,
    shared_with_team INTEGER NOT NULL CHECK (shared_with_team IN (0, 1)),
    heads            TEXT NOT NULL,
    version          INTEGER NOT NULL,
    cursor           INTEGER NOT NULL,
    chunk_count      INTEGER NOT NULL,
    stored_bytes     INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX cases_cursor ON cases (cursor);
CREATE INDEX cases_team ON cases (team_key, cursor);
CREATE INDEX cases_assignee ON cases (assignee_key, cursor);

-- The document, as automerge change chunks. Compaction replaces a case's
-- chunks with one snapshot at the latest cursor.
CREATE TABLE case_chunks (
    case_id   TEXT NOT NULL REFERENCES cases (id),
    cursor    INTEGER NOT NULL,
    device_id TEXT,
    bytes     BLOB NOT NULL,
    PRIMARY KEY (case_id, cursor)
);

-- The one global cursor. Updating this row in each write's transaction makes
-- writes commit in cursor order, so "changed since N" never skips one.
CREATE TABLE case_cursor (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    value    INTEGER NOT NULL
);
INSERT INTO case_cursor (only_row, value) VALUES (1, 0);

-- Append-only and hash-chained: each row's hash covers the previous hash.
CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY,
    server_time TEXT NOT NULL,
    device_time TEXT,
    actor       TEXT,
    device_id   TEXT,
    action      TEXT NOT NULL,
    case_id     TEXT,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_events_case ON audit_events (case_id, seq);
CREATE INDEX audit_events_actor ON audit_events (actor, seq);

-- The chain's tip, so deleting the newest rows is detected too.
CREATE TABLE audit_head (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    seq      INTEGER NOT NULL,
    hash     TEXT NOT NULL
);
INSERT INTO audit_head (only_row, seq, hash) VALUES (1, 0, '');

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
