package mailbox

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

// imapServer is a local IMAP server holding one user's INBOX.
type imapServer struct {
	user *imapmemserver.User
	cfg  Server
}

func newIMAPServer(t *testing.T) *imapServer {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("help", "s3cret")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return idleReporting{mem.NewSession()}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
		Logger:       nopLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	p, _ := strconv.Atoi(port)
	return &imapServer{user: user, cfg: Server{Host: "127.0.0.1", Port: p, TLS: TLSNone, Username: "help", Password: "s3cret", Mailbox: "INBOX"}}
}

// idleReporting makes the in-memory server report news during IDLE the
// way production servers do. The library's IDLE only wakes on updates
// queued after it starts, so a mail appended between the client's NOOP and
// its IDLE would wait for the next change; here IDLE first reports what is
// pending and looks again every 100 ms.
type idleReporting struct{ imapserver.Session }

func (s idleReporting) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	for {
		if err := s.Poll(w, true); err != nil {
			return err
		}
		round := make(chan struct{})
		timer := time.AfterFunc(100*time.Millisecond, func() { close(round) })
		err := s.Session.Idle(w, round)
		timer.Stop()
		if err != nil {
			return err
		}
		select {
		case <-stop:
			return nil
		default:
		}
	}
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

func (s *imapServer) deliver(t *testing.T, raw []byte) {
	t.Helper()
	if _, err := s.user.Append("INBOX", bytes.NewReader(raw), &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestIMAPPoller: the poller imports the mailbox's mail, keeps its UID
// mark across a restart (nothing imported twice, nothing missed while it
// was down), and picks up a new mail at once through IDLE.
func TestIMAPPoller(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			srv := newIMAPServer(t)
			e := newEnv(t, engine, Config{Address: "help@shop.example", IMAP: &srv.cfg})
			ctx := context.Background()
			srv.deliver(t, rawMail("ana@cliente.example", "help@shop.example", "Um", "i1@cliente.example", "primeira"))
			srv.deliver(t, rawMail("bia@cliente.example", "help@shop.example", "Dois", "i2@cliente.example", "segunda"))

			stored := func(id string) bool {
				_, err := e.db.R().MessageByExternalID(ctx, e.ch.ID, id)
				return err == nil
			}
			// a long interval: only IDLE can pick up the third mail in time
			run := func() (stop func()) {
				p := &Poller{DB: e.db, Providers: e.provs, Ingester: e.ing, Log: e.log, Interval: time.Minute}
				cctx, cancel := context.WithCancel(ctx)
				done := make(chan struct{})
				go func() { p.Run(cctx); close(done) }()
				return func() { cancel(); <-done }
			}
			stop := run()
			eventually(t, 20*time.Second, "the first two mails", func() bool { return stored("i1@cliente.example") && stored("i2@cliente.example") })
			srv.deliver(t, rawMail("ana@cliente.example", "help@shop.example", "Re: Um", "i3@cliente.example", "terceira"))
			eventually(t, 20*time.Second, "the mail delivered while idling", func() bool { return stored("i3@cliente.example") })
			eventually(t, 20*time.Second, "UID mark 3", func() bool {
				st, err := e.db.R().MailboxState(ctx, e.ch.ID)
				return err == nil && st.LastUID == 3 && st.UIDValidity != 0 && st.Error == ""
			})
			stop()

			// while the poller is down a fourth mail comes; after the
			// restart it is imported and the others are not read again
			srv.deliver(t, rawMail("caio@cliente.example", "help@shop.example", "Quatro", "i4@cliente.example", "quarta"))
			before := e.conversations()
			stop = run()
			defer stop()
			eventually(t, 20*time.Second, "the mail that came while down", func() bool { return stored("i4@cliente.example") })
			eventually(t, 20*time.Second, "UID mark 4", func() bool {
				st, err := e.db.R().MailboxState(ctx, e.ch.ID)
				return err == nil && st.LastUID == 4
			})
			if got := e.conversations(); got != before+1 {
				t.Fatalf("conversations %d → %d after the restart, want one new", before, got)
			}
			m, err := e.db.R().MessageByExternalID(ctx, e.ch.ID, "i3@cliente.example")
			if err != nil {
				t.Fatal(err)
			}
			// i3 answers nothing of ours: same contact, same open conversation as i1
			first, _ := e.db.R().MessageByExternalID(ctx, e.ch.ID, "i1@cliente.example")
			if m.ConversationID != first.ConversationID {
				t.Fatalf("ana's second mail opened conversation %d, want %d", m.ConversationID, first.ConversationID)
			}
			if n := countInbound(e.messages(first.ConversationID)); n != 2 {
				t.Fatalf("ana's conversation has %d customer messages, want 2", n)
			}
		})
	}
}

func countInbound(ms []store.Message) int {
	n := 0
	for _, m := range ms {
		if m.Direction == store.DirIn {
			n++
		}
	}
	return n
}
