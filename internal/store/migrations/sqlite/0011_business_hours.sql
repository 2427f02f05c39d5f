-- Business hours and automatic messages (DESIGN M6, M8): one row for the
-- workspace (department_id NULL) and optionally one per department, which
-- then overrides the workspace's. schedule is the JSON form of
-- internal/automation/hours.Schedule; enabled = 0 means always open.
CREATE TABLE business_hours (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    department_id INTEGER REFERENCES departments(id) ON DELETE CASCADE,
    enabled       INTEGER NOT NULL DEFAULT 0,
    schedule      TEXT    NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX business_hours_scope ON business_hours(workspace_id, COALESCE(department_id, 0));

-- The texts sent automatically: greeting when a cycle opens in hours,
-- out-of-hours reply when it opens outside them, closing message and
-- rating request (CSAT) on resolve. language renders {{next_open}}.
CREATE TABLE automation_messages (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    department_id    INTEGER REFERENCES departments(id) ON DELETE CASCADE,
    language         TEXT    NOT NULL DEFAULT 'pt-BR' CHECK (language IN ('pt-BR', 'en')),
    greeting_enabled INTEGER NOT NULL DEFAULT 0,
    greeting         TEXT    NOT NULL DEFAULT '',
    away_enabled     INTEGER NOT NULL DEFAULT 0,
    away             TEXT    NOT NULL DEFAULT '',
    closing_enabled  INTEGER NOT NULL DEFAULT 0,
    closing          TEXT    NOT NULL DEFAULT '',
    csat_enabled     INTEGER NOT NULL DEFAULT 0,
    csat             TEXT    NOT NULL DEFAULT '',
    updated_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX automation_messages_scope ON automation_messages(workspace_id, COALESCE(department_id, 0));
