package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/blob"
	"github.com/atende/atende/internal/channel"
	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/channel/sms"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/store"
)

// smsSID is the shape of the provider's ids: two letters and 32 hex digits
// (AC… accounts, MG… messaging services).
var smsSID = regexp.MustCompile(`^[A-Z]{2}[0-9a-fA-F]{32}$`)

// maxSMSWebhook bounds an SMS webhook body (a form of a few KiB; media
// come by URL).
const maxSMSWebhook = 256 << 10

// smsStatusPath is the path of an SMS channel's status-callback endpoint.
func smsStatusPath(key string) string { return providers.WebhookPath(sms.Kind, key) + "/status" }

// hasSMS reports whether the input carries SMS settings.
func (in channelInput) hasSMS() bool {
	return in.AccountSID != nil || in.AuthToken != nil || in.From != nil || in.MessagingServiceSID != nil
}

// createSMSChannel connects an SMS account and sender: it checks the
// credentials by reading the account resource, and stores them sealed with
// the status-callback URL every send names. The answer carries the
// incoming-message webhook URL and the status-callback URL to paste into
// the provider's console, never the auth token.
func (s *Server) createSMSChannel(w http.ResponseWriter, r *http.Request, in channelInput) error {
	if in.Name == nil {
		return errValidation("name is required")
	}
	if in.CallbackURL != nil {
		return errValidation("callback_url belongs to API channels")
	}
	if in.BotToken != nil {
		return errValidation("bot_token belongs to telegram channels")
	}
	if in.hasWhatsApp() {
		return errValidation("phone_number_id, waba_id, access_token and app_secret belong to whatsapp channels")
	}
	var cfg providers.SMSConfig
	if in.AccountSID == nil || !smsSID.MatchString(strings.TrimSpace(*in.AccountSID)) || !strings.HasPrefix(strings.TrimSpace(*in.AccountSID), "AC") {
		return errValidation("account_sid is required: the Account SID (AC…) of the SMS provider's console")
	}
	cfg.AccountSID = strings.TrimSpace(*in.AccountSID)
	if in.AuthToken == nil || strings.TrimSpace(*in.AuthToken) == "" {
		return errValidation("auth_token is required: the account's Auth Token")
	}
	cfg.AuthToken = strings.TrimSpace(*in.AuthToken)
	if len(cfg.AuthToken) > 256 || strings.ContainsAny(cfg.AuthToken, " \t\r\n") {
		return errValidation("auth_token does not look like an Auth Token")
	}
	if in.From != nil && strings.TrimSpace(*in.From) != "" {
		cfg.From = strings.TrimSpace(*in.From)
		if !sms.IsE164(cfg.From) {
			return errValidation("from must be the sending number in E.164 form (+5511…)")
		}
	}
	if in.MessagingServiceSID != nil && strings.TrimSpace(*in.MessagingServiceSID) != "" {
		cfg.MessagingServiceSID = strings.TrimSpace(*in.MessagingServiceSID)
		if !smsSID.MatchString(cfg.MessagingServiceSID) || !strings.HasPrefix(cfg.MessagingServiceSID, "MG") {
			return errValidation("messaging_service_sid must be a Messaging Service SID (MG…)")
		}
	}
	if cfg.From == "" && cfg.MessagingServiceSID == "" {
		return errValidation("from (the sending number) or messaging_service_sid is required")
	}
	c := store.Channel{WorkspaceID: viewer(r).WorkspaceID, Kind: sms.Kind, WebhookKey: providers.NewWebhookKey()}
	if err := s.applyChannel(r, s.DB.R(), in, &c); err != nil {
		return err
	}
	cfg.StatusCallback = s.publicURL(r) + smsStatusPath(c.WebhookKey)
	ctx, cancel := context.WithTimeout(r.Context(), providerCallTimeout)
	defer cancel()
	if _, err := s.Providers.SMSClient(cfg).Account(ctx); err != nil {
		return providerError("The SMS provider", err)
	}
	c.Account = firstNonEmpty(cfg.From, cfg.MessagingServiceSID)
	var err error
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
	writeJSON(w, http.StatusCreated, s.channelView(r, created))
	return nil
}

// testSMS reads the channel's account resource with its stored credentials.
func (s *Server) testSMS(ctx context.Context, c store.Channel) channelTest {
	client, _, err := s.Providers.SMS(c)
	if err == nil {
		cctx, cancel := context.WithTimeout(ctx, providerCallTimeout)
		_, err = client.Account(cctx)
		cancel()
		if err == nil {
			return channelTest{OK: true, Account: c.Account}
		}
	}
	return channelTest{OK: false, Account: c.Account, Error: err.Error()}
}

// smsForm reads and authenticates an SMS webhook: the channel its key
// names, the POST form, its X-Twilio-Signature checked against the public
// URL the provider was given (ATENDE_BASE_URL + the request URI) with the
// channel's auth token, and the account it names.
func (s *Server) smsForm(w http.ResponseWriter, r *http.Request) (store.Channel, *sms.Client, url.Values, error) {
	ch, err := s.DB.R().ChannelByWebhookKey(r.Context(), sms.Kind, r.PathValue("key"))
	if err != nil {
		return ch, nil, nil, err // unknown key: 404
	}
	client, cfg, err := s.Providers.SMS(ch)
	if err != nil {
		return ch, nil, nil, err
	}
	body, err := readWebhookBody(w, r, maxSMSWebhook)
	if err != nil {
		return ch, nil, nil, err
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return ch, nil, nil, &apiError{http.StatusUnsupportedMediaType, "unsupported_media_type", "the body must be application/x-www-form-urlencoded"}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return ch, nil, nil, errBadRequest("the body is not a valid form")
	}
	fullURL := s.publicURL(r) + r.URL.RequestURI()
	if err := sms.ValidateSignature(cfg.AuthToken, fullURL, form, r.Header.Get(sms.HeaderSignature)); err != nil {
		return ch, nil, nil, &apiError{http.StatusUnauthorized, "unauthenticated", "missing or wrong " + sms.HeaderSignature}
	}
	if rt := sms.RouteOf(form); rt.AccountSID != cfg.AccountSID {
		return ch, nil, nil, &apiError{http.StatusForbidden, "forbidden", "the request names another account than this channel's"}
	}
	return ch, client, form, nil
}

// writeTwiML acknowledges an SMS webhook without an automatic reply.
func writeTwiML(w http.ResponseWriter) {
	w.Header().Set("Content-Type", sms.ContentTypeTwiML)
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, sms.EmptyTwiML)
}

// smsWebhook receives one incoming SMS/MMS. It answers 200 with empty
// TwiML only once the message is committed (the provider retries a failed
// webhook), stores a re-delivered message once (by MessageSid), downloads
// media before the commit, and stores nothing for a request whose
// signature does not match.
func (s *Server) smsWebhook(w http.ResponseWriter, r *http.Request) error {
	ch, client, form, err := s.smsForm(w, r)
	if err != nil {
		return err
	}
	in, err := sms.ParseInbound(form)
	if err != nil {
		return errBadRequest(strip(err, channel.ErrInvalid))
	}
	eventKey := "message:" + in.ExternalID
	if seen, err := s.DB.R().ChannelEventSeen(r.Context(), ch.ID, eventKey); err != nil {
		return err
	} else if seen {
		writeTwiML(w)
		return nil
	}
	if _, err := s.DB.R().MessageByExternalID(r.Context(), ch.ID, in.ExternalID); err == nil {
		// stored, the record lost: no need to fetch the media again
		s.recordEvent(r.Context(), ch.ID, eventKey)
		writeTwiML(w)
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	from := in.Contact.Identities[0].Value
	msg := conversation.Inbound{ContactExternalID: from, ContactName: firstNonEmpty(in.Contact.Name, from), ContactPhone: in.Contact.Phone, ExternalID: in.ExternalID}
	var notes []string
	saved := ""
	for i, m := range in.Media {
		if i > 0 {
			notes = append(notes, fmt.Sprintf("[%s not stored: only the first attachment of an MMS is kept]", m.Kind))
			continue
		}
		// fetched before the commit: an acknowledged webhook is never sent again
		at, note, err := s.fetchSMSMedia(r.Context(), client, m)
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
	msg.Text = strings.Join(nonEmpty(append([]string{in.Text}, notes...)...), "\n")
	res, err := s.Conversations.Receive(r.Context(), ch, msg)
	if (err != nil || res.Duplicate) && saved != "" {
		_ = s.Blobs.Remove(saved) // the row was not written (or already existed): no orphan file
	}
	if err != nil {
		return err
	}
	s.recordEvent(r.Context(), ch.ID, eventKey)
	writeTwiML(w)
	return nil
}

// fetchSMSMedia downloads an MMS attachment into blob storage. Media the
// provider will never serve, or too large, become a note; an outage fails
// the request so the provider sends the webhook again.
func (s *Server) fetchSMSMedia(ctx context.Context, client *sms.Client, m channel.Media) (*store.Attachment, string, error) {
	data, ct, err := client.DownloadMedia(ctx, m.Ref)
	if err != nil {
		var se *channel.SendError
		switch {
		case errors.Is(err, sms.ErrTooLarge):
			return nil, "[" + m.Kind + " not stored: too large]", nil
		case errors.As(err, &se) && se.Retry:
			return nil, "", &apiError{http.StatusServiceUnavailable, "provider_unavailable", "the media could not be fetched from the SMS provider; send the webhook again"}
		}
		s.log.Warn("sms: media not downloaded", "kind", m.Kind, "err", err)
		return nil, "[" + m.Kind + " not downloaded]", nil
	}
	b, err := s.Blobs.Save(bytes.NewReader(data))
	if errors.Is(err, blob.ErrTooLarge) {
		return nil, "[" + m.Kind + " not stored: larger than this server's attachment limit]", nil
	} else if err != nil {
		return nil, "", err
	}
	name := firstNonEmpty(m.Filename, m.Kind)
	ctype := b.ContentType
	if ctype == "" {
		ctype = ct
	}
	return &store.Attachment{Filename: name, ContentType: ctype, Size: b.Size, SHA256: b.SHA256, StorageKey: b.Key}, "", nil
}

// smsStatusWebhook receives a status callback of a message Atende sent:
// applied once per (MessageSid, status), moving the delivery status only
// forward; a failure is recorded as "code: message".
func (s *Server) smsStatusWebhook(w http.ResponseWriter, r *http.Request) error {
	ch, _, form, err := s.smsForm(w, r)
	if err != nil {
		return err
	}
	st, err := sms.ParseStatus(form)
	if err != nil {
		return errBadRequest(strip(err, channel.ErrInvalid))
	}
	if st.Status != "" {
		if _, err := s.applySMSStatus(r.Context(), ch, st); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// applySMSStatus records one delivery report on the message it names, once
// per (sid, status). Reports on messages Atende did not send are ignored.
func (s *Server) applySMSStatus(ctx context.Context, ch store.Channel, st channel.Status) (bool, error) {
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
		errText = firstNonEmpty(st.Error, "the SMS provider could not deliver the message")
	}
	if err := s.Conversations.SetDelivery(ctx, ch.WorkspaceID, m.ID, st.Status, errText); err != nil {
		return false, err
	}
	s.recordEvent(ctx, ch.ID, key)
	return true, nil
}

// sendSMS is the composer's SMS tab: the text goes as an SMS to the
// conversation contact's phone through an SMS channel (channel_id, or the
// workspace's first), as a message of the same conversation marked
// via "sms" and delivered by the SMS channel's deliverer.
func (s *Server) sendSMS(w http.ResponseWriter, r *http.Request, convID int64, req sendRequest) error {
	if len(req.AttachmentIDs) > 0 {
		return errValidation("an SMS carries text only: send attachments as a reply")
	}
	v := viewer(r)
	q := s.DB.R()
	conv, err := q.Conversation(r.Context(), v, convID)
	if err != nil {
		return err
	}
	var ch store.Channel
	if req.ChannelID != nil {
		ch, err = q.Channel(r.Context(), v.WorkspaceID, *req.ChannelID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && ch.Kind != sms.Kind) {
			return errValidation("channel_id is not an SMS channel of this workspace")
		} else if err != nil {
			return err
		}
	} else {
		list, err := q.Channels(r.Context(), v.WorkspaceID)
		if err != nil {
			return err
		}
		for _, c := range list {
			if c.Kind == sms.Kind {
				ch = c
				break
			}
		}
		if ch.ID == 0 {
			return &apiError{http.StatusUnprocessableEntity, "no_sms_channel", "no SMS channel is connected: an admin connects one in Settings › Channels"}
		}
	}
	contact, err := q.Contact(r.Context(), v.WorkspaceID, conv.ContactID)
	if err != nil {
		return err
	}
	if providers.SMSRecipient(contact) == "" {
		return &apiError{http.StatusUnprocessableEntity, "no_phone", "the contact has no phone number (in E.164 form, +5511…) to send an SMS to"}
	}
	if strings.TrimSpace(req.Content) == "" {
		return errValidation("an SMS needs text")
	}
	m, err := s.Conversations.Send(r.Context(), v, convID, conversation.Outgoing{Content: req.Content, ChannelID: ch.ID, Via: sms.Kind})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}
