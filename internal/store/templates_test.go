package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

func TestChannelTemplates(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			f := storetest.Fixture(t, db)
			ws, ch := f.WS.ID, f.Channel.ID
			replace := func(at int64, list ...store.ChannelTemplate) error {
				return db.Tx(ctx, func(q store.Q) error { return q.ReplaceChannelTemplates(ctx, ws, ch, list, at) })
			}
			names := func(list []store.ChannelTemplate) []string {
				out := []string{}
				for _, x := range list {
					out = append(out, x.Name+"/"+x.Language)
				}
				return out
			}

			if s, err := db.R().TemplateSyncState(ctx, ws, ch); err != nil || s != (store.TemplateSync{}) {
				t.Fatalf("before any sync: %+v, %v", s, err)
			}
			if list, err := db.R().ChannelTemplates(ctx, ws, ch, false); err != nil || len(list) != 0 {
				t.Fatalf("before any sync: %v, %v", list, err)
			}

			order := store.ChannelTemplate{Name: "order_update", Language: "pt_BR", ExternalID: "1", Status: "APPROVED", Category: "UTILITY",
				ParameterFormat: "POSITIONAL", Body: "Olá {{1}}, pedido {{2}}", ParamCount: 2, HeaderFormat: "TEXT"}
			named := store.ChannelTemplate{Name: "hello_named", Language: "en_US", ExternalID: "2", Status: "APPROVED", Category: "MARKETING",
				ParameterFormat: "NAMED", Body: "Hi {{first_name}}", ParamCount: 1, ParamNames: []string{"first_name"}}
			pending := store.ChannelTemplate{Name: "pending_one", Language: "pt_BR", Status: "PENDING", Body: "Oi"}
			image := store.ChannelTemplate{Name: "promo_image", Language: "pt_BR", Status: "APPROVED", Body: "Promo", HeaderFormat: "IMAGE"}
			if err := replace(1000, order, named, pending, image); err != nil {
				t.Fatal(err)
			}
			all, err := db.R().ChannelTemplates(ctx, ws, ch, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(all); !reflect.DeepEqual(got, []string{"hello_named/en_US", "order_update/pt_BR", "pending_one/pt_BR", "promo_image/pt_BR"}) {
				t.Fatalf("all templates = %v", got)
			}
			sendable, err := db.R().ChannelTemplates(ctx, ws, ch, true)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(sendable); !reflect.DeepEqual(got, []string{"hello_named/en_US", "order_update/pt_BR"}) {
				t.Fatalf("sendable templates = %v", got)
			}
			for _, x := range all {
				if x.Sendable() != (x.Name == "hello_named" || x.Name == "order_update") {
					t.Errorf("%s: Sendable() = %v disagrees with the SQL filter", x.Name, x.Sendable())
				}
			}
			got, err := db.R().ChannelTemplate(ctx, ws, ch, "hello_named", "en_US")
			if err != nil {
				t.Fatal(err)
			}
			want := named
			want.ChannelID, want.WorkspaceID, want.SyncedAt = ch, ws, 1000
			if !reflect.DeepEqual(got, want) {
				t.Errorf("read back %+v\nwant %+v", got, want)
			}
			if got, _ := db.R().ChannelTemplate(ctx, ws, ch, "pending_one", "pt_BR"); got.ParamNames == nil || len(got.ParamNames) != 0 {
				t.Errorf("positional template param_names = %#v, want []", got.ParamNames)
			}
			if s, err := db.R().TemplateSyncState(ctx, ws, ch); err != nil || s.At != 1000 || s.Error != "" {
				t.Errorf("after a sync: %+v, %v", s, err)
			}

			// a first sync that fails leaves no time, only the reason
			if err := db.W().RecordTemplateSyncFailure(ctx, f.WS2.ID, f.Channel2.ID, "token expired"); err != nil {
				t.Fatal(err)
			}
			if s, _ := db.R().TemplateSyncState(ctx, f.WS2.ID, f.Channel2.ID); s.At != 0 || s.Error != "token expired" {
				t.Errorf("after a failed first sync: %+v", s)
			}

			// the other workspace sees none of it and cannot write it
			if _, err := db.R().ChannelTemplate(ctx, f.WS2.ID, ch, "hello_named", "en_US"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other workspace read one: %v", err)
			}
			if list, err := db.R().ChannelTemplates(ctx, f.WS2.ID, ch, false); err != nil || len(list) != 0 {
				t.Errorf("other workspace listed %v, %v", list, err)
			}
			if s, err := db.R().TemplateSyncState(ctx, f.WS2.ID, ch); err != nil || s != (store.TemplateSync{}) {
				t.Errorf("other workspace sync state %+v, %v", s, err)
			}
			err = db.Tx(ctx, func(q store.Q) error { return q.ReplaceChannelTemplates(ctx, f.WS2.ID, ch, nil, 1500) })
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other workspace replaced the list: %v", err)
			}
			if err := db.W().RecordTemplateSyncFailure(ctx, f.WS2.ID, ch, "x"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("other workspace recorded a failure: %v", err)
			}

			// a failed sync keeps the rows and the last good time, and says why
			if err := db.W().RecordTemplateSyncFailure(ctx, ws, ch, "Graph API down"); err != nil {
				t.Fatal(err)
			}
			if s, _ := db.R().TemplateSyncState(ctx, ws, ch); s.At != 1000 || s.Error != "Graph API down" {
				t.Errorf("after a failure: %+v", s)
			}
			if list, _ := db.R().ChannelTemplates(ctx, ws, ch, false); len(list) != 4 {
				t.Errorf("a failed sync left %d templates, want 4", len(list))
			}

			// the next sync drops what the provider no longer has and updates the rest
			order.Body, order.ParamCount = "Pedido {{1}}", 1
			if err := replace(3000, order, pending); err != nil {
				t.Fatal(err)
			}
			all, _ = db.R().ChannelTemplates(ctx, ws, ch, false)
			if got := names(all); !reflect.DeepEqual(got, []string{"order_update/pt_BR", "pending_one/pt_BR"}) {
				t.Fatalf("after the second sync = %v", got)
			}
			if all[0].Body != "Pedido {{1}}" || all[0].ParamCount != 1 || all[0].SyncedAt != 3000 {
				t.Errorf("updated template = %+v", all[0])
			}
			if s, _ := db.R().TemplateSyncState(ctx, ws, ch); s.At != 3000 || s.Error != "" {
				t.Errorf("a success did not clear the error: %+v", s)
			}
			if _, err := db.R().ChannelTemplate(ctx, ws, ch, "hello_named", "en_US"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a template removed at the provider is still read: %v", err)
			}

			// a failing write inside the transaction leaves the old list whole
			boom := errors.New("boom")
			err = db.Tx(ctx, func(q store.Q) error {
				if err := q.ReplaceChannelTemplates(ctx, ws, ch, []store.ChannelTemplate{named}, 4000); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatal(err)
			}
			if all, _ = db.R().ChannelTemplates(ctx, ws, ch, false); len(all) != 2 || all[0].SyncedAt != 3000 {
				t.Errorf("a rolled-back sync changed the list: %v", names(all))
			}

			// an empty list empties the channel; deleting the channel drops everything
			if err := replace(5000); err != nil {
				t.Fatal(err)
			}
			if list, _ := db.R().ChannelTemplates(ctx, ws, ch, false); len(list) != 0 {
				t.Errorf("empty sync left %v", names(list))
			}
			if err := replace(6000, order); err != nil {
				t.Fatal(err)
			}
			if _, err := db.W().DeleteChannel(ctx, ws, ch); err != nil {
				t.Fatal(err)
			}
			for _, table := range []string{"channel_templates", "channel_template_syncs"} {
				if n, err := store.QueryInt(ctx, db.W(), `SELECT count(*) FROM `+table+` WHERE channel_id = $1`, ch); err != nil || n != 0 {
					t.Errorf("%s after deleting the channel: %d rows, %v", table, n, err)
				}
			}
		})
	}
}
