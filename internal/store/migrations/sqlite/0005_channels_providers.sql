-- atende:foreign_keys=off
-- Messaging channels (DESIGN M5): channels.kind accepts the provider kinds,
-- and a channel carries its provider settings and the public key of its
-- webhook URL. SQLite cannot change a CHECK constraint in place, so the
-- table is rebuilt with the documented procedure
-- (https://www.sqlite.org/lang_altertable.html#otheralter): the marker on
-- the first line makes the migration runner run this file with
-- foreign_keys OFF (DROP TABLE on a parent with foreign keys ON deletes
-- every row first and cascades into conversations, messages and contact
-- identities), check PRAGMA foreign_key_check before the commit and turn
-- foreign keys back on. Renaming the old table out of the way instead does
-- not help: with foreign_keys ON, ALTER TABLE RENAME rewrites the
-- children's REFERENCES whatever legacy_alter_table says.
CREATE TABLE channels_new (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('api','telegram','whatsapp','messenger','instagram','sms')),
    name          TEXT    NOT NULL,
    token_hash    TEXT    NOT NULL UNIQUE,
    callback_url  TEXT    NOT NULL DEFAULT '',
    secret        TEXT    NOT NULL DEFAULT '',
    department_id INTEGER REFERENCES departments(id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    -- provider settings and credentials as JSON sealed with internal/secrets;
    -- never sent to browsers
    config        TEXT    NOT NULL DEFAULT '',
    -- random public id of the channel in its webhook URL
    -- (/api/v1/webhooks/<kind>/<webhook_key>); NULL for API channels
    webhook_key   TEXT,
    -- the provider account, shown to admins: a bot's @username, a phone number
    account       TEXT    NOT NULL DEFAULT ''
);
INSERT INTO channels_new (id, workspace_id, kind, name, token_hash, callback_url, secret, department_id, created_at)
    SELECT id, workspace_id, kind, name, token_hash, callback_url, secret, department_id, created_at FROM channels;
DROP TABLE channels;
ALTER TABLE channels_new RENAME TO channels;
CREATE INDEX channels_workspace ON channels(workspace_id, id);
CREATE UNIQUE INDEX channels_webhook_key ON channels(webhook_key);

-- Provider webhook events already handled (a Telegram update_id…), so a
-- re-delivered event is acknowledged without being processed again.
CREATE TABLE channel_events (
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    event_key  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (channel_id, event_key)
) WITHOUT ROWID;
CREATE INDEX channel_events_created ON channel_events(created_at);
