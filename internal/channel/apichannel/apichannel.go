// Package apichannel is the channel kind for a company's own apps: the app
// POSTs customer messages to Atende with the channel's token, and Atende
// POSTs agent replies to the app's callback URL, signed with the channel
// secret, through the durable job queue.
package apichannel

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Kind is the channel kind stored in channels.kind.
const Kind = "api"

// ErrInvalid reports a payload that does not follow the documented format.
var ErrInvalid = errors.New("invalid payload")

// ErrTooLarge reports an attachment over the size limit; it wraps ErrInvalid
// too, and the HTTP layer answers it 413.
var ErrTooLarge = errors.New("attachment too large")

// InboundPayload is the documented body of POST /api/v1/channels/api/messages.
type InboundPayload struct {
	// MessageID is the app's id of the message; Atende stores one message per id.
	MessageID string         `json:"message_id"`
	Contact   ContactPayload `json:"contact"`
	Text      string         `json:"text"`
	// Attachment is an optional file sent inline as base64.
	Attachment *AttachmentPayload `json:"attachment,omitempty"`
}

// ContactPayload identifies the customer in the app.
type ContactPayload struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// AttachmentPayload is a file sent inline.
type AttachmentPayload struct {
	Filename string `json:"filename"`
	Data     string `json:"data"`
}

// Inbound is a validated inbound message.
type Inbound struct {
	InboundPayload
	// File holds the decoded attachment bytes, nil when there is none.
	File []byte
}

// Limits on inbound fields.
const (
	MaxTextRunes  = 20000
	MaxIDLen      = 200
	MaxNameRunes  = 200
	MaxFilenameLn = 255
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

func tooLarge(maxFile int64) error {
	return fmt.Errorf("%w: %w: attachment is larger than %d bytes", ErrInvalid, ErrTooLarge, maxFile)
}

// ParseInbound decodes and validates an inbound message. maxFile bounds the
// decoded attachment. It never panics on any input (see the fuzz test).
func ParseInbound(r io.Reader, maxFile int64) (Inbound, error) {
	var in Inbound
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in.InboundPayload); err != nil {
		return in, invalid("malformed JSON: %v", err)
	}
	if dec.More() {
		return in, invalid("trailing data after the JSON object")
	}
	p := &in.InboundPayload
	p.MessageID = strings.TrimSpace(p.MessageID)
	p.Contact.ID = strings.TrimSpace(p.Contact.ID)
	switch {
	case p.Contact.ID == "":
		return in, invalid("contact.id is required")
	case len(p.Contact.ID) > MaxIDLen || !utf8.ValidString(p.Contact.ID):
		return in, invalid("contact.id must be valid UTF-8 of at most %d bytes", MaxIDLen)
	case len(p.MessageID) > MaxIDLen || !utf8.ValidString(p.MessageID):
		return in, invalid("message_id must be valid UTF-8 of at most %d bytes", MaxIDLen)
	case utf8.RuneCountInString(p.Contact.Name) > MaxNameRunes:
		return in, invalid("contact.name has at most %d characters", MaxNameRunes)
	case len(p.Contact.Phone) > 40 || len(p.Contact.Email) > 254:
		return in, invalid("contact.phone or contact.email too long")
	case !utf8.ValidString(p.Text) || utf8.RuneCountInString(p.Text) > MaxTextRunes:
		return in, invalid("text must be valid UTF-8 of at most %d characters", MaxTextRunes)
	case strings.IndexByte(p.MessageID+p.Contact.ID+p.Contact.Name+p.Contact.Phone+p.Contact.Email+p.Text, 0) >= 0:
		// PostgreSQL cannot store NUL in text; refuse it on every engine
		return in, invalid("text fields must not contain the NUL character")
	}
	p.Text = strings.TrimSpace(p.Text)
	if p.Attachment != nil {
		a := p.Attachment
		a.Filename = strings.TrimSpace(a.Filename)
		if a.Filename == "" || len(a.Filename) > MaxFilenameLn || strings.ContainsAny(a.Filename, "/\\\x00") || !utf8.ValidString(a.Filename) {
			return in, invalid("attachment.filename must be a plain file name of at most %d bytes", MaxFilenameLn)
		}
		if int64(base64.StdEncoding.DecodedLen(len(a.Data))) > maxFile+3 {
			return in, tooLarge(maxFile)
		}
		b, err := base64.StdEncoding.DecodeString(a.Data)
		if err != nil {
			return in, invalid("attachment.data is not valid base64")
		}
		if len(b) == 0 {
			return in, invalid("attachment.data is empty")
		}
		if int64(len(b)) > maxFile {
			return in, tooLarge(maxFile)
		}
		in.File = b
	}
	if p.Text == "" && in.File == nil {
		return in, invalid("a message needs text or an attachment")
	}
	return in, nil
}

// StatusPayload is the body of POST /api/v1/channels/api/statuses: the app
// reports what happened to a message Atende sent it.
type StatusPayload struct {
	MessageID int64  `json:"message_id"`
	Status    string `json:"status"`
	Error     string `json:"error"`
}

// ParseStatus decodes and validates a delivery status report.
func ParseStatus(r io.Reader) (StatusPayload, error) {
	var p StatusPayload
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, invalid("malformed JSON: %v", err)
	}
	if p.MessageID <= 0 {
		return p, invalid("message_id is required")
	}
	switch p.Status {
	case "delivered", "read", "failed":
	default:
		return p, invalid("status must be delivered, read or failed")
	}
	if len(p.Error) > 1000 {
		p.Error = p.Error[:1000]
	}
	return p, nil
}
