// Package medialink signs and checks the public links under which Atende
// lets a messaging provider fetch one stored attachment without a session:
// an SMS provider takes MMS media only by URL. A link names one attachment
// of one workspace and an expiry, authenticated with HMAC-SHA256 under a
// key derived from the server's secret key for this purpose alone, so it
// cannot be guessed, altered or reused for another file or tenant.
package medialink

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net"
	"net/url"
	"strings"
	"time"
)

// DefaultTTL is how long a published link works: providers fetch media
// when they send, and retry a failed fetch for hours.
const DefaultTTL = 24 * time.Hour

// PathPrefix is where the server serves links: GET /media/{token}.
const PathPrefix = "/media/"

// version leads every token, so the format or key can change later
// without old links being misread.
const version = 1

const (
	payloadLen = 1 + 8 + 8 + 8 // version, workspace, attachment, expiry (Unix s)
	macLen     = sha256.Size
	rawLen     = payloadLen + macLen
)

// TokenLen is the length of every token Sign makes.
var TokenLen = base64.RawURLEncoding.EncodedLen(rawLen)

// Errors of Verify. Callers answer all of them alike (404), so a prober
// learns nothing about which part was wrong.
var (
	ErrMalformed = errors.New("medialink: malformed token")
	ErrSignature = errors.New("medialink: bad signature")
	ErrExpired   = errors.New("medialink: link expired")
)

// Link is what a token names.
type Link struct {
	WorkspaceID  int64
	AttachmentID int64
	Expires      time.Time // whole seconds
}

// Signer makes and checks tokens with one derived key.
type Signer struct {
	key []byte
	// TTL is the lifetime of published links; DefaultTTL when 0.
	TTL time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// New derives the link key from the configured secret key. The derivation
// is HKDF-SHA256 with a label of its own, so the key never equals the raw
// secret or the key of any other use of it (internal/secrets).
func New(secretKey string) (*Signer, error) {
	if len(secretKey) < 16 {
		return nil, errors.New("medialink: the secret key must have at least 16 characters")
	}
	key, err := hkdf.Key(sha256.New, []byte(secretKey), nil, "atende media links v1", 32)
	if err != nil {
		return nil, err
	}
	return &Signer{key: key}, nil
}

func (s *Signer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Signer) ttl() time.Duration {
	if s.TTL > 0 {
		return s.TTL
	}
	return DefaultTTL
}

// MaxAge is how long a response for l may be cached: until it expires.
func (s *Signer) MaxAge(l Link) time.Duration {
	return max(l.Expires.Sub(s.now()), 0)
}

func (s *Signer) mac(payload []byte) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write(payload)
	return h.Sum(nil)
}

// Sign makes the token of one attachment of workspace ws, valid until
// expires.
func (s *Signer) Sign(ws, attachmentID int64, expires time.Time) string {
	raw := make([]byte, payloadLen, rawLen)
	raw[0] = version
	binary.BigEndian.PutUint64(raw[1:], uint64(ws))
	binary.BigEndian.PutUint64(raw[9:], uint64(attachmentID))
	binary.BigEndian.PutUint64(raw[17:], uint64(expires.Unix()))
	raw = append(raw, s.mac(raw)...)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// Parse decodes a token without checking its signature or expiry: the
// part that reads outside data, kept apart so it can be fuzzed alone.
func Parse(token string) (l Link, payload, mac []byte, err error) {
	if len(token) != TokenLen {
		return l, nil, nil, ErrMalformed
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) != rawLen || raw[0] != version {
		return l, nil, nil, ErrMalformed
	}
	ws := binary.BigEndian.Uint64(raw[1:])
	id := binary.BigEndian.Uint64(raw[9:])
	exp := binary.BigEndian.Uint64(raw[17:])
	if ws == 0 || id == 0 || ws > 1<<62 || id > 1<<62 || exp > 1<<40 {
		return l, nil, nil, ErrMalformed
	}
	l = Link{WorkspaceID: int64(ws), AttachmentID: int64(id), Expires: time.Unix(int64(exp), 0)}
	return l, raw[:payloadLen], raw[payloadLen:], nil
}

// Verify checks a token's signature, then its expiry, and answers what it
// names.
func (s *Signer) Verify(token string) (Link, error) {
	l, payload, mac, err := Parse(token)
	if err != nil {
		return Link{}, err
	}
	if !hmac.Equal(mac, s.mac(payload)) {
		return Link{}, ErrSignature
	}
	if !s.now().Before(l.Expires) {
		return Link{}, ErrExpired
	}
	return l, nil
}

// URL is the absolute link, under baseURL (the server's public URL), to
// one attachment of workspace ws, valid for the signer's TTL from now.
func (s *Signer) URL(baseURL string, ws, attachmentID int64) string {
	return strings.TrimRight(baseURL, "/") + PathPrefix + s.Sign(ws, attachmentID, s.now().Add(s.ttl()))
}

// Publisher is URL as the hook a delivery job calls (SMSDeliverer.MediaURL).
func (s *Signer) Publisher(baseURL string) func(ctx context.Context, ws, attachmentID int64) (string, error) {
	return func(_ context.Context, ws, attachmentID int64) (string, error) {
		return s.URL(baseURL, ws, attachmentID), nil
	}
}

// Unreachable reports whether baseURL names a host no provider on the
// internet can reach (localhost, a loopback or unspecified address), so
// links under it work only for local tests.
func Unreachable(baseURL string) bool {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return true
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback() || ip.IsUnspecified()
	}
	return false
}
