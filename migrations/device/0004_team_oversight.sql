-- Team oversight on the device.

-- When each case's status last changed, for time-to-close and weekly
-- closed counts. Rows written before this step hold NULL until the store
-- rebuilds the case list from the documents, which it does on opening.
ALTER TABLE case_projection ADD COLUMN status_changed_at INTEGER;
-- Unfinished tasks' due dates, as a JSON array, for overdue tasks per worker.
ALTER TABLE case_projection ADD COLUMN open_task_due_dates TEXT;
CREATE INDEX case_projection_by_status_change ON case_projection (status, status_changed_at);
-- Opening the store asks whether any row still lacks these columns; this
-- index holds only such rows, so the answer costs nothing on every start.
CREATE INDEX case_projection_unfilled ON case_projection (case_id) WHERE status_changed_at IS NULL;
CREATE INDEX case_projection_by_created ON case_projection (created_at);

-- How far this device's own audit log has been recorded by each server.
ALTER TABLE sync_cursor ADD COLUMN audit_sent_seq INTEGER NOT NULL DEFAULT 0 CHECK (audit_sent_seq >= 0);

-- A team lead's view of the team from the server (laptops, lone-worker
-- alerts), as the server's JSON, from the last sync; shown offline with its time.
CREATE TABLE team_overview (
    only_row   INTEGER PRIMARY KEY CHECK (only_row = 1),
    server_url TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    body       TEXT NOT NULL
) STRICT;
