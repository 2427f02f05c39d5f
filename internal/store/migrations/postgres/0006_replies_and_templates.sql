-- Replies: the message an inbound or outbound message answers (WhatsApp
-- context, Telegram reply_to_message, Messenger reply_to), so the timeline
-- can quote it and a reply goes out quoting the customer's message. The
-- quoted message may be in an earlier conversation of the same contact;
-- erasing it leaves the reply unquoted.
ALTER TABLE messages ADD COLUMN reply_to_id BIGINT REFERENCES messages(id) ON DELETE SET NULL;
CREATE INDEX messages_reply_to ON messages(reply_to_id) WHERE reply_to_id IS NOT NULL;

-- Message templates synced from a provider account (WhatsApp Business
-- Account): the composer and the API read them from here, so a send does
-- not wait on the provider and the list survives an outage. A sync replaces
-- a channel's rows in one transaction.
CREATE TABLE channel_templates (
    channel_id       BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    workspace_id     BIGINT NOT NULL,
    name             TEXT    NOT NULL,
    language         TEXT    NOT NULL,
    external_id      TEXT    NOT NULL DEFAULT '',
    -- APPROVED, PENDING, REJECTED, PAUSED, DISABLED: only APPROVED is sent
    status           TEXT    NOT NULL,
    category         TEXT    NOT NULL DEFAULT '',
    parameter_format TEXT    NOT NULL DEFAULT '',
    body             TEXT    NOT NULL DEFAULT '',
    param_count      INTEGER NOT NULL DEFAULT 0,
    -- JSON array of the NAMED parameters in order; [] for positional
    param_names      TEXT    NOT NULL DEFAULT '[]',
    header_format    TEXT    NOT NULL DEFAULT '',
    header_params    INTEGER NOT NULL DEFAULT 0,
    synced_at        BIGINT NOT NULL,
    PRIMARY KEY (channel_id, name, language)
);

-- When a channel's templates were last synced and how that went.
CREATE TABLE channel_template_syncs (
    channel_id BIGINT PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
    synced_at  BIGINT NOT NULL,
    error      TEXT    NOT NULL DEFAULT ''
);
