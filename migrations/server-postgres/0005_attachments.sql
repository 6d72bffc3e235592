-- Attachments: content-addressed blobs. A blob is stored once, however many
-- cases refer to it; a case is linked to a blob only after someone who may
-- change that case uploaded bytes that hash to its address.
CREATE TABLE attachments (
    sha256     TEXT PRIMARY KEY NOT NULL,
    size       BIGINT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE attachment_chunks (
    sha256       TEXT NOT NULL REFERENCES attachments (sha256) ON DELETE CASCADE,
    offset_bytes BIGINT NOT NULL,
    bytes        BYTEA NOT NULL,
    PRIMARY KEY (sha256, offset_bytes)
);

CREATE TABLE attachment_cases (
    sha256    TEXT NOT NULL REFERENCES attachments (sha256) ON DELETE CASCADE,
    case_id   TEXT NOT NULL REFERENCES cases (id),
    linked_at TEXT NOT NULL,
    PRIMARY KEY (sha256, case_id)
);
CREATE INDEX attachment_cases_case ON attachment_cases (case_id);

-- Uploads in progress, one per (file, case), so nobody can hold up another
-- case's upload. Abandoned ones are cleared after a week.
CREATE TABLE attachment_uploads (
    sha256     TEXT NOT NULL,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    size       BIGINT NOT NULL,
    received   BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    PRIMARY KEY (sha256, case_id)
);

CREATE TABLE attachment_upload_chunks (
    sha256       TEXT NOT NULL,
    case_id      TEXT NOT NULL,
    offset_bytes BIGINT NOT NULL,
    bytes        BYTEA NOT NULL,
    PRIMARY KEY (sha256, case_id, offset_bytes),
    FOREIGN KEY (sha256, case_id) REFERENCES attachment_uploads (sha256, case_id) ON DELETE CASCADE
);
