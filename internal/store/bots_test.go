package store_test

import (
	"errors"
	"testing"

	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

// TestBots: bots per workspace, a department's bot, agent bot tokens and
// bot sessions, on both engines.
func TestBots(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			db := storetest.Open(t, engine)
			f := storetest.Fixture(t, db)
			ctx := t.Context()
			w := db.W()
			flow := []byte(`{"start":"a","steps":[{"id":"a","type":"handoff"}]}`)
			fb, err := w.CreateBot(ctx, store.Bot{WorkspaceID: f.WS.ID, Name: "Recepção", Kind: store.BotFlow, Enabled: true, Flow: flow})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.CreateBot(ctx, store.Bot{WorkspaceID: f.WS.ID, Name: "Recepção", Kind: store.BotFlow, Flow: flow}); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("same name twice: %v", err)
			}
			if _, err := w.CreateBot(ctx, store.Bot{WorkspaceID: f.WS2.ID, Name: "Recepção", Kind: store.BotFlow, Flow: flow}); err != nil {
				t.Fatalf("the same name in another workspace: %v", err)
			}
			ab, err := w.CreateBot(ctx, store.Bot{WorkspaceID: f.WS.ID, Name: "IA", Kind: store.BotAgent, Enabled: true, URL: "https://bot.example.com", TokenHash: "h1", TokenPrefix: "atb_x"})
			if err != nil {
				t.Fatal(err)
			}
			if got, err := w.BotByTokenHash(ctx, "h1"); err != nil || got.ID != ab.ID {
				t.Fatalf("by token: %+v %v", got, err)
			}
			if _, err := w.Bot(ctx, f.WS2.ID, fb.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("another workspace's bot: %v", err)
			}
			ab.Enabled = false
			if _, err := w.UpdateBot(ctx, ab); err != nil {
				t.Fatal(err)
			}
			if _, err := w.BotByTokenHash(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a disabled bot's token: %v", err)
			}

			if m, err := w.DepartmentBots(ctx, f.WS.ID); err != nil || len(m) != 0 {
				t.Fatalf("no bot yet: %v %v", m, err)
			}
			if err := w.SetDepartmentBot(ctx, f.WS2.ID, f.Dept2.ID, fb.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("another workspace's bot on a department: %v", err)
			}
			if err := w.SetDepartmentBot(ctx, f.WS.ID, f.Vendas.ID, fb.ID); err != nil {
				t.Fatal(err)
			}
			if m, err := w.DepartmentBots(ctx, f.WS.ID); err != nil || len(m) != 1 || m[f.Vendas.ID] != fb.ID {
				t.Fatalf("department bots: %v %v", m, err)
			}
			if got, err := w.Bot(ctx, f.WS.ID, fb.ID); err != nil || string(got.Flow) != string(flow) {
				t.Fatalf("the bot: %+v %v", got, err)
			}

			conv := insertConv(t, db, f, convOpts{dept: f.Vendas.ID, status: store.StatusBot})
			s := store.BotSession{ConversationID: conv, WorkspaceID: f.WS.ID, BotID: fb.ID, State: []byte(`{"step":"a","retries":0}`), StartedAt: 10, UpdatedAt: 10}
			if err := w.SaveBotSession(ctx, s); err != nil {
				t.Fatal(err)
			}
			s.State, s.StartedAt, s.UpdatedAt = []byte(`{"step":"a","retries":1}`), 20, 20
			if err := w.SaveBotSession(ctx, s); err != nil {
				t.Fatal(err)
			}
			got, err := w.BotSession(ctx, conv)
			if err != nil || got.StartedAt != 10 || got.UpdatedAt != 20 || string(got.State) != `{"step":"a","retries":1}` {
				t.Fatalf("session after an update by the same bot: %+v %v", got, err)
			}

			// deleting the bot frees its department and ends its sessions
			if err := w.DeleteBot(ctx, f.WS.ID, fb.ID); err != nil {
				t.Fatal(err)
			}
			d, err := w.Department(ctx, f.WS.ID, f.Vendas.ID)
			if err != nil || d.BotID != nil {
				t.Fatalf("Vendas after its bot was deleted: %+v %v", d, err)
			}
			if _, err := w.BotSession(ctx, conv); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("session of a deleted bot: %v", err)
			}
			if err := w.EndBotSession(ctx, conv); err != nil {
				t.Fatalf("ending no session: %v", err)
			}
		})
	}
}
