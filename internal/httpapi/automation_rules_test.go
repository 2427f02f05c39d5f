package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/store"
)

// ruleEvents counts the rule_applied timeline events naming rule id.
func (h *testAPI) ruleEvents(convID, ruleID int64) int {
	h.t.Helper()
	n := 0
	for _, m := range h.messages(convID) {
		if m.Kind == store.KindEvent && m.Event != nil && m.Event.Type == "rule_applied" && strings.HasPrefix(m.Event.Detail, fmt.Sprintf("rule:%d:", ruleID)) {
			if m.Event.ActorType != store.SenderSystem {
				h.t.Errorf("rule event by %q", m.Event.ActorType)
			}
			n++
		}
	}
	return n
}

// rulesIdle waits until no automation job is waiting or running.
func (h *testAPI) rulesIdle() {
	h.t.Helper()
	eventually(h.t, 10*time.Second, "automation jobs done", func() bool {
		return h.count(`SELECT count(*) FROM jobs WHERE kind = $1 AND status IN ('queued', 'running')`, conversation.JobRules) == 0
	})
}

func (h *testAPI) newAutomationRule(body map[string]any) store.AutomationRule {
	h.t.Helper()
	var r store.AutomationRule
	h.must(201, actAdmin, "POST", "/api/v1/automation-rules", body).into(h.t, &r)
	return r
}

func hasLabel(c store.Conversation, id int64) bool {
	for _, l := range c.LabelIDs {
		if l == id {
			return true
		}
	}
	return false
}

// convWithLabels reads a conversation with its labels.
func (h *testAPI) convWithLabels(id int64) store.Conversation {
	h.t.Helper()
	c := h.conversation(h.fix.WS.ID, id)
	if err := h.db.R().WithLabels(context.Background(), &c); err != nil {
		h.t.Fatal(err)
	}
	return c
}

func TestAutomationRulesOnEvents(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		f := h.fix
		var novo, cancel struct {
			ID int64 `json:"id"`
		}
		h.must(201, actAdmin, "POST", "/api/v1/labels", map[string]any{"name": "Novo", "color": "#aa0000"}).into(t, &novo)
		h.must(201, actAdmin, "POST", "/api/v1/labels", map[string]any{"name": "Cancelamento", "color": "#00aa00"}).into(t, &cancel)
		rcv := newHookReceiver(t)
		sub := h.subscribe(rcv, "conversation.resolved")

		created := h.newAutomationRule(map[string]any{"name": "Boas-vindas", "event": "conversation.created",
			"conditions": map[string]any{"channel_kinds": []string{"api"}, "assignee": "none"},
			"actions": []map[string]any{{"type": "set_priority", "priority": "high"}, {"type": "add_label", "label_id": novo.ID},
				{"type": "send_message", "text": "Recebemos sua mensagem"}}})
		msgRule := h.newAutomationRule(map[string]any{"name": "Cancelar", "event": "message.created",
			"conditions": map[string]any{"message_from": "customer", "message_contains": []string{"cancelar"}},
			"actions": []map[string]any{{"type": "assign_department", "department_id": f.Financeiro.ID}, {"type": "add_label", "label_id": cancel.ID},
				{"type": "add_note", "text": "Pedido de cancelamento"}, {"type": "send_webhook", "webhook_id": sub.ID}}})
		if created.Minutes != 0 || !created.Enabled || string(created.Actions) == "" {
			t.Fatalf("created rule %+v", created)
		}
		var list []store.AutomationRule
		h.must(200, actAgentA, "GET", "/api/v1/automation-rules", nil).into(t, &list)
		if len(list) != 2 || list[1].Name != "Cancelar" {
			t.Fatalf("agents read %+v", list)
		}
		h.must(403, actAgentA, "POST", "/api/v1/automation-rules", map[string]any{"name": "x", "event": "conversation.created", "actions": []map[string]any{{"type": "resolve"}}})

		// a new conversation: the created rule acts once, as the system, and its message goes out as the bot
		cust := h.uniq("c")
		in := h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), cust, "Oi"), 201)
		eventually(t, 10*time.Second, "created rule applied", func() bool { return h.ruleEvents(in.ConversationID, created.ID) == 1 })
		h.rulesIdle()
		c := h.convWithLabels(in.ConversationID)
		if c.Priority != "high" || !hasLabel(c, novo.ID) || c.AutomationPaused || !c.Waiting() || c.FirstReplyAt != nil {
			t.Fatalf("after the created rule: %+v (waiting %v)", c, c.Waiting())
		}
		var sent *store.Message
		for _, m := range h.messages(in.ConversationID) {
			if m.Content == "Recebemos sua mensagem" {
				sent = &m
			}
			if m.Kind == store.KindEvent && m.Event.Type == "priority_changed" && m.Event.Detail != conversation.RuleTag(created.ID, "Boas-vindas") {
				t.Errorf("priority event detail %q", m.Event.Detail)
			}
		}
		if sent == nil || sent.SenderType != store.SenderBot || sent.Direction != store.DirOut {
			t.Fatalf("rule message %+v", sent)
		}
		if h.ruleEvents(in.ConversationID, msgRule.ID) != 0 {
			t.Error("the message rule matched a message without the word")
		}

		// an agent's message with the word does not match message_from customer; the customer's does
		h.reply(actAdmin, in.ConversationID, "reply", "Quer cancelar?")
		h.rulesIdle()
		if h.ruleEvents(in.ConversationID, msgRule.ID) != 0 {
			t.Fatal("the message rule matched an agent's message")
		}
		h.inbound(f.ChannelToken, map[string]any{"message_id": h.uniq("m"), "contact": map[string]any{"id": cust, "name": "x"}, "text": "Quero CANCELAR"}, 201)
		eventually(t, 10*time.Second, "message rule applied", func() bool { return h.ruleEvents(in.ConversationID, msgRule.ID) == 1 })
		c = h.convWithLabels(in.ConversationID)
		if c.Dept() != f.Financeiro.ID || !hasLabel(c, cancel.ID) {
			t.Fatalf("after the message rule: department %d labels %v", c.Dept(), c.LabelIDs)
		}
		eventually(t, 10*time.Second, "rule webhook delivered", func() bool {
			for _, call := range rcv.got() {
				if call.Event.Type == conversation.EventRuleWebhook {
					return call.Err == nil
				}
			}
			return false
		})
		if h.ruleEvents(in.ConversationID, created.ID) != 1 {
			t.Error("the created rule fired again")
		}

		// a disabled rule does nothing; PATCH switches it
		h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/automation-rules/%d", created.ID), map[string]any{"enabled": false})
		in2 := h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), h.uniq("c"), "Oi"), 201)
		h.rulesIdle()
		if h.ruleEvents(in2.ConversationID, created.ID) != 0 {
			t.Error("a disabled rule fired")
		}

		// another workspace's rule is not found
		var other store.AutomationRule
		h.must(201, actAdmin2, "POST", "/api/v1/automation-rules", map[string]any{"name": "Outra", "event": "conversation.created",
			"actions": []map[string]any{{"type": "resolve"}}}).into(t, &other)
		for _, m := range []string{"GET", "PATCH", "DELETE"} {
			h.must(404, actAdmin, m, fmt.Sprintf("/api/v1/automation-rules/%d", other.ID), map[string]any{"name": "x"})
		}
		h.must(204, actAdmin, "DELETE", fmt.Sprintf("/api/v1/automation-rules/%d", msgRule.ID), nil)
		h.must(404, actAdmin, "GET", fmt.Sprintf("/api/v1/automation-rules/%d", msgRule.ID), nil)
	})
}

// A rule's own changes never start rules: "on update add a label" fires
// once per outside change, and two rules that undo each other do not
// ping-pong.
func TestAutomationRulesDoNotLoop(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		f := h.fix
		var x, y struct {
			ID int64 `json:"id"`
		}
		h.must(201, actAdmin, "POST", "/api/v1/labels", map[string]any{"name": "X", "color": "#aa0000"}).into(t, &x)
		h.must(201, actAdmin, "POST", "/api/v1/labels", map[string]any{"name": "Y", "color": "#00aa00"}).into(t, &y)
		in := h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), h.uniq("c"), "Oi"), 201)
		h.rulesIdle()

		addX := h.newAutomationRule(map[string]any{"name": "Marca X", "event": "conversation.updated",
			"actions": []map[string]any{{"type": "add_label", "label_id": x.ID}}})
		ping := h.newAutomationRule(map[string]any{"name": "Ping", "event": "conversation.updated",
			"conditions": map[string]any{"lacks_label_ids": []int64{y.ID}}, "actions": []map[string]any{{"type": "add_label", "label_id": y.ID}, {"type": "set_priority", "priority": "high"}}})
		pong := h.newAutomationRule(map[string]any{"name": "Pong", "event": "conversation.updated",
			"conditions": map[string]any{"has_label_ids": []int64{y.ID}}, "actions": []map[string]any{{"type": "remove_label", "label_id": y.ID}, {"type": "set_priority", "priority": "low"}}})

		h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/conversations/%d", in.ConversationID), map[string]any{"priority": "medium"})
		eventually(t, 10*time.Second, "update rules applied", func() bool { return h.ruleEvents(in.ConversationID, addX.ID) == 1 })
		h.rulesIdle()
		time.Sleep(300 * time.Millisecond)
		h.rulesIdle()
		for _, r := range []store.AutomationRule{addX, ping, pong} {
			if n := h.ruleEvents(in.ConversationID, r.ID); n != 1 {
				t.Errorf("rule %q fired %d times, want 1", r.Name, n)
			}
		}
		c := h.convWithLabels(in.ConversationID)
		if !hasLabel(c, x.ID) || hasLabel(c, y.ID) || c.Priority != "low" {
			t.Errorf("after the rules: labels %v priority %s", c.LabelIDs, c.Priority)
		}
		if n := h.count(`SELECT count(*) FROM jobs WHERE kind = $1`, conversation.JobRules); n > 6 {
			t.Errorf("%d rule jobs for one change and the inbound message", n)
		}
	})
}

// movableClock is a clock tests move forward.
type movableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *movableClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *movableClock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestAutomationRulesTimeBased(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		f := h.fix
		ctx := context.Background()
		clock := &movableClock{now: time.Now()}
		h.conv.SetClock(clock.Now)
		waitRule := h.newAutomationRule(map[string]any{"name": "Espera", "event": "no_agent_reply", "minutes": 10,
			"conditions": map[string]any{"statuses": []string{"queued", "bot"}},
			"actions":    []map[string]any{{"type": "set_priority", "priority": "urgent"}, {"type": "add_note", "text": "Cliente esperando há 10 min"}}})
		quiet := h.newAutomationRule(map[string]any{"name": "Sem resposta", "event": "no_customer_reply", "minutes": 60,
			"actions": []map[string]any{{"type": "resolve"}}})
		snoozed := h.newAutomationRule(map[string]any{"name": "Adiada demais", "event": "snoozed_too_long", "minutes": 30,
			"actions": []map[string]any{{"type": "queue"}}})
		scan := func(want int) {
			t.Helper()
			n, err := h.conv.ScanRules(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Fatalf("scan queued %d, want %d", n, want)
			}
			h.rulesIdle()
		}

		cust := h.uniq("c")
		in := h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), cust, "Alguém?"), 201)
		h.rulesIdle()
		scan(0)
		clock.add(9 * time.Minute)
		scan(0)
		clock.add(2 * time.Minute)
		scan(1)
		if c := h.conversation(f.WS.ID, in.ConversationID); c.Priority != "urgent" || h.ruleEvents(in.ConversationID, waitRule.ID) != 1 {
			t.Fatalf("after the wait: priority %s", c.Priority)
		}
		clock.add(5 * time.Minute)
		scan(0) // once per cycle

		// an agent answers: a new kind of wait; after an hour of silence the conversation is resolved
		h.reply(actAdmin, in.ConversationID, "reply", "Olá!")
		h.rulesIdle()
		clock.add(59 * time.Minute)
		scan(0)
		clock.add(2 * time.Minute)
		scan(1)
		if c := h.conversation(f.WS.ID, in.ConversationID); c.Status != store.StatusResolved || h.ruleEvents(in.ConversationID, quiet.ID) != 1 {
			t.Fatalf("after the silence: status %s", c.Status)
		}

		// a new cycle waits again: the wait rule fires again, once
		in2 := h.inbound(f.ChannelToken, map[string]any{"message_id": h.uniq("m"), "contact": map[string]any{"id": cust, "name": "x"}, "text": "Voltei"}, 201)
		h.rulesIdle()
		clock.add(11 * time.Minute)
		scan(1)
		if h.ruleEvents(in2.ConversationID, waitRule.ID) != 1 {
			t.Fatal("the wait rule did not fire in the new cycle")
		}

		// snoozed too long: back to the queue
		h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/snooze", in2.ConversationID),
			map[string]any{"until": clock.Now().Add(24 * time.Hour).Format(time.RFC3339)})
		h.rulesIdle()
		clock.add(31 * time.Minute)
		scan(1)
		if c := h.conversation(f.WS.ID, in2.ConversationID); c.Status != store.StatusQueued || h.ruleEvents(in2.ConversationID, snoozed.ID) != 1 {
			t.Fatalf("after the long snooze: status %s", c.Status)
		}
		scan(0)
	})
}
