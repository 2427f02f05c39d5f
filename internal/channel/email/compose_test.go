package email

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel"
)

func TestReplySubject(t *testing.T) {
	for in, want := range map[string]string{
		"Pedido 4521":            "Re: Pedido 4521",
		"Re: Pedido 4521":        "Re: Pedido 4521",
		"RE: Re: re:Pedido 4521": "Re: Pedido 4521",
		"RES: Cotação":           "Re: Cotação",
		"Aw: SV: Re[2]: x":       "Re: x",
		"Reunião amanhã":         "Re: Reunião amanhã",
		"":                       "Re:",
		"Re:":                    "Re:",
	} {
		if got := ReplySubject(in); got != want {
			t.Errorf("ReplySubject(%q) = %q, want %q", in, got, want)
		}
	}
}

func reply() OutboundMail {
	return OutboundMail{
		From:       Address{Name: "Loja Exemplo – Atendimento", Address: "suporte@loja.example"},
		To:         []Address{{Name: "João Conceição", Address: "joao@industria.example"}},
		Cc:         []Address{{Address: "compras@industria.example"}},
		ReplyTo:    []Address{{Address: ReplyAddressFor("suporte@loja.example", testKey, "42")}},
		Subject:    "RES: Cotação 2025-17",
		Text:       "Olá João,\n\nSegue a proposta <b>revisada</b> & o link: https://loja.example/p/17.\n\nAbraço",
		Signature:  "Pedro – Loja Exemplo",
		InReplyTo:  "BN8PR12@outlook.example",
		References: []string{"root@loja.example", "mid@loja.example"},
		Date:       time.Date(2025, 3, 7, 12, 0, 0, 0, time.UTC),
	}
}

func TestComposeRoundTrip(t *testing.T) {
	out := reply()
	out.Attachments = []channel.OutboundMedia{{Filename: "Proposta nº 17.pdf", MIME: "application/pdf", Data: []byte("%PDF-1.4 proposta")}}
	raw, err := Compose(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line over 998 octets: %.80q…", line)
		}
		for _, c := range []byte(line) {
			if c >= 0x80 {
				t.Fatalf("raw 8-bit byte in %q: headers and bodies must be encoded", line)
			}
		}
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Re: Cotação 2025-17" {
		t.Errorf("subject %q", m.Subject)
	}
	if m.From != out.From || !slices.Equal(m.To, out.To) || !slices.Equal(m.Cc, out.Cc) || !slices.Equal(m.ReplyTo, out.ReplyTo) {
		t.Errorf("addresses: from %v to %v cc %v reply-to %v", m.From, m.To, m.Cc, m.ReplyTo)
	}
	if !strings.HasSuffix(m.MessageID, "@loja.example") {
		t.Errorf("message id %q not at the sending domain", m.MessageID)
	}
	if got, want := ThreadKeys(m), []string{"BN8PR12@outlook.example", "mid@loja.example", "root@loja.example"}; !slices.Equal(got, want) {
		t.Errorf("thread keys %q, want %q", got, want)
	}
	if !m.Date.Equal(out.Date) {
		t.Errorf("date %v", m.Date)
	}
	if m.Reply != normalizeBody(out.Text) {
		t.Errorf("reply %q, want the text without signature", m.Reply)
	}
	if !strings.HasSuffix(m.Text, "\n-- \nPedro – Loja Exemplo") {
		t.Errorf("text %q lacks the signature", m.Text)
	}
	if !strings.Contains(m.UntrustedHTML, "&lt;b&gt;revisada&lt;/b&gt; &amp; o link: <a href=\"https://loja.example/p/17\">https://loja.example/p/17</a>.") {
		t.Errorf("HTML not escaped or link not made:\n%s", m.UntrustedHTML)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "Proposta nº 17.pdf" || m.Attachments[0].ContentType != "application/pdf" ||
		!bytes.Equal(m.Attachments[0].Data, out.Attachments[0].Data) {
		t.Errorf("attachments %+v", m.Attachments)
	}
	if reason, auto := IsAutomated(m); auto {
		t.Errorf("an agent's reply is marked automated: %s", reason)
	}
	if m.ContentType != "multipart/mixed" {
		t.Errorf("content type %q", m.ContentType)
	}
}

func TestComposeAutomatic(t *testing.T) {
	out := reply()
	out.Automatic = true
	out.InReplyTo, out.References = "", nil
	raw, err := Compose(out)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := Parse(raw)
	if reason, auto := IsAutomated(m); !auto || !strings.HasPrefix(reason, AutoReply) {
		t.Errorf("automatic mail classified %q, %v", reason, auto)
	}
	if m.Subject != out.Subject || m.ContentType != "multipart/alternative" || len(m.InReplyTo) != 0 || m.Header.Get("Mime-Version") != "1.0" {
		t.Errorf("subject %q, type %q, in-reply-to %q", m.Subject, m.ContentType, m.InReplyTo)
	}
}

func TestComposeCapsReferences(t *testing.T) {
	out := reply()
	out.References = nil
	for i := range 50 {
		out.References = append(out.References, "id"+strings.Repeat("x", i)+"@x")
	}
	out.References = append(out.References, out.References[3]) // a duplicate
	raw, err := Compose(out)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := Parse(raw)
	if len(m.References) != maxReferences || m.References[0] != "id@x" || m.References[maxReferences-1] != out.InReplyTo {
		t.Errorf("references: %d, first %q, last %q", len(m.References), m.References[0], m.References[len(m.References)-1])
	}
}

func TestComposeRejects(t *testing.T) {
	for name, mod := range map[string]func(*OutboundMail){
		"no from":               func(o *OutboundMail) { o.From.Address = "" },
		"no recipient":          func(o *OutboundMail) { o.To = nil },
		"header injection":      func(o *OutboundMail) { o.To[0].Address = "a@x.example\r\nBcc: all@x.example" },
		"bad cc":                func(o *OutboundMail) { o.Cc = []Address{{Address: "not an address"}} },
		"id injection":          func(o *OutboundMail) { o.InReplyTo = "a@x>\r\nX: y" },
		"non-ascii address":     func(o *OutboundMail) { o.To[0].Address = "joão@x.example" },
		"list in one recipient": func(o *OutboundMail) { o.To[0].Address = "a@x.example,b@x.example" },
	} {
		out := reply()
		mod(&out)
		if _, err := Compose(out); !errors.Is(err, ErrCompose) {
			t.Errorf("%s: err = %v, want ErrCompose", name, err)
		}
	}
	// A subject with line breaks is one line, not a new header.
	out := reply()
	out.Subject = "oi\r\nBcc: all@x.example"
	raw, err := Compose(out)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("\r\nBcc:")) {
		t.Errorf("subject injected a header:\n%s", raw)
	}
}
