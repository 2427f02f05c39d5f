// Package whatsapp is the channel kind for the WhatsApp Business Cloud API:
// it checks the webhook's verification handshake and X-Hub-Signature-256,
// turns the "messages" webhook Meta POSTs into channel.Inbound messages and
// channel.Status reports, and calls the Graph API to send text, media and
// templates, download customers' media, list the account's templates and
// classify failures for the job queue. It holds no state and never touches
// the database: the webhook endpoint and the delivery jobs own storage,
// de-duplication and retries.
//
// Shapes follow Meta's WhatsApp Business Platform documentation: "messages
// webhook reference" and its per-type pages, "Status messages webhook
// reference", "Business-scoped user IDs", "Messages API", "Media", "Template
// management" and "Error codes" (see testdata/README.md).
package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/atende/atende/internal/channel"
)

// Kind is the channel kind stored in channels.kind.
const Kind = "whatsapp"

// HeaderSignature is the header in which Meta signs every webhook POST:
// "sha256=" followed by the hex HMAC-SHA256 of the raw body keyed with the
// app secret.
const HeaderSignature = "X-Hub-Signature-256"

const signaturePrefix = "sha256="

// maxChallengeLen bounds the hub.challenge we echo back. Meta sends a short
// number; anything long is not Meta.
const maxChallengeLen = 256

// VerifyChallenge answers the GET handshake Meta makes when the webhook URL
// is configured: hub.mode must be "subscribe" and hub.verify_token the
// channel's verify token; then hub.challenge is to be written back as the
// response body (with status 200). Anything else is refused (the handler
// answers 403). The token comparison takes the same time whatever the query
// holds, and a channel without a verify token accepts nothing. The
// challenge is echoed only when it is made of letters, digits, '.', '_' and
// '-', so the endpoint cannot be used to reflect markup.
func VerifyChallenge(query url.Values, verifyToken string) (challenge string, ok bool) {
	if verifyToken == "" || query.Get("hub.mode") != "subscribe" {
		return "", false
	}
	got, want := sha256.Sum256([]byte(query.Get("hub.verify_token"))), sha256.Sum256([]byte(verifyToken))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return "", false
	}
	challenge = query.Get("hub.challenge")
	if challenge == "" || len(challenge) > maxChallengeLen {
		return "", false
	}
	for i := 0; i < len(challenge); i++ {
		c := challenge[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '.' || c == '_' || c == '-') {
			return "", false
		}
	}
	return challenge, true
}

// VerifySignature checks the X-Hub-Signature-256 header of a webhook POST
// against the raw request body and the app secret. It must run on the exact
// bytes received, before any parsing: without it anyone who learns the
// webhook URL could inject customer messages or fake delivery reports. The
// comparison is constant-time. A channel with no app secret accepts
// nothing. Every failure wraps channel.ErrSignature.
func VerifySignature(body []byte, header, appSecret string) error {
	switch {
	case appSecret == "":
		return fmt.Errorf("%w: the channel has no app secret", channel.ErrSignature)
	case header == "":
		return fmt.Errorf("%w: missing %s header", channel.ErrSignature, HeaderSignature)
	case len(header) < len(signaturePrefix) || !strings.EqualFold(header[:len(signaturePrefix)], signaturePrefix):
		return fmt.Errorf("%w: %s does not start with %q", channel.ErrSignature, HeaderSignature, signaturePrefix)
	}
	got, err := hex.DecodeString(header[len(signaturePrefix):])
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%w: %s is not a hex SHA-256 digest", channel.ErrSignature, HeaderSignature)
	}
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return fmt.Errorf("%w: %s does not match the body", channel.ErrSignature, HeaderSignature)
	}
	return nil
}

// Sign returns the X-Hub-Signature-256 value Meta would send for body: for
// tests and for tools that replay webhooks against a local server.
func Sign(body []byte, appSecret string) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	return signaturePrefix + hex.EncodeToString(m.Sum(nil))
}

// ServiceWindow is the customer-service window: a business may send free
// text (and media) only within 24 hours of the customer's last message;
// outside it only approved templates go out, and Cloud API refuses anything
// else with error 131047.
const ServiceWindow = 24 * time.Hour

// WindowOpen reports whether free text may be sent at now to a customer
// whose last message (on this line) arrived at lastInbound. A zero
// lastInbound means the customer never wrote: the window is closed. A
// lastInbound slightly in the future (clock skew between nodes) counts as
// just received. The window closes exactly 24 hours after lastInbound.
func WindowOpen(lastInbound, now time.Time) bool {
	if lastInbound.IsZero() {
		return false
	}
	return now.Sub(lastInbound) < ServiceWindow
}

// WindowCloses is when the window opened by a message at lastInbound
// closes, for the composer's countdown; zero when lastInbound is zero.
func WindowCloses(lastInbound time.Time) time.Time {
	if lastInbound.IsZero() {
		return time.Time{}
	}
	return lastInbound.Add(ServiceWindow)
}
