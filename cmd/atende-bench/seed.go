package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/store"
)

// Tokens is what seed leaves for the load phases (bench-tokens.json).
type Tokens struct {
	WorkspaceID   int64   `json:"workspace_id"`
	AdminToken    string  `json:"admin_token"`
	AgentToken    string  `json:"agent_token"`
	AgentID       int64   `json:"agent_id"`
	ChannelToken  string  `json:"channel_token"`
	ChannelID     int64   `json:"channel_id"`
	Contacts      int64   `json:"contacts"`
	Conversations int64   `json:"conversations"`
	Messages      int64   `json:"messages"`
	SeedSeconds   float64 `json:"seed_seconds"`
}

type dbTarget struct {
	data, url string
}

func (t dbTarget) register(fs *flag.FlagSet) *dbTarget {
	fs.StringVar(&t.data, "data", "", "SQLite data directory (atende.db inside)")
	fs.StringVar(&t.url, "database-url", "", "postgres://… (instead of --data)")
	return &t
}

func (t dbTarget) sqlitePath() string {
	switch {
	case t.url == "":
		return filepath.Join(t.data, "atende.db")
	case strings.HasPrefix(t.url, "sqlite:"):
		return strings.TrimPrefix(t.url, "sqlite:")
	case strings.HasPrefix(t.url, "file:"):
		return strings.TrimPrefix(t.url, "file:")
	}
	return ""
}

func (t dbTarget) isPG() bool {
	return strings.HasPrefix(t.url, "postgres://") || strings.HasPrefix(t.url, "postgresql://")
}

// tokensPath is where seed writes and load reads the tokens.
func (t dbTarget) tokensPath(override string) string {
	if override != "" {
		return override
	}
	if t.data != "" {
		return filepath.Join(t.data, "bench-tokens.json")
	}
	return "bench-tokens.json"
}

// rawOpen opens the database through database/sql for bulk work. On SQLite
// durability is relaxed (synchronous=OFF, no FK checks): seeding is
// restartable and the data is generated consistent.
func (t dbTarget) rawOpen(bulk bool) (*sql.DB, error) {
	if t.isPG() {
		db, err := sql.Open("pgx", t.url)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(4)
		return db, nil
	}
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=temp_store(MEMORY)"
	if bulk {
		pragmas += "&_pragma=synchronous(OFF)&_pragma=foreign_keys(0)&_pragma=cache_size(-524288)"
	} else {
		// the store's own settings (internal/store/db.go)
		pragmas += "&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_pragma=cache_size(-65536)&_pragma=mmap_size(268435456)"
	}
	db, err := sql.Open("sqlite", "file:"+t.sqlitePath()+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

type seeder struct {
	db         *sql.DB
	pg         bool
	ws         int64
	channel    int64
	depts      []int64
	deptAgents [][]int64 // agents per department index
	agents     []int64
	n, m       int64
	contacts   int64
	now        int64
	rnd        *rand.Rand
	text       *textGen
}

func seedCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	t := dbTarget{}.register(fs)
	n := fs.Int64("conversations", 1000, "conversations to create")
	m := fs.Int64("messages", 10000, "messages to create")
	slug := fs.String("workspace-slug", "bench", "workspace slug")
	tokensFile := fs.String("tokens", "", "where to write the tokens JSON (default DATA/bench-tokens.json)")
	analyze := fs.Bool("analyze", false, "run ANALYZE at the end (always done on PostgreSQL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if t.data == "" && t.url == "" {
		return errors.New("seed: --data or --database-url is required")
	}
	started := time.Now()
	sdb, err := store.Open(ctx, t.url, t.data)
	if err != nil {
		return err
	}
	if _, err := sdb.Migrate(ctx); err != nil {
		sdb.Close()
		return err
	}
	sdb.Close()

	db, err := t.rawOpen(true)
	if err != nil {
		return err
	}
	defer db.Close()
	var existing int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM conversations`).Scan(&existing); err != nil {
		return err
	}
	if existing > 0 {
		return fmt.Errorf("seed: the database already holds %d conversations; seed a fresh one", existing)
	}
	positional = !t.isPG()
	s := &seeder{db: db, pg: t.isPG(), n: *n, m: *m, now: time.Now().UnixMilli(), rnd: rand.New(rand.NewPCG(1, 2))}
	s.text = newTextGen(rand.New(rand.NewPCG(3, 4)))
	s.contacts = max(1, s.n/4)
	tok, err := s.fixed(ctx, *slug)
	if err != nil {
		return err
	}
	fmt.Printf("seed: workspace %d, %d departments, %d agents, channel %d\n", s.ws, len(s.depts), len(s.agents), s.channel)
	if err := s.seedContacts(ctx); err != nil {
		return err
	}
	if err := s.seedConversations(ctx); err != nil {
		return err
	}
	if s.pg {
		for _, tb := range []string{"contacts", "contact_identities", "conversations", "messages"} {
			if _, err := db.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+tb+`', 'id'), (SELECT max(id) FROM `+tb+`))`); err != nil {
				return fmt.Errorf("seed: setval %s: %w", tb, err)
			}
		}
	}
	if s.pg || *analyze {
		t0 := time.Now()
		if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
			return err
		}
		fmt.Printf("seed: ANALYZE %.1fs\n", time.Since(t0).Seconds())
	}
	if !s.pg {
		if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return err
		}
	}
	tok.Contacts, tok.Conversations, tok.Messages = s.contacts, s.n, s.m
	tok.SeedSeconds = time.Since(started).Seconds()
	b, _ := json.MarshalIndent(tok, "", "  ")
	path := t.tokensPath(*tokensFile)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return err
	}
	total := float64(s.contacts*2 + s.n + s.m)
	fmt.Printf("seed: done in %.1fs (%d contacts, %d conversations, %d messages; %.0f rows/s overall); tokens in %s\n",
		tok.SeedSeconds, s.contacts, s.n, s.m, total/tok.SeedSeconds, path)
	return nil
}

func (s *seeder) insertID(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, q+" RETURNING id", args...).Scan(&id)
	return id, err
}

// fixed creates the workspace, departments, users, memberships, the API
// channel and the tokens.
func (s *seeder) fixed(ctx context.Context, slug string) (Tokens, error) {
	var tok Tokens
	now := s.now
	var err error
	s.ws, err = s.insertID(ctx, `INSERT INTO workspaces (name, slug, created_at) VALUES ($1, $2, $3)`, "Bench "+slug, slug, now)
	if err != nil {
		return tok, fmt.Errorf("seed: workspace: %w", err)
	}
	for i, name := range []string{"Vendas", "Suporte", "Financeiro", "Logística"} {
		id, err := s.insertID(ctx, `INSERT INTO departments (workspace_id, name, is_default, created_at) VALUES ($1, $2, $3, $4)`, s.ws, name, boolInt(i == 0), now)
		if err != nil {
			return tok, fmt.Errorf("seed: department: %w", err)
		}
		s.depts = append(s.depts, id)
	}
	s.deptAgents = make([][]int64, len(s.depts))
	admin, err := s.insertID(ctx, `INSERT INTO users (workspace_id, email, name, role, created_at) VALUES ($1, $2, $3, 'admin', $4)`,
		s.ws, "admin@"+slug+".bench", "Admin Bench", now)
	if err != nil {
		return tok, fmt.Errorf("seed: admin: %w", err)
	}
	for i := 0; i < 20; i++ {
		id, err := s.insertID(ctx, `INSERT INTO users (workspace_id, email, name, role, capacity, created_at) VALUES ($1, $2, $3, 'agent', 10, $4)`,
			s.ws, fmt.Sprintf("agente%02d@%s.bench", i+1, slug), firstNames[i%len(firstNames)]+" "+lastNames[(i*7)%len(lastNames)], now)
		if err != nil {
			return tok, fmt.Errorf("seed: agent: %w", err)
		}
		s.agents = append(s.agents, id)
		ds := []int{i % len(s.depts)}
		if i%3 == 0 {
			ds = append(ds, (i+1)%len(s.depts))
		}
		for _, d := range ds {
			if _, err := s.db.ExecContext(ctx, `INSERT INTO department_members (department_id, user_id) VALUES ($1, $2)`, s.depts[d], id); err != nil {
				return tok, err
			}
			s.deptAgents[d] = append(s.deptAgents[d], id)
		}
	}
	chToken, chHash := auth.NewToken(auth.PrefixChannel)
	s.channel, err = s.insertID(ctx, `INSERT INTO channels (workspace_id, kind, name, token_hash, created_at) VALUES ($1, 'api', 'API bench', $2, $3)`, s.ws, chHash, now)
	if err != nil {
		return tok, fmt.Errorf("seed: channel: %w", err)
	}
	mk := func(uid int64, name string) (string, error) {
		t, h := auth.NewToken(auth.PrefixUser)
		_, err := s.db.ExecContext(ctx, `INSERT INTO api_tokens (workspace_id, user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			s.ws, uid, name, h, t[:len(auth.PrefixUser)+4], now)
		return t, err
	}
	if tok.AdminToken, err = mk(admin, "bench admin"); err != nil {
		return tok, err
	}
	if tok.AgentToken, err = mk(s.agents[0], "bench agent"); err != nil {
		return tok, err
	}
	tok.WorkspaceID, tok.AgentID, tok.ChannelToken, tok.ChannelID = s.ws, s.agents[0], chToken, s.channel
	return tok, nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// positional makes multiInsert write "?" instead of "$n": modernc's SQLite
// looks every $n parameter up by name, which is quadratic in a statement of
// thousands of parameters.
var positional bool

// multiInsert builds "INSERT INTO t (cols) VALUES ($1,…),(…)" for rows rows.
func multiInsert(table, cols string, ncols, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
	p := 1
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := 0; c < ncols; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			if positional {
				b.WriteByte('?')
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(p))
			}
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// bulk writes rows of one table in multi-row INSERTs of batch rows through a
// prepared statement, inside the caller's transaction.
type bulk struct {
	table, cols string
	ncols       int
	batch       int
	buf         []any
	full        *sql.Stmt
	rows        int64
}

func newBulk(table, cols string, batch int) *bulk {
	return &bulk{table: table, cols: cols, ncols: len(strings.Split(cols, ",")), batch: batch}
}

func (b *bulk) add(ctx context.Context, tx *sql.Tx, vals ...any) error {
	b.buf = append(b.buf, vals...)
	if len(b.buf) >= b.batch*b.ncols {
		return b.flush(ctx, tx)
	}
	return nil
}

func (b *bulk) flush(ctx context.Context, tx *sql.Tx) error {
	if len(b.buf) == 0 {
		return nil
	}
	n := len(b.buf) / b.ncols
	var err error
	if n == b.batch {
		if b.full == nil {
			// prepared on the DB, used through tx.StmtContext
			return errors.New("bulk: statement not prepared")
		}
		_, err = tx.StmtContext(ctx, b.full).ExecContext(ctx, b.buf...)
	} else {
		_, err = tx.ExecContext(ctx, multiInsert(b.table, b.cols, b.ncols, n), b.buf...)
	}
	if err != nil {
		return fmt.Errorf("insert %s: %w", b.table, err)
	}
	b.rows += int64(n)
	b.buf = b.buf[:0]
	return nil
}

func (b *bulk) prepare(ctx context.Context, db *sql.DB) error {
	st, err := db.PrepareContext(ctx, multiInsert(b.table, b.cols, b.ncols, b.batch))
	b.full = st
	return err
}

func (s *seeder) seedContacts(ctx context.Context) error {
	t0 := time.Now()
	ct := newBulk("contacts", "id, workspace_id, name, name_search, phone, phone_digits, created_at, updated_at", 500)
	ci := newBulk("contact_identities", "id, workspace_id, contact_id, channel_id, external_id, created_at", 500)
	for _, b := range []*bulk{ct, ci} {
		if err := b.prepare(ctx, s.db); err != nil {
			return err
		}
		defer b.full.Close()
	}
	var tx *sql.Tx
	var err error
	for k := int64(1); k <= s.contacts; k++ {
		if tx == nil {
			if tx, err = s.db.BeginTx(ctx, nil); err != nil {
				return err
			}
		}
		name := firstNames[s.rnd.IntN(len(firstNames))] + " " + lastNames[s.rnd.IntN(len(lastNames))]
		created := s.now - 400*86400000 + k
		if err := ct.add(ctx, tx, k, s.ws, name, strings.ToLower(name), fmt.Sprintf("+55119%08d", k), fmt.Sprintf("55119%08d", k), created, created); err != nil {
			return err
		}
		if err := ci.add(ctx, tx, k, s.ws, k, s.channel, "c"+strconv.FormatInt(k, 10), created); err != nil {
			return err
		}
		if k%100000 == 0 || k == s.contacts {
			if err := ct.flush(ctx, tx); err != nil {
				return err
			}
			if err := ci.flush(ctx, tx); err != nil {
				return err
			}
			if err := tx.Commit(); err != nil {
				return err
			}
			tx = nil
		}
	}
	el := time.Since(t0).Seconds()
	fmt.Printf("seed: %d contacts + identities in %.1fs (%.0f rows/s)\n", s.contacts, el, float64(2*s.contacts)/el)
	return nil
}

// chunk is a slice of generated conversations with their messages.
type chunk struct {
	convs [][]any
	msgs  [][]any
}

const (
	convCols = "id, workspace_id, contact_id, channel_id, department_id, assignee_id, status, priority, assignee_replied, last_message_at, last_preview, " +
		"waiting_since, opened_at, first_reply_at, resolved_at, snoozed_until, created_at, updated_at"
	msgCols = "id, workspace_id, conversation_id, kind, direction, sender_type, sender_id, content, channel_id, status, created_at"
)

// generate produces conversations 1..n and messages 1..m in id order.
func (s *seeder) generate(ctx context.Context, out chan<- chunk) {
	defer close(out)
	rnd := rand.New(rand.NewPCG(5, 6))
	const span = int64(365 * 86400000)
	var msgID int64
	// cumulative message count with jitter: conversation i holds
	// cum(i) - cum(i-1) messages, cum monotone, cum(n) = m.
	cum := func(i int64) int64 {
		if i >= s.n {
			return s.m
		}
		j := (rnd.Float64() - 0.5) * 0.9
		return int64(float64(s.m) * (float64(i) + j) / float64(s.n))
	}
	prevCum := int64(0)
	const per = 2000
	var ch chunk
	for i := int64(1); i <= s.n; i++ {
		contact := (i-1)%s.contacts + 1
		last := i+s.contacts > s.n // the contact's newest conversation: may be unresolved
		status := store.StatusResolved
		if last && rnd.Float64() < 0.05*float64(s.n)/float64(s.contacts) {
			switch x := rnd.Float64(); {
			case x < 0.55:
				status = store.StatusOpen
			case x < 0.85:
				status = store.StatusQueued
			case x < 0.95:
				status = store.StatusSnoozed
			default:
				status = store.StatusBot
			}
		}
		di := rnd.IntN(len(s.depts))
		if rnd.Float64() < 0.4 {
			di = 0 // the default department gets more
		}
		dept := s.depts[di]
		var assignee any
		if status != store.StatusQueued && status != store.StatusBot {
			as := s.deptAgents[di]
			assignee = as[rnd.IntN(len(as))]
		}
		var opened, lastAt int64
		dur := 60000 + rnd.Int64N(2*86400000)
		if status == store.StatusResolved {
			opened = s.now - span + span*i/s.n - dur
			lastAt = opened + dur
		} else {
			lastAt = s.now - rnd.Int64N(3*86400000)
			opened = lastAt - dur
		}
		c := cum(i)
		if c < prevCum {
			c = prevCum
		}
		k := c - prevCum
		prevCum = c
		var preview string
		var replied int64
		for j := int64(0); j < k; j++ {
			msgID++
			at := opened
			if k > 1 {
				at = opened + (lastAt-opened)*j/(k-1)
			}
			txt := s.text.message(rnd)
			if j == k-1 {
				preview = txt
				if len(preview) > 100 {
					preview = preview[:100]
				}
			}
			if j%2 == 0 || assignee == nil {
				ch.msgs = append(ch.msgs, []any{msgID, s.ws, i, "text", "in", "contact", contact, txt, s.channel, "none", at})
			} else {
				replied = 1
				ch.msgs = append(ch.msgs, []any{msgID, s.ws, i, "text", "out", "user", assignee, txt, s.channel, "read", at})
			}
		}
		waiting := store.NotWaiting
		var firstReply, resolved, snoozed any
		switch status {
		case store.StatusQueued, store.StatusBot:
			waiting = lastAt
		case store.StatusOpen:
			if rnd.IntN(2) == 0 {
				waiting = lastAt
			}
		case store.StatusSnoozed:
			snoozed = s.now + 3600000 + rnd.Int64N(48*3600000)
		case store.StatusResolved:
			resolved = lastAt
		}
		if assignee != nil {
			firstReply = opened + 30000 + rnd.Int64N(600000)
			if firstReply.(int64) > lastAt {
				firstReply = lastAt
			}
		}
		ch.convs = append(ch.convs, []any{i, s.ws, contact, s.channel, dept, assignee, status, "none", replied, lastAt, preview,
			waiting, opened, firstReply, resolved, snoozed, opened, lastAt})
		if len(ch.convs) == per || i == s.n {
			select {
			case out <- ch:
			case <-ctx.Done():
				return
			}
			ch = chunk{}
		}
	}
}

func (s *seeder) seedConversations(ctx context.Context) error {
	t0 := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan chunk, 8)
	go s.generate(ctx, chunks)
	cb := newBulk("conversations", convCols, 200)
	mb := newBulk("messages", msgCols, 500)
	for _, b := range []*bulk{cb, mb} {
		if err := b.prepare(ctx, s.db); err != nil {
			return err
		}
		defer b.full.Close()
	}
	var tx *sql.Tx
	var err error
	var inTx int64
	lastReport := time.Now()
	for ch := range chunks {
		if tx == nil {
			if tx, err = s.db.BeginTx(ctx, nil); err != nil {
				return err
			}
		}
		for _, r := range ch.convs {
			if err := cb.add(ctx, tx, r...); err != nil {
				return err
			}
		}
		if err := cb.flush(ctx, tx); err != nil {
			return err
		}
		for _, r := range ch.msgs {
			if err := mb.add(ctx, tx, r...); err != nil {
				return err
			}
		}
		if err := mb.flush(ctx, tx); err != nil {
			return err
		}
		inTx += int64(len(ch.msgs) + len(ch.convs))
		if inTx >= 200000 {
			if err := tx.Commit(); err != nil {
				return err
			}
			tx, inTx = nil, 0
		}
		if time.Since(lastReport) > 10*time.Second {
			el := time.Since(t0).Seconds()
			fmt.Printf("seed: %d/%d conversations, %d/%d messages, %.0fs, %.0f rows/s\n", cb.rows, s.n, mb.rows, s.m, el, float64(cb.rows+mb.rows)/el)
			lastReport = time.Now()
		}
	}
	if tx != nil {
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	el := time.Since(t0).Seconds()
	fmt.Printf("seed: %d conversations + %d messages in %.1fs (%.0f rows/s, messages incl. FTS indexing)\n", cb.rows, mb.rows, el, float64(cb.rows+mb.rows)/el)
	return nil
}
