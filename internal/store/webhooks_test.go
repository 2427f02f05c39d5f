package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

func TestWebhookSubscriptionsAndDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Fixture(t, db)
		ws, ws2 := f.WS.ID, f.WS2.ID
		q := db.W()
		sub, err := q.CreateWebhook(ctx, store.WebhookSubscription{WorkspaceID: ws, URL: "https://hooks.example.com/a",
			Events: []string{"message.created"}, Secret: "v1:sealed", Active: true, Description: "CRM"})
		if err != nil {
			t.Fatal(err)
		}
		if sub.ID == 0 || !sub.Active || sub.Secret != "v1:sealed" || len(sub.Events) != 1 || sub.CreatedAt == 0 {
			t.Fatalf("created %+v", sub)
		}
		if _, err := q.Webhook(ctx, ws2, sub.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another workspace reads the subscription: %v", err)
		}
		if err := q.DeleteWebhook(ctx, ws2, sub.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another workspace deletes the subscription: %v", err)
		}
		sub.Events = []string{"conversation.created", "message.created"}
		sub.Description = "novo"
		if sub, err = q.UpdateWebhook(ctx, sub); err != nil || len(sub.Events) != 2 || sub.Description != "novo" {
			t.Fatalf("update: %+v, %v", sub, err)
		}
		if !sub.Wants("conversation.created") || sub.Wants("conversation.resolved") {
			t.Error("Wants disagrees with events")
		}
		if err := q.DisableWebhook(ctx, ws, sub.ID, "410"); err != nil {
			t.Fatal(err)
		}
		if s, _ := q.Webhook(ctx, ws, sub.ID); s.Active || s.DisabledReason != "410" {
			t.Errorf("disabled: %+v", s)
		}
		if list, err := db.R().Webhooks(ctx, ws2); err != nil || len(list) != 0 {
			t.Errorf("ws2 lists %v, %v", list, err)
		}

		var ids []int64
		for i := 0; i < 5; i++ {
			id, err := q.InsertDelivery(ctx, store.WebhookDelivery{WorkspaceID: ws, SubscriptionID: sub.ID, EventID: "msg_" + string(rune('a'+i)),
				EventType: "message.created", Payload: `{"n":1}`})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if _, err := q.InsertDelivery(ctx, store.WebhookDelivery{WorkspaceID: ws, SubscriptionID: sub.ID, EventID: "msg_a", EventType: "x", Payload: "{}"}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("a repeated event id: %v", err)
		}
		page, err := db.R().Deliveries(ctx, ws, sub.ID, 0, 2)
		if err != nil || len(page) != 2 || page[0].ID != ids[4] || page[1].ID != ids[3] {
			t.Fatalf("first page %v, %v", page, err)
		}
		page, _ = db.R().Deliveries(ctx, ws, sub.ID, page[1].ID, 10)
		if len(page) != 3 || page[0].ID != ids[2] {
			t.Errorf("second page %v", page)
		}
		if page, _ := db.R().Deliveries(ctx, ws2, sub.ID, 0, 10); len(page) != 0 {
			t.Errorf("ws2 sees %d deliveries", len(page))
		}

		long := strings.Repeat("é", 2000)
		if err := q.RecordDeliveryAttempt(ctx, ws, ids[0], store.DeliveryAttempt{Status: store.WebhookPending, StatusCode: 503, Error: long, Response: long}); err != nil {
			t.Fatal(err)
		}
		if err := q.RecordDeliveryAttempt(ctx, ws, ids[0], store.DeliveryAttempt{Status: store.WebhookDelivered, StatusCode: 200, Response: "ok"}); err != nil {
			t.Fatal(err)
		}
		d, err := q.Delivery(ctx, ws, ids[0])
		if err != nil || d.Attempts != 2 || d.Status != "delivered" || d.LastStatusCode != 200 || d.LastError != "" || d.ResponseSnippet != "ok" || d.DeliveredAt == nil {
			t.Errorf("after two attempts: %+v, %v", d, err)
		}
		if err := q.RecordDeliveryAttempt(ctx, ws, ids[1], store.DeliveryAttempt{Status: store.WebhookFailed, StatusCode: 500, Response: long}); err != nil {
			t.Fatal(err)
		}
		if d, _ := q.Delivery(ctx, ws, ids[1]); len(d.ResponseSnippet) > 1024 || d.DeliveredAt != nil || d.Status != "failed" {
			t.Errorf("snippet of %d bytes, %+v", len(d.ResponseSnippet), d)
		}
		if err := q.RequeueDelivery(ctx, ws, ids[1]); err != nil {
			t.Fatal(err)
		}
		if d, _ := q.Delivery(ctx, ws, ids[1]); d.Status != "pending" {
			t.Errorf("requeued: %s", d.Status)
		}
		if err := q.DeleteWebhook(ctx, ws, sub.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := q.Delivery(ctx, ws, ids[0]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deliveries outlived their subscription: %v", err)
		}
	})
}
