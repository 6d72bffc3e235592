-- Devices, sessions, cases and the audit chain (see the SQLite migration for the reasons).

CREATE TABLE devices (
    id            TEXT PRIMARY KEY NOT NULL,
    user_id       BIGINT NOT NULL REFERENCES users (id),
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

CREATE TABLE access_tokens (
    digest     TEXT PRIMARY KEY NOT NULL,
    device_id  TEXT NOT NULL REFERENCES devices (id),
    session_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX access_tokens_device ON access_tokens (device_id);

CREATE TABLE refresh_tokens (
    digest     TEXT PRIMARY KEY NOT NULL,
    device_id  TEXT NOT NULL REFERENCES devices (id),
    -- One sign-in and all its rotations: a replayed token ends only its own session.
    session_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    -- Spent by a refresh (rather than by sign-out or a new sign-in): only
    -- such a token shown again is a sign of theft.
    rotated    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX refresh_tokens_device ON refresh_tokens (device_id);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
CREATE INDEX access_tokens_session ON access_tokens (session_id);

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
    shared_with_team BOOLEAN NOT NULL,
    heads            TEXT NOT NULL,
    version          BIGINT NOT NULL,
    cursor           BIGINT NOT NULL,
    chunk_count      BIGINT NOT NULL,
    stored_bytes     BIGINT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX cases_cursor ON cases (cursor);
CREATE INDEX cases_team ON cases (team_key, cursor);
CREATE INDEX cases_assignee ON cases (assignee_key, cursor);

CREATE TABLE case_chunks (
    case_id   TEXT NOT NULL REFERENCES cases (id),
    cursor    BIGINT NOT NULL,
    device_id TEXT,
    bytes     BYTEA NOT NULL,
    PRIMARY KEY (case_id, cursor)
);

CREATE TABLE case_cursor (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    value    BIGINT NOT NULL
);
INSERT INTO case_cursor (only_row, value) VALUES (1, 0);

CREATE TABLE audit_events (
    seq         BIGINT PRIMARY KEY,
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

CREATE TABLE audit_head (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    seq      BIGINT NOT NULL,
    hash     TEXT NOT NULL
);
INSERT INTO audit_head (only_row, seq, hash) VALUES (1, 0, '');

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
