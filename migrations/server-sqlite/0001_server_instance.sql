-- Identifies this server's database, so a device can tell a restored or
-- replaced server from the one it last synced with.
CREATE TABLE server_instance (
    id         TEXT PRIMARY KEY NOT NULL,
    created_at TEXT NOT NULL
);

INSERT INTO server_instance (id, created_at)
VALUES (lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
