package store_test

// Benchmarks of the queries behind the inbox (DESIGN §4). Run with
//
//	go test -run '^$' -bench . -benchtime 2000x ./internal/store/
//
// The first page must cost the same at 1k, 100k and 1M conversations:
// compare ns/op across the conversations=… sub-benchmarks. The 1M database
// is skipped with -short. Seeding happens once per size and is excluded from
// the timings.

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/store"
)

type benchDB struct {
	dir    string
	db     *store.DB
	admin  access.Viewer
	agent  access.Viewer
	search []string
}

var (
	benchMu  sync.Mutex
	benchDBs = map[string]*benchDB{}
)

// seededDB returns a SQLite database with n conversations (about 5%
// unresolved, like a long-running helpdesk) and msgsPer messages each,
// built once per process with multi-row INSERTs.
func seededDB(b *testing.B, n, msgsPer int) *benchDB {
	b.Helper()
	key := fmt.Sprintf("%d/%d", n, msgsPer)
	benchMu.Lock()
	defer benchMu.Unlock()
	if d := benchDBs[key]; d != nil {
		return d
	}
	ctx := context.Background()
	// not b.TempDir: the database is shared by every benchmark of the
	// process and removed by TestMain
	dir, err := os.MkdirTemp("", "atende-bench-"+strings.ReplaceAll(key, "/", "-")+"-")
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, "", dir)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "atende.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)&_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	exec := func(q string, args ...any) {
		if _, err := raw.ExecContext(ctx, q, args...); err != nil {
			b.Fatalf("%s: %v", q[:min(60, len(q))], err)
		}
	}
	now := time.Now().UnixMilli()
	exec(`INSERT INTO workspaces (id, name, slug, created_at) VALUES (1, 'b', 'b', ?)`, now)
	for d := 1; d <= 4; d++ {
		exec(`INSERT INTO departments (id, workspace_id, name, is_default, created_at) VALUES (?, 1, ?, ?, ?)`, d, "d"+strconv.Itoa(d), d == 1, now)
	}
	exec(`INSERT INTO users (id, workspace_id, email, name, role, created_at) VALUES (1, 1, 'admin@b', 'admin', 'admin', ?)`, now)
	for u := 2; u <= 21; u++ {
		exec(`INSERT INTO users (id, workspace_id, email, name, role, created_at) VALUES (?, 1, ?, 'agent', 'agent', ?)`, u, "a"+strconv.Itoa(u)+"@b", now)
		exec(`INSERT INTO department_members (department_id, user_id) VALUES (?, ?)`, 1+u%4, u)
	}
	exec(`INSERT INTO department_members (department_id, user_id) VALUES (2, 2)`) // agent 2: departments 3 and 2
	exec(`INSERT INTO channels (id, workspace_id, kind, name, token_hash, created_at) VALUES (1, 1, 'api', 'api', 'h', ?)`, now)
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	words := strings.Fields("pedido entrega boleto obrigado prazo cartão troca reembolso jabuticaba nota fiscal segunda via")
	r := rand.New(rand.NewPCG(1, 1))
	flush := func(table, cols string, ncols int, rows []any) []any {
		if len(rows) == 0 {
			return rows
		}
		one := "(" + strings.TrimSuffix(strings.Repeat("?,", ncols), ",") + ")"
		q := "INSERT INTO " + table + " (" + cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+",", len(rows)/ncols), ",")
		if _, err := tx.ExecContext(ctx, q, rows...); err != nil {
			b.Fatalf("insert %s: %v", table, err)
		}
		return rows[:0]
	}
	var cts, convs, msgs []any
	contacts := max(1, n/4)
	for k := 1; k <= contacts; k++ {
		cts = append(cts, k, 1, "Cliente "+strconv.Itoa(k), now, now)
		if len(cts) >= 500*5 {
			cts = flush("contacts", "id, workspace_id, name, created_at, updated_at", 5, cts)
		}
	}
	flush("contacts", "id, workspace_id, name, created_at, updated_at", 5, cts)
	const convColsB = "id, workspace_id, contact_id, channel_id, department_id, assignee_id, status, last_message_at, waiting_since, opened_at, resolved_at, created_at, updated_at"
	const msgColsB = "id, workspace_id, conversation_id, kind, direction, sender_type, content, channel_id, created_at"
	mid := 0
	for i := 1; i <= n; i++ {
		status := "resolved"
		if i+contacts > n && r.Float64() < 0.2 {
			status = []string{"open", "open", "queued", "snoozed", "bot"}[r.IntN(5)]
		}
		dept := 1 + r.IntN(4)
		var assignee any
		if status != "queued" && status != "bot" {
			assignee = 2 + r.IntN(20)
		}
		last := now - int64(n-i)*(365*86400000/int64(n)) // a year of history
		waiting := store.NotWaiting
		var resolved any
		if status == "resolved" {
			resolved = last
		} else if status != "snoozed" {
			waiting = last
		}
		convs = append(convs, i, 1, 1+(i-1)%contacts, 1, dept, assignee, status, last, waiting, last-60000, resolved, last-60000, last)
		if len(convs) >= 200*13 {
			convs = flush("conversations", convColsB, 13, convs)
		}
		for j := 0; j < msgsPer; j++ {
			mid++
			txt := words[r.IntN(len(words))] + " " + words[r.IntN(len(words))] + " " + strconv.Itoa(r.IntN(100000))
			msgs = append(msgs, mid, 1, i, "text", "in", "contact", txt, 1, last-int64(msgsPer-j))
			if len(msgs) >= 500*9 {
				convs = flush("conversations", convColsB, 13, convs)
				msgs = flush("messages", msgColsB, 9, msgs)
			}
		}
	}
	flush("conversations", convColsB, 13, convs)
	flush("messages", msgColsB, 9, msgs)
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	d := &benchDB{dir: dir, db: db,
		admin:  access.Viewer{WorkspaceID: 1, UserID: 1, Role: access.RoleAdmin},
		agent:  access.Viewer{WorkspaceID: 1, UserID: 2, Role: access.RoleAgent, Scope: access.ScopeDepartment, DepartmentIDs: []int64{2, 3}},
		search: []string{"pedido", "reembolso", "segunda via", "12345", "inexistente"}}
	benchDBs[key] = d
	return d
}

// TestMain removes the benchmark databases when the test binary ends.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range benchDBs {
		d.db.Close()
		os.RemoveAll(d.dir)
	}
	os.Exit(code)
}

func sizes(b *testing.B) []int {
	if testing.Short() {
		return []int{1_000, 100_000}
	}
	return []int{1_000, 100_000, 1_000_000}
}

func BenchmarkListConversationsFirstPage(b *testing.B) {
	ctx := context.Background()
	for _, n := range sizes(b) {
		d := seededDB(b, n, 0)
		for _, c := range []struct {
			name string
			v    access.Viewer
			f    store.ListFilter
		}{
			{"agent-unassigned", d.agent, store.ListFilter{View: store.ViewUnassigned}},
			{"agent-mine", d.agent, store.ListFilter{View: store.ViewMine}},
			{"agent-all", d.agent, store.ListFilter{View: store.ViewAll}},
			{"admin-all", d.admin, store.ListFilter{View: store.ViewAll}},
			{"admin-all-waiting", d.admin, store.ListFilter{View: store.ViewAll, Sort: store.SortWaiting}},
		} {
			b.Run(fmt.Sprintf("conversations=%d/%s", n, c.name), func(b *testing.B) {
				for b.Loop() {
					p, err := d.db.R().ListConversations(ctx, c.v, c.f)
					if err != nil {
						b.Fatal(err)
					}
					if len(p.Items) == 0 {
						b.Fatal("empty page")
					}
				}
			})
		}
	}
}

func BenchmarkConversationCounts(b *testing.B) {
	ctx := context.Background()
	for _, n := range sizes(b) {
		d := seededDB(b, n, 0)
		b.Run(fmt.Sprintf("conversations=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := d.db.R().ConversationCounts(ctx, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSearchMessages(b *testing.B) {
	ctx := context.Background()
	d := seededDB(b, 20_000, 10) // 200k messages
	for _, q := range d.search {
		for _, who := range []struct {
			name string
			v    access.Viewer
		}{{"admin", d.admin}, {"agent", d.agent}} {
			b.Run(fmt.Sprintf("messages=200000/%s/q=%s", who.name, strings.ReplaceAll(q, " ", "+")), func(b *testing.B) {
				for b.Loop() {
					if _, err := d.db.R().SearchMessages(ctx, who.v, q, 0, 20); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
