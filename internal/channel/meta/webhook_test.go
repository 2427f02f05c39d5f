package meta

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/atende/atende/internal/channel"
)

func TestVerifyChallenge(t *testing.T) {
	cases := []struct {
		name, query, token string
		want               string
		wantErr            error
	}{
		{"ok", "hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=1158201444", "s3cret", "1158201444", nil},
		{"wrong token", "hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1", "s3cret", "", channel.ErrSignature},
		{"missing token", "hub.mode=subscribe&hub.challenge=1", "s3cret", "", channel.ErrSignature},
		{"unset token never matches", "hub.mode=subscribe&hub.verify_token=&hub.challenge=1", "", "", channel.ErrSignature},
		{"wrong mode", "hub.mode=unsubscribe&hub.verify_token=s3cret&hub.challenge=1", "s3cret", "", channel.ErrInvalid},
		{"no challenge", "hub.mode=subscribe&hub.verify_token=s3cret", "s3cret", "", channel.ErrInvalid},
		{"markup challenge not reflected", "hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=%3Cscript%3E", "s3cret", "", channel.ErrInvalid},
		{"huge challenge", "hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=" + strings.Repeat("9", 300), "s3cret", "", channel.ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := VerifyChallenge(q, c.token)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) || got != "" {
					t.Fatalf("got %q, %v; want %v", got, err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"object":"page","entry":[]}`)
	// hex(HMAC-SHA256("appsecret", body)), computed independently with
	// printf '%s' "$body" | openssl dgst -sha256 -hmac appsecret
	const known = "sha256=0e9e0080a310f376450c46d999aa4d49ed772bfe43c13205f38a3a6e6611ed2b"
	good := Sign("appsecret", body)
	if good != known {
		t.Fatalf("Sign = %s, want %s", good, known)
	}
	cases := []struct {
		name, secret, header string
		body                 []byte
		ok                   bool
	}{
		{"valid", "appsecret", good, body, true},
		{"valid upper-case hex", "appsecret", "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), body, true},
		{"body changed", "appsecret", good, append([]byte(" "), body...), false},
		{"other secret", "other", good, body, false},
		{"missing", "appsecret", "", body, false},
		{"sha1 scheme", "appsecret", "sha1=" + strings.TrimPrefix(good, "sha256="), body, false},
		{"not hex", "appsecret", "sha256=zz", body, false},
		{"truncated", "appsecret", good[:20], body, false},
		{"no secret configured", "", Sign("", body), body, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := VerifySignature(c.secret, c.body, c.header)
			if c.ok && err != nil {
				t.Fatalf("unexpected %v", err)
			}
			if !c.ok && !errors.Is(err, channel.ErrSignature) {
				t.Fatalf("got %v, want ErrSignature", err)
			}
		})
	}
}
