package email

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atende/atende/internal/channel"
)

var update = flag.Bool("update", false, "rewrite testdata/*.json goldens from the parser's output")

// testKey signs the reply address in testdata/emoji_subject_token.eml.
var testKey = []byte("test-reply-key")

const testMailbox = "suporte@loja.example"

// golden is what a testdata/*.eml is expected to parse into.
type golden struct {
	MessageID         string         `json:"message_id"`
	From              Address        `json:"from"`
	To                []Address      `json:"to,omitempty"`
	Cc                []Address      `json:"cc,omitempty"`
	Subject           string         `json:"subject"`
	Date              string         `json:"date"`
	ContentType       string         `json:"content_type"`
	ThreadKeys        []string       `json:"thread_keys"`
	ReplyConversation string         `json:"reply_conversation,omitempty"`
	TextFromHTML      bool           `json:"text_from_html,omitempty"`
	HasHTML           bool           `json:"has_html,omitempty"`
	Text              string         `json:"text"`
	Reply             string         `json:"reply"`
	Attachments       []goldenAttach `json:"attachments,omitempty"`
	Automated         string         `json:"automated,omitempty"`
	Bounce            *Bounce        `json:"bounce,omitempty"`
}

type goldenAttach struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	ContentID   string `json:"content_id,omitempty"`
	Inline      bool   `json:"inline,omitempty"`
	Size        int    `json:"size"`
}

func toGolden(m *Message) golden {
	g := golden{
		MessageID: m.MessageID, From: m.From, To: m.To, Cc: m.Cc, Subject: m.Subject,
		ContentType: m.ContentType, ThreadKeys: ThreadKeys(m), TextFromHTML: m.TextFromHTML,
		HasHTML: m.UntrustedHTML != "", Text: m.Text, Reply: m.Reply, Bounce: m.Bounce,
	}
	if !m.Date.IsZero() {
		g.Date = m.Date.Format("2006-01-02T15:04:05Z07:00")
	}
	if id, ok := ReplyConversation(m, testMailbox, testKey); ok {
		g.ReplyConversation = id
	}
	g.Automated, _ = IsAutomated(m)
	for _, a := range m.Attachments {
		g.Attachments = append(g.Attachments, goldenAttach{a.Filename, a.ContentType, a.ContentID, a.Inline, a.Size})
	}
	return g
}

func corpus(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil || len(files) < 8 {
		t.Fatalf("testdata corpus: %d files, %v", len(files), err)
	}
	return files
}

func TestParseCorpus(t *testing.T) {
	for _, name := range corpus(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			raw, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(toGolden(m)); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			goldenFile := strings.TrimSuffix(name, ".eml") + ".json"
			if *update {
				if err := os.WriteFile(goldenFile, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(goldenFile)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("parse of %s differs from %s:\n got: %s\nwant: %s", name, goldenFile, got, want)
			}
		})
	}
}

func TestInbound(t *testing.T) {
	raw, err := os.ReadFile("testdata/inline_image_pdf.eml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	in := m.Inbound()
	if in.ExternalID != m.MessageID || in.Contact.Email != "carla.mendes@icloud.example" || in.Contact.Name != "Carla Mendes" ||
		len(in.Contact.Identities) != 1 || in.Contact.Identities[0] != (channel.Identity{Kind: "email", Value: "carla.mendes@icloud.example"}) {
		t.Errorf("contact %+v id %q", in.Contact, in.ExternalID)
	}
	if in.Text != m.Reply || !in.At.Equal(m.Date) {
		t.Errorf("text %q at %v", in.Text, in.At)
	}
	if len(in.Media) != 2 || in.Media[0].Kind != "image" || in.Media[1].Kind != "document" || in.Media[1].Ref != "attachment:1" ||
		in.Media[1].Filename != "Nota fiscal nº 7788 – março.pdf" {
		t.Errorf("media %+v", in.Media)
	}
	if string(m.Attachments[1].Data[:8]) != "%PDF-1.4" {
		t.Errorf("pdf data %q", m.Attachments[1].Data[:8])
	}
}
