-- Sync with the council's server: who is signed in, how far this device has
-- read the server's change feed, and cases to fetch whole again.

-- The account this device is signed in as, and the id the server gave the
-- device. The row stays after sign-out, so the next sign-in keeps the same
-- registration and the data stays with the person who wrote it. Tokens are
-- never stored here: they live in the OS keyring.
CREATE TABLE sync_session (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    server_url   TEXT NOT NULL,
    user         TEXT NOT NULL,
    role         TEXT NOT NULL,
    team         TEXT,
    device_id    TEXT NOT NULL,
    signed_in    INTEGER NOT NULL CHECK (signed_in IN (0, 1)),
    signed_in_at INTEGER NOT NULL
) STRICT;

-- How far this device has read each server's change feed (the server's
-- cursor), and how the last sync went. Per server, so pointing the device at
-- another server starts that server's feed from the beginning.
CREATE TABLE sync_cursor (
    server_url        TEXT PRIMARY KEY NOT NULL,
    cursor            INTEGER NOT NULL CHECK (cursor >= 0),
    last_sync_at      INTEGER,
    last_attempt_at   INTEGER,
    last_error        TEXT
) STRICT;

-- Per case: the server's cursor for the case when this device last received
-- it. Together with acknowledged_heads this is the case's sync state with the
-- server.
ALTER TABLE sync_state ADD COLUMN server_cursor INTEGER;

-- Cases to ask the server for whole: a download that could not be read, or
-- one whose earlier changes were missing. Not tied to case_documents, since
-- the case may not be on this device yet.
CREATE TABLE sync_refetch (
    case_id    TEXT PRIMARY KEY NOT NULL,
    reason     TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
) STRICT;

-- Cases the server said this person may no longer see, kept until every
-- change made here to them has been sent; then they leave the device.
CREATE TABLE sync_removals (
    case_id    TEXT PRIMARY KEY NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Files to send: a file reaches a case on the server only after a full
-- upload for that case, so uploads are per (file, case). Sent after the
-- case's text, so a weak signal carries the notes first.
CREATE TABLE attachment_uploads (
    sha256    TEXT NOT NULL CHECK (length(sha256) = 64),
    case_id   TEXT NOT NULL,
    queued_at INTEGER NOT NULL,
    PRIMARY KEY (sha256, case_id)
) STRICT;

-- Files that cases on this device refer to but that are not here yet, and
-- the pieces of downloads in progress, so a broken connection resumes.
CREATE TABLE attachment_wanted (
    sha256     TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
    size       INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    wanted_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE attachment_download_pieces (
    sha256       TEXT NOT NULL,
    offset_bytes INTEGER NOT NULL,
    bytes        BLOB NOT NULL,
    PRIMARY KEY (sha256, offset_bytes)
) STRICT;
