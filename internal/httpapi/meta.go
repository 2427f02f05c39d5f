package httpapi

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/blob"
	"github.com/atende/atende/internal/channel"
	"github.com/atende/atende/internal/channel/meta"
	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/store"
)

// isMetaKind reports whether kind is a Messenger or Instagram channel.
func isMetaKind(kind string) bool { return kind == meta.KindMessenger || kind == meta.KindInstagram }

// hasMeta reports whether the input carries Messenger / Instagram settings.
func (in channelInput) hasMeta() bool {
	return in.PageID != nil || in.InstagramAccountID != nil || in.PageAccessToken != nil
}

// metaPlatformName names a channel kind for admins and customers' notes.
func metaPlatformName(kind string) string {
	if kind == meta.KindInstagram {
		return "Instagram"
	}
	return "Messenger"
}

// createMetaChannel connects a Facebook Page (kind messenger) or an
// Instagram professional account (kind instagram): it checks the Page
// access token by reading the Page / account from the Graph API, and
// stores the token, the app secret and a new verify token sealed. The
// answer carries the webhook URL and the verify token to paste into Meta's
// app dashboard, never the token or the secret.
func (s *Server) createMetaChannel(w http.ResponseWriter, r *http.Request, in channelInput) error {
	kind := *in.Kind
	if in.Name == nil {
		return errValidation("name is required")
	}
	if in.CallbackURL != nil {
		return errValidation("callback_url belongs to API channels")
	}
	if in.BotToken != nil {
		return errValidation("bot_token belongs to telegram channels")
	}
	if in.PhoneNumberID != nil || in.WABAID != nil || in.AccessToken != nil {
		return errValidation("phone_number_id, waba_id and access_token belong to whatsapp channels")
	}
	if in.hasSMS() {
		return errValidation("account_sid, auth_token, from and messaging_service_sid belong to sms channels")
	}
	var cfg providers.MetaConfig
	checkID := func(name string, v *string) (string, error) {
		if v == nil || !graphID.MatchString(strings.TrimSpace(*v)) {
			return "", errValidation(name + " is required: the numeric id Meta's dashboard shows")
		}
		return strings.TrimSpace(*v), nil
	}
	var err error
	if kind == meta.KindMessenger {
		if in.InstagramAccountID != nil {
			return errValidation("instagram_account_id belongs to instagram channels")
		}
		if cfg.AccountID, err = checkID("page_id", in.PageID); err != nil {
			return err
		}
		cfg.PageID = cfg.AccountID
	} else {
		if cfg.AccountID, err = checkID("instagram_account_id", in.InstagramAccountID); err != nil {
			return err
		}
		if in.PageID != nil { // the linked Page that sends; "me" (from the token) when absent
			if cfg.PageID, err = checkID("page_id", in.PageID); err != nil {
				return err
			}
		}
	}
	if cfg.PageAccessToken, err = whatsappCredential("page_access_token", in.PageAccessToken, 2048); err != nil {
		return err
	}
	if cfg.AppSecret, err = whatsappCredential("app_secret", in.AppSecret, 256); err != nil {
		return err
	}
	c := store.Channel{WorkspaceID: viewer(r).WorkspaceID, Kind: kind, WebhookKey: providers.NewWebhookKey()}
	if err := s.applyChannel(r, s.DB.R(), in, &c); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), providerCallTimeout)
	defer cancel()
	page, err := s.metaAccountClient(kind, cfg).Page(ctx)
	if err != nil {
		return providerError(metaPlatformName(kind), err)
	}
	c.Account = metaAccount(page)
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
	writeJSON(w, http.StatusCreated, s.channelView(r, created))
	return nil
}

// metaAccountClient reads the channel's own Page or Instagram account.
func (s *Server) metaAccountClient(kind string, cfg providers.MetaConfig) *meta.Client {
	c := s.Providers.MetaClient(kind, cfg)
	c.PageID = cfg.AccountID
	return c
}

// metaAccount names a Page or Instagram account for admins.
func metaAccount(p meta.PageInfo) string {
	switch {
	case p.Username != "" && p.Name != "":
		return "@" + p.Username + " (" + p.Name + ")"
	case p.Username != "":
		return "@" + p.Username
	case p.Name != "":
		return p.Name
	}
	return p.ID
}

// testMeta reads the channel's Page / account with its stored token.
func (s *Server) testMeta(ctx context.Context, c store.Channel) channelTest {
	_, cfg, err := s.Providers.Meta(c)
	if err == nil {
		cctx, cancel := context.WithTimeout(ctx, providerCallTimeout)
		var p meta.PageInfo
		p, err = s.metaAccountClient(c.Kind, cfg).Page(cctx)
		cancel()
		if err == nil {
			return channelTest{OK: true, Account: metaAccount(p)}
		}
	}
	return channelTest{OK: false, Account: c.Account, Error: err.Error()}
}

// metaChannel finds the Messenger or Instagram channel a webhook URL names.
func (s *Server) metaChannel(r *http.Request) (store.Channel, error) {
	key := r.PathValue("key")
	ch, err := s.DB.R().ChannelByWebhookKey(r.Context(), meta.KindMessenger, key)
	if errors.Is(err, store.ErrNotFound) {
		ch, err = s.DB.R().ChannelByWebhookKey(r.Context(), meta.KindInstagram, key)
	}
	return ch, err
}

// metaVerify answers the GET handshake Meta makes when the webhook URL is
// saved in the app dashboard: the challenge back as text/plain when the
// verify token matches, 403 otherwise.
func (s *Server) metaVerify(w http.ResponseWriter, r *http.Request) error {
	ch, err := s.metaChannel(r)
	if err != nil {
		return err // unknown key: 404
	}
	_, cfg, err := s.Providers.Meta(ch)
	if err != nil {
		return err
	}
	challenge, err := meta.VerifyChallenge(r.URL.Query(), cfg.VerifyToken)
	if err != nil {
		return &apiError{http.StatusForbidden, "forbidden", "hub.mode must be subscribe and hub.verify_token the channel's verify token"}
	}
	writeChallenge(w, challenge)
	return nil
}

// maxMetaWebhook bounds a webhook body: Meta batches events, but media
// are fetched separately.
const maxMetaWebhook = 4 << 20

// metaWebhook receives one signed webhook POST for the Messenger or
// Instagram channel its URL names. Only the events of the channel's Page /
// Instagram account are ingested: customer messages and reactions (each
// stored once, by its mid; Messenger files downloaded before the commit,
// Instagram files kept as links, as Meta's policy asks), per-message
// receipts (once per (mid, status)) and delivery / read watermarks (once
// each, moving every earlier reply to the customer forward). Echoes of the
// account's own sends, unsent messages and other event kinds are ignored.
// It answers 2xx only once everything is committed, so Meta sends a failed
// batch again; a request whose signature does not match stores nothing.
func (s *Server) metaWebhook(w http.ResponseWriter, r *http.Request) error {
	ch, err := s.metaChannel(r)
	if err != nil {
		return err // unknown key: 404
	}
	client, cfg, err := s.Providers.Meta(ch)
	if err != nil {
		return err
	}
	body, err := readWebhookBody(w, r, maxMetaWebhook)
	if err != nil {
		return err
	}
	if err := meta.VerifySignature(cfg.AppSecret, body, r.Header.Get(meta.HeaderSignature)); err != nil {
		return &apiError{http.StatusUnauthorized, "unauthenticated", "missing or wrong " + meta.HeaderSignature}
	}
	batch, err := meta.Parse(body)
	if err != nil {
		return errBadRequest(strip(err, channel.ErrInvalid))
	}
	ack := webhookAck{OK: true, Result: "ignored"}
	var acc *meta.Account
	if batch.Platform == providers.MetaPlatform(ch.Kind) {
		for i := range batch.Accounts {
			if batch.Accounts[i].ID == cfg.AccountID {
				acc = &batch.Accounts[i]
				break
			}
		}
	}
	if acc == nil {
		writeJSON(w, http.StatusOK, ack)
		return nil
	}
	links := map[string][]meta.Link{}
	for _, l := range acc.Links {
		links[l.MessageID] = append(links[l.MessageID], l)
	}
	for _, in := range acc.Inbound {
		res, err := s.receiveMeta(r.Context(), ch, client, acc.MediaURLOnly, in, links[in.ExternalID])
		if err != nil {
			return err
		}
		ack.received(res)
	}
	for _, st := range acc.Statuses {
		applied, err := s.applyWhatsAppStatus(r.Context(), ch, st)
		if err != nil {
			return err
		}
		ack.applied(applied)
	}
	for _, wm := range acc.Watermarks {
		applied, err := s.applyMetaWatermark(r.Context(), ch, wm)
		if err != nil {
			return err
		}
		ack.applied(applied)
	}
	writeJSON(w, http.StatusOK, ack)
	return nil
}

// receiveMeta stores one customer message or reaction, once.
func (s *Server) receiveMeta(ctx context.Context, ch store.Channel, client *meta.Client, urlOnly bool, in channel.Inbound, links []meta.Link) (conversation.InboundResult, error) {
	if m, err := s.DB.R().MessageByExternalID(ctx, ch.ID, in.ExternalID); err == nil {
		return conversation.InboundResult{Message: m, Conversation: store.Conversation{ID: m.ConversationID}, Duplicate: true}, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return conversation.InboundResult{}, err
	}
	userID := ""
	if len(in.Contact.Identities) > 0 {
		userID = in.Contact.Identities[0].Value
	}
	msg := conversation.Inbound{ContactExternalID: userID, ExternalID: in.ExternalID, ReplyToExternalID: in.ReplyTo}
	if msg.ReplyToExternalID == "" && in.Reaction != nil {
		msg.ReplyToExternalID = in.Reaction.MessageID // the timeline shows what was reacted to
	}
	if _, err := s.DB.R().ContactByIdentity(ctx, ch.ID, userID); errors.Is(err, store.ErrNotFound) {
		// a new customer: their name, best effort (Meta answers only with
		// the profile feature approved)
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		p, err := client.Profile(cctx, userID)
		cancel()
		if err == nil {
			msg.ContactName = p.Name
			if p.Username != "" {
				msg.ContactAttributes = map[string]any{"instagram_username": p.Username}
				if msg.ContactName == "" {
					msg.ContactName = "@" + p.Username
				}
			}
		} else {
			s.log.Debug("meta: profile not read", "channel", ch.ID, "err", err)
		}
	} else if err != nil {
		return conversation.InboundResult{}, err
	}
	if msg.ContactName == "" {
		msg.ContactName = metaPlatformName(ch.Kind) + " " + lastDigits(userID, 4)
	}
	var notes []string
	saved := ""
	for i, m := range in.Media {
		switch {
		case urlOnly:
			// Instagram: Meta's policy forbids storing received media
			notes = append(notes, "["+m.Kind+": "+m.Ref+"]")
		case i > 0 || saved != "":
			notes = append(notes, "["+m.Kind+" not stored: one file per message is kept]")
		default:
			// fetched before the commit: an acknowledged webhook is never sent again
			at, note, err := s.fetchMetaMedia(ctx, client, m)
			if err != nil {
				if saved != "" {
					_ = s.Blobs.Remove(saved)
				}
				return conversation.InboundResult{}, err
			}
			if at != nil {
				msg.Attachment, saved = at, at.StorageKey
			}
			if note != "" {
				notes = append(notes, note)
			}
		}
	}
	for _, l := range links {
		notes = append(notes, metaLinkText(l))
	}
	msg.Text = whatsappText(in, notes)
	res, err := s.Conversations.Receive(ctx, ch, msg)
	if (err != nil || res.Duplicate) && saved != "" {
		_ = s.Blobs.Remove(saved)
	}
	return res, err
}

// lastDigits is the tail of a customer's provider id, to name a customer
// whose profile is unknown.
func lastDigits(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// metaLinkText renders a story mention, story reply, shared post or other
// linked content as text with its URL.
func metaLinkText(l meta.Link) string {
	label := map[string]string{
		meta.LinkStoryMention: "mentioned you in a story",
		meta.LinkStoryReply:   "replied to your story",
		meta.LinkShare:        "shared",
		meta.LinkReel:         "shared a reel",
		meta.LinkIGReel:       "shared a reel",
		meta.LinkIGPost:       "shared a post",
		meta.LinkFallback:     "shared a link",
		meta.LinkUnsupported:  "sent content Meta does not show here",
	}[l.Kind]
	if label == "" {
		label = l.Kind
	}
	parts := []string{label}
	if l.Title != "" {
		parts = append(parts, l.Title)
	}
	if l.URL != "" {
		parts = append(parts, l.URL)
	}
	return "[" + strings.Join(parts, ": ") + "]"
}

// fetchMetaMedia downloads a Messenger customer's file from the CDN URL
// the webhook names. A file Meta will not serve or too large becomes a note
// in the message; a failure that may pass fails the request, so Meta sends
// the webhook again.
func (s *Server) fetchMetaMedia(ctx context.Context, client *meta.Client, m channel.Media) (*store.Attachment, string, error) {
	limit := s.Blobs.MaxSize
	if limit <= 0 {
		limit = 25 << 20
	}
	cctx, cancel := context.WithTimeout(ctx, providerCallTimeout)
	data, mimeType, err := client.Download(cctx, m.Ref, limit)
	cancel()
	if err != nil {
		var se *channel.SendError
		switch {
		case errors.Is(err, meta.ErrTooLarge):
			return nil, "[" + m.Kind + " not stored: larger than this server's attachment limit]", nil
		case errors.As(err, &se) && se.Retry:
			return nil, "", &apiError{http.StatusServiceUnavailable, "provider_unavailable", "the media could not be fetched from Meta; send the webhook again"}
		default:
			s.log.Warn("meta: media not downloaded", "kind", m.Kind, "err", err)
			return nil, "[" + m.Kind + " not downloaded]", nil
		}
	}
	b, err := s.Blobs.Save(bytes.NewReader(data))
	if errors.Is(err, blob.ErrTooLarge) {
		return nil, "[" + m.Kind + " not stored: larger than this server's attachment limit]", nil
	} else if err != nil {
		return nil, "", err
	}
	ct := b.ContentType
	if ct == "" || ct == "application/octet-stream" {
		ct = firstNonEmpty(m.MIME, mimeType, ct)
	}
	return &store.Attachment{Filename: m.Kind, ContentType: ct, Size: b.Size, SHA256: b.SHA256, StorageKey: b.Key}, "", nil
}

// applyMetaWatermark applies one "everything up to here" receipt: every
// reply sent to the customer at or before the watermark moves forward to
// its status (never back). Each watermark is applied once.
func (s *Server) applyMetaWatermark(ctx context.Context, ch store.Channel, wm meta.Watermark) (bool, error) {
	if wm.Status != store.DeliveryDelivered && wm.Status != store.DeliveryRead {
		return false, nil
	}
	key := "watermark:" + wm.Recipient + ":" + wm.Status + ":" + strconv.FormatInt(wm.At.UnixMilli(), 10)
	if seen, err := s.DB.R().ChannelEventSeen(ctx, ch.ID, key); err != nil || seen {
		return false, err
	}
	contactID, err := s.DB.R().ContactByIdentity(ctx, ch.ID, wm.Recipient)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	ids, err := s.DB.R().OutboundUpTo(ctx, ch.WorkspaceID, contactID, ch.ID, wm.At.UnixMilli(), wm.Status)
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		if err := s.Conversations.SetDelivery(ctx, ch.WorkspaceID, id, wm.Status, ""); err != nil {
			return false, err
		}
	}
	s.recordEvent(ctx, ch.ID, key)
	return len(ids) > 0, nil
}

// errMetaWindowClosed answers a reply on Messenger or Instagram more than
// 7 days after the customer's last message.
var errMetaWindowClosed = &apiError{http.StatusUnprocessableEntity, "window_closed",
	"the customer last wrote more than 7 days ago: Messenger and Instagram accept no reply until they write again"}
