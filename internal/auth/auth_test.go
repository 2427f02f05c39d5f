package auth

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$") {
		t.Fatalf("hash %q is not argon2id", h)
	}
	if err := CheckPassword(h, "correct horse battery"); err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	for _, wrong := range []string{"", "correct horse batter", "Correct horse battery"} {
		if err := CheckPassword(h, wrong); err != ErrMismatch {
			t.Fatalf("wrong password %q: got %v", wrong, err)
		}
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	for _, bad := range []string{"", "$argon2id$", "plain", "$argon2id$v=19$m=x$a$b"} {
		if err := CheckPassword(bad, "x"); err != ErrMismatch {
			t.Fatalf("malformed hash %q: got %v", bad, err)
		}
	}
}

func TestTokens(t *testing.T) {
	a, ha := NewToken(PrefixUser)
	b, hb := NewToken(PrefixUser)
	if a == b || ha == hb {
		t.Fatal("tokens repeat")
	}
	if !strings.HasPrefix(a, PrefixUser) || HashToken(a) != ha || strings.Contains(ha, a) {
		t.Fatalf("token %q hash %q", a, ha)
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(3, time.Minute)
	now := time.Unix(1000, 0)
	l.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("k"); !ok {
			t.Fatalf("attempt %d refused", i)
		}
	}
	ok, wait := l.Allow("k")
	if ok || wait <= 0 || wait > time.Minute {
		t.Fatalf("4th attempt: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.Allow("other"); !ok {
		t.Fatal("other key limited")
	}
	now = now.Add(61 * time.Second)
	if ok, _ := l.Allow("k"); !ok {
		t.Fatal("not allowed after the window")
	}
	l.Reset("k")
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("k"); !ok {
			t.Fatal("reset did not clear")
		}
	}
}
