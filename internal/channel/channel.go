// Package channel holds what every messaging provider package
// (internal/channel/<kind>) turns its wire format into, and what it is asked
// to send: one provider-neutral model, so the conversation engine, the
// webhook endpoints and the delivery jobs treat WhatsApp, Telegram, Meta,
// SMS and the API channel alike. Provider packages parse and build HTTP
// payloads and call provider APIs; they never touch the database.
package channel

import (
	"errors"
	"time"
)

// ErrInvalid reports a payload that does not follow the provider's format.
var ErrInvalid = errors.New("channel: invalid payload")

// ErrSignature reports a webhook whose signature or secret does not match.
var ErrSignature = errors.New("channel: bad signature")

// Identity is one way a provider names a customer. A contact is keyed on
// every identity a payload carries (a WhatsApp wa_id and a business-scoped
// user id, a Telegram user id and username…), never on the phone alone.
type Identity struct {
	// Kind names the identifier: "wa_id", "bsuid", "username", "telegram_id",
	// "psid" (Messenger), "igsid" (Instagram), "phone", "email".
	Kind  string
	Value string
}

// Contact is the customer as the provider describes them.
type Contact struct {
	Identities []Identity
	Name       string
	Phone      string // E.164 when the provider gives one
	Email      string
}

// Media is an attachment the provider announced; the caller downloads it
// (eagerly, before acknowledging the webhook) with the provider's client.
type Media struct {
	// Ref is what the provider's client needs to fetch it: a media id
	// (WhatsApp), a file_id (Telegram) or a URL (Meta, SMS).
	Ref      string
	Filename string
	MIME     string
	SHA256   string // hex, when the provider states it; checked after download
	Caption  string
	// Kind is image, video, audio, voice, document or sticker.
	Kind string
}

// Location is a shared place.
type Location struct {
	Latitude, Longitude float64
	Name, Address       string
}

// Reaction is an emoji reaction to an earlier message.
type Reaction struct {
	MessageID string // the provider id of the message reacted to
	Emoji     string // empty when the reaction was removed
}

// Inbound is one customer message.
type Inbound struct {
	// ExternalID is the provider's message id, the de-duplication key.
	ExternalID string
	Contact    Contact
	Text       string
	Media      []Media
	Location   *Location
	Reaction   *Reaction
	// ReplyTo is the provider id of the message this one answers, if any.
	ReplyTo string
	// GroupID groups messages the customer sent together (Telegram albums).
	GroupID string
	// Contacts are vCards the customer shared, rendered as text.
	SharedContacts []string
	At             time.Time
}

// Delivery states, in the order a message moves through them. A status
// never moves backwards: a late "delivered" does not overwrite "read".
const (
	StatusSent      = "sent"
	StatusDelivered = "delivered"
	StatusRead      = "read"
	StatusFailed    = "failed"
)

// Status is a delivery report for a message we sent.
type Status struct {
	ExternalID string
	Status     string
	// Error describes a failure (code and provider message).
	Error string
	// Code is the provider's numeric error code, 0 when none.
	Code int
	// Recipient is the customer's provider id, to track service windows.
	Recipient string
	At        time.Time
}

// Outbound is one message to send to a customer.
type Outbound struct {
	// To is the customer's provider id (wa_id, chat id, PSID, phone…).
	To      string
	Text    string
	Media   []OutboundMedia
	ReplyTo string // provider id of the message being answered
	// Template, when set, sends a pre-approved template instead of Text.
	Template *Template
	// Choices are the options of a bot's menu, in order, which Text already
	// lists (see MenuPrompt): a provider with buttons, lists or quick
	// replies offers them so when they fit, and sends Text alone otherwise.
	Choices []string
}

// OutboundMedia is a file to send.
type OutboundMedia struct {
	Filename string
	MIME     string
	Data     []byte
	Caption  string
}

// Template is a provider-approved message with parameters (WhatsApp).
type Template struct {
	Name       string
	Language   string
	Parameters []string // body parameters, in order
}

// SendError classifies a failed send so the job queue knows what to do.
type SendError struct {
	// Retry is true for failures worth retrying (rate limits, 5xx, timeouts).
	Retry bool
	// After is how long the provider asked us to wait (Retry-After, retry_after).
	After time.Duration
	// Code is the provider's error code, 0 when none.
	Code int
	Msg  string
}

func (e *SendError) Error() string { return e.Msg }
