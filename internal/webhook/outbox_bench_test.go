package webhook_test

import (
	"context"
	"log/slog"
	"strconv"
	"testing"

	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/secrets"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
	"github.com/atende/atende/internal/webhook"
)

// BenchmarkOutbox measures what the webhook outbox adds to an inbound
// message on SQLite: "off" without an outbox, "unsubscribed" with one and
// no subscription in the workspace (a cached lookup), "subscribed" with a
// message.created subscription (a delivery row and a job per message, in
// the message's transaction).
func BenchmarkOutbox(b *testing.B) {
	box, err := secrets.New("benchmark secret key, not for production")
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	for _, mode := range []string{"off", "unsubscribed", "subscribed"} {
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, storetest.SQLite)
			f := storetest.Fixture(b, db)
			svc := conversation.New(db, nil, nil, log)
			if mode != "off" {
				svc.SetOutbox(webhook.New(db, box, &webhook.Guard{AllowPrivate: true}, nil, log))
			}
			if mode == "subscribed" {
				sealed, _ := box.Seal(webhook.NewSecret())
				if _, err := db.W().CreateWebhook(ctx, store.WebhookSubscription{WorkspaceID: f.WS.ID, URL: "http://127.0.0.1:9/",
					Events: []string{conversation.EventMessageCreated}, Secret: sealed, Active: true}); err != nil {
					b.Fatal(err)
				}
			}
			seq := 0
			for b.Loop() {
				seq++
				s := strconv.Itoa(seq)
				if _, err := svc.Receive(ctx, f.Channel, conversation.Inbound{ContactExternalID: "c" + strconv.Itoa(seq%100), ExternalID: "e" + s, Text: "segunda via do boleto " + s}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
