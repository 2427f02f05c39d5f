package meta

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/atende/atende/internal/channel"
)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"object":"page","entry":[{"id":"1","messaging":[{"sender":{"id":"2"},"reaction":{"mid":"m","action":"react"}}]}]}`))
	f.Add([]byte(`{"object":"instagram","entry":[{"id":"1","messaging":[{"sender":{"id":"1"},"message":{"mid":"m"}}]}]}`))
	f.Add([]byte(`{"object":"page","entry":[{"id":"","messaging":[{}]}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := Parse(body)
		if err != nil {
			if !errors.Is(err, channel.ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		if b.Platform != PlatformMessenger && b.Platform != PlatformInstagram {
			t.Fatalf("platform %q", b.Platform)
		}
		for _, a := range b.Accounts {
			if a.ID == "" {
				t.Fatal("account without id")
			}
			for _, in := range a.Inbound {
				if in.ExternalID == "" {
					t.Fatalf("inbound without ExternalID: %+v", in)
				}
				if len(in.Contact.Identities) == 0 || in.Contact.Identities[0].Value == "" || in.Contact.Identities[0].Kind == "" {
					t.Fatalf("inbound without identity: %+v", in)
				}
				if in.Contact.Identities[0].Value == a.ID {
					t.Fatalf("the account's own message stored as the customer's: %+v", in)
				}
			}
			for _, s := range a.Statuses {
				if s.ExternalID == "" || s.Recipient == "" {
					t.Fatalf("status without ids: %+v", s)
				}
			}
			for _, e := range a.Echoes {
				if e.ExternalID == "" {
					t.Fatalf("echo without id: %+v", e)
				}
			}
		}
	})
}
