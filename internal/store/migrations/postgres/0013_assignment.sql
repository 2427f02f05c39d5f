-- Automatic assignment per department (DESIGN M2); see the SQLite
-- migration of the same version.
CREATE TABLE assignment_settings (
    department_id         BIGINT  PRIMARY KEY REFERENCES departments(id) ON DELETE CASCADE,
    workspace_id          BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    mode                  TEXT    NOT NULL DEFAULT 'off' CHECK (mode IN ('off', 'round_robin', 'least_busy')),
    department_limit      BIGINT  NOT NULL DEFAULT 0 CHECK (department_limit >= 0),
    release_on_offline    INTEGER NOT NULL DEFAULT 0,
    queue_message_enabled INTEGER NOT NULL DEFAULT 0,
    queue_message         TEXT    NOT NULL DEFAULT '',
    updated_at            BIGINT  NOT NULL
);
CREATE INDEX assignment_settings_ws ON assignment_settings(workspace_id);

CREATE TABLE assignment_state (
    department_id BIGINT PRIMARY KEY REFERENCES departments(id) ON DELETE CASCADE,
    last_user_id  BIGINT NOT NULL DEFAULT 0,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE queue_notices (
    conversation_id BIGINT  PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    position        BIGINT  NOT NULL,
    told_at         BIGINT  NOT NULL
);
