-- Read markers: when each user last read each conversation, for the unread
-- dot of the inbox and the unread count in the tab title. A conversation is
-- unread for a user while its customer waits for a reply (waiting_since is
-- set) and its last message is newer than the user's marker (or there is no
-- marker). Written when the user opens the conversation (PUT …/read) and when
-- they send a reply or a note in it; read per page of the list by
-- (user_id, conversation_id), like stars.
CREATE TABLE conversation_reads (
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    read_at         INTEGER NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
) WITHOUT ROWID;
-- erasing a contact deletes its conversations, and with them their markers
CREATE INDEX conversation_reads_conversation ON conversation_reads(conversation_id);

-- Conversation search matches phones by their digits ("11 98765" finds
-- "+55 (11) 98765-4321"): the digits are kept beside the phone, written by
-- the store with it, so the search compares plain text as it does for names.
ALTER TABLE contacts ADD COLUMN phone_digits TEXT NOT NULL DEFAULT '';
UPDATE contacts SET phone_digits =
    replace(replace(replace(replace(replace(replace(replace(phone, ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '.', ''), '/', '')
WHERE phone <> '';
