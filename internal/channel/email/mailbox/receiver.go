package mailbox

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/atende/atende/internal/channel"
	"github.com/atende/atende/internal/channel/email"
	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/store"
)

// Receiver is the built-in SMTP server for forwarding addresses: a
// company forwards support@ to it (or points an MX at it), and each mail is
// stored like one the IMAP poller fetched. It accepts a recipient that is
// an e-mail channel's address (case-insensitively) or a reply address of
// it with a valid token, and refuses every other with 550, so it is never
// an open relay. DATA is acknowledged only once the message is committed:
// a failure answers 451 and the sending server tries again.
type Receiver struct {
	DB        *store.DB
	Providers *providers.Settings
	Ingester  *Ingester
	Log       *slog.Logger
	// Domain is the name in the greeting; "localhost" when empty.
	Domain string
	// MaxBytes is the largest message accepted; email.MaxMessageBytes when 0.
	MaxBytes int64

	mu     sync.Mutex
	srv    *smtp.Server
	closed bool
}

func (r *Receiver) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.Default()
}

// ListenAndServe serves SMTP on addr until Close.
func (r *Receiver) ListenAndServe(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return r.Serve(l)
}

// Serve serves SMTP on l until Close.
func (r *Receiver) Serve(l net.Listener) error {
	srv := smtp.NewServer(r)
	srv.Domain = r.Domain
	if srv.Domain == "" {
		srv.Domain = "localhost"
	}
	srv.MaxMessageBytes = r.MaxBytes
	if srv.MaxMessageBytes <= 0 {
		srv.MaxMessageBytes = email.MaxMessageBytes
	}
	srv.MaxRecipients = 50
	srv.ReadTimeout, srv.WriteTimeout = 5*time.Minute, time.Minute
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return l.Close()
	}
	r.srv = srv
	r.mu.Unlock()
	err := srv.Serve(l)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops the server; messages in DATA are cut off (and retried by
// their senders, never having been acknowledged).
func (r *Receiver) Close() error {
	r.mu.Lock()
	srv := r.srv
	r.closed = true
	r.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Close()
}

// NewSession implements smtp.Backend.
func (r *Receiver) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &session{r: r}, nil
}

type target struct {
	ch   store.Channel
	cfg  Config
	rcpt string
}

type session struct {
	r       *Receiver
	targets []target
}

func (s *session) Reset()        { s.targets = nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(string, *smtp.MailOptions) error { return nil }

var errNoMailbox = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	t, err := s.r.route(ctx, to)
	if err != nil {
		s.r.log().Warn("smtp receiver: looking up a recipient", "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
	}
	if t == nil {
		return errNoMailbox
	}
	for _, o := range s.targets {
		if o.ch.ID == t.ch.ID {
			return nil // one copy per channel
		}
	}
	s.targets = append(s.targets, *t)
	return nil
}

func (s *session) Data(rd io.Reader) error {
	raw, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, t := range s.targets {
		// the envelope recipient is the only trace of a reply address
		// when the customer's client put it in Bcc
		msg := append([]byte("Delivered-To: "+t.rcpt+"\r\n"), raw...)
		if _, err := s.r.Ingester.Ingest(ctx, t.ch, t.cfg, msg); err != nil {
			if errors.Is(err, channel.ErrInvalid) {
				return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message not readable: " + oneLine(err.Error())}
			}
			s.r.log().Error("smtp receiver: storing a message", "channel", t.ch.ID, "err", err)
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Message not stored, try again later"}
		}
	}
	return nil
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// route finds the e-mail channel an envelope recipient belongs to; nil
// when none.
func (r *Receiver) route(ctx context.Context, rcpt string) (*target, error) {
	rcpt = strings.ToLower(strings.Trim(strings.TrimSpace(rcpt), "<>"))
	at := strings.LastIndexByte(rcpt, '@')
	if at <= 0 {
		return nil, nil
	}
	base, domain := rcpt[:at], rcpt[at+1:]
	if i := strings.IndexByte(base, '+'); i >= 0 {
		base = base[:i]
	}
	list, err := r.DB.R().ChannelsOfKind(ctx, email.Kind)
	if err != nil {
		return nil, err
	}
	for _, ch := range list {
		// the channel's address is its account: only a candidate's
		// sealed settings are opened
		if ch.Account != base+"@"+domain {
			continue
		}
		cfg, err := Open(r.Providers, ch)
		if err != nil {
			r.log().Warn("smtp receiver: channel settings", "channel", ch.ID, "err", err)
			continue
		}
		if rcpt == cfg.Address {
			return &target{ch: ch, cfg: cfg, rcpt: rcpt}, nil
		}
		if _, ok := email.ConversationFromAddress(rcpt, cfg.Address, cfg.ReplyKey); ok {
			return &target{ch: ch, cfg: cfg, rcpt: rcpt}, nil
		}
	}
	return nil, nil
}

var _ smtp.Backend = (*Receiver)(nil)
