-- Names are matched by a key the server computes (trimmed, lowercased in
-- Unicode), because SQLite's lower() only folds ASCII and PostgreSQL's folds
-- everything. The server fills the key for existing rows and then indexes it.
ALTER TABLE teams ADD COLUMN name_key TEXT;
ALTER TABLE users ADD COLUMN name_key TEXT;
