package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/store"
)

// Template is a provider-approved message an outbound message is sent as
// (a WhatsApp message template). It travels in the delivery job's payload,
// so the message's content stays the rendered text agents read.
type Template struct {
	Name       string   `json:"name"`
	Language   string   `json:"language"`
	Parameters []string `json:"parameters,omitempty"`
	// ParamNames name the parameters of a NAMED-format template, in order.
	ParamNames []string `json:"param_names,omitempty"`
}

// DeliveryPayload is the payload of a JobDeliver job.
type DeliveryPayload struct {
	MessageID int64     `json:"message_id"`
	Template  *Template `json:"template,omitempty"`
	// Cc are the e-mail addresses an e-mail reply is copied to.
	Cc []string `json:"cc,omitempty"`
}

func deliveryPayload(messageID int64, t *Template, cc ...string) (string, error) {
	b, err := json.Marshal(DeliveryPayload{MessageID: messageID, Template: t, Cc: cc})
	return string(b), err
}

// ErrAlreadyOpen: the contact already has an unresolved conversation on
// the channel (409); OpenConversationError names it.
var ErrAlreadyOpen = errors.New("conversation already open")

// OpenConversationError is the ErrAlreadyOpen of Start, with the id of the
// conversation to open instead.
type OpenConversationError struct{ ConversationID int64 }

func (e *OpenConversationError) Error() string {
	return fmt.Sprintf("the contact already has an unresolved conversation (%d) on this channel", e.ConversationID)
}

func (e *OpenConversationError) Is(target error) bool { return target == ErrAlreadyOpen }

// NewConversation is an outbound conversation an agent starts.
type NewConversation struct {
	ChannelID int64
	// ContactID is an existing contact; when 0 the contact known as
	// ExternalID on the channel is used, or created with ContactName and
	// ContactPhone.
	ContactID int64
	// ExternalID is the contact's id on the channel (a WhatsApp wa_id); it
	// is linked to the contact when missing.
	ExternalID   string
	ContactName  string
	ContactPhone string
	// First is the first message; it must not be a note.
	First Outgoing
}

// Start opens a new conversation with a customer on a channel, assigned to
// the viewer (who must be an active member of the department the channel
// routes to), and sends its first message through the delivery queue. A
// contact that already has an unresolved conversation on the channel gets
// an *OpenConversationError naming it.
func (s *Service) Start(ctx context.Context, v access.Viewer, in NewConversation) (store.Conversation, store.Message, error) {
	first := in.First
	first.Content = strings.TrimSpace(first.Content)
	switch {
	case first.Note:
		return store.Conversation{}, store.Message{}, invalid("the first message of a conversation cannot be a note")
	case first.Content == "":
		return store.Conversation{}, store.Message{}, invalid("a message needs content")
	case len([]rune(first.Content)) > MaxMessageRunes:
		return store.Conversation{}, store.Message{}, invalid("a message has at most %d characters", MaxMessageRunes)
	case len(first.AttachmentIDs) > 0:
		return store.Conversation{}, store.Message{}, invalid("the first message of a new conversation has no attachments")
	case in.ContactID == 0 && strings.TrimSpace(in.ExternalID) == "":
		return store.Conversation{}, store.Message{}, invalid("a contact or the customer's id on the channel is required")
	}
	in.ExternalID = strings.TrimSpace(in.ExternalID)
	var chg change
	var sent store.Message
	err := s.db.Tx(ctx, func(q store.Q) error {
		ch, err := q.Channel(ctx, v.WorkspaceID, in.ChannelID)
		if err != nil {
			return err
		}
		dept := ch.DepartmentID
		if dept == nil {
			def, err := q.DefaultDepartmentID(ctx, ch.WorkspaceID)
			if err != nil {
				return err
			}
			if def != 0 {
				dept = &def
			}
		}
		var d int64
		if dept != nil {
			d = *dept
		}
		if err := s.checkAssignee(ctx, q, v, d, v.UserID); errors.Is(err, ErrInvalid) {
			return forbidden("you are not a member of the department this channel's conversations go to")
		} else if err != nil {
			return err
		}
		contactID := in.ContactID
		if contactID != 0 {
			if _, err := q.Contact(ctx, v.WorkspaceID, contactID); err != nil {
				return err
			}
		}
		if in.ExternalID != "" {
			known, err := q.ContactByIdentity(ctx, ch.ID, in.ExternalID)
			switch {
			case err == nil && contactID != 0 && known != contactID:
				return invalid("%s belongs to another contact on this channel", in.ExternalID)
			case err == nil:
				contactID = known
			case !errors.Is(err, store.ErrNotFound):
				return err
			case contactID == 0:
				name := strings.TrimSpace(in.ContactName)
				if name == "" {
					name = firstOf(in.ContactPhone, in.ExternalID)
				}
				ct, err := q.CreateContact(ctx, store.Contact{WorkspaceID: v.WorkspaceID, Name: name, Phone: in.ContactPhone})
				if err != nil {
					return err
				}
				contactID = ct.ID
				fallthrough
			default:
				if err := q.AddIdentity(ctx, v.WorkspaceID, contactID, store.Identity{ChannelID: ch.ID, ExternalID: in.ExternalID}); err != nil {
					return err
				}
			}
		}
		if open, err := q.UnresolvedConversation(ctx, contactID, ch.ID); err == nil {
			return &OpenConversationError{ConversationID: open.ID}
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		now := s.nowMS()
		me := v.UserID
		c := store.Conversation{WorkspaceID: ch.WorkspaceID, ContactID: contactID, ChannelID: ch.ID, DepartmentID: dept, AssigneeID: &me,
			Status: store.StatusOpen, Priority: "none", AutomationPaused: true, AssigneeReplied: true, LastMessageAt: now,
			LastPreview: preview(first.Content), WaitingSince: store.NotWaiting, OpenedAt: now, FirstReplyAt: &now, CreatedAt: now, UpdatedAt: now}
		if c.ID, err = q.InsertConversation(ctx, c); err != nil {
			return err
		}
		c.LabelIDs = []int64{}
		if c.ContactName, err = q.ContactName(ctx, ch.WorkspaceID, contactID); err != nil {
			return err
		}
		ev, err := q.InsertMessage(ctx, eventMessage(c, now, store.SenderUser, v.UserID,
			store.Event{Type: "created", To: c.Status, Department: c.DepartmentID, Assignee: &me}))
		if err != nil {
			return err
		}
		m, err := q.InsertMessage(ctx, store.Message{WorkspaceID: c.WorkspaceID, ConversationID: c.ID, Kind: store.KindText, Direction: store.DirOut,
			SenderType: store.SenderUser, SenderID: &me, Content: first.Content, ChannelID: c.ChannelID, Status: store.DeliveryPending, CreatedAt: now})
		if err != nil {
			return err
		}
		payload, err := deliveryPayload(m.ID, first.Template)
		if err != nil {
			return err
		}
		if err := q.EnqueueJob(ctx, store.Job{WorkspaceID: c.WorkspaceID, Kind: JobDeliver, Key: DeliveryKey(m.ID), Payload: payload}); err != nil {
			return err
		}
		if err := q.MarkRead(ctx, v, c.ID, now); err != nil {
			return err
		}
		sent = m
		chg = change{conv: c, created: true, messages: []store.Message{ev, m}, jobs: true}
		return s.outbox(ctx, q, &chg)
	})
	if err != nil {
		return store.Conversation{}, store.Message{}, err
	}
	s.publish(ctx, chg)
	return chg.conv, sent, nil
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
