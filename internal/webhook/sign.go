// Package webhook sends a workspace's conversation and message events to
// the URLs it subscribed (DESIGN M8): each event is a delivery row and a
// job written in the transaction of the change that caused it, delivered
// at least once through the durable queue, signed per the Standard
// Webhooks convention, and refused at private addresses (SSRF) unless the
// admin allowed them.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

const secretPrefix = "whsec_"

// NewSecret returns a signing secret in the Standard Webhooks format:
// "whsec_" and the base64 of a random 32-byte key.
func NewSecret() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return secretPrefix + base64.StdEncoding.EncodeToString(key)
}

// NewEventID returns a unique webhook-id ("msg_…"), the same on every
// attempt of one delivery so receivers can de-duplicate.
func NewEventID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "msg_" + base64.RawURLEncoding.EncodeToString(b)
}

// errBadSecret reports a secret not in the whsec_ format.
var errBadSecret = errors.New("webhook: secret is not a whsec_ key")

// Sign returns the webhook-signature header value for the message id sent
// at ts with body: "v1," and the base64 HMAC-SHA256, keyed with the
// secret's decoded key, of "id.timestamp.body".
func Sign(secret, id string, ts time.Time, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil || len(key) == 0 {
		return "", errBadSecret
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}
