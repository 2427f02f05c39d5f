package whatsapp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel"
)

// the example values of Meta's webhook reference pages
const (
	tPNID  = "106540352242922"
	tDisp  = "15550783881"
	tWABA  = "102290129340398"
	tUser  = "16505551234"
	tSent  = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MUI5MEZGRTE3QTZFMzg1NjcA"
	tQuote = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3NjI0MjI4ODlGRDM4MEJBOEMA"
)

var sheena = channel.Contact{Identities: []channel.Identity{{Kind: IdentityWaID, Value: tUser}}, Name: "Sheena Nelson", Phone: "+16505551234"}

func at(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

// line is the one line of a single-number sample.
func line(msgs []channel.Inbound, sts []channel.Status) Line {
	return Line{PhoneNumberID: tPNID, DisplayPhoneNumber: tDisp, WABAID: tWABA, Messages: msgs, Statuses: sts}
}

func msgs(in ...channel.Inbound) Batch { return Batch{Lines: []Line{line(in, nil)}} }

func withChoice(b Batch, c Choice) Batch {
	b.Lines[0].Choices = map[string]Choice{b.Lines[0].Messages[0].ExternalID: c}
	return b
}

func statuses(st ...channel.Status) Batch { return Batch{Lines: []Line{line(nil, st)}} }

func TestParseTestdata(t *testing.T) {
	cases := map[string]Batch{
		"text.json": msgs(channel.Inbound{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
			Contact: sheena, Text: "Does it come in another color?", At: at(1749416383)}),
		"image.json": msgs(channel.Inbound{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=", Contact: sheena,
			Media: []channel.Media{{Ref: "1003383421387256", Kind: "image", MIME: "image/jpeg", Caption: "Is this one in stock?",
				SHA256: "6105d6cc76af400325e94d588ce511be5bfdbb73b437dc51eca43917d7a43e3d"}}, At: at(1744344496)}),
		"video.json": msgs(channel.Inbound{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTM1MjlGQzNGRUEwQ0JDNjQ2NwA=", Contact: sheena,
			Media: []channel.Media{{Ref: "1148325506753396", Kind: "video", MIME: "video/mp4", Caption: "It arrived like this",
				SHA256: "0cab1c9617404faf2b24e221e189ca5945813e14d3f766345b09ca13bbe28ffc"}}, At: at(1744344497)}),
		"audio_voice.json": msgs(channel.Inbound{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTk0N0M1RDQ1NzA4NDQ1QjhEQwA=", Contact: sheena,
			Media: []channel.Media{{Ref: "1055290349972346", Kind: "voice", MIME: "audio/ogg; codecs=opus",
				SHA256: "c57d7e92019708b614c90fa3685cd644f543a60153fb99ec9b67c381a245fb2a"}}, At: at(1744344498)}),
		"document.json": msgs(channel.Inbound{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTJFRjVCOUM0MTkxMTdBRjI1OQA=", Contact: sheena,
			Media: []channel.Media{{Ref: "1216219429965428", Kind: "document", MIME: "application/pdf", Filename: "receipt-2025-04.pdf",
				Caption: "Here is the receipt", SHA256: "139d544b821b13ebea14f1b0fe18577222e415c2966e3a3511c4196055232202"}}, At: at(1744344499)}),
		"sticker.json": msgs(channel.Inbound{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTZCMDUzQjY0RDc2MzM0MDFERgA=", Contact: sheena,
			Media: []channel.Media{{Ref: "1389175738829496", Kind: "sticker", MIME: "image/webp",
				SHA256: "57c4b13a4c7335e72f1669e0506e99208df1da050c125da678b23ebb55bf4c61"}}, At: at(1744344500)}),
		"location.json": msgs(channel.Inbound{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUI0MDRGQjY3NjM2QjE0NDQ4RQA=", Contact: sheena,
			Location: &channel.Location{Latitude: 37.44216251868683, Longitude: -122.16153582049394, Name: "Philz Coffee",
				Address: "101 Forest Ave, Palo Alto, CA 94301"}, At: at(1744344501)}),
		"contacts.json": msgs(channel.Inbound{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUIyRjdCQjRBMzA1OTE4RkU2NwA=", Contact: sheena,
			SharedContacts: []string{"Barbara J. Johnson\n" +
				"Phone (CELL): +1 (940) 555-1234 (WhatsApp)\n" +
				"Phone (WORK): +1 (650) 555-1234\n" +
				"Email (WORK): bjohnson@luckyshrub.com\n" +
				"Organization: Lucky Shrub, Legal, Lead Counsel\n" +
				"Address (HOME): 1 Lucky Shrub Way, Menlo Park, CA, 94025, United States\n" +
				"URL (WORK): https://www.luckyshrub.com\n" +
				"Birthday: 1999-01-23"}, At: at(1744344502)}),
		"reaction.json": msgs(channel.Inbound{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUMxQTE5MjYzRUNGOEIyRDg1OQA=", Contact: sheena,
			Reaction: &channel.Reaction{MessageID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA", Emoji: "👍"}, At: at(1744344503)}),
		"reaction_removed.json": msgs(channel.Inbound{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUQ5MjMzNjIxMkVGNkZDM0I5QgA=", Contact: sheena,
			Reaction: &channel.Reaction{MessageID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA"}, At: at(1744344504)}),
		"interactive_button_reply.json": withChoice(msgs(channel.Inbound{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUJCNUY5NDA5MDE1RTI3NjgwNwA=",
			Contact: sheena, Text: "Change", ReplyTo: tQuote, At: at(1744344505)}),
			Choice{Kind: "button_reply", ID: "change-button", Title: "Change"}),
		"interactive_list_reply.json": withChoice(msgs(channel.Inbound{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUYyOTZBMjQxMjdEQTk4NEYyQgA=",
			Contact: sheena, Text: "Priority Mail Express", ReplyTo: tQuote, At: at(1744344506)}),
			Choice{Kind: "list_reply", ID: "priority_express", Title: "Priority Mail Express", Description: "Next Day to 2 Days"}),
		"button.json": withChoice(msgs(channel.Inbound{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTg4REQ2RUQ5QUFBMzQxNjM0NQA=",
			Contact: sheena, Text: "Unsubscribe from Promos", ReplyTo: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA", At: at(1744344507)}),
			Choice{Kind: "button", ID: "Unsubscribe from Promos", Title: "Unsubscribe from Promos"}),
		"reply_context.json": msgs(channel.Inbound{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTBGQ0JCODUzMTNBNjJGRDUwMAA=", Contact: sheena,
			Text: "Yes, that one please", ReplyTo: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJGNzM4NzI1QzVGMEY1RDM3OTMA", At: at(1744344508)}),
		"bsuid_username.json": msgs(channel.Inbound{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTNDMjVDQUI3RUFEMDVCNzFCRQA=",
			Contact: channel.Contact{Identities: []channel.Identity{
				{Kind: IdentityBSUID, Value: "US.13491208655302741918"},
				{Kind: IdentityParentBSUID, Value: "US.ENT.11815799212886844830"},
				{Kind: IdentityUsername, Value: "@sheena"}}, Name: "Sheena Nelson"},
			Text: "Hi! Do you ship to Canada?", At: at(1775000000)}),
		"unsupported.json": msgs(channel.Inbound{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTdGMjJCNjQ3RDJGMjcxNjc2RQA=", Contact: sheena,
			Text: "[unsupported message type: unsupported]", At: at(1744344509)}),
		"system.json": msgs(channel.Inbound{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMQA=",
			Contact: channel.Contact{Identities: []channel.Identity{{Kind: IdentityWaID, Value: tUser}}, Phone: "+16505551234"},
			Text:    "User Sheena Nelson changed from 16505551234 to 12195555358", At: at(1739321024)}),
		"status_sent.json":      statuses(channel.Status{ExternalID: tSent, Status: channel.StatusSent, Recipient: tUser, At: at(1749915440)}),
		"status_delivered.json": statuses(channel.Status{ExternalID: tSent, Status: channel.StatusDelivered, Recipient: tUser, At: at(1749915441)}),
		"status_read.json":      statuses(channel.Status{ExternalID: tSent, Status: channel.StatusRead, Recipient: tUser, At: at(1749915460)}),
		"status_failed.json": statuses(channel.Status{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI4QkE3NjQ4NzE0Q0I3RkIwQjUA", Status: channel.StatusFailed,
			Recipient: tUser, At: at(1749915502), Code: 131047,
			Error: "131047: Re-engagement message — Message failed to send because more than 24 hours have passed since the customer last replied to this number."}),
		"errors.json": {Lines: []Line{{PhoneNumberID: tPNID, DisplayPhoneNumber: tDisp, WABAID: tWABA,
			Errors: []APIError{{Code: 130429, Title: "Rate limit hit", Message: "Rate limit hit", Details: "Cloud API message throughput has been reached."}}}}},
		"multi_entry.json": {Lines: []Line{
			{PhoneNumberID: tPNID, DisplayPhoneNumber: tDisp, WABAID: tWABA,
				Messages: []channel.Inbound{
					{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgB=", Contact: sheena, Text: "First", At: at(1749416390)},
					{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgC=", Contact: sheena, Text: "Second", At: at(1749416393)}},
				Statuses: []channel.Status{{ExternalID: tSent, Status: channel.StatusRead, Recipient: tUser, At: at(1749416394)}}},
			{PhoneNumberID: "106540352242933", DisplayPhoneNumber: "15550783882", WABAID: "102290129340399",
				Messages: []channel.Inbound{{ExternalID: "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFDNBMUIyQzNENEU1RjZBN0I4QzlEAA==",
					Contact: channel.Contact{Identities: []channel.Identity{{Kind: IdentityWaID, Value: "5511987654321"}, {Kind: IdentityBSUID, Value: "BR.1502576394655843"}},
						Name: "Ana Souza", Phone: "+5511987654321"},
					Text: "Olá, tudo bem?", At: at(1749416392)}},
				Statuses: []channel.Status{{ExternalID: tSent, Status: channel.StatusDelivered, Recipient: tUser, At: at(1749416391)}}},
		}},
	}
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		want, ok := cases[name]
		if !ok {
			t.Errorf("%s has no expected value in this test", name)
			continue
		}
		delete(cases, name)
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(body)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got\n%s\nwant\n%s", dump(got), dump(want))
			}
			for _, l := range want.Lines {
				if byID, ok := got.Line(l.PhoneNumberID); !ok || !reflect.DeepEqual(byID, l) {
					t.Fatalf("Line(%s) = %+v, %v", l.PhoneNumberID, byID, ok)
				}
			}
			if _, ok := got.Line("unknown"); ok {
				t.Fatal("Line found an unknown phone number id")
			}
		})
	}
	for name := range cases {
		t.Errorf("expected value for missing file %s", name)
	}
}

// dump prints a batch with the pointers followed, for readable failures.
func dump(b Batch) string {
	var s strings.Builder
	for _, l := range b.Lines {
		fmt.Fprintf(&s, "line %s %s %s choices=%v errors=%+v\n", l.PhoneNumberID, l.DisplayPhoneNumber, l.WABAID, l.Choices, l.Errors)
		for _, m := range l.Messages {
			fmt.Fprintf(&s, "  msg %+v", m)
			if m.Location != nil {
				fmt.Fprintf(&s, " location=%+v", *m.Location)
			}
			if m.Reaction != nil {
				fmt.Fprintf(&s, " reaction=%+v", *m.Reaction)
			}
			s.WriteString("\n")
		}
		for _, st := range l.Statuses {
			fmt.Fprintf(&s, "  status %+v\n", st)
		}
	}
	return s.String()
}

// wrap puts one value object in a webhook envelope.
func wrap(value string) string {
	return `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":` + value + `}]}]}`
}

const meta = `"metadata":{"display_phone_number":"1555","phone_number_id":"42"}`

func TestParseRefuses(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"not json", `hello`, "malformed JSON"},
		{"truncated", `{"object":"whatsapp_business_account","entry":[`, "malformed JSON"},
		{"trailing", `{"object":"whatsapp_business_account"} {}`, "malformed JSON"},
		{"wrong object", `{"object":"page","entry":[]}`, "not whatsapp_business_account"},
		{"no object", `{"entry":[]}`, "not whatsapp_business_account"},
		{"no phone number id", wrap(`{"metadata":{},"messages":[]}`), "phone_number_id"},
		{"message without id", wrap(`{` + meta + `,"messages":[{"from":"1555123","type":"text","text":{"body":"x"}}]}`), "has no id"},
		{"message without sender", wrap(`{` + meta + `,"messages":[{"id":"m1","type":"text","text":{"body":"x"}}]}`), "names no sender"},
		{"status without id", wrap(`{` + meta + `,"statuses":[{"status":"read"}]}`), "status has no id"},
		{"image without id", wrap(`{` + meta + `,"messages":[{"from":"1555123","id":"m1","type":"image","image":{"mime_type":"image/jpeg"}}]}`), "image.id"},
		{"text without object", wrap(`{` + meta + `,"messages":[{"from":"1555123","id":"m1","type":"text"}]}`), "no text object"},
		{"reaction without target", wrap(`{` + meta + `,"messages":[{"from":"1555123","id":"m1","type":"reaction","reaction":{"emoji":"x"}}]}`), "reaction.message_id"},
		{"bad timestamp", wrap(`{` + meta + `,"messages":[{"from":"1555123","id":"m1","timestamp":"yesterday","type":"text","text":{"body":"x"}}]}`), "malformed JSON"},
		{"wrong type", wrap(`{` + meta + `,"messages":[{"from":"1555123","id":"m1","type":"text","text":"x"}]}`), "malformed JSON"},
		{"control char id", wrap(`{` + meta + `,"messages":[{"from":"1555123","id":"m\u0001","type":"text","text":{"body":"x"}}]}`), "has no id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := Parse([]byte(c.body))
			if !errors.Is(err, channel.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v (%+v), want ErrInvalid containing %q", err, b, c.want)
			}
		})
	}
}

func TestParseEdges(t *testing.T) {
	t.Run("empty entries", func(t *testing.T) {
		b, err := Parse([]byte(`{"object":"whatsapp_business_account","entry":[]}`))
		if err != nil || len(b.Lines) != 0 {
			t.Fatalf("got %+v, %v", b, err)
		}
	})
	t.Run("other fields skipped", func(t *testing.T) {
		b, err := Parse([]byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"account_update","value":{"event":"x"}}]}]}`))
		if err != nil || len(b.Lines) != 0 {
			t.Fatalf("got %+v, %v", b, err)
		}
	})
	t.Run("unknown type kept", func(t *testing.T) {
		b := mustParse(t, wrap(`{`+meta+`,"messages":[{"from":"1555123","id":"m1","timestamp":1700000000,"type":"order","order":{}}]}`))
		m := b.Lines[0].Messages[0]
		if m.Text != "[unsupported message type: order]" || !m.At.Equal(at(1700000000)) {
			t.Fatalf("got %+v", m)
		}
	})
	t.Run("unknown interactive kept", func(t *testing.T) {
		b := mustParse(t, wrap(`{`+meta+`,"messages":[{"from":"1555123","id":"m1","type":"interactive","interactive":{"type":"nfm_reply","nfm_reply":{}}}]}`))
		if m := b.Lines[0].Messages[0]; m.Text != "[unsupported message type: interactive/nfm_reply]" || b.Lines[0].Choices != nil {
			t.Fatalf("got %+v", b.Lines[0])
		}
	})
	t.Run("hostile type name", func(t *testing.T) {
		b := mustParse(t, wrap(`{`+meta+`,"messages":[{"from":"1555123","id":"m1","type":"\u0000<b>`+strings.Repeat("x", 200)+`"}]}`))
		if m := b.Lines[0].Messages[0]; m.Text != "[unsupported message type: <b>"+strings.Repeat("x", 61)+"]" {
			t.Fatalf("got %q", m.Text)
		}
	})
	t.Run("NUL removed from text", func(t *testing.T) {
		b := mustParse(t, wrap(`{`+meta+`,"messages":[{"from":"1555123","id":"m1","type":"text","text":{"body":"a\u0000b"}}]}`))
		if m := b.Lines[0].Messages[0]; m.Text != "ab" {
			t.Fatalf("got %q", m.Text)
		}
	})
	t.Run("sender matched among contacts", func(t *testing.T) {
		b := mustParse(t, wrap(`{`+meta+`,"contacts":[{"profile":{"name":"A"},"wa_id":"1555111"},{"profile":{"name":"B"},"wa_id":"1555222","user_id":"US.2"}],`+
			`"messages":[{"from":"1555222","id":"m1","type":"text","text":{"body":"x"}},{"from":"1555333","from_user_id":"US.3","id":"m2","type":"text","text":{"body":"y"}}]}`))
		ms := b.Lines[0].Messages
		want := channel.Contact{Identities: []channel.Identity{{Kind: IdentityWaID, Value: "1555222"}, {Kind: IdentityBSUID, Value: "US.2"}}, Name: "B", Phone: "+1555222"}
		if !reflect.DeepEqual(ms[0].Contact, want) {
			t.Fatalf("first sender %+v", ms[0].Contact)
		}
		want = channel.Contact{Identities: []channel.Identity{{Kind: IdentityWaID, Value: "1555333"}, {Kind: IdentityBSUID, Value: "US.3"}}, Phone: "+1555333"}
		if !reflect.DeepEqual(ms[1].Contact, want) {
			t.Fatalf("second sender %+v", ms[1].Contact)
		}
	})
	t.Run("played is read, unknown statuses skipped", func(t *testing.T) {
		b := mustParse(t, wrap(`{`+meta+`,"statuses":[{"id":"s1","status":"played","timestamp":"1","recipient_user_id":"US.9"},{"id":"s2","status":"deleted"}]}`))
		want := []channel.Status{{ExternalID: "s1", Status: channel.StatusRead, Recipient: "US.9", At: at(1)}}
		if !reflect.DeepEqual(b.Lines[0].Statuses, want) {
			t.Fatalf("got %+v", b.Lines[0].Statuses)
		}
	})
	t.Run("path in file name", func(t *testing.T) {
		b := mustParse(t, wrap(`{`+meta+`,"messages":[{"from":"1555123","id":"m1","type":"document","document":{"id":"9","filename":"../../etc/passwd","sha256":"nothex"}}]}`))
		md := b.Lines[0].Messages[0].Media[0]
		if md.Filename != "passwd" || md.SHA256 != "" {
			t.Fatalf("got %+v", md)
		}
	})
}

func mustParse(t *testing.T, body string) Batch {
	t.Helper()
	b, err := Parse([]byte(body))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(b.Lines) != 1 {
		t.Fatalf("want one line, got %+v", b)
	}
	return b
}

func TestAPIErrorString(t *testing.T) {
	cases := []struct {
		e    APIError
		want string
	}{
		{APIError{Code: 131047, Title: "Re-engagement message", Message: "Re-engagement message", Details: "24 hours passed."}, "131047: Re-engagement message — 24 hours passed."},
		{APIError{Code: 131026, Title: "Message undeliverable", Message: "Unable to deliver"}, "131026: Message undeliverable — Unable to deliver"},
		{APIError{Code: 1, Title: "T"}, "1: T"},
		{APIError{Code: 2, Message: "only a message"}, "2: only a message"},
		{APIError{Code: 3, Details: "only details"}, "3: only details"},
		{APIError{}, "0"},
	}
	for _, c := range cases {
		if got := c.e.String(); got != c.want {
			t.Errorf("%+v: got %q, want %q", c.e, got, c.want)
		}
	}
}
