package telegram

import (
	"errors"
	"testing"

	"github.com/atende/atende/internal/channel"
)

func TestGenerateSecretToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s := GenerateSecretToken()
		if !ValidSecretToken(s) {
			t.Fatalf("%q is not a valid secret_token", s)
		}
		if len(s) < 32 {
			t.Fatalf("%q is too short to resist guessing", s)
		}
		if seen[s] {
			t.Fatalf("%q generated twice", s)
		}
		seen[s] = true
	}
}

func TestValidSecretToken(t *testing.T) {
	long := make([]byte, 257)
	for i := range long {
		long[i] = 'a'
	}
	for s, want := range map[string]bool{
		"a": true, "A-z_09": true, string(long[:256]): true,
		"": false, string(long): false, "a b": false, "a+b": false, "a/b": false, "é": false, "a=": false,
	} {
		if got := ValidSecretToken(s); got != want {
			t.Errorf("ValidSecretToken(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestVerifySecret(t *testing.T) {
	const want = "s3cr3t_Token-value"
	cases := []struct {
		name, header, want string
		ok                 bool
	}{
		{"match", want, want, true},
		{"mismatch", "s3cr3t_Token-valuf", want, false},
		{"prefix", "s3cr3t", want, false},
		{"longer", want + "x", want, false},
		{"missing header", "", want, false},
		{"no secret configured", "", "", false},
		{"no secret configured, header sent", want, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := VerifySecret(c.header, c.want)
			if c.ok != (err == nil) {
				t.Fatalf("VerifySecret = %v, want ok=%v", err, c.ok)
			}
			if err != nil && !errors.Is(err, channel.ErrSignature) {
				t.Fatalf("error %v is not ErrSignature", err)
			}
		})
	}
}
