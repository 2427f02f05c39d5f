package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/atende/atende/internal/blob"
	"github.com/atende/atende/internal/channel"
	"github.com/atende/atende/internal/channel/meta"
	"github.com/atende/atende/internal/channel/sms"
	"github.com/atende/atende/internal/channel/whatsapp"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/store"
)

// StatusSetter records delivery outcomes (the conversation service).
type StatusSetter interface {
	SetDelivery(ctx context.Context, ws, messageID int64, status, errText string) error
}

// Dispatcher is the handler of conversation.JobDeliver: it reads which
// channel the message goes out on and hands the job to that kind's handler.
type Dispatcher struct {
	DB     *store.DB
	Status StatusSetter
	// Kinds maps a channel kind to its delivery handler.
	Kinds map[string]jobs.Handler
}

// Handle routes one delivery job.
func (d *Dispatcher) Handle(ctx context.Context, j store.Job) error {
	var p conversation.DeliveryPayload
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return jobs.Permanent(err)
	}
	q := d.DB.R()
	m, err := q.MessageByID(ctx, j.WorkspaceID, p.MessageID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // erased meanwhile (LGPD erase, channel deleted)
	} else if err != nil {
		return err
	}
	ch, err := q.Channel(ctx, j.WorkspaceID, m.ChannelID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // the channel, and with it the conversation, is being deleted
	} else if err != nil {
		return err
	}
	h, ok := d.Kinds[ch.Kind]
	if !ok {
		err := fmt.Errorf("channel %d: Atende cannot send on %q channels yet", ch.ID, ch.Kind)
		if serr := d.Status.SetDelivery(ctx, j.WorkspaceID, m.ID, store.DeliveryFailed, err.Error()); serr != nil {
			return serr
		}
		return jobs.Permanent(err)
	}
	return h(ctx, j)
}

// TelegramDeliverer sends agents' replies on Telegram channels.
type TelegramDeliverer struct {
	DB        *store.DB
	Blobs     *blob.Store
	Status    StatusSetter
	Providers *Settings
}

// Handle is the delivery handler of Telegram channels. A send the Bot API
// refuses (bot blocked, chat not found, bad token) fails the message at
// once with the provider's error; flood limits are retried no sooner than
// retry_after, outages with the queue's backoff; the last attempt fails
// the message. The message's external id is the id Telegram gave it.
func (d *TelegramDeliverer) Handle(ctx context.Context, j store.Job) error {
	_, m, ch, fail, done, err := Begin(ctx, d.DB, d.Status, j)
	if done || err != nil {
		return err
	}
	q := d.DB.R()
	client, _, err := d.Providers.Telegram(ch)
	if err != nil {
		return fail(err, true)
	}
	contact, err := recipientOf(ctx, q, j.WorkspaceID, m.ConversationID)
	if err != nil {
		return err
	}
	chatID := ""
	for _, id := range contact.Identities {
		if id.ChannelID != ch.ID {
			continue
		}
		if _, err := strconv.ParseInt(id.ExternalID, 10, 64); err == nil {
			chatID = id.ExternalID
			break
		}
	}
	if chatID == "" {
		return fail(fmt.Errorf("the contact has no Telegram chat on channel %d", ch.ID), true)
	}
	media, err := LoadMedia(d.Blobs, m.Attachments, fail)
	if err != nil {
		return err
	}
	out := channel.Outbound{To: chatID, Text: m.Content, ReplyTo: providerQuote(m, ch.ID), Media: media, Choices: m.Choices}
	extID, err := client.Send(ctx, out)
	if err != nil {
		return sendFailed(j, err, fail)
	}
	return markSent(ctx, d.DB, d.Status, j.WorkspaceID, m.ID, extID)
}

// WhatsAppDeliverer sends agents' replies on WhatsApp Cloud API channels.
type WhatsAppDeliverer struct {
	DB        *store.DB
	Blobs     *blob.Store
	Status    StatusSetter
	Providers *Settings
	// Now is the clock of the 24-hour window; time.Now when nil.
	Now func() time.Time
}

func (d *WhatsAppDeliverer) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// ErrWindowClosed fails a free-text reply outside WhatsApp's 24-hour
// customer-service window.
var ErrWindowClosed = errors.New("the WhatsApp 24-hour customer-service window is closed: the customer last wrote more than 24 hours ago, so only an approved template can be sent")

// Handle is the delivery handler of WhatsApp channels. Free text goes out
// only inside the customer-service window (checked here, and by Cloud API
// with error 131047); a send Cloud API refuses fails the message at once
// with the provider's reason; rate limits and outages are retried no
// sooner than the provider asks; the last attempt fails the message. The
// message's external id is the wamid Cloud API gave it, which statuses name.
func (d *WhatsAppDeliverer) Handle(ctx context.Context, j store.Job) error {
	p, m, ch, fail, done, err := Begin(ctx, d.DB, d.Status, j)
	if done || err != nil {
		return err
	}
	q := d.DB.R()
	client, _, err := d.Providers.WhatsApp(ch)
	if err != nil {
		return fail(err, true)
	}
	contact, err := recipientOf(ctx, q, j.WorkspaceID, m.ConversationID)
	if err != nil {
		return err
	}
	to := WhatsAppRecipient(contact, ch.ID)
	if to == "" {
		return fail(fmt.Errorf("the contact has no WhatsApp number or user id on channel %d", ch.ID), true)
	}
	at, err := q.LastInboundAt(ctx, j.WorkspaceID, contact.ID, ch.ID)
	if err != nil {
		return err
	}
	var last time.Time
	if at > 0 {
		last = time.UnixMilli(at)
	}
	if t := p.Template; t != nil {
		// templates are the messages allowed outside the window
		tmpl := channel.Template{Name: t.Name, Language: t.Language, Parameters: t.Parameters}
		var extID string
		if len(t.ParamNames) > 0 {
			extID, err = client.SendTemplateNamed(ctx, to, tmpl, t.ParamNames, "")
		} else {
			extID, err = client.SendTemplate(ctx, to, tmpl, "")
		}
		return d.sent(ctx, j, m.ID, extID, err, fail)
	}
	if !whatsapp.WindowOpen(last, d.now()) {
		return fail(ErrWindowClosed, true)
	}
	media, err := LoadMedia(d.Blobs, m.Attachments, fail)
	if err != nil {
		return err
	}
	out := channel.Outbound{To: to, Text: m.Content, ReplyTo: providerQuote(m, ch.ID), Media: media, Choices: m.Choices}
	extID, err := client.Send(ctx, out)
	return d.sent(ctx, j, m.ID, extID, err, fail)
}

// sent records the outcome of one send: the wamid and "sent", or the
// failure (retried when the provider allows).
func (d *WhatsAppDeliverer) sent(ctx context.Context, j store.Job, messageID int64, extID string, err error, fail func(error, bool) error) error {
	if err != nil {
		return sendFailed(j, err, fail)
	}
	return markSent(ctx, d.DB, d.Status, j.WorkspaceID, messageID, extID)
}

// providerQuote is the provider's id of the message m answers, when the
// provider can quote it: a message it carried on the same channel.
func providerQuote(m store.Message, channelID int64) string {
	if q := m.ReplyTo; q != nil && q.ChannelID == channelID && q.ExternalID != nil {
		return *q.ExternalID
	}
	return ""
}

// WhatsAppRecipient is who a reply to contact goes to on a WhatsApp
// channel: the phone-based wa_id, else the business-scoped user id (a
// parent BSUID, shared by linked portfolios, is never a recipient).
func WhatsAppRecipient(contact store.Contact, channelID int64) string {
	bsuid := ""
	for _, id := range contact.Identities {
		if id.ChannelID != channelID {
			continue
		}
		if _, err := strconv.ParseUint(id.ExternalID, 10, 64); err == nil {
			return id.ExternalID
		}
		if bsuid == "" && whatsapp.IsBSUID(id.ExternalID) && !strings.Contains(id.ExternalID, ".ENT.") {
			bsuid = id.ExternalID
		}
	}
	return bsuid
}

// SMSDeliverer sends messages on SMS channels: replies in SMS
// conversations, and the composer's SMS tab in conversations of any
// channel (the message names the SMS channel it goes out on).
type SMSDeliverer struct {
	DB        *store.DB
	Blobs     *blob.Store
	Status    StatusSetter
	Providers *Settings
	// MediaURL publishes one attachment of workspace ws at a public URL the
	// provider can fetch (a signed, expiring link: internal/medialink);
	// without it a message with attachments fails at once (the provider's
	// API only takes media by URL).
	MediaURL func(ctx context.Context, ws, attachmentID int64) (string, error)
}

// ErrSMSMedia fails an SMS with attachments when no media publisher is set.
var ErrSMSMedia = errors.New("SMS cannot carry attachments here: the provider only accepts media by public URL, and this server publishes none; send text only")

// Handle is the delivery handler of SMS channels. The recipient is the
// contact's primary phone (E.164). A send the provider refuses (invalid
// number, unsubscribed, bad credentials) fails the message at once with
// "code: message"; 429 and outages are retried no sooner than Retry-After;
// the last attempt fails the message. The external id is the message SID,
// which status callbacks name.
func (d *SMSDeliverer) Handle(ctx context.Context, j store.Job) error {
	_, m, ch, fail, done, err := Begin(ctx, d.DB, d.Status, j)
	if done || err != nil {
		return err
	}
	q := d.DB.R()
	client, _, err := d.Providers.SMS(ch)
	if err != nil {
		return fail(err, true)
	}
	if len(m.Attachments) > 0 && d.MediaURL == nil {
		return fail(ErrSMSMedia, true)
	}
	contact, err := recipientOf(ctx, q, j.WorkspaceID, m.ConversationID)
	if err != nil {
		return err
	}
	to := SMSRecipient(contact)
	if to == "" {
		return fail(errors.New("the contact has no phone number to send an SMS to"), true)
	}
	// the provider fetches each file from its link when it sends, so only
	// the links are made here; a new attempt makes fresh ones
	var urls []string
	for _, at := range m.Attachments {
		u, err := d.MediaURL(ctx, j.WorkspaceID, at.ID)
		if err != nil {
			return fail(fmt.Errorf("attachment %d: publishing it: %w", at.ID, err), false)
		}
		urls = append(urls, u)
	}
	extID, err := client.SendURLs(ctx, channel.Outbound{To: to, Text: m.Content}, urls)
	if err != nil {
		return sendFailed(j, err, fail)
	}
	return markSent(ctx, d.DB, d.Status, j.WorkspaceID, m.ID, extID)
}

// SMSRecipient is the number an SMS to contact goes to: the primary phone
// when it is in E.164 form, else the first E.164 phone the contact has.
func SMSRecipient(contact store.Contact) string {
	for _, p := range append([]string{contact.Phone}, contact.Phones...) {
		p = strings.TrimSpace(p)
		if sms.IsE164(p) {
			return p
		}
	}
	return ""
}

// MetaDeliverer sends agents' replies on Messenger and Instagram channels.
type MetaDeliverer struct {
	DB        *store.DB
	Blobs     *blob.Store
	Status    StatusSetter
	Providers *Settings
	// Now is the clock of the messaging windows; time.Now when nil.
	Now func() time.Time
}

// Handle is the delivery handler of Messenger and Instagram channels. Inside
// 24 hours of the customer's last message a reply goes out as RESPONSE,
// between 24 hours and 7 days with the HUMAN_AGENT tag (an agent's reply is
// a person answering), and after 7 days it fails at once with a clear
// reason, without calling Meta. A send Meta refuses fails the message with
// Meta's reason; rate limits and outages are retried no sooner than Meta
// asks; the last attempt fails the message.
//
// A Meta message carries text or one file, so a reply goes out as one Send
// API call per part (meta.Client.Parts: the text, then each file). The
// external id is the mid of the first part; the others are covered by
// Meta's delivery and read watermarks. With several parts, each sent part
// is recorded in channel_events (metaPartKey) before the next goes, so a
// retry after a failure part-way sends only the parts still missing.
func (d *MetaDeliverer) Handle(ctx context.Context, j store.Job) error {
	p, m, ch, fail, done, err := d.begin(ctx, j)
	if done || err != nil {
		return err
	}
	if p.Template != nil {
		return fail(errors.New("Messenger and Instagram have no message templates"), true)
	}
	q := d.DB.R()
	client, _, err := d.Providers.Meta(ch)
	if err != nil {
		return fail(err, true)
	}
	contact, err := recipientOf(ctx, q, j.WorkspaceID, m.ConversationID)
	if err != nil {
		return err
	}
	to := ""
	for _, id := range contact.Identities {
		if id.ChannelID == ch.ID {
			to = id.ExternalID
			break
		}
	}
	if to == "" {
		return fail(fmt.Errorf("the contact has no %s user id on channel %d", ch.Kind, ch.ID), true)
	}
	at, err := q.LastInboundAt(ctx, j.WorkspaceID, contact.ID, ch.ID)
	if err != nil {
		return err
	}
	var last time.Time
	if at > 0 {
		last = time.UnixMilli(at)
	}
	now := time.Now()
	if d.Now != nil {
		now = d.Now()
	}
	tag, err := meta.HumanAgentTag(last, now)
	if err != nil {
		return fail(err, true)
	}
	media, err := LoadMedia(d.Blobs, m.Attachments, fail)
	if err != nil {
		return err
	}
	out := channel.Outbound{To: to, Text: m.Content, Media: media, Choices: m.Choices}
	if err := client.Check(out); err != nil {
		return fail(err, true)
	}
	parts := client.Parts(out)
	if len(parts) == 0 {
		return fail(errors.New("nothing to send: no text and no attachment"), true)
	}
	track := len(parts) > 1
	if track {
		if _, err := d.DB.W().RecordChannelEvent(ctx, ch.ID, metaPartKey(m.ID, -1)); err != nil {
			return err
		}
	}
	extID := ""
	if m.ExternalID != nil {
		extID = *m.ExternalID
	}
	sent := 0
	for i, part := range parts {
		if track {
			if done, err := d.DB.R().ChannelEventSeen(ctx, ch.ID, metaPartKey(m.ID, i)); err != nil {
				return err
			} else if done {
				sent++
				continue
			}
		}
		mid, err := client.SendPart(ctx, to, part, tag)
		if err != nil {
			if sent > 0 {
				err = fmt.Errorf("%d of the %d parts of the message were sent: %w", sent, len(parts), err)
			}
			return sendFailed(j, err, fail)
		}
		sent++
		if track {
			// recorded first: a part must never go out twice, even if
			// what follows fails
			if _, err := d.DB.W().RecordChannelEvent(ctx, ch.ID, metaPartKey(m.ID, i)); err != nil {
				return err
			}
		}
		if extID == "" {
			extID = mid
			if err := d.DB.W().SetMessageExternalID(ctx, j.WorkspaceID, m.ID, mid); err != nil && !errors.Is(err, store.ErrConflict) {
				return err
			}
		}
	}
	return d.Status.SetDelivery(ctx, j.WorkspaceID, m.ID, store.DeliverySent, "")
}

// begin is the package's Begin, except for a reply sent in several parts
// of which only some went out: its first mid is already recorded, which
// Begin would take for "sent", so it is resumed instead.
func (d *MetaDeliverer) begin(ctx context.Context, j store.Job) (p conversation.DeliveryPayload, m store.Message, ch store.Channel, fail func(error, bool) error, done bool, err error) {
	if json.Unmarshal([]byte(j.Payload), &p) != nil {
		return Begin(ctx, d.DB, d.Status, j)
	}
	q := d.DB.R()
	m, err = q.MessageByID(ctx, j.WorkspaceID, p.MessageID)
	if err != nil || m.Status != store.DeliveryPending || m.ExternalID == nil {
		return Begin(ctx, d.DB, d.Status, j)
	}
	if partly, err := q.ChannelEventSeen(ctx, m.ChannelID, metaPartKey(m.ID, -1)); err != nil {
		return p, m, ch, nil, true, err
	} else if !partly {
		return Begin(ctx, d.DB, d.Status, j)
	}
	fail = failer(ctx, d.Status, j, m.ID)
	ch, err = q.Channel(ctx, j.WorkspaceID, m.ChannelID)
	if err != nil {
		return p, m, ch, nil, true, fail(err, errors.Is(err, store.ErrNotFound))
	}
	return p, m, ch, fail, false, nil
}

// Begin reads what a delivery job names: its payload, the pending message
// and the message's channel. done is true when nothing is left to do — the
// message is gone, already delivered, or was sent and only its status was
// lost (then it is marked sent here). fail marks the message failed and
// stops the job when the error is permanent or the attempts are used up;
// otherwise it returns the error so the job is retried.
func Begin(ctx context.Context, db *store.DB, status StatusSetter, j store.Job) (p conversation.DeliveryPayload, m store.Message, ch store.Channel, fail func(error, bool) error, done bool, err error) {
	if err = json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return p, m, ch, nil, true, jobs.Permanent(err)
	}
	q := db.R()
	m, err = q.MessageByID(ctx, j.WorkspaceID, p.MessageID)
	if errors.Is(err, store.ErrNotFound) {
		return p, m, ch, nil, true, nil
	} else if err != nil {
		return p, m, ch, nil, true, err
	}
	if m.Status != store.DeliveryPending {
		return p, m, ch, nil, true, nil // an earlier attempt delivered it, and its completion was lost
	}
	if m.ExternalID != nil {
		// sent, and the id recorded, but the status not: finish the job
		return p, m, ch, nil, true, status.SetDelivery(ctx, j.WorkspaceID, m.ID, store.DeliverySent, "")
	}
	fail = failer(ctx, status, j, m.ID)
	ch, err = q.Channel(ctx, j.WorkspaceID, m.ChannelID)
	if err != nil {
		return p, m, ch, nil, true, fail(err, errors.Is(err, store.ErrNotFound))
	}
	return p, m, ch, fail, false, nil
}

// recipientOf is the contact a conversation's outbound message goes to.
func recipientOf(ctx context.Context, q store.Q, ws, conversationID int64) (store.Contact, error) {
	conv, err := q.LockConversation(ctx, ws, conversationID)
	if err != nil {
		return store.Contact{}, err
	}
	return q.Contact(ctx, ws, conv.ContactID)
}

// metaPartKey is the channel_events key recording that part i of the
// Messenger / Instagram reply messageID went out; part -1 marks a reply
// sent in several parts, whose first mid alone does not mean "all sent".
func metaPartKey(messageID int64, i int) string {
	if i < 0 {
		return "meta-reply:" + strconv.FormatInt(messageID, 10)
	}
	return "meta-reply:" + strconv.FormatInt(messageID, 10) + ":part:" + strconv.Itoa(i)
}

// failer is a delivery's fail: the message fails at once (with the reason
// recorded) when the error is permanent or this is the job's last attempt;
// otherwise the error goes back to the queue for a retry.
func failer(ctx context.Context, status StatusSetter, j store.Job, messageID int64) func(error, bool) error {
	return func(err error, permanent bool) error {
		if permanent || j.Attempts >= j.MaxAttempts {
			if serr := status.SetDelivery(ctx, j.WorkspaceID, messageID, store.DeliveryFailed, err.Error()); serr != nil {
				return serr
			}
			return jobs.Permanent(err)
		}
		return err
	}
}

// sendFailed answers a failed provider send: a refusal (or the last
// attempt) fails the message; a retryable error comes back no sooner than
// the provider asked.
func sendFailed(j store.Job, err error, fail func(error, bool) error) error {
	var se *channel.SendError
	if !errors.As(err, &se) || !se.Retry || j.Attempts >= j.MaxAttempts {
		return fail(err, true)
	}
	if se.After > 0 {
		return jobs.RetryAfter(err, se.After)
	}
	return err
}

// markSent records a sent message: the provider's id (statuses and replies
// name it; a message keeps the first one) and the status "sent".
func markSent(ctx context.Context, db *store.DB, status StatusSetter, ws, messageID int64, extID string) error {
	if err := db.W().SetMessageExternalID(ctx, ws, messageID, extID); err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}
	return status.SetDelivery(ctx, ws, messageID, store.DeliverySent, "")
}

// LoadMedia reads a message's attachments for a provider that takes the
// files themselves; a file gone from storage fails the message (fail, as
// Begin returns it).
func LoadMedia(blobs *blob.Store, atts []store.Attachment, fail func(error, bool) error) ([]channel.OutboundMedia, error) {
	var media []channel.OutboundMedia
	for _, at := range atts {
		f, err := blobs.Open(at.StorageKey)
		if err != nil {
			return nil, fail(fmt.Errorf("attachment %d: %w", at.ID, err), true)
		}
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		media = append(media, channel.OutboundMedia{Filename: at.Filename, MIME: at.ContentType, Data: b})
	}
	return media, nil
}
