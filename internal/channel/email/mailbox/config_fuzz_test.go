package mailbox

import (
	"testing"

	"github.com/atende/atende/internal/channel/email"
)

// FuzzValidAddress: every address ValidAddress lets through (a cc typed by
// an agent, a contact's address) is one the composer accepts, so a reply
// never fails at send time over an address the API took.
func FuzzValidAddress(f *testing.F) {
	for _, s := range []string{"a@b.example", "Help@Shop.Example", "a+b@c.example", "a@b", "@b.example", "a@b..example",
		"a b@c.example", "a@b.example,c@d.example", "\"q\"@b.example", "a@b.example\r\nBcc: x@y.example", "ção@b.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !ValidAddress(s) {
			return
		}
		_, err := email.Compose(email.OutboundMail{From: email.Address{Address: "help@shop.example"}, To: []email.Address{{Address: s}},
			Cc: []email.Address{{Address: s}}, Text: "x"})
		if err != nil {
			t.Fatalf("ValidAddress(%q) but Compose: %v", s, err)
		}
	})
}
