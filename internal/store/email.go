package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// MailboxState is how far an e-mail channel's IMAP poller has imported.
type MailboxState struct {
	ChannelID   int64  `json:"-"`
	UIDValidity uint32 `json:"uidvalidity"`
	LastUID     uint32 `json:"last_uid"`
	// PolledAt is when the mailbox was last read (Unix ms); Error is what
	// went wrong then, "" when it worked.
	PolledAt int64  `json:"polled_at"`
	Error    string `json:"error"`
}

// MailboxState returns a channel's poller state; the zero state (nothing
// imported) when it never polled.
func (q Q) MailboxState(ctx context.Context, channelID int64) (MailboxState, error) {
	st := MailboxState{ChannelID: channelID}
	var v, u int64
	err := q.queryRow(ctx, `SELECT uidvalidity, last_uid, polled_at, error FROM email_mailbox_state WHERE channel_id = $1`, channelID).
		Scan(&v, &u, &st.PolledAt, &st.Error)
	if err = mapErr(err); errors.Is(err, ErrNotFound) {
		return st, nil
	} else if err != nil {
		return st, fmt.Errorf("store: mailbox state of channel %d: %w", channelID, err)
	}
	st.UIDValidity, st.LastUID = uint32(v), uint32(u)
	return st, nil
}

// AdvanceMailbox records that the messages up to lastUID under uidValidity
// were imported. Two pollers of the same mailbox (two nodes) only move it
// forward: a lower UID under the same UIDVALIDITY is ignored, and a new
// UIDVALIDITY replaces the old one.
func (q Q) AdvanceMailbox(ctx context.Context, channelID int64, uidValidity, lastUID uint32) error {
	_, err := q.exec(ctx, `INSERT INTO email_mailbox_state (channel_id, uidvalidity, last_uid, polled_at, error) VALUES ($1, $2, $3, $4, '')
		ON CONFLICT (channel_id) DO UPDATE SET
			last_uid = CASE WHEN email_mailbox_state.uidvalidity = excluded.uidvalidity AND email_mailbox_state.last_uid > excluded.last_uid
				THEN email_mailbox_state.last_uid ELSE excluded.last_uid END,
			uidvalidity = excluded.uidvalidity, polled_at = excluded.polled_at, error = ''`,
		channelID, int64(uidValidity), int64(lastUID), Now())
	if err != nil {
		return fmt.Errorf("store: advance mailbox of channel %d: %w", channelID, err)
	}
	return nil
}

// MailboxPolled records the outcome of a poll that imported nothing new:
// errText is why it failed, "" when it worked.
func (q Q) MailboxPolled(ctx context.Context, channelID int64, errText string) error {
	_, err := q.exec(ctx, `INSERT INTO email_mailbox_state (channel_id, polled_at, error) VALUES ($1, $2, $3)
		ON CONFLICT (channel_id) DO UPDATE SET polled_at = excluded.polled_at, error = excluded.error`, channelID, Now(), errText)
	if err != nil {
		return fmt.Errorf("store: mailbox polled, channel %d: %w", channelID, err)
	}
	return nil
}

// ChannelsOfKind lists the channels of one kind in every workspace (the
// e-mail pollers and the SMTP receiver serve them all).
func (q Q) ChannelsOfKind(ctx context.Context, kind string) ([]Channel, error) {
	rows, err := q.query(ctx, `SELECT `+channelCols+` FROM channels WHERE kind = $1 ORDER BY id`, kind)
	if err != nil {
		return nil, fmt.Errorf("store: list %s channels: %w", kind, err)
	}
	defer rows.Close()
	list := []Channel{}
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, c)
	}
	return list, rows.Err()
}

// EmailThread is the mail thread of an e-mail conversation.
type EmailThread struct {
	ConversationID int64
	Subject        string
	// LastMessageID is the newest Message-ID of the thread (the one a reply
	// answers); References the thread's ids, oldest first.
	LastMessageID string
	References    []string
}

// maxThreadRefs bounds the ids kept per thread: the root and the newest.
const maxThreadRefs = 20

// EmailThread returns a conversation's thread (ErrNotFound when it has none).
func (q Q) EmailThread(ctx context.Context, conversationID int64) (EmailThread, error) {
	t := EmailThread{ConversationID: conversationID}
	var refs string
	err := q.queryRow(ctx, `SELECT subject, last_message_id, refs FROM email_threads WHERE conversation_id = $1`, conversationID).
		Scan(&t.Subject, &t.LastMessageID, &refs)
	if err != nil {
		return t, fmt.Errorf("store: email thread of conversation %d: %w", conversationID, mapErr(err))
	}
	t.References = strings.Fields(refs)
	return t, nil
}

// AddToEmailThread records a mail of a conversation's thread: its
// Message-ID becomes the newest (added to the references), and the
// subject is kept from the first mail that had one.
func (q Q) AddToEmailThread(ctx context.Context, conversationID int64, subject, messageID string) error {
	t, err := q.EmailThread(ctx, conversationID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if t.Subject == "" {
		t.Subject = subject
	}
	if messageID != "" && !strings.ContainsAny(messageID, " \t\r\n") {
		t.LastMessageID = messageID
		refs := t.References[:0:0]
		for _, r := range t.References {
			if r != messageID {
				refs = append(refs, r)
			}
		}
		refs = append(refs, messageID)
		if len(refs) > maxThreadRefs {
			refs = append(refs[:1], refs[len(refs)-maxThreadRefs+1:]...)
		}
		t.References = refs
	}
	_, err = q.exec(ctx, `INSERT INTO email_threads (conversation_id, subject, last_message_id, refs) VALUES ($1, $2, $3, $4)
		ON CONFLICT (conversation_id) DO UPDATE SET subject = excluded.subject, last_message_id = excluded.last_message_id, refs = excluded.refs`,
		conversationID, t.Subject, t.LastMessageID, strings.Join(t.References, " "))
	if err != nil {
		return fmt.Errorf("store: add to email thread of conversation %d: %w", conversationID, err)
	}
	return nil
}
