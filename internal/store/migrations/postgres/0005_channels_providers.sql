-- Messaging channels (DESIGN M5): channels.kind accepts the provider kinds,
-- and a channel carries its provider settings and the public key of its
-- webhook URL (see the SQLite migration of the same version).
ALTER TABLE channels DROP CONSTRAINT channels_kind_check;
ALTER TABLE channels ADD CONSTRAINT channels_kind_check
    CHECK (kind IN ('api','telegram','whatsapp','messenger','instagram','sms'));
-- provider settings and credentials as JSON sealed with internal/secrets;
-- never sent to browsers
ALTER TABLE channels ADD COLUMN config TEXT NOT NULL DEFAULT '';
-- random public id of the channel in its webhook URL; NULL for API channels
ALTER TABLE channels ADD COLUMN webhook_key TEXT;
-- the provider account, shown to admins: a bot's @username, a phone number
ALTER TABLE channels ADD COLUMN account TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX channels_webhook_key ON channels(webhook_key);

-- Provider webhook events already handled (a Telegram update_id…), so a
-- re-delivered event is acknowledged without being processed again.
CREATE TABLE channel_events (
    channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    event_key  TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (channel_id, event_key)
);
CREATE INDEX channel_events_created ON channel_events(created_at);
