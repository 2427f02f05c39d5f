package meta

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel"
)

const (
	pageID   = "104857600000001"
	customer = "6100000000000001"
	igID     = "17841400000000001"
	igUser   = "5300000000000001"
	igMID    = "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAx"
)

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

func psid(id string) channel.Contact {
	return channel.Contact{Identities: []channel.Identity{{Kind: IdentityPSID, Value: id}}}
}

func igsid(id string) channel.Contact {
	return channel.Contact{Identities: []channel.Identity{{Kind: IdentityIGSID, Value: id}}}
}

func messenger(accounts ...Account) Batch {
	for i := range accounts {
		accounts[i].Platform = PlatformMessenger
	}
	return Batch{Object: "page", Platform: PlatformMessenger, Accounts: accounts}
}

func instagram(a Account) Batch {
	a.ID, a.Platform, a.MediaURLOnly = igID, PlatformInstagram, true
	return Batch{Object: "instagram", Platform: PlatformInstagram, Accounts: []Account{a}}
}

var parseCases = []struct {
	file string
	want Batch
}{
	{"messenger_text.json", messenger(Account{ID: pageID, Inbound: []channel.Inbound{{
		ExternalID: "m_AbCdEf0123456789-text", Contact: psid(customer),
		Text: "Olá! Meu pedido 4521 ainda não chegou.", At: ms(1718000000123)}}})},
	{"messenger_attachments.json", messenger(Account{ID: pageID, Inbound: []channel.Inbound{{
		ExternalID: "m_AbCdEf0123456789-attachments", Contact: psid(customer), At: ms(1718000100308),
		Media: []channel.Media{
			{Ref: "https://scontent.xx.fbcdn.net/v/t1.15752-9/foto-nota.jpg?_nc_cat=1&oh=abc&oe=1", Kind: "image"},
			{Ref: "https://cdn.fbsbx.com/v/t59.2708-21/comprovante.pdf?_nc_cat=2&oh=def&oe=2", Kind: "document"},
		}}}})},
	{"messenger_sticker.json", messenger(Account{ID: pageID, Inbound: []channel.Inbound{{
		ExternalID: "m_AbCdEf0123456789-sticker", Contact: psid(customer), At: ms(1718000150000),
		Media: []channel.Media{{Ref: "https://scontent.xx.fbcdn.net/v/t39.1997-6/like.png?_nc_cat=3", Kind: "sticker"}}}}})},
	{"messenger_reply.json", messenger(Account{ID: pageID, Inbound: []channel.Inbound{{
		ExternalID: "m_AbCdEf0123456789-reply", Contact: psid(customer), Text: "Sim, esse mesmo.",
		ReplyTo: "m_PageSent000000000000001", At: ms(1718000200478)}}})},
	{"messenger_reaction.json", messenger(Account{ID: pageID, Inbound: []channel.Inbound{
		{ExternalID: "m_PageSent000000000000001:reaction:" + customer + ":1718000300463", Contact: psid(customer),
			Reaction: &channel.Reaction{MessageID: "m_PageSent000000000000001", Emoji: "\u2764\ufe0f"}, At: ms(1718000300463)},
		{ExternalID: "m_PageSent000000000000001:reaction:" + customer + ":1718000360463", Contact: psid(customer),
			Reaction: &channel.Reaction{MessageID: "m_PageSent000000000000001", Emoji: ""}, At: ms(1718000360463)},
	}})},
	{"messenger_delivery.json", messenger(Account{ID: pageID,
		Statuses: []channel.Status{
			{ExternalID: "m_PageSent000000000000001", Status: channel.StatusDelivered, Recipient: customer, At: ms(1718000400253)},
			{ExternalID: "m_PageSent000000000000002", Status: channel.StatusDelivered, Recipient: customer, At: ms(1718000400253)},
		},
		Watermarks: []Watermark{{Recipient: customer, Status: channel.StatusDelivered, At: ms(1718000400253)}},
	})},
	{"messenger_read.json", messenger(Account{ID: pageID,
		Watermarks: []Watermark{{Recipient: customer, Status: channel.StatusRead, At: ms(1718000500253)}}})},
	{"messenger_echo.json", messenger(Account{ID: pageID, Echoes: []Echo{{
		ExternalID: "m_PageSent000000000000003", Recipient: customer, AppID: "1517776481860111",
		Metadata: "atende:message:42", Text: "Seu pedido sai hoje para entrega.", At: ms(1718000600197)}}})},
	{"messenger_batch.json", messenger(
		Account{ID: pageID, Skipped: 1, Inbound: []channel.Inbound{
			{ExternalID: "m_Batch0001", Contact: psid(customer), Text: "primeira", At: ms(1718000700100)},
			{ExternalID: "m_Batch0004", Contact: psid(customer), Text: "segunda", At: ms(1718000700400)},
		}},
		Account{ID: "104857600000002", Inbound: []channel.Inbound{
			{ExternalID: "m_Batch0003", Contact: psid("6100000000000009"), Text: "outra página", At: ms(1718000700300)},
		}},
	)},
	{"instagram_text.json", instagram(Account{Inbound: []channel.Inbound{{
		ExternalID: igMID + "-text", Contact: igsid(igUser), Text: "Vocês entregam em Campinas?", At: ms(1718001000349)}}})},
	// a tapped quick reply (a bot's menu): the title arrives as the text
	{"instagram_quick_reply.json", instagram(Account{Inbound: []channel.Inbound{{
		ExternalID: igMID + "-quick-reply", Contact: igsid(igUser), Text: "Financeiro", At: ms(1718001050349)}}})},
	{"instagram_image.json", instagram(Account{Inbound: []channel.Inbound{{
		ExternalID: igMID + "-image", Contact: igsid(igUser), At: ms(1718001100349),
		Media: []channel.Media{{Ref: "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17900000000000001&signature=abc", Kind: "image"}}}}})},
	{"instagram_story_mention.json", instagram(Account{
		Inbound: []channel.Inbound{{ExternalID: igMID + "-mention", Contact: igsid(igUser), At: ms(1718001200349)}},
		Links: []Link{{MessageID: igMID + "-mention", Kind: LinkStoryMention,
			URL: "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17900000000000002&signature=def"}},
	})},
	{"instagram_story_reply.json", instagram(Account{
		Inbound: []channel.Inbound{{ExternalID: igMID + "-storyreply", Contact: igsid(igUser),
			Text: "Quero esse vestido no M!", At: ms(1718001300349)}},
		Links: []Link{{MessageID: igMID + "-storyreply", Kind: LinkStoryReply, ID: "17900000000000003",
			URL: "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17900000000000003&signature=ghi"}},
	})},
	{"instagram_read.json", instagram(Account{Statuses: []channel.Status{{
		ExternalID: igMID + "-sent1", Status: channel.StatusRead, Recipient: igUser, At: ms(1718001400349)}},
		Watermarks: []Watermark{{Recipient: igUser, Status: channel.StatusRead, At: ms(1718001400349)}}})},
	{"instagram_echo.json", instagram(Account{Echoes: []Echo{{
		ExternalID: igMID + "-sent2", Recipient: igUser, Text: "Entregamos sim!", At: ms(1718001500349)}}})},
	{"instagram_deleted.json", instagram(Account{Deleted: []string{igMID + "-text"}})},
}

func TestParseTestdata(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(body)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("Parse mismatch\n got: %+v\nwant: %+v", got, c.want)
			}
		})
	}
}

func TestEveryTestdataFileIsCovered(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, c := range parseCases {
		covered[c.file] = true
	}
	readme, err := os.ReadFile(filepath.Join("testdata", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		if !covered[name] {
			t.Errorf("%s has no parse case", name)
		}
		if !strings.Contains(string(readme), "`"+name+"`") {
			t.Errorf("%s is not listed, with its source, in testdata/README.md", name)
		}
	}
}

func TestParseEdgeCases(t *testing.T) {
	cases := []struct {
		name    string
		body    string
		wantErr bool
		check   func(t *testing.T, b Batch)
	}{
		{name: "not json", body: `{"object":`, wantErr: true},
		{name: "empty", body: ``, wantErr: true},
		{name: "array", body: `[]`, wantErr: true},
		{name: "other object", body: `{"object":"whatsapp_business_account","entry":[]}`, wantErr: true},
		{name: "entry of wrong type", body: `{"object":"page","entry":{}}`, wantErr: true},
		{name: "no entries", body: `{"object":"page"}`, check: func(t *testing.T, b Batch) {
			if len(b.Accounts) != 0 || b.Platform != PlatformMessenger {
				t.Fatalf("%+v", b)
			}
		}},
		{name: "feed changes are not messaging", body: `{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{}}]}]}`,
			check: func(t *testing.T, b Batch) {
				if len(b.Accounts) != 1 || len(b.Accounts[0].Inbound) != 0 || b.Accounts[0].Skipped != 0 {
					t.Fatalf("%+v", b)
				}
			}},
		{name: "odd event skipped, rest kept", body: `{"object":"page","entry":[{"id":"1","messaging":[
			{"sender":{"id":"2"},"message":{"mid":"m1","text":7}},
			{"sender":{"id":"2"},"message":{"text":"no mid"}},
			{"sender":{},"message":{"mid":"m2","text":"no sender"}},
			{"sender":{"id":"2"},"timestamp":5,"message":{"mid":"m3","text":"ok\u0000!"}}]}]}`,
			check: func(t *testing.T, b Batch) {
				a := b.Accounts[0]
				if a.Skipped != 3 || len(a.Inbound) != 1 || a.Inbound[0].ExternalID != "m3" || a.Inbound[0].Text != "ok!" {
					t.Fatalf("%+v", a)
				}
			}},
		{name: "numeric ids accepted", body: `{"object":"page","entry":[{"id":1,"messaging":[{"sender":{"id":2},"recipient":{"id":1},"message":{"mid":"m"}}]}]}`,
			check: func(t *testing.T, b Batch) {
				if b.Accounts[0].ID != "1" || b.Accounts[0].Inbound[0].Contact.Identities[0].Value != "2" {
					t.Fatalf("%+v", b)
				}
			}},
		{name: "own message without is_echo is an echo", body: `{"object":"instagram","entry":[{"id":"9","messaging":[{"sender":{"id":"9"},"recipient":{"id":"3"},"message":{"mid":"m","text":"x"}}]}]}`,
			check: func(t *testing.T, b Batch) {
				a := b.Accounts[0]
				if len(a.Inbound) != 0 || len(a.Echoes) != 1 || a.Echoes[0].Recipient != "3" {
					t.Fatalf("%+v", a)
				}
			}},
		{name: "reaction by name only keeps an emoji", body: `{"object":"instagram","entry":[{"id":"9","messaging":[{"sender":{"id":"3"},"timestamp":1,"reaction":{"mid":"m","action":"react","reaction":"like"}}]}]}`,
			check: func(t *testing.T, b Batch) {
				if r := b.Accounts[0].Inbound[0].Reaction; r == nil || r.Emoji != "👍" {
					t.Fatalf("%+v", b.Accounts[0].Inbound)
				}
			}},
		{name: "odd attachment payload drops the attachment, keeps the text", body: `{"object":"page","entry":[{"id":"1","messaging":[{"sender":{"id":"2"},"message":{"mid":"m","text":"hi","attachments":[{"type":"image","payload":{"url":5}},{"type":"template","payload":{"template_type":"generic"}}]}}]}]}`,
			check: func(t *testing.T, b Batch) {
				in := b.Accounts[0].Inbound
				if len(in) != 1 || in[0].Text != "hi" || len(in[0].Media) != 0 {
					t.Fatalf("%+v", in)
				}
			}},
		{name: "fallback and unsupported become links", body: `{"object":"instagram","entry":[{"id":"9","messaging":[{"sender":{"id":"3"},"message":{"mid":"m","is_unsupported":true,"attachments":[{"type":"fallback","title":"Site","url":"https://example.com/x","payload":null},{"type":"ig_reel","payload":{"url":"https://cdn/r","title":"Reel","reel_video_id":123}}]}}]}]}`,
			check: func(t *testing.T, b Batch) {
				want := []Link{
					{MessageID: "m", Kind: LinkFallback, URL: "https://example.com/x", Title: "Site"},
					{MessageID: "m", Kind: LinkIGReel, URL: "https://cdn/r", ID: "123", Title: "Reel"},
					{MessageID: "m", Kind: LinkUnsupported},
				}
				if !reflect.DeepEqual(b.Accounts[0].Links, want) {
					t.Fatalf("%+v", b.Accounts[0].Links)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := Parse([]byte(c.body))
			if c.wantErr {
				if !errors.Is(err, channel.ErrInvalid) {
					t.Fatalf("got %v, want ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			c.check(t, b)
		})
	}
}
