package httpapi

import (
	"context"

	"net/http"
	"strings"

	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/channel/email"
	"github.com/atende/atende/internal/channel/email/mailbox"
	"github.com/atende/atende/internal/store"
)

// emailInput is an e-mail channel's settings in channelInput (kind "email").
type emailInput struct {
	Address  string          `json:"address"`
	FromName string          `json:"from_name"`
	IMAP     *mailbox.Server `json:"imap"`
	SMTP     *mailbox.Server `json:"smtp"`
}

// emailServerView is a mail server as admins see it: no credentials.
type emailServerView struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	TLS      string `json:"tls"`
	Username string `json:"username"`
	Mailbox  string `json:"mailbox,omitempty"`
}

// emailChannelView is an e-mail channel's setup in channelView.
type emailChannelView struct {
	Address  string           `json:"address"`
	FromName string           `json:"from_name"`
	IMAP     *emailServerView `json:"imap"`
	SMTP     emailServerView  `json:"smtp"`
	// Poll is where the IMAP poller has got to (nil before its first poll).
	Poll *store.MailboxState `json:"poll"`
}

func serverView(s mailbox.Server) emailServerView {
	return emailServerView{Host: s.Host, Port: s.Port, TLS: s.TLS, Username: s.Username, Mailbox: s.Mailbox}
}

// emailView is the e-mail part of a channel's view; nil when its settings
// cannot be read.
func (s *Server) emailView(ctx context.Context, c store.Channel) *emailChannelView {
	cfg, err := mailbox.Open(s.Providers, c)
	if err != nil {
		return nil
	}
	v := &emailChannelView{Address: cfg.Address, FromName: cfg.FromName, SMTP: serverView(cfg.SMTP)}
	if cfg.IMAP != nil {
		iv := serverView(*cfg.IMAP)
		v.IMAP = &iv
		if st, err := s.DB.R().MailboxState(ctx, c.ID); err == nil && st.PolledAt > 0 {
			v.Poll = &st
		}
	}
	return v
}

// createEmailChannel connects a support mailbox: its address, the IMAP
// mailbox polled (optional: without it mail arrives through the built-in
// SMTP receiver, a forwarding address) and the SMTP server replies go out
// through. Credentials are sealed and never shown again; nothing is
// contacted here ("test connection" does).
func (s *Server) createEmailChannel(w http.ResponseWriter, r *http.Request, in channelInput) error {
	if in.Name == nil {
		return errValidation("name is required")
	}
	if in.CallbackURL != nil || in.BotToken != nil || in.hasWhatsApp() || in.hasSMS() || in.hasMeta() || in.Widget != nil {
		return errValidation("an email channel takes name, department_id and email only")
	}
	if in.Email == nil {
		return errValidation("email is required: address, imap and smtp")
	}
	if in.Email.SMTP == nil {
		return errValidation("email.smtp is required: the server replies are sent through")
	}
	cfg := mailbox.Config{Address: in.Email.Address, FromName: in.Email.FromName, IMAP: in.Email.IMAP, SMTP: *in.Email.SMTP,
		ReplyKey: mailbox.NewReplyKey()}
	if err := cfg.Validate(); err != nil {
		return errValidation("email: " + strings.TrimPrefix(err.Error(), mailbox.ErrInvalid.Error()+": "))
	}
	ws := viewer(r).WorkspaceID
	c := store.Channel{WorkspaceID: ws, Kind: email.Kind, Account: cfg.Address}
	var created store.Channel
	err := s.DB.Tx(r.Context(), func(q store.Q) error {
		if err := s.applyChannel(r, q, in, &c); err != nil {
			return err
		}
		// one channel per address: the receiver and the pollers route by it
		others, err := q.ChannelsOfKind(r.Context(), email.Kind)
		if err != nil {
			return err
		}
		for _, o := range others {
			if o.Account == cfg.Address {
				return &apiError{http.StatusConflict, "conflict", "another e-mail channel already receives " + cfg.Address}
			}
		}
		if c.Config, err = s.Providers.SealConfig(cfg); err != nil {
			return err
		}
		// mail authenticates by its address: the API token opens nothing
		_, hash := auth.NewToken(auth.PrefixChannel)
		created, err = q.CreateChannel(r.Context(), c, hash)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.channelView(r, created))
	return nil
}

// testEmail logs in to the channel's IMAP and SMTP servers.
func (s *Server) testEmail(ctx context.Context, c store.Channel) channelTest {
	cfg, err := mailbox.Open(s.Providers, c)
	if err == nil {
		cctx, cancel := context.WithTimeout(ctx, providerCallTimeout)
		err = mailbox.Test(cctx, cfg)
		cancel()
	}
	if err != nil {
		return channelTest{OK: false, Account: c.Account, Error: err.Error()}
	}
	return channelTest{OK: true, Account: c.Account}
}

// maxCc bounds the copies of one reply.
const maxCc = 20

// checkCc validates the "cc" of a reply: e-mail conversations only, plain
// addresses, lower-cased and without repeats.
func (s *Server) checkCc(r *http.Request, convID int64, kind string, cc []string) ([]string, error) {
	if cc == nil {
		return nil, nil
	}
	if kind != "reply" {
		return nil, errValidation(`cc belongs to kind "reply"`)
	}
	if len(cc) > maxCc {
		return nil, errValidation("cc has at most 20 addresses")
	}
	v := viewer(r)
	c, err := s.DB.R().Conversation(r.Context(), v, convID)
	if err != nil {
		return nil, err
	}
	ch, err := s.DB.R().Channel(r.Context(), v.WorkspaceID, c.ChannelID)
	if err != nil {
		return nil, err
	}
	if ch.Kind != email.Kind {
		return nil, errValidation("cc belongs to e-mail conversations")
	}
	out := []string{}
	seen := map[string]bool{}
	for _, a := range cc {
		a = strings.ToLower(strings.TrimSpace(a))
		if !mailbox.ValidAddress(a) {
			return nil, errValidation("cc: " + quoteInput(a) + " is not an e-mail address")
		}
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out, nil
}

func quoteInput(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return `"` + s + `"`
}
