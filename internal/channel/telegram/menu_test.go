package telegram

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/atende/atende/internal/channel"
)

func TestSendMenu(t *testing.T) {
	const text = "Olá! Com qual departamento deseja falar?\n\n1 – Vendas\n2 – Financeiro\n3 – Suporte"
	keyboard := `"reply_markup":{"keyboard":[[{"text":"Vendas"}],[{"text":"Financeiro"}],[{"text":"Suporte"}]],"one_time_keyboard":true,"resize_keyboard":true}`
	many := make([]string, maxKeyboardButtons+1)
	for i := range many {
		many[i] = "Opção " + strings.Repeat("x", i)
	}
	cases := []struct {
		name string
		out  channel.Outbound
		body string
	}{
		{"a reply keyboard, one choice a row",
			channel.Outbound{To: "5203391846", Text: text, Choices: []string{"Vendas", "Financeiro", "Suporte"}},
			`{"chat_id":5203391846,"text":"Olá! Com qual departamento deseja falar?\n\n1 – Vendas\n2 – Financeiro\n3 – Suporte",` + keyboard + `}`},
		{"labels trimmed, with the quote",
			channel.Outbound{To: "5203391846", Text: text, Choices: []string{" Vendas", "Financeiro ", "Suporte"}, ReplyTo: "1374"},
			`{"chat_id":5203391846,"text":"Olá! Com qual departamento deseja falar?\n\n1 – Vendas\n2 – Financeiro\n3 – Suporte",` +
				`"reply_parameters":{"message_id":1374,"allow_sending_without_reply":true},` + keyboard + `}`},
		{"an empty choice: the text alone",
			channel.Outbound{To: "5203391846", Text: "Qual?", Choices: []string{"Vendas", ""}},
			`{"chat_id":5203391846,"text":"Qual?"}`},
		{"repeated choices: the text alone",
			channel.Outbound{To: "5203391846", Text: "Qual?", Choices: []string{"Vendas", "Vendas"}},
			`{"chat_id":5203391846,"text":"Qual?"}`},
		{"too many choices: the text alone",
			channel.Outbound{To: "5203391846", Text: "Qual?", Choices: many},
			`{"chat_id":5203391846,"text":"Qual?"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api := newFakeAPI(t, nil)
			if _, err := api.client().Send(context.Background(), c.out); err != nil {
				t.Fatal(err)
			}
			want := []request{{"POST", "/bot" + testToken + "/sendMessage", "application/json", []byte(c.body)}}
			if got := api.requests(); !reflect.DeepEqual(got, want) {
				t.Fatalf("got %s\nwant %s", got[0].Body, c.body)
			}
		})
	}
}

// A long menu is split; the keyboard goes on its last message, under the
// list.
func TestSendLongMenuKeyboardOnLastPart(t *testing.T) {
	api := newFakeAPI(t, nil)
	text := strings.Repeat("a", 4095) + "\n1 – Sim\n2 – Não"
	if _, err := api.client().Send(context.Background(), channel.Outbound{To: "5203391846", Text: text, Choices: []string{"Sim", "Não"}}); err != nil {
		t.Fatal(err)
	}
	reqs := api.requests()
	if len(reqs) != 2 || strings.Contains(string(reqs[0].Body), "reply_markup") {
		t.Fatalf("%d requests, first %.60q", len(reqs), reqs[0].Body)
	}
	want := `{"chat_id":5203391846,"text":"1 – Sim\n2 – Não","reply_markup":{"keyboard":[[{"text":"Sim"}],[{"text":"Não"}]],"one_time_keyboard":true,"resize_keyboard":true}}`
	if string(reqs[1].Body) != want {
		t.Fatalf("last part %s\nwant %s", reqs[1].Body, want)
	}
}

// A menu with a file: the keyboard is a form field of the upload.
func TestSendMenuWithFile(t *testing.T) {
	api := newFakeAPI(t, nil)
	jpeg := []byte("\xff\xd8\xff\xe0 fake jpeg")
	_, err := api.client().Send(context.Background(), channel.Outbound{To: "5203391846", Text: "Qual?", Choices: []string{"Sim"},
		Media: []channel.OutboundMedia{{Filename: "a.jpg", MIME: "image/jpeg", Data: jpeg}}})
	if err != nil {
		t.Fatal(err)
	}
	reqs := api.requests()
	if len(reqs) != 1 || reqs[0].Path != "/bot"+testToken+"/sendPhoto" {
		t.Fatalf("requests %v", reqs)
	}
	want := []part{{"chat_id", "", "", "5203391846"}, {"caption", "", "", "Qual?"},
		{"reply_markup", "", "", `{"keyboard":[[{"text":"Sim"}]],"one_time_keyboard":true,"resize_keyboard":true}`},
		{"photo", "a.jpg", "image/jpeg", string(jpeg)}}
	if got := parts(t, reqs[0]); !reflect.DeepEqual(got, want) {
		t.Fatalf("parts %q\nwant %q", got, want)
	}
}
