package medialink

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

const testKey = "medialink test secret key, not for production"

func newSigner(t testing.TB, key string, now time.Time) *Signer {
	t.Helper()
	s, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return now }
	return s
}

// flip changes one bit of the decoded token at byte i and re-encodes it.
func flip(t *testing.T, token string, i int) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatal(err)
	}
	raw[i] ^= 1
	return base64.RawURLEncoding.EncodeToString(raw)
}

func TestVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := newSigner(t, testKey, now)
	valid := s.Sign(7, 42, now.Add(time.Hour))
	other := newSigner(t, "another secret key of the server", now)

	tests := []struct {
		name   string
		signer *Signer
		token  string
		want   error
	}{
		{"valid", s, valid, nil},
		{"expired", s, s.Sign(7, 42, now.Add(-time.Second)), ErrExpired},
		{"expires now", s, s.Sign(7, 42, now), ErrExpired},
		{"wrong key", other, valid, ErrSignature},
		{"other workspace", s, flip(t, valid, 8), ErrSignature},         // workspace 7 → 6
		{"other attachment", s, flip(t, valid, 16), ErrSignature},       // attachment 42 → 43
		{"later expiry", s, flip(t, valid, 23), ErrSignature},           // expiry moved
		{"tampered mac", s, flip(t, valid, payloadLen+3), ErrSignature}, // one bit of the MAC
		{"unknown version", s, flip(t, valid, 0), ErrMalformed},         // version 1 → 0
		{"truncated", s, valid[:len(valid)-1], ErrMalformed},            // one character short
		{"padded", s, valid + "=", ErrMalformed},                        // standard padding
		{"not base64url", s, strings.Replace(valid, valid[:1], "+", 1), ErrMalformed},
		{"empty", s, "", ErrMalformed},
		{"zero ids", s, s.Sign(0, 0, now.Add(time.Hour)), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := tt.signer.Verify(tt.token)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %+v, %v; want %v", l, err, tt.want)
			}
			if tt.want == nil && (l.WorkspaceID != 7 || l.AttachmentID != 42 || !l.Expires.Equal(now.Add(time.Hour))) {
				t.Errorf("Verify = %+v", l)
			}
			if tt.want != nil && l != (Link{}) {
				t.Errorf("a refused token still named %+v", l)
			}
		})
	}
}

// A signature from one workspace's link never opens another's file.
func TestTokensDiffer(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := newSigner(t, testKey, now)
	exp := now.Add(time.Hour)
	a, b := s.Sign(1, 5, exp), s.Sign(2, 5, exp)
	if a == b || a[len(a)-43:] == b[len(b)-43:] {
		t.Fatalf("two workspaces' links share a signature: %s %s", a, b)
	}
	// the MAC of workspace 1 grafted onto the payload of workspace 2
	ra, _ := base64.RawURLEncoding.DecodeString(a)
	rb, _ := base64.RawURLEncoding.DecodeString(b)
	copy(rb[payloadLen:], ra[payloadLen:])
	if _, err := s.Verify(base64.RawURLEncoding.EncodeToString(rb)); !errors.Is(err, ErrSignature) {
		t.Errorf("grafted signature: %v", err)
	}
}

func TestURL(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := newSigner(t, testKey, now)
	u := s.URL("https://atende.example.com/", 3, 9)
	token, ok := strings.CutPrefix(u, "https://atende.example.com/media/")
	if !ok || len(token) != TokenLen {
		t.Fatalf("URL = %q", u)
	}
	l, err := s.Verify(token)
	if err != nil || l.WorkspaceID != 3 || l.AttachmentID != 9 || !l.Expires.Equal(now.Add(DefaultTTL)) {
		t.Fatalf("Verify(URL token) = %+v, %v", l, err)
	}
	if got := s.MaxAge(l); got != DefaultTTL {
		t.Errorf("MaxAge = %v, want %v", got, DefaultTTL)
	}
	// a day later the same link is refused
	s.Now = func() time.Time { return now.Add(DefaultTTL) }
	if _, err := s.Verify(token); !errors.Is(err, ErrExpired) {
		t.Errorf("after the TTL: %v", err)
	}
}

func TestNewKeyDerivation(t *testing.T) {
	if _, err := New("short"); err == nil {
		t.Error("a short secret key was accepted")
	}
	s := newSigner(t, testKey, time.Now())
	if string(s.key) == testKey || len(s.key) != 32 {
		t.Errorf("the link key is not a derived 32-byte key")
	}
}

func TestUnreachable(t *testing.T) {
	for u, want := range map[string]bool{
		"http://localhost:8080":       true,
		"http://127.0.0.1:8080":       true,
		"http://[::1]:8080":           true,
		"http://0.0.0.0:8080":         true,
		"http://app.localhost":        true,
		"":                            true,
		"https://atende.example.com":  false,
		"https://203.0.113.10:8443/x": false,
	} {
		if got := Unreachable(u); got != want {
			t.Errorf("Unreachable(%q) = %v, want %v", u, got, want)
		}
	}
}
