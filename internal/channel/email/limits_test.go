package email

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel"
)

// Hostile shapes a mailbox can hold: each must parse within the caps, in
// time proportional to its size.
func TestParseLimits(t *testing.T) {
	var nested strings.Builder
	nested.WriteString("From: a@x.example\r\n")
	for i := range 5000 {
		fmt.Fprintf(&nested, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	nested.WriteString("\r\ntext\r\n")

	var many strings.Builder
	many.WriteString("From: a@x.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n")
	for range 5000 {
		many.WriteString("--b\r\nContent-Type: application/octet-stream\r\n\r\nxx\r\n")
	}
	many.WriteString("--b--\r\n")

	big := "From: a@x.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: application/octet-stream\r\n\r\n" + strings.Repeat("x", MaxAttachmentBytes-10) + "\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"../../etc/passwd\"\r\n\r\n" + strings.Repeat("y", 100) + "\r\n--b--\r\n"

	html := "From: a@x.example\r\nContent-Type: text/html\r\n\r\n" +
		strings.Repeat(`<div class="gmail_quote"><a href="https://x">`, 20000) + strings.Repeat("<", 100000)

	quotes := "From: a@x.example\r\n\r\n" + strings.Repeat("On x wrote: ", 50000) + "\r\n" + strings.Repeat("> q\r\n", 100000)

	for name, raw := range map[string]string{"nested": nested.String(), "many parts": many.String(), "big attachments": big, "html": html, "quotes": quotes} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			m, err := Parse([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d bytes in %v", len(raw), time.Since(start))
			if len(m.Attachments) > maxParts {
				t.Errorf("%d attachments kept", len(m.Attachments))
			}
			kept := 0
			for _, a := range m.Attachments {
				kept += len(a.Data)
				if strings.Contains(a.Filename, "/") {
					t.Errorf("path kept in filename %q", a.Filename)
				}
			}
			if kept > MaxAttachmentBytes {
				t.Errorf("%d attachment bytes kept", kept)
			}
			if len(m.Text) > 2*MaxTextBytes {
				t.Errorf("text of %d bytes", len(m.Text))
			}
		})
	}
	t.Run("over the size limit", func(t *testing.T) {
		if _, err := Parse(make([]byte, MaxMessageBytes+1)); !errors.Is(err, channel.ErrInvalid) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("omitted attachment", func(t *testing.T) {
		m, _ := Parse([]byte(big))
		if len(m.Attachments) != 2 || m.Attachments[1].Omitted != true || m.Attachments[1].Size != 100 || m.Attachments[1].Filename != "passwd" {
			t.Errorf("attachments %+v", m.Attachments)
		}
	})
}

// Broken mail seen in the wild parses into something usable.
func TestParseBrokenMail(t *testing.T) {
	t.Run("bad content-type parameters keep the type", func(t *testing.T) {
		m := mustParse(t, "From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\noi\n--b\nContent-Type: image/png; name=foto 1.png\n\n\x89PNG\n--b--\n")
		if m.Text != "oi" || len(m.Attachments) != 1 || m.Attachments[0].ContentType != "image/png" {
			t.Errorf("text %q attachments %+v", m.Text, m.Attachments)
		}
	})
	t.Run("undeclared 8-bit text is windows-1252", func(t *testing.T) {
		m := mustParse(t, "From: Jos\xe9 <a@x.example>\nSubject: Cota\xe7\xe3o\n\nAten\xe7\xe3o \x93aspas\x94\n")
		if m.Text != "Atenção “aspas”" || m.Subject != "Cotação" || m.From.Name != "José" {
			t.Errorf("text %q subject %q from %q", m.Text, m.Subject, m.From.Name)
		}
	})
	t.Run("unknown charset keeps the text", func(t *testing.T) {
		m := mustParse(t, "From: a@x.example\nContent-Type: text/plain; charset=x-unknown\n\nhello\n")
		if m.Text != "hello" {
			t.Errorf("text %q", m.Text)
		}
	})
	t.Run("no date, no message-id, bad from", func(t *testing.T) {
		m := mustParse(t, "From: Ana Souza ana@x.example, <b@x.example>\nDate: someday\n\nx\n")
		if !m.Date.IsZero() || m.MessageID != "" || m.From.Address != "b@x.example" {
			t.Errorf("date %v id %q from %+v", m.Date, m.MessageID, m.From)
		}
	})
	t.Run("unreadable header", func(t *testing.T) {
		if _, err := Parse([]byte("no colon here\r\n\r\nbody")); !errors.Is(err, channel.ErrInvalid) {
			t.Errorf("err = %v", err)
		}
	})
}
