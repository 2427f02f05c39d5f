package sms

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atende/atende/internal/channel"
)

func addTestdataSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.form"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(strings.TrimSpace(string(b)))
	}
}

func FuzzParseInbound(f *testing.F) {
	addTestdataSeeds(f)
	f.Add("MessageSid=SM1&From=%2B5511987654321&NumMedia=1&MediaUrl0=https%3A%2F%2Fx%2Fa")
	f.Add("MessageSid=SM1&From=x&NumMedia=10")
	f.Add("MessageSid=&From=")
	f.Add("%zz=1&MessageSid=SM1&From=a&Body=%00%ff")
	f.Fuzz(func(t *testing.T, body string) {
		form, _ := url.ParseQuery(body) // keeps what parsed, as net/http does
		in, err := ParseInbound(form)
		if err != nil {
			if !errors.Is(err, channel.ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		if in.ExternalID == "" || len(in.Contact.Identities) != 1 || in.Contact.Identities[0].Value == "" || len(in.Media) > MaxMedia {
			t.Fatalf("accepted an invalid message: %+v", in)
		}
		if strings.Contains(in.Text, "\x00") {
			t.Fatalf("NUL kept in %q", in.Text)
		}
		for _, m := range in.Media {
			u, err := url.Parse(m.Ref)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || m.MIME == "" || m.Kind == "" || m.Filename == "" {
				t.Fatalf("bad media %+v", m)
			}
		}
		st, err := ParseStatus(form)
		if err == nil && st.ExternalID == "" {
			t.Fatalf("status without id: %+v", st)
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	addTestdataSeeds(f)
	f.Add("MessageSid=SM1&MessageStatus=failed&ErrorCode=99999999999999999999")
	f.Fuzz(func(t *testing.T, body string) {
		form, _ := url.ParseQuery(body)
		st, err := ParseStatus(form)
		if err != nil {
			if !errors.Is(err, channel.ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		switch st.Status {
		case "", channel.StatusSent, channel.StatusDelivered, channel.StatusRead:
			if st.Error != "" {
				t.Fatalf("error text on %+v", st)
			}
		case channel.StatusFailed:
			if st.Error == "" {
				t.Fatalf("failure without text: %+v", st)
			}
		default:
			t.Fatalf("unknown status %+v", st)
		}
	})
}

func FuzzValidateSignature(f *testing.F) {
	f.Add(docExample.token, docExample.url, "CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212", docExample.sig)
	f.Add("t", "https://[::1]:443/x?y", "a=1&a=2&b=", "")
	f.Add("", "http://h:", "", "x")
	f.Add("tok", "://", "%", "====")
	f.Fuzz(func(t *testing.T, token, fullURL, body, header string) {
		form, _ := url.ParseQuery(body)
		err := ValidateSignature(token, fullURL, form, header)
		if err != nil && !errors.Is(err, channel.ErrSignature) {
			t.Fatalf("error not ErrSignature: %v", err)
		}
		if err == nil && (token == "" || strings.TrimSpace(header) == "") {
			t.Fatalf("accepted with token %q header %q", token, header)
		}
		if token != "" {
			if err := ValidateSignature(token, fullURL, form, Sign(token, fullURL, form)); err != nil {
				t.Fatalf("own signature rejected: %v", err)
			}
		}
	})
}
