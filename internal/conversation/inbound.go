package conversation

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/atende/atende/internal/store"
)

// Inbound is one customer message as a channel delivered it.
type Inbound struct {
	// ContactExternalID identifies the customer on the channel (phone, user id…).
	ContactExternalID string
	// ContactAliases are the customer's other identities on the channel
	// (a WhatsApp business-scoped user id, username…): a message from any
	// of them finds the same contact, and each is linked to the contact.
	ContactAliases []string
	ContactName    string
	ContactPhone   string
	ContactEmail   string
	// ContactAttributes are set on a contact this message creates (a
	// Telegram username…); an existing contact keeps its own.
	ContactAttributes map[string]any
	// ExternalID is the channel's id of the message; the same id twice stores one message.
	ExternalID string
	Text       string
	// Attachment, when present, has already been written to blob storage.
	Attachment *store.Attachment
	// ReplyToExternalID is the channel's id of the message this one
	// answers (WhatsApp context, Telegram reply_to_message); the reply is
	// linked to it when it is stored, and stands alone otherwise.
	ReplyToExternalID string
}

// InboundResult tells what an inbound message did.
type InboundResult struct {
	Message      store.Message
	Conversation store.Conversation
	// Duplicate is true when the external id had been stored before; nothing changed.
	Duplicate bool
}

// Receive stores an inbound customer message in one transaction: finds or
// creates the contact, finds the unresolved conversation (waking it when
// snoozed), reopens a recently resolved one within the workspace's window,
// or opens a new cycle routed to the channel's or the default department;
// then appends the message and starts the waiting clock. It returns only
// after commit, so a channel acknowledged by the caller never loses data.
func (s *Service) Receive(ctx context.Context, ch store.Channel, in Inbound) (InboundResult, error) {
	if in.ContactExternalID == "" {
		return InboundResult{}, invalid("contact identity is required")
	}
	if in.Text == "" && in.Attachment == nil {
		return InboundResult{}, invalid("a message needs text or an attachment")
	}
	w, err := s.Workspace(ctx, ch.WorkspaceID)
	if err != nil {
		return InboundResult{}, err
	}
	var res InboundResult
	var chg change
	if s.db.Dialect() == store.SQLite {
		res, chg, err = s.batch.receive(ctx, s, ch, w, in)
	} else {
		// A concurrent first message from the same new contact can lose the
		// race on the identity or unresolved-conversation constraints; the
		// retry then finds what the winner created.
		for attempt := 0; ; attempt++ {
			err = s.db.Tx(ctx, func(q store.Q) error {
				res, chg, err = s.receiveIn(ctx, q, ch, w, in, true)
				return err
			})
			if err == nil || !errors.Is(err, store.ErrConflict) || attempt == 3 {
				break
			}
		}
	}
	if err != nil {
		return res, err
	}
	if !res.Duplicate {
		s.publish(ctx, chg)
	}
	return res, nil
}

// receiveIn does the work of Receive inside the transaction q. With
// lookFirst it looks for an earlier copy of the message before writing;
// without, a repeated external id fails the message insert with
// store.ErrConflict and the caller (inside a savepoint) calls duplicateOf.
func (s *Service) receiveIn(ctx context.Context, q store.Q, ch store.Channel, w store.Workspace, in Inbound, lookFirst bool) (InboundResult, change, error) {
	var res InboundResult
	var chg change
	err := func() error {
		if in.ExternalID != "" && lookFirst {
			r, err := duplicateOf(ctx, q, ch, in)
			if err == nil {
				res = r
				return nil
			}
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		now := s.nowMS()
		contactID, err := q.ContactByIdentity(ctx, ch.ID, in.ContactExternalID)
		for _, alias := range in.ContactAliases {
			if !errors.Is(err, store.ErrNotFound) {
				break
			}
			contactID, err = q.ContactByIdentity(ctx, ch.ID, alias)
		}
		if errors.Is(err, store.ErrNotFound) {
			name := in.ContactName
			if name == "" {
				name = in.ContactExternalID
			}
			ct, err := q.CreateContact(ctx, store.Contact{WorkspaceID: ch.WorkspaceID, Name: name, Phone: in.ContactPhone, Email: in.ContactEmail,
				Attributes: in.ContactAttributes})
			if err != nil {
				return err
			}
			if err := q.AddIdentity(ctx, ch.WorkspaceID, ct.ID, store.Identity{ChannelID: ch.ID, ExternalID: in.ContactExternalID}); err != nil {
				return err
			}
			contactID = ct.ID
		} else if err != nil {
			return err
		}
		if len(in.ContactAliases) > 0 {
			if err := linkIdentities(ctx, q, ch, contactID, in); err != nil {
				return err
			}
		}

		lastPreview := preview(in.Text)
		if in.Text == "" && in.Attachment != nil {
			lastPreview = "📎 " + in.Attachment.Filename
		}
		c, err := q.UnresolvedConversation(ctx, contactID, ch.ID)
		before := c
		var events []store.Message
		score := 0        // the customer's answer to a rating request, 1–5
		var ruleBot int64 // the bot a routing rule chose for a new cycle
		switch {
		case err == nil:
			chg.prevDept, chg.prevUser = c.Dept(), c.Assignee()
			if c.Status == store.StatusSnoozed {
				events = append(events, s.wake(&c, now, "customer_message"))
			}
		case errors.Is(err, store.ErrNotFound):
			last, lerr := q.LastResolvedConversation(ctx, contactID, ch.ID)
			if lerr == nil {
				if score, err = s.ratingAnswer(ctx, q, last, in, now); err != nil {
					return err
				}
			}
			if score > 0 {
				// "5" right after "how did we do?" rates that conversation; it opens nothing
				c, before = last, last
				chg.prevDept, chg.prevUser = c.Dept(), c.Assignee()
			} else if lerr == nil && w.ReopenWindowS > 0 && last.ResolvedAt != nil && now-*last.ResolvedAt < w.ReopenWindowS*1000 {
				c, before = last, last
				chg.prevDept, chg.prevUser = c.Dept(), c.Assignee()
				events = append(events, s.reopen(&c, now, store.SenderContact, 0))
			} else if lerr != nil && !errors.Is(lerr, store.ErrNotFound) {
				return lerr
			} else {
				var routed []store.Message
				c, routed, ruleBot, err = s.openCycle(ctx, q, ch, contactID, now, lastPreview)
				if err != nil {
					return err
				}
				before = c
				chg.created = true
				events = append(events, eventMessage(c, now, store.SenderSystem, 0, store.Event{Type: "created", To: c.Status, Department: c.DepartmentID}))
				events = append(events, routed...)
			}
		default:
			return err
		}

		var ext *string
		if in.ExternalID != "" {
			ext = &in.ExternalID
		}
		kind := store.KindText
		if in.Attachment != nil {
			kind = store.KindMedia
		}
		for i, e := range events {
			if events[i], err = q.InsertMessage(ctx, e); err != nil {
				return err
			}
		}
		quoted, err := quotedInbound(ctx, q, ch, contactID, in.ReplyToExternalID)
		if err != nil {
			return err
		}
		msg := store.Message{WorkspaceID: ch.WorkspaceID, ConversationID: c.ID, Kind: kind, Direction: store.DirIn,
			SenderType: store.SenderContact, SenderID: &contactID, Content: in.Text, ChannelID: ch.ID, ExternalID: ext, CreatedAt: now}
		if quoted != nil {
			msg.ReplyToID, msg.ReplyTo = &quoted.ID, store.QuoteOf(*quoted)
		}
		msg, err = q.InsertMessage(ctx, msg)
		if err != nil {
			return err
		}
		if in.Attachment != nil {
			at := *in.Attachment
			at.WorkspaceID, at.MessageID = ch.WorkspaceID, &msg.ID
			at, err = q.InsertAttachment(ctx, at)
			if err != nil {
				return err
			}
			msg.Attachments = append(msg.Attachments, at)
		}
		if score > 0 {
			if _, err := q.InsertRating(ctx, store.Rating{ConversationID: c.ID, WorkspaceID: c.WorkspaceID, ContactID: contactID,
				AssigneeID: c.AssigneeID, DepartmentID: c.DepartmentID, Score: score}); err != nil {
				return err
			}
			rated, err := q.InsertMessage(ctx, eventMessage(c, now, store.SenderContact, contactID, store.Event{Type: "rated", To: strconv.Itoa(score)}))
			if err != nil {
				return err
			}
			res.Message, res.Conversation = msg, c
			chg.conv = c
			chg.messages = append(events, msg, rated)
			return s.outbox(ctx, q, &chg)
		}
		c.LastMessageAt = now
		c.LastPreview = lastPreview
		if !c.Waiting() {
			c.WaitingSince = now
		}
		// the department's bot answers in the same transaction: its replies
		// are queued if and only if the customer's message is stored
		run := &botRun{s: s, q: q, c: &c, now: now, workspace: w, trigger: &msg, labelsRead: chg.created}
		botTook := false
		if chg.created {
			b, f, ok, err := s.botFor(ctx, q, c.WorkspaceID, c.Dept(), ruleBot)
			if err != nil {
				return err
			}
			if ok {
				botTook = true
				if err := run.start(ctx, b, f, 0); err != nil {
					return err
				}
			}
		} else if _, err := run.answer(ctx, in.Text); err != nil {
			return err
		}
		c.UpdatedAt = now
		if err := q.SaveConversation(ctx, before, c); err != nil {
			return err
		}
		if err := s.assignHook(ctx, q, before, c, true, &chg); err != nil {
			return err
		}
		res.Message, res.Conversation = msg, c
		chg.conv = c
		chg.messages = append(append(events, msg), run.out...)
		if len(run.out) > 0 || run.jobs {
			chg.jobs = true
		}
		if chg.created && !botTook {
			auto, err := s.openingMessage(ctx, q, c, now)
			if err != nil {
				return err
			}
			if auto != nil {
				chg.messages, chg.jobs = append(chg.messages, *auto), true
			}
		}
		return s.outbox(ctx, q, &chg)
	}()
	return res, chg, err
}

// quotedInbound finds the message a customer's reply quotes: one of the
// channel's messages in a conversation with the same contact. A quote of
// anything else (a message from before Atende, another customer's) is
// dropped rather than refused: the reply itself is still stored.
func quotedInbound(ctx context.Context, q store.Q, ch store.Channel, contactID int64, externalID string) (*store.Message, error) {
	if externalID == "" {
		return nil, nil
	}
	m, err := q.MessageByExternalID(ctx, ch.ID, externalID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if m.WorkspaceID != ch.WorkspaceID {
		return nil, nil
	}
	owner, err := q.ConversationContact(ctx, m.WorkspaceID, m.ConversationID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && owner != contactID) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &m, nil
}

// duplicateOf answers a message whose external id was stored before.
func duplicateOf(ctx context.Context, q store.Q, ch store.Channel, in Inbound) (InboundResult, error) {
	m, err := q.MessageByExternalID(ctx, ch.ID, in.ExternalID)
	if err != nil {
		return InboundResult{}, err
	}
	c, err := q.LockConversation(ctx, ch.WorkspaceID, m.ConversationID)
	return InboundResult{Message: m, Conversation: c, Duplicate: true}, err
}

// openCycle creates a new conversation, waiting in its queue, routed by the
// workspace's routing rules (routing.go), else to the channel's department
// or the workspace's default one. It returns the timeline events of the
// routing, to store after "created".
func (s *Service) openCycle(ctx context.Context, q store.Q, ch store.Channel, contactID, now int64, lastPreview string) (store.Conversation, []store.Message, int64, error) {
	rt, err := s.route(ctx, q, ch, contactID, now)
	if err != nil {
		return store.Conversation{}, nil, 0, err
	}
	dept := ch.DepartmentID
	if dept == nil {
		def, err := q.DefaultDepartmentID(ctx, ch.WorkspaceID)
		if err != nil {
			return store.Conversation{}, nil, 0, err
		}
		if def != 0 {
			dept = &def
		}
	}
	c := store.Conversation{WorkspaceID: ch.WorkspaceID, ContactID: contactID, ChannelID: ch.ID, DepartmentID: dept, Status: store.StatusQueued,
		Priority: "none", LastMessageAt: now, LastPreview: lastPreview, WaitingSince: now, OpenedAt: now, CreatedAt: now, UpdatedAt: now}
	rt.apply(&c)
	id, err := q.InsertConversation(ctx, c)
	if err != nil {
		return c, nil, 0, err
	}
	c.ID = id
	c.LabelIDs = []int64{}
	if c.ContactName, err = q.ContactName(ctx, ch.WorkspaceID, contactID); err != nil {
		return c, nil, 0, err
	}
	routed, err := rt.finish(ctx, q, &c, now)
	return c, routed, rt.botID(), err
}

// wake brings a snoozed conversation back to its assignee or its queue.
func (s *Service) wake(c *store.Conversation, now int64, why string) store.Message {
	from := c.Status
	c.Status = store.StatusQueued
	if c.AssigneeID != nil {
		c.Status = store.StatusOpen
	}
	c.SnoozedUntil = nil
	c.UpdatedAt = now
	return eventMessage(*c, now, store.SenderSystem, 0, store.Event{Type: "woke", From: from, To: c.Status, Detail: why})
}

// reopen starts a resolved conversation again.
func (s *Service) reopen(c *store.Conversation, now int64, actorType string, actorID int64) store.Message {
	from := c.Status
	c.Status = store.StatusQueued
	if c.AssigneeID != nil {
		c.Status = store.StatusOpen
	}
	c.ResolvedAt, c.ClosingReasonID = nil, nil
	c.AutomationPaused, c.AssigneeReplied = false, false
	c.UpdatedAt = now
	return eventMessage(*c, now, actorType, actorID, store.Event{Type: "reopened", From: from, To: c.Status})
}

// DeliveryKey is the de-duplication key of the job that delivers message id.
func DeliveryKey(messageID int64) string { return "deliver:" + strconv.FormatInt(messageID, 10) }

func wakeKey(convID, until int64) string { return fmt.Sprintf("wake:%d:%d", convID, until) }

// linkIdentities links to the contact every identity of the message not
// yet known on the channel; one that belongs to another contact stays
// theirs (merging contacts is a person's decision).
func linkIdentities(ctx context.Context, q store.Q, ch store.Channel, contactID int64, in Inbound) error {
	for _, id := range append([]string{in.ContactExternalID}, in.ContactAliases...) {
		if id == "" {
			continue
		}
		if _, err := q.ContactByIdentity(ctx, ch.ID, id); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := q.AddIdentity(ctx, ch.WorkspaceID, contactID, store.Identity{ChannelID: ch.ID, ExternalID: id}); err != nil {
			return err
		}
	}
	return nil
}
