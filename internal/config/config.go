// Package config reads the server's settings from ATENDE_* environment
// variables and command-line flags (flags win).
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config holds every setting of the server.
type Config struct {
	Addr               string
	DataDir            string
	DatabaseURL        string
	NATSURL            string
	SecretKey          string
	MaxAttachmentBytes int64
	BaseURL            string
	LogLevel           string
	Workers            int
	// JobLease is how long a claimed job stays leased to its node; a job
	// whose node died is run again once its lease ran out.
	JobLease time.Duration
	// JobBackoff is the first retry delay of a failed job (it doubles each attempt).
	JobBackoff time.Duration
	// CookieSecure marks session cookies Secure (on by default when BaseURL is https).
	CookieSecure bool
	// TelegramAPIURL is the Telegram Bot API server (a self-hosted one, or
	// a local fake in tests).
	TelegramAPIURL string
	// WhatsAppAPIURL is the Graph API root with its version, for WhatsApp
	// Cloud API channels (a local fake in tests).
	WhatsAppAPIURL string
	// SMSAPIURL is the REST API root of the Twilio-style SMS provider (a
	// local fake in tests).
	SMSAPIURL string
	// MetaAPIURL is the Graph API root with its version, for Messenger and
	// Instagram channels (a local fake in tests).
	MetaAPIURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (rate limits count the visitor, not the proxy).
	TrustedProxies []netip.Prefix
	// WidgetSessionsPerIP bounds the new website-widget visitor sessions
	// one address may open in 10 minutes.
	WidgetSessionsPerIP int
	// SMTPAddr is where the built-in SMTP receiver of e-mail channels
	// listens (host:port); empty leaves it off.
	SMTPAddr string
	// WebhooksAllowPrivate lets webhooks reach loopback and private
	// addresses (receivers on the same host or network); off, they are
	// refused to keep webhooks from probing the server's own network.
	WebhooksAllowPrivate bool
	// EmailPollInterval is how often an IMAP mailbox without IDLE is read.
	EmailPollInterval time.Duration
}

// DefaultTelegramAPIURL is the public Telegram Bot API server.
const DefaultTelegramAPIURL = "https://api.telegram.org"

// DefaultWhatsAppAPIURL is the Graph API root the WhatsApp channel was
// written against (whatsapp.DefaultBaseURL).
const DefaultWhatsAppAPIURL = "https://graph.facebook.com/v21.0"

// DefaultMetaAPIURL is the Graph API root the Messenger and Instagram
// channels were written against (meta.DefaultBaseURL).
const DefaultMetaAPIURL = "https://graph.facebook.com/v25.0"

// DefaultSMSAPIURL is the SMS provider's documented REST API root
// (sms.DefaultBaseURL).
const DefaultSMSAPIURL = "https://api.twilio.com"

// Setting documents one setting for the README and --help.
type Setting struct {
	Env, Flag, Default, Doc string
}

// Settings lists every setting in the order the README shows them.
var Settings = []Setting{
	{"ATENDE_ADDR", "--addr", ":8080", "HTTP listen address"},
	{"ATENDE_DATA_DIR", "--data", "./data", "directory for the SQLite database, attachments and the generated secret key"},
	{"ATENDE_DATABASE_URL", "--database-url", "(SQLite in the data dir)", "postgres://… to use PostgreSQL; sqlite:PATH for another SQLite file"},
	{"ATENDE_NATS_URL", "--nats-url", "(in-process events)", "nats://… to carry realtime events between several nodes"},
	{"ATENDE_SECRET_KEY", "", "(generated into the data dir)", "key that encrypts channel secrets at rest; set the same value on every node and keep it"},
	{"ATENDE_MAX_ATTACHMENT_BYTES", "", "26214400", "largest attachment accepted, in bytes"},
	{"ATENDE_BASE_URL", "--base-url", "http://localhost:8080", "public URL of this server (links printed and sent)"},
	{"ATENDE_LOG_LEVEL", "", "info", "debug, info, warn or error (logs are JSON on stderr)"},
	{"ATENDE_WORKERS", "", "8", "concurrent background jobs per node"},
	{"ATENDE_JOB_LEASE", "", "2m", "how long a node holds a claimed job; jobs of a crashed node run again after it"},
	{"ATENDE_JOB_BACKOFF", "", "1s", "first retry delay of a failed job (doubles each attempt, at most 1h)"},
	{"ATENDE_TELEGRAM_API_URL", "", DefaultTelegramAPIURL, "Telegram Bot API server (a self-hosted Bot API server or a test double)"},
	{"ATENDE_WHATSAPP_API_URL", "", DefaultWhatsAppAPIURL, "Graph API root, with its version, of WhatsApp Cloud API channels (a newer version or a test double)"},
	{"ATENDE_META_API_URL", "", DefaultMetaAPIURL, "Graph API root, with its version, of Messenger and Instagram channels (a newer version or a test double)"},
	{"ATENDE_SMS_API_URL", "", DefaultSMSAPIURL, "REST API root of SMS channels (a Twilio-compatible provider or a test double)"},
	{"ATENDE_TRUSTED_PROXIES", "", "(none)", "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed (for rate limits by client address)"},
	{"ATENDE_WIDGET_SESSIONS_PER_IP", "", "300", "new website-widget visitor sessions one address may open per 10 minutes (mobile carriers put many visitors behind one address)"},
	{"ATENDE_SMTP_ADDR", "", "(off)", "host:port of the built-in SMTP receiver for e-mail channels' forwarding addresses (e.g. :2525)"},
	{"ATENDE_WEBHOOKS_ALLOW_PRIVATE", "", "false", "true lets webhook subscriptions reach loopback, private and link-local addresses (receivers on your own network)"},
	{"ATENDE_EMAIL_POLL_INTERVAL", "", "30s", "how often an e-mail channel's IMAP mailbox is read when its server has no IDLE"},
}

// Load reads env (a lookup function, so tests need no process environment)
// and then the flags in args.
func Load(fs *flag.FlagSet, args []string, env func(string) string) (Config, error) {
	c := Config{
		Addr:                or(env("ATENDE_ADDR"), ":8080"),
		DataDir:             or(env("ATENDE_DATA_DIR"), "./data"),
		DatabaseURL:         env("ATENDE_DATABASE_URL"),
		NATSURL:             env("ATENDE_NATS_URL"),
		SecretKey:           env("ATENDE_SECRET_KEY"),
		BaseURL:             env("ATENDE_BASE_URL"),
		LogLevel:            or(env("ATENDE_LOG_LEVEL"), "info"),
		MaxAttachmentBytes:  25 << 20,
		Workers:             8,
		JobLease:            2 * time.Minute,
		JobBackoff:          time.Second,
		TelegramAPIURL:      strings.TrimRight(or(env("ATENDE_TELEGRAM_API_URL"), DefaultTelegramAPIURL), "/"),
		WhatsAppAPIURL:      strings.TrimRight(or(env("ATENDE_WHATSAPP_API_URL"), DefaultWhatsAppAPIURL), "/"),
		SMSAPIURL:           strings.TrimRight(or(env("ATENDE_SMS_API_URL"), DefaultSMSAPIURL), "/"),
		MetaAPIURL:          strings.TrimRight(or(env("ATENDE_META_API_URL"), DefaultMetaAPIURL), "/"),
		WidgetSessionsPerIP: 300,
	}
	if v := env("ATENDE_TRUSTED_PROXIES"); v != "" {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			p, err := netip.ParsePrefix(part)
			if err != nil {
				a, aerr := netip.ParseAddr(part)
				if aerr != nil {
					return c, fmt.Errorf("config: ATENDE_TRUSTED_PROXIES: %q is not an address or CIDR", part)
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			c.TrustedProxies = append(c.TrustedProxies, p.Masked())
		}
	}
	if v := env("ATENDE_SMTP_ADDR"); v != "" {
		if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
			return c, fmt.Errorf("config: ATENDE_SMTP_ADDR=%q is not host:port", v)
		}
		c.SMTPAddr = v
	}
	c.EmailPollInterval = 30 * time.Second
	if v := env("ATENDE_EMAIL_POLL_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			return c, fmt.Errorf("config: ATENDE_EMAIL_POLL_INTERVAL=%q is not a duration of at least 1s", v)
		}
		c.EmailPollInterval = d
	}
	if v := env("ATENDE_WEBHOOKS_ALLOW_PRIVATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("config: ATENDE_WEBHOOKS_ALLOW_PRIVATE=%q is not true or false", v)
		}
		c.WebhooksAllowPrivate = b
	}
	if v := env("ATENDE_WIDGET_SESSIONS_PER_IP"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return c, fmt.Errorf("config: ATENDE_WIDGET_SESSIONS_PER_IP=%q is not a positive number", v)
		}
		c.WidgetSessionsPerIP = n
	}
	if !strings.HasPrefix(c.TelegramAPIURL, "https://") && !strings.HasPrefix(c.TelegramAPIURL, "http://") {
		return c, fmt.Errorf("config: ATENDE_TELEGRAM_API_URL=%q is not an http(s) URL", c.TelegramAPIURL)
	}
	if !strings.HasPrefix(c.WhatsAppAPIURL, "https://") && !strings.HasPrefix(c.WhatsAppAPIURL, "http://") {
		return c, fmt.Errorf("config: ATENDE_WHATSAPP_API_URL=%q is not an http(s) URL", c.WhatsAppAPIURL)
	}
	if !strings.HasPrefix(c.SMSAPIURL, "https://") && !strings.HasPrefix(c.SMSAPIURL, "http://") {
		return c, fmt.Errorf("config: ATENDE_SMS_API_URL=%q is not an http(s) URL", c.SMSAPIURL)
	}
	if !strings.HasPrefix(c.MetaAPIURL, "https://") && !strings.HasPrefix(c.MetaAPIURL, "http://") {
		return c, fmt.Errorf("config: ATENDE_META_API_URL=%q is not an http(s) URL", c.MetaAPIURL)
	}
	if v := env("ATENDE_MAX_ATTACHMENT_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return c, fmt.Errorf("config: ATENDE_MAX_ATTACHMENT_BYTES=%q is not a positive number", v)
		}
		c.MaxAttachmentBytes = n
	}
	if v := env("ATENDE_WORKERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return c, fmt.Errorf("config: ATENDE_WORKERS=%q is not a positive number", v)
		}
		c.Workers = n
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"ATENDE_JOB_LEASE", &c.JobLease}, {"ATENDE_JOB_BACKOFF", &c.JobBackoff}} {
		if v := env(d.name); v != "" {
			n, err := time.ParseDuration(v)
			if err != nil || n <= 0 {
				return c, fmt.Errorf("config: %s=%q is not a positive duration (like 30s)", d.name, v)
			}
			*d.dst = n
		}
	}
	if fs != nil {
		fs.StringVar(&c.Addr, "addr", c.Addr, "HTTP listen address (ATENDE_ADDR)")
		fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory (ATENDE_DATA_DIR)")
		fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "database URL (ATENDE_DATABASE_URL)")
		fs.StringVar(&c.NATSURL, "nats-url", c.NATSURL, "NATS URL (ATENDE_NATS_URL)")
		fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public URL (ATENDE_BASE_URL)")
		if err := fs.Parse(args); err != nil {
			return c, err
		}
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + displayAddr(c.Addr)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	c.CookieSecure = strings.HasPrefix(c.BaseURL, "https://")
	return c, nil
}

func displayAddr(addr string) string {
	if strings.HasPrefix(addr, ":") {
		return "localhost" + addr
	}
	return addr
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// EnsureSecretKey returns the configured secret key, or reads (creating on
// first start) a random key kept in the data directory.
func (c *Config) EnsureSecretKey() error {
	if c.SecretKey != "" {
		return nil
	}
	path := filepath.Join(c.DataDir, "secret.key")
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		c.SecretKey = strings.TrimSpace(string(b))
		return nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("config: read %s: %w", path, err)
	}
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return err
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return err
	}
	c.SecretKey = hex.EncodeToString(k)
	if err := os.WriteFile(path, []byte(c.SecretKey+"\n"), 0o600); err != nil {
		return fmt.Errorf("config: write %s: %w", path, err)
	}
	return nil
}
