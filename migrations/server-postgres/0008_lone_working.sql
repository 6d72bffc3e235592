-- Lone working. Each write records the case's earliest visit under way (checked
-- in, not out) and who checked in, so the server can notice a visit past its
-- expected end from whatever any device synced, without opening documents.
ALTER TABLE cases ADD COLUMN open_visit_expected_end TEXT;
ALTER TABLE cases ADD COLUMN open_visit_worker TEXT;
CREATE INDEX cases_open_visit ON cases (open_visit_expected_end)
    WHERE open_visit_expected_end IS NOT NULL;

-- One alert per visit that ran over (a case and its expected end). Resolved
-- when the check-out syncs, or the expected end moves.
CREATE TABLE lone_worker_alerts (
    id           BIGSERIAL PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    team         TEXT,
    worker       TEXT NOT NULL,
    expected_end TEXT NOT NULL,
    raised_at    TEXT NOT NULL,
    resolved_at  TEXT,
    UNIQUE (case_id, expected_end)
);

-- Each way an alert is sent (webhook, email), retried with back-off until
-- delivered or out of attempts.
CREATE TABLE alert_deliveries (
    alert_id        BIGINT NOT NULL REFERENCES lone_worker_alerts (id),
    channel         TEXT NOT NULL CHECK (channel IN ('webhook', 'email')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    delivered_at    TEXT,
    last_error      TEXT,
    PRIMARY KEY (alert_id, channel)
);
