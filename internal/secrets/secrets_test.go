package secrets

import (
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	b, err := New("0123456789abcdef-key")
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{"whsec_abc", "ção ✓", strings.Repeat("x", 5000)} {
		s1, err := b.Seal(plain)
		if err != nil {
			t.Fatal(err)
		}
		s2, _ := b.Seal(plain)
		if s1 == s2 || strings.Contains(s1, plain) || !strings.HasPrefix(s1, prefix) {
			t.Fatalf("sealed %q as %q / %q", plain, s1, s2)
		}
		got, err := b.Open(s1)
		if err != nil || got != plain {
			t.Fatalf("open: %q, %v", got, err)
		}
	}
	if s, _ := b.Seal(""); s != "" {
		t.Fatal("empty value sealed")
	}
	other, _ := New("another-key-0123456789")
	sealed, _ := b.Seal("secret")
	for _, bad := range []string{"plain", "v1:%%%", "v1:", sealed[:len(sealed)-2]} {
		if _, err := b.Open(bad); err != ErrUnreadable {
			t.Fatalf("Open(%q) = %v", bad, err)
		}
	}
	if _, err := other.Open(sealed); err != ErrUnreadable {
		t.Fatal("opened with the wrong key")
	}
	if _, err := New("short"); err == nil {
		t.Fatal("short key accepted")
	}
}
