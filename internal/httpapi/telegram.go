package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/blob"
	"github.com/atende/atende/internal/channel"
	"github.com/atende/atende/internal/channel/email"
	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/channel/sms"
	"github.com/atende/atende/internal/channel/telegram"
	"github.com/atende/atende/internal/channel/whatsapp"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/widget"
)

// channelView is a channel as admins see it: its configuration without any
// credential, plus the provider account and the webhook URL to give the
// provider (provider channels only).
type channelView struct {
	store.Channel
	Account    string `json:"account,omitempty"`
	WebhookURL string `json:"webhook_url,omitempty"`
	// VerifyToken is what Meta's dashboard asks for with the webhook URL
	// (WhatsApp, Messenger and Instagram channels); admins only see channel views.
	VerifyToken string `json:"verify_token,omitempty"`
	// StatusCallbackURL is where the SMS provider posts delivery reports
	// (SMS channels; Atende names it in every send).
	StatusCallbackURL string `json:"status_callback_url,omitempty"`
	// Widget is a website widget's setup: its settings, key and snippet.
	Widget *widgetChannelView `json:"widget,omitempty"`
	// Email is an e-mail channel's address, servers (no credentials) and
	// the IMAP poller's last poll.
	Email *emailChannelView `json:"email,omitempty"`
}

func (s *Server) channelView(r *http.Request, c store.Channel) channelView {
	v := channelView{Channel: c, Account: c.Account}
	if c.WebhookKey != "" {
		v.WebhookURL = s.publicURL(r) + providers.WebhookPath(c.Kind, c.WebhookKey)
	}
	if c.Kind == whatsapp.Kind {
		if _, cfg, err := s.Providers.WhatsApp(c); err == nil {
			v.VerifyToken = cfg.VerifyToken
		}
	}
	if isMetaKind(c.Kind) {
		if _, cfg, err := s.Providers.Meta(c); err == nil {
			v.VerifyToken = cfg.VerifyToken
		}
	}
	if c.Kind == sms.Kind && c.WebhookKey != "" {
		v.StatusCallbackURL = s.publicURL(r) + smsStatusPath(c.WebhookKey)
	}
	if c.Kind == widget.Kind {
		v.WebhookURL = "" // visitors reach it through the snippet, not a webhook
		v.Widget = s.widgetView(r, c)
	}
	if c.Kind == email.Kind {
		v.Email = s.emailView(r.Context(), c)
	}
	return v
}

// publicURL is the server's public URL: the configured one, or the one the
// request came in on.
func (s *Server) publicURL(r *http.Request) string {
	if s.BaseURL != "" {
		return strings.TrimRight(s.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// providerCallTimeout bounds each provider API call made while an admin waits.
const providerCallTimeout = 20 * time.Second

// providerError turns a failed provider call made for an admin into an
// answer: the provider refused (a bad token, an unusable webhook URL) is
// the admin's input, 422; the provider unreachable or failing is 502.
func providerError(provider string, err error) error {
	var se *channel.SendError
	if errors.As(err, &se) && !se.Retry && se.Code != 0 {
		return errValidation(fmt.Sprintf("%s refused: %s", provider, se.Msg))
	}
	return &apiError{http.StatusBadGateway, "provider_unavailable", fmt.Sprintf("%s could not be reached: %v", provider, err)}
}

// createTelegramChannel connects a Telegram bot: it checks the token with
// getMe, registers the webhook with a new secret token, and stores the
// token and secret sealed. The answer never carries either.
func (s *Server) createTelegramChannel(w http.ResponseWriter, r *http.Request, in channelInput) error {
	if in.Name == nil {
		return errValidation("name is required")
	}
	if in.CallbackURL != nil {
		return errValidation("callback_url belongs to API channels")
	}
	if in.BotToken == nil || strings.TrimSpace(*in.BotToken) == "" {
		return errValidation("bot_token is required: the token @BotFather gave the bot")
	}
	token := strings.TrimSpace(*in.BotToken)
	if len(token) > 256 || !strings.Contains(token, ":") || strings.ContainsAny(token, "/?#% \t") {
		return errValidation("bot_token does not look like a Telegram bot token (123456:ABC…)")
	}
	c := store.Channel{WorkspaceID: viewer(r).WorkspaceID, Kind: telegram.Kind, WebhookKey: providers.NewWebhookKey()}
	// validate what is ours before calling Telegram
	if err := s.applyChannel(r, s.DB.R(), in, &c); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), providerCallTimeout)
	defer cancel()
	client := s.Providers.TelegramClient(token)
	me, err := client.GetMe(ctx)
	if err != nil {
		return providerError("Telegram", err)
	}
	if me.Username != "" {
		c.Account = "@" + me.Username
	}
	cfg := providers.TelegramConfig{BotToken: token, SecretToken: telegram.GenerateSecretToken()}
	if c.Config, err = s.Providers.SealConfig(cfg); err != nil {
		return err
	}
	hookURL := s.publicURL(r) + providers.WebhookPath(telegram.Kind, c.WebhookKey)
	if err := client.SetWebhook(ctx, hookURL, cfg.SecretToken); err != nil {
		return providerError("Telegram", err)
	}
	// the channel authenticates by its webhook secret; its API-channel
	// token is random and never shown, so it opens nothing
	_, hash := auth.NewToken(auth.PrefixChannel)
	created, err := s.DB.W().CreateChannel(r.Context(), c, hash)
	if err != nil {
		// the bot now points at a key nobody has: unhook it
		s.unhookTelegram(r.Context(), c)
		return err
	}
	writeJSON(w, http.StatusCreated, s.channelView(r, created))
	return nil
}

// unhookTelegram removes a channel's webhook from Telegram, best effort.
func (s *Server) unhookTelegram(ctx context.Context, c store.Channel) {
	client, _, err := s.Providers.Telegram(c)
	if err == nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), providerCallTimeout)
		err = client.DeleteWebhook(cctx)
		cancel()
	}
	if err != nil {
		s.log.Warn("telegram: deleteWebhook", "channel", c.ID, "err", err)
	}
}

// channelTest is the answer of the "test connection" action.
type channelTest struct {
	OK      bool   `json:"ok"`
	Account string `json:"account,omitempty"`
	Error   string `json:"error,omitempty"`
}

// testChannel checks a channel's connection: for Telegram, that the bot
// token still works (getMe); for WhatsApp, that the access token can read
// the phone number. API channels have nothing to reach.
func (s *Server) testChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.DB.R().Channel(r.Context(), viewer(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	res := channelTest{OK: true, Account: c.Account}
	if c.Kind == whatsapp.Kind {
		res = s.testWhatsApp(r.Context(), c)
	}
	if c.Kind == sms.Kind {
		res = s.testSMS(r.Context(), c)
	}
	if isMetaKind(c.Kind) {
		res = s.testMeta(r.Context(), c)
	}
	if c.Kind == email.Kind {
		res = s.testEmail(r.Context(), c)
	}
	if c.Kind == telegram.Kind {
		client, _, err := s.Providers.Telegram(c)
		if err == nil {
			ctx, cancel := context.WithTimeout(r.Context(), providerCallTimeout)
			var me telegram.User
			me, err = client.GetMe(ctx)
			cancel()
			if err == nil && me.Username != "" {
				res.Account = "@" + me.Username
			}
		}
		if err != nil {
			res = channelTest{OK: false, Account: c.Account, Error: err.Error()}
		}
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// maxTelegramUpdate bounds a webhook body: an Update is a few KiB (files
// are fetched separately).
const maxTelegramUpdate = 1 << 20

// webhookAck is the answer to a provider's webhook call.
type webhookAck struct {
	OK bool `json:"ok"`
	// Result is stored, duplicate (handled before) or ignored (not a
	// customer message).
	Result         string `json:"result"`
	MessageID      int64  `json:"message_id,omitempty"`
	ConversationID int64  `json:"conversation_id,omitempty"`
}

// received notes one message of a batch: the answer names the first one,
// and says stored if any was new, duplicate if all had been seen.
func (a *webhookAck) received(res conversation.InboundResult) {
	if a.MessageID == 0 {
		a.MessageID, a.ConversationID = res.Message.ID, res.Conversation.ID
	}
	switch {
	case !res.Duplicate:
		a.Result = "stored"
	case a.Result == "ignored":
		a.Result = "duplicate"
	}
}

// applied notes a delivery status or watermark that changed something.
func (a *webhookAck) applied(changed bool) {
	if changed && a.Result == "ignored" {
		a.Result = "stored"
	}
}

// telegramWebhook receives one Update for the channel its URL names. It
// answers 2xx only once the message is committed (Telegram re-delivers an
// update until then), stores a re-delivered update once, and stores
// nothing at all for a request without the channel's secret token.
func (s *Server) telegramWebhook(w http.ResponseWriter, r *http.Request) error {
	ch, err := s.DB.R().ChannelByWebhookKey(r.Context(), telegram.Kind, r.PathValue("key"))
	if err != nil {
		return err // unknown key: 404
	}
	client, cfg, err := s.Providers.Telegram(ch)
	if err != nil {
		return err
	}
	if err := telegram.VerifySecret(r.Header.Get(telegram.HeaderSecretToken), cfg.SecretToken); err != nil {
		return &apiError{http.StatusUnauthorized, "unauthenticated", "missing or wrong " + telegram.HeaderSecretToken}
	}
	body, err := readWebhookBody(w, r, maxTelegramUpdate)
	if err != nil {
		return err
	}
	u, err := telegram.Parse(body)
	if err != nil {
		return errBadRequest(strip(err, channel.ErrInvalid))
	}
	if !u.CustomerMessage() {
		writeJSON(w, http.StatusOK, webhookAck{OK: true, Result: "ignored"})
		return nil
	}
	// An update handled before is acknowledged at once. The record is
	// written after the message commits, so the invariant that keeps one
	// message per update is the message's external id (chat:message_id):
	// an update re-delivered between the commit and the record is stored
	// once all the same.
	eventKey := "update:" + strconv.FormatInt(u.ID, 10)
	if seen, err := s.DB.R().ChannelEventSeen(r.Context(), ch.ID, eventKey); err != nil {
		return err
	} else if seen {
		writeJSON(w, http.StatusOK, webhookAck{OK: true, Result: "duplicate"})
		return nil
	}
	in := u.Inbound
	if m, err := s.DB.R().MessageByExternalID(r.Context(), ch.ID, in.ExternalID); err == nil {
		// stored, the record lost: no need to fetch the file again
		s.recordEvent(r.Context(), ch.ID, eventKey)
		writeJSON(w, http.StatusOK, webhookAck{OK: true, Result: "duplicate", MessageID: m.ID, ConversationID: m.ConversationID})
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	msg := conversation.Inbound{ContactName: in.Contact.Name, ExternalID: in.ExternalID, ReplyToExternalID: in.ReplyTo}
	for _, id := range in.Contact.Identities {
		switch id.Kind {
		case "telegram_id":
			msg.ContactExternalID = id.Value
		case "username":
			msg.ContactAttributes = map[string]any{"telegram_username": id.Value}
			if msg.ContactName == "" {
				msg.ContactName = "@" + id.Value
			}
		}
	}
	if msg.ContactExternalID == "" {
		// a private chat's id is the customer's user id
		msg.ContactExternalID = strconv.FormatInt(u.ChatID, 10)
	}
	var notes []string
	saved := ""
	if len(in.Media) > 0 {
		// fetched before the commit: Telegram's file links expire, and an
		// acknowledged update is never sent again
		m := in.Media[0]
		at, note, err := s.fetchTelegramFile(r.Context(), client, m)
		if err != nil {
			return err
		}
		if at != nil {
			msg.Attachment, saved = at, at.StorageKey
		}
		if note != "" {
			notes = append(notes, note)
		}
	}
	msg.Text = telegramText(u, notes)
	res, err := s.Conversations.Receive(r.Context(), ch, msg)
	if (err != nil || res.Duplicate) && saved != "" {
		_ = s.Blobs.Remove(saved) // the row was not written (or already existed): no orphan file
	}
	if err != nil {
		return err
	}
	s.recordEvent(r.Context(), ch.ID, eventKey)
	result := "stored"
	if res.Duplicate {
		result = "duplicate"
	}
	writeJSON(w, http.StatusOK, webhookAck{OK: true, Result: result, MessageID: res.Message.ID, ConversationID: res.Conversation.ID})
	return nil
}

// recordEvent notes a handled update; a failure only costs a second look
// at the message's external id when the update comes again.
func (s *Server) recordEvent(ctx context.Context, channelID int64, key string) {
	if _, err := s.DB.W().RecordChannelEvent(ctx, channelID, key); err != nil {
		s.log.Warn("webhook: record event", "channel", channelID, "event", key, "err", err)
	}
}

// fetchTelegramFile downloads a customer's file into blob storage. A file
// Telegram will never serve (over the bots' 20 MB limit) or too large for
// this server becomes a note in the message instead; a failure that may
// pass (Telegram unreachable) fails the request, so Telegram sends the
// update again.
func (s *Server) fetchTelegramFile(ctx context.Context, client *telegram.Client, m channel.Media) (*store.Attachment, string, error) {
	data, filePath, err := client.DownloadFile(ctx, m.Ref)
	if err != nil {
		var se *channel.SendError
		if errors.As(err, &se) && !se.Retry {
			s.log.Warn("telegram: file not downloaded", "kind", m.Kind, "err", err)
			return nil, "[" + m.Kind + " not downloaded: " + se.Msg + "]", nil
		}
		return nil, "", &apiError{http.StatusServiceUnavailable, "provider_unavailable", "the file could not be fetched from Telegram; send the update again"}
	}
	b, err := s.Blobs.Save(bytes.NewReader(data))
	if errors.Is(err, blob.ErrTooLarge) {
		return nil, "[" + m.Kind + " not stored: larger than this server's attachment limit]", nil
	} else if err != nil {
		return nil, "", err
	}
	name := m.Filename
	if name == "" {
		name = path.Base(filePath)
	}
	if name == "" || name == "." || name == "/" {
		name = m.Kind
	}
	return &store.Attachment{Filename: name, ContentType: b.ContentType, Size: b.Size, SHA256: b.SHA256, StorageKey: b.Key}, "", nil
}

// telegramText is the content of a customer's message: its text or
// caption, a shared place or contact, notes about files that could not be
// kept, or, for what Atende cannot show (polls, dice…), a placeholder, so
// that the agent sees the customer wrote.
func telegramText(u telegram.Update, notes []string) string {
	in := u.Inbound
	parts := []string{}
	if in.Text != "" {
		parts = append(parts, in.Text)
	}
	if l := in.Location; l != nil {
		place := strings.TrimSpace(strings.Join(nonEmpty(l.Name, l.Address), ", "))
		loc := fmt.Sprintf("📍 %.6f, %.6f", l.Latitude, l.Longitude)
		if place != "" {
			loc = "📍 " + place + fmt.Sprintf(" (%.6f, %.6f)", l.Latitude, l.Longitude)
		}
		parts = append(parts, loc)
	}
	for _, c := range in.SharedContacts {
		parts = append(parts, "👤 "+c)
	}
	parts = append(parts, notes...)
	if len(parts) == 0 && len(in.Media) == 0 {
		parts = append(parts, "["+u.Type+" message not supported]")
	}
	return strings.Join(parts, "\n")
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
