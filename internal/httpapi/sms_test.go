package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel/sms"
	"github.com/atende/atende/internal/store"
)

// smsChannel is an SMS channel created through the API.
type smsChannel struct {
	ID                int64  `json:"id"`
	Kind              string `json:"kind"`
	Name              string `json:"name"`
	Account           string `json:"account"`
	WebhookURL        string `json:"webhook_url"`
	StatusCallbackURL string `json:"status_callback_url"`
}

func (c smsChannel) hookPath(h *testAPI) string { return strings.TrimPrefix(c.WebhookURL, h.srv.URL) }

func smsCreateBody(name string) map[string]any {
	return map[string]any{"kind": "sms", "name": name, "account_sid": fakeSMSAccount, "auth_token": fakeSMSToken, "from": fakeSMSFrom}
}

// newSMSChannel connects the fake SMS account as the workspace admin.
func (h *testAPI) newSMSChannel() smsChannel {
	h.t.Helper()
	var c smsChannel
	h.must(201, actAdmin, "POST", "/api/v1/channels", smsCreateBody(h.uniq("SMS"))).into(h.t, &c)
	return c
}

// smsForm reads a sample form of internal/channel/sms/testdata.
func smsForm(t testing.TB, name string) url.Values {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "channel", "sms", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	f, err := url.ParseQuery(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// postSMS posts a webhook form to path signed with token over the public
// URL ("" for no signature header).
func (h *testAPI) postSMS(path string, form url.Values, token string) response {
	h.t.Helper()
	hdr := http.Header{}
	if token != "" {
		hdr.Set(sms.HeaderSignature, sms.Sign(token, h.srv.URL+path, form))
	}
	return h.send(request{method: "POST", path: path, body: form.Encode(), contentType: "application/x-www-form-urlencoded", header: hdr})
}

func TestSMSChannelLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		r := h.must(201, actAdmin, "POST", "/api/v1/channels", smsCreateBody("SMS da loja"))
		var c smsChannel
		r.into(t, &c)
		if strings.Contains(string(r.body), fakeSMSToken) {
			t.Fatalf("the answer carries the auth token: %s", r)
		}
		prefix := h.srv.URL + "/api/v1/webhooks/sms/"
		if c.Kind != "sms" || c.Account != fakeSMSFrom || !strings.HasPrefix(c.WebhookURL, prefix) || c.StatusCallbackURL != c.WebhookURL+"/status" {
			t.Fatalf("created channel: %+v", c)
		}
		checks := h.sms.callsTo("GET", "/2010-04-01/Accounts/"+fakeSMSAccount+".json")
		if len(checks) != 1 || checks[0].Auth != basicAuth(fakeSMSAccount, fakeSMSToken) {
			t.Fatalf("credential check calls: %+v", checks)
		}
		if n := h.count(`SELECT count(*) FROM channels WHERE kind = 'sms' AND (config LIKE '%' || $1 || '%' OR config = '')`, fakeSMSToken); n != 0 {
			t.Errorf("%d channel rows keep the auth token in the clear", n)
		}
		var res struct {
			OK bool `json:"ok"`
		}
		h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/channels/%d/test", c.ID), nil).into(t, &res)
		if !res.OK {
			t.Errorf("test connection not ok")
		}
		// refused input, nothing called
		for _, body := range []map[string]any{
			{"kind": "sms", "name": "x", "account_sid": "nope", "auth_token": fakeSMSToken, "from": fakeSMSFrom},
			{"kind": "sms", "name": "x", "account_sid": fakeSMSAccount, "from": fakeSMSFrom},
			{"kind": "sms", "name": "x", "account_sid": fakeSMSAccount, "auth_token": fakeSMSToken},
			{"kind": "sms", "name": "x", "account_sid": fakeSMSAccount, "auth_token": fakeSMSToken, "from": "11 4002-8922"},
			{"kind": "api", "name": "x", "auth_token": fakeSMSToken},
		} {
			h.must(422, actAdmin, "POST", "/api/v1/channels", body)
		}
		// a wrong token is the provider's refusal: 422, nothing stored
		bad := smsCreateBody("x")
		bad["auth_token"] = "0000000000000000000000000000dead"
		h.must(422, actAdmin, "POST", "/api/v1/channels", bad)
		if n := h.count(`SELECT count(*) FROM channels WHERE kind = 'sms'`); n != 1 {
			t.Errorf("%d SMS channels, want 1", n)
		}
		h.must(422, actAdmin, "PATCH", fmt.Sprintf("/api/v1/channels/%d", c.ID), map[string]any{"auth_token": "x"})
	})
}

func TestSMSWebhook(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		c := h.newSMSChannel()
		path := c.hookPath(h)
		form := smsForm(t, "inbound_text.form")

		// forged and missing signatures: 401, nothing stored
		before := h.count(`SELECT count(*) FROM messages`)
		for _, tok := range []string{"", "another token"} {
			if r := h.postSMS(path, form, tok); r.status != 401 {
				t.Fatalf("signature by %q: %s", tok, r)
			}
		}
		// signed over another URL (a different key's path)
		hdr := http.Header{sms.HeaderSignature: {sms.Sign(fakeSMSToken, h.srv.URL+path+"x", form)}}
		if r := h.send(request{method: "POST", path: path, body: form.Encode(), contentType: "application/x-www-form-urlencoded", header: hdr}); r.status != 401 {
			t.Fatalf("signature over another URL: %s", r)
		}
		// another account
		other := url.Values{}
		for k, v := range form {
			other[k] = v
		}
		other.Set("AccountSid", "AC00000000000000000000000000000000")
		if r := h.postSMS(path, other, fakeSMSToken); r.status != 403 {
			t.Fatalf("another account: %s", r)
		}
		if n := h.count(`SELECT count(*) FROM messages`); n != before {
			t.Fatalf("refused requests stored %d messages", n-before)
		}
		if r := h.postSMS("/api/v1/webhooks/sms/unknown", form, fakeSMSToken); r.status != 404 {
			t.Fatalf("unknown key: %s", r)
		}

		// valid: 200 empty TwiML; three deliveries store one message
		for i := 0; i < 3; i++ {
			r := h.postSMS(path, form, fakeSMSToken)
			if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/xml") || string(r.body) != sms.EmptyTwiML {
				t.Fatalf("delivery %d: %s %q", i, r, r.header.Get("Content-Type"))
			}
		}
		if n := h.count(`SELECT count(*) FROM messages WHERE channel_id = $1 AND external_id = $2`, c.ID, form.Get("MessageSid")); n != 1 {
			t.Fatalf("%d messages for one SMS delivered 3 times", n)
		}
		var convID int64
		h.raw.QueryRow(`SELECT conversation_id FROM messages WHERE external_id = $1`, form.Get("MessageSid")).Scan(&convID)
		var ms []store.Message
		for _, m := range h.messages(convID) {
			if m.Kind != store.KindEvent {
				ms = append(ms, m)
			}
		}
		if len(ms) != 1 || ms[0].Content != "Olá! Meu pedido #4521 ainda não chegou. Podem verificar?" || ms[0].Direction != store.DirIn {
			t.Fatalf("stored: %+v", ms)
		}
		conv := h.conversation(h.fix.WS.ID, convID)
		var contact store.Contact
		h.must(200, actAdmin, "GET", fmt.Sprintf("/api/v1/contacts/%d", conv.ContactID), nil).into(t, &contact)
		if contact.Phone != "+5511987654321" || len(contact.Identities) != 1 || contact.Identities[0].ExternalID != "+5511987654321" {
			t.Fatalf("contact %+v", contact)
		}
	})
}

func TestSMSInboundMedia(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		c := h.newSMSChannel()
		mms := smsForm(t, "inbound_mms.form")
		for _, k := range []string{"MediaUrl0", "MediaUrl1"} {
			mms.Set(k, h.sms.URL+strings.TrimPrefix(mms.Get(k), "https://api.twilio.com"))
		}
		h.sms.setMedia(strings.TrimPrefix(mms.Get("MediaUrl0"), h.sms.URL), pngBytes)
		for i := 0; i < 3; i++ {
			if r := h.postSMS(c.hookPath(h), mms, fakeSMSToken); r.status != 200 {
				t.Fatalf("MMS: %s", r)
			}
		}
		var id, ws int64
		if err := h.raw.QueryRow(`SELECT id, workspace_id FROM messages WHERE external_id = $1`, mms.Get("MessageSid")).Scan(&id, &ws); err != nil {
			t.Fatal(err)
		}
		m := h.message(ws, id)
		if len(m.Attachments) != 1 || m.Attachments[0].Size != int64(len(pngBytes)) || !strings.HasPrefix(m.Content, "Here are the photos of the damaged box") {
			t.Fatalf("MMS message %+v", m)
		}
		if n := h.blobFiles(); n != 1 {
			t.Fatalf("%d files stored for one MMS delivered 3 times", n)
		}
	})
}

func basicAuth(user, pass string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, pass)
	return r.Header.Get("Authorization")
}

// smsStatus is a status sample naming sid.
func smsStatus(t testing.TB, sample, sid string) url.Values {
	f := smsForm(t, sample)
	f.Set("MessageSid", sid)
	f.Set("SmsSid", sid)
	return f
}

func TestSMSDelivery(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withBackoff(20*time.Millisecond))
		c := h.newSMSChannel()
		ws := h.fix.WS.ID
		form := smsForm(t, "inbound_text.form")
		if r := h.postSMS(c.hookPath(h), form, fakeSMSToken); r.status != 200 {
			t.Fatalf("inbound: %s", r)
		}
		var convID int64
		h.raw.QueryRow(`SELECT conversation_id FROM messages WHERE external_id = $1`, form.Get("MessageSid")).Scan(&convID)
		settle := func(id int64, status string) store.Message {
			t.Helper()
			var m store.Message
			eventually(t, 10*time.Second, fmt.Sprintf("message %d %s", id, status), func() bool {
				m = h.message(ws, id)
				return m.Status == status
			})
			return m
		}
		var m store.Message
		h.must(201, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", convID),
			map[string]any{"kind": "reply", "content": "Olá Ana, seu pedido saiu para entrega."}).into(t, &m)
		m = settle(m.ID, store.DeliverySent)
		sends := h.sms.callsTo("POST", fakeSMSSendPath)
		if len(sends) != 1 {
			t.Fatalf("%d sends, want 1", len(sends))
		}
		want := smsCall{Method: "POST", Path: fakeSMSSendPath, Auth: basicAuth(fakeSMSAccount, fakeSMSToken), ContentType: "application/x-www-form-urlencoded",
			Body: "Body=Ol%C3%A1+Ana%2C+seu+pedido+saiu+para+entrega.&From=%2B551140028922&StatusCallback=" +
				url.QueryEscape(c.StatusCallbackURL) + "&To=%2B5511987654321"}
		if sends[0] != want {
			t.Fatalf("send\n%+v\nwant\n%+v", sends[0], want)
		}
		if m.ExternalID == nil || !strings.HasPrefix(*m.ExternalID, "SM") {
			t.Fatalf("external id %v", m.ExternalID)
		}
		sid := *m.ExternalID
		statusPath := strings.TrimPrefix(c.StatusCallbackURL, h.srv.URL)

		// a forged callback changes nothing
		if r := h.postSMS(statusPath, smsStatus(t, "status_delivered.form", sid), "forged"); r.status != 401 {
			t.Fatalf("forged status: %s", r)
		}
		for _, s := range []struct{ sample, want string }{
			{"status_sent.form", store.DeliverySent},
			{"status_delivered.form", store.DeliveryDelivered},
			{"status_sent.form", store.DeliveryDelivered}, // late: never backwards
		} {
			for i := 0; i < 3; i++ {
				if r := h.postSMS(statusPath, smsStatus(t, s.sample, sid), fakeSMSToken); r.status/100 != 2 {
					t.Fatalf("%s: %s", s.sample, r)
				}
			}
			if got := h.message(ws, m.ID).Status; got != s.want {
				t.Fatalf("after %s: %s, want %s", s.sample, got, s.want)
			}
		}

		// failed with "code: message"
		var m2 store.Message
		h.must(201, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", convID), map[string]any{"kind": "reply", "content": "Segunda"}).into(t, &m2)
		m2 = settle(m2.ID, store.DeliverySent)
		if r := h.postSMS(statusPath, smsStatus(t, "status_failed.form", *m2.ExternalID), fakeSMSToken); r.status/100 != 2 {
			t.Fatalf("failed status: %s", r)
		}
		if got := h.message(ws, m2.ID); got.Status != store.DeliveryFailed || got.Error != "30007: Message filtered" {
			t.Fatalf("failed message: %s %q", got.Status, got.Error)
		}

		// provider refusal fails at once; 429 is retried
		h.sms.mu.Lock()
		h.sms.send = func(n int) (int, string, string) {
			switch n {
			case 3:
				return 400, "", `{"code":21610,"message":"Attempt to send to unsubscribed recipient","more_info":"","status":400}`
			case 4:
				return 429, "0", `{"code":20429,"message":"Too Many Requests","more_info":"","status":429}`
			}
			return 0, "", ""
		}
		h.sms.mu.Unlock()
		var m3 store.Message
		h.must(201, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", convID), map[string]any{"kind": "reply", "content": "Terceira"}).into(t, &m3)
		if got := settle(m3.ID, store.DeliveryFailed); !strings.Contains(got.Error, "21610") {
			t.Fatalf("refused send error %q", got.Error)
		}
		var m4 store.Message
		h.must(201, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", convID), map[string]any{"kind": "reply", "content": "Quarta"}).into(t, &m4)
		settle(m4.ID, store.DeliverySent)
	})
}

func TestComposerSMS(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withBackoff(20*time.Millisecond))
		ws := h.fix.WS.ID
		conv := h.newConvWith(tgtVendas, stOpen, false)
		path := fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID)
		body := map[string]any{"kind": "sms", "content": "Seu código é 4521"}
		r := h.must(422, actAdmin, "POST", path, body)
		if r.json()["error"].(map[string]any)["code"] != "no_sms_channel" {
			t.Fatalf("without a channel: %s", r)
		}
		c := h.newSMSChannel()
		r = h.must(422, actAdmin, "POST", path, body)
		if r.json()["error"].(map[string]any)["code"] != "no_phone" {
			t.Fatalf("without a phone: %s", r)
		}
		h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/contacts/%d", conv.ContactID), map[string]any{"phone": "+5511955554444"})
		h.must(422, actAdmin, "POST", path, map[string]any{"kind": "sms", "content": "x", "channel_id": h.fix.Channel.ID})
		h.must(422, actAdmin, "POST", path, map[string]any{"kind": "reply", "content": "x", "channel_id": c.ID})

		var m store.Message
		h.must(201, actAdmin, "POST", path, map[string]any{"kind": "sms", "content": "Seu código é 4521", "channel_id": c.ID}).into(t, &m)
		if m.ChannelID != c.ID || m.Via != "sms" || m.ConversationID != conv.ID || m.Direction != store.DirOut {
			t.Fatalf("SMS message %+v", m)
		}
		eventually(t, 10*time.Second, "SMS sent", func() bool { return h.message(ws, m.ID).Status == store.DeliverySent })
		sends := h.sms.callsTo("POST", fakeSMSSendPath)
		if len(sends) != 1 {
			t.Fatalf("%d sends", len(sends))
		}
		sent, _ := url.ParseQuery(sends[0].Body)
		if sent.Get("To") != "+5511955554444" || sent.Get("Body") != "Seu código é 4521" || sent.Get("From") != fakeSMSFrom {
			t.Fatalf("sent form %v", sent)
		}
		// in the timeline, marked
		var page struct {
			Items []store.Message `json:"items"`
		}
		h.must(200, actAdmin, "GET", path, nil).into(t, &page)
		found := false
		for _, x := range page.Items {
			if x.ID == m.ID {
				found = x.Via == "sms"
			} else if x.Via != "" {
				t.Errorf("message %d via %q", x.ID, x.Via)
			}
		}
		if !found {
			t.Fatalf("SMS message not marked in the timeline: %+v", page.Items)
		}
		// the default channel is the workspace's first SMS channel; a status callback reaches it
		var m2 store.Message
		h.must(201, actAdmin, "POST", path, map[string]any{"kind": "sms", "content": "De novo"}).into(t, &m2)
		m2 = h.message(ws, m2.ID)
		eventually(t, 10*time.Second, "second SMS sent", func() bool { m2 = h.message(ws, m2.ID); return m2.Status == store.DeliverySent })
		statusPath := strings.TrimPrefix(c.StatusCallbackURL, h.srv.URL)
		if r := h.postSMS(statusPath, smsStatus(t, "status_delivered.form", *m2.ExternalID), fakeSMSToken); r.status/100 != 2 {
			t.Fatalf("status: %s", r)
		}
		if got := h.message(ws, m2.ID).Status; got != store.DeliveryDelivered {
			t.Fatalf("composer SMS status %s", got)
		}
		// attachments are refused
		h.must(422, actAdmin, "POST", path, map[string]any{"kind": "sms", "content": "x", "attachment_ids": []int64{1}})
	})
}
