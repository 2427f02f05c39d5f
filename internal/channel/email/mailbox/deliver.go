package mailbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/atende/atende/internal/blob"
	"github.com/atende/atende/internal/channel/email"
	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/store"
)

// Deliverer sends agents' replies on e-mail channels: the delivery handler
// of kind "email" in providers.Dispatcher.
type Deliverer struct {
	DB        *store.DB
	Blobs     *blob.Store
	Status    providers.StatusSetter
	Providers *providers.Settings
}

// OutboundMessageID is the Message-ID of outbound message id on a channel:
// the same on every attempt, so that a mail sent twice (the process died
// between the send and recording it) is one message to mail clients, and
// unguessable outside the server (it is keyed by the channel's secret).
func OutboundMessageID(cfg Config, messageID int64) string {
	mac := hmac.New(sha256.New, cfg.ReplyKey)
	fmt.Fprintf(mac, "atende outbound message id\x00%d", messageID)
	return fmt.Sprintf("atende.%d.%s@%s", messageID, hex.EncodeToString(mac.Sum(nil)[:8]), cfg.Domain())
}

// Handle sends one reply. The mail is a reply in the conversation's
// thread: From is the channel's address with the agent's name, To the
// contact's address, Subject "Re: " and the thread's subject,
// In-Reply-To / References the thread's newest and earlier Message-IDs,
// Reply-To the conversation's signed reply address, the agent's signature
// (name and workspace) under the "-- " delimiter, the message's files
// attached. Its Message-ID becomes the message's external id, so that the
// customer's answer threads back. A 5xx from the SMTP server fails the
// message at once with the server's text; network errors and 4xx replies
// are retried with the queue's backoff; the last attempt fails it.
func (d *Deliverer) Handle(ctx context.Context, j store.Job) error {
	p, m, ch, fail, done, err := providers.Begin(ctx, d.DB, d.Status, j)
	if done || err != nil {
		return err
	}
	if p.Template != nil {
		return fail(errors.New("e-mail has no message templates"), true)
	}
	q := d.DB.R()
	cfg, err := Open(d.Providers, ch)
	if err != nil {
		return fail(err, true)
	}
	mail, err := d.compose(ctx, q, ch, cfg, m, p.Cc)
	if err != nil {
		return fail(err, true)
	}
	raw, err := email.Compose(mail)
	if err != nil {
		return fail(err, true)
	}
	rcpts := []string{}
	for _, a := range append(append([]email.Address{}, mail.To...), mail.Cc...) {
		rcpts = append(rcpts, a.Address)
	}
	if err := Send(ctx, cfg.SMTP, cfg.Address, rcpts, raw); err != nil {
		err = fmt.Errorf("SMTP %s: %w", cfg.SMTP.Addr(), err)
		return fail(err, Permanent(err))
	}
	if err := d.DB.W().SetMessageExternalID(ctx, j.WorkspaceID, m.ID, mail.MessageID); err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}
	if err := d.DB.W().AddToEmailThread(ctx, m.ConversationID, mail.Subject, mail.MessageID); err != nil {
		return err
	}
	return d.Status.SetDelivery(ctx, j.WorkspaceID, m.ID, store.DeliverySent, "")
}

// compose builds the mail of outbound message m.
func (d *Deliverer) compose(ctx context.Context, q store.Q, ch store.Channel, cfg Config, m store.Message, cc []string) (email.OutboundMail, error) {
	conv, err := q.LockConversation(ctx, ch.WorkspaceID, m.ConversationID)
	if err != nil {
		return email.OutboundMail{}, err
	}
	contact, err := q.Contact(ctx, ch.WorkspaceID, conv.ContactID)
	if err != nil {
		return email.OutboundMail{}, err
	}
	to := Recipient(contact, ch.ID)
	if to == "" {
		return email.OutboundMail{}, errors.New("the contact has no e-mail address")
	}
	ws, err := q.Workspace(ctx, ch.WorkspaceID)
	if err != nil {
		return email.OutboundMail{}, err
	}
	agent := cfg.FromName
	if m.SenderID != nil && m.SenderType == store.SenderUser {
		if u, err := q.User(ctx, ch.WorkspaceID, *m.SenderID); err == nil && u.Name != "" {
			agent = u.Name
		}
	}
	if agent == "" {
		agent = ws.Name
	}
	out := email.OutboundMail{
		From:      email.Address{Name: agent, Address: cfg.Address},
		To:        []email.Address{{Name: contact.Name, Address: to}},
		Text:      m.Content,
		Signature: strings.TrimSpace(agent + "\n" + ws.Name),
		MessageID: OutboundMessageID(cfg, m.ID),
		Subject:   ws.Name,
		// a greeting or out-of-hours reply no person wrote: marked so that
		// the customer's own auto-responder does not answer it
		Automatic: m.SenderType == store.SenderBot || m.SenderType == store.SenderSystem,
	}
	if reply := email.ReplyAddressFor(cfg.Address, cfg.ReplyKey, strconv.FormatInt(conv.ID, 10)); reply != cfg.Address {
		out.ReplyTo = []email.Address{{Name: out.From.Name, Address: reply}}
	}
	for _, a := range cc {
		out.Cc = append(out.Cc, email.Address{Address: a})
	}
	if t, err := q.EmailThread(ctx, conv.ID); err == nil {
		if t.Subject != "" {
			out.Subject = t.Subject
		}
		if t.LastMessageID != "" {
			out.InReplyTo = t.LastMessageID
			out.References = t.References
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return out, err
	}
	if out.InReplyTo != "" {
		out.Subject = email.ReplySubject(out.Subject)
	}
	// the caller fails the message on any error compose returns
	out.Attachments, err = providers.LoadMedia(d.Blobs, m.Attachments, func(err error, _ bool) error { return err })
	return out, err
}

// Recipient is the address a reply to contact goes to: its e-mail identity
// on the channel, else its primary e-mail, else its first other one.
func Recipient(contact store.Contact, channelID int64) string {
	for _, id := range contact.Identities {
		if id.ChannelID == channelID && ValidAddress(id.ExternalID) {
			return id.ExternalID
		}
	}
	for _, e := range append([]string{contact.Email}, contact.Emails...) {
		if e = strings.ToLower(strings.TrimSpace(e)); ValidAddress(e) {
			return e
		}
	}
	return ""
}
