package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

// TestChannelsMigrationKeepsHistory upgrades a database holding an API
// channel with a conversation, messages, an attachment and a contact
// identity through migration 5 (which rebuilds channels on SQLite) and
// checks that every row survived, that foreign keys still hold and still
// cascade, and that the new kinds and columns work.
func TestChannelsMigrationKeepsHistory(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.OpenUnmigrated(t, engine)
			if _, err := db.MigrateTo(ctx, 4); err != nil {
				t.Fatalf("migrate to 4: %v", err)
			}
			w := db.W()
			exec := func(query string, args ...any) {
				t.Helper()
				if err := store.ExecRaw(ctx, w, query, args...); err != nil {
					t.Fatalf("%s: %v", query, err)
				}
			}
			count := func(query string, args ...any) int64 {
				t.Helper()
				n, err := store.QueryInt(ctx, w, query, args...)
				if err != nil {
					t.Fatalf("%s: %v", query, err)
				}
				return n
			}
			exec(`INSERT INTO workspaces (id, name, slug, created_at) VALUES (1, 'W', 'w', 1)`)
			exec(`INSERT INTO departments (id, workspace_id, name, is_default, created_at) VALUES (1, 1, 'Vendas', 1, 1)`)
			exec(`INSERT INTO channels (id, workspace_id, kind, name, token_hash, callback_url, secret, department_id, created_at)
				VALUES (7, 1, 'api', 'App', 'hash-7', 'https://app.example/cb', 'sealed', 1, 5)`)
			exec(`INSERT INTO contacts (id, workspace_id, name, created_at, updated_at) VALUES (3, 1, 'Ana', 1, 1)`)
			exec(`INSERT INTO contact_identities (workspace_id, contact_id, channel_id, external_id, created_at) VALUES (1, 3, 7, 'ana', 1)`)
			exec(`INSERT INTO conversations (id, workspace_id, contact_id, channel_id, department_id, status, last_message_at, opened_at, created_at, updated_at)
				VALUES (11, 1, 3, 7, 1, 'queued', 2, 2, 2, 2)`)
			exec(`INSERT INTO messages (id, workspace_id, conversation_id, kind, direction, sender_type, content, channel_id, external_id, created_at)
				VALUES (21, 1, 11, 'text', 'in', 'contact', 'oi', 7, 'm-1', 2), (22, 1, 11, 'media', 'in', 'contact', '', 7, 'm-2', 3)`)
			exec(`INSERT INTO attachments (workspace_id, message_id, filename, content_type, size, sha256, storage_key, created_at)
				VALUES (1, 22, 'a.png', 'image/png', 3, 'x', 'key', 3)`)

			if _, err := db.Migrate(ctx); err != nil {
				t.Fatalf("migrate to the latest: %v", err)
			}
			for table, want := range map[string]int64{"channels": 1, "contact_identities": 1, "conversations": 1, "messages": 2, "attachments": 1} {
				if n := count(`SELECT count(*) FROM ` + table); n != want {
					t.Errorf("%s: %d rows after the upgrade, want %d", table, n, want)
				}
			}
			if engine == storetest.SQLite {
				if n := count(`SELECT count(*) FROM pragma_foreign_key_check`); n != 0 {
					t.Errorf("foreign_key_check reports %d dangling references", n)
				}
				if n := count(`SELECT count(*) FROM sqlite_master WHERE sql LIKE '%channels_old%' OR sql LIKE '%channels_new%'`); n != 0 {
					t.Errorf("%d schema objects still name the rebuilt table's temporary names", n)
				}
				if n := count(`SELECT foreign_keys FROM pragma_foreign_keys`); n != 1 {
					t.Errorf("foreign keys are off on the writer after the migration")
				}
			}
			ch, err := db.R().Channel(ctx, 1, 7)
			if err != nil {
				t.Fatalf("read the channel back: %v", err)
			}
			if ch.Kind != "api" || ch.Name != "App" || ch.CallbackURL != "https://app.example/cb" || ch.Secret != "sealed" ||
				ch.DepartmentID == nil || *ch.DepartmentID != 1 || ch.CreatedAt != 5 || ch.Config != "" || ch.WebhookKey != "" {
				t.Errorf("channel after the upgrade: %+v", ch)
			}

			// the new kinds and columns
			tg, err := db.W().CreateChannel(ctx, store.Channel{WorkspaceID: 1, Kind: "telegram", Name: "Bot", Config: "sealed-config",
				WebhookKey: "key-1", Account: "atende_bot"}, "hash-8")
			if err != nil {
				t.Fatalf("create a telegram channel: %v", err)
			}
			if got, err := db.R().ChannelByWebhookKey(ctx, "telegram", "key-1"); err != nil || got.ID != tg.ID || got.Config != "sealed-config" || got.Account != "atende_bot" {
				t.Errorf("ChannelByWebhookKey: %+v, %v", got, err)
			}
			if _, err := db.R().ChannelByWebhookKey(ctx, "whatsapp", "key-1"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("ChannelByWebhookKey of another kind: %v, want not found", err)
			}
			if _, err := db.W().CreateChannel(ctx, store.Channel{WorkspaceID: 1, Kind: "telegram", Name: "Bot 2", WebhookKey: "key-1"}, "hash-9"); !errors.Is(err, store.ErrConflict) {
				t.Errorf("a second channel with the same webhook key: %v, want a conflict", err)
			}
			if err := store.ExecRaw(ctx, w, `INSERT INTO channels (workspace_id, kind, name, token_hash, created_at) VALUES (1, 'fax', 'x', 'h', 1)`); err == nil {
				t.Error("kind 'fax' was accepted")
			}
			for i, want := range []bool{true, false, false} {
				if first, err := db.W().RecordChannelEvent(ctx, tg.ID, "update:1"); err != nil || first != want {
					t.Errorf("RecordChannelEvent #%d = %v, %v; want %v", i+1, first, err, want)
				}
			}
			if seen, err := db.R().ChannelEventSeen(ctx, tg.ID, "update:1"); err != nil || !seen {
				t.Errorf("ChannelEventSeen = %v, %v", seen, err)
			}

			// deleting the channel still cascades into its history
			if _, err := db.W().DeleteChannel(ctx, 1, 7); err != nil {
				t.Fatalf("delete channel: %v", err)
			}
			for _, table := range []string{"contact_identities", "conversations", "messages", "attachments"} {
				if n := count(`SELECT count(*) FROM ` + table); n != 0 {
					t.Errorf("%s: %d rows after deleting their channel, want 0", table, n)
				}
			}
			if _, err := db.W().DeleteChannel(ctx, 1, tg.ID); err != nil {
				t.Fatalf("delete telegram channel: %v", err)
			}
			if n := count(`SELECT count(*) FROM channel_events`); n != 0 {
				t.Errorf("channel_events: %d rows after deleting their channel", n)
			}
		})
	}
}
