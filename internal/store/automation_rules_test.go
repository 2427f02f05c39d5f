package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

func TestAutomationRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Fixture(t, db)
		ws, ws2 := f.WS.ID, f.WS2.ID
		q := db.W()
		r, err := q.CreateAutomationRule(ctx, store.AutomationRule{WorkspaceID: ws, Name: "etiqueta", Enabled: true, Event: "conversation.created",
			Conditions: json.RawMessage(`{"statuses":["queued"]}`), Actions: json.RawMessage(`[{"type":"resolve"}]`)})
		if err != nil || r.ID == 0 || !r.Enabled || string(r.Actions) != `[{"type":"resolve"}]` || r.CreatedAt == 0 {
			t.Fatalf("create: %+v, %v", r, err)
		}
		timed, err := q.CreateAutomationRule(ctx, store.AutomationRule{WorkspaceID: ws, Name: "espera", Enabled: true, Event: store.RuleNoAgentReply, Minutes: 10})
		if err != nil || string(timed.Conditions) != `{}` || string(timed.Actions) != `[]` {
			t.Fatalf("create with defaults: %+v, %v", timed, err)
		}
		if _, err := q.CreateAutomationRule(ctx, store.AutomationRule{WorkspaceID: ws2, Name: "outra", Event: store.RuleSnoozedTooLong, Minutes: 5}); err != nil {
			t.Fatal(err)
		}
		list, err := db.R().AutomationRules(ctx, ws)
		if err != nil || len(list) != 2 || list[0].ID != r.ID || list[1].Minutes != 10 {
			t.Fatalf("list: %+v, %v", list, err)
		}
		if _, err := db.R().AutomationRule(ctx, ws2, r.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another workspace reads the rule: %v", err)
		}
		r.Name, r.Enabled, r.Event = "etiqueta 2", false, "message.created"
		if r, err = q.UpdateAutomationRule(ctx, r); err != nil || r.Name != "etiqueta 2" || r.Enabled || r.Event != "message.created" {
			t.Fatalf("update: %+v, %v", r, err)
		}
		other := r
		other.WorkspaceID = ws2
		if _, err := q.UpdateAutomationRule(ctx, other); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("update from another workspace: %v", err)
		}
		// only enabled time-based rules, of every workspace (ws2's is disabled)
		all, err := db.R().TimedAutomationRules(ctx)
		if err != nil || len(all) != 1 || all[0].ID != timed.ID {
			t.Fatalf("timed rules: %+v, %v", all, err)
		}

		now := store.Now()
		conv := func(status string, waiting, last int64) int64 {
			ct, err := q.CreateContact(ctx, store.Contact{WorkspaceID: ws, Name: status})
			if err != nil {
				t.Fatal(err)
			}
			c := store.Conversation{WorkspaceID: ws, ContactID: ct.ID, ChannelID: f.Channel.ID, Status: status, Priority: "none",
				WaitingSince: waiting, LastMessageAt: last, OpenedAt: now, CreatedAt: now, UpdatedAt: now}
			id, err := q.InsertConversation(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		waitingOld := conv(store.StatusQueued, now-20*60_000, now-20*60_000)
		conv(store.StatusQueued, now-60_000, now-60_000)                       // waits, not long enough
		answeredOld := conv(store.StatusOpen, store.NotWaiting, now-30*60_000) // an agent answered 30 min ago
		conv(store.StatusResolved, now-40*60_000, now-40*60_000)               // resolved: never due
		snoozed := conv(store.StatusSnoozed, store.NotWaiting, now-50*60_000)
		ev := store.Event{Type: "snoozed", ActorType: store.SenderUser}
		if _, err := q.InsertMessage(ctx, store.Message{WorkspaceID: ws, ConversationID: snoozed, Kind: store.KindEvent, Direction: store.DirInternal,
			SenderType: store.SenderUser, ChannelID: f.Channel.ID, Event: &ev, CreatedAt: now - 15*60_000}); err != nil {
			t.Fatal(err)
		}
		cutoff := now - 10*60_000
		due := func(event string) []store.DueConversation {
			t.Helper()
			rule := timed
			rule.Event = event
			d, err := db.R().DueForRule(ctx, rule, cutoff, 50)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		if d := due(store.RuleNoAgentReply); len(d) != 1 || d[0].ID != waitingOld || d[0].Since != now-20*60_000 {
			t.Errorf("no_agent_reply due: %+v", d)
		}
		if d := due(store.RuleNoCustomerReply); len(d) != 1 || d[0].ID != answeredOld {
			t.Errorf("no_customer_reply due: %+v", d)
		}
		if d := due(store.RuleSnoozedTooLong); len(d) != 1 || d[0].ID != snoozed || d[0].Since != now-15*60_000 {
			t.Errorf("snoozed_too_long due: %+v", d)
		}
		if _, err := db.R().DueForRule(ctx, r, cutoff, 50); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("due for an event rule: %v", err)
		}

		// once per cycle
		first, err := q.RecordRuleFiring(ctx, ws, timed.ID, waitingOld, now-20*60_000, now)
		if err != nil || !first {
			t.Fatalf("first firing: %v %v", first, err)
		}
		again, err := q.RecordRuleFiring(ctx, ws, timed.ID, waitingOld, now-20*60_000, now)
		if err != nil || again {
			t.Fatalf("second firing of the same cycle: %v %v", again, err)
		}
		if d := due(store.RuleNoAgentReply); len(d) != 0 {
			t.Errorf("fired rule still due: %+v", d)
		}
		if next, err := q.RecordRuleFiring(ctx, ws, timed.ID, waitingOld, now, now); err != nil || !next {
			t.Errorf("a new cycle fires again: %v %v", next, err)
		}

		if err := q.DeleteAutomationRule(ctx, ws2, timed.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("delete from another workspace: %v", err)
		}
		if err := q.DeleteAutomationRule(ctx, ws, timed.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := db.R().AutomationRules(ctx, ws); len(list) != 1 {
			t.Errorf("after delete: %+v", list)
		}
	})
}
