-- Teams and user accounts. Names are unique ignoring case, as people type them.
CREATE TABLE teams (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX teams_name ON teams (lower(name));

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('caseworker', 'team-lead', 'admin')),
    team_id         INTEGER REFERENCES teams (id),
    password_digest TEXT NOT NULL,
    disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX users_name ON users (lower(name));
