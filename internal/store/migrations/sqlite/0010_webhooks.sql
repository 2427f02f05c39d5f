-- Outbound webhooks (DESIGN M8, issue 6 part 6). A subscription sends the
-- workspace's conversation and message events to an external URL, signed
-- per Standard Webhooks with its secret (sealed by internal/secrets, like
-- channel secrets). events is a JSON array of event types.
CREATE TABLE webhook_subscriptions (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    url           TEXT    NOT NULL,
    events        TEXT    NOT NULL DEFAULT '[]',
    secret        TEXT    NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    description   TEXT    NOT NULL DEFAULT '',
    -- why the subscription was switched off by the server (410 Gone); '' when by hand
    disabled_reason TEXT  NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX webhook_subscriptions_ws ON webhook_subscriptions(workspace_id, id);

-- The delivery log: one row per event sent to a subscription, updated by
-- every attempt; the job that delivers it names the row. event_id is the
-- webhook-id header, the same on every attempt and resend, so receivers
-- can de-duplicate. payload is the exact body sent.
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL,
    subscription_id  INTEGER NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
    event_id         TEXT    NOT NULL UNIQUE,
    event_type       TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    -- pending, delivered, failed
    status           TEXT    NOT NULL DEFAULT 'pending',
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT    NOT NULL DEFAULT '',
    response_snippet TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    delivered_at     INTEGER
);
CREATE INDEX webhook_deliveries_sub ON webhook_deliveries(subscription_id, id);
