package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/atende/atende/internal/store"
)

// routedEvent is the "routed" timeline event of a conversation, nil when
// no rule routed it.
func (h *testAPI) routedEvent(convID int64) *store.Event {
	h.t.Helper()
	var found *store.Event
	for _, m := range h.messages(convID) {
		if m.Kind == store.KindEvent && m.Event != nil && m.Event.Type == "routed" {
			if found != nil {
				h.t.Fatalf("conversation %d routed twice", convID)
			}
			found = m.Event
		}
	}
	return found
}

// The seed 001 scenario through the API channel: VIP customers go to
// Financeiro with high priority, companies to Suporte, returning customers
// back to their last department, new ones to the default; each routed
// conversation says which rule routed it.
func TestRoutingRulesRouteNewConversations(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		ctx := context.Background()
		f := h.fix
		token := f.ChannelToken
		var vip, prio, suporte struct {
			ID int64 `json:"id"`
		}
		h.must(201, actAdmin, "POST", "/api/v1/labels", map[string]any{"name": "VIP", "color": "#aa0000"}).into(t, &vip)
		h.must(201, actAdmin, "POST", "/api/v1/labels", map[string]any{"name": "Prioritário", "color": "#00aa00"}).into(t, &prio)
		h.must(201, actAdmin, "POST", "/api/v1/departments", map[string]any{"name": "Suporte"}).into(t, &suporte)

		var r1, r2, r3 store.RoutingRule
		h.must(201, actAdmin, "POST", "/api/v1/routing-rules", map[string]any{"name": "VIP",
			"conditions": map[string]any{"has_label_ids": []int64{vip.ID}},
			"actions":    map[string]any{"department_id": f.Financeiro.ID, "priority": "high", "label_ids": []int64{prio.ID}}}).into(t, &r1)
		h.must(201, actAdmin, "POST", "/api/v1/routing-rules", map[string]any{"name": "Empresa",
			"conditions": map[string]any{"attributes": []map[string]any{{"key": "plano", "op": "equals", "value": "empresa"}}},
			"actions":    map[string]any{"department_id": suporte.ID}}).into(t, &r2)
		h.must(201, actAdmin, "POST", "/api/v1/routing-rules", map[string]any{"name": "Voltou",
			"conditions": map[string]any{"served_before": true}, "actions": map[string]any{"last_department": true}}).into(t, &r3)
		if r1.Position != 1 || r2.Position != 2 || r3.Position != 3 || !r3.Enabled {
			t.Fatalf("positions %d %d %d", r1.Position, r2.Position, r3.Position)
		}
		var list []store.RoutingRule
		h.must(200, actAgentA, "GET", "/api/v1/routing-rules", nil).into(t, &list)
		if len(list) != 3 || list[1].Name != "Empresa" {
			t.Fatalf("agents read %+v", list)
		}

		// a new customer matches no rule: the default department, no routed event
		ana := h.inbound(token, inboundBody("r1", "ana", "Oi"), 201)
		if c := h.conversation(f.WS.ID, ana.ConversationID); c.Dept() != f.Vendas.ID || c.Priority != "none" {
			t.Fatalf("new customer: department %d priority %s", c.Dept(), c.Priority)
		}
		if e := h.routedEvent(ana.ConversationID); e != nil {
			t.Errorf("a new customer was routed: %+v", e)
		}

		// a company customer (attribute set by an agent) is routed to Suporte on its next cycle
		bia := h.inbound(token, inboundBody("r2", "bia", "Oi"), 201)
		h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/contacts/%d", bia.ContactID), map[string]any{"attributes": map[string]any{"plano": "Empresa"}})
		if _, err := h.conv.Resolve(ctx, f.AdminV(), bia.ConversationID, 0); err != nil {
			t.Fatal(err)
		}
		bia2 := h.inbound(token, inboundBody("r3", "bia", "Voltei"), 201)
		if bia2.ConversationID == bia.ConversationID {
			t.Fatal("no new cycle")
		}
		if c := h.conversation(f.WS.ID, bia2.ConversationID); c.Dept() != suporte.ID {
			t.Fatalf("company customer in department %d, want Suporte", c.Dept())
		}
		if e := h.routedEvent(bia2.ConversationID); e == nil || e.Detail != "2:Empresa" || e.Department == nil || *e.Department != suporte.ID {
			t.Fatalf("routed event %+v", e)
		}

		// a VIP customer: Financeiro, high priority, the rule's label; rule 1 wins over rule 3
		caio := h.inbound(token, inboundBody("r4", "caio", "Oi"), 201)
		h.must(200, actAdmin, "PUT", fmt.Sprintf("/api/v1/contacts/%d/labels/%d", caio.ContactID, vip.ID), nil)
		if _, err := h.conv.Resolve(ctx, f.AdminV(), caio.ConversationID, 0); err != nil {
			t.Fatal(err)
		}
		caio2 := h.inbound(token, inboundBody("r5", "caio", "Preciso de um boleto"), 201)
		c := h.conversation(f.WS.ID, caio2.ConversationID)
		if c.Dept() != f.Financeiro.ID || c.Priority != "high" || len(c.LabelIDs) != 1 || c.LabelIDs[0] != prio.ID {
			t.Fatalf("VIP conversation: department %d priority %s labels %v", c.Dept(), c.Priority, c.LabelIDs)
		}
		if e := h.routedEvent(caio2.ConversationID); e == nil || e.Detail != "1:VIP" || e.ActorType != store.SenderSystem {
			t.Fatalf("routed event %+v", e)
		}
		var msgs struct {
			Items []store.Message `json:"items"`
		}
		h.must(200, actAgentB, "GET", fmt.Sprintf("/api/v1/conversations/%d/messages", caio2.ConversationID), nil).into(t, &msgs)
		if len(msgs.Items) < 3 || msgs.Items[0].Event == nil || msgs.Items[0].Event.Type != "created" || msgs.Items[1].Event == nil || msgs.Items[1].Event.Type != "routed" {
			t.Errorf("timeline does not show created then routed: %+v", msgs.Items)
		}

		// rule 1 disabled: the VIP customer returns to their last department by rule 3
		h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/routing-rules/%d", r1.ID), map[string]any{"enabled": false})
		if _, err := h.conv.Transfer(ctx, f.AdminV(), caio2.ConversationID, suporte.ID, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := h.conv.Resolve(ctx, f.AdminV(), caio2.ConversationID, 0); err != nil {
			t.Fatal(err)
		}
		caio3 := h.inbound(token, inboundBody("r6", "caio", "Oi de novo"), 201)
		if c := h.conversation(f.WS.ID, caio3.ConversationID); c.Dept() != suporte.ID || c.Priority != "none" {
			t.Fatalf("returning customer: department %d priority %s", c.Dept(), c.Priority)
		}
		if e := h.routedEvent(caio3.ConversationID); e == nil || e.Detail != "3:Voltou" {
			t.Fatalf("routed event %+v", e)
		}

		// a rule whose department was deleted is skipped, even when it comes first
		var temp struct {
			ID int64 `json:"id"`
		}
		h.must(201, actAdmin, "POST", "/api/v1/departments", map[string]any{"name": "Temporário"}).into(t, &temp)
		var r4 store.RoutingRule
		h.must(201, actAdmin, "POST", "/api/v1/routing-rules", map[string]any{"name": "Tudo", "actions": map[string]any{"department_id": temp.ID}}).into(t, &r4)
		h.must(200, actAdmin, "PUT", "/api/v1/routing-rules/order", map[string]any{"ids": []int64{r4.ID, r1.ID, r2.ID, r3.ID}})
		dani := h.inbound(token, inboundBody("r7", "dani", "Oi"), 201)
		if c := h.conversation(f.WS.ID, dani.ConversationID); c.Dept() != temp.ID {
			t.Fatalf("catch-all rule: department %d", c.Dept())
		}
		if e := h.routedEvent(dani.ConversationID); e == nil || e.Detail != "1:Tudo" {
			t.Fatalf("routed event %+v", e)
		}
		if _, err := h.conv.Resolve(ctx, f.AdminV(), dani.ConversationID, 0); err != nil {
			t.Fatal(err)
		}
		h.must(204, actAdmin, "DELETE", fmt.Sprintf("/api/v1/departments/%d", temp.ID), nil)
		edu := h.inbound(token, inboundBody("r8", "edu", "Oi"), 201)
		if c := h.conversation(f.WS.ID, edu.ConversationID); c.Dept() != f.Vendas.ID {
			t.Fatalf("after the rule's department was deleted: department %d", c.Dept())
		}
		if e := h.routedEvent(edu.ConversationID); e != nil {
			t.Errorf("routed by a rule without department: %+v", e)
		}

		// another workspace's rules never apply: WS2 has its own default
		other := h.inbound(f.Channel2Token, inboundBody("r9", "fabi", "Oi"), 201)
		if c := h.conversation(f.WS2.ID, other.ConversationID); c.Dept() != f.Dept2.ID {
			t.Fatalf("WS2 conversation in department %d", c.Dept())
		}
		if e := h.routedEvent(other.ConversationID); e != nil {
			t.Errorf("WS2 conversation routed by WS rules: %+v", e)
		}
		h.must(404, actAdmin2, "GET", fmt.Sprintf("/api/v1/routing-rules/%d", r1.ID), nil)
		h.must(404, actAdmin2, "PATCH", fmt.Sprintf("/api/v1/routing-rules/%d", r1.ID), map[string]any{"enabled": true})
		h.must(422, actAdmin2, "PUT", "/api/v1/routing-rules/order", map[string]any{"ids": []int64{r1.ID}})
	})
}

// Bad rules are refused with 422 and a message naming the problem, and
// nothing is written.
func TestRoutingRulesBadInput(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		f := h.fix
		var rule store.RoutingRule
		h.must(201, actAdmin, "POST", "/api/v1/routing-rules", map[string]any{"name": "ok", "actions": map[string]any{"department_id": f.Vendas.ID}}).into(t, &rule)
		dept := map[string]any{"department_id": f.Vendas.ID}
		cases := []struct {
			name string
			body map[string]any
			want string
		}{
			{"no name", map[string]any{"actions": dept}, "name and actions are required"},
			{"blank name", map[string]any{"name": " ", "actions": dept}, "name is required"},
			{"no actions", map[string]any{"name": "x"}, "name and actions are required"},
			{"empty actions", map[string]any{"name": "x", "actions": map[string]any{}}, "department_id or last_department"},
			{"unknown condition", map[string]any{"name": "x", "actions": dept, "conditions": map[string]any{"labels": []int{1}}}, "unknown key"},
			{"unknown op", map[string]any{"name": "x", "actions": dept, "conditions": map[string]any{"attributes": []map[string]any{{"key": "a", "op": "~"}}}}, "unknown operator"},
			{"another workspace's department", map[string]any{"name": "x", "actions": map[string]any{"department_id": f.Dept2.ID}}, "actions.department_id"},
			{"unknown label", map[string]any{"name": "x", "actions": dept, "conditions": map[string]any{"has_label_ids": []int64{999999}}}, "conditions.has_label_ids"},
			{"another workspace's channel", map[string]any{"name": "x", "actions": dept, "conditions": map[string]any{"channel_ids": []int64{f.Channel2.ID}}}, "conditions.channel_ids"},
			{"another workspace's owner", map[string]any{"name": "x", "actions": dept, "conditions": map[string]any{"owner_ids": []int64{f.Agent2.ID}}}, "conditions.owner_ids"},
			{"bad priority", map[string]any{"name": "x", "actions": map[string]any{"department_id": f.Vendas.ID, "priority": "now"}}, "unknown priority"},
		}
		before := h.snapshot()
		for _, tc := range cases {
			r := h.as(actAdmin, "POST", "/api/v1/routing-rules", tc.body)
			if r.status != 422 || !strings.Contains(r.String(), tc.want) {
				t.Errorf("%s: %s, want 422 with %q", tc.name, r, tc.want)
			}
			if tc.want == "name and actions are required" {
				continue // a change may leave either out
			}
			r = h.as(actAdmin, "PATCH", fmt.Sprintf("/api/v1/routing-rules/%d", rule.ID), tc.body)
			if r.status != 422 {
				t.Errorf("PATCH %s: %s, want 422", tc.name, r)
			}
		}
		for name, ids := range map[string][]int64{"missing": {}, "twice": {rule.ID, rule.ID}, "unknown": {rule.ID + 1000}} {
			if r := h.as(actAdmin, "PUT", "/api/v1/routing-rules/order", map[string]any{"ids": ids}); r.status != 422 {
				t.Errorf("order %s: %s", name, r)
			}
		}
		if diff := before.diff(h.snapshot()); len(diff) > 0 {
			t.Errorf("refused writes changed the database: %v", diff)
		}
	})
}
