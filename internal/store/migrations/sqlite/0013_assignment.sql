-- Automatic assignment per department (DESIGN M2). A department without a
-- row is in mode 'off': agents pull from its queue. department_limit caps
-- each agent's open conversations when lower than their own capacity (0:
-- no cap). queue_message ({{position}}) tells a waiting customer their
-- place when nobody is free.
CREATE TABLE assignment_settings (
    department_id         INTEGER PRIMARY KEY REFERENCES departments(id) ON DELETE CASCADE,
    workspace_id          INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    mode                  TEXT    NOT NULL DEFAULT 'off' CHECK (mode IN ('off', 'round_robin', 'least_busy')),
    department_limit      INTEGER NOT NULL DEFAULT 0 CHECK (department_limit >= 0),
    release_on_offline    INTEGER NOT NULL DEFAULT 0,
    queue_message_enabled INTEGER NOT NULL DEFAULT 0,
    queue_message         TEXT    NOT NULL DEFAULT '',
    updated_at            INTEGER NOT NULL
);
CREATE INDEX assignment_settings_ws ON assignment_settings(workspace_id);

-- The round-robin pointer of a department. Its row is also the lock every
-- assignment in the department takes first (FOR UPDATE on PostgreSQL), so
-- two nodes never hand out the same free place twice.
CREATE TABLE assignment_state (
    department_id INTEGER PRIMARY KEY REFERENCES departments(id) ON DELETE CASCADE,
    last_user_id  INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL
);

-- The last queue position told to a waiting customer, so a message from
-- them is answered with their place only when it changed.
CREATE TABLE queue_notices (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    told_at         INTEGER NOT NULL
);
