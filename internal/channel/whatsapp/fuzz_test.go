package whatsapp

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/atende/atende/internal/channel"
)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{}}]}]}`))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1"},` +
		`"messages":[{"from":"1","id":"m","type":"interactive","interactive":{"type":"list_reply"}}]}}]}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := Parse(body)
		if err != nil {
			if !errors.Is(err, channel.ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			if len(b.Lines) != 0 {
				t.Fatalf("a refused body returned lines: %+v", b)
			}
			return
		}
		seen := map[string]bool{}
		for _, l := range b.Lines {
			if l.PhoneNumberID == "" || seen[l.PhoneNumberID] {
				t.Fatalf("empty or repeated phone_number_id: %+v", b)
			}
			seen[l.PhoneNumberID] = true
			for _, m := range l.Messages {
				if m.ExternalID == "" || len(m.Contact.Identities) == 0 {
					t.Fatalf("message without id or sender: %+v", m)
				}
				for _, id := range m.Contact.Identities {
					if id.Kind == "" || id.Value == "" {
						t.Fatalf("empty identity: %+v", m.Contact)
					}
				}
				for _, md := range m.Media {
					if md.Ref == "" {
						t.Fatalf("media without ref: %+v", m)
					}
				}
				if m.Reaction != nil && m.Reaction.MessageID == "" {
					t.Fatalf("reaction without target: %+v", m)
				}
			}
			for _, s := range l.Statuses {
				if s.ExternalID == "" {
					t.Fatalf("status without id: %+v", s)
				}
				switch s.Status {
				case channel.StatusSent, channel.StatusDelivered, channel.StatusRead, channel.StatusFailed:
				default:
					t.Fatalf("status %q", s.Status)
				}
			}
			for id := range l.Choices {
				found := false
				for _, m := range l.Messages {
					found = found || m.ExternalID == id
				}
				if !found {
					t.Fatalf("choice for unknown message %q", id)
				}
			}
		}
	})
}

func FuzzVerifySignature(f *testing.F) {
	body, _ := os.ReadFile("testdata/text.json")
	f.Add(body, Sign(body, "secret"), "secret")
	f.Add(body, "sha256=", "secret")
	f.Add([]byte{}, "SHA256=00", "")
	f.Add([]byte("x"), "sha1=abc", "k")
	f.Fuzz(func(t *testing.T, body []byte, header, secret string) {
		err := VerifySignature(body, header, secret)
		if err != nil {
			if !errors.Is(err, channel.ErrSignature) {
				t.Fatalf("error does not wrap ErrSignature: %v", err)
			}
			return
		}
		// accepted: then the header must be the true signature
		if secret == "" || VerifySignature(body, Sign(body, secret), secret) != nil {
			t.Fatalf("accepted %q for secret %q", header, secret)
		}
		if len(header) != len(Sign(body, secret)) {
			t.Fatalf("accepted a header of the wrong length: %q", header)
		}
	})
}
