package httpapi_test

// The test harness: a real HTTP server (httptest) over a real store on
// every engine of storetest.Engines, with the event bus, realtime hub, blob
// store and job runner wired as cmd/atende/serve.go wires them, plus helpers
// to call the API as each fixture user and to snapshot the database.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/blob"
	"github.com/atende/atende/internal/channel/apichannel"
	"github.com/atende/atende/internal/channel/email"
	"github.com/atende/atende/internal/channel/email/mailbox"
	"github.com/atende/atende/internal/channel/meta"
	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/channel/sms"
	"github.com/atende/atende/internal/channel/telegram"
	"github.com/atende/atende/internal/channel/whatsapp"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/httpapi"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/realtime"
	"github.com/atende/atende/internal/secrets"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
	"github.com/atende/atende/internal/webhook"
	"github.com/atende/atende/internal/widget"
)

// Actor names: the fixture users, plus anon (no credentials).
const (
	actAdmin      = "admin"      // admin of WS
	actSupervisor = "supervisor" // supervisor of Vendas
	actAgentA     = "agentA"     // agent of Vendas, scope department
	actAgentB     = "agentB"     // agent of Financeiro, scope department
	actAgentC     = "agentC"     // agent of Vendas, scope assigned
	actAdmin2     = "admin2"     // admin of WS2
	actAgent2     = "agent2"     // agent of WS2's department
	actAnon       = "anon"
)

type harnessOptions struct {
	runner      bool
	backoff     time.Duration
	maxBlob     int64
	widgetFiles fs.FS
	widgetIPs   int
	proxies     []netip.Prefix
	webhooks    *webhook.Guard
}

type harnessOption func(*harnessOptions)

// withoutRunner leaves the job runner stopped, so nothing changes the
// database behind a test's back (authorization and bad-input snapshots).
func withoutRunner() harnessOption { return func(o *harnessOptions) { o.runner = false } }

// withBackoff sets the runner's first retry delay.
func withBackoff(d time.Duration) harnessOption { return func(o *harnessOptions) { o.backoff = d } }

// withWidgetFiles serves files as the built website widget.
func withWidgetFiles(files fs.FS) harnessOption {
	return func(o *harnessOptions) { o.widgetFiles = files }
}

// withWidgetSessionsPerIP sets the visitor sessions an address may open.
func withWidgetSessionsPerIP(n int) harnessOption { return func(o *harnessOptions) { o.widgetIPs = n } }

// withTrustedProxies trusts X-Forwarded-For from these proxies.
func withTrustedProxies(p ...netip.Prefix) harnessOption {
	return func(o *harnessOptions) { o.proxies = p }
}

// withWebhookGuard sets the webhooks' SSRF guard (the harness allows
// private addresses, where its receivers listen).
func withWebhookGuard(g *webhook.Guard) harnessOption {
	return func(o *harnessOptions) { o.webhooks = g }
}

// withMaxBlob sets the attachment size limit.
func withMaxBlob(n int64) harnessOption { return func(o *harnessOptions) { o.maxBlob = n } }

// testAPI is one running server with its own database and fixture.
type testAPI struct {
	t      testing.TB
	engine string
	db     *store.DB
	raw    *sql.DB // read-only handle on the same database, for snapshots
	fix    storetest.Fix
	srv    *httptest.Server
	api    *httpapi.Server
	conv   *conversation.Service
	bus    events.Bus
	hub    *realtime.Hub
	// visitors is the website widget's visitor hub
	visitors *widget.Hub
	blobs    *blob.Store
	blobDir  string
	runner   *jobs.Runner
	tables   []string
	tg       *fakeTelegram // the Telegram Bot API the server talks to
	wa       *fakeWhatsApp // the WhatsApp Cloud (Graph) API the server talks to
	meta     *fakeMeta     // the Messenger / Instagram Graph API and CDN
	sms      *fakeSMS      // the SMS provider's REST API the server talks to
	provs    *providers.Settings
	hooks    *webhook.Service // outbound webhooks

	tokens map[string]string     // bearer token per actor
	users  map[string]store.User // fixture user per actor
	seq    atomic.Int64
}

// forEachEngine runs fn as a parallel subtest per engine; the calling test
// runs in parallel with the other harness tests (each has its own server
// and database).
func forEachEngine(t *testing.T, fn func(t *testing.T, engine string)) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e, func(t *testing.T) {
			t.Parallel()
			fn(t, e)
		})
	}
}

// newTestAPI starts a server over a fresh database on engine.
func newTestAPI(t testing.TB, engine string, opts ...harnessOption) *testAPI {
	t.Helper()
	o := harnessOptions{runner: true, backoff: 20 * time.Millisecond, maxBlob: 1 << 20, webhooks: &webhook.Guard{AllowPrivate: true}}
	for _, fn := range opts {
		fn(&o)
	}
	ctx := context.Background()
	db, raw := openTestDB(t, engine)
	h := &testAPI{t: t, engine: engine, db: db, raw: raw, tokens: map[string]string{}, users: map[string]store.User{}}
	h.fix = storetest.Fixture(t, db)

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() && os.Getenv("ATENDE_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	h.bus = events.NewLocal()
	t.Cleanup(func() { h.bus.Close() })
	h.blobDir = filepath.Join(t.TempDir(), "attachments")
	var err error
	if h.blobs, err = blob.New(h.blobDir, o.maxBlob); err != nil {
		t.Fatal(err)
	}
	h.runner = jobs.New(db, log, 4)
	h.runner.BaseBackoff = o.backoff
	h.conv = conversation.New(db, h.bus, h.runner, log)
	box, err := secrets.New("harness secret key, not for production")
	if err != nil {
		t.Fatal(err)
	}
	h.tg = newFakeTelegram(t)
	h.wa = newFakeWhatsApp(t)
	h.sms = newFakeSMS(t)
	h.meta = newFakeMeta(t)
	provs := &providers.Settings{TelegramAPIURL: h.tg.URL, WhatsAppAPIURL: h.wa.apiURL(), SMSAPIURL: h.sms.URL, MetaAPIURL: h.meta.apiURL(), HTTP: &http.Client{Timeout: 5 * time.Second}, Secrets: box}
	h.provs = provs
	deliverer := &apichannel.Deliverer{DB: db, Blobs: h.blobs, Status: h.conv, Client: &http.Client{Timeout: 5 * time.Second}, Secrets: box}
	tgDeliverer := &providers.TelegramDeliverer{DB: db, Blobs: h.blobs, Status: h.conv, Providers: provs}
	waDeliverer := &providers.WhatsAppDeliverer{DB: db, Blobs: h.blobs, Status: h.conv, Providers: provs, Now: h.conv.Now}
	smsDeliverer := &providers.SMSDeliverer{DB: db, Blobs: h.blobs, Status: h.conv, Providers: provs}
	metaDeliverer := &providers.MetaDeliverer{DB: db, Blobs: h.blobs, Status: h.conv, Providers: provs, Now: h.conv.Now}
	dispatch := &providers.Dispatcher{DB: db, Status: h.conv, Kinds: map[string]jobs.Handler{
		apichannel.Kind:    deliverer.Handle,
		telegram.Kind:      tgDeliverer.Handle,
		whatsapp.Kind:      waDeliverer.Handle,
		sms.Kind:           smsDeliverer.Handle,
		meta.KindMessenger: metaDeliverer.Handle,
		meta.KindInstagram: metaDeliverer.Handle,
		widget.Kind:        widget.Deliverer{Status: h.conv}.Handle,
		email.Kind:         (&mailbox.Deliverer{DB: db, Blobs: h.blobs, Status: h.conv, Providers: provs}).Handle,
	}}
	h.runner.Handle(conversation.JobDeliver, dispatch.Handle)
	h.runner.Handle(conversation.JobWake, h.conv.HandleWake)
	h.runner.Handle(conversation.JobAssign, h.conv.HandleAssign)
	h.hooks = webhook.New(db, box, o.webhooks, h.runner, log)
	h.conv.SetOutbox(h.hooks)
	h.runner.Handle(webhook.JobDeliver, h.hooks.Handle)
	h.runner.Handle(conversation.JobBotEvent, h.hooks.HandleBotEvent)
	h.conv.AddOutbox(h.conv.RulesOutbox())
	h.conv.SetRuleWebhooks(h.hooks)
	h.runner.Handle(conversation.JobRules, h.conv.HandleRules)
	h.runner.Handle(conversation.JobRulesScan, h.conv.HandleRulesScan)

	if o.runner {
		rctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { h.runner.Run(rctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	h.hub = realtime.New(h.bus, log)
	h.visitors = widget.NewHub(h.bus, log)
	h.api = httpapi.New(httpapi.Deps{DB: db, Conversations: h.conv, Bus: h.bus, Hub: h.hub, WidgetHub: h.visitors, Blobs: h.blobs, Secrets: box,
		Jobs: h.runner, Log: log, Webhooks: h.hooks, Providers: provs, WidgetFiles: o.widgetFiles, WidgetSessionsPerIP: o.widgetIPs, TrustedProxies: o.proxies})
	h.srv = httptest.NewServer(h.api)
	t.Cleanup(h.srv.Close)
	t.Cleanup(func() { _ = h.hub.Close(); _ = h.visitors.Close() }) // runs before srv.Close: open sockets would hold it

	f := h.fix
	for name, u := range map[string]store.User{actAdmin: f.Admin, actSupervisor: f.Supervisor, actAgentA: f.AgentA, actAgentB: f.AgentB,
		actAgentC: f.AgentC, actAdmin2: f.Admin2, actAgent2: f.Agent2} {
		h.users[name] = u
		h.tokens[name] = h.newToken(u, "test "+name)
	}
	h.tables = h.listTables(ctx)
	return h
}

// newToken creates a personal API token for u directly in the store.
func (h *testAPI) newToken(u store.User, name string) string {
	h.t.Helper()
	token, hash := auth.NewToken(auth.PrefixUser)
	if _, err := h.db.W().CreateAPIToken(context.Background(), u.WorkspaceID, u.ID, name, hash, token[:len(auth.PrefixUser)+4]); err != nil {
		h.t.Fatalf("create token: %v", err)
	}
	return token
}

// openTestDB opens a fresh migrated database like storetest.Open does, and
// also a second, read-only handle on it for whole-database snapshots.
func openTestDB(t testing.TB, engine string) (*store.DB, *sql.DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var db *store.DB
	var raw *sql.DB
	var err error
	switch engine {
	case storetest.SQLite:
		path := filepath.Join(t.TempDir(), "atende.db")
		if db, err = store.Open(ctx, "sqlite:"+path, ""); err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		if raw, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)"); err != nil {
			t.Fatal(err)
		}
	case storetest.Postgres:
		base := os.Getenv(storetest.EnvPostgresURL)
		if base == "" {
			t.Skip(storetest.EnvPostgresURL + " not set")
		}
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		var b [8]byte
		_, _ = rand.Read(b[:])
		schema := "atende_h_" + hex.EncodeToString(b[:])
		if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
			admin.Close()
			t.Fatalf("create schema: %v", err)
		}
		t.Cleanup(func() {
			if err := storetest.DropSchema(admin, schema); err != nil {
				t.Errorf("drop schema %s: %v", schema, err)
			}
			admin.Close()
		})
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		qv := u.Query()
		qv.Set("search_path", schema)
		u.RawQuery = qv.Encode()
		if db, err = store.Open(ctx, u.String(), ""); err != nil {
			t.Fatalf("open postgres: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		if raw, err = sql.Open("pgx", u.String()); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("unknown engine %q", engine)
	}
	t.Cleanup(func() { raw.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db, raw
}

// ---- HTTP helpers ----

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a generic value (nil when it is not JSON).
func (r response) json() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.body, &m)
	return m
}

func (r response) into(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r response) String() string {
	b := r.body
	if len(b) > 300 {
		b = append(b[:300:300], "…"...)
	}
	return fmt.Sprintf("%d %s", r.status, bytes.TrimSpace(b))
}

// request is one call; body may be nil, a string or []byte (sent as is), or
// any value (sent as JSON).
type request struct {
	method, path string
	token        string // bearer token; "" for none
	body         any
	contentType  string // default application/json when there is a body
	header       http.Header
}

func (h *testAPI) send(rq request) response {
	h.t.Helper()
	var rd io.Reader
	ctype := rq.contentType
	switch b := rq.body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	case io.Reader:
		rd = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			h.t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(j)
	}
	if rd != nil && ctype == "" {
		ctype = "application/json"
	}
	req, err := http.NewRequest(rq.method, h.srv.URL+rq.path, rd)
	if err != nil {
		h.t.Fatalf("new request: %v", err)
	}
	for k, vs := range rq.header {
		req.Header[k] = vs
	}
	if ctype != "" && ctype != "-" {
		req.Header.Set("Content-Type", ctype)
	}
	if rq.token != "" {
		req.Header.Set("Authorization", "Bearer "+rq.token)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", rq.method, rq.path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("%s %s: read body: %v", rq.method, rq.path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body}
}

// do calls the API as the holder of token.
func (h *testAPI) do(method, path, token string, body any) response {
	h.t.Helper()
	return h.send(request{method: method, path: path, token: token, body: body})
}

// as calls the API as a named actor.
func (h *testAPI) as(actor, method, path string, body any) response {
	h.t.Helper()
	return h.do(method, path, h.tokens[actor], body)
}

// must calls the API as actor and fails the test unless it answers want.
func (h *testAPI) must(want int, actor, method, path string, body any) response {
	h.t.Helper()
	r := h.as(actor, method, path, body)
	if r.status != want {
		h.t.Fatalf("%s %s as %s: got %s, want %d", method, path, actor, r, want)
	}
	return r
}

// ---- domain helpers ----

func (h *testAPI) uniq(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, h.seq.Add(1))
}

type inboundResult struct {
	MessageID      int64 `json:"message_id"`
	ConversationID int64 `json:"conversation_id"`
	ContactID      int64 `json:"contact_id"`
	Duplicate      bool  `json:"duplicate"`
}

// inboundBody is the documented API-channel body.
func inboundBody(msgID, contactID, text string) map[string]any {
	return map[string]any{"message_id": msgID, "contact": map[string]any{"id": contactID, "name": "Cliente " + contactID}, "text": text}
}

// inbound posts a customer message through the API channel and expects want.
func (h *testAPI) inbound(channelToken string, body any, want int) inboundResult {
	h.t.Helper()
	r := h.do(http.MethodPost, "/api/v1/channels/api/messages", channelToken, body)
	if r.status != want {
		h.t.Fatalf("inbound: got %s, want %d", r, want)
	}
	var res inboundResult
	if want < 300 {
		r.into(h.t, &res)
	}
	return res
}

// pngBytes is a tiny valid PNG file (sniffed as image/png).
var pngBytes = func() []byte {
	b, _ := base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
	return b
}()

// convRef is a conversation built for a test, with its first customer
// message and that message's attachment.
type convRef struct {
	ID, MessageID, AttachmentID, ContactID int64
	Customer                               string // the contact's id in the app
	ws                                     int64
}

// Conversation targets of the authorization matrix.
const (
	tgtVendas = "vendas"   // WS, Vendas queue
	tgtFin    = "fin"      // WS, Financeiro queue
	tgtMineC  = "assigned" // WS, Vendas, open and assigned to AgentC
	tgtWS2    = "ws2"      // the other workspace
)

// Conversation states a fresh conversation can be put in.
const (
	stQueued   = "queued"
	stOpen     = "open" // assigned to the department's agent (AgentC for tgtMineC)
	stSnoozed  = "snoozed"
	stResolved = "resolved"
)

// newConv creates a conversation of target kind in state st: a customer
// message with a PNG attachment through the API channel, then moves made as
// the workspace admin.
func (h *testAPI) newConv(target, st string) convRef {
	h.t.Helper()
	return h.newConvWith(target, st, true)
}

// newConvWith is newConv, with or without the attachment.
func (h *testAPI) newConvWith(target, st string, attachment bool) convRef {
	h.t.Helper()
	ctx := context.Background()
	f := h.fix
	token, admin := f.ChannelToken, f.AdminV()
	if target == tgtWS2 {
		token, admin = f.Channel2Token, f.Admin2V()
	}
	contact := h.uniq("cust")
	body := inboundBody(h.uniq("msg"), contact, "Olá, preciso de ajuda "+contact)
	if attachment {
		body["attachment"] = map[string]any{"filename": "foto.png", "data": base64.StdEncoding.EncodeToString(pngBytes)}
	}
	res := h.inbound(token, body, http.StatusCreated)
	ref := convRef{ID: res.ConversationID, MessageID: res.MessageID, ContactID: res.ContactID, Customer: contact, ws: admin.WorkspaceID}
	if attachment {
		m, err := h.db.R().MessageByID(ctx, admin.WorkspaceID, res.MessageID)
		if err != nil || len(m.Attachments) != 1 {
			h.t.Fatalf("inbound attachment: %v %+v", err, m.Attachments)
		}
		ref.AttachmentID = m.Attachments[0].ID
	}
	check := func(_ store.Conversation, err error) {
		h.t.Helper()
		if err != nil {
			h.t.Fatalf("prepare %s/%s conversation: %v", target, st, err)
		}
	}
	switch target {
	case tgtFin:
		check(h.conv.Transfer(ctx, admin, ref.ID, f.Financeiro.ID, 0))
	case tgtMineC:
		check(h.conv.Assign(ctx, admin, ref.ID, f.AgentC.ID))
	}
	if st == stOpen && target != tgtMineC {
		agent := map[string]int64{tgtVendas: f.AgentA.ID, tgtFin: f.AgentB.ID, tgtWS2: f.Agent2.ID}[target]
		check(h.conv.Assign(ctx, admin, ref.ID, agent))
	}
	switch st {
	case stSnoozed:
		check(h.conv.Snooze(ctx, admin, ref.ID, time.Now().Add(24*time.Hour)))
	case stResolved:
		check(h.conv.Resolve(ctx, admin, ref.ID, 0))
	}
	return ref
}

// conversation reads a conversation as the admin of its workspace.
func (h *testAPI) conversation(ws, id int64) store.Conversation {
	h.t.Helper()
	v := access.Viewer{WorkspaceID: ws, Role: access.RoleAdmin}
	c, err := h.db.R().Conversation(context.Background(), v, id)
	if err != nil {
		h.t.Fatalf("read conversation %d: %v", id, err)
	}
	return c
}

// messages returns every message of a conversation, oldest first.
func (h *testAPI) messages(id int64) []store.Message {
	h.t.Helper()
	page, err := h.db.R().Messages(context.Background(), id, "", 200)
	if err != nil {
		h.t.Fatalf("messages of %d: %v", id, err)
	}
	return page.Items
}

// message reads one message.
func (h *testAPI) message(ws, id int64) store.Message {
	h.t.Helper()
	m, err := h.db.R().MessageByID(context.Background(), ws, id)
	if err != nil {
		h.t.Fatalf("message %d: %v", id, err)
	}
	return m
}

// multipartFile builds a multipart/form-data body with one "file" part.
func multipartFile(field, filename string, content []byte) (body []byte, contentType string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile(field, filename)
	_, _ = fw.Write(content)
	_ = mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// upload sends a file to POST /api/v1/attachments as actor.
func (h *testAPI) upload(actor, filename string, content []byte) response {
	h.t.Helper()
	body, ctype := multipartFile("file", filename, content)
	return h.send(request{method: http.MethodPost, path: "/api/v1/attachments", token: h.tokens[actor], body: body, contentType: ctype})
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(15 * time.Millisecond)
	}
}

// ---- database snapshots ----

// volatileColumns change on their own (the token "last used" stamp is
// written in the background on every authenticated request).
var volatileColumns = map[string]bool{"api_tokens.last_used_at": true}

func (h *testAPI) listTables(ctx context.Context) []string {
	h.t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'messages_fts%'`
	if h.engine == storetest.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := h.raw.QueryContext(ctx, q)
	if err != nil {
		h.t.Fatalf("list tables: %v", err)
	}
	defer rows.Close()
	var list []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			h.t.Fatal(err)
		}
		list = append(list, n)
	}
	sort.Strings(list)
	if len(list) < 15 {
		h.t.Fatalf("only %d tables found: %v", len(list), list)
	}
	return list
}

// dbSnapshot is a digest of every row of every table, per table, plus the
// files in blob storage.
type dbSnapshot map[string]string

func (h *testAPI) snapshot() dbSnapshot {
	h.t.Helper()
	snap := h.snapshotTables(h.tables...)
	snap["files"] = fmt.Sprintf("%d blob files", h.blobFiles())
	return snap
}

// snapshotTables digests only the named tables.
func (h *testAPI) snapshotTables(tables ...string) dbSnapshot {
	h.t.Helper()
	ctx := context.Background()
	snap := dbSnapshot{}
	for _, table := range tables {
		rows, err := h.raw.QueryContext(ctx, `SELECT * FROM `+table)
		if err != nil {
			h.t.Fatalf("snapshot %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				h.t.Fatalf("snapshot %s: %v", table, err)
			}
			var b strings.Builder
			for i, v := range vals {
				if volatileColumns[table+"."+cols[i]] {
					continue
				}
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%s=%v|", cols[i], v)
			}
			lines = append(lines, b.String())
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			h.t.Fatalf("snapshot %s: %v", table, err)
		}
		sort.Strings(lines)
		sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
		snap[table] = fmt.Sprintf("%d rows %x", len(lines), sum[:8])
	}
	return snap
}

// blobFiles counts the files in blob storage.
func (h *testAPI) blobFiles() int {
	n := 0
	_ = filepath.WalkDir(h.blobDir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// diff lists what changed between two snapshots.
func (s dbSnapshot) diff(after dbSnapshot) []string {
	var out []string
	for k, v := range s {
		if after[k] != v {
			out = append(out, fmt.Sprintf("%s: %s → %s", k, v, after[k]))
		}
	}
	sort.Strings(out)
	return out
}

// count runs a count query on the read-only handle.
func (h *testAPI) count(query string, args ...any) int64 {
	h.t.Helper()
	var n int64
	if err := h.raw.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		h.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// assertErrorEnvelope checks the JSON error body {"error":{"code","message"}}.
func assertErrorEnvelope(t testing.TB, r response, what string) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: error Content-Type %q, want application/json (body %s)", what, ct, r)
		return
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &env); err != nil {
		t.Errorf("%s: error body is not JSON: %s", what, r)
		return
	}
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if len(env) != 1 || json.Unmarshal(env["error"], &e) != nil || e.Code == "" || e.Message == "" {
		t.Errorf("%s: body is not the error envelope: %s", what, r)
	}
}
