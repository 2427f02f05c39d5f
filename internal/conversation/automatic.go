package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/atende/atende/internal/automation/hours"
	"github.com/atende/atende/internal/store"
)

// widgetKind is the website widget's channel kind (widget.Kind; the widget
// package imports this one). The widget asks for a rating with its own
// form, so no CSAT text is sent there.
const widgetKind = "widget"

// botMessage is an automatic message (greeting, out-of-hours, closing,
// rating request): sent by the bot, delivered like an agent's reply, but it
// answers nobody. It does not stop the waiting thermometer, count as the
// first reply or pause automation, which Send does for people.
func botMessage(c store.Conversation, text string, now int64) store.Message {
	return store.Message{WorkspaceID: c.WorkspaceID, ConversationID: c.ID, Kind: store.KindText, Direction: store.DirOut,
		SenderType: store.SenderBot, Content: text, ChannelID: c.ChannelID, Status: store.DeliveryPending, CreatedAt: now}
}

// enqueueDelivery queues the durable delivery of a stored outbound message
// in the caller's transaction, the same job Send queues.
func enqueueDelivery(ctx context.Context, q store.Q, m store.Message) error {
	payload, err := deliveryPayload(m.ID, nil)
	if err != nil {
		return err
	}
	return q.EnqueueJob(ctx, store.Job{WorkspaceID: m.WorkspaceID, Kind: JobDeliver, Key: DeliveryKey(m.ID), Payload: payload})
}

// scheduleFor reads the business hours that apply to a department (0: the
// workspace's): nil means always open. A stored schedule that no longer
// validates (a time zone removed from the system's database) counts as
// always open rather than silencing the conversation.
func (s *Service) scheduleFor(ctx context.Context, q store.Q, ws, dept int64) (*hours.Schedule, error) {
	bh, err := q.EffectiveBusinessHours(ctx, ws, dept)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if !bh.Enabled {
		return nil, nil
	}
	var sch hours.Schedule
	if err := json.Unmarshal([]byte(bh.Schedule), &sch); err == nil {
		err = sch.Validate()
	}
	if err != nil {
		s.log.Warn("conversation: stored business hours are invalid; treating as always open", "workspace", ws, "department", dept, "err", err)
		return nil, nil
	}
	return &sch, nil
}

// openingMessage is the automatic answer to the message that opened a new
// cycle: the out-of-hours reply when the conversation's department (or the
// workspace) is closed now, else the greeting; nil when the applicable one
// is off.
func (s *Service) openingMessage(ctx context.Context, q store.Q, c store.Conversation, now int64) (*store.Message, error) {
	texts, err := q.EffectiveAutomationMessages(ctx, c.WorkspaceID, c.Dept())
	if err != nil {
		return nil, err
	}
	if !texts.AwayEnabled && !texts.GreetingEnabled {
		return nil, nil
	}
	sch, err := s.scheduleFor(ctx, q, c.WorkspaceID, c.Dept())
	if err != nil {
		return nil, err
	}
	at := time.UnixMilli(now)
	var text string
	switch {
	case !sch.Open(at):
		if texts.AwayEnabled {
			text = renderAutomatic(texts.Away, sch, at, texts.Language)
		}
	case texts.GreetingEnabled:
		text = renderAutomatic(texts.Greeting, sch, at, texts.Language)
	}
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	m, err := q.InsertMessage(ctx, botMessage(c, text, now))
	if err != nil {
		return nil, err
	}
	return &m, enqueueDelivery(ctx, q, m)
}

// closingMessages are the automatic messages of a resolve: the closing
// message and, except on the widget (which shows its own rating form), the
// rating request, whose numeric answer ratingAnswer reads back as a rating.
func closingMessages(ctx context.Context, q store.Q, c store.Conversation, now int64) ([]store.Message, error) {
	texts, err := q.EffectiveAutomationMessages(ctx, c.WorkspaceID, c.Dept())
	if err != nil || (!texts.ClosingEnabled && !texts.CSATEnabled) {
		return nil, err
	}
	var out []store.Message
	if texts.ClosingEnabled && strings.TrimSpace(texts.Closing) != "" {
		out = append(out, botMessage(c, hours.Render(texts.Closing, nil), now))
	}
	if texts.CSATEnabled && strings.TrimSpace(texts.CSAT) != "" {
		ch, err := q.Channel(ctx, c.WorkspaceID, c.ChannelID)
		if err != nil {
			return nil, err
		}
		if ch.Kind != widgetKind {
			out = append(out, botMessage(c, hours.Render(texts.CSAT, nil), now))
		}
	}
	return out, nil
}

func renderAutomatic(text string, sch *hours.Schedule, at time.Time, lang string) string {
	return hours.Render(text, map[string]string{"next_open": hours.FormatNextOpen(sch.NextOpen(at), at, sch.Location(), lang)})
}

// OpenNow reports whether a department (0: the workspace) is within its
// business hours now; always true without enabled business hours.
func (s *Service) OpenNow(ctx context.Context, ws, dept int64) (bool, error) {
	sch, err := s.scheduleFor(ctx, s.db.R(), ws, dept)
	if err != nil || sch == nil {
		return err == nil, err
	}
	return sch.Open(s.now()), nil
}
