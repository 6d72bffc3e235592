-- Attachments: content-addressed blobs, uploaded in chunks so an upload can
-- resume. A blob is shared by every case that refers to it.
CREATE TABLE attachments (
    sha256       TEXT PRIMARY KEY NOT NULL,
    size         INTEGER NOT NULL,
    received     INTEGER NOT NULL,
    complete     INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
    created_at   TEXT NOT NULL,
    completed_at TEXT
);

CREATE TABLE attachment_chunks (
    sha256 TEXT NOT NULL REFERENCES attachments (sha256) ON DELETE CASCADE,
    offset_bytes INTEGER NOT NULL,
    bytes  BLOB NOT NULL,
    PRIMARY KEY (sha256, offset_bytes)
);

CREATE TABLE attachment_cases (
    sha256  TEXT NOT NULL REFERENCES attachments (sha256) ON DELETE CASCADE,
    case_id TEXT NOT NULL REFERENCES cases (id),
    PRIMARY KEY (sha256, case_id)
);
CREATE INDEX attachment_cases_case ON attachment_cases (case_id);
