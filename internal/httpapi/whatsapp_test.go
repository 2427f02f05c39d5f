package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/channel/whatsapp"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/store"
)

// waChannel is a WhatsApp channel created through the API.
type waChannel struct {
	ID          int64  `json:"id"`
	Kind        string `json:"kind"`
	Name        string `json:"name"`
	Account     string `json:"account"`
	WebhookURL  string `json:"webhook_url"`
	VerifyToken string `json:"verify_token"`
}

func (c waChannel) hookPath(h *testAPI) string { return strings.TrimPrefix(c.WebhookURL, h.srv.URL) }

func waCreateBody(name string) map[string]any {
	return map[string]any{"kind": "whatsapp", "name": name, "phone_number_id": fakeWAPhoneNumberID, "waba_id": fakeWABAID,
		"access_token": fakeWAToken, "app_secret": fakeWAAppSecret}
}

// newWhatsAppChannel connects the fake phone number as the workspace admin.
func (h *testAPI) newWhatsAppChannel() waChannel {
	h.t.Helper()
	var c waChannel
	h.must(201, actAdmin, "POST", "/api/v1/channels", waCreateBody(h.uniq("WhatsApp"))).into(h.t, &c)
	return c
}

// postWhatsApp posts a webhook body signed with secret ("" for no header).
func (h *testAPI) postWhatsApp(path string, body []byte, secret string) response {
	h.t.Helper()
	hdr := http.Header{}
	if secret != "" {
		hdr.Set(whatsapp.HeaderSignature, whatsapp.Sign(body, secret))
	}
	return h.send(request{method: "POST", path: path, body: body, header: hdr})
}

func waSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "channel", "whatsapp", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// waMediaBytes are the files whose SHA-256 the samples state (testdata/README.md).
var waMediaBytes = map[string]string{"image": "image", "video": "video", "voice": "voice", "audio": "voice", "document": "doc", "sticker": "sticker"}

type waAck struct {
	OK             bool   `json:"ok"`
	Result         string `json:"result"`
	MessageID      int64  `json:"message_id"`
	ConversationID int64  `json:"conversation_id"`
}

func TestWhatsAppChannelLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		body := waCreateBody("Loja no WhatsApp")
		body["department_id"] = h.fix.Financeiro.ID
		r := h.must(201, actAdmin, "POST", "/api/v1/channels", body)
		var c waChannel
		r.into(t, &c)
		if strings.Contains(string(r.body), fakeWAToken) || strings.Contains(string(r.body), fakeWAAppSecret) {
			t.Fatalf("the answer carries a credential: %s", r)
		}
		prefix := h.srv.URL + "/api/v1/webhooks/whatsapp/"
		if c.Kind != "whatsapp" || c.Account != "+1 555-078-3881 (Loja Atende)" || !strings.HasPrefix(c.WebhookURL, prefix) ||
			len(c.WebhookURL) < len(prefix)+20 || len(c.VerifyToken) < 24 {
			t.Fatalf("created channel: %+v", c)
		}
		checks := h.wa.callsTo("GET", "/v21.0/"+fakeWAPhoneNumberID)
		if len(checks) != 1 || checks[0].Auth != "Bearer "+fakeWAToken {
			t.Fatalf("token check calls: %+v", checks)
		}
		if n := h.count(`SELECT count(*) FROM channels WHERE kind = 'whatsapp' AND (config LIKE '%' || $1 || '%' OR config LIKE '%' || $2 || '%' OR config = '')`,
			fakeWAToken, fakeWAAppSecret); n != 0 {
			t.Errorf("%d channel rows keep a credential in the clear", n)
		}
		for _, actor := range []string{actAdmin, actAgentA} {
			r := h.as(actor, "GET", "/api/v1/channels", nil)
			if strings.Contains(string(r.body), fakeWAToken) || strings.Contains(string(r.body), fakeWAAppSecret) {
				t.Errorf("%s GET channels leaks a credential: %s", actor, r)
			}
			if actor != actAdmin && strings.Contains(string(r.body), c.VerifyToken) {
				t.Errorf("%s sees the verify token: %s", actor, r)
			}
		}
		var got waChannel
		h.must(200, actAdmin, "GET", fmt.Sprintf("/api/v1/channels/%d", c.ID), nil).into(t, &got)
		if got != c {
			t.Errorf("GET channel = %+v, want %+v", got, c)
		}

		// test connection
		var res struct {
			OK      bool   `json:"ok"`
			Account string `json:"account"`
		}
		h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/channels/%d/test", c.ID), nil).into(t, &res)
		if !res.OK || res.Account != c.Account {
			t.Errorf("test connection: %+v", res)
		}

		// the verification handshake
		hs := func(mode, token, challenge string) response {
			q := url.Values{"hub.mode": {mode}, "hub.verify_token": {token}, "hub.challenge": {challenge}}
			return h.send(request{method: "GET", path: c.hookPath(h) + "?" + q.Encode()})
		}
		ok := hs("subscribe", c.VerifyToken, "1158201444")
		if ok.status != 200 || string(ok.body) != "1158201444" || !strings.HasPrefix(ok.header.Get("Content-Type"), "text/plain") {
			t.Errorf("handshake: %d %q %s", ok.status, ok.body, ok.header.Get("Content-Type"))
		}
		for _, bad := range [][3]string{{"subscribe", "wrong", "1"}, {"unsubscribe", c.VerifyToken, "1"}, {"subscribe", c.VerifyToken, "<script>"}} {
			if r := hs(bad[0], bad[1], bad[2]); r.status != 403 {
				t.Errorf("handshake %v: %s, want 403", bad, r)
			} else {
				assertErrorEnvelope(t, r, "handshake")
			}
		}
		if r := h.send(request{method: "GET", path: "/api/v1/webhooks/whatsapp/nope?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1"}); r.status != 404 {
			t.Errorf("unknown key: %s", r)
		}

		// bad input is the admin's
		for name, mut := range map[string]func(map[string]any){
			"no phone number id":  func(b map[string]any) { delete(b, "phone_number_id") },
			"bad phone number id": func(b map[string]any) { b["phone_number_id"] = "12/../3" },
			"no waba id":          func(b map[string]any) { delete(b, "waba_id") },
			"no access token":     func(b map[string]any) { b["access_token"] = " " },
			"no app secret":       func(b map[string]any) { delete(b, "app_secret") },
			"bot token":           func(b map[string]any) { b["bot_token"] = fakeBotToken },
			"refused token":       func(b map[string]any) { b["access_token"] = "EAAJB-expired" },
		} {
			b := waCreateBody("X")
			mut(b)
			r := h.as(actAdmin, "POST", "/api/v1/channels", b)
			if r.status != 422 {
				t.Errorf("%s: %s, want 422", name, r)
			}
			assertErrorEnvelope(t, r, name)
		}
		if r := h.as(actAdmin, "POST", "/api/v1/channels", map[string]any{"kind": "api", "name": "X", "access_token": "x"}); r.status != 422 {
			t.Errorf("whatsapp fields on an API channel: %s", r)
		}
		if r := h.as(actAdmin, "PATCH", fmt.Sprintf("/api/v1/channels/%d", c.ID), map[string]any{"app_secret": "x"}); r.status != 422 {
			t.Errorf("patching the app secret: %s", r)
		}

		h.must(204, actAdmin, "DELETE", fmt.Sprintf("/api/v1/channels/%d", c.ID), nil)
		if gone := h.postWhatsApp(c.hookPath(h), waSample(t, "text.json"), fakeWAAppSecret); gone.status != 404 {
			t.Errorf("webhook of a deleted channel: %s, want 404", gone)
		}
	})
}

func TestWhatsAppWebhook(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		c := h.newWhatsAppChannel()
		path := c.hookPath(h)
		ctx := context.Background()
		ws := h.fix.WS.ID

		entries, err := os.ReadDir(filepath.Join("..", "channel", "whatsapp", "testdata"))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".json") {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		if len(names) < 20 {
			t.Fatalf("only %d samples", len(names))
		}
		stored := 0
		for _, name := range names {
			body := waSample(t, name)
			batch, err := whatsapp.Parse(body)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			line, _ := batch.Line(fakeWAPhoneNumberID)
			for _, in := range line.Messages {
				for _, m := range in.Media {
					h.wa.setMedia(m.Ref, []byte(waMediaBytes[m.Kind]))
				}
			}

			// forged, then missing, signatures store nothing and fetch nothing
			before := h.snapshot()
			calls := h.wa.callCount()
			for _, secret := range []string{"forged-" + fakeWAAppSecret, ""} {
				r := h.postWhatsApp(path, body, secret)
				if r.status != 401 {
					t.Errorf("%s signed with %q: %s, want 401", name, secret, r)
				}
				assertErrorEnvelope(t, r, name+" forged")
			}
			if d := before.diff(h.snapshot()); len(d) > 0 {
				t.Errorf("%s with a forged signature changed the database: %v", name, d)
			}
			if h.wa.callCount() != calls {
				t.Errorf("%s with a forged signature called the Graph API", name)
			}

			files := h.blobFiles()
			var first waAck
			// Meta re-delivers until it gets a 2xx: 3 times stores once
			for i := 0; i < 3; i++ {
				r := h.postWhatsApp(path, body, fakeWAAppSecret)
				if r.status != 200 {
					t.Fatalf("%s #%d: %s", name, i+1, r)
				}
				var a waAck
				r.into(t, &a)
				want := "ignored"
				if len(line.Messages) > 0 {
					want = "duplicate"
					if i == 0 {
						want = "stored"
					}
				}
				if a.Result != want || !a.OK {
					t.Errorf("%s #%d: result %q, want %q", name, i+1, a.Result, want)
				}
				if i == 0 {
					first = a
				}
			}
			// messages of another phone number are not this channel's
			for _, other := range batch.Lines {
				if other.PhoneNumberID == fakeWAPhoneNumberID {
					continue
				}
				for _, in := range other.Messages {
					if n := h.count(`SELECT count(*) FROM messages WHERE external_id = $1`, in.ExternalID); n != 0 {
						t.Errorf("%s: message %s of phone number %s stored", name, in.ExternalID, other.PhoneNumberID)
					}
				}
			}
			media := 0
			for i, in := range line.Messages {
				stored++
				if n := h.count(`SELECT count(*) FROM messages WHERE channel_id = $1 AND external_id = $2`, c.ID, in.ExternalID); n != 1 {
					t.Errorf("%s: %d messages with external id %s, want 1", name, n, in.ExternalID)
					continue
				}
				m, err := h.db.R().MessageByExternalID(ctx, c.ID, in.ExternalID)
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 && m.ID != first.MessageID {
					t.Errorf("%s: ack names message %d, stored %d", name, first.MessageID, m.ID)
				}
				m = h.message(ws, m.ID)
				if m.Direction != store.DirIn || m.Content == "" && len(m.Attachments) == 0 {
					t.Errorf("%s: stored message %+v", name, m)
				}
				if in.Text != "" && !strings.Contains(m.Content, in.Text) {
					t.Errorf("%s: content %q lacks the text %q", name, m.Content, in.Text)
				}
				if len(in.Media) > 0 {
					media++
					if len(m.Attachments) != 1 || m.Attachments[0].Size != int64(len(waMediaBytes[in.Media[0].Kind])) {
						t.Errorf("%s: attachments %+v", name, m.Attachments)
					}
					if capt := in.Media[0].Caption; capt != "" && !strings.Contains(m.Content, capt) {
						t.Errorf("%s: content %q lacks the caption %q", name, m.Content, capt)
					}
				}
				conv := h.conversation(ws, m.ConversationID)
				contact, err := h.db.R().Contact(ctx, ws, conv.ContactID)
				if err != nil {
					t.Fatal(err)
				}
				have := map[string]bool{}
				for _, id := range contact.Identities {
					if id.ChannelID == c.ID {
						have[id.ExternalID] = true
					}
				}
				for _, id := range in.Contact.Identities {
					v := id.Value
					if id.Kind == whatsapp.IdentityUsername && !strings.HasPrefix(v, "@") {
						v = "@" + v
					}
					if !have[v] {
						t.Errorf("%s: contact %+v is not known by %s %s", name, contact.Identities, id.Kind, v)
					}
				}
			}
			if h.blobFiles() != files+media {
				t.Errorf("%s: blob files %d → %d, want +%d", name, files, h.blobFiles(), media)
			}
		}
		if stored < 15 {
			t.Errorf("only %d sample messages stored", stored)
		}

		// text.json: the customer as WhatsApp names them, keyed on wa_id
		id, err := h.db.R().ContactByIdentity(ctx, c.ID, "16505551234")
		if err != nil {
			t.Fatal(err)
		}
		ct, _ := h.db.R().Contact(ctx, ws, id)
		if ct.Name != "Sheena Nelson" || ct.Phone != "+16505551234" {
			t.Errorf("contact of text.json: %+v", ct)
		}

		// a file that does not match the webhook's sha256 is not kept
		bad := strings.ReplaceAll(string(waSample(t, "image.json")), "wamid.", "wamid.X")
		batch, _ := whatsapp.Parse([]byte(bad))
		in := batch.Lines[0].Messages[0]
		h.wa.setMedia(in.Media[0].Ref, []byte("not the image"))
		files := h.blobFiles()
		var a waAck
		h.postWhatsApp(path, []byte(bad), fakeWAAppSecret).into(t, &a)
		m := h.message(ws, a.MessageID)
		if a.Result != "stored" || len(m.Attachments) != 0 || !strings.Contains(m.Content, "checksum") || h.blobFiles() != files {
			t.Errorf("checksum mismatch: %+v %+v", a, m)
		}

		// bad input on a real channel stores nothing
		before := h.snapshot()
		for _, bad := range []struct {
			name string
			body string
			want int
		}{
			{"malformed JSON", `{"object":`, 400},
			{"not a WhatsApp webhook", `{"object":"page","entry":[]}`, 400},
			{"message without id", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
				"metadata":{"phone_number_id":"` + fakeWAPhoneNumberID + `"},"messages":[{"from":"1","type":"text","text":{"body":"x"}}]}}]}]}`, 400},
			{"oversized", `{"object":"whatsapp_business_account","entry":[{"id":"` + strings.Repeat("1", 4<<20) + `"}]}`, 413},
		} {
			r := h.postWhatsApp(path, []byte(bad.body), fakeWAAppSecret)
			if r.status != bad.want {
				t.Errorf("%s: %s, want %d", bad.name, r, bad.want)
			}
			assertErrorEnvelope(t, r, bad.name)
		}
		if d := before.diff(h.snapshot()); len(d) > 0 {
			t.Errorf("bad webhook bodies changed the database: %v", d)
		}
	})
}

// waStatus is a status sample rewritten to name the message wamid.
func waStatus(t testing.TB, sample, wamid string) []byte {
	t.Helper()
	body := waSample(t, sample)
	b, err := whatsapp.Parse(body)
	if err != nil || len(b.Lines) != 1 || len(b.Lines[0].Statuses) != 1 {
		t.Fatalf("%s: %v", sample, err)
	}
	return []byte(strings.ReplaceAll(string(body), b.Lines[0].Statuses[0].ExternalID, wamid))
}

func TestWhatsAppDelivery(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withBackoff(20*time.Millisecond))
		c := h.newWhatsAppChannel()
		ws := h.fix.WS.ID
		path := c.hookPath(h)

		customerSays := func(n int) int64 {
			t.Helper()
			body := strings.ReplaceAll(string(waSample(t, "text.json")), "wamid.", "wamid.IN"+strconv.Itoa(n))
			r := h.postWhatsApp(path, []byte(body), fakeWAAppSecret)
			if r.status != 200 {
				t.Fatalf("customer message: %s", r)
			}
			var a waAck
			r.into(t, &a)
			return a.ConversationID
		}
		reply := func(n int, text string) store.Message {
			t.Helper()
			conv := customerSays(n)
			var m store.Message
			h.must(201, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv),
				map[string]any{"kind": "reply", "content": text}).into(t, &m)
			return m
		}
		settle := func(id int64, status string) store.Message {
			t.Helper()
			var m store.Message
			eventually(t, 10*time.Second, "message "+strconv.FormatInt(id, 10)+" "+status, func() bool {
				m = h.message(ws, id)
				return m.Status == status
			})
			return m
		}
		sendPath := "/v21.0/" + fakeWAPhoneNumberID + "/messages"
		sendsWith := func(text string) []waCall {
			var out []waCall
			for _, call := range h.wa.callsTo("POST", sendPath) {
				var b struct {
					Text struct {
						Body string `json:"body"`
					} `json:"text"`
				}
				_ = json.Unmarshal(call.Body, &b)
				if b.Text.Body == text {
					out = append(out, call)
				}
			}
			return out
		}

		// delivered once, to the customer's wa_id, as the Messages API documents
		m := reply(1, "Seu pedido saiu para entrega hoje.")
		m = settle(m.ID, store.DeliverySent)
		time.Sleep(100 * time.Millisecond)
		sends := sendsWith("Seu pedido saiu para entrega hoje.")
		if len(sends) != 1 {
			t.Fatalf("%d sends of the reply, want 1", len(sends))
		}
		if s := sends[0]; s.Auth != "Bearer "+fakeWAToken || s.ContentType != "application/json" {
			t.Errorf("send: %+v", s)
		}
		var body map[string]any
		if err := json.Unmarshal(sends[0].Body, &body); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234", "type": "text",
			"text": map[string]any{"body": "Seu pedido saiu para entrega hoje."}}
		if fmt.Sprint(body) != fmt.Sprint(want) {
			t.Errorf("send body %v, want %v", body, want)
		}
		if m.ExternalID == nil || !strings.HasPrefix(*m.ExternalID, "wamid.OUT") {
			t.Fatalf("sent message external id = %v", m.ExternalID)
		}

		// statuses: delivered, read, then a late delivered; each re-sent
		wamid := *m.ExternalID
		for _, s := range []struct{ sample, want string }{
			{"status_sent.json", store.DeliverySent},
			{"status_delivered.json", store.DeliveryDelivered},
			{"status_read.json", store.DeliveryRead},
			{"status_delivered.json", store.DeliveryRead},
			{"status_sent.json", store.DeliveryRead},
		} {
			for i := 0; i < 3; i++ {
				if r := h.postWhatsApp(path, waStatus(t, s.sample, wamid), fakeWAAppSecret); r.status != 200 {
					t.Fatalf("%s: %s", s.sample, r)
				}
			}
			if got := h.message(ws, m.ID).Status; got != s.want {
				t.Errorf("after %s: %s, want %s", s.sample, got, s.want)
			}
		}
		if n := h.count(`SELECT count(*) FROM channel_events WHERE channel_id = $1 AND event_key LIKE 'status:%'`, c.ID); n != 3 {
			t.Errorf("%d status events recorded, want 3 (sent, delivered, read)", n)
		}

		// rate limited: retried no sooner than Retry-After, then delivered
		h.wa.mu.Lock()
		base := h.wa.sends
		h.wa.send = func(n int) (int, string, string) {
			if n == base+1 {
				return 429, "1", `{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429}}`
			}
			return 0, "", ""
		}
		h.wa.mu.Unlock()
		start := time.Now()
		m = reply(2, "Pode confirmar o endereço?")
		settle(m.ID, store.DeliverySent)
		if waited := time.Since(start); waited < time.Second {
			t.Errorf("delivered %v after a 429 asking for 1s", waited)
		}
		if n := len(sendsWith("Pode confirmar o endereço?")); n != 2 {
			t.Errorf("%d sends of the rate-limited reply, want 2", n)
		}

		// a failed status carries the error to the message
		m = settle(m.ID, store.DeliverySent)
		if r := h.postWhatsApp(path, waStatus(t, "status_failed.json", *m.ExternalID), fakeWAAppSecret); r.status != 200 {
			t.Fatal(r)
		}
		m = h.message(ws, m.ID)
		if m.Status != store.DeliveryFailed || !strings.Contains(m.Error, "131047") || !strings.Contains(m.Error, "24 hours") {
			t.Errorf("failed status: %s %q", m.Status, m.Error)
		}

		// a refused send fails the message at once with Meta's reason
		h.wa.mu.Lock()
		h.wa.send = func(n int) (int, string, string) {
			return 400, "", `{"error":{"message":"(#131026) Message undeliverable","type":"OAuthException","code":131026}}`
		}
		h.wa.mu.Unlock()
		m = reply(3, "Olá?")
		m = settle(m.ID, store.DeliveryFailed)
		if !strings.Contains(m.Error, "131026") {
			t.Errorf("refused send error = %q", m.Error)
		}
		time.Sleep(100 * time.Millisecond)
		if n := len(sendsWith("Olá?")); n != 1 {
			t.Errorf("a refused send was tried %d times, want 1", n)
		}

		// 24 hours after the customer's last message the window is closed:
		// free text is refused, a note is still fine
		conv := customerSays(4)
		h.conv.SetClock(func() time.Time { return time.Now().Add(24*time.Hour + time.Minute) })
		r := h.as(actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv), map[string]any{"kind": "reply", "content": "Ainda aí?"})
		if r.status != 422 || !strings.Contains(string(r.body), `"window_closed"`) {
			t.Errorf("reply outside the window: %s, want 422 window_closed", r)
		}
		assertErrorEnvelope(t, r, "window closed")
		h.must(201, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv), map[string]any{"kind": "note", "content": "ligar amanhã"})
		if n := len(sendsWith("Ainda aí?")); n != 0 {
			t.Errorf("a reply outside the window was sent %d times", n)
		}
	})
}

// A reply still queued when the 24-hour window closes fails at once with a
// clear reason, without calling Cloud API.
func TestWhatsAppDeliveryWindowClosed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		c := h.newWhatsAppChannel()
		ws := h.fix.WS.ID
		var a waAck
		h.postWhatsApp(c.hookPath(h), waSample(t, "text.json"), fakeWAAppSecret).into(t, &a)
		var m store.Message
		h.must(201, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", a.ConversationID),
			map[string]any{"kind": "reply", "content": "Já verifico."}).into(t, &m)
		h.conv.SetClock(func() time.Time { return time.Now().Add(25 * time.Hour) })
		d := &providers.WhatsAppDeliverer{DB: h.db, Blobs: h.blobs, Status: h.conv, Providers: h.provs, Now: h.conv.Now}
		err := d.Handle(context.Background(), store.Job{WorkspaceID: ws, Kind: "deliver", Payload: fmt.Sprintf(`{"message_id":%d}`, m.ID), Attempts: 1, MaxAttempts: 8})
		if !errors.Is(err, jobs.ErrPermanent) || !errors.Is(err, providers.ErrWindowClosed) {
			t.Fatalf("delivery outside the window: %v", err)
		}
		m = h.message(ws, m.ID)
		if m.Status != store.DeliveryFailed || !strings.Contains(m.Error, "24-hour") {
			t.Errorf("message after the window closed: %s %q", m.Status, m.Error)
		}
		if n := len(h.wa.callsTo("POST", "/v21.0/"+fakeWAPhoneNumberID+"/messages")); n != 0 {
			t.Errorf("Cloud API called %d times", n)
		}
	})
}
