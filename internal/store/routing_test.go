package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

func TestRoutingRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Fixture(t, db)
		ws, ws2 := f.WS.ID, f.WS2.ID
		q := db.W()
		names := func(ws int64) []string {
			list, err := db.R().RoutingRules(ctx, ws)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for i, r := range list {
				if r.Position != i+1 {
					t.Errorf("rule %q at position %d, want %d", r.Name, r.Position, i+1)
				}
				out = append(out, r.Name)
			}
			return out
		}
		var ids []int64
		for _, n := range []string{"a", "b", "c"} {
			r, err := q.CreateRoutingRule(ctx, store.RoutingRule{WorkspaceID: ws, Name: n, Enabled: true,
				Conditions: json.RawMessage(`{"has_owner":true}`), Actions: json.RawMessage(`{"department_id":1}`)})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		if _, err := q.CreateRoutingRule(ctx, store.RoutingRule{WorkspaceID: ws2, Name: "other"}); err != nil {
			t.Fatal(err)
		}
		if got := names(ws); len(got) != 3 || got[0] != "a" || got[2] != "c" {
			t.Fatalf("rules %v", got)
		}
		r, err := db.R().RoutingRule(ctx, ws, ids[1])
		if err != nil || r.Name != "b" || !r.Enabled || string(r.Conditions) != `{"has_owner":true}` || r.Position != 2 {
			t.Fatalf("rule b: %+v, %v", r, err)
		}
		if _, err := db.R().RoutingRule(ctx, ws2, ids[1]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another workspace reads the rule: %v", err)
		}
		r.Name, r.Enabled, r.Actions = "b2", false, json.RawMessage(`{"department_id":2}`)
		if r, err = q.UpdateRoutingRule(ctx, r); err != nil || r.Name != "b2" || r.Enabled || string(r.Actions) != `{"department_id":2}` {
			t.Fatalf("update: %+v, %v", r, err)
		}
		r.WorkspaceID = ws2
		if _, err := q.UpdateRoutingRule(ctx, r); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another workspace updates the rule: %v", err)
		}

		reorder := func(ids ...int64) error {
			return db.Tx(ctx, func(q store.Q) error { return q.ReorderRoutingRules(ctx, ws, ids) })
		}
		if err := reorder(ids[2], ids[0], ids[1]); err != nil {
			t.Fatal(err)
		}
		if got := names(ws); got[0] != "c" || got[1] != "a" || got[2] != "b2" {
			t.Fatalf("after reorder %v", got)
		}
		other, _ := db.R().RoutingRules(ctx, ws2)
		for name, bad := range map[string][]int64{"missing one": {ids[0], ids[1]}, "twice": {ids[0], ids[0], ids[1]},
			"another workspace's": {ids[0], ids[1], other[0].ID}, "extra": {ids[0], ids[1], ids[2], ids[2] + 1000}} {
			if err := reorder(bad...); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if got := names(ws); got[0] != "c" || got[1] != "a" || got[2] != "b2" {
			t.Fatalf("a refused reorder changed the order: %v", got)
		}

		if err := db.Tx(ctx, func(q store.Q) error { return q.DeleteRoutingRule(ctx, ws2, ids[0]) }); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another workspace deletes the rule: %v", err)
		}
		if err := db.Tx(ctx, func(q store.Q) error { return q.DeleteRoutingRule(ctx, ws, ids[2]) }); err != nil {
			t.Fatal(err)
		}
		if got := names(ws); len(got) != 2 || got[0] != "a" || got[1] != "b2" {
			t.Fatalf("after delete %v", got) // names also checks positions are 1…n again
		}
		if r, err := q.CreateRoutingRule(ctx, store.RoutingRule{WorkspaceID: ws, Name: "d"}); err != nil || r.Position != 3 {
			t.Fatalf("appended %+v, %v", r, err)
		}
		if got := names(ws2); len(got) != 1 || got[0] != "other" {
			t.Errorf("ws2 rules %v", got)
		}
	})
}

func TestContactHistoryOf(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Fixture(t, db)
		ws := f.WS.ID
		q := db.W()
		ct, err := q.CreateContact(ctx, store.Contact{WorkspaceID: ws, Name: "Ana"})
		if err != nil {
			t.Fatal(err)
		}
		if h, err := q.ContactHistoryOf(ctx, ws, ct.ID); err != nil || h != (store.ContactHistory{}) {
			t.Fatalf("new contact: %+v, %v", h, err)
		}
		now := store.Now()
		conv := store.Conversation{WorkspaceID: ws, ContactID: ct.ID, ChannelID: f.Channel.ID, DepartmentID: &f.Financeiro.ID,
			Status: store.StatusOpen, Priority: "none", LastMessageAt: now, OpenedAt: now, CreatedAt: now, UpdatedAt: now}
		if _, err := q.InsertConversation(ctx, conv); err != nil {
			t.Fatal(err)
		}
		if h, _ := q.ContactHistoryOf(ctx, ws, ct.ID); h.ServedBefore || h.LastDepartmentID != f.Financeiro.ID {
			t.Fatalf("unresolved conversation: %+v", h)
		}
		if h, _ := q.ContactHistoryOf(ctx, f.WS2.ID, ct.ID); h != (store.ContactHistory{}) {
			t.Errorf("another workspace sees the history: %+v", h)
		}
		conv.Status, conv.ResolvedAt, conv.DepartmentID = store.StatusResolved, &now, &f.Vendas.ID
		if _, err := q.InsertConversation(ctx, conv); err != nil {
			t.Fatal(err)
		}
		if h, _ := q.ContactHistoryOf(ctx, ws, ct.ID); !h.ServedBefore || h.LastDepartmentID != f.Vendas.ID {
			t.Fatalf("after a resolved one: %+v", h)
		}
		if n, err := q.DepartmentName(ctx, ws, f.Financeiro.ID); err != nil || n != "Financeiro" {
			t.Errorf("DepartmentName = %q, %v", n, err)
		}
		if _, err := q.DepartmentName(ctx, f.WS2.ID, f.Financeiro.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another workspace's department: %v", err)
		}
	})
}
