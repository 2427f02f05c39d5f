package conversation_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/store"
)

func TestStartOutboundConversation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.f
		tmpl := &conversation.Template{Name: "order_update", Language: "pt_BR", Parameters: []string{"Ana", "42"}}
		first := conversation.Outgoing{Content: "Olá Ana, seu pedido 42 saiu", Template: tmpl}

		// Outside the channel's department: refused.
		_, _, err := e.svc.Start(e.ctx, f.AgentBV(), conversation.NewConversation{ChannelID: f.Channel.ID, ExternalID: "5511900001111", First: first})
		wantErr(t, err, conversation.ErrForbidden, "agent of another department starts")
		_, _, err = e.svc.Start(e.ctx, f.Agent2V(), conversation.NewConversation{ChannelID: f.Channel.ID, ExternalID: "5511900001111", First: first})
		wantErr(t, err, store.ErrNotFound, "user of another workspace starts")
		_, _, err = e.svc.Start(e.ctx, f.AgentAV(), conversation.NewConversation{ChannelID: f.Channel.ID, First: first})
		wantErr(t, err, conversation.ErrInvalid, "no contact")
		_, _, err = e.svc.Start(e.ctx, f.AgentAV(), conversation.NewConversation{ChannelID: f.Channel.ID, ExternalID: "x",
			First: conversation.Outgoing{Note: true, Content: "n"}})
		wantErr(t, err, conversation.ErrInvalid, "a note first")
		e.rec.take()

		c, m, err := e.svc.Start(e.ctx, f.AgentAV(), conversation.NewConversation{ChannelID: f.Channel.ID, ExternalID: "5511900001111",
			ContactPhone: "+5511900001111", First: first})
		ok(t, err, "Start")
		if c.Status != store.StatusOpen || c.Assignee() != f.AgentA.ID || c.Dept() != f.Vendas.ID || c.Waiting() || c.LastPreview != first.Content {
			t.Fatalf("conversation = %+v", c)
		}
		if m.Direction != store.DirOut || m.Status != store.DeliveryPending || m.Content != first.Content || m.SenderID == nil || *m.SenderID != f.AgentA.ID {
			t.Fatalf("message = %+v", m)
		}
		id, err := e.db.R().ContactByIdentity(e.ctx, f.Channel.ID, "5511900001111")
		ok(t, err, "ContactByIdentity")
		if id != c.ContactID {
			t.Fatalf("identity names contact %d, conversation %d", id, c.ContactID)
		}
		e.wantEvent(c.ID, "created", "", store.StatusOpen)
		if got := e.rec.ofType(events.ConversationCreated); len(got) != 1 || got[0].AssigneeID != f.AgentA.ID {
			t.Fatalf("conversation.created = %+v", got)
		}
		jobs := e.claimAll(store.Now() + 60_000)
		if len(jobs) != 1 || jobs[0].Kind != conversation.JobDeliver {
			t.Fatalf("jobs = %+v", jobs)
		}
		var p conversation.DeliveryPayload
		ok(t, json.Unmarshal([]byte(jobs[0].Payload), &p), "payload")
		if p.MessageID != m.ID || p.Template == nil || p.Template.Name != "order_update" || len(p.Template.Parameters) != 2 {
			t.Fatalf("payload = %s", jobs[0].Payload)
		}

		// The same customer again, by identity or by contact: the open one is named.
		for _, in := range []conversation.NewConversation{
			{ChannelID: f.Channel.ID, ExternalID: "5511900001111", First: first},
			{ChannelID: f.Channel.ID, ContactID: c.ContactID, First: first},
		} {
			_, _, err = e.svc.Start(e.ctx, f.SupervisorV(), in)
			var open *conversation.OpenConversationError
			if !errors.As(err, &open) || open.ConversationID != c.ID || !errors.Is(err, conversation.ErrAlreadyOpen) {
				t.Fatalf("second start: err = %v", err)
			}
		}

		// Once resolved, a new conversation starts, on the same contact.
		_, err = e.svc.Resolve(e.ctx, f.AgentAV(), c.ID, 0)
		ok(t, err, "Resolve")
		c2, _, err := e.svc.Start(e.ctx, f.SupervisorV(), conversation.NewConversation{ChannelID: f.Channel.ID, ContactID: c.ContactID,
			ExternalID: "5511900001111", First: first})
		ok(t, err, "Start again")
		if c2.ID == c.ID || c2.ContactID != c.ContactID || c2.Assignee() != f.Supervisor.ID {
			t.Fatalf("second conversation = %+v", c2)
		}

		// A plain reply keeps the old payload shape.
		r, err := e.svc.Send(e.ctx, f.SupervisorV(), c2.ID, conversation.Outgoing{Content: "oi"})
		ok(t, err, "Send")
		for _, j := range e.claimAll(store.Now() + 60_000) {
			if j.Key == conversation.DeliveryKey(r.ID) && j.Payload != `{"message_id":`+jsonInt(r.ID)+`}` {
				t.Fatalf("reply payload = %s", j.Payload)
			}
		}
	})
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }
