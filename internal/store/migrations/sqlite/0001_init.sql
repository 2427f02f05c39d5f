-- Atende schema, SQLite. Times are Unix milliseconds (INTEGER) on both
-- engines so that ordering, keyset cursors and arithmetic are identical.

CREATE TABLE workspaces (
    id                    INTEGER PRIMARY KEY,
    name                  TEXT    NOT NULL,
    slug                  TEXT    NOT NULL UNIQUE,
    timezone              TEXT    NOT NULL DEFAULT 'America/Sao_Paulo',
    thermometer_yellow_s  INTEGER NOT NULL DEFAULT 300,
    thermometer_red_s     INTEGER NOT NULL DEFAULT 900,
    reopen_window_s       INTEGER NOT NULL DEFAULT 0,
    closing_reason_required INTEGER NOT NULL DEFAULT 0,
    created_at            INTEGER NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL CHECK (role IN ('admin','supervisor','agent')),
    scope         TEXT    NOT NULL DEFAULT 'department' CHECK (scope IN ('department','assigned')),
    capacity      INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    presence      TEXT    NOT NULL DEFAULT 'offline' CHECK (presence IN ('online','away','offline')),
    presence_at   INTEGER NOT NULL DEFAULT 0,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL
);
CREATE INDEX users_workspace ON users(workspace_id, id);

CREATE TABLE sessions (
    id_hash      TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    expires_at   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    prefix       TEXT    NOT NULL,
    last_used_at INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE departments (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    is_default   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, name)
);
CREATE UNIQUE INDEX departments_one_default ON departments(workspace_id) WHERE is_default = 1;

CREATE TABLE department_members (
    department_id INTEGER NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (department_id, user_id)
);
CREATE INDEX department_members_user ON department_members(user_id, department_id);

CREATE TABLE labels (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    color        TEXT    NOT NULL DEFAULT '#6b7280',
    created_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE quick_replies (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    shortcut     TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, shortcut)
);

CREATE TABLE closing_reasons (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE channels (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('api')),
    name          TEXT    NOT NULL,
    token_hash    TEXT    NOT NULL UNIQUE,
    callback_url  TEXT    NOT NULL DEFAULT '',
    secret        TEXT    NOT NULL DEFAULT '',
    department_id INTEGER REFERENCES departments(id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX channels_workspace ON channels(workspace_id, id);

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL DEFAULT '',
    name_search  TEXT    NOT NULL DEFAULT '',
    phone        TEXT    NOT NULL DEFAULT '',
    email        TEXT    NOT NULL DEFAULT '',
    attributes   TEXT    NOT NULL DEFAULT '{}',
    notes        TEXT    NOT NULL DEFAULT '',
    owner_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX contacts_workspace ON contacts(workspace_id, id);
CREATE INDEX contacts_name ON contacts(workspace_id, name_search);
CREATE INDEX contacts_phone ON contacts(workspace_id, phone);

CREATE TABLE contact_identities (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id   INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    channel_id   INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    external_id  TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (channel_id, external_id)
);
CREATE INDEX contact_identities_contact ON contact_identities(contact_id);

CREATE TABLE contact_labels (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    label_id   INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    PRIMARY KEY (contact_id, label_id)
);

CREATE TABLE conversations (
    id                INTEGER PRIMARY KEY,
    workspace_id      INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id        INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    channel_id        INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    department_id     INTEGER REFERENCES departments(id) ON DELETE SET NULL,
    assignee_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    status            TEXT    NOT NULL CHECK (status IN ('bot','queued','open','snoozed','resolved')),
    priority          TEXT    NOT NULL DEFAULT 'none' CHECK (priority IN ('none','low','medium','high','urgent')),
    automation_paused INTEGER NOT NULL DEFAULT 0,
    assignee_replied  INTEGER NOT NULL DEFAULT 0,
    last_message_at   INTEGER NOT NULL,
    last_preview      TEXT    NOT NULL DEFAULT '',
    -- waiting_since is 4611686018427387904 (store.NotWaiting) while nobody waits, so that
    -- \"longest waiting first\" sorts the same on both engines without NULL ordering rules.
    waiting_since     INTEGER NOT NULL DEFAULT 4611686018427387904,
    opened_at         INTEGER NOT NULL,
    first_reply_at    INTEGER,
    resolved_at       INTEGER,
    snoozed_until     INTEGER,
    closing_reason_id INTEGER REFERENCES closing_reasons(id) ON DELETE SET NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
-- DESIGN §3: at most one unresolved conversation per (contact, channel).
CREATE UNIQUE INDEX conversations_one_unresolved ON conversations(contact_id, channel_id) WHERE status <> 'resolved';
CREATE INDEX conversations_contact ON conversations(contact_id, channel_id, resolved_at);
-- One index per view × sort (DESIGN §4): every page is a range of one of these.
CREATE INDEX conv_ws_status_last ON conversations(workspace_id, status, last_message_at, id);
CREATE INDEX conv_dept_status_last ON conversations(workspace_id, department_id, status, last_message_at, id);
CREATE INDEX conv_assignee_status_last ON conversations(workspace_id, assignee_id, status, last_message_at, id);
CREATE INDEX conv_ws_status_waiting ON conversations(workspace_id, status, waiting_since, id);
CREATE INDEX conv_dept_status_waiting ON conversations(workspace_id, department_id, status, waiting_since, id);
CREATE INDEX conv_assignee_status_waiting ON conversations(workspace_id, assignee_id, status, waiting_since, id);
CREATE INDEX conv_ws_status_opened ON conversations(workspace_id, status, opened_at, id);
CREATE INDEX conv_dept_status_opened ON conversations(workspace_id, department_id, status, opened_at, id);
CREATE INDEX conv_assignee_status_opened ON conversations(workspace_id, assignee_id, status, opened_at, id);
-- covering: the "resolved today" counters read no table rows
CREATE INDEX conv_resolved ON conversations(workspace_id, resolved_at, department_id, assignee_id, status) WHERE status = 'resolved';
CREATE INDEX conv_counts ON conversations(workspace_id, status, department_id, assignee_id) WHERE status <> 'resolved';

CREATE TABLE conversation_labels (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    label_id        INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    PRIMARY KEY (conversation_id, label_id)
);
CREATE INDEX conversation_labels_label ON conversation_labels(label_id, conversation_id);

CREATE TABLE conversation_stars (
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('text','media','note','event')),
    direction       TEXT    NOT NULL CHECK (direction IN ('in','out','internal')),
    sender_type     TEXT    NOT NULL CHECK (sender_type IN ('contact','user','bot','system')),
    sender_id       INTEGER,
    content         TEXT    NOT NULL DEFAULT '',
    event           TEXT,
    channel_id      INTEGER NOT NULL,
    external_id     TEXT,
    status          TEXT    NOT NULL DEFAULT 'none' CHECK (status IN ('none','pending','sent','delivered','read','failed')),
    error           TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL
);
-- DESIGN §3: one stored message per provider message id per channel.
CREATE UNIQUE INDEX messages_external ON messages(channel_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX messages_conversation ON messages(conversation_id, created_at, id);

CREATE VIRTUAL TABLE messages_fts USING fts5(content, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.kind IN ('text','media','note') AND new.content <> '' BEGIN
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.kind IN ('text','media','note') AND old.content <> '' BEGIN
    DELETE FROM messages_fts WHERE rowid = old.id;
END;

CREATE TABLE message_labels (
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    label_id   INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, label_id)
);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    message_id   INTEGER REFERENCES messages(id) ON DELETE CASCADE,
    uploader_id  INTEGER,
    filename     TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    storage_key  TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX attachments_message ON attachments(message_id);

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL DEFAULT 0,
    kind         TEXT    NOT NULL,
    dedup_key    TEXT    UNIQUE,
    payload      TEXT    NOT NULL DEFAULT '{}',
    status       TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running','done','failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 10,
    run_at       INTEGER NOT NULL,
    locked_until INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX jobs_ready ON jobs(status, run_at) WHERE status IN ('queued','running');
