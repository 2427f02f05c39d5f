package store_test

import (
	"context"
	"fmt"
	"math/rand"
	"testing"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

// TestUnreadMarkers checks the unread rule (store.IsUnread) on every way a
// conversation reaches a user — one read, list pages of every kind, contact
// history — and the Mine unread count, against an oracle over random data:
// statuses, assignees, waiting or not, read markers of several users set
// before and after new customer messages.
func TestUnreadMarkers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Fixture(t, db)
		rng := rand.New(rand.NewSource(11))
		base := int64(1_700_000_000_000)
		readers := []access.Viewer{f.AdminV(), f.AgentAV(), f.SupervisorV(), f.AgentCV()}
		type mark struct {
			at int64
			ok bool
		}
		type convState struct {
			id    int64
			marks map[int64]mark // by user id
		}
		var convs []*convState
		contact, err := db.W().CreateContact(ctx, store.Contact{WorkspaceID: f.WS.ID, Name: "Leitor"})
		ok(t, err, "create contact")
		assignees := []int64{0, f.AgentA.ID, f.AgentA.ID, f.AgentC.ID, f.Admin.ID}
		for i := 0; i < 60; i++ {
			st := store.Statuses[rng.Intn(len(store.Statuses))]
			o := convOpts{dept: f.Vendas.ID, assignee: assignees[rng.Intn(len(assignees))], status: st,
				last: base + int64(rng.Intn(50))*1000, waiting: store.NotWaiting}
			if st != store.StatusResolved && rng.Intn(3) > 0 {
				o.waiting = o.last - 5000
			}
			if st != store.StatusResolved {
				o.contact = 0 // one unresolved conversation per contact and channel: each gets its own
			} else {
				o.contact = contact.ID
			}
			cs := &convState{id: insertConv(t, db, f, o), marks: map[int64]mark{}}
			convs = append(convs, cs)
			for _, v := range readers {
				if rng.Intn(2) == 0 {
					continue
				}
				at := base + int64(rng.Intn(60))*1000
				if err := db.W().MarkRead(ctx, v, cs.id, at); err != nil {
					// a reader who may not see it is refused, and nothing is recorded
					wantErr(t, err, store.ErrNotFound, "mark read of an invisible conversation")
					c, _ := db.R().LockConversation(ctx, f.WS.ID, cs.id)
					if v.CanSeeConversation(c.WorkspaceID, c.Dept(), c.Assignee()) {
						t.Fatalf("user %d may see conversation %d but could not mark it read", v.UserID, cs.id)
					}
					continue
				}
				cs.marks[v.UserID] = mark{max(at, o.last), true}
			}
			// sometimes the customer writes again after the marks
			if o.waiting != store.NotWaiting && rng.Intn(3) == 0 {
				err := db.Tx(ctx, func(q store.Q) error {
					c, err := q.LockConversation(ctx, f.WS.ID, cs.id)
					if err != nil {
						return err
					}
					after := c
					after.LastMessageAt = base + 100_000 + int64(i)
					return q.SaveConversation(ctx, c, after)
				})
				ok(t, err, "new customer message")
			}
		}
		// a mark never moves back, and one older than the last message counts from that message
		first := convs[0]
		ok(t, db.W().MarkRead(ctx, f.AdminV(), first.id, base+500_000), "mark read late")
		ok(t, db.W().MarkRead(ctx, f.AdminV(), first.id, base), "mark read early")
		at, has, err := db.R().ReadAt(ctx, f.Admin.ID, first.id)
		ok(t, err, "ReadAt")
		if !has || at != base+500_000 {
			t.Fatalf("read marker %d (%v), want %d: a marker moved back", at, has, base+500_000)
		}
		first.marks[f.Admin.ID] = mark{base + 500_000, true}
		// other workspaces and unknown conversations are not found
		wantErr(t, db.W().MarkRead(ctx, f.Admin2V(), first.id, base), store.ErrNotFound, "mark read from another workspace")
		wantErr(t, db.W().MarkRead(ctx, f.AdminV(), 99999999, base), store.ErrNotFound, "mark read of an unknown conversation")

		want := func(v access.Viewer, c store.Conversation) bool {
			for _, cs := range convs {
				if cs.id == c.ID {
					m := cs.marks[v.UserID]
					return c.Waiting() && c.Status != store.StatusResolved && (!m.ok || c.LastMessageAt > m.at)
				}
			}
			t.Fatalf("unknown conversation %d", c.ID)
			return false
		}
		check := func(what string, v access.Viewer, list []store.Conversation) int {
			t.Helper()
			unread := 0
			for _, c := range list {
				if c.Unread == nil {
					t.Fatalf("%s: conversation %d without the unread flag", what, c.ID)
				}
				if *c.Unread != want(v, c) {
					t.Errorf("%s: conversation %d unread=%v, want %v (status %s, waiting %v)", what, c.ID, *c.Unread, !*c.Unread, c.Status, c.Waiting())
				}
				if *c.Unread {
					unread++
				}
			}
			return unread
		}
		seen := 0
		for _, v := range readers {
			name := fmt.Sprintf("user %d", v.UserID)
			for _, view := range []string{store.ViewAll, store.ViewMine, store.ViewUnassigned, store.ViewSnoozed, store.ViewResolved} {
				for _, sort := range []string{store.SortLatest, store.SortWaiting} {
					var all []store.Conversation
					flt := store.ListFilter{View: view, Sort: sort, Limit: 7}
					for {
						p, err := db.R().ListConversations(ctx, v, flt)
						ok(t, err, "list")
						all = append(all, p.Items...)
						if p.NextCursor == "" {
							break
						}
						flt.Cursor = p.NextCursor
					}
					seen += check(name+" "+view+"/"+sort, v, all)
				}
			}
			for _, cs := range convs {
				c, err := db.R().Conversation(ctx, v, cs.id)
				if err != nil {
					wantErr(t, err, store.ErrNotFound, "get")
					continue
				}
				check(name+" get", v, []store.Conversation{c})
			}
			hist, err := db.R().ContactConversations(ctx, v, contact.ID, 100)
			ok(t, err, "contact conversations")
			check(name+" history", v, hist)

			// the Mine count: bot, queued and open conversations assigned to v, unread for v
			var wantMine int64
			for _, cs := range convs {
				c, err := db.R().LockConversation(ctx, f.WS.ID, cs.id)
				ok(t, err, "read conversation")
				if c.Assignee() == v.UserID && c.Status != store.StatusSnoozed && want(v, c) {
					wantMine++
				}
			}
			got, err := db.R().UnreadMine(ctx, v)
			ok(t, err, "UnreadMine")
			if got != wantMine {
				t.Errorf("%s: UnreadMine = %d, want %d", name, got, wantMine)
			}
		}
		if seen < 20 {
			t.Fatalf("only %d unread conversations listed: the data does not exercise the rule", seen)
		}

		// a star list carries the flag too; events (labels only) do not
		ok(t, db.W().SetStar(ctx, f.Admin.ID, first.id, true), "star")
		p, err := db.R().ListConversations(ctx, f.AdminV(), store.ListFilter{View: store.ViewStarred, Statuses: store.Statuses})
		ok(t, err, "starred")
		if len(p.Items) != 1 || check("starred", f.AdminV(), p.Items) < 0 {
			t.Fatalf("starred list %+v", p.Items)
		}
		c, err := db.R().LockConversation(ctx, f.WS.ID, first.id)
		ok(t, err, "lock")
		ok(t, db.R().WithLabels(ctx, &c), "WithLabels")
		if c.Unread != nil {
			t.Error("a conversation decorated for an event carries a personal unread flag")
		}
		if mine, err := db.R().UnreadMine(ctx, f.Admin2V()); err != nil || mine != 0 {
			t.Errorf("UnreadMine of another workspace's admin = %d, %v", mine, err)
		}
	})
}
