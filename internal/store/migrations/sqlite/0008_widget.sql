-- atende:foreign_keys=off
-- The website chat widget and e-mail (DESIGN M5): channels.kind accepts
-- 'widget' and 'email'. SQLite cannot change a CHECK constraint in place,
-- so the table is rebuilt the way 0005 did (see there why foreign keys
-- are off while this file runs).
CREATE TABLE channels_new (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('api','telegram','whatsapp','messenger','instagram','sms','widget','email')),
    name          TEXT    NOT NULL,
    token_hash    TEXT    NOT NULL UNIQUE,
    callback_url  TEXT    NOT NULL DEFAULT '',
    secret        TEXT    NOT NULL DEFAULT '',
    department_id INTEGER REFERENCES departments(id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    config        TEXT    NOT NULL DEFAULT '',
    webhook_key   TEXT,
    account       TEXT    NOT NULL DEFAULT ''
);
INSERT INTO channels_new (id, workspace_id, kind, name, token_hash, callback_url, secret, department_id, created_at, config, webhook_key, account)
    SELECT id, workspace_id, kind, name, token_hash, callback_url, secret, department_id, created_at, config, webhook_key, account FROM channels;
DROP TABLE channels;
ALTER TABLE channels_new RENAME TO channels;
CREATE INDEX channels_workspace ON channels(workspace_id, id);
CREATE UNIQUE INDEX channels_webhook_key ON channels(webhook_key);

-- A website visitor's session: the token their browser keeps (stored
-- hashed) and who they are on the channel. external_id is their contact
-- identity on the channel: a random visitor id, or "user:<id>" when the
-- site vouched for a logged-in customer (identity verification), so that
-- customer is the same contact on every device. The contact is created
-- with the first message.
CREATE TABLE widget_sessions (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    channel_id   INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    token_hash   TEXT    NOT NULL UNIQUE,
    external_id  TEXT    NOT NULL,
    contact_id   INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    name         TEXT    NOT NULL DEFAULT '',
    email        TEXT    NOT NULL DEFAULT '',
    phone        TEXT    NOT NULL DEFAULT '',
    identified   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    seen_at      INTEGER NOT NULL
);
CREATE INDEX widget_sessions_contact ON widget_sessions(contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX widget_sessions_seen ON widget_sessions(seen_at);

-- Files a visitor uploaded and has not sent yet.
CREATE TABLE widget_uploads (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES widget_sessions(id) ON DELETE CASCADE,
    filename     TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    storage_key  TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX widget_uploads_session ON widget_uploads(session_id);

-- Customer ratings of a conversation (CSAT, "avaliar os atendentes"): one
-- per conversation, 1 to 5, with the agent it was assigned to when rated.
CREATE TABLE conversation_ratings (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    workspace_id    INTEGER NOT NULL,
    contact_id      INTEGER NOT NULL,
    assignee_id     INTEGER,
    department_id   INTEGER,
    score           INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment         TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL
);
CREATE INDEX conversation_ratings_ws ON conversation_ratings(workspace_id, created_at);
