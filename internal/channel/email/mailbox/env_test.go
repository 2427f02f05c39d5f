package mailbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/atende/atende/internal/blob"
	"github.com/atende/atende/internal/channel/email"
	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/secrets"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

// env is one workspace with an e-mail channel over a fresh database.
type env struct {
	t     *testing.T
	db    *store.DB
	fix   storetest.Fix
	conv  *conversation.Service
	blobs *blob.Store
	provs *providers.Settings
	ing   *Ingester
	ch    store.Channel
	cfg   Config
	log   *slog.Logger
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newEnv(t *testing.T, engine string, cfg Config) *env {
	t.Helper()
	db := storetest.Open(t, engine)
	e := &env{t: t, db: db, fix: storetest.Fixture(t, db), log: quietLog()}
	var err error
	if e.blobs, err = blob.New(filepath.Join(t.TempDir(), "blobs"), 1<<20); err != nil {
		t.Fatal(err)
	}
	box, err := secrets.New("mailbox test key")
	if err != nil {
		t.Fatal(err)
	}
	e.provs = &providers.Settings{Secrets: box}
	e.conv = conversation.New(db, nil, nil, e.log)
	e.ing = &Ingester{DB: db, Blobs: e.blobs, Conversations: e.conv, Log: e.log}
	if cfg.SMTP.Host == "" {
		cfg.SMTP = Server{Host: "127.0.0.1", Port: 1, TLS: TLSNone}
	}
	if cfg.ReplyKey == nil {
		cfg.ReplyKey = NewReplyKey()
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	e.cfg = cfg
	e.ch = e.addChannel(cfg)
	return e
}

func (e *env) addChannel(cfg Config) store.Channel {
	e.t.Helper()
	sealed, err := e.provs.SealConfig(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	ch, err := e.db.W().CreateChannel(context.Background(), store.Channel{WorkspaceID: e.fix.WS.ID, Kind: email.Kind, Name: "E-mail",
		Account: cfg.Address, Config: sealed}, "hash-"+cfg.Address)
	if err != nil {
		e.t.Fatal(err)
	}
	return ch
}

// withRunner runs the job queue with the e-mail deliverer.
func (e *env) withRunner() {
	r := jobs.New(e.db, e.log, 2)
	r.BaseBackoff = 20 * time.Millisecond
	e.conv = conversation.New(e.db, nil, r, e.log)
	e.ing.Conversations = e.conv
	d := &Deliverer{DB: e.db, Blobs: e.blobs, Status: e.conv, Providers: e.provs}
	r.Handle(conversation.JobDeliver, d.Handle)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	e.t.Cleanup(func() { cancel(); <-done })
}

// conversations counts the channel's conversations, any status.
func (e *env) conversations() int {
	e.t.Helper()
	page, err := e.db.R().ListConversations(context.Background(), e.fix.AdminV(), store.ListFilter{ChannelID: e.ch.ID, Limit: 200,
		Statuses: []string{store.StatusBot, store.StatusQueued, store.StatusOpen, store.StatusSnoozed, store.StatusResolved}})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(page.Items)
}

func (e *env) messages(convID int64) []store.Message {
	e.t.Helper()
	page, err := e.db.R().Messages(context.Background(), convID, "", 200)
	if err != nil {
		e.t.Fatal(err)
	}
	return page.Items
}

func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// rawMail builds a plain-text message.
func rawMail(from, to, subject, msgID, body string, extra ...string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: Mon, 3 Mar 2025 12:30:27 -0300\r\nMIME-Version: 1.0\r\n", from, to, subject, msgID)
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n") + "\r\n")
	return b.Bytes()
}

// recorder is a local SMTP server that keeps what it is sent.
type recorder struct {
	Addr string
	mu   sync.Mutex
	got  []recorded
	// reject, when set, answers DATA with it.
	reject *smtp.SMTPError
}

type recorded struct {
	From string
	To   []string
	Data []byte
}

func newRecorder(t *testing.T) *recorder {
	rec := &recorder{}
	srv := smtp.NewServer(rec)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rec.Addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return rec
}

func (rec *recorder) server() Server {
	host, port, _ := net.SplitHostPort(rec.Addr)
	var p int
	fmt.Sscan(port, &p)
	return Server{Host: host, Port: p, TLS: TLSNone}
}

func (rec *recorder) mails() []recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]recorded(nil), rec.got...)
}

func (rec *recorder) NewSession(*smtp.Conn) (smtp.Session, error) { return &recSession{rec: rec}, nil }

type recSession struct {
	rec  *recorder
	from string
	to   []string
}

func (s *recSession) Reset()        { s.from, s.to = "", nil }
func (s *recSession) Logout() error { return nil }
func (s *recSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *recSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *recSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.rec.mu.Lock()
	defer s.rec.mu.Unlock()
	if s.rec.reject != nil {
		return s.rec.reject
	}
	s.rec.got = append(s.rec.got, recorded{From: s.from, To: s.to, Data: b})
	return nil
}
