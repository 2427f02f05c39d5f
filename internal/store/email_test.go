package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

func TestMailboxState(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			f := storetest.Fixture(t, db)
			ch := f.Channel.ID
			q := db.W()
			st, err := q.MailboxState(ctx, ch)
			if err != nil || st.UIDValidity != 0 || st.LastUID != 0 || st.PolledAt != 0 {
				t.Fatalf("never polled: %+v %v", st, err)
			}
			if err := q.MailboxPolled(ctx, ch, "IMAP login: bad password"); err != nil {
				t.Fatal(err)
			}
			if st, _ = q.MailboxState(ctx, ch); st.Error != "IMAP login: bad password" || st.PolledAt == 0 || st.LastUID != 0 {
				t.Fatalf("after a failed poll: %+v", st)
			}
			step := func(validity, uid, wantValidity, wantUID uint32) {
				t.Helper()
				if err := q.AdvanceMailbox(ctx, ch, validity, uid); err != nil {
					t.Fatal(err)
				}
				st, err := q.MailboxState(ctx, ch)
				if err != nil || st.UIDValidity != wantValidity || st.LastUID != wantUID || st.Error != "" {
					t.Fatalf("advance(%d, %d): %+v %v, want %d/%d", validity, uid, st, err, wantValidity, wantUID)
				}
			}
			step(7, 10, 7, 10)
			step(7, 4, 7, 10)                  // a slower node never moves it back
			step(7, 12, 7, 12)                 // forward
			step(4294967295, 3, 4294967295, 3) // renumbered mailbox: starts over (the full uint32 range fits)
			if err := q.MailboxPolled(ctx, ch, ""); err != nil {
				t.Fatal(err)
			}
			if st, _ = q.MailboxState(ctx, ch); st.LastUID != 3 || st.Error != "" {
				t.Fatalf("a clean poll changed the mark: %+v", st)
			}
		})
	}
}

func TestEmailThread(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			f := storetest.Fixture(t, db)
			ct, err := db.W().CreateContact(ctx, store.Contact{WorkspaceID: f.WS.ID, Name: "Bia"})
			if err != nil {
				t.Fatal(err)
			}
			now := store.Now()
			id, err := db.W().InsertConversation(ctx, store.Conversation{WorkspaceID: f.WS.ID, ContactID: ct.ID, ChannelID: f.Channel.ID,
				Status: store.StatusQueued, Priority: "none", LastMessageAt: now, OpenedAt: now, CreatedAt: now, UpdatedAt: now})
			if err != nil {
				t.Fatal(err)
			}
			q := db.W()
			if _, err := q.EmailThread(ctx, id); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("no thread yet: %v", err)
			}
			if err := q.AddToEmailThread(ctx, id, "Pedido 77", "a@x.example"); err != nil {
				t.Fatal(err)
			}
			if err := q.AddToEmailThread(ctx, id, "Re: Pedido 77", "b@x.example"); err != nil {
				t.Fatal(err)
			}
			if err := q.AddToEmailThread(ctx, id, "", "a@x.example"); err != nil { // seen again: moves to the end
				t.Fatal(err)
			}
			th, err := q.EmailThread(ctx, id)
			if err != nil || th.Subject != "Pedido 77" || th.LastMessageID != "a@x.example" || !reflect.DeepEqual(th.References, []string{"b@x.example", "a@x.example"}) {
				t.Fatalf("thread %+v %v", th, err)
			}
			for i := 0; i < 30; i++ {
				if err := q.AddToEmailThread(ctx, id, "", fmt.Sprintf("m%d@x.example", i)); err != nil {
					t.Fatal(err)
				}
			}
			th, _ = q.EmailThread(ctx, id)
			if len(th.References) != 20 || th.References[0] != "b@x.example" || th.LastMessageID != "m29@x.example" || th.References[19] != "m29@x.example" {
				t.Fatalf("capped thread keeps the root and the newest: %v", th.References)
			}
			// the thread goes with its conversation
			if _, err := q.DeleteChannel(ctx, f.WS.ID, f.Channel.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := q.EmailThread(ctx, id); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("thread outlived its conversation: %v", err)
			}
		})
	}
}
