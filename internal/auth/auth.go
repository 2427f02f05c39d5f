// Package auth owns credentials: argon2id password hashes, random tokens
// (sessions, API tokens, channel tokens) stored only as SHA-256 hashes, and
// the login rate limiter.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: the OWASP minimum (19 MiB, 2 passes, 1 lane), which
// keeps a login around 30 ms on a 2-core server while staying memory-hard.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// ErrMismatch reports a wrong password.
var ErrMismatch = errors.New("auth: password mismatch")

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 8

// HashPassword returns an encoded argon2id hash of password.
func HashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword compares password with an encoded hash in constant time.
func CheckPassword(encoded, password string) error {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return ErrMismatch
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return ErrMismatch
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return ErrMismatch
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return ErrMismatch
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// dummyHash makes a login for an unknown e-mail cost as much as a wrong
// password. Computed on first use, not at start: an argon2id pass allocates
// its whole memory cost, which an idle server should not carry.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not a real password")
	return h
})

// BurnTime spends the time of one password check, so that unknown accounts
// cannot be told from wrong passwords by timing.
func BurnTime(password string) { _ = CheckPassword(dummyHash(), password) }

// Token prefixes tell what a bearer token is for.
const (
	PrefixUser    = "atu_"
	PrefixChannel = "atc_"
	PrefixSession = "ats_"
	PrefixSetup   = "setup_"
	// PrefixVisitor marks a website widget visitor's session token.
	PrefixVisitor = "atv_"
	// PrefixBot marks an agent bot's API token.
	PrefixBot = "atb_"
)

// NewToken returns a fresh random token with a prefix, and the hash to store.
func NewToken(prefix string) (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a token. Tokens carry 256 random bits, so
// a fast hash is enough (no password-style stretching needed).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Limiter allows a number of attempts per key in a sliding window; used to
// slow down password guessing per e-mail and per client address.
type Limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	hits   map[string][]time.Time
	now    func() time.Time
}

// NewLimiter allows max attempts per key per window.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{max: max, window: window, hits: map[string][]time.Time{}, now: time.Now}
}

// Allow records an attempt for key and reports whether it is within the limit,
// and if not, how long until the next attempt is allowed.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	cut := now.Add(-l.window)
	h := l.hits[key]
	i := 0
	for i < len(h) && h[i].Before(cut) {
		i++
	}
	h = h[i:]
	if len(h) >= l.max {
		l.hits[key] = h
		return false, h[0].Sub(cut)
	}
	l.hits[key] = append(h, now)
	if len(l.hits) > 100000 {
		l.sweep(cut)
	}
	return true, 0
}

// Reset forgets a key's attempts (after a successful login).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	delete(l.hits, key)
	l.mu.Unlock()
}

func (l *Limiter) sweep(cut time.Time) {
	for k, h := range l.hits {
		if len(h) == 0 || h[len(h)-1].Before(cut) {
			delete(l.hits, k)
		}
	}
}
