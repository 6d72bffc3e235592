-- The device store: everything a laptop keeps, inside one SQLCipher database
-- encrypted with the key held in the OS keyring (attachments included).
-- Times are milliseconds since 1970 UTC by the device clock; change hashes
-- and lists are JSON text.

-- This device. Its automerge actor id writes every change made here; the
-- hybrid logical clock's last reading keeps audit order across restarts.
CREATE TABLE device (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    actor_id   BLOB NOT NULL CHECK (length(actor_id) = 16),
    created_at INTEGER NOT NULL,
    last_hlc   TEXT
) STRICT;

INSERT INTO device (id, actor_id, created_at)
VALUES (1, randomblob(16), CAST(unixepoch('subsec') * 1000 AS INTEGER));

-- One automerge document per case: a full save (base) plus the changes saved
-- edit by edit since (case_changes), folded into a new base now and then.
CREATE TABLE case_documents (
    case_id    TEXT PRIMARY KEY NOT NULL,
    base       BLOB NOT NULL,
    base_heads TEXT NOT NULL,
    heads      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE case_changes (
    case_id TEXT NOT NULL REFERENCES case_documents (case_id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    bytes   BLOB NOT NULL,
    PRIMARY KEY (case_id, seq)
) STRICT;

-- The row behind My cases, derived from the document and rebuilt from it at will.
CREATE TABLE case_projection (
    id                      INTEGER PRIMARY KEY,
    case_id                 TEXT NOT NULL UNIQUE REFERENCES case_documents (case_id) ON DELETE CASCADE,
    reference               TEXT,
    case_type               TEXT NOT NULL,
    status                  TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'awaiting_review', 'closed')),
    summary                 TEXT NOT NULL,
    assigned_to             TEXT,
    team                    TEXT,
    due_date                TEXT,
    risk_warnings           TEXT NOT NULL,
    people_names            TEXT NOT NULL,
    narrative               TEXT NOT NULL,
    notes_text              TEXT NOT NULL,
    note_count              INTEGER NOT NULL,
    open_task_count         INTEGER NOT NULL,
    next_visit_at           TEXT,
    open_visit_expected_end TEXT,
    conflict_count          INTEGER NOT NULL,
    created_by              TEXT NOT NULL,
    created_at              INTEGER NOT NULL,
    updated_by              TEXT NOT NULL,
    updated_at              INTEGER NOT NULL
) STRICT;

CREATE INDEX case_projection_by_updated ON case_projection (updated_at DESC, case_id);
CREATE INDEX case_projection_by_due ON case_projection (due_date, case_id);
CREATE INDEX case_projection_by_reference ON case_projection (reference, case_id);
CREATE INDEX case_projection_by_status ON case_projection (status, updated_at DESC);
CREATE INDEX case_projection_by_assignee ON case_projection (assigned_to, updated_at DESC);
CREATE INDEX case_projection_by_team ON case_projection (team, updated_at DESC);

-- Full-text search over the projection. The index reads its text from
-- case_projection (external content), and the triggers below keep it in step
-- inside the same transaction as every projection write.
CREATE VIRTUAL TABLE case_search USING fts5 (
    summary, narrative, notes_text, people_names, case_type, reference,
    content = 'case_projection',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TRIGGER case_projection_search_insert AFTER INSERT ON case_projection BEGIN
    INSERT INTO case_search (rowid, summary, narrative, notes_text, people_names, case_type, reference)
    VALUES (new.id, new.summary, new.narrative, new.notes_text, new.people_names, new.case_type, new.reference);
END;

CREATE TRIGGER case_projection_search_delete AFTER DELETE ON case_projection BEGIN
    INSERT INTO case_search (case_search, rowid, summary, narrative, notes_text, people_names, case_type, reference)
    VALUES ('delete', old.id, old.summary, old.narrative, old.notes_text, old.people_names, old.case_type, old.reference);
END;

CREATE TRIGGER case_projection_search_update AFTER UPDATE ON case_projection BEGIN
    INSERT INTO case_search (case_search, rowid, summary, narrative, notes_text, people_names, case_type, reference)
    VALUES ('delete', old.id, old.summary, old.narrative, old.notes_text, old.people_names, old.case_type, old.reference);
    INSERT INTO case_search (rowid, summary, narrative, notes_text, people_names, case_type, reference)
    VALUES (new.id, new.summary, new.narrative, new.notes_text, new.people_names, new.case_type, new.reference);
END;

-- One row per edit not yet acknowledged by the server. No cascade: a case
-- cannot be removed from the device while it has unsynced changes.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     TEXT NOT NULL REFERENCES case_documents (case_id),
    description TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    hlc         TEXT NOT NULL,
    heads       TEXT NOT NULL
) STRICT;

CREATE INDEX outbox_by_case ON outbox (case_id, id);

-- The badge on each case. Sync (a later issue) moves it along; edits set it
-- to queued, except that a case the server has never acknowledged stays local_only.
CREATE TABLE sync_state (
    case_id            TEXT PRIMARY KEY NOT NULL REFERENCES case_documents (case_id) ON DELETE CASCADE,
    state              TEXT NOT NULL CHECK (state IN ('local_only', 'queued', 'uploading', 'acknowledged', 'conflict', 'rejected')),
    acknowledged_heads TEXT,
    rejection_reason   TEXT,
    updated_at         INTEGER NOT NULL
) STRICT;

-- Tamper-evident local audit: each event's hash covers its fields and the
-- previous event's hash. Not tied to case_documents: the record of who saw a
-- case outlives the case's stay on this device.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    device_time INTEGER NOT NULL,
    hlc         TEXT NOT NULL,
    user        TEXT NOT NULL,
    action      TEXT NOT NULL,
    case_id     TEXT,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
) STRICT;

CREATE INDEX audit_log_by_case ON audit_log (case_id, seq);

-- Append-only, so that a bug cannot rewrite history. (Someone holding the key
-- can drop these; the hash chain is what detects that.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Photos and documents, content-addressed by the SHA-256 of their plain
-- bytes and stored in chunks inside this encrypted database.
CREATE TABLE attachments (
    sha256      TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
    size        INTEGER NOT NULL CHECK (size > 0),
    media_type  TEXT NOT NULL,
    chunk_count INTEGER NOT NULL,
    created_at  INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER))
) STRICT;

CREATE TABLE attachment_chunks (
    sha256 TEXT NOT NULL REFERENCES attachments (sha256) ON DELETE CASCADE,
    idx    INTEGER NOT NULL,
    bytes  BLOB NOT NULL,
    PRIMARY KEY (sha256, idx)
) STRICT;
