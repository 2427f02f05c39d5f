package demo_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/demo"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

func TestFillMakesALivingInboxOnce(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	ctx := context.Background()
	convs := conversation.New(db, nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	logins, err := demo.Fill(ctx, db, convs)
	if err != nil {
		t.Fatal(err)
	}
	if len(logins) != 6 {
		t.Fatalf("%d logins, want admin + supervisor + 4 agents", len(logins))
	}
	ws, err := db.R().WorkspaceBySlug(ctx, demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	depts, _ := db.R().Departments(ctx, ws.ID)
	names := map[string]bool{}
	for _, d := range depts {
		names[d.Name] = true
	}
	for _, n := range []string{"Vendas", "Financeiro", "Suporte"} {
		if !names[n] {
			t.Fatalf("department %s missing: %v", n, names)
		}
	}
	admin := access.Viewer{WorkspaceID: ws.ID, Role: access.RoleAdmin}
	seen := map[string]int{}
	for _, st := range store.Statuses {
		page, err := db.R().ListConversations(ctx, admin, store.ListFilter{Statuses: []string{st}, Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		seen[st] = len(page.Items)
	}
	for _, st := range []string{store.StatusQueued, store.StatusOpen, store.StatusSnoozed, store.StatusResolved} {
		if seen[st] == 0 {
			t.Fatalf("no %s conversation in the demo: %v", st, seen)
		}
	}
	if total := seen[store.StatusQueued] + seen[store.StatusOpen] + seen[store.StatusSnoozed] + seen[store.StatusResolved]; total != 50 {
		t.Fatalf("%d conversations, want 50", total)
	}
	hits, err := db.R().SearchMessages(ctx, admin, "boleto", 0, 20)
	if err != nil || len(hits) == 0 {
		t.Fatalf("demo messages are not searchable: %v %v", hits, err)
	}
	u, err := db.R().UserByEmail(ctx, logins[0].Email)
	if err != nil || auth.CheckPassword(u.PasswordHash, demo.Password) != nil {
		t.Fatalf("demo login does not work: %v", err)
	}

	if _, err := demo.Fill(ctx, db, convs); err != nil {
		t.Fatal(err)
	}
	page, _ := db.R().ListConversations(ctx, admin, store.ListFilter{Statuses: store.Statuses, Limit: 200})
	if len(page.Items) != 50 {
		t.Fatalf("second Fill changed the demo: %d conversations", len(page.Items))
	}
}
