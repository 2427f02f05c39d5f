package whatsapp

import (
	"context"
	"strings"
	"testing"

	"github.com/atende/atende/internal/channel"
)

// menuText is a bot's menu as every channel's text shows it.
func menuText(prompt string, choices ...string) string {
	var b strings.Builder
	b.WriteString(prompt + "\n\n")
	for i, c := range choices {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(string(rune('1'+i)) + " – " + c)
	}
	return b.String()
}

func TestSendMenu(t *testing.T) {
	const head = `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",`
	long := strings.Repeat("x", 21)
	ten := []string{"Vendas", "Financeiro", "Suporte", "Trocas", "Entregas", "Cadastro", "Ouvidoria", "Parcerias", "Imprensa", "Outros"}
	cases := []struct {
		name string
		out  channel.Outbound
		body string
	}{
		{"three choices: reply buttons under the prompt",
			channel.Outbound{To: tUser, Text: menuText("Olá! Com qual departamento deseja falar?", "Vendas", "Financeiro", "Suporte"),
				Choices: []string{"Vendas", "Financeiro", "Suporte"}},
			head + `"type":"interactive","interactive":{"type":"button","body":{"text":"Olá! Com qual departamento deseja falar?"},"action":{"buttons":[` +
				`{"type":"reply","reply":{"id":"1","title":"Vendas"}},{"type":"reply","reply":{"id":"2","title":"Financeiro"}},` +
				`{"type":"reply","reply":{"id":"3","title":"Suporte"}}]}}}`},
		{"quoting the customer's message",
			channel.Outbound{To: tUser, Text: menuText("Escolha:", "Sim", "Não"), Choices: []string{"Sim", "Não"}, ReplyTo: "wamid.IN1"},
			head + `"context":{"message_id":"wamid.IN1"},"type":"interactive","interactive":{"type":"button","body":{"text":"Escolha:"},` +
				`"action":{"buttons":[{"type":"reply","reply":{"id":"1","title":"Sim"}},{"type":"reply","reply":{"id":"2","title":"Não"}}]}}}`},
		{"four choices: a list",
			channel.Outbound{To: tUser, Text: menuText("Com qual departamento?", "Vendas", "Financeiro", "Suporte", "Trocas e devoluções"),
				Choices: []string{"Vendas", "Financeiro", "Suporte", "Trocas e devoluções"}},
			head + `"type":"interactive","interactive":{"type":"list","body":{"text":"Com qual departamento?"},"action":{"button":"Ver opções",` +
				`"sections":[{"rows":[{"id":"1","title":"Vendas"},{"id":"2","title":"Financeiro"},{"id":"3","title":"Suporte"},` +
				`{"id":"4","title":"Trocas e devoluções"}]}]}}}`},
		{"ten choices: a list",
			channel.Outbound{To: tUser, Text: "Escolha um número:\n\n1 – Vendas\n2 – ...", Choices: ten},
			head + `"type":"interactive","interactive":{"type":"list","body":{"text":"Escolha um número:\n\n1 – Vendas\n2 – ..."},"action":{"button":"Ver opções",` +
				`"sections":[{"rows":[{"id":"1","title":"Vendas"},{"id":"2","title":"Financeiro"},{"id":"3","title":"Suporte"},` +
				`{"id":"4","title":"Trocas"},{"id":"5","title":"Entregas"},{"id":"6","title":"Cadastro"},{"id":"7","title":"Ouvidoria"},` +
				`{"id":"8","title":"Parcerias"},{"id":"9","title":"Imprensa"},{"id":"10","title":"Outros"}]}]}}}`},
		{"two choices too long for buttons fit a list",
			channel.Outbound{To: tUser, Text: menuText("Qual?", "Segunda via de boleto", "Suporte"), Choices: []string{"Segunda via de boleto", "Suporte"}},
			head + `"type":"interactive","interactive":{"type":"list","body":{"text":"Qual?"},"action":{"button":"Ver opções",` +
				`"sections":[{"rows":[{"id":"1","title":"Segunda via de boleto"},{"id":"2","title":"Suporte"}]}]}}}`},
		{"eleven choices: the text",
			channel.Outbound{To: tUser, Text: "Escolha", Choices: append(append([]string{}, ten...), "Mais")},
			head + `"type":"text","text":{"body":"Escolha"}}`},
		{"a title over 24 characters: the text",
			channel.Outbound{To: tUser, Text: menuText("Qual?", "A", "Atendimento ao cliente PJ"), Choices: []string{"A", "Atendimento ao cliente PJ"}},
			head + `"type":"text","text":{"body":"Qual?\n\n1 – A\n2 – Atendimento ao cliente PJ"}}`},
		{"a title over 20 characters among four: the list still fits",
			channel.Outbound{To: tUser, Text: "Qual?", Choices: []string{"A", "B", "C", long}},
			head + `"type":"interactive","interactive":{"type":"list","body":{"text":"Qual?"},"action":{"button":"Ver opções",` +
				`"sections":[{"rows":[{"id":"1","title":"A"},{"id":"2","title":"B"},{"id":"3","title":"C"},{"id":"4","title":"` + long + `"}]}]}}}`},
		{"repeated choices: the text",
			channel.Outbound{To: tUser, Text: "Qual?", Choices: []string{"Vendas", "Vendas"}},
			head + `"type":"text","text":{"body":"Qual?"}}`},
		{"an empty choice: the text",
			channel.Outbound{To: tUser, Text: "Qual?", Choices: []string{"Vendas", " "}},
			head + `"type":"text","text":{"body":"Qual?"}}`},
		{"a prompt over 1024 characters: the text",
			channel.Outbound{To: tUser, Text: strings.Repeat("a", 1025), Choices: []string{"Sim"}},
			head + `"type":"text","text":{"body":"` + strings.Repeat("a", 1025) + `"}}`},
		{"a list that does not match the choices: the whole text is the body",
			channel.Outbound{To: tUser, Text: "Escolha:\n\n1 – Vendas\n2 – Suporte", Choices: []string{"Vendas", "Financeiro"}},
			head + `"type":"interactive","interactive":{"type":"button","body":{"text":"Escolha:\n\n1 – Vendas\n2 – Suporte"},"action":{"buttons":[` +
				`{"type":"reply","reply":{"id":"1","title":"Vendas"}},{"type":"reply","reply":{"id":"2","title":"Financeiro"}}]}}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			f.on("POST /v21.0/"+tPNID+"/messages", sendOK())
			id, err := f.client().Send(context.Background(), c.out)
			if err != nil || id != "wamid.OUT1" {
				t.Fatalf("Send = %q, %v", id, err)
			}
			calls := f.got()
			if len(calls) != 1 {
				t.Fatalf("%d calls", len(calls))
			}
			assertMessagesCall(t, calls[0], c.body)
		})
	}
}

// A menu with a file sends the file with the text as its caption: an
// interactive message carries no attachment of ours.
func TestSendMenuWithMediaIgnoresChoices(t *testing.T) {
	f := newFake(t)
	f.on("POST /v21.0/"+tPNID+"/media", answerJSON(200, `{"id":"MEDIA1"}`))
	f.on("POST /v21.0/"+tPNID+"/messages", sendOK())
	_, err := f.client().Send(context.Background(), channel.Outbound{To: tUser, Text: "Qual?", Choices: []string{"Sim", "Não"},
		Media: []channel.OutboundMedia{{Filename: "a.jpg", MIME: "image/jpeg", Data: []byte("jpeg")}}})
	if err != nil {
		t.Fatal(err)
	}
	calls := f.got()
	if len(calls) != 2 {
		t.Fatalf("%d calls", len(calls))
	}
	assertMessagesCall(t, calls[1], `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"image","image":{"id":"MEDIA1","caption":"Qual?"}}`)
}

// A tap on a menu SendMenu sent comes back as a message whose text is the
// choice, which the bot matches like a typed answer.
func TestMenuTapIsText(t *testing.T) {
	cases := []struct{ name, interactive, text, id string }{
		{"reply button", `{"type":"button_reply","button_reply":{"id":"2","title":"Financeiro"}}`, "Financeiro", "2"},
		{"list row", `{"type":"list_reply","list_reply":{"id":"4","title":"Trocas e devoluções"}}`, "Trocas e devoluções", "4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := mustParse(t, wrap(`{`+meta+`,"messages":[{"from":"16505551234","id":"wamid.TAP","timestamp":"1700000000",`+
				`"context":{"from":"1555","id":"wamid.OUT1"},"type":"interactive","interactive":`+c.interactive+`}]}`))
			l := b.Lines[0]
			if len(l.Messages) != 1 || l.Messages[0].Text != c.text || l.Messages[0].ReplyTo != "wamid.OUT1" {
				t.Fatalf("got %+v", l.Messages)
			}
			if ch := l.Choices["wamid.TAP"]; ch.ID != c.id || ch.Title != c.text {
				t.Fatalf("choice %+v", ch)
			}
		})
	}
}
