package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

func TestAssignmentStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Fixture(t, db)
		q := db.W()
		ws, vendas := f.WS.ID, f.Vendas.ID

		a, err := q.AssignmentSettings(ctx, ws, vendas)
		ok(t, err, "default settings")
		if a.Mode != store.AssignOff || a.QueueMessage != store.DefaultQueueMessage || a.QueueMessageEnabled {
			t.Errorf("default: %+v", a)
		}
		if _, err := q.AssignmentSettings(ctx, f.WS2.ID, vendas); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another workspace's department: %v", err)
		}
		if err := q.SetAssignmentSettings(ctx, store.AssignmentSettings{WorkspaceID: f.WS2.ID, DepartmentID: vendas, Mode: store.AssignLeastBusy}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("set another workspace's department: %v", err)
		}
		want := store.AssignmentSettings{WorkspaceID: ws, DepartmentID: vendas, Mode: store.AssignRoundRobin, DepartmentLimit: 4,
			ReleaseOnOffline: true, QueueMessageEnabled: true, QueueMessage: "pos {{position}}"}
		ok(t, q.SetAssignmentSettings(ctx, want), "set")
		want.Mode = store.AssignLeastBusy
		ok(t, q.SetAssignmentSettings(ctx, want), "update")
		got, err := q.AssignmentSettings(ctx, ws, vendas)
		ok(t, err, "read back")
		got.UpdatedAt = 0
		if got != want {
			t.Errorf("read back %+v, want %+v", got, want)
		}
		list, err := q.WorkspaceAssignmentSettings(ctx, ws)
		ok(t, err, "list")
		if len(list) != 1 || list[0].DepartmentID != vendas {
			t.Errorf("list: %+v", list)
		}
		if list, _ := q.WorkspaceAssignmentSettings(ctx, f.WS2.ID); len(list) != 0 {
			t.Errorf("WS2 sees %+v", list)
		}
		bad := want
		bad.Mode = "random"
		if err := q.SetAssignmentSettings(ctx, bad); err == nil {
			t.Error("a mode outside the CHECK was stored")
		}

		// the round-robin pointer starts at nobody and moves
		err = db.Tx(ctx, func(q store.Q) error {
			last, err := q.LockAssignment(ctx, vendas)
			if err != nil || last != 0 {
				t.Errorf("first lock: %d %v", last, err)
			}
			return q.SetAssignmentLast(ctx, vendas, f.AgentA.ID)
		})
		ok(t, err, "pointer tx")
		last, err := q.LockAssignment(ctx, vendas)
		if err != nil || last != f.AgentA.ID {
			t.Errorf("pointer after move: %d %v", last, err)
		}

		// only online, active members count, with their open load in any department
		ok(t, q.SetPresence(ctx, ws, f.AgentA.ID, store.PresenceOnline), "A online")
		ok(t, q.SetPresence(ctx, ws, f.AgentC.ID, store.PresenceAway), "C away")
		ok(t, q.SetPresence(ctx, ws, f.Supervisor.ID, store.PresenceOnline), "supervisor online")
		sup := f.Supervisor
		sup.Active = false
		ok(t, q.UpdateUser(ctx, sup), "deactivate supervisor")
		now := store.Now()
		conv := func(contact string, dept int64, status string, assignee *int64, waiting int64) store.Conversation {
			ct, err := q.CreateContact(ctx, store.Contact{WorkspaceID: ws, Name: contact})
			ok(t, err, "contact")
			c := store.Conversation{WorkspaceID: ws, ContactID: ct.ID, ChannelID: f.Channel.ID, DepartmentID: &dept, AssigneeID: assignee,
				Status: status, Priority: "none", WaitingSince: waiting, OpenedAt: now, CreatedAt: now, UpdatedAt: now}
			c.ID, err = q.InsertConversation(ctx, c)
			ok(t, err, "conversation")
			return c
		}
		a1 := f.AgentA.ID
		conv("o1", vendas, store.StatusOpen, &a1, now)
		conv("o2", f.Financeiro.ID, store.StatusOpen, &a1, now)
		conv("s1", vendas, store.StatusSnoozed, &a1, now)
		members, err := q.AssignableMembers(ctx, ws, vendas)
		ok(t, err, "members")
		if len(members) != 1 || members[0].UserID != a1 || members[0].Open != 2 {
			t.Errorf("assignable members: %+v", members)
		}
		open, err := q.OpenAssignedIn(ctx, ws, a1, vendas)
		ok(t, err, "open in Vendas")
		if len(open) != 1 {
			t.Errorf("open in Vendas: %v", open)
		}

		// queue order and positions: waiting_since, then id
		q3 := conv("q3", vendas, store.StatusQueued, nil, now+30)
		q1 := conv("q1", vendas, store.StatusQueued, nil, now+10)
		q2 := conv("q2", vendas, store.StatusQueued, nil, now+10)
		conv("other", f.Financeiro.ID, store.StatusQueued, nil, now)
		ids, err := q.QueuedConversations(ctx, ws, vendas, 10)
		ok(t, err, "queue")
		if len(ids) != 3 || ids[0] != q1.ID || ids[1] != q2.ID || ids[2] != q3.ID {
			t.Errorf("queue order %v, want %d %d %d", ids, q1.ID, q2.ID, q3.ID)
		}
		for i, c := range []store.Conversation{q1, q2, q3} {
			p, err := q.QueuePosition(ctx, c)
			if err != nil || p != int64(i+1) {
				t.Errorf("position of %d: %d %v, want %d", c.ID, p, err, i+1)
			}
		}
		if ids, _ := q.QueuedConversations(ctx, ws, vendas, 2); len(ids) != 2 {
			t.Errorf("limit: %v", ids)
		}

		// the last position told
		if p, err := q.QueueNotice(ctx, q1.ID); p != 0 || err != nil {
			t.Errorf("no notice yet: %d %v", p, err)
		}
		ok(t, q.SetQueueNotice(ctx, q1.ID, 3), "tell 3")
		ok(t, q.SetQueueNotice(ctx, q1.ID, 2), "tell 2")
		if p, _ := q.QueueNotice(ctx, q1.ID); p != 2 {
			t.Errorf("notice %d, want 2", p)
		}
		ok(t, q.SetQueueNotice(ctx, q1.ID, 0), "forget")
		if p, _ := q.QueueNotice(ctx, q1.ID); p != 0 {
			t.Errorf("forgotten notice %d", p)
		}
	})
}
