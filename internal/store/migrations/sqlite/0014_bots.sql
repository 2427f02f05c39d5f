-- Department bots and agent bots (DESIGN M6, issue 6 parts 1 and 6).
-- A flow bot's program is the JSON form of internal/automation/bot's Flow.
-- An agent bot is an outside service: Atende posts the events of the
-- conversations it runs to url, signed with the sealed secret, and the
-- service answers through the API with a token stored only as its hash.
CREATE TABLE bots (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('flow','agent')),
    enabled      INTEGER NOT NULL DEFAULT 1,
    flow         TEXT    NOT NULL DEFAULT '',
    url          TEXT    NOT NULL DEFAULT '',
    secret       TEXT    NOT NULL DEFAULT '',
    token_hash   TEXT    UNIQUE,
    token_prefix TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, name)
);

-- The department's own bot: it talks to every new conversation the
-- department receives, and to one transferred into it.
ALTER TABLE departments ADD COLUMN bot_id INTEGER REFERENCES bots(id) ON DELETE SET NULL;

-- A conversation's place in the bot that runs it: at most one per
-- conversation, gone when the bot hands off, transfers or resolves.
CREATE TABLE bot_sessions (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    bot_id          INTEGER NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
    state           TEXT    NOT NULL DEFAULT '{}',
    started_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX bot_sessions_bot ON bot_sessions(bot_id);

-- A bot's menu message keeps its options (JSON array of labels), so
-- channels with buttons or lists can offer them and the UI can show them.
ALTER TABLE messages ADD COLUMN choices TEXT;
