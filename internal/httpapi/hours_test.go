package httpapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel/apichannel"
	"github.com/atende/atende/internal/store"
)

// botMessages are the automatic messages of a conversation, oldest first.
func (h *testAPI) botMessages(convID int64) []store.Message {
	h.t.Helper()
	var out []store.Message
	for _, m := range h.messages(convID) {
		if m.SenderType == store.SenderBot {
			out = append(out, m)
		}
	}
	return out
}

// A customer who writes outside business hours gets the out-of-hours reply
// saying when the team is back; one who writes in hours gets the greeting;
// resolving sends the closing message and the rating request. All go out
// through the channel's callback like an agent's reply, and none of them
// answers the customer: the thermometer keeps running.
func TestBusinessHoursAutomaticMessages(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withBackoff(20*time.Millisecond))
		ws := h.fix.WS.ID
		cb := newCallback(t)
		_, token, _ := h.apiChannel(cb)

		h.must(200, actAdmin, "PUT", "/api/v1/business-hours", map[string]any{"enabled": true, "schedule": map[string]any{
			"timezone": "America/Sao_Paulo",
			"weekly": map[string]any{"mon": [][]string{{"08:00", "18:00"}}, "tue": [][]string{{"08:00", "18:00"}}, "wed": [][]string{{"08:00", "18:00"}},
				"thu": [][]string{{"08:00", "18:00"}}, "fri": [][]string{{"08:00", "18:00"}}},
			"holidays": []map[string]any{{"date": "2026-11-20", "name": "Consciência Negra"}}}})
		var texts map[string]any
		h.must(200, actAdmin, "PUT", "/api/v1/automation/messages", map[string]any{"greeting_enabled": true, "out_of_hours_enabled": true,
			"closing_enabled": true, "csat_enabled": true}).into(t, &texts)
		if texts["greeting"] != "Olá! Recebemos sua mensagem e já vamos te atender." || texts["language"] != "pt-BR" {
			t.Errorf("default texts: %v", texts)
		}

		// Friday 20 November 2026 is a holiday; at 10:00 in São Paulo (UTC-3) the team is away until Monday
		friday := time.Date(2026, 11, 20, 13, 0, 0, 0, time.UTC)
		h.conv.SetClock(func() time.Time { return friday })
		var bh map[string]any
		h.must(200, actAgentA, "GET", "/api/v1/business-hours", nil).into(t, &bh)
		if bh["open_now"] != false || bh["next_open"] != "2026-11-23T11:00:00Z" {
			t.Errorf("business hours on the holiday: %v", bh)
		}
		away := h.inbound(token, inboundBody("h1", "cliente-feriado", "Oi, preciso de ajuda"), 201)
		bots := h.botMessages(away.ConversationID)
		want := "Olá! Nosso horário de atendimento é de segunda a sexta, das 8h às 18h. Recebemos sua mensagem e retornaremos segunda-feira às 8h."
		if len(bots) != 1 || bots[0].Content != want || bots[0].Direction != store.DirOut || bots[0].SenderID != nil || bots[0].Kind != store.KindText {
			t.Fatalf("out-of-hours reply: %+v", bots)
		}
		h.waitStatus(ws, bots[0].ID, store.DeliverySent)
		calls := cb.calls()
		if len(calls) != 1 {
			t.Fatalf("%d callbacks, want 1", len(calls))
		}
		var p apichannel.OutboundPayload
		if err := json.Unmarshal(calls[0].body, &p); err != nil || p.Message.Text != want || p.Contact.ID != "cliente-feriado" {
			t.Errorf("callback %s (%v)", calls[0].body, err)
		}
		// the automatic reply answers nobody: still waiting since the customer's message, no first reply, automation on
		var view map[string]any
		h.conv.SetClock(func() time.Time { return friday.Add(10 * time.Minute) })
		h.must(200, actAgentA, "GET", fmt.Sprintf("/api/v1/conversations/%d", away.ConversationID), nil).into(t, &view)
		if view["waiting_since"] != float64(friday.UnixMilli()) || view["waiting_seconds"] != float64(600) || view["thermometer"] == "" ||
			view["first_reply_at"] != nil || view["automation_active"] != true {
			t.Errorf("conversation after the automatic reply: waiting_since %v waiting_seconds %v thermometer %v first_reply_at %v automation %v",
				view["waiting_since"], view["waiting_seconds"], view["thermometer"], view["first_reply_at"], view["automation_active"])
		}
		// a second message of the same cycle gets nothing more
		h.inbound(token, inboundBody("h2", "cliente-feriado", "Alguém?"), 201)
		if n := len(h.botMessages(away.ConversationID)); n != 1 {
			t.Errorf("%d automatic messages after a second customer message, want 1", n)
		}

		// Monday 09:00: in hours, the greeting
		monday := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		h.conv.SetClock(func() time.Time { return monday })
		in := h.inbound(token, inboundBody("h3", "cliente-segunda", "Bom dia"), 201)
		bots = h.botMessages(in.ConversationID)
		if len(bots) != 1 || bots[0].Content != "Olá! Recebemos sua mensagem e já vamos te atender." {
			t.Fatalf("greeting: %+v", bots)
		}
		h.waitStatus(ws, bots[0].ID, store.DeliverySent)

		// resolve: the closing message and the rating request, delivered
		h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/resolve", in.ConversationID), nil)
		bots = h.botMessages(in.ConversationID)
		if len(bots) != 3 || !strings.HasPrefix(bots[1].Content, "Seu atendimento foi finalizado.") || !strings.Contains(bots[2].Content, "de 1 (muito ruim) a 5") {
			t.Fatalf("after resolve: %+v", bots)
		}
		h.waitStatus(ws, bots[1].ID, store.DeliverySent)
		h.waitStatus(ws, bots[2].ID, store.DeliverySent)
		if n := len(cb.calls()); n != 4 {
			t.Errorf("%d callbacks, want 4", n)
		}

		// a department with its own hours (always open) greets even on the holiday; English texts
		fin := h.fix.Financeiro.ID
		h.must(200, actAdmin, "PUT", fmt.Sprintf("/api/v1/departments/%d/business-hours", fin), map[string]any{"enabled": false,
			"schedule": map[string]any{"timezone": "UTC"}})
		h.must(200, actAdmin, "PUT", "/api/v1/automation/messages", map[string]any{"language": "en", "out_of_hours": "Back {{next_open}}.",
			"greeting": "Hi!", "closing_enabled": false, "csat_enabled": false})
		h.conv.SetClock(func() time.Time { return friday })
		c := h.inbound(token, inboundBody("h4", "cliente-en", "Hello"), 201)
		if got := h.botMessages(c.ConversationID); len(got) != 1 || got[0].Content != "Back on Monday at 8:00 AM." {
			t.Errorf("English out-of-hours reply: %+v", got)
		}
		h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/transfer", c.ConversationID), map[string]any{"department_id": fin})
		h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/resolve", c.ConversationID), nil)
		if got := h.botMessages(c.ConversationID); len(got) != 1 {
			t.Errorf("closing and rating off, yet %d automatic messages", len(got))
		}
		var dh map[string]any
		h.must(200, actAgentA, "GET", fmt.Sprintf("/api/v1/departments/%d/business-hours", fin), nil).into(t, &dh)
		if dh["inherited"] != false || dh["open_now"] != true {
			t.Errorf("Financeiro's own hours: %v", dh)
		}
		h.must(204, actAdmin, "DELETE", fmt.Sprintf("/api/v1/departments/%d/business-hours", fin), nil)
		h.must(200, actAgentA, "GET", fmt.Sprintf("/api/v1/departments/%d/business-hours", fin), nil).into(t, &dh)
		if dh["inherited"] != true || dh["open_now"] != false {
			t.Errorf("Financeiro back on the workspace's hours: %v", dh)
		}
	})
}

// TestRatingRequestAnswer: after a resolve with the rating request on, the
// customer's bare "5" rates that conversation (with its agent and
// department) and opens nothing; anything else, a second score or a score a
// day later starts a new conversation as usual.
func TestRatingRequestAnswer(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withBackoff(20*time.Millisecond))
		cb := newCallback(t)
		_, token, _ := h.apiChannel(cb)
		h.must(200, actAdmin, "PUT", "/api/v1/automation/messages", map[string]any{"csat_enabled": true})
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		h.conv.SetClock(func() time.Time { return now })
		first := h.inbound(token, inboundBody("r1", "cliente-nota", "Minha encomenda atrasou"), 201)
		h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/assign", first.ConversationID), map[string]any{"assignee_id": h.fix.AgentA.ID})
		h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/resolve", first.ConversationID), nil)
		if bots := h.botMessages(first.ConversationID); len(bots) != 1 || !strings.Contains(bots[0].Content, "de 1 (muito ruim) a 5") {
			t.Fatalf("rating request: %+v", bots)
		}

		now = now.Add(10 * time.Minute)
		answer := h.inbound(token, inboundBody("r2", "cliente-nota", " 5 estrelas! "), 201)
		if answer.ConversationID != first.ConversationID {
			t.Fatalf("the answer opened conversation %d", answer.ConversationID)
		}
		if c := h.conversation(h.fix.WS.ID, first.ConversationID); c.Status != store.StatusResolved || c.Waiting() {
			t.Errorf("the rated conversation: status %s, waiting %v", c.Status, c.Waiting())
		}
		if n := h.count(`SELECT count(*) FROM conversation_ratings WHERE conversation_id = $1 AND score = 5 AND assignee_id = $2`, first.ConversationID, h.fix.AgentA.ID); n != 1 {
			t.Errorf("%d ratings of 5 by AgentA's conversation", n)
		}
		var rated bool
		for _, m := range h.messages(first.ConversationID) {
			rated = rated || (m.Event != nil && m.Event.Type == "rated" && m.Event.To == "5")
		}
		if !rated {
			t.Error("no rated event in the timeline")
		}
		// already rated: the next message is a new conversation
		again := h.inbound(token, inboundBody("r3", "cliente-nota", "4"), 201)
		if again.ConversationID == first.ConversationID {
			t.Error("a second score rated the same conversation again")
		}

		// not a score, or a day too late: a new conversation, no rating
		for i, tc := range []struct {
			text  string
			after time.Duration
		}{{"obrigado!", time.Minute}, {"5", 25 * time.Hour}} {
			contact := fmt.Sprintf("cliente-%d", i)
			c := h.inbound(token, inboundBody(fmt.Sprintf("x%d", i), contact, "oi"), 201)
			h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/resolve", c.ConversationID), nil)
			now = now.Add(tc.after)
			next := h.inbound(token, inboundBody(fmt.Sprintf("y%d", i), contact, tc.text), 201)
			if next.ConversationID == c.ConversationID || h.count(`SELECT count(*) FROM conversation_ratings WHERE conversation_id = $1`, c.ConversationID) != 0 {
				t.Errorf("%q after %s: conversation %d (resolved %d), rated", tc.text, tc.after, next.ConversationID, c.ConversationID)
			}
		}
	})
}

// TestDepartmentAutomaticMessages: a department's own texts override the
// workspace's for its conversations only, and deleting them brings the
// workspace's back.
func TestDepartmentAutomaticMessages(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		f := h.fix
		fin := fmt.Sprintf("/api/v1/departments/%d/automation-messages", f.Financeiro.ID)
		h.must(200, actAdmin, "PUT", "/api/v1/automation/messages", map[string]any{"greeting_enabled": true, "greeting": "Olá! Já vamos te atender."})
		var v map[string]any
		h.must(200, actAgentB, "GET", fin, nil).into(t, &v)
		if v["inherited"] != true || v["greeting"] != "Olá! Já vamos te atender." {
			t.Fatalf("Financeiro before: %v", v)
		}
		h.must(200, actAdmin, "PUT", fin, map[string]any{"greeting": "Olá! Aqui é o financeiro."}).into(t, &v)
		if v["inherited"] != false || v["greeting"] != "Olá! Aqui é o financeiro." || v["greeting_enabled"] != true {
			t.Fatalf("Financeiro's own texts: %v", v)
		}
		h.must(403, actSupervisor, "PUT", fin, map[string]any{"greeting": "x"})
		h.must(404, actAdmin2, "GET", fin, nil)

		// new customers: one routed to Financeiro by a rule, one to Vendas (the default)
		h.must(201, actAdmin, "POST", "/api/v1/routing-rules", map[string]any{"name": "Cobrança",
			"conditions": map[string]any{"attributes": []map[string]any{{"key": "plano", "op": "exists"}}},
			"actions":    map[string]any{"department_id": f.Financeiro.ID}})
		first := func(conv int64) string {
			for _, m := range h.messages(conv) {
				if m.SenderType == store.SenderBot && m.Kind == store.KindText {
					return m.Content
				}
			}
			return ""
		}
		ct, err := h.db.W().CreateContact(t.Context(), store.Contact{WorkspaceID: f.WS.ID, Name: "Cobrada", Attributes: map[string]any{"plano": "ouro"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.db.W().AddIdentity(t.Context(), f.WS.ID, ct.ID, store.Identity{ChannelID: f.Channel.ID, ExternalID: "cobrada"}); err != nil {
			t.Fatal(err)
		}
		billed := h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), "cobrada", "oi"), 201).ConversationID
		sold := h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), h.uniq("c"), "oi"), 201).ConversationID
		if got := first(billed); got != "Olá! Aqui é o financeiro." {
			t.Fatalf("Financeiro's greeting: %q", got)
		}
		if got := first(sold); got != "Olá! Já vamos te atender." {
			t.Fatalf("Vendas' greeting: %q", got)
		}

		h.must(204, actAdmin, "DELETE", fin, nil)
		h.must(200, actAgentB, "GET", fin, nil).into(t, &v)
		if v["inherited"] != true || v["greeting"] != "Olá! Já vamos te atender." {
			t.Fatalf("Financeiro after DELETE: %v", v)
		}
	})
}
