package email

import (
	"slices"
	"strings"
	"testing"
)

func TestThreadKeys(t *testing.T) {
	m := mustParse(t, "From: a@x.example\nIn-Reply-To: <p@x>\nReferences: <root@x>\n <mid@x>, <p@x>\n\nb\n")
	if got, want := ThreadKeys(m), []string{"p@x", "mid@x", "root@x"}; !slices.Equal(got, want) {
		t.Errorf("ThreadKeys = %q, want %q", got, want)
	}
	// Clients that drop brackets or In-Reply-To still thread.
	m = mustParse(t, "From: a@x.example\nReferences: root@x p@x\n\nb\n")
	if got, want := ThreadKeys(m), []string{"p@x", "root@x"}; !slices.Equal(got, want) {
		t.Errorf("ThreadKeys = %q, want %q", got, want)
	}
}

func TestReplyToken(t *testing.T) {
	key := []byte("k1")
	addr := ReplyAddressFor("Suporte@Loja.example", key, "conv-123")
	if !strings.HasPrefix(addr, "Suporte+r-") || !strings.HasSuffix(addr, "@Loja.example") {
		t.Fatalf("reply address %q", addr)
	}
	if id, ok := ConversationFromAddress(addr, "suporte@loja.example", key); !ok || id != "conv-123" {
		t.Fatalf("round trip = %q, %v", id, ok)
	}
	// Some servers upper-case the whole address.
	if id, ok := ConversationFromAddress(strings.ToUpper(addr), "suporte@loja.example", key); !ok || id != "conv-123" {
		t.Errorf("upper-cased = %q, %v", id, ok)
	}
	local, _, _ := strings.Cut(addr, "@")
	tok := strings.TrimPrefix(local, "Suporte+r-")
	enc, sig, _ := strings.Cut(tok, "-")
	forged := map[string]string{
		"other key":             ReplyAddressFor("suporte@loja.example", []byte("k2"), "conv-123"),
		"other conversation":    "suporte+r-" + tokenEncoding.EncodeToString([]byte("conv-124")) + "-" + sig + "@loja.example",
		"other mailbox":         "vendas+r-" + tok + "@loja.example",
		"other domain":          "suporte+r-" + tok + "@evil.example",
		"truncated mac":         "suporte+r-" + enc + "-" + sig[:len(sig)-1] + "@loja.example",
		"no mac":                "suporte+r-" + enc + "@loja.example",
		"bad alphabet":          "suporte+r-" + enc + "-" + strings.Repeat("1", len(sig)) + "@loja.example",
		"plain mailbox":         "suporte@loja.example",
		"other detail":          "suporte+vip@loja.example",
		"oversized":             "suporte+r-" + strings.Repeat("a", 500) + "-" + sig + "@loja.example",
		"not an address at all": "r-" + tok,
	}
	for name, a := range forged {
		if id, ok := ConversationFromAddress(a, "suporte@loja.example", key); ok {
			t.Errorf("%s: %q accepted as conversation %q", name, a, id)
		}
	}
	if ReplyAddressFor("suporte@loja.example", key, strings.Repeat("x", maxIDBytes+1)) != "suporte@loja.example" {
		t.Error("an id too long for an address made a token")
	}
}

func TestReplyConversationFromDeliveredTo(t *testing.T) {
	key := []byte("k")
	addr := ReplyAddressFor("suporte@loja.example", key, "7")
	m := mustParse(t, "Delivered-To: "+addr+"\nFrom: a@x.example\nTo: list@x.example\n\nb\n")
	if id, ok := ReplyConversation(m, "suporte@loja.example", key); !ok || id != "7" {
		t.Errorf("ReplyConversation = %q, %v", id, ok)
	}
	m = mustParse(t, "From: a@x.example\nTo: list@x.example\n\nb\n")
	if _, ok := ReplyConversation(m, "suporte@loja.example", key); ok {
		t.Error("found a conversation in a mail without a reply address")
	}
}
