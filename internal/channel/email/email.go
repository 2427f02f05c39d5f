// Package email turns Internet mail (RFC 5322 / MIME, as IMAP fetches it)
// into Atende's channel model and composes the mail Atende sends. It is pure:
// no mailbox, no SMTP, no store. What it owns is the messy part of e-mail as
// a support channel: charsets and encodings, HTML-only mail, quoted history
// under a customer's reply, auto-replies and bounces that must never start a
// mail loop, and threading by Message-ID or by a signed reply address.
package email

import (
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/atende/atende/internal/channel"
)

// Limits keep one hostile or broken message from costing more than a normal
// one: the IMAP poller hands Parse whatever a mailbox holds.
const (
	// MaxMessageBytes is the largest raw message Parse accepts; common
	// providers cap mail at 25–35 MB, base64 included.
	MaxMessageBytes = 40 << 20
	// MaxAttachmentBytes is the decoded size of all attachments kept from
	// one message; past it, attachments are listed without their data.
	MaxAttachmentBytes = 25 << 20
	// MaxTextBytes bounds the plain and HTML bodies kept.
	MaxTextBytes = 1 << 20
	// maxParts and maxDepth bound the MIME tree walked.
	maxParts = 200
	maxDepth = 10
)

// Address is a mailbox: the display name (decoded) and the address.
type Address struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address"`
}

// String formats the address for a header, encoding a non-ASCII name.
func (a Address) String() string {
	if a.Name == "" {
		return "<" + a.Address + ">"
	}
	return (&mail.Address{Name: a.Name, Address: a.Address}).String()
}

// Attachment is a file part of a message: a real attachment, or an inline
// image that the HTML refers to by Content-ID.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	// ContentID is the id without angle brackets ("cid:" URLs in the HTML).
	ContentID string `json:"content_id,omitempty"`
	Inline    bool   `json:"inline,omitempty"`
	// Size is the decoded size in bytes, also when Data was dropped.
	Size int `json:"size"`
	// Omitted is set when the message's attachments went over
	// MaxAttachmentBytes and this one's Data was not kept.
	Omitted bool   `json:"omitted,omitempty"`
	Data    []byte `json:"-"`
}

// Bounce is what a delivery status notification (RFC 3464) says about the
// first recipient it reports on.
type Bounce struct {
	Recipient  string `json:"recipient,omitempty"`
	Action     string `json:"action,omitempty"` // failed, delayed, delivered…
	Status     string `json:"status,omitempty"` // 5.1.1
	Diagnostic string `json:"diagnostic,omitempty"`
	// OriginalMessageID is the Message-ID of the mail that bounced, when the
	// report includes its header: it names the message we sent.
	OriginalMessageID string `json:"original_message_id,omitempty"`
}

// Message is a parsed e-mail.
type Message struct {
	MessageID  string    `json:"message_id,omitempty"`
	InReplyTo  []string  `json:"in_reply_to,omitempty"`
	References []string  `json:"references,omitempty"`
	From       Address   `json:"from"`
	To         []Address `json:"to,omitempty"`
	Cc         []Address `json:"cc,omitempty"`
	ReplyTo    []Address `json:"reply_to,omitempty"`
	Subject    string    `json:"subject"`
	Date       time.Time `json:"date"`
	// Text is the whole plain-text body: the text/plain part, or a
	// rendering of the HTML for HTML-only mail (TextFromHTML).
	Text         string `json:"-"`
	TextFromHTML bool   `json:"text_from_html,omitempty"`
	// Reply is Text without quoted history and signature: what the
	// customer wrote this time.
	Reply string `json:"reply"`
	// UntrustedHTML is the sender's HTML exactly as received. It may carry
	// scripts, tracking pixels and forms: never show it unsanitised.
	UntrustedHTML string       `json:"-"`
	Attachments   []Attachment `json:"attachments,omitempty"`
	Bounce        *Bounce      `json:"bounce,omitempty"`
	// ContentType is the top-level media type, lower case.
	ContentType string `json:"content_type"`
	// Header is the top-level header as received (values not decoded).
	Header textproto.MIMEHeader `json:"-"`
}

// ReplyAddress is where a reply to this message goes: Reply-To when set,
// else From.
func (m *Message) ReplyAddress() Address {
	if len(m.ReplyTo) > 0 {
		return m.ReplyTo[0]
	}
	return m.From
}

// Inbound maps the message onto the channel-neutral model. The contact is
// the From mailbox: Reply-To says where answers go (ReplyAddress), not who
// wrote. Attachment data travels in the mail itself, so Media.Ref is
// "attachment:<index>" into m.Attachments for the caller to store.
func (m *Message) Inbound() channel.Inbound {
	from := m.From
	addr := strings.ToLower(from.Address)
	in := channel.Inbound{
		ExternalID: m.MessageID,
		Contact: channel.Contact{
			Name:  from.Name,
			Email: addr,
		},
		Text: m.Reply,
		At:   m.Date,
	}
	if addr != "" {
		in.Contact.Identities = []channel.Identity{{Kind: "email", Value: addr}}
	}
	if len(m.InReplyTo) > 0 {
		in.ReplyTo = m.InReplyTo[0]
	}
	for i, a := range m.Attachments {
		if a.Omitted {
			continue
		}
		in.Media = append(in.Media, channel.Media{
			Ref:      "attachment:" + strconv.Itoa(i),
			Filename: a.Filename,
			MIME:     a.ContentType,
			Kind:     mediaKind(a.ContentType),
		})
	}
	return in
}

func mediaKind(ct string) string {
	switch {
	case strings.HasPrefix(ct, "image/"):
		return "image"
	case strings.HasPrefix(ct, "video/"):
		return "video"
	case strings.HasPrefix(ct, "audio/"):
		return "audio"
	}
	return "document"
}
