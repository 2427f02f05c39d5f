package conversation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/store"
)

// MaxMessageRunes bounds the text of one message.
const MaxMessageRunes = 20000

// Outgoing is what an agent writes in the composer.
type Outgoing struct {
	// Note is a private note: stored, shown to agents, never delivered.
	Note          bool
	Content       string
	AttachmentIDs []int64
	// Template, for a reply, sends an approved template whose rendered
	// text is Content.
	Template *Template
	// ChannelID, when set, is the channel the reply goes out on instead of
	// the conversation's (the composer's SMS tab); the caller checks it is
	// one of the workspace's channels. Via is its kind, for Message.Via.
	ChannelID int64
	Via       string
	// ReplyToID, when set, is the message this one answers: a message of
	// the same contact (in this or an earlier conversation); the channel
	// quotes it where it can.
	ReplyToID int64
	// Cc, for a reply on an e-mail channel, are addresses the mail is
	// copied to (checked by the caller); they travel in the delivery job.
	Cc []string
}

// Send appends an agent's reply or private note. A reply is queued for
// delivery through the durable job queue in the same transaction, answers
// the waiting customer (stops the thermometer) and pauses automation
// (BotConversa rules: an agent's message pauses the bot; writing in an
// unassigned conversation does not assign it; the assignee's first message
// marks them as having replied). The sender's read marker moves to now.
func (s *Service) Send(ctx context.Context, v access.Viewer, id int64, out Outgoing) (store.Message, error) {
	out.Content = strings.TrimSpace(out.Content)
	if out.Content == "" && len(out.AttachmentIDs) == 0 {
		return store.Message{}, invalid("a message needs content or attachments")
	}
	if len([]rune(out.Content)) > MaxMessageRunes {
		return store.Message{}, invalid("a message has at most %d characters", MaxMessageRunes)
	}
	if len(out.AttachmentIDs) > 10 {
		return store.Message{}, invalid("a message has at most 10 attachments")
	}
	if out.Template != nil && (out.Note || len(out.AttachmentIDs) > 0) {
		return store.Message{}, invalid("a template is a reply without attachments")
	}
	var chg change
	var sent store.Message
	err := s.db.Tx(ctx, func(q store.Q) error {
		c, err := q.LockVisibleConversation(ctx, v, id)
		if err != nil {
			return err
		}
		chg.prevDept, chg.prevUser = c.Dept(), c.Assignee()
		before := c
		now := s.nowMS()
		m := store.Message{WorkspaceID: c.WorkspaceID, ConversationID: c.ID, Kind: store.KindText, Direction: store.DirOut,
			SenderType: store.SenderUser, SenderID: &v.UserID, Content: out.Content, ChannelID: c.ChannelID, Status: store.DeliveryPending, CreatedAt: now}
		if out.ChannelID != 0 && out.ChannelID != c.ChannelID && !out.Note {
			m.ChannelID, m.Via = out.ChannelID, out.Via
		}
		if out.ReplyToID != 0 {
			quoted, err := quotable(ctx, q, c, out.ReplyToID)
			if err != nil {
				return err
			}
			m.ReplyToID, m.ReplyTo = &quoted.ID, store.QuoteOf(quoted)
		}
		if len(out.AttachmentIDs) > 0 {
			m.Kind = store.KindMedia
		}
		if out.Note {
			m.Kind, m.Direction, m.Status = store.KindNote, store.DirInternal, store.DeliveryNone
		} else if c.Status == store.StatusResolved {
			return transition("reply to", c.Status)
		}
		m, err = q.InsertMessage(ctx, m)
		if err != nil {
			return err
		}
		for _, aid := range out.AttachmentIDs {
			if err := q.ClaimUpload(ctx, v.WorkspaceID, v.UserID, aid, m.ID); errors.Is(err, store.ErrNotFound) {
				return invalid("attachment %d is not an unsent upload of yours", aid)
			} else if err != nil {
				return err
			}
		}
		if !out.Note {
			c.LastMessageAt = now
			c.LastPreview = preview(out.Content)
			c.WaitingSince = store.NotWaiting
			if c.FirstReplyAt == nil {
				c.FirstReplyAt = &now
			}
			c.AutomationPaused = true
			if c.Assignee() == v.UserID {
				c.AssigneeReplied = true
			}
			if c.Status == store.StatusBot {
				// a person took over from the bot; writing does not assign
				// the conversation, so it waits in the queue, answered
				ev, err := q.InsertMessage(ctx, eventMessage(c, now, store.SenderUser, v.UserID, store.Event{Type: "handoff", From: c.Status, To: store.StatusQueued}))
				if err != nil {
					return err
				}
				c.Status = store.StatusQueued
				chg.messages = append(chg.messages, ev)
			}
			payload, err := deliveryPayload(m.ID, out.Template, out.Cc...)
			if err != nil {
				return err
			}
			if err := q.EnqueueJob(ctx, store.Job{WorkspaceID: c.WorkspaceID, Kind: JobDeliver, Key: DeliveryKey(m.ID),
				Payload: payload}); err != nil {
				return err
			}
			chg.jobs = true
		}
		c.UpdatedAt = now
		if err := q.SaveConversation(ctx, before, c); err != nil {
			return err
		}
		// whoever writes in a conversation has read it
		if err := q.MarkRead(ctx, v, c.ID, now); err != nil {
			return err
		}
		if len(out.AttachmentIDs) > 0 {
			full, err := q.MessageByID(ctx, c.WorkspaceID, m.ID)
			if err != nil {
				return err
			}
			m = full
		}
		sent = m
		chg.conv = c
		chg.messages = append(chg.messages, m)
		return s.outbox(ctx, q, &chg)
	})
	if err != nil {
		return store.Message{}, err
	}
	s.publish(ctx, chg)
	if s.bus != nil {
		s.publishTeamRead(ctx, chg.conv, sent.CreatedAt) // whoever writes has read
	}
	return sent, nil
}

// quotable reads the message a reply answers: a customer's or agent's
// message (not a note or an event) of the conversation's contact.
func quotable(ctx context.Context, q store.Q, c store.Conversation, id int64) (store.Message, error) {
	refused := invalid("reply_to_id %d is not a message of this contact that can be answered", id)
	m, err := q.MessageByID(ctx, c.WorkspaceID, id)
	if errors.Is(err, store.ErrNotFound) {
		return m, refused
	} else if err != nil {
		return m, err
	}
	if m.Kind != store.KindText && m.Kind != store.KindMedia {
		return m, refused
	}
	if m.ConversationID != c.ID {
		owner, err := q.ConversationContact(ctx, c.WorkspaceID, m.ConversationID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && owner != c.ContactID) {
			return m, refused
		} else if err != nil {
			return m, err
		}
	}
	return m, nil
}

// SetDelivery records a delivery status reported for an outbound message
// and publishes it. Statuses only move forward (a late "delivered" never
// overwrites "read").
func (s *Service) SetDelivery(ctx context.Context, ws, messageID int64, status, errText string) error {
	changed, err := s.db.W().SetDeliveryStatus(ctx, ws, messageID, status, errText)
	if err != nil || !changed {
		return err
	}
	m, err := s.db.R().MessageByID(ctx, ws, messageID)
	if err != nil {
		return err
	}
	c, err := s.db.R().LockConversation(ctx, ws, m.ConversationID)
	if err != nil {
		return err
	}
	s.publishMessageUpdate(ctx, c, m)
	return nil
}

// SetMessageLabel adds (on) or removes a label on a message the viewer may see.
func (s *Service) SetMessageLabel(ctx context.Context, v access.Viewer, messageID, labelID int64, on bool) (store.Message, error) {
	var m store.Message
	var c store.Conversation
	err := s.db.Tx(ctx, func(q store.Q) error {
		var err error
		if m, err = q.Message(ctx, v, messageID); err != nil {
			return err
		}
		if c, err = q.LockVisibleConversation(ctx, v, m.ConversationID); err != nil {
			return err
		}
		if err := q.SetMessageLabel(ctx, v.WorkspaceID, messageID, labelID, on); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("label %d: %w", labelID, store.ErrNotFound)
		} else if err != nil {
			return err
		}
		m, err = q.Message(ctx, v, messageID)
		return err
	})
	if err != nil {
		return m, err
	}
	s.publishMessageUpdate(ctx, c, m)
	return m, nil
}
