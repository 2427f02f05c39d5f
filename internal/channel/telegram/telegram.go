// Package telegram is the channel kind for the Telegram Bot API: it turns
// the Update objects Telegram POSTs to our webhook into channel.Inbound
// messages, checks the webhook's secret token, and calls the Bot API to
// register the webhook, test the bot token, download customers' files and
// send agents' replies. It holds no state and never touches the database:
// the webhook endpoint and the delivery jobs own storage and retries.
//
// Shapes follow the Bot API reference, https://core.telegram.org/bots/api
// (Update, Message, setWebhook, getFile, sendMessage, sendPhoto, sendVoice,
// sendDocument, ResponseParameters).
package telegram

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"

	"github.com/atende/atende/internal/channel"
)

// Kind is the channel kind stored in channels.kind.
const Kind = "telegram"

// HeaderSecretToken is the header in which Telegram sends back, on every
// webhook request, the secret_token given to setWebhook.
const HeaderSecretToken = "X-Telegram-Bot-Api-Secret-Token"

// secretTokenBytes of randomness give a 43-character token: far beyond
// guessing, well inside Telegram's 256-character limit.
const secretTokenBytes = 32

// GenerateSecretToken returns a new random secret_token for setWebhook.
// Telegram accepts 1–256 characters from A-Z, a-z, 0-9, _ and -, which is
// exactly the unpadded URL-safe base64 alphabet.
func GenerateSecretToken() string {
	b := make([]byte, secretTokenBytes)
	// crypto/rand.Read never returns an error (it crashes the program
	// rather than hand out predictable bytes)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ValidSecretToken reports whether s is a secret_token Telegram accepts.
func ValidSecretToken(s string) bool {
	if len(s) < 1 || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// VerifySecret checks the X-Telegram-Bot-Api-Secret-Token header of a
// webhook request against the channel's secret token. Without this check
// anyone who learns the webhook URL could inject customer messages. The
// comparison takes the same time whatever the header holds, so the token
// cannot be found byte by byte; hashing first hides its length as well.
// A channel with no secret configured accepts nothing.
func VerifySecret(header, want string) error {
	switch {
	case want == "":
		return fmt.Errorf("%w: the channel has no webhook secret token", channel.ErrSignature)
	case header == "":
		return fmt.Errorf("%w: missing %s header", channel.ErrSignature, HeaderSecretToken)
	}
	h, w := sha256.Sum256([]byte(header)), sha256.Sum256([]byte(want))
	if subtle.ConstantTimeCompare(h[:], w[:]) != 1 {
		return fmt.Errorf("%w: %s does not match", channel.ErrSignature, HeaderSecretToken)
	}
	return nil
}
