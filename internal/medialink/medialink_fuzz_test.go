package medialink

import (
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary path segments to the token parser: it must
// never panic, never accept a token the key did not sign, and whatever it
// parses must sign back to the same token.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	s, err := New(testKey)
	if err != nil {
		f.Fatal(err)
	}
	s.Now = func() time.Time { return now }
	f.Add(s.Sign(1, 1, now.Add(time.Hour)))
	f.Add(s.Sign(1<<40, 1<<50, now.Add(DefaultTTL)))
	f.Add("")
	f.Add("AQAAAAAAAAAHAAAAAAAAACoAAAAAa0lYwA")
	f.Add("%2e%2e")
	f.Fuzz(func(t *testing.T, token string) {
		l, payload, mac, err := Parse(token)
		if err != nil {
			return
		}
		if l.WorkspaceID <= 0 || l.AttachmentID <= 0 || len(payload) != payloadLen || len(mac) != macLen {
			t.Fatalf("Parse(%q) = %+v (%d, %d bytes)", token, l, len(payload), len(mac))
		}
		v, err := s.Verify(token)
		if err == nil {
			if re := s.Sign(v.WorkspaceID, v.AttachmentID, v.Expires); re != token {
				t.Fatalf("Verify accepted %q, which signs back as %q", token, re)
			}
		}
	})
}
