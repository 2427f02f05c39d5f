// Package providers connects the provider-neutral channel packages
// (internal/channel/<kind>) to the channels stored in the database: it
// seals and opens a channel's provider settings, builds the provider's API
// client for a stored channel, and sends agents' replies from the durable
// job queue (Dispatcher routes conversation.JobDeliver by channel kind).
//
// A new provider adds here: its sealed Config type, a client constructor
// like Telegram or WhatsApp, and a Handler registered in the Dispatcher
// under its kind.
package providers

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/atende/atende/internal/channel/meta"
	"github.com/atende/atende/internal/channel/sms"
	"github.com/atende/atende/internal/channel/telegram"
	"github.com/atende/atende/internal/channel/whatsapp"
	"github.com/atende/atende/internal/secrets"
	"github.com/atende/atende/internal/store"
)

// Settings are how this node reaches the providers' APIs.
type Settings struct {
	// TelegramAPIURL is the Bot API server, telegram.DefaultBaseURL when empty.
	TelegramAPIURL string
	// WhatsAppAPIURL is the Graph API root with its version,
	// whatsapp.DefaultBaseURL when empty.
	WhatsAppAPIURL string
	// SMSAPIURL is the SMS provider's REST API root, sms.DefaultBaseURL
	// when empty.
	SMSAPIURL string
	// MetaAPIURL is the Graph API root with its version for Messenger and
	// Instagram channels, meta.DefaultBaseURL when empty.
	MetaAPIURL string
	// HTTP makes provider calls; a client with a 30-second timeout when nil.
	HTTP *http.Client
	// Secrets seals and opens channels.config.
	Secrets *secrets.Box
}

func (p *Settings) http() *http.Client {
	if p.HTTP != nil {
		return p.HTTP
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// ErrConfig reports a channel whose sealed settings cannot be read (the
// secret key changed, or the channel was never configured).
var ErrConfig = errors.New("providers: channel settings unreadable")

// SealConfig encodes a provider's settings and seals them for channels.config.
func (p *Settings) SealConfig(v any) (string, error) {
	if p.Secrets == nil {
		return "", errors.New("providers: no secrets box configured")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return p.Secrets.Seal(string(b))
}

// OpenConfig opens a channel's sealed settings into v.
func (p *Settings) OpenConfig(ch store.Channel, v any) error {
	if p.Secrets == nil || ch.Config == "" {
		return fmt.Errorf("%w: channel %d has no settings", ErrConfig, ch.ID)
	}
	plain, err := p.Secrets.Open(ch.Config)
	if err != nil {
		return fmt.Errorf("%w: channel %d: %v (was ATENDE_SECRET_KEY changed?)", ErrConfig, ch.ID, err)
	}
	if err := json.Unmarshal([]byte(plain), v); err != nil {
		return fmt.Errorf("%w: channel %d: %v", ErrConfig, ch.ID, err)
	}
	return nil
}

// TelegramConfig is what a Telegram channel keeps sealed in channels.config.
type TelegramConfig struct {
	BotToken string `json:"bot_token"`
	// SecretToken is the secret_token given to setWebhook, which Telegram
	// sends back in telegram.HeaderSecretToken.
	SecretToken string `json:"secret_token"`
}

// TelegramClient is a Bot API client for a bot token.
func (p *Settings) TelegramClient(token string) *telegram.Client {
	return &telegram.Client{BaseURL: p.TelegramAPIURL, Token: token, HTTP: p.http()}
}

// Telegram opens a Telegram channel's settings and returns its client.
func (p *Settings) Telegram(ch store.Channel) (*telegram.Client, TelegramConfig, error) {
	var cfg TelegramConfig
	if ch.Kind != telegram.Kind {
		return nil, cfg, fmt.Errorf("%w: channel %d is %q, not telegram", ErrConfig, ch.ID, ch.Kind)
	}
	if err := p.OpenConfig(ch, &cfg); err != nil {
		return nil, cfg, err
	}
	return p.TelegramClient(cfg.BotToken), cfg, nil
}

// WhatsAppConfig is what a WhatsApp Cloud API channel keeps sealed in
// channels.config.
type WhatsAppConfig struct {
	AccessToken string `json:"access_token"`
	// AppSecret keys the X-Hub-Signature-256 of every webhook POST.
	AppSecret string `json:"app_secret"`
	// VerifyToken is what the admin pastes into Meta's dashboard; Meta
	// echoes it in the GET verification handshake.
	VerifyToken   string `json:"verify_token"`
	PhoneNumberID string `json:"phone_number_id"`
	WABAID        string `json:"waba_id"`
}

// WhatsAppClient is a Cloud API client for one business phone number.
func (p *Settings) WhatsAppClient(accessToken, phoneNumberID string) *whatsapp.Client {
	return &whatsapp.Client{BaseURL: p.WhatsAppAPIURL, AccessToken: accessToken, PhoneNumberID: phoneNumberID, HTTP: p.http()}
}

// WhatsApp opens a WhatsApp channel's settings and returns its client.
func (p *Settings) WhatsApp(ch store.Channel) (*whatsapp.Client, WhatsAppConfig, error) {
	var cfg WhatsAppConfig
	if ch.Kind != whatsapp.Kind {
		return nil, cfg, fmt.Errorf("%w: channel %d is %q, not whatsapp", ErrConfig, ch.ID, ch.Kind)
	}
	if err := p.OpenConfig(ch, &cfg); err != nil {
		return nil, cfg, err
	}
	return p.WhatsAppClient(cfg.AccessToken, cfg.PhoneNumberID), cfg, nil
}

// SMSConfig is what an SMS channel keeps sealed in channels.config.
type SMSConfig struct {
	AccountSID string `json:"account_sid"`
	// AuthToken authenticates API calls and keys the X-Twilio-Signature of
	// every webhook.
	AuthToken string `json:"auth_token"`
	// From is the sending number (E.164); MessagingServiceSID, when set,
	// is sent instead.
	From                string `json:"from,omitempty"`
	MessagingServiceSID string `json:"messaging_service_sid,omitempty"`
	// StatusCallback is the public status-callback URL given to the
	// provider with every send (fixed when the channel is created).
	StatusCallback string `json:"status_callback,omitempty"`
}

// SMSClient is a REST API client for an SMS account and sender.
func (p *Settings) SMSClient(cfg SMSConfig) *sms.Client {
	return &sms.Client{BaseURL: p.SMSAPIURL, AccountSID: cfg.AccountSID, AuthToken: cfg.AuthToken, From: cfg.From,
		MessagingServiceSID: cfg.MessagingServiceSID, StatusCallback: cfg.StatusCallback, HTTP: p.http()}
}

// SMS opens an SMS channel's settings and returns its client.
func (p *Settings) SMS(ch store.Channel) (*sms.Client, SMSConfig, error) {
	var cfg SMSConfig
	if ch.Kind != sms.Kind {
		return nil, cfg, fmt.Errorf("%w: channel %d is %q, not sms", ErrConfig, ch.ID, ch.Kind)
	}
	if err := p.OpenConfig(ch, &cfg); err != nil {
		return nil, cfg, err
	}
	return p.SMSClient(cfg), cfg, nil
}

// MetaConfig is what a Messenger or Instagram channel keeps sealed in
// channels.config.
type MetaConfig struct {
	PageAccessToken string `json:"page_access_token"`
	// AppSecret keys the X-Hub-Signature-256 of every webhook POST.
	AppSecret string `json:"app_secret"`
	// VerifyToken is what the admin pastes into Meta's dashboard.
	VerifyToken string `json:"verify_token"`
	// AccountID is the webhook entry.id the channel owns: the Page id
	// (Messenger) or the Instagram professional account id.
	AccountID string `json:"account_id"`
	// PageID is the Page that sends; for Instagram the linked Page when
	// given, else empty ("me", resolved from the token).
	PageID string `json:"page_id,omitempty"`
}

// MetaPlatform is the meta platform of a channel kind.
func MetaPlatform(kind string) string {
	if kind == meta.KindInstagram {
		return meta.PlatformInstagram
	}
	return meta.PlatformMessenger
}

// MetaClient is a Send API client for a Messenger or Instagram channel.
func (p *Settings) MetaClient(kind string, cfg MetaConfig) *meta.Client {
	return &meta.Client{BaseURL: p.MetaAPIURL, PageAccessToken: cfg.PageAccessToken, PageID: cfg.PageID,
		Platform: MetaPlatform(kind), HTTP: p.http()}
}

// Meta opens a Messenger or Instagram channel's settings and returns its client.
func (p *Settings) Meta(ch store.Channel) (*meta.Client, MetaConfig, error) {
	var cfg MetaConfig
	if ch.Kind != meta.KindMessenger && ch.Kind != meta.KindInstagram {
		return nil, cfg, fmt.Errorf("%w: channel %d is %q, not messenger or instagram", ErrConfig, ch.ID, ch.Kind)
	}
	if err := p.OpenConfig(ch, &cfg); err != nil {
		return nil, cfg, err
	}
	return p.MetaClient(ch.Kind, cfg), cfg, nil
}

// NewWebhookKey returns a random public id for a channel's webhook URL.
func NewWebhookKey() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// WebhookPath is the path of a provider channel's webhook endpoint.
// Messenger and Instagram channels share Meta's webhook endpoint.
func WebhookPath(kind, key string) string {
	if kind == meta.KindMessenger || kind == meta.KindInstagram {
		kind = "meta"
	}
	return "/api/v1/webhooks/" + kind + "/" + key
}
