-- Identifies this server's database, so a device can tell a restored or
-- replaced server from the one it last synced with.
CREATE TABLE server_instance (
    id         TEXT PRIMARY KEY NOT NULL,
    created_at TEXT NOT NULL
);

INSERT INTO server_instance (id, created_at)
VALUES (md5(random()::text || clock_timestamp()::text),
        to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
