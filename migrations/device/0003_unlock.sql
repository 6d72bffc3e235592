-- Offline unlock after the idle lock: only the PIN's slow hash (Argon2id, in
-- PHC form) and the failed attempts since the last success. It lives in the
-- encrypted database, so a copied disk gives no hash to guess against
-- without the key in the OS keyring. Cleared after too many failed attempts:
-- then only a full sign-in with the council password opens the app.
CREATE TABLE device_unlock (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    pin_hash        TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL CHECK (failed_attempts >= 0),
    set_at          INTEGER NOT NULL
) STRICT;
