// Package meta is the channel kind for Facebook Messenger and Instagram
// Direct. Both arrive through the same Meta webhook (object "page" or
// "instagram", entry[].messaging[] events) and leave through the same Send
// API, so one package parses and sends for both; the platform only changes
// the customer's identity kind (PSID or IGSID), a few limits and Meta's media
// policy. Like every provider package it never touches the database: the
// webhook endpoint verifies and parses here, and the delivery job sends here.
package meta

import "errors"

// Kinds stored in channels.kind.
const (
	KindMessenger = "messenger"
	KindInstagram = "instagram"
)

// Platforms a webhook entry or a Client speaks for.
const (
	PlatformMessenger = "messenger"
	PlatformInstagram = "instagram"
)

// Identity kinds of the customer (channel.Identity.Kind).
const (
	IdentityPSID  = "psid"  // Page-scoped ID (Messenger)
	IdentityIGSID = "igsid" // Instagram-scoped ID
)

// DefaultBaseURL is the Graph API root with the version the payloads in
// testdata were documented for. Client.BaseURL overrides it (tests, newer
// versions, graph.instagram.com for the Instagram Login flavour).
const DefaultBaseURL = "https://graph.facebook.com/v25.0"

// ErrWindowClosed reports a send Meta refuses, or would refuse, because the
// customer's messaging window is closed: more than 24 hours since their last
// message, or 7 days with the HUMAN_AGENT tag. A refused send wraps both this
// and a *channel.SendError, so callers can test either.
var ErrWindowClosed = errors.New("meta: the customer's messaging window is closed")

func identityKind(platform string) string {
	if platform == PlatformInstagram {
		return IdentityIGSID
	}
	return IdentityPSID
}
