-- Routing rules (DESIGN M1, issue 6 part 2): ordered per workspace, the
-- first enabled rule whose conditions all match a new conversation chooses
-- its department (and optionally priority and labels). conditions and
-- actions are the JSON forms of internal/automation/routing's Conditions
-- and Actions. position is 1-based and dense; reorder rewrites it in one
-- transaction, so it is not unique (a unique index would trip midway).
CREATE TABLE routing_rules (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    enabled      INTEGER NOT NULL DEFAULT 1,
    conditions   TEXT    NOT NULL DEFAULT '{}',
    actions      TEXT    NOT NULL DEFAULT '{}',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX routing_rules_ws ON routing_rules(workspace_id, position, id);
