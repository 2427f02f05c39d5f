package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	"github.com/atende/atende/internal/channel"
)

// HeaderSignature carries hex(HMAC-SHA256(app secret, raw body)) prefixed
// with "sha256=" on every webhook POST.
const HeaderSignature = "X-Hub-Signature-256"

// maxChallenge bounds hub.challenge: Meta sends a short number, and the value
// is echoed back in the response body, so anything long or unusual is refused
// rather than reflected.
const maxChallenge = 256

// VerifyChallenge answers Meta's subscription handshake (GET with hub.mode,
// hub.verify_token and hub.challenge): it returns the challenge to write back
// as the 200 body when the mode is "subscribe" and the token matches the one
// configured on the channel. A wrong or missing token wraps
// channel.ErrSignature; a malformed request wraps channel.ErrInvalid. Either
// way the endpoint answers 403 and echoes nothing.
func VerifyChallenge(q url.Values, verifyToken string) (string, error) {
	if q.Get("hub.mode") != "subscribe" {
		return "", fmt.Errorf("%w: hub.mode must be subscribe", channel.ErrInvalid)
	}
	got := q.Get("hub.verify_token")
	// an unset token would let anyone subscribe the URL with an empty one
	if verifyToken == "" || subtle.ConstantTimeCompare([]byte(got), []byte(verifyToken)) != 1 {
		return "", fmt.Errorf("%w: hub.verify_token does not match", channel.ErrSignature)
	}
	c := q.Get("hub.challenge")
	if c == "" || len(c) > maxChallenge || strings.IndexFunc(c, notChallengeChar) >= 0 {
		return "", fmt.Errorf("%w: hub.challenge is missing or not a plain token", channel.ErrInvalid)
	}
	return c, nil
}

func notChallengeChar(r rune) bool {
	switch {
	case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		return false
	case r == '-' || r == '_' || r == '.' || r == '~':
		return false
	}
	return true
}

// Sign returns the X-Hub-Signature-256 value Meta computes for body: tests and
// the local fake provider use it to post correctly signed webhooks.
func Sign(appSecret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature checks header (the X-Hub-Signature-256 value) against the
// raw request body, before anything in it is trusted or stored. A missing,
// malformed or different signature, or an empty app secret, wraps
// channel.ErrSignature; the comparison takes constant time.
func VerifySignature(appSecret string, body []byte, header string) error {
	if appSecret == "" {
		return fmt.Errorf("%w: no app secret configured", channel.ErrSignature)
	}
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok {
		return fmt.Errorf("%w: %s missing or not sha256=<hex>", channel.ErrSignature, HeaderSignature)
	}
	got, err := hex.DecodeString(hexSig)
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
