-- Automation rules (issue 6 part 5, DESIGN M6): event → conditions →
-- actions. conditions and actions are the JSON forms of
-- internal/automation/rules' Conditions and []Action; minutes is the delay
-- of a time-based event (no_customer_reply, no_agent_reply,
-- snoozed_too_long) and 0 for the others. Rules run in id order.
CREATE TABLE automation_rules (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    enabled      INTEGER NOT NULL DEFAULT 1,
    event        TEXT    NOT NULL,
    minutes      INTEGER NOT NULL DEFAULT 0,
    conditions   TEXT    NOT NULL DEFAULT '{}',
    actions      TEXT    NOT NULL DEFAULT '[]',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX automation_rules_ws ON automation_rules(workspace_id, id);
-- the periodic scan reads every enabled time-based rule of the deployment
CREATE INDEX automation_rules_event ON automation_rules(event, enabled);

-- Which rule already fired for which conversation cycle, so each fires
-- once: cycle is the time the wait began for a time-based rule (the
-- waiting_since, answer or snooze time), the job id for the others (a job
-- retried after its transaction committed does not act twice).
CREATE TABLE automation_rule_firings (
    rule_id         INTEGER NOT NULL REFERENCES automation_rules(id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    cycle           INTEGER NOT NULL,
    workspace_id    INTEGER NOT NULL,
    fired_at        INTEGER NOT NULL,
    PRIMARY KEY (rule_id, conversation_id, cycle)
);
CREATE INDEX automation_rule_firings_conv ON automation_rule_firings(conversation_id);

-- no_customer_reply: unresolved conversations that nobody waits in, by the
-- time of the last reply (last_message_at), a range of this index.
CREATE INDEX conv_answered ON conversations(workspace_id, last_message_at)
    WHERE waiting_since = 4611686018427387904 AND status IN ('bot', 'queued', 'open');
