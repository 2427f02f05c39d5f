-- E-mail channels (DESIGN M5). email_mailbox_state is where a channel's
-- IMAP poller has got to: the last UID imported under the mailbox's
-- UIDVALIDITY (a new UIDVALIDITY means the UIDs were renumbered, and the
-- poller starts over, the Message-ID de-duplicating what it sees again).
CREATE TABLE email_mailbox_state (
    channel_id  BIGINT PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
    uidvalidity BIGINT  NOT NULL DEFAULT 0,
    last_uid    BIGINT  NOT NULL DEFAULT 0,
    polled_at   BIGINT  NOT NULL DEFAULT 0,
    error       TEXT    NOT NULL DEFAULT ''
);

-- email_threads is a conversation's mail thread: the subject replies take,
-- and the Message-IDs an agent's reply names in In-Reply-To and References.
CREATE TABLE email_threads (
    conversation_id BIGINT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    subject         TEXT    NOT NULL DEFAULT '',
    last_message_id TEXT    NOT NULL DEFAULT '',
    refs            TEXT    NOT NULL DEFAULT ''
);
