package httpapi_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/atende/atende/internal/channel/email/mailbox"
)

// smtpSink is a local SMTP server that keeps what it is sent.
type smtpSink struct {
	host string
	port int
	mu   sync.Mutex
	got  [][]byte
	rcpt [][]string
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	s := &smtpSink{}
	srv := gosmtp.NewServer(s)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	s.host = host
	s.port, _ = strconv.Atoi(port)
	return s
}

func (s *smtpSink) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return &sinkSession{s: s}, nil }

func (s *smtpSink) mails() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.got...)
}

func (s *smtpSink) settings() map[string]any {
	return map[string]any{"host": s.host, "port": s.port, "tls": "none"}
}

type sinkSession struct {
	s  *smtpSink
	to []string
}

func (x *sinkSession) Reset()                                 { x.to = nil }
func (x *sinkSession) Logout() error                          { return nil }
func (x *sinkSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (x *sinkSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}
func (x *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.got = append(x.s.got, b)
	x.s.rcpt = append(x.s.rcpt, x.to)
	return nil
}

// newIMAPInbox is a local IMAP server with the user help / s3cret.
func newIMAPInbox(t *testing.T) map[string]any {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("help", "s3cret")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
		Logger:       quietIMAP{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	p, _ := strconv.Atoi(port)
	return map[string]any{"host": "127.0.0.1", "port": p, "tls": "none", "username": "help", "password": "s3cret"}
}

type quietIMAP struct{}

func (quietIMAP) Printf(string, ...any) {}

// startReceiver runs the built-in SMTP receiver over the harness's database.
func (h *testAPI) startReceiver() string {
	h.t.Helper()
	ing := &mailbox.Ingester{DB: h.db, Blobs: h.blobs, Conversations: h.conv}
	r := &mailbox.Receiver{DB: h.db, Providers: h.provs, Ingester: ing}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.t.Fatal(err)
	}
	go r.Serve(ln)
	h.t.Cleanup(func() { r.Close() })
	return ln.Addr().String()
}

func emailBody(name, address string, imapSettings, smtpSettings map[string]any) map[string]any {
	e := map[string]any{"address": address, "from_name": "Loja"}
	if imapSettings != nil {
		e["imap"] = imapSettings
	}
	if smtpSettings != nil {
		e["smtp"] = smtpSettings
	}
	return map[string]any{"kind": "email", "name": name, "email": e}
}

func TestEmailChannelSettings(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		sink := newSMTPSink(t)
		inbox := newIMAPInbox(t)
		r := h.must(201, actAdmin, "POST", "/api/v1/channels", emailBody("E-mail", "Help@Shop.Example", inbox, sink.settings()))
		if strings.Contains(r.String(), "s3cret") {
			t.Fatalf("the answer shows the password: %s", r)
		}
		var ch struct {
			ID    int64  `json:"id"`
			Kind  string `json:"kind"`
			Email struct {
				Address string `json:"address"`
				IMAP    struct {
					Host    string `json:"host"`
					Mailbox string `json:"mailbox"`
				} `json:"imap"`
				SMTP struct {
					Port int `json:"port"`
				} `json:"smtp"`
			} `json:"email"`
		}
		r.into(t, &ch)
		if ch.Kind != "email" || ch.Email.Address != "help@shop.example" || ch.Email.IMAP.Host != "127.0.0.1" || ch.Email.IMAP.Mailbox != "INBOX" || ch.Email.SMTP.Port != sink.port {
			t.Fatalf("channel view %s", r)
		}
		if l := h.must(200, actAdmin, "GET", "/api/v1/channels", nil); strings.Contains(l.String(), "s3cret") {
			t.Fatal("the channel list shows the password")
		}
		// test connection: IMAP login and SMTP EHLO work…
		var res struct {
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		}
		h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/channels/%d/test", ch.ID), nil).into(t, &res)
		if !res.OK {
			t.Fatalf("test connection: %+v", res)
		}
		// …and a wrong password says so
		bad := map[string]any{}
		for k, v := range inbox {
			bad[k] = v
		}
		bad["password"] = "wrong"
		r = h.must(201, actAdmin, "POST", "/api/v1/channels", emailBody("Outro", "vendas@shop.example", bad, sink.settings()))
		var other struct {
			ID int64 `json:"id"`
		}
		r.into(t, &other)
		h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/channels/%d/test", other.ID), nil).into(t, &res)
		if res.OK || !strings.Contains(res.Error, "IMAP") {
			t.Fatalf("test connection with a wrong password: %+v", res)
		}

		before := h.snapshot()
		for name, body := range map[string]any{
			"no settings":       map[string]any{"kind": "email", "name": "X"},
			"no name":           map[string]any{"kind": "email", "email": map[string]any{"address": "a@shop.example", "smtp": sink.settings()}},
			"bad address":       emailBody("X", "not-an-address", nil, sink.settings()),
			"plus address":      emailBody("X", "help+x@shop.example", nil, sink.settings()),
			"no smtp":           emailBody("X", "a@shop.example", inbox, nil),
			"bad port":          emailBody("X", "a@shop.example", nil, map[string]any{"host": "127.0.0.1", "port": 0}),
			"bad tls":           emailBody("X", "a@shop.example", nil, map[string]any{"host": "127.0.0.1", "port": 25, "tls": "ssl"}),
			"bad host":          emailBody("X", "a@shop.example", nil, map[string]any{"host": "a b", "port": 25}),
			"bad mailbox":       emailBody("X", "a@shop.example", map[string]any{"host": "127.0.0.1", "port": 143, "mailbox": "*"}, sink.settings()),
			"telegram fields":   map[string]any{"kind": "email", "name": "X", "bot_token": "1:a", "email": map[string]any{"address": "a@shop.example", "smtp": sink.settings()}},
			"email on api kind": map[string]any{"kind": "api", "name": "X", "email": map[string]any{"address": "a@shop.example"}},
			"unknown field":     map[string]any{"kind": "email", "name": "X", "email": map[string]any{"address": "a@shop.example", "smtp": sink.settings(), "pop3": true}},
		} {
			if r := h.as(actAdmin, "POST", "/api/v1/channels", body); r.status != 422 && r.status != 400 {
				t.Errorf("%s: %d %s, want 422", name, r.status, r)
			}
		}
		if r := h.as(actAdmin, "POST", "/api/v1/channels", emailBody("Dup", "HELP@shop.example", nil, sink.settings())); r.status != 409 {
			t.Errorf("a second channel for the same address: %d %s, want 409", r.status, r)
		}
		if r := h.as(actAdmin, "PATCH", fmt.Sprintf("/api/v1/channels/%d", ch.ID), map[string]any{"email": map[string]any{"address": "x@shop.example"}}); r.status != 422 {
			t.Errorf("patching the e-mail settings: %d, want 422", r.status)
		}
		if r := h.as(actAgentA, "POST", "/api/v1/channels", emailBody("X", "z@shop.example", nil, sink.settings())); r.status != 403 {
			t.Errorf("an agent creating a channel: %d, want 403", r.status)
		}
		if d := before.diff(h.snapshot()); len(d) > 0 {
			t.Fatalf("refused requests wrote: %v", d)
		}
	})
}

// TestEmailReplyWithCopies: a customer writes to the forwarding address
// over SMTP, an agent answers through the API with a copy to a third
// party, the local SMTP server gets the threaded mail, and the customer's
// answer to it lands in the same conversation.
func TestEmailReplyWithCopies(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		sink := newSMTPSink(t)
		h.must(201, actAdmin, "POST", "/api/v1/channels", emailBody("E-mail", "help@shop.example", nil, sink.settings()))
		addr := h.startReceiver()
		first := "From: Bia <bia@cliente.example>\r\nTo: help@shop.example\r\nSubject: Boleto\r\nMessage-ID: <c1@cliente.example>\r\n\r\nPreciso da segunda via.\r\n"
		if err := smtp.SendMail(addr, nil, "bia@cliente.example", []string{"help@shop.example"}, []byte(first)); err != nil {
			t.Fatal(err)
		}
		var convs struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		h.must(200, actAdmin, "GET", "/api/v1/conversations?view=all&q=bia", nil).into(t, &convs)
		if len(convs.Items) != 1 {
			t.Fatalf("conversations of bia: %+v", convs)
		}
		conv := convs.Items[0].ID
		path := fmt.Sprintf("/api/v1/conversations/%d/messages", conv)

		other := h.newConvWith(tgtVendas, stQueued, false) // an API-channel conversation
		before := h.snapshot()
		for name, body := range map[string]any{
			"bad address": map[string]any{"kind": "reply", "content": "x", "cc": []string{"not an address"}},
			"on a note":   map[string]any{"kind": "note", "content": "x", "cc": []string{"a@b.example"}},
			"too many":    map[string]any{"kind": "reply", "content": "x", "cc": strings.Split(strings.Repeat("a@b.example,", 21)[:21*12-1], ",")},
		} {
			if r := h.as(actAdmin, "POST", path, body); r.status != 422 {
				t.Errorf("cc %s: %d %s, want 422", name, r.status, r)
			}
		}
		if r := h.as(actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", other.ID), map[string]any{"kind": "reply", "content": "x", "cc": []string{"a@b.example"}}); r.status != 422 {
			t.Errorf("cc outside e-mail: %d, want 422", r.status)
		}
		if d := before.diff(h.snapshot()); len(d) > 0 {
			t.Fatalf("refused cc wrote: %v", d)
		}

		var sent struct {
			ID int64 `json:"id"`
		}
		h.must(201, actAdmin, "POST", path, map[string]any{"kind": "reply", "content": "Segue a segunda via.", "cc": []string{"Financeiro@Cliente.Example"}}).into(t, &sent)
		eventually(t, 5*time.Second, "the mail", func() bool { return len(sink.mails()) == 1 })
		msg, err := mail.ReadMessage(bytes.NewReader(sink.mails()[0]))
		if err != nil {
			t.Fatal(err)
		}
		if msg.Header.Get("In-Reply-To") != "<c1@cliente.example>" || msg.Header.Get("Cc") != "<financeiro@cliente.example>" ||
			msg.Header.Get("Subject") != "Re: Boleto" || !strings.HasPrefix(msg.Header.Get("Content-Type"), "multipart/alternative") {
			t.Fatalf("mail header %v", msg.Header)
		}
		if got := strings.Join(sink.rcpt[0], ","); got != "bia@cliente.example,financeiro@cliente.example" {
			t.Fatalf("envelope recipients %s", got)
		}
		msgID := strings.Trim(msg.Header.Get("Message-Id"), "<>")
		eventually(t, 5*time.Second, "the reply marked sent", func() bool {
			m := h.message(h.fix.WS.ID, sent.ID)
			return m.Status == "sent" && m.ExternalID != nil && *m.ExternalID == msgID
		})

		answer := "From: Bia <bia@cliente.example>\r\nTo: help@shop.example\r\nSubject: Re: Boleto\r\nMessage-ID: <c2@cliente.example>\r\n" +
			"In-Reply-To: <" + msgID + ">\r\nReferences: <c1@cliente.example> <" + msgID + ">\r\n\r\nRecebi, obrigada!\r\n"
		if err := smtp.SendMail(addr, nil, "bia@cliente.example", []string{"help@shop.example"}, []byte(answer)); err != nil {
			t.Fatal(err)
		}
		ms := h.messages(conv)
		last := ms[len(ms)-1]
		if last.Content != "Recebi, obrigada!" || last.ConversationID != conv {
			t.Fatalf("the answer: %+v", last)
		}
	})
}
