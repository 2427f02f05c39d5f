package email

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/atende/atende/internal/channel"
)

func FuzzParse(f *testing.F) {
	for _, name := range corpus(f) {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("From: a@x\r\n\r\n"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n"))
	f.Add([]byte("Content-Type: text/html\r\n\r\n<a href=x><a><div class=gmail_quote><div><script>"))
	f.Add([]byte("Subject: =?x-unknown?q?abc?= =?utf-8?b?////?=\r\nContent-Type: text/plain; charset=x-klingon\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n\xff\xfe"))
	f.Add([]byte("Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n--b--"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw)
		if err != nil {
			if !errors.Is(err, channel.ErrInvalid) {
				t.Fatalf("error is not ErrInvalid: %v", err)
			}
			return
		}
		for _, s := range []string{m.Text, m.Reply, m.Subject, m.From.Name} {
			if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
				t.Fatalf("invalid UTF-8 or NUL kept: %q", s)
			}
		}
		if strings.ContainsAny(m.Subject, "\r\n") {
			t.Fatalf("subject spans lines: %q", m.Subject)
		}
		if strings.TrimSpace(m.Text) != "" && m.Reply == "" {
			t.Fatalf("reply emptied a non-empty text %q", m.Text)
		}
		total := 0
		for _, a := range m.Attachments {
			total += len(a.Data)
			if a.Filename == "" || strings.ContainsAny(a.Filename, "/\\\x00\r\n") || a.ContentType == "" {
				t.Fatalf("bad attachment %+v", a)
			}
		}
		if total > MaxAttachmentBytes {
			t.Fatalf("%d attachment bytes kept", total)
		}
		_, _ = IsAutomated(m)
		_ = m.Inbound()
		roundTrip(t, m)
	})
}

// roundTrip answers the parsed message and checks that the answer parses
// back into the same subject, text and threading.
func roundTrip(t *testing.T, m *Message) {
	out := OutboundMail{
		From:      Address{Name: "Loja", Address: "suporte@loja.example"},
		To:        []Address{{Name: m.From.Name, Address: "cliente@x.example"}},
		Subject:   m.Subject,
		Text:      m.Reply,
		Signature: m.From.Name,
	}
	if validAddress(m.From.Address) {
		out.To[0].Address = m.From.Address
	}
	if validMsgID(m.MessageID) {
		out.InReplyTo = m.MessageID
		out.References = m.References
	}
	raw, err := Compose(out)
	if err != nil {
		t.Fatalf("Compose: %v", err)
	}
	back, err := Parse(raw)
	if err != nil {
		t.Fatalf("Parse of composed mail: %v\n%s", err, raw)
	}
	wantSubject := cleanLine(strings.ToValidUTF8(m.Subject, ""))
	if out.InReplyTo != "" {
		wantSubject = ReplySubject(wantSubject)
	}
	if back.Subject != wantSubject {
		t.Fatalf("subject %q came back as %q", wantSubject, back.Subject)
	}
	if want := normalizeBody(plainBody(out)); back.Text != want {
		t.Fatalf("text %q came back as %q", want, back.Text)
	}
	if out.InReplyTo != "" {
		if !slices.Equal(back.InReplyTo, []string{out.InReplyTo}) || !slices.Equal(back.References, references(out.References, out.InReplyTo)) {
			t.Fatalf("threading: in-reply-to %q refs %q from %q %q", back.InReplyTo, back.References, out.InReplyTo, out.References)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	var msgs [][]byte
	size := 0
	for _, name := range corpus(b) {
		raw, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, raw)
		size += len(raw)
	}
	b.SetBytes(int64(size / len(msgs)))
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if _, err := Parse(msgs[n%len(msgs)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "emails/s")
}
