package whatsapp

import (
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel"
)

func TestVerifySignature(t *testing.T) {
	body, err := os.ReadFile("testdata/text.json")
	if err != nil {
		t.Fatal(err)
	}
	const secret = "app-secret"
	good := Sign(body, secret)
	if !strings.HasPrefix(good, "sha256=") || len(good) != len("sha256=")+64 {
		t.Fatalf("Sign gave %q", good)
	}
	hexPart := good[len("sha256="):]
	flipped := []byte(hexPart)
	if flipped[0] == 'a' {
		flipped[0] = 'b'
	} else {
		flipped[0] = 'a'
	}
	cases := []struct {
		name, header, secret string
		body                 []byte
		ok                   bool
		want                 string
	}{
		{"valid", good, secret, body, true, ""},
		{"valid upper-case hex", "sha256=" + strings.ToUpper(hexPart), secret, body, true, ""},
		{"valid upper-case prefix", "SHA256=" + hexPart, secret, body, true, ""},
		{"forged digest", "sha256=" + string(flipped), secret, body, false, "does not match"},
		{"body changed", good, secret, append([]byte(" "), body...), false, "does not match"},
		{"other secret", Sign(body, "someone-else"), secret, body, false, "does not match"},
		{"missing", "", secret, body, false, "missing"},
		{"wrong prefix sha1", "sha1=" + hexPart[:40], secret, body, false, "does not start with"},
		{"no prefix", hexPart, secret, body, false, "does not start with"},
		{"short", "sha256=abcd", secret, body, false, "not a hex"},
		{"not hex", "sha256=" + strings.Repeat("zz", 32), secret, body, false, "not a hex"},
		{"no app secret", Sign(body, ""), "", body, false, "no app secret"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := VerifySignature(c.body, c.header, c.secret)
			if c.ok {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			if !errors.Is(err, channel.ErrSignature) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want ErrSignature containing %q", err, c.want)
			}
		})
	}
}

func TestVerifyChallenge(t *testing.T) {
	q := func(mode, token, challenge string) url.Values {
		v := url.Values{}
		if mode != "" {
			v.Set("hub.mode", mode)
		}
		if token != "" {
			v.Set("hub.verify_token", token)
		}
		if challenge != "" {
			v.Set("hub.challenge", challenge)
		}
		return v
	}
	cases := []struct {
		name  string
		query url.Values
		token string
		want  string
		ok    bool
	}{
		{"valid", q("subscribe", "s3cret", "1158201444"), "s3cret", "1158201444", true},
		{"valid from a raw query", mustQuery(t, "hub.mode=subscribe&hub.challenge=abc_123-X.y&hub.verify_token=s3cret"), "s3cret", "abc_123-X.y", true},
		{"wrong token", q("subscribe", "guess", "1158201444"), "s3cret", "", false},
		{"token prefix", q("subscribe", "s3cre", "1158201444"), "s3cret", "", false},
		{"no token sent", q("subscribe", "", "1158201444"), "s3cret", "", false},
		{"channel without token", q("subscribe", "", "1158201444"), "", "", false},
		{"wrong mode", q("unsubscribe", "s3cret", "1158201444"), "s3cret", "", false},
		{"no mode", q("", "s3cret", "1158201444"), "s3cret", "", false},
		{"no challenge", q("subscribe", "s3cret", ""), "s3cret", "", false},
		{"markup challenge", q("subscribe", "s3cret", "<script>alert(1)</script>"), "s3cret", "", false},
		{"huge challenge", q("subscribe", "s3cret", strings.Repeat("9", 300)), "s3cret", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := VerifyChallenge(c.query, c.token)
			if ok != c.ok || got != c.want {
				t.Fatalf("got (%q, %v), want (%q, %v)", got, ok, c.want, c.ok)
			}
		})
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestWindowOpen(t *testing.T) {
	last := time.Date(2026, 3, 10, 14, 30, 0, 0, time.UTC)
	cases := []struct {
		name string
		last time.Time
		now  time.Time
		open bool
	}{
		{"never wrote", time.Time{}, last, false},
		{"just now", last, last, true},
		{"one hour later", last, last.Add(time.Hour), true},
		{"one nanosecond before 24h", last, last.Add(24*time.Hour - time.Nanosecond), true},
		{"one second before 24h", last, last.Add(24*time.Hour - time.Second), true},
		{"exactly 24h", last, last.Add(24 * time.Hour), false},
		{"24h and a second", last, last.Add(24*time.Hour + time.Second), false},
		{"a week later", last, last.Add(7 * 24 * time.Hour), false},
		{"clock skew: last in the future", last, last.Add(-2 * time.Second), true},
		{"other time zone, same instant", last.In(time.FixedZone("BRT", -3*3600)), last.Add(23 * time.Hour), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := WindowOpen(c.last, c.now); got != c.open {
				t.Fatalf("WindowOpen(%v, %v) = %v", c.last, c.now, got)
			}
		})
	}
	if got := WindowCloses(last); !got.Equal(last.Add(24 * time.Hour)) {
		t.Fatalf("WindowCloses = %v", got)
	}
	if !WindowCloses(time.Time{}).IsZero() {
		t.Fatal("WindowCloses(zero) is not zero")
	}
}
