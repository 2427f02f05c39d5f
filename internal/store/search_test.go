package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

// TestSearchCommonAndRareWords covers both ways PostgreSQL search runs (a
// common word walks the newest messages; a rare one is read from the text
// index by id) and SQLite's single way: newest first, paged by id.
func TestSearchCommonAndRareWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Fixture(t, db)
		var rare []int64
		err := db.Tx(ctx, func(q store.Q) error {
			ct, err := q.CreateContact(ctx, store.Contact{WorkspaceID: f.WS.ID, Name: "Busca"})
			if err != nil {
				return err
			}
			now := store.Now()
			id, err := q.InsertConversation(ctx, store.Conversation{WorkspaceID: f.WS.ID, ContactID: ct.ID, ChannelID: f.Channel.ID,
				DepartmentID: &f.Vendas.ID, Status: store.StatusQueued, Priority: "none", LastMessageAt: now,
				WaitingSince: store.NotWaiting, OpenedAt: now, CreatedAt: now, UpdatedAt: now})
			if err != nil {
				return err
			}
			for i := 0; i < 600; i++ {
				text := fmt.Sprintf("mensagem comum número %d", i)
				if i%200 == 0 {
					text += " jabuticaba"
				}
				m, err := q.InsertMessage(ctx, store.Message{WorkspaceID: f.WS.ID, ConversationID: id, Kind: store.KindText,
					Direction: store.DirIn, SenderType: store.SenderContact, Content: text, ChannelID: f.Channel.ID, CreatedAt: now + int64(i)})
				if err != nil {
					return err
				}
				if i%200 == 0 {
					rare = append([]int64{m.ID}, rare...)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ids := func(hits []store.SearchHit) []int64 {
			out := make([]int64, len(hits))
			for i, h := range hits {
				out[i] = h.ID
			}
			return out
		}
		common, err := db.R().SearchMessages(ctx, f.AdminV(), "comum", 0, 20)
		ok(t, err, "search common")
		if len(common) != 20 {
			t.Fatalf("common word: %d hits, want a full page of 20", len(common))
		}
		for i := 1; i < len(common); i++ {
			if common[i].ID >= common[i-1].ID {
				t.Fatalf("common word hits not newest first: %v", ids(common))
			}
		}
		next, err := db.R().SearchMessages(ctx, f.AdminV(), "comum", common[19].ID, 20)
		ok(t, err, "search common, next page")
		if len(next) != 20 || next[0].ID >= common[19].ID {
			t.Fatalf("next page %v after %d", ids(next), common[19].ID)
		}
		got, err := db.R().SearchMessages(ctx, f.AdminV(), "jabuticaba", 0, 20)
		ok(t, err, "search rare")
		if fmt.Sprint(ids(got)) != fmt.Sprint(rare) {
			t.Fatalf("rare word hits %v, want %v", ids(got), rare)
		}
		got, err = db.R().SearchMessages(ctx, f.AdminV(), "jabuticaba", rare[0], 20)
		ok(t, err, "search rare, next page")
		if fmt.Sprint(ids(got)) != fmt.Sprint(rare[1:]) {
			t.Fatalf("rare word page 2 %v, want %v", ids(got), rare[1:])
		}
		none, err := db.R().SearchMessages(ctx, f.AgentBV(), "comum", 0, 20)
		ok(t, err, "search as another department")
		if len(none) != 0 {
			t.Fatalf("agent of Financeiro sees %d Vendas messages", len(none))
		}
	})
}
