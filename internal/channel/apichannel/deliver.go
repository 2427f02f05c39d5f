package apichannel

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/atende/atende/internal/blob"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/secrets"
	"github.com/atende/atende/internal/store"
)

// DeliveryStatusSetter records delivery outcomes (the conversation service).
type DeliveryStatusSetter interface {
	SetDelivery(ctx context.Context, ws, messageID int64, status, errText string) error
}

// Deliverer sends agent replies to the app's callback URL.
type Deliverer struct {
	DB     *store.DB
	Blobs  *blob.Store
	Status DeliveryStatusSetter
	Client *http.Client
	// Secrets opens the channel's sealed signing secret.
	Secrets *secrets.Box
}

// OutboundPayload is the documented body Atende POSTs to the callback URL.
type OutboundPayload struct {
	Event   string          `json:"event"`
	Message OutboundMessage `json:"message"`
	Contact ContactPayload  `json:"contact"`
}

// OutboundMessage is an agent reply as the app receives it.
type OutboundMessage struct {
	ID             int64                `json:"id"`
	ConversationID int64                `json:"conversation_id"`
	Text           string               `json:"text"`
	SenderName     string               `json:"sender_name"`
	Attachments    []OutboundAttachment `json:"attachments"`
	CreatedAt      string               `json:"created_at"`
	// Choices are the options of a bot's menu, in order, which Text
	// already lists: an app may show them as buttons and send the chosen
	// one back as the customer's text. Absent on other messages.
	Choices []string `json:"choices,omitempty"`
}

// OutboundAttachment carries a file inline.
type OutboundAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Data        string `json:"data"`
}

// Signature headers on callbacks: the app recomputes
// hex(HMAC-SHA256(secret, timestamp + "." + body)) and compares.
const (
	HeaderSignature = "X-Atende-Signature"
	HeaderTimestamp = "X-Atende-Timestamp"
	HeaderDelivery  = "Idempotency-Key"
)

// Sign returns the signature of body at timestamp ts.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

type deliverJob struct {
	MessageID int64 `json:"message_id"`
}

// Handle is the job handler for conversation.JobDeliver on API channels.
// 2xx marks the message sent; 4xx other than 408/429 fails it for good;
// anything else is retried with backoff, and the last attempt marks it failed.
func (d *Deliverer) Handle(ctx context.Context, j store.Job) error {
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
	if m.Status != store.DeliveryPending {
		return nil // already delivered by an earlier attempt whose completion was lost
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
	if ch.Kind != Kind {
		return jobs.Permanent(fmt.Errorf("channel %d is %q, not an API channel", ch.ID, ch.Kind))
	}
	if ch.CallbackURL == "" {
		return fail(errors.New("the channel has no callback URL"), true)
	}
	conv, err := q.LockConversation(ctx, j.WorkspaceID, m.ConversationID)
	if err != nil {
		return err
	}
	contact, err := q.Contact(ctx, j.WorkspaceID, conv.ContactID)
	if err != nil {
		return err
	}
	payload := OutboundPayload{Event: "message.created", Contact: ContactPayload{Name: contact.Name, Phone: contact.Phone, Email: contact.Email},
		Message: OutboundMessage{ID: m.ID, ConversationID: m.ConversationID, Text: m.Content, Attachments: []OutboundAttachment{},
			Choices: m.Choices, CreatedAt: time.UnixMilli(m.CreatedAt).UTC().Format(time.RFC3339Nano)}}
	for _, id := range contact.Identities {
		if id.ChannelID == ch.ID {
			payload.Contact.ID = id.ExternalID
		}
	}
	if m.SenderID != nil {
		if u, err := q.User(ctx, j.WorkspaceID, *m.SenderID); err == nil {
			payload.Message.SenderName = u.Name
		}
	}
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
		payload.Message.Attachments = append(payload.Message.Attachments, OutboundAttachment{Filename: at.Filename, ContentType: at.ContentType,
			Data: base64.StdEncoding.EncodeToString(b)})
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return jobs.Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ch.CallbackURL, bytes.NewReader(body))
	if err != nil {
		return fail(err, true)
	}
	ts := time.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Atende")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	secret, err := d.Secrets.Open(ch.Secret)
	if err != nil {
		return fail(fmt.Errorf("channel %d signing secret: %w (was ATENDE_SECRET_KEY changed?)", ch.ID, err), true)
	}
	req.Header.Set(HeaderSignature, Sign(secret, ts, body))
	req.Header.Set(HeaderDelivery, "msg-"+strconv.FormatInt(m.ID, 10))
	client := d.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fail(fmt.Errorf("callback: %w", err), false)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return d.Status.SetDelivery(ctx, j.WorkspaceID, m.ID, store.DeliverySent, "")
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fail(fmt.Errorf("callback answered %d", resp.StatusCode), false)
	default:
		return fail(fmt.Errorf("callback answered %d", resp.StatusCode), true)
	}
}
