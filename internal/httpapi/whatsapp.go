package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/blob"
	"github.com/atende/atende/internal/channel"
	"github.com/atende/atende/internal/channel/meta"
	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/channel/whatsapp"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/store"
)

// graphID is the shape of a Graph API node id (phone number, WABA).
var graphID = regexp.MustCompile(`^[0-9]{1,64}$`)

// whatsappCredential checks one credential field of a WhatsApp channel.
func whatsappCredential(name string, v *string, maxLen int) (string, error) {
	if v == nil || strings.TrimSpace(*v) == "" {
		return "", errValidation(name + " is required")
	}
	s := strings.TrimSpace(*v)
	if len(s) > maxLen || strings.ContainsAny(s, " \t\r\n") {
		return "", errValidation(name + " does not look like a Meta " + strings.ReplaceAll(name, "_", " "))
	}
	return s, nil
}

// newVerifyToken returns the verify token of a WhatsApp webhook.
func newVerifyToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// createWhatsAppChannel connects a WhatsApp Cloud API phone number: it
// checks the access token by reading the phone number from the Graph API,
// and stores the token, the app secret and a new verify token sealed. The
// answer carries the webhook URL and the verify token to paste into Meta's
// app dashboard, never the token or the secret.
func (s *Server) createWhatsAppChannel(w http.ResponseWriter, r *http.Request, in channelInput) error {
	if in.Name == nil {
		return errValidation("name is required")
	}
	if in.CallbackURL != nil {
		return errValidation("callback_url belongs to API channels")
	}
	if in.BotToken != nil {
		return errValidation("bot_token belongs to telegram channels")
	}
	var cfg providers.WhatsAppConfig
	for _, f := range []struct {
		name string
		v    *string
	}{{"phone_number_id", in.PhoneNumberID}, {"waba_id", in.WABAID}} {
		if f.v == nil || !graphID.MatchString(strings.TrimSpace(*f.v)) {
			return errValidation(f.name + " is required: the numeric id Meta's WhatsApp Manager shows")
		}
	}
	cfg.PhoneNumberID, cfg.WABAID = strings.TrimSpace(*in.PhoneNumberID), strings.TrimSpace(*in.WABAID)
	var err error
	if cfg.AccessToken, err = whatsappCredential("access_token", in.AccessToken, 2048); err != nil {
		return err
	}
	if cfg.AppSecret, err = whatsappCredential("app_secret", in.AppSecret, 256); err != nil {
		return err
	}
	c := store.Channel{WorkspaceID: viewer(r).WorkspaceID, Kind: whatsapp.Kind, WebhookKey: providers.NewWebhookKey()}
	if err := s.applyChannel(r, s.DB.R(), in, &c); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), providerCallTimeout)
	defer cancel()
	pn, err := s.Providers.WhatsAppClient(cfg.AccessToken, cfg.PhoneNumberID).PhoneNumber(ctx)
	if err != nil {
		return providerError("WhatsApp", err)
	}
	c.Account = whatsappAccount(pn)
	cfg.VerifyToken = newVerifyToken()
	if c.Config, err = s.Providers.SealConfig(cfg); err != nil {
		return err
	}
	// the channel authenticates by its signature; its API-channel token is
	// random and never shown, so it opens nothing
	_, hash := auth.NewToken(auth.PrefixChannel)
	created, err := s.DB.W().CreateChannel(r.Context(), c, hash)
	if err != nil {
		return err
	}
	s.syncConnectedChannel(r.Context(), created)
	writeJSON(w, http.StatusCreated, s.channelView(r, created))
	return nil
}

// whatsappAccount names a phone number for admins.
func whatsappAccount(pn whatsapp.PhoneNumber) string {
	switch {
	case pn.DisplayPhoneNumber != "" && pn.VerifiedName != "":
		return pn.DisplayPhoneNumber + " (" + pn.VerifiedName + ")"
	case pn.DisplayPhoneNumber != "":
		return pn.DisplayPhoneNumber
	}
	return pn.VerifiedName
}

// testWhatsApp reads the channel's phone number with its stored token.
func (s *Server) testWhatsApp(ctx context.Context, c store.Channel) channelTest {
	client, _, err := s.Providers.WhatsApp(c)
	if err == nil {
		cctx, cancel := context.WithTimeout(ctx, providerCallTimeout)
		var pn whatsapp.PhoneNumber
		pn, err = client.PhoneNumber(cctx)
		cancel()
		if err == nil {
			return channelTest{OK: true, Account: whatsappAccount(pn)}
		}
	}
	return channelTest{OK: false, Account: c.Account, Error: err.Error()}
}

// whatsappVerify answers the GET handshake Meta makes when the webhook URL
// is saved in the app dashboard: the challenge back as text/plain when the
// verify token matches, 403 otherwise.
func (s *Server) whatsappVerify(w http.ResponseWriter, r *http.Request) error {
	ch, err := s.DB.R().ChannelByWebhookKey(r.Context(), whatsapp.Kind, r.PathValue("key"))
	if err != nil {
		return err // unknown key: 404
	}
	_, cfg, err := s.Providers.WhatsApp(ch)
	if err != nil {
		return err
	}
	challenge, ok := whatsapp.VerifyChallenge(r.URL.Query(), cfg.VerifyToken)
	if !ok {
		return &apiError{http.StatusForbidden, "forbidden", "hub.mode must be subscribe and hub.verify_token the channel's verify token"}
	}
	writeChallenge(w, challenge)
	return nil
}

// maxWhatsAppWebhook bounds a webhook body: Meta batches messages and
// statuses, but media are fetched separately.
const maxWhatsAppWebhook = 4 << 20

// whatsappWebhook receives one signed webhook POST for the channel its URL
// names. Only the part for the channel's phone number is ingested: its
// messages (each stored once, by its wamid, media downloaded before the
// commit) and its statuses (each applied once per (wamid, status), moving
// the message's delivery status only forward). It answers 2xx only once
// everything is committed, so Meta sends a failed batch again; a request
// whose signature does not match stores nothing.
func (s *Server) whatsappWebhook(w http.ResponseWriter, r *http.Request) error {
	ch, err := s.DB.R().ChannelByWebhookKey(r.Context(), whatsapp.Kind, r.PathValue("key"))
	if err != nil {
		return err // unknown key: 404
	}
	client, cfg, err := s.Providers.WhatsApp(ch)
	if err != nil {
		return err
	}
	body, err := readWebhookBody(w, r, maxWhatsAppWebhook)
	if err != nil {
		return err
	}
	if err := whatsapp.VerifySignature(body, r.Header.Get(whatsapp.HeaderSignature), cfg.AppSecret); err != nil {
		return &apiError{http.StatusUnauthorized, "unauthenticated", "missing or wrong " + whatsapp.HeaderSignature}
	}
	batch, err := whatsapp.Parse(body)
	if err != nil {
		return errBadRequest(strip(err, channel.ErrInvalid))
	}
	line, ok := batch.Line(cfg.PhoneNumberID)
	ack := webhookAck{OK: true, Result: "ignored"}
	if !ok {
		writeJSON(w, http.StatusOK, ack)
		return nil
	}
	for _, e := range line.Errors {
		s.log.Warn("whatsapp: error reported by Meta", "channel", ch.ID, "error", e.String())
	}
	for _, in := range line.Messages {
		res, err := s.receiveWhatsApp(r.Context(), ch, client, in)
		if err != nil {
			return err
		}
		ack.received(res)
	}
	for _, st := range line.Statuses {
		applied, err := s.applyWhatsAppStatus(r.Context(), ch, st)
		if err != nil {
			return err
		}
		ack.applied(applied)
	}
	writeJSON(w, http.StatusOK, ack)
	return nil
}

// receiveWhatsApp stores one customer message, once.
func (s *Server) receiveWhatsApp(ctx context.Context, ch store.Channel, client *whatsapp.Client, in channel.Inbound) (conversation.InboundResult, error) {
	if m, err := s.DB.R().MessageByExternalID(ctx, ch.ID, in.ExternalID); err == nil {
		// stored before: no need to fetch the media again
		return conversation.InboundResult{Message: m, Conversation: store.Conversation{ID: m.ConversationID}, Duplicate: true}, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return conversation.InboundResult{}, err
	}
	msg := conversation.Inbound{ContactName: in.Contact.Name, ContactPhone: in.Contact.Phone, ExternalID: in.ExternalID, ReplyToExternalID: in.ReplyTo}
	if msg.ReplyToExternalID == "" && in.Reaction != nil {
		msg.ReplyToExternalID = in.Reaction.MessageID // the timeline shows what was reacted to
	}
	msg.ContactExternalID, msg.ContactAliases = whatsappIdentities(in.Contact)
	for _, id := range in.Contact.Identities {
		if id.Kind == whatsapp.IdentityUsername {
			msg.ContactAttributes = map[string]any{"whatsapp_username": id.Value}
		}
	}
	if msg.ContactName == "" {
		msg.ContactName = in.Contact.Phone
	}
	var notes []string
	saved := ""
	if len(in.Media) > 0 {
		// fetched before the commit: an acknowledged webhook is never sent again
		at, note, err := s.fetchWhatsAppMedia(ctx, client, in.Media[0])
		if err != nil {
			return conversation.InboundResult{}, err
		}
		if at != nil {
			msg.Attachment, saved = at, at.StorageKey
		}
		if note != "" {
			notes = append(notes, note)
		}
	}
	msg.Text = whatsappText(in, notes)
	res, err := s.Conversations.Receive(ctx, ch, msg)
	if (err != nil || res.Duplicate) && saved != "" {
		_ = s.Blobs.Remove(saved) // the row was not written (or already existed): no orphan file
	}
	return res, err
}

// whatsappIdentities picks the identity a WhatsApp contact is keyed on
// (the phone-based wa_id, else the business-scoped user id) and the others
// it is also known by. Usernames are kept with their "@", so that none can
// pass for a phone number.
func whatsappIdentities(c channel.Contact) (primary string, aliases []string) {
	var rest []string
	for _, id := range c.Identities {
		v := id.Value
		if id.Kind == whatsapp.IdentityUsername && !strings.HasPrefix(v, "@") {
			v = "@" + v
		}
		if primary == "" && (id.Kind == whatsapp.IdentityWaID || id.Kind == whatsapp.IdentityBSUID) {
			primary = v
			continue
		}
		rest = append(rest, v)
	}
	if primary == "" && len(rest) > 0 {
		primary, rest = rest[0], rest[1:]
	}
	return primary, rest
}

// fetchWhatsAppMedia downloads a customer's file through the media API
// and checks it against the webhook's sha256. A file Meta will not serve,
// too large, or not matching its hash becomes a note in the message; a
// failure that may pass (Meta unreachable, rate limited) fails the
// request, so Meta sends the webhook again.
func (s *Server) fetchWhatsAppMedia(ctx context.Context, client *whatsapp.Client, m channel.Media) (*store.Attachment, string, error) {
	cctx, cancel := context.WithTimeout(ctx, providerCallTimeout)
	data, mimeType, err := client.DownloadMedia(cctx, m.Ref)
	cancel()
	if err == nil && m.SHA256 != "" {
		err = whatsapp.CheckSHA256(data, m.SHA256)
	}
	if err != nil {
		var se *channel.SendError
		switch {
		case errors.As(err, &se) && se.Retry:
			return nil, "", &apiError{http.StatusServiceUnavailable, "provider_unavailable", "the media could not be fetched from WhatsApp; send the webhook again"}
		case errors.Is(err, whatsapp.ErrChecksum):
			s.log.Warn("whatsapp: media checksum mismatch", "kind", m.Kind, "err", err)
			return nil, "[" + m.Kind + " not stored: the file did not match its checksum]", nil
		default:
			s.log.Warn("whatsapp: media not downloaded", "kind", m.Kind, "err", err)
			return nil, "[" + m.Kind + " not downloaded]", nil
		}
	}
	b, err := s.Blobs.Save(bytes.NewReader(data))
	if errors.Is(err, blob.ErrTooLarge) {
		return nil, "[" + m.Kind + " not stored: larger than this server's attachment limit]", nil
	} else if err != nil {
		return nil, "", err
	}
	name := m.Filename
	if name == "" {
		name = m.Kind
	}
	ct := b.ContentType
	if ct == "" || ct == "application/octet-stream" {
		ct = firstNonEmpty(m.MIME, mimeType, ct)
	}
	return &store.Attachment{Filename: name, ContentType: ct, Size: b.Size, SHA256: b.SHA256, StorageKey: b.Key}, "", nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// whatsappText is the content of a customer's message: its text or
// caption, a shared place or contacts, a reaction, and notes about files
// that could not be kept, so that the agent always sees what was sent.
func whatsappText(in channel.Inbound, notes []string) string {
	parts := []string{}
	if in.Text != "" {
		parts = append(parts, in.Text)
	}
	for _, m := range in.Media {
		if m.Caption != "" {
			parts = append(parts, m.Caption)
		}
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
	if rc := in.Reaction; rc != nil {
		if rc.Emoji != "" {
			parts = append(parts, "[reacted "+rc.Emoji+" to a message]")
		} else {
			parts = append(parts, "[removed a reaction]")
		}
	}
	parts = append(parts, notes...)
	if len(parts) == 0 && len(in.Media) == 0 {
		parts = append(parts, "[message not supported]")
	}
	return strings.Join(parts, "\n")
}

// applyWhatsAppStatus records one delivery report on the message it names,
// once per (wamid, status). A report on a message Atende did not send is
// ignored. It reports whether anything was applied.
func (s *Server) applyWhatsAppStatus(ctx context.Context, ch store.Channel, st channel.Status) (bool, error) {
	if !store.ValidDelivery(st.Status) || st.Status == store.DeliveryPending {
		return false, nil
	}
	key := "status:" + st.ExternalID + ":" + st.Status
	if seen, err := s.DB.R().ChannelEventSeen(ctx, ch.ID, key); err != nil || seen {
		return false, err
	}
	m, err := s.DB.R().MessageByExternalID(ctx, ch.ID, st.ExternalID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if m.Direction != store.DirOut {
		return false, nil
	}
	errText := ""
	if st.Status == store.DeliveryFailed {
		errText = st.Error
		if errText == "" {
			errText = "WhatsApp could not deliver the message"
		}
	}
	if err := s.Conversations.SetDelivery(ctx, ch.WorkspaceID, m.ID, st.Status, errText); err != nil {
		return false, err
	}
	s.recordEvent(ctx, ch.ID, key)
	return true, nil
}

// errWindowClosed answers a free-text reply outside WhatsApp's 24-hour
// customer-service window.
var errWindowClosed = &apiError{http.StatusUnprocessableEntity, "window_closed",
	"the customer last wrote on WhatsApp more than 24 hours ago: only an approved template can be sent"}

// checkWhatsAppWindow refuses a reply on a WhatsApp conversation whose
// customer-service window is closed, and on a Messenger or Instagram one
// more than 7 days after the customer's last message. Other conversations, and ones the
// viewer cannot see (Send answers those), pass.
func (s *Server) checkWhatsAppWindow(r *http.Request, convID int64) error {
	v := viewer(r)
	q := s.DB.R()
	c, err := q.Conversation(r.Context(), v, convID)
	if err != nil {
		return nil
	}
	ch, err := q.Channel(r.Context(), v.WorkspaceID, c.ChannelID)
	if err != nil || (ch.Kind != whatsapp.Kind && !isMetaKind(ch.Kind)) {
		return nil
	}
	at, err := q.LastInboundAt(r.Context(), v.WorkspaceID, c.ContactID, ch.ID)
	if err != nil {
		return err
	}
	var last time.Time
	if at > 0 {
		last = time.UnixMilli(at)
	}
	if isMetaKind(ch.Kind) {
		// past 24 hours the reply goes with the HUMAN_AGENT tag; past 7 days not at all
		if _, err := meta.HumanAgentTag(last, s.Conversations.Now()); err != nil {
			return errMetaWindowClosed
		}
		return nil
	}
	if !whatsapp.WindowOpen(last, s.Conversations.Now()) {
		return errWindowClosed
	}
	return nil
}
