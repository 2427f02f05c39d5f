// Package mailbox connects e-mail channels to mailboxes: it polls IMAP
// inboxes, receives forwarded mail over SMTP, turns each mail into a
// conversation message (Ingester), and sends agents' replies over SMTP
// (Deliverer). The parsing and composing of mail is package email's.
package mailbox

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/atende/atende/internal/channel/email"
	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/store"
)

// TLS modes of a mail server connection.
const (
	TLSImplicit = "tls"      // TLS from the first byte (IMAPS 993, SMTPS 465)
	TLSStart    = "starttls" // plain, then STARTTLS (143, 587)
	TLSNone     = "none"     // plain text: local servers and tests only
)

// Server is how to reach and log in to one mail server.
type Server struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	TLS      string `json:"tls"`
	Username string `json:"username"`
	Password string `json:"password"`
	// Mailbox is the IMAP folder read (INBOX when empty).
	Mailbox string `json:"mailbox,omitempty"`
}

// Addr is host:port.
func (s Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Config is what an e-mail channel keeps sealed in channels.config.
type Config struct {
	// Address is the support address customers write to, lower case.
	Address  string `json:"address"`
	FromName string `json:"from_name,omitempty"`
	// IMAP is the mailbox polled; nil when mail only arrives through the
	// built-in SMTP receiver (a forwarding address).
	IMAP *Server `json:"imap,omitempty"`
	// SMTP is the server replies are sent through.
	SMTP Server `json:"smtp"`
	// ReplyKey signs the reply-address tokens of the channel's conversations.
	ReplyKey []byte `json:"reply_key"`
}

// NewReplyKey makes a channel's random reply-token key.
func NewReplyKey() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}

// Domain is the domain of the channel's address, where its Message-IDs are made.
func (c Config) Domain() string {
	if i := strings.LastIndexByte(c.Address, '@'); i >= 0 {
		return c.Address[i+1:]
	}
	return "localhost"
}

// ErrInvalid reports settings that cannot work; the message says which.
var ErrInvalid = errors.New("invalid e-mail settings")

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, a...)...)
}

// Validate checks and normalises the settings.
func (c *Config) Validate() error {
	c.Address = strings.ToLower(strings.TrimSpace(c.Address))
	if !ValidAddress(c.Address) {
		return invalid("address must be an e-mail address (support@example.com)")
	}
	if strings.Contains(c.Address[:strings.LastIndexByte(c.Address, '@')], "+") {
		return invalid("address must not have a +tag: Atende adds its own for replies")
	}
	c.FromName = strings.TrimSpace(c.FromName)
	if len(c.FromName) > 100 || strings.ContainsAny(c.FromName, "\r\n") {
		return invalid("from_name is at most 100 characters on one line")
	}
	if c.IMAP != nil {
		if err := c.IMAP.validate("imap"); err != nil {
			return err
		}
		if c.IMAP.Mailbox == "" {
			c.IMAP.Mailbox = "INBOX"
		}
	}
	return c.SMTP.validate("smtp")
}

func (s *Server) validate(field string) error {
	s.Host = strings.TrimSpace(s.Host)
	if s.Host == "" || len(s.Host) > 253 || strings.ContainsAny(s.Host, " /:@\t\r\n") && net.ParseIP(s.Host) == nil {
		return invalid("%s.host must be a host name", field)
	}
	if s.Port < 1 || s.Port > 65535 {
		return invalid("%s.port must be 1–65535", field)
	}
	switch s.TLS {
	case TLSImplicit, TLSStart, TLSNone:
	case "":
		s.TLS = TLSImplicit
	default:
		return invalid(`%s.tls must be "tls", "starttls" or "none"`, field)
	}
	if len(s.Username) > 256 || len(s.Password) > 1024 || strings.ContainsAny(s.Username+s.Password, "\r\n\x00") {
		return invalid("%s.username or password is too long or has line breaks", field)
	}
	if len(s.Mailbox) > 200 || strings.ContainsAny(s.Mailbox, "\r\n\x00*%") {
		return invalid("%s.mailbox is not a folder name", field)
	}
	return nil
}

// ValidAddress reports whether a is a plain addr-spec Atende can send to.
func ValidAddress(a string) bool {
	if len(a) > 254 {
		return false
	}
	i := strings.LastIndexByte(a, '@')
	if i <= 0 || i == len(a)-1 || i > 64 {
		return false
	}
	for j := 0; j < len(a); j++ {
		if c := a[j]; c <= 0x20 || c >= 0x7f || strings.IndexByte(`,;()[]\<>":`, c) >= 0 {
			return false
		}
	}
	domain := a[i+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") &&
		!strings.Contains(domain, "..") && strings.Count(a, "@") == 1
}

// Open reads an e-mail channel's sealed settings.
func Open(p *providers.Settings, ch store.Channel) (Config, error) {
	var cfg Config
	if ch.Kind != email.Kind {
		return cfg, fmt.Errorf("%w: channel %d is %q, not email", providers.ErrConfig, ch.ID, ch.Kind)
	}
	err := p.OpenConfig(ch, &cfg)
	return cfg, err
}
