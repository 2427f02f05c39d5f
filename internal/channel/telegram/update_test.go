package telegram

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel"
)

func maria() channel.Contact {
	return channel.Contact{Name: "Maria Souza", Identities: []channel.Identity{
		{Kind: "telegram_id", Value: "5203391846"}, {Kind: "username", Value: "mariasouza"}}}
}

func joao() channel.Contact {
	return channel.Contact{Name: "João", Identities: []channel.Identity{{Kind: "telegram_id", Value: "6011223344"}}}
}

func at(unix int64) time.Time { return time.Unix(unix, 0).UTC() }

// testdataUpdates is what Parse must make of every file in testdata.
var testdataUpdates = map[string]struct {
	want     Update
	customer bool
}{
	"text.json": {customer: true, want: Update{ID: 731902001, Kind: KindMessage, ChatID: 5203391846, ChatType: ChatPrivate, Type: TypeText,
		Inbound: &channel.Inbound{ExternalID: "5203391846:1365", Contact: maria(), Text: "Olá! Meu pedido #4821 ainda não chegou.", At: at(1736770800)}}},
	"photo.json": {customer: true, want: Update{ID: 731902002, Kind: KindMessage, ChatID: 5203391846, ChatType: ChatPrivate, Type: TypePhoto,
		Inbound: &channel.Inbound{ExternalID: "5203391846:1366", Contact: maria(), Text: "A caixa chegou amassada", At: at(1736770860),
			Media: []channel.Media{{Ref: "AgACAgEAAxkBAAIBVmeFs90-large", Kind: "image", MIME: "image/jpeg", Caption: "A caixa chegou amassada"}}}}},
	"voice.json": {customer: true, want: Update{ID: 731902003, Kind: KindMessage, ChatID: 5203391846, ChatType: ChatPrivate, Type: TypeVoice,
		Inbound: &channel.Inbound{ExternalID: "5203391846:1367", Contact: maria(), At: at(1736770920),
			Media: []channel.Media{{Ref: "AwACAgEAAxkBAAIBV2eFtC1voice", Kind: "voice", MIME: "audio/ogg"}}}}},
	"audio.json": {customer: true, want: Update{ID: 731902004, Kind: KindMessage, ChatID: 6011223344, ChatType: ChatPrivate, Type: TypeAudio,
		Inbound: &channel.Inbound{ExternalID: "6011223344:1368", Contact: joao(), Text: "Segue a ligação", At: at(1736771000),
			Media: []channel.Media{{Ref: "CQACAgEAAxkBAAIBWGeFtFaudio", Kind: "audio", MIME: "audio/mpeg", Filename: "gravacao-atendimento.mp3", Caption: "Segue a ligação"}}}}},
	"video.json": {customer: true, want: Update{ID: 731902005, Kind: KindMessage, ChatID: 6011223344, ChatType: ChatPrivate, Type: TypeVideo,
		Inbound: &channel.Inbound{ExternalID: "6011223344:1369", Contact: joao(), At: at(1736771060),
			Media: []channel.Media{{Ref: "BAACAgEAAxkBAAIBWWeFtHvideo", Kind: "video", MIME: "video/mp4", Filename: "defeito.mp4"}}}}},
	"document.json": {customer: true, want: Update{ID: 731902006, Kind: KindMessage, ChatID: 5203391846, ChatType: ChatPrivate, Type: TypeDocument,
		Inbound: &channel.Inbound{ExternalID: "5203391846:1370", Contact: maria(), Text: "Nota fiscal", At: at(1736771120),
			Media: []channel.Media{{Ref: "BQACAgEAAxkBAAIBWmeFtKdocument", Kind: "document", MIME: "application/pdf", Filename: "nota-fiscal-4821.pdf", Caption: "Nota fiscal"}}}}},
	"sticker.json": {customer: true, want: Update{ID: 731902007, Kind: KindMessage, ChatID: 5203391846, ChatType: ChatPrivate, Type: TypeSticker,
		Inbound: &channel.Inbound{ExternalID: "5203391846:1371", Contact: maria(), At: at(1736771180),
			Media: []channel.Media{{Ref: "CAACAgIAAxkBAAIBW2eFtNsticker", Kind: "sticker", MIME: "application/x-tgsticker"}}}}},
	"location.json": {customer: true, want: Update{ID: 731902008, Kind: KindMessage, ChatID: 6011223344, ChatType: ChatPrivate, Type: TypeLocation,
		Inbound: &channel.Inbound{ExternalID: "6011223344:1372", Contact: joao(), At: at(1736771240),
			Location: &channel.Location{Latitude: -23.561414, Longitude: -46.655881}}}},
	"venue.json": {customer: true, want: Update{ID: 731902016, Kind: KindMessage, ChatID: 6011223344, ChatType: ChatPrivate, Type: TypeVenue,
		Inbound: &channel.Inbound{ExternalID: "6011223344:1377", Contact: joao(), At: at(1736771520),
			Location: &channel.Location{Latitude: -22.951916, Longitude: -43.210487, Name: "Loja Atende Botafogo", Address: "Praia de Botafogo, 400 - Rio de Janeiro"}}}},
	"contact.json": {customer: true, want: Update{ID: 731902017, Kind: KindMessage, ChatID: 6011223344, ChatType: ChatPrivate, Type: TypeContact,
		Inbound: &channel.Inbound{ExternalID: "6011223344:1378", Contact: joao(), At: at(1736771580),
			SharedContacts: []string{"Ana Lima +5511987654321"}}}},
	"reply.json": {customer: true, want: Update{ID: 731902009, Kind: KindMessage, ChatID: 5203391846, ChatType: ChatPrivate, Type: TypeText,
		Inbound: &channel.Inbound{ExternalID: "5203391846:1374", Contact: maria(), Text: "Rua Augusta, 1500 - São Paulo", At: at(1736771400),
			ReplyTo: "5203391846:1373"}}},
	"album_1.json": {customer: true, want: Update{ID: 731902010, Kind: KindMessage, ChatID: 6011223344, ChatType: ChatPrivate, Type: TypePhoto,
		Inbound: &channel.Inbound{ExternalID: "6011223344:1375", Contact: joao(), Text: "Frente e verso da etiqueta", At: at(1736771460), GroupID: "13871234567890123",
			Media: []channel.Media{{Ref: "AgACAgEAAxkBAAIBX2eFtalbum1-x", Kind: "image", MIME: "image/jpeg", Caption: "Frente e verso da etiqueta"}}}}},
	"album_2.json": {customer: true, want: Update{ID: 731902011, Kind: KindMessage, ChatID: 6011223344, ChatType: ChatPrivate, Type: TypePhoto,
		Inbound: &channel.Inbound{ExternalID: "6011223344:1376", Contact: joao(), At: at(1736771460), GroupID: "13871234567890123",
			Media: []channel.Media{{Ref: "AgACAgEAAxkBAAIBYGeFtalbum2-x", Kind: "image", MIME: "image/jpeg"}}}}},
	"edited_message.json": {customer: false, want: Update{ID: 731902012, Kind: KindEditedMessage, ChatID: 5203391846, ChatType: ChatPrivate, Type: TypeText,
		Inbound: &channel.Inbound{ExternalID: "5203391846:1365", Contact: maria(), Text: "Olá! Meu pedido #4822 ainda não chegou.", At: at(1736770800)}}},
	"callback_query.json": {customer: false, want: Update{ID: 731902013, Kind: "callback_query"}},
	"my_chat_member.json": {customer: false, want: Update{ID: 731902015, Kind: "my_chat_member"}},
	"group.json": {customer: false, want: Update{ID: 731902014, Kind: KindMessage, ChatID: -1001987654321, ChatType: ChatSupergroup, Type: TypeText,
		Inbound: &channel.Inbound{ExternalID: "-1001987654321:88", Contact: joao(), Text: "Alguém sabe o horário da loja?", At: at(1736771700)}}},
}

func TestParseTestdata(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) != len(testdataUpdates) {
		t.Errorf("%d files in testdata, %d expectations: every sample needs one", len(files), len(testdataUpdates))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			c, ok := testdataUpdates[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(body)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, c.want) {
				g, _ := json.MarshalIndent(got, "", "  ")
				w, _ := json.MarshalIndent(c.want, "", "  ")
				t.Fatalf("got\n%s\nwant\n%s", g, w)
			}
			if got.CustomerMessage() != c.customer {
				t.Fatalf("CustomerMessage() = %v, want %v", got.CustomerMessage(), c.customer)
			}
		})
	}
}

func TestParseEdgeCases(t *testing.T) {
	msg := func(fields string) string {
		return `{"update_id":10,"message":{"message_id":5,"chat":{"id":42,"type":"private"},"date":1700000000` + fields + `}}`
	}
	cases := []struct {
		name, body string
		check      func(t *testing.T, u Update)
	}{
		{"photo size tie goes to the bigger file", msg(`,"photo":[{"file_id":"a","width":10,"height":10,"file_size":5},{"file_id":"b","width":10,"height":10,"file_size":9},{"file_id":"c","width":10,"height":10,"file_size":7}]`),
			func(t *testing.T, u Update) { wantRef(t, u, "b") }},
		{"animation wins over its document copy", msg(`,"animation":{"file_id":"anim","mime_type":"video/mp4","file_name":"x.gif.mp4"},"document":{"file_id":"anim","mime_type":"video/mp4"}`),
			func(t *testing.T, u Update) {
				if u.Type != TypeAnimation || len(u.Inbound.Media) != 1 || u.Inbound.Media[0].Kind != "video" {
					t.Fatalf("%+v", u.Inbound.Media)
				}
			}},
		{"video note", msg(`,"video_note":{"file_id":"vn","length":240,"duration":3}`),
			func(t *testing.T, u Update) {
				if u.Type != TypeVideoNote || u.Inbound.Media[0].MIME != "video/mp4" {
					t.Fatalf("%+v", u)
				}
			}},
		{"voice without mime_type is OGG", msg(`,"voice":{"file_id":"v"}`),
			func(t *testing.T, u Update) {
				if u.Inbound.Media[0].MIME != "audio/ogg" {
					t.Fatalf("%+v", u.Inbound.Media)
				}
			}},
		{"video and static stickers", msg(`,"sticker":{"file_id":"s","is_video":true}`),
			func(t *testing.T, u Update) {
				if u.Inbound.Media[0].MIME != "video/webm" {
					t.Fatalf("%+v", u.Inbound.Media)
				}
			}},
		{"document file name loses its path", msg(`,"document":{"file_id":"d","file_name":"../../etc/passwd"}`),
			func(t *testing.T, u Update) {
				if f := u.Inbound.Media[0].Filename; f != "passwd" {
					t.Fatalf("filename %q", f)
				}
			}},
		{"NUL characters dropped", msg(`,"text":"a\u0000b"`),
			func(t *testing.T, u Update) {
				if u.Inbound.Text != "ab" {
					t.Fatalf("text %q", u.Inbound.Text)
				}
			}},
		{"private chat without from names the chat", msg(`,"text":"hi"`),
			func(t *testing.T, u Update) {
				if len(u.Inbound.Contact.Identities) != 1 || u.Inbound.Contact.Identities[0].Value != "42" {
					t.Fatalf("%+v", u.Inbound.Contact)
				}
			}},
		{"a poll is another kind of message", msg(`,"poll":{"id":"1","question":"?"}`),
			func(t *testing.T, u Update) {
				if u.Type != TypeOther || !u.CustomerMessage() {
					t.Fatalf("%+v", u)
				}
			}},
		{"a bot is not a customer", `{"update_id":10,"message":{"message_id":5,"from":{"id":9,"is_bot":true,"first_name":"B"},"chat":{"id":9,"type":"private"},"text":"x"}}`,
			func(t *testing.T, u Update) {
				if !u.FromBot || u.CustomerMessage() {
					t.Fatalf("%+v", u)
				}
			}},
		{"update with only update_id", `{"update_id":10}`,
			func(t *testing.T, u Update) {
				if u.Kind != KindUnknown || u.Inbound != nil {
					t.Fatalf("%+v", u)
				}
			}},
		{"odd key names are not echoed", `{"update_id":10,"Évil key\n":{}}`,
			func(t *testing.T, u Update) {
				if u.Kind != KindUnknown {
					t.Fatalf("%+v", u)
				}
			}},
		{"channel post is reported by kind", `{"update_id":10,"channel_post":{"message_id":1,"chat":{"id":-100,"type":"channel"},"text":"x"}}`,
			func(t *testing.T, u Update) {
				if u.Kind != "channel_post" || u.Inbound != nil || u.CustomerMessage() {
					t.Fatalf("%+v", u)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := Parse([]byte(c.body))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			c.check(t, u)
		})
	}
}

func wantRef(t *testing.T, u Update, ref string) {
	t.Helper()
	if u.Inbound == nil || len(u.Inbound.Media) != 1 || u.Inbound.Media[0].Ref != ref {
		t.Fatalf("want one media %q, got %+v", ref, u.Inbound)
	}
}

func TestParseInvalid(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"empty", ``, "malformed"},
		{"not json", `hello`, "malformed"},
		{"array", `[]`, "malformed"},
		{"null", `null`, "not a JSON object"},
		{"no update_id", `{"message":{"message_id":1,"chat":{"id":1,"type":"private"}}}`, "update_id is required"},
		{"zero update_id", `{"update_id":0}`, "positive"},
		{"negative update_id", `{"update_id":-4}`, "positive"},
		{"string update_id", `{"update_id":"7"}`, "positive"},
		{"fractional update_id", `{"update_id":7.5}`, "positive"},
		{"message not an object", `{"update_id":7,"message":"hi"}`, "message"},
		{"message null", `{"update_id":7,"message":null}`, "chat.id"},
		{"message without chat", `{"update_id":7,"message":{"message_id":1,"text":"x"}}`, "chat.id"},
		{"message without id", `{"update_id":7,"message":{"chat":{"id":1,"type":"private"},"text":"x"}}`, "message_id"},
		{"edited message without chat", `{"update_id":7,"edited_message":{"message_id":1}}`, "edited_message.chat.id"},
		{"photo without file_id", `{"update_id":7,"message":{"message_id":1,"chat":{"id":1,"type":"private"},"photo":[{"width":1,"height":1}]}}`, "file_id"},
		{"document without file_id", `{"update_id":7,"message":{"message_id":1,"chat":{"id":1,"type":"private"},"document":{}}}`, "file_id"},
		{"wrong field type", `{"update_id":7,"message":{"message_id":1,"chat":{"id":"x","type":"private"}}}`, "message"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.body))
			if !errors.Is(err, channel.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want ErrInvalid containing %q", err, c.want)
			}
		})
	}
}
