-- A contact may have several phones and e-mails (DESIGN M4). contacts.phone
-- and contacts.email stay the primary ones, so everything that reads them
-- (search by phone_digits, the API channel, quick-reply variables) keeps
-- working; the others live here, in the order the agent gave them (ord 0 is
-- the second phone or e-mail of the contact, 1 the third…). digits holds a
-- phone's digits, written by the store with it, so search matches every
-- phone of a contact by its digits as it does the primary one. Contacts had
-- one phone and one e-mail until now: nothing to back-fill.
CREATE TABLE contact_handles (
    contact_id   BIGINT  NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('phone', 'email')),
    ord          INTEGER NOT NULL,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    value        TEXT    NOT NULL,
    digits       TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (contact_id, kind, ord)
);
-- search collects, once per query, the contacts of a workspace whose extra
-- phones or e-mails match
CREATE INDEX contact_handles_workspace ON contact_handles(workspace_id, kind);
