package store_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

// TestMaintainedCountsMatchARecount moves conversations at random between
// statuses, departments and assignees (and deletes some through their
// contact) and checks that the counts the triggers keep equal a fresh count.
func TestMaintainedCountsMatchARecount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Fixture(t, db)
		rng := rand.New(rand.NewPCG(1, 2))
		depts := []*int64{nil, &f.Vendas.ID, &f.Financeiro.ID}
		users := []*int64{nil, &f.AgentA.ID, &f.AgentB.ID}
		var ids, contacts []int64
		err := db.Tx(ctx, func(q store.Q) error {
			for i := 0; i < 40; i++ {
				ct, err := q.CreateContact(ctx, store.Contact{WorkspaceID: f.WS.ID, Name: "c"})
				if err != nil {
					return err
				}
				now := store.Now()
				id, err := q.InsertConversation(ctx, store.Conversation{WorkspaceID: f.WS.ID, ContactID: ct.ID, ChannelID: f.Channel.ID,
					DepartmentID: depts[rng.IntN(3)], Status: store.StatusQueued, Priority: "none", LastMessageAt: now,
					WaitingSince: store.NotWaiting, OpenedAt: now, CreatedAt: now, UpdatedAt: now})
				if err != nil {
					return err
				}
				ids, contacts = append(ids, id), append(contacts, ct.ID)
			}
			for step := 0; step < 300; step++ {
				c, err := q.LockConversation(ctx, f.WS.ID, ids[rng.IntN(len(ids))])
				if err != nil {
					return err
				}
				before := c
				c.Status = []string{store.StatusBot, store.StatusQueued, store.StatusOpen, store.StatusSnoozed, store.StatusResolved}[rng.IntN(5)]
				c.DepartmentID, c.AssigneeID = depts[rng.IntN(3)], users[rng.IntN(3)]
				if c.Status != store.StatusResolved && before.Status == store.StatusResolved {
					c.Status = store.StatusResolved // reopening could break the one-unresolved invariant; not this test's subject
				}
				if err := q.SaveConversation(ctx, before, c); err != nil {
					return err
				}
			}
			for _, ct := range contacts[:10] {
				if _, err := q.DeleteContact(ctx, f.WS.ID, ct); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.R().ConversationCounts(ctx, f.WS.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[store.CountRow]bool{}
		for _, st := range store.Statuses {
			for _, d := range depts {
				for _, u := range users {
					page, err := db.R().ListConversations(ctx, f.AdminV(), store.ListFilter{Statuses: []string{st}, Limit: 200})
					if err != nil {
						t.Fatal(err)
					}
					n := int64(0)
					for _, c := range page.Items {
						if c.Dept() == deref(d) && c.Assignee() == deref(u) {
							n++
						}
					}
					if n > 0 {
						want[store.CountRow{Status: st, DepartmentID: deref(d), AssigneeID: deref(u), N: n}] = true
					}
				}
			}
		}
		if len(got) != len(want) {
			t.Fatalf("maintained counts %v, recount %v", got, want)
		}
		for _, r := range got {
			if !want[r] {
				t.Fatalf("maintained count %+v not in recount %v", r, want)
			}
		}
	})
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
