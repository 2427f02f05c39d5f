package conversation

import (
	"context"

	"github.com/atende/atende/internal/store"
)

// Outbound event types an Outbox receives (webhooks, DESIGN M8).
const (
	EventConversationCreated  = "conversation.created"
	EventConversationUpdated  = "conversation.updated"
	EventConversationResolved = "conversation.resolved"
	EventMessageCreated       = "message.created"
)

// OutEvent is one event of a change, with its data as the API shows it.
type OutEvent struct {
	Type string
	At   int64 // Unix ms
	Data any
}

// Outbox turns a change's events into durable jobs written in the
// change's own transaction (webhook deliveries). It runs inside every
// transaction that changes a conversation, so Wants must be cheap (a
// cached answer) for workspaces that want nothing.
type Outbox interface {
	// Wants reports whether workspace ws has a subscriber for typ; q is
	// the open transaction, for a cache miss.
	Wants(ctx context.Context, q store.Q, ws int64, typ string) (bool, error)
	// Enqueue writes the jobs of evs and returns how many it wrote.
	Enqueue(ctx context.Context, q store.Q, ws int64, evs []OutEvent) (int, error)
}

// SetOutbox installs o as the only outbox; call it before the service is used.
func (s *Service) SetOutbox(o Outbox) { s.outs = []Outbox{o} }

// AddOutbox installs one more outbox (webhooks, automation rules); every
// outbox sees every change. Call it before the service is used.
func (s *Service) AddOutbox(o Outbox) { s.outs = append(s.outs, o) }

// outbox hands the events of chg to each outbox inside the transaction q,
// so an event is delivered if and only if its change committed. Private
// notes and timeline events are not message.created events.
func (s *Service) outbox(ctx context.Context, q store.Q, chg *change) error {
	if len(s.outs) == 0 || chg.conv.ID == 0 {
		return nil
	}
	var view *View
	for _, o := range s.outs {
		if err := s.outboxOne(ctx, q, chg, o, &view); err != nil {
			return err
		}
	}
	return nil
}

// outboxOne writes the events o wants; view is the conversation's API view,
// computed once for all outboxes on first need.
func (s *Service) outboxOne(ctx context.Context, q store.Q, chg *change, o Outbox, view **View) error {
	c := chg.conv
	ws := c.WorkspaceID
	var evs []OutEvent
	now := s.nowMS()
	convEvent := func(typ string) error {
		ok, err := o.Wants(ctx, q, ws, typ)
		if err != nil || !ok {
			return err
		}
		if *view == nil {
			lc := c
			if err := q.WithLabels(ctx, &lc); err != nil {
				return err
			}
			v, err := s.View(ctx, lc)
			if err != nil {
				return err
			}
			*view = &v
		}
		evs = append(evs, OutEvent{Type: typ, At: now, Data: **view})
		return nil
	}
	typ := EventConversationUpdated
	if chg.created {
		typ = EventConversationCreated
	}
	if err := convEvent(typ); err != nil {
		return err
	}
	for _, m := range chg.messages {
		if m.Kind == store.KindEvent && m.Event != nil && m.Event.Type == "resolved" {
			if err := convEvent(EventConversationResolved); err != nil {
				return err
			}
		}
	}
	for _, m := range chg.messages {
		if m.Kind != store.KindText && m.Kind != store.KindMedia {
			continue
		}
		ok, err := o.Wants(ctx, q, ws, EventMessageCreated)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		evs = append(evs, OutEvent{Type: EventMessageCreated, At: m.CreatedAt, Data: m})
	}
	if len(evs) == 0 {
		return nil
	}
	n, err := o.Enqueue(ctx, q, ws, evs)
	if n > 0 {
		chg.jobs = true
	}
	return err
}
