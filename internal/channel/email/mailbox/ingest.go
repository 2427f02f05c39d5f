package mailbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/atende/atende/internal/blob"
	"github.com/atende/atende/internal/channel/email"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/store"
)

// Outcomes of one ingested mail.
const (
	ResultStored    = "stored"    // a customer message (new or threaded conversation)
	ResultNote      = "note"      // an automated mail kept as a note in its thread
	ResultDuplicate = "duplicate" // the Message-ID was imported before
	ResultIgnored   = "ignored"   // automated mail that threads to nothing, or our own
)

// Outcome is what Ingest did with one mail.
type Outcome struct {
	Result         string
	ConversationID int64
	MessageID      int64
	// Threaded is true when the mail was matched to an existing
	// conversation (Message-ID references or the reply-address token).
	Threaded bool
	// Automated is IsAutomated's reason, for automated mail.
	Automated string
}

// Ingester turns raw mail into conversation messages. Both the IMAP poller
// and the SMTP receiver use it, so a mail fetched twice, or both forwarded
// and polled, is stored once: the Message-ID is the message's external id,
// unique per channel.
//
// What becomes of a mail:
//   - Threading: a conversation of the channel holding a message whose
//     external id is the mail's In-Reply-To or one of its References (our
//     replies are stored with the Message-ID they were sent with), else
//     the conversation named by a valid reply-address token in To / Cc /
//     Delivered-To, else none: the sender's conversation (contact keyed by
//     the lower-cased address) as for any channel.
//   - A threaded mail from someone other than the conversation's contact
//     (a third party in Cc answering) goes into that conversation as the
//     contact's message, its text starting "From: <sender>".
//   - Automated mail (email.IsAutomated: bounces, auto-replies, lists)
//     never opens a conversation and never counts as the customer
//     writing: when it threads, it becomes an internal note of the
//     conversation (so agents see "out of office" or a bounce next to the
//     reply it answers); otherwise it is dropped with a log line.
//   - The text is the reply without quoted history (Message.Reply, else
//     the whole text); a mail that starts a conversation gets its subject
//     as a first line "Subject: …".
//   - Attachments and inline images go to blob storage: the first with
//     the message itself, each further one as a message of its own
//     (external id "<Message-ID>#<n>"); those over the size limit are
//     named in the text.
type Ingester struct {
	DB            *store.DB
	Blobs         *blob.Store
	Conversations *conversation.Service
	Log           *slog.Logger
}

func (g *Ingester) log() *slog.Logger {
	if g.Log != nil {
		return g.Log
	}
	return slog.Default()
}

// ExternalID is the id a mail is stored under: its Message-ID, or for mail
// without one a digest of the raw bytes, so that fetching it again still
// finds it.
func ExternalID(m *email.Message, raw []byte) string {
	if m.MessageID != "" {
		return m.MessageID
	}
	sum := sha256.Sum256(raw)
	return "sha256-" + hex.EncodeToString(sum[:12]) + "@atende.invalid"
}

// Ingest stores one raw mail received on ch. It returns only after the
// message is committed; an error means nothing was stored and the mail
// should be tried again, except for email.Parse's channel.ErrInvalid,
// which no retry fixes.
func (g *Ingester) Ingest(ctx context.Context, ch store.Channel, cfg Config, raw []byte) (Outcome, error) {
	m, err := email.Parse(raw)
	if err != nil {
		return Outcome{}, err
	}
	extID := ExternalID(m, raw)
	q := g.DB.R()
	if old, err := q.MessageByExternalID(ctx, ch.ID, extID); err == nil {
		out := Outcome{Result: ResultDuplicate, ConversationID: old.ConversationID, MessageID: old.ID}
		if old.Kind != store.KindNote {
			// a crash may have come between the message and its files
			var who string
			if who, err = g.ownerIdentity(ctx, ch, old.ConversationID, strings.ToLower(m.From.Address)); err == nil && who != "" {
				err = g.extras(ctx, ch, m, extID, who)
			}
		}
		return out, err
	} else if !errors.Is(err, store.ErrNotFound) {
		return Outcome{}, err
	}
	sender := strings.ToLower(m.From.Address)
	if sender == "" {
		return Outcome{Result: ResultIgnored}, nil
	}
	if sender == cfg.Address {
		// our own mail come back (the support address in Cc of a reply)
		g.log().Info("email: own mail ignored", "channel", ch.ID, "message_id", extID)
		return Outcome{Result: ResultIgnored}, nil
	}
	convID, err := g.thread(ctx, ch, cfg, m)
	if err != nil {
		return Outcome{}, err
	}
	if reason, auto := email.IsAutomated(m); auto {
		if convID == 0 {
			g.log().Info("email: automated mail dropped: it answers no conversation", "channel", ch.ID, "from", sender,
				"message_id", extID, "reason", reason)
			return Outcome{Result: ResultIgnored, Automated: reason}, nil
		}
		return g.note(ctx, ch, convID, m, extID, reason)
	}

	in := conversation.Inbound{ContactExternalID: sender, ContactName: m.From.Name, ContactEmail: sender, ExternalID: extID}
	if len(m.InReplyTo) > 0 {
		in.ReplyToExternalID = m.InReplyTo[0]
	}
	body := m.Reply
	if strings.TrimSpace(body) == "" {
		body = m.Text
	}
	var lines []string
	if convID != 0 {
		owner, err := g.ownerIdentity(ctx, ch, convID, sender)
		if err != nil {
			return Outcome{}, err
		}
		if owner != "" && owner != sender {
			lines = append(lines, "From: "+m.From.String())
			in.ContactExternalID, in.ContactName, in.ContactEmail = owner, "", ""
		} else if owner == "" {
			convID = 0 // a conversation without an e-mail contact: start afresh
		}
	}
	if convID == 0 && m.Subject != "" {
		lines = append(lines, "Subject: "+m.Subject)
	}
	if body = strings.TrimSpace(body); body != "" {
		if len(lines) > 0 {
			lines = append(lines, "")
		}
		lines = append(lines, body)
	}
	first, rest, notes := splitAttachments(m)
	if len(notes) > 0 {
		lines = append(lines, "")
		lines = append(lines, notes...)
	}
	in.Text = clip(strings.Join(lines, "\n"), conversation.MaxMessageRunes)
	saved := ""
	if first >= 0 {
		at, err := g.save(m.Attachments[first])
		if err != nil {
			return Outcome{}, err
		}
		if at != nil {
			in.Attachment, saved = at, at.StorageKey
		}
	}
	if in.Text == "" && in.Attachment == nil {
		in.Text = "(empty e-mail)"
	}
	res, err := g.Conversations.Receive(ctx, ch, in)
	if (err != nil || res.Duplicate) && saved != "" {
		_ = g.Blobs.Remove(saved)
	}
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Result: ResultStored, ConversationID: res.Conversation.ID, MessageID: res.Message.ID, Threaded: convID != 0}
	if res.Duplicate {
		out.Result = ResultDuplicate
	}
	if err := g.DB.W().AddToEmailThread(ctx, res.Conversation.ID, m.Subject, m.MessageID); err != nil {
		return out, err
	}
	if len(rest) == 0 {
		return out, nil
	}
	return out, g.extras(ctx, ch, m, extID, in.ContactExternalID)
}

// thread finds the conversation of ch a mail answers; 0 when none.
func (g *Ingester) thread(ctx context.Context, ch store.Channel, cfg Config, m *email.Message) (int64, error) {
	q := g.DB.R()
	keys := email.ThreadKeys(m)
	if m.Bounce != nil && m.Bounce.OriginalMessageID != "" {
		keys = append([]string{m.Bounce.OriginalMessageID}, keys...)
	}
	for _, k := range keys {
		msg, err := q.MessageByExternalID(ctx, ch.ID, k)
		if err == nil {
			return msg.ConversationID, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return 0, err
		}
	}
	id, ok := email.ReplyConversation(m, cfg.Address, cfg.ReplyKey)
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 0, nil
	}
	c, err := q.LockConversation(ctx, ch.WorkspaceID, n)
	if errors.Is(err, store.ErrNotFound) || err == nil && c.ChannelID != ch.ID {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	return c.ID, nil
}

// ownerIdentity is the e-mail identity on ch of the contact of conversation
// convID: sender itself when the sender is that contact; "" when the
// contact has no identity on the channel.
func (g *Ingester) ownerIdentity(ctx context.Context, ch store.Channel, convID int64, sender string) (string, error) {
	q := g.DB.R()
	owner, err := q.ConversationContact(ctx, ch.WorkspaceID, convID)
	if err != nil {
		return "", err
	}
	if id, err := q.ContactByIdentity(ctx, ch.ID, sender); err == nil && id == owner {
		return sender, nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	ct, err := q.Contact(ctx, ch.WorkspaceID, owner)
	if err != nil {
		return "", err
	}
	for _, id := range ct.Identities {
		if id.ChannelID == ch.ID {
			return id.ExternalID, nil
		}
	}
	return "", nil
}

// note keeps an automated mail as an internal note of the conversation it
// answers: agents see it, but it neither reopens nor wakes anything, and
// nothing answers it.
func (g *Ingester) note(ctx context.Context, ch store.Channel, convID int64, m *email.Message, extID, reason string) (Outcome, error) {
	text := []string{"Automated e-mail (" + reason + ") from " + m.From.String()}
	if m.Subject != "" {
		text = append(text, "Subject: "+m.Subject)
	}
	if b := m.Bounce; b != nil && (b.Recipient != "" || b.Diagnostic != "") {
		text = append(text, strings.TrimSpace("Delivery to "+b.Recipient+" "+b.Action+" "+b.Status+": "+b.Diagnostic))
	}
	if body := strings.TrimSpace(m.Reply); body != "" {
		text = append(text, "", clip(body, 2000))
	}
	out := Outcome{Result: ResultNote, ConversationID: convID, Threaded: true, Automated: reason}
	err := g.DB.Tx(ctx, func(q store.Q) error {
		c, err := q.LockConversation(ctx, ch.WorkspaceID, convID)
		if err != nil {
			return err
		}
		msg, err := q.InsertMessage(ctx, store.Message{WorkspaceID: ch.WorkspaceID, ConversationID: c.ID, Kind: store.KindNote,
			Direction: store.DirInternal, SenderType: store.SenderSystem, Content: strings.Join(text, "\n"), ChannelID: ch.ID,
			ExternalID: &extID, CreatedAt: store.Now()})
		out.MessageID = msg.ID
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		out.Result = ResultDuplicate // another node imported it meanwhile
		return out, nil
	}
	return out, err
}

// splitAttachments picks the attachment stored with the message (-1 when
// none), the others stored as messages of their own, and notes for those
// whose data was not kept.
func splitAttachments(m *email.Message) (first int, rest []int, notes []string) {
	first = -1
	for i, a := range m.Attachments {
		if a.Omitted || len(a.Data) == 0 {
			notes = append(notes, fmt.Sprintf("[attachment %q (%d bytes) not stored: over the size limit]", a.Filename, a.Size))
			continue
		}
		if first < 0 {
			first = i
		} else {
			rest = append(rest, i)
		}
	}
	return first, rest, notes
}

// extras stores the attachments after the first as messages of their own.
func (g *Ingester) extras(ctx context.Context, ch store.Channel, m *email.Message, extID, contact string) error {
	_, rest, _ := splitAttachments(m)
	for n, i := range rest {
		id := extID + "#" + strconv.Itoa(n+2)
		if _, err := g.DB.R().MessageByExternalID(ctx, ch.ID, id); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		at, err := g.save(m.Attachments[i])
		if err != nil {
			return err
		}
		if at == nil {
			continue
		}
		res, err := g.Conversations.Receive(ctx, ch, conversation.Inbound{ContactExternalID: contact, ExternalID: id, Attachment: at})
		if err != nil || res.Duplicate {
			_ = g.Blobs.Remove(at.StorageKey)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// save writes an attachment to blob storage; nil when it is over the
// server's attachment limit.
func (g *Ingester) save(a email.Attachment) (*store.Attachment, error) {
	b, err := g.Blobs.Save(bytes.NewReader(a.Data))
	if errors.Is(err, blob.ErrTooLarge) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	name := a.Filename
	if name == "" {
		name = "attachment"
	}
	return &store.Attachment{Filename: name, ContentType: b.ContentType, Size: b.Size, SHA256: b.SHA256, StorageKey: b.Key}, nil
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
