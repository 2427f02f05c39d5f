package sms

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/atende/atende/internal/channel"
)

// loadForm reads a testdata request body as the HTTP layer would parse it.
func loadForm(t testing.TB, name string) url.Values {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	f, err := url.ParseQuery(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

// The worked example of the provider's "Webhooks security" page.
var docExample = struct {
	token, url, sig string
	form            url.Values
}{
	token: "12345",
	url:   "https://mycompany.com/myapp.php?foo=1&bar=2",
	sig:   "0/KCTR6DLpKmkAf8muzZqo1nDgQ=",
	form: url.Values{
		"CallSid": {"CA1234567890ABCDE"},
		"Caller":  {"+12349013030"},
		"Digits":  {"1234"},
		"From":    {"+12349013030"},
		"To":      {"+18005551212"},
	},
}

func TestSignDocumentedExample(t *testing.T) {
	if got := Sign(docExample.token, docExample.url, docExample.form); got != docExample.sig {
		t.Fatalf("Sign = %q, want the documented %q", got, docExample.sig)
	}
	if err := ValidateSignature(docExample.token, docExample.url, docExample.form, docExample.sig); err != nil {
		t.Fatalf("documented example rejected: %v", err)
	}
}

// Signatures computed outside Go with the algorithm of the provider's Python
// helper (see testdata/README.md).
func TestValidateSignatureIndependentVectors(t *testing.T) {
	const token = "7c4f2e9a1b3d5f60718293a4b5c6d7e8"
	cases := []struct{ file, url, sig string }{
		{"inbound_text.form", "https://atende.example.com/webhooks/sms/42", "QoB41Ma98o8Q04fqByu/3LwlUCc="},
		{"inbound_mms.form", "https://atende.example.com/webhooks/sms/42?tenant=acme", "jhBHxtVInJ9A+TR36dGxziz6ts0="},
		{"status_undelivered.form", "https://atende.example.com/webhooks/sms/42/status", "L1S7QHFEQp/+H7Cx3kxJbJBfkKc="},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			form := loadForm(t, c.file)
			if got := Sign(token, c.url, form); got != c.sig {
				t.Fatalf("Sign = %q, want %q", got, c.sig)
			}
			if err := ValidateSignature(token, c.url, form, c.sig); err != nil {
				t.Fatal(err)
			}
		})
	}
	// repeated parameters: names sorted, then each name's values sorted
	multi := url.Values{"b": {"2", "1"}, "a": {"z"}}
	if got := Sign("12345", "https://mycompany.com/myapp.php", multi); got != "NJwwl25x8/qFVdOAdJ2HHvVnDgg=" {
		t.Fatalf("multi-valued Sign = %q", got)
	}
}

func TestValidateSignatureRejects(t *testing.T) {
	ex := docExample
	tampered := url.Values{}
	for k, v := range ex.form {
		tampered[k] = append([]string(nil), v...)
	}
	tampered.Set("Digits", "9999")
	extra := url.Values{}
	for k, v := range ex.form {
		extra[k] = v
	}
	extra.Set("Body", "injected")
	cases := []struct {
		name, token, url, header string
		form                     url.Values
	}{
		{"missing header", ex.token, ex.url, "", ex.form},
		{"blank header", ex.token, ex.url, "   ", ex.form},
		{"no token configured", "", ex.url, ex.sig, ex.form},
		{"wrong token", "54321", ex.url, ex.sig, ex.form},
		{"tampered parameter", ex.token, ex.url, ex.sig, tampered},
		{"added parameter", ex.token, ex.url, ex.sig, extra},
		{"removed parameter", ex.token, ex.url, ex.sig, url.Values{"CallSid": {"CA1234567890ABCDE"}}},
		{"other URL", ex.token, "https://evil.example/myapp.php?foo=1&bar=2", ex.sig, ex.form},
		{"other query", ex.token, "https://mycompany.com/myapp.php?foo=1&bar=3", ex.sig, ex.form},
		{"http instead of https", ex.token, "http://mycompany.com/myapp.php?foo=1&bar=2", ex.sig, ex.form},
		{"truncated signature", ex.token, ex.url, ex.sig[:len(ex.sig)-1], ex.form},
		{"forged signature", ex.token, ex.url, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", ex.form},
		{"query passed as POST parameters", ex.token, "https://mycompany.com/myapp.php", ex.sig,
			func() url.Values {
				f := url.Values{"foo": {"1"}, "bar": {"2"}}
				for k, v := range ex.form {
					f[k] = v
				}
				return f
			}()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateSignature(c.token, c.url, c.form, c.header)
			if !errors.Is(err, channel.ErrSignature) {
				t.Fatalf("got %v, want channel.ErrSignature", err)
			}
		})
	}
}

func TestValidateSignaturePortVariants(t *testing.T) {
	ex := docExample
	// signed with the default port, validated against the URL without it
	withPort := Sign(ex.token, "https://mycompany.com:443/myapp.php?foo=1&bar=2", ex.form)
	if withPort != "EpDEmp1PyjDYp77YxYU3GILBWzE=" {
		t.Fatalf("Sign with port = %q", withPort)
	}
	if err := ValidateSignature(ex.token, ex.url, ex.form, withPort); err != nil {
		t.Fatalf("signature over the URL with :443 rejected: %v", err)
	}
	// signed without the port, validated against a URL that carries one
	if err := ValidateSignature(ex.token, "https://mycompany.com:443/myapp.php?foo=1&bar=2", ex.form, ex.sig); err != nil {
		t.Fatalf("signature over the URL without port rejected: %v", err)
	}
	if err := ValidateSignature(ex.token, "https://mycompany.com:8443/myapp.php?foo=1&bar=2", ex.form, ex.sig); err != nil {
		t.Fatalf("explicit port not removed: %v", err)
	}
	got := urlVariants("http://[::1]:8080/x?y=1")
	want := []string{"http://[::1]:8080/x?y=1", "http://[::1]/x?y=1"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("urlVariants(IPv6) = %q, want %q", got, want)
	}
	got = urlVariants("http://[::1]/x")
	want = []string{"http://[::1]/x", "http://[::1]:80/x"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("urlVariants(IPv6, no port) = %q, want %q", got, want)
	}
	if got := urlVariants("not a url"); len(got) != 1 {
		t.Fatalf("urlVariants(garbage) = %q", got)
	}
}

const (
	ac    = "AC3f2b8e1d9c4a7f6e5d4c3b2a1f0e9d8c"
	mmsID = "MM7d6c5b4a39281706f5e4d3c2b1a09f8e"
)

func TestParseInboundTestdata(t *testing.T) {
	mediaBase := "https://api.twilio.com/2010-04-01/Accounts/" + ac + "/Messages/" + mmsID + "/Media/"
	cases := []struct {
		file  string
		want  channel.Inbound
		route Route
	}{
		{"inbound_text.form", channel.Inbound{
			ExternalID: "SM1f0e3a9c27b84d5e9a6c0b1d2e3f4a5b",
			Contact: channel.Contact{
				Identities: []channel.Identity{{Kind: "phone", Value: "+5511987654321"}},
				Phone:      "+5511987654321",
			},
			Text: "Olá! Meu pedido #4521 ainda não chegou. Podem verificar?",
		}, Route{AccountSID: ac, To: "+551140028922"}},
		{"inbound_mms.form", channel.Inbound{
			ExternalID: mmsID,
			Contact: channel.Contact{
				Identities: []channel.Identity{{Kind: "phone", Value: "+14155550123"}},
				Phone:      "+14155550123",
			},
			Text: "Here are the photos of the damaged box",
			Media: []channel.Media{
				{Ref: mediaBase + "ME0a1b2c3d4e5f60718293a4b5c6d7e8f9", MIME: "image/jpeg", Kind: "image", Filename: "ME0a1b2c3d4e5f60718293a4b5c6d7e8f9.jpg"},
				{Ref: mediaBase + "ME9f8e7d6c5b4a39281706f5e4d3c2b1a0", MIME: "application/pdf", Kind: "document", Filename: "ME9f8e7d6c5b4a39281706f5e4d3c2b1a0.pdf"},
			},
		}, Route{AccountSID: ac, MessagingServiceSID: "MG9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b", To: "+14155550100"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			form := loadForm(t, c.file)
			got, err := ParseInbound(form)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("ParseInbound =\n%+v\nwant\n%+v", got, c.want)
			}
			if r := RouteOf(form); r != c.route {
				t.Fatalf("RouteOf = %+v, want %+v", r, c.route)
			}
		})
	}
}

func TestParseInboundCases(t *testing.T) {
	base := func(kv ...string) url.Values {
		f := url.Values{"MessageSid": {"SM00000000000000000000000000000001"}, "From": {"+5511987654321"}, "Body": {"oi"}}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "<del>" {
				f.Del(kv[i])
				continue
			}
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	ok := []struct {
		name  string
		form  url.Values
		check func(t *testing.T, in channel.Inbound)
	}{
		{"short code sender keeps identity, no phone", base("From", "28444"), func(t *testing.T, in channel.Inbound) {
			if in.Contact.Phone != "" || in.Contact.Identities[0] != (channel.Identity{Kind: "phone", Value: "28444"}) {
				t.Fatalf("contact %+v", in.Contact)
			}
		}},
		{"empty body is kept empty", base("Body", ""), func(t *testing.T, in channel.Inbound) {
			if in.Text != "" || in.Media != nil {
				t.Fatalf("got %+v", in)
			}
		}},
		{"body is not trimmed", base("Body", "  1 \n"), func(t *testing.T, in channel.Inbound) {
			if in.Text != "  1 \n" {
				t.Fatalf("text %q", in.Text)
			}
		}},
		{"NUL and invalid UTF-8 cleaned", base("Body", "a\x00b\xffc"), func(t *testing.T, in channel.Inbound) {
			if in.Text != "ab\uFFFDc" {
				t.Fatalf("text %q", in.Text)
			}
		}},
		{"ProfileName becomes the name", base("ProfileName", " Ana Souza "), func(t *testing.T, in channel.Inbound) {
			if in.Contact.Name != "Ana Souza" {
				t.Fatalf("name %q", in.Contact.Name)
			}
		}},
		{"NumMedia absent: URLs counted", base("MediaUrl0", "https://api.twilio.com/m/ME1", "MediaContentType0", "audio/ogg"), func(t *testing.T, in channel.Inbound) {
			want := []channel.Media{{Ref: "https://api.twilio.com/m/ME1", MIME: "audio/ogg", Kind: "audio", Filename: "ME1.ogg"}}
			if !reflect.DeepEqual(in.Media, want) {
				t.Fatalf("media %+v", in.Media)
			}
		}},
		{"missing content type", base("NumMedia", "1", "MediaUrl0", "https://api.twilio.com/m/ME2"), func(t *testing.T, in channel.Inbound) {
			want := []channel.Media{{Ref: "https://api.twilio.com/m/ME2", MIME: "application/octet-stream", Kind: "document", Filename: "ME2"}}
			if !reflect.DeepEqual(in.Media, want) {
				t.Fatalf("media %+v", in.Media)
			}
		}},
		{"video", base("NumMedia", "1", "MediaUrl0", "https://api.twilio.com/m/ME3", "MediaContentType0", "Video/MP4"), func(t *testing.T, in channel.Inbound) {
			if m := in.Media[0]; m.Kind != "video" || m.MIME != "video/mp4" || m.Filename != "ME3.mp4" {
				t.Fatalf("media %+v", m)
			}
		}},
		{"NumMedia 0 ignores stray URLs", base("NumMedia", "0", "MediaUrl0", "https://api.twilio.com/m/ME4"), func(t *testing.T, in channel.Inbound) {
			if in.Media != nil {
				t.Fatalf("media %+v", in.Media)
			}
		}},
	}
	for _, c := range ok {
		t.Run(c.name, func(t *testing.T) {
			in, err := ParseInbound(c.form)
			if err != nil {
				t.Fatal(err)
			}
			if in.ExternalID != "SM00000000000000000000000000000001" {
				t.Fatalf("external id %q", in.ExternalID)
			}
			c.check(t, in)
		})
	}
	bad := []struct {
		name, wantErr string
		form          url.Values
	}{
		{"no MessageSid", "MessageSid is required", base("MessageSid", "<del>")},
		{"blank MessageSid", "MessageSid is required", base("MessageSid", "  ")},
		{"SmsSid only", "MessageSid is required", base("MessageSid", "<del>", "SmsSid", "SM1")},
		{"no From", "From is required", base("From", "<del>")},
		{"space in From", "From must not contain", base("From", "+55 11 98765")},
		{"long MessageSid", "MessageSid must be", base("MessageSid", strings.Repeat("S", MaxIDLen+1))},
		{"NumMedia not a number", "NumMedia", base("NumMedia", "two")},
		{"NumMedia negative", "NumMedia", base("NumMedia", "-1")},
		{"NumMedia too big", "NumMedia", base("NumMedia", "11")},
		{"NumMedia without URL", "MediaUrl0 is missing", base("NumMedia", "1")},
		{"second URL missing", "MediaUrl1 is missing", base("NumMedia", "2", "MediaUrl0", "https://x.example/a")},
		{"relative media URL", "MediaUrl0 must be", base("NumMedia", "1", "MediaUrl0", "/Media/ME1")},
		{"file media URL", "MediaUrl0 must be", base("NumMedia", "1", "MediaUrl0", "file:///etc/passwd")},
		{"bad content type", "MediaContentType0", base("NumMedia", "1", "MediaUrl0", "https://x.example/a", "MediaContentType0", "image/png\r\nX: y")},
		{"huge body", "Body is larger", base("Body", strings.Repeat("a", MaxBodyBytes+1))},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseInbound(c.form)
			if !errors.Is(err, channel.ErrInvalid) || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("got %v, want channel.ErrInvalid containing %q", err, c.wantErr)
			}
		})
	}
}

func TestParseStatusTestdata(t *testing.T) {
	cases := []struct {
		file string
		want channel.Status
	}{
		{"status_sent.form", channel.Status{ExternalID: "SM4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b", Status: channel.StatusSent, Recipient: "+5511987654321"}},
		{"status_delivered.form", channel.Status{ExternalID: "SM4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b", Status: channel.StatusDelivered, Recipient: "+5511987654321"}},
		{"status_undelivered.form", channel.Status{ExternalID: "SM0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e", Status: channel.StatusFailed,
			Code: 30003, Error: "30003: Unreachable destination handset", Recipient: "+5511912345678"}},
		{"status_failed.form", channel.Status{ExternalID: "SM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d", Status: channel.StatusFailed,
			Code: 30007, Error: "30007: Message filtered", Recipient: "+5511955554444"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			got, err := ParseStatus(loadForm(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("ParseStatus =\n%+v\nwant\n%+v", got, c.want)
			}
		})
	}
}

func TestParseStatusMapping(t *testing.T) {
	form := func(kv ...string) url.Values {
		f := url.Values{"MessageSid": {"SM1"}, "To": {"+5511987654321"}}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	cases := []struct {
		name       string
		form       url.Values
		status     string
		code       int
		errText    string
		wantErrMsg string
	}{
		{"queued is no change", form("MessageStatus", "queued"), "", 0, "", ""},
		{"accepted is no change", form("MessageStatus", "accepted"), "", 0, "", ""},
		{"scheduled is no change", form("MessageStatus", "scheduled"), "", 0, "", ""},
		{"sending is no change", form("MessageStatus", "sending"), "", 0, "", ""},
		{"unknown future value is no change", form("MessageStatus", "partially_delivered"), "", 0, "", ""},
		{"sent", form("MessageStatus", "sent"), channel.StatusSent, 0, "", ""},
		{"delivered", form("MessageStatus", "delivered"), channel.StatusDelivered, 0, "", ""},
		{"read", form("MessageStatus", "read"), channel.StatusRead, 0, "", ""},
		{"upper case", form("MessageStatus", "DELIVERED"), channel.StatusDelivered, 0, "", ""},
		{"failed with message", form("MessageStatus", "failed", "ErrorCode", "21610", "ErrorMessage", "Attempt to send to unsubscribed recipient"),
			channel.StatusFailed, 21610, "21610: Attempt to send to unsubscribed recipient", ""},
		{"undelivered, channel message", form("MessageStatus", "undelivered", "ErrorCode", "63023", "ChannelStatusMessage", "carrier said no"),
			channel.StatusFailed, 63023, "63023: carrier said no", ""},
		{"unknown code without message", form("MessageStatus", "undelivered", "ErrorCode", "39999"), channel.StatusFailed, 39999, "39999", ""},
		{"failed without code", form("MessageStatus", "failed"), channel.StatusFailed, 0, "failed", ""},
		{"non-numeric code", form("MessageStatus", "failed", "ErrorCode", "abc", "ErrorMessage", "x"), channel.StatusFailed, 0, "x", ""},
		{"canceled", form("MessageStatus", "canceled"), channel.StatusFailed, 0, "canceled", ""},
		{"no MessageStatus", form(), "", 0, "", "MessageStatus is required"},
		{"no MessageSid", url.Values{"MessageStatus": {"sent"}}, "", 0, "", "MessageSid is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, err := ParseStatus(c.form)
			if c.wantErrMsg != "" {
				if !errors.Is(err, channel.ErrInvalid) || !strings.Contains(err.Error(), c.wantErrMsg) {
					t.Fatalf("got %v, want channel.ErrInvalid containing %q", err, c.wantErrMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.ExternalID != "SM1" || st.Recipient != "+5511987654321" || st.Status != c.status || st.Code != c.code || st.Error != c.errText {
				t.Fatalf("got %+v, want status %q code %d error %q", st, c.status, c.code, c.errText)
			}
		})
	}
}
