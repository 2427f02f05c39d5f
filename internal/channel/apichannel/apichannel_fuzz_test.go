package apichannel

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestParseInbound(t *testing.T) {
	cases := []struct {
		name, body string
		ok         bool
		wantErr    string
	}{
		{"text", `{"message_id":"m1","contact":{"id":"u1","name":"Ana"},"text":"Olá"}`, true, ""},
		{"attachment only", `{"contact":{"id":"u1"},"attachment":{"filename":"a.txt","data":"aGVsbG8="}}`, true, ""},
		{"no contact", `{"text":"x"}`, false, "contact.id"},
		{"empty", `{"contact":{"id":"u"}}`, false, "text or an attachment"},
		{"unknown field", `{"contact":{"id":"u"},"text":"x","nope":1}`, false, "malformed"},
		{"wrong type", `{"contact":{"id":5},"text":"x"}`, false, "malformed"},
		{"bad base64", `{"contact":{"id":"u"},"attachment":{"filename":"a","data":"%%%"}}`, false, "base64"},
		{"path filename", `{"contact":{"id":"u"},"attachment":{"filename":"../a","data":"aGVsbG8="}}`, false, "filename"},
		{"too big", `{"contact":{"id":"u"},"attachment":{"filename":"a","data":"` + strings.Repeat("QUFB", 20) + `"}}`, false, "larger"},
		{"trailing", `{"contact":{"id":"u"},"text":"x"} {}`, false, "trailing"},
		{"not json", `hello`, false, "malformed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, err := ParseInbound(strings.NewReader(c.body), 32)
			if c.ok {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if in.Contact.ID != "u1" {
					t.Fatalf("contact id %q", in.Contact.ID)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("got %v, want error containing %q", err, c.wantErr)
			}
		})
	}
}

func FuzzParseInbound(f *testing.F) {
	f.Add([]byte(`{"message_id":"m1","contact":{"id":"u1","name":"Ana"},"text":"Olá"}`))
	f.Add([]byte(`{"contact":{"id":"u1"},"attachment":{"filename":"a.txt","data":"aGVsbG8="}}`))
	f.Add([]byte(`{"contact":{"id":""},"text":""}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := ParseInbound(bytes.NewReader(body), 1024)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		if in.Contact.ID == "" || (in.Text == "" && in.File == nil) || int64(len(in.File)) > 1024 {
			t.Fatalf("accepted an invalid message: %+v", in)
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte(`{"message_id":1,"status":"read"}`))
	f.Add([]byte(`{"message_id":-1,"status":"sent"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseStatus(bytes.NewReader(body))
		if err == nil && (p.MessageID <= 0 || (p.Status != "delivered" && p.Status != "read" && p.Status != "failed")) {
			t.Fatalf("accepted %+v", p)
		}
	})
}
