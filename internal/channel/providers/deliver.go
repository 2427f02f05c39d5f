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
	"github.com/atende/atende/internal/channel/whatsapp"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/store"
)

// StatusSetter records delivery outcomes (the conversation service).
type StatusSetter interface {
	SetDelivery(ctx context.Context, ws, messageID int64, status, errText string) error
}

type deliverJob struct {
	MessageID int64 `json:"message_id"`
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
	var p deliverJob
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
	var p deliverJob
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return jobs.Permanent(err)
	}
	q := d.DB.R()
	m, err := q.MessageByID(ctx, j.WorkspaceID, p.MessageID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if m.Status != store.DeliveryPending {
		return nil // an earlier attempt delivered it, and its completion was lost
	}
	if m.ExternalID != nil {
		// sent, and the id recorded, but the status not: finish the job
		return d.Status.SetDelivery(ctx, j.WorkspaceID, m.ID, store.DeliverySent, "")
	}
	fail := func(err error, permanent bool) error {
		if permanent || j.Attempts >= j.MaxAttempts {
			if serr := d.Status.SetDelivery(ctx, j.WorkspaceID, m.ID, store.DeliveryFailed, err.Error()); serr != nil {
				return serr
			}
			return jobs.Permanent(err)
		}
		return err
	}
	ch, err := q.Channel(ctx, j.WorkspaceID, m.ChannelID)
	if err != nil {
		return fail(err, errors.Is(err, store.ErrNotFound))
	}
	client, _, err := d.Providers.Telegram(ch)
	if err != nil {
		return fail(err, true)
	}
	conv, err := q.LockConversation(ctx, j.WorkspaceID, m.ConversationID)
	if err != nil {
		return err
	}
	contact, err := q.Contact(ctx, j.WorkspaceID, conv.ContactID)
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
	out := channel.Outbound{To: chatID, Text: m.Content}
	for _, at := range m.Attachments {
		f, err := d.Blobs.Open(at.StorageKey)
		if err != nil {
			return fail(fmt.Errorf("attachment %d: %w", at.ID, err), true)
		}
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return err
		}
		out.Media = append(out.Media, channel.OutboundMedia{Filename: at.Filename, MIME: at.ContentType, Data: b})
	}
	extID, err := client.Send(ctx, out)
	if err != nil {
		var se *channel.SendError
		if !errors.As(err, &se) || !se.Retry {
			return fail(err, true)
		}
		if j.Attempts >= j.MaxAttempts {
			return fail(err, true)
		}
		if se.After > 0 {
			return jobs.RetryAfter(err, se.After)
		}
		return err
	}
	if err := d.DB.W().SetMessageExternalID(ctx, j.WorkspaceID, m.ID, extID); err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}
	return d.Status.SetDelivery(ctx, j.WorkspaceID, m.ID, store.DeliverySent, "")
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
	var p deliverJob
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return jobs.Permanent(err)
	}
	q := d.DB.R()
	m, err := q.MessageByID(ctx, j.WorkspaceID, p.MessageID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if m.Status != store.DeliveryPending {
		return nil // an earlier attempt delivered it, and its completion was lost
	}
	if m.ExternalID != nil {
		return d.Status.SetDelivery(ctx, j.WorkspaceID, m.ID, store.DeliverySent, "")
	}
	fail := func(err error, permanent bool) error {
		if permanent || j.Attempts >= j.MaxAttempts {
			if serr := d.Status.SetDelivery(ctx, j.WorkspaceID, m.ID, store.DeliveryFailed, err.Error()); serr != nil {
				return serr
			}
			return jobs.Permanent(err)
		}
		return err
	}
	ch, err := q.Channel(ctx, j.WorkspaceID, m.ChannelID)
	if err != nil {
		return fail(err, errors.Is(err, store.ErrNotFound))
	}
	client, _, err := d.Providers.WhatsApp(ch)
	if err != nil {
		return fail(err, true)
	}
	conv, err := q.LockConversation(ctx, j.WorkspaceID, m.ConversationID)
	if err != nil {
		return err
	}
	contact, err := q.Contact(ctx, j.WorkspaceID, conv.ContactID)
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
	if !whatsapp.WindowOpen(last, d.now()) {
		return fail(ErrWindowClosed, true)
	}
	out := channel.Outbound{To: to, Text: m.Content}
	for _, at := range m.Attachments {
		f, err := d.Blobs.Open(at.StorageKey)
		if err != nil {
			return fail(fmt.Errorf("attachment %d: %w", at.ID, err), true)
		}
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return err
		}
		out.Media = append(out.Media, channel.OutboundMedia{Filename: at.Filename, MIME: at.ContentType, Data: b})
	}
	extID, err := client.Send(ctx, out)
	if err != nil {
		var se *channel.SendError
		if !errors.As(err, &se) || !se.Retry || j.Attempts >= j.MaxAttempts {
			return fail(err, true)
		}
		if se.After > 0 {
			return jobs.RetryAfter(err, se.After)
		}
		return err
	}
	if err := d.DB.W().SetMessageExternalID(ctx, j.WorkspaceID, m.ID, extID); err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}
	return d.Status.SetDelivery(ctx, j.WorkspaceID, m.ID, store.DeliverySent, "")
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
