package meta

import (
	"context"
	"strings"
	"testing"

	"github.com/atende/atende/internal/channel"
)

func TestSendMenuQuickReplies(t *testing.T) {
	const text = "Olá! Com qual departamento deseja falar?\n\n1 – Vendas\n2 – Financeiro\n3 – Suporte"
	const jsonText = `"Olá! Com qual departamento deseja falar?\n\n1 – Vendas\n2 – Financeiro\n3 – Suporte"`
	thirteen := make([]string, 13)
	qr := make([]string, 13)
	for i := range thirteen {
		thirteen[i] = "Opção " + string(rune('A'+i))
		qr[i] = `{"content_type":"text","title":"` + thirteen[i] + `","payload":"` + thirteen[i] + `"}`
	}
	cases := []struct {
		name, platform, to string
		out                channel.Outbound
		body               string
	}{
		{"messenger", PlatformMessenger, customer,
			channel.Outbound{Text: text, Choices: []string{"Vendas", "Financeiro", "Suporte"}},
			`{"recipient":{"id":"6100000000000001"},"messaging_type":"RESPONSE","message":{"text":` + jsonText + `,"quick_replies":[` +
				`{"content_type":"text","title":"Vendas","payload":"Vendas"},{"content_type":"text","title":"Financeiro","payload":"Financeiro"},` +
				`{"content_type":"text","title":"Suporte","payload":"Suporte"}]}}`},
		{"instagram, labels trimmed", PlatformInstagram, igUser,
			channel.Outbound{Text: "Qual?", Choices: []string{" Sim", "Não "}},
			`{"recipient":{"id":"5300000000000001"},"messaging_type":"RESPONSE","message":{"text":"Qual?","quick_replies":[` +
				`{"content_type":"text","title":"Sim","payload":"Sim"},{"content_type":"text","title":"Não","payload":"Não"}]}}`},
		{"thirteen choices", PlatformMessenger, customer,
			channel.Outbound{Text: "Qual?", Choices: thirteen},
			`{"recipient":{"id":"6100000000000001"},"messaging_type":"RESPONSE","message":{"text":"Qual?","quick_replies":[` + strings.Join(qr, ",") + `]}}`},
		{"fourteen choices: the text alone", PlatformMessenger, customer,
			channel.Outbound{Text: "Qual?", Choices: append(append([]string{}, thirteen...), "Mais")},
			`{"recipient":{"id":"6100000000000001"},"messaging_type":"RESPONSE","message":{"text":"Qual?"}}`},
		{"a title over 20 characters: the text alone", PlatformInstagram, igUser,
			channel.Outbound{Text: "Qual?", Choices: []string{"Vendas", "Segunda via de boleto"}},
			`{"recipient":{"id":"5300000000000001"},"messaging_type":"RESPONSE","message":{"text":"Qual?"}}`},
		{"repeated choices: the text alone", PlatformMessenger, customer,
			channel.Outbound{Text: "Qual?", Choices: []string{"Vendas", "Vendas"}},
			`{"recipient":{"id":"6100000000000001"},"messaging_type":"RESPONSE","message":{"text":"Qual?"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, n := fakeGraph(t, []step{{method: "POST", path: "/v25.0/104857600000001/messages", answer: sendOK, check: jsonBody(c.body)}})
			cl := &Client{BaseURL: srv.URL + "/v25.0", PageAccessToken: token, PageID: pageID, Platform: c.platform}
			c.out.To = c.to
			if mid, err := cl.Send(context.Background(), c.out, false); err != nil || mid != "m_sent_1" || *n != 1 {
				t.Fatalf("mid %q err %v requests %d", mid, err, *n)
			}
		})
	}
}

// The delivery job sends part by part: the quick replies ride on the last
// text part, and not when a file comes last (Messenger shows them under
// the latest message only).
func TestMenuParts(t *testing.T) {
	c := &Client{Platform: PlatformInstagram}
	long := strings.Repeat("ação ", 300) + "\n\n1 – Sim\n2 – Não"
	parts := c.Parts(channel.Outbound{To: igUser, Text: long, Choices: []string{"Sim", "Não"}})
	if len(parts) < 2 {
		t.Fatalf("%d parts", len(parts))
	}
	for i, p := range parts {
		if last := i == len(parts)-1; (p.Choices != nil) != last {
			t.Fatalf("part %d of %d has choices %v", i, len(parts), p.Choices)
		}
	}
	srv, _ := fakeGraph(t, []step{{method: "POST", path: "/v25.0/me/messages", answer: sendOK,
		check: jsonBody(`{"recipient":{"id":"5300000000000001"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT","message":{"text":` +
			`"` + strings.ReplaceAll(parts[len(parts)-1].Text, "\n", `\n`) + `","quick_replies":[{"content_type":"text","title":"Sim","payload":"Sim"},` +
			`{"content_type":"text","title":"Não","payload":"Não"}]}}`)}})
	c.BaseURL, c.PageAccessToken = srv.URL+"/v25.0", token
	if _, err := c.SendPart(context.Background(), igUser, parts[len(parts)-1], true); err != nil {
		t.Fatal(err)
	}

	withFile := c.Parts(channel.Outbound{To: igUser, Text: "Qual?", Choices: []string{"Sim"},
		Media: []channel.OutboundMedia{{Filename: "a.jpg", MIME: "image/jpeg", Data: []byte("x")}}})
	for i, p := range withFile {
		if p.Choices != nil {
			t.Fatalf("part %d of a menu ending in a file has choices", i)
		}
	}
	if got := c.Parts(channel.Outbound{To: igUser, Text: "Qual?", Choices: []string{strings.Repeat("x", 21)}}); got[0].Choices != nil {
		t.Fatal("choices that cannot be quick replies kept")
	}
}
