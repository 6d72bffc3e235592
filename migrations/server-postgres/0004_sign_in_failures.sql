-- Failed sign-ins, so every server node applies the same lockout.
-- Kept for a day; only the last lockout window matters.
CREATE TABLE sign_in_failures (
    id        BIGSERIAL PRIMARY KEY,
    account   TEXT NOT NULL,
    address   TEXT NOT NULL,
    at_millis BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_account ON sign_in_failures (account, at_millis);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, at_millis);
