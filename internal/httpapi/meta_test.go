package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel/meta"
	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/store"
)

func metaCreateBody(kind, name string) map[string]any {
	b := map[string]any{"kind": kind, "name": name, "page_access_token": fakeMetaToken, "app_secret": fakeMetaAppSecret}
	if kind == meta.KindInstagram {
		b["instagram_account_id"] = fakeMetaIGID
	} else {
		b["page_id"] = fakeMetaPageID
	}
	return b
}

// newMetaChannel connects the fake Page (messenger) or Instagram account.
func (h *testAPI) newMetaChannel(kind string) waChannel {
	h.t.Helper()
	var c waChannel
	h.must(201, actAdmin, "POST", "/api/v1/channels", metaCreateBody(kind, h.uniq(kind))).into(h.t, &c)
	return c
}

// postMeta posts a webhook body signed with secret ("" for no header).
func (h *testAPI) postMeta(path string, body []byte, secret string) response {
	h.t.Helper()
	hdr := http.Header{}
	if secret != "" {
		hdr.Set(meta.HeaderSignature, meta.Sign(secret, body))
	}
	return h.send(request{method: "POST", path: path, body: body, header: hdr})
}

func metaSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "channel", "meta", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMetaChannelLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		for _, tc := range []struct{ kind, account, node string }{
			{meta.KindMessenger, "Loja Atende", fakeMetaPageID},
			{meta.KindInstagram, "@loja.atende (Loja Atende)", fakeMetaIGID},
		} {
			body := metaCreateBody(tc.kind, "Loja "+tc.kind)
			body["department_id"] = h.fix.Financeiro.ID
			r := h.must(201, actAdmin, "POST", "/api/v1/channels", body)
			var c waChannel
			r.into(t, &c)
			if strings.Contains(string(r.body), fakeMetaToken) || strings.Contains(string(r.body), fakeMetaAppSecret) {
				t.Fatalf("the answer carries a credential: %s", r)
			}
			prefix := h.srv.URL + "/api/v1/webhooks/meta/"
			if c.Kind != tc.kind || c.Account != tc.account || !strings.HasPrefix(c.WebhookURL, prefix) ||
				len(c.WebhookURL) < len(prefix)+20 || len(c.VerifyToken) < 24 {
				t.Fatalf("created channel: %+v", c)
			}
			checks := h.meta.callsTo("GET", "/v25.0/"+tc.node)
			if len(checks) != 1 || checks[0].Auth != "Bearer "+fakeMetaToken {
				t.Fatalf("token check calls: %+v", checks)
			}
			if n := h.count(`SELECT count(*) FROM channels WHERE kind = $3 AND (config LIKE '%' || $1 || '%' OR config LIKE '%' || $2 || '%' OR config = '')`,
				fakeMetaToken, fakeMetaAppSecret, tc.kind); n != 0 {
				t.Errorf("%d channel rows keep a credential in the clear", n)
			}
			r = h.as(actAgentA, "GET", "/api/v1/channels", nil)
			if strings.Contains(string(r.body), fakeMetaToken) || strings.Contains(string(r.body), c.VerifyToken) {
				t.Errorf("an agent sees a credential: %s", r)
			}
			var res struct {
				OK      bool   `json:"ok"`
				Account string `json:"account"`
			}
			h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/channels/%d/test", c.ID), nil).into(t, &res)
			if !res.OK || res.Account != c.Account {
				t.Errorf("%s test connection: %+v", tc.kind, res)
			}

			hs := func(mode, token, challenge string) response {
				q := url.Values{"hub.mode": {mode}, "hub.verify_token": {token}, "hub.challenge": {challenge}}
				return h.send(request{method: "GET", path: c.hookPath(h) + "?" + q.Encode()})
			}
			ok := hs("subscribe", c.VerifyToken, "1158201444")
			if ok.status != 200 || string(ok.body) != "1158201444" || !strings.HasPrefix(ok.header.Get("Content-Type"), "text/plain") {
				t.Errorf("%s handshake: %d %q", tc.kind, ok.status, ok.body)
			}
			for _, bad := range [][3]string{{"subscribe", "wrong", "1"}, {"unsubscribe", c.VerifyToken, "1"}, {"subscribe", c.VerifyToken, "<script>"}} {
				if r := hs(bad[0], bad[1], bad[2]); r.status != 403 {
					t.Errorf("handshake %v: %s, want 403", bad, r)
				} else {
					assertErrorEnvelope(t, r, "handshake")
				}
			}
			if r := h.as(actAdmin, "PATCH", fmt.Sprintf("/api/v1/channels/%d", c.ID), map[string]any{"page_access_token": "x"}); r.status != 422 {
				t.Errorf("patching the token: %s", r)
			}
			if r := h.as(actAdmin, "PATCH", fmt.Sprintf("/api/v1/channels/%d", c.ID), map[string]any{"app_secret": "x"}); r.status != 422 {
				t.Errorf("patching the app secret: %s", r)
			}
			h.must(204, actAdmin, "DELETE", fmt.Sprintf("/api/v1/channels/%d", c.ID), nil)
			if gone := h.postMeta(c.hookPath(h), metaSample(t, "messenger_text.json"), fakeMetaAppSecret); gone.status != 404 {
				t.Errorf("webhook of a deleted channel: %s, want 404", gone)
			}
		}
		if r := h.send(request{method: "GET", path: "/api/v1/webhooks/meta/nope?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1"}); r.status != 404 {
			t.Errorf("unknown key: %s", r)
		}
		for name, mut := range map[string]func(map[string]any){
			"no page id":            func(b map[string]any) { delete(b, "page_id") },
			"bad page id":           func(b map[string]any) { b["page_id"] = "12/../3" },
			"no token":              func(b map[string]any) { b["page_access_token"] = " " },
			"no app secret":         func(b map[string]any) { delete(b, "app_secret") },
			"instagram id":          func(b map[string]any) { b["instagram_account_id"] = fakeMetaIGID },
			"whatsapp access_token": func(b map[string]any) { b["access_token"] = fakeMetaToken },
			"refused token":         func(b map[string]any) { b["page_access_token"] = "EAAG-expired" },
		} {
			b := metaCreateBody(meta.KindMessenger, "X")
			mut(b)
			r := h.as(actAdmin, "POST", "/api/v1/channels", b)
			if r.status != 422 {
				t.Errorf("%s: %s, want 422", name, r)
			}
			assertErrorEnvelope(t, r, name)
		}
		b := metaCreateBody(meta.KindInstagram, "X")
		delete(b, "instagram_account_id")
		if r := h.as(actAdmin, "POST", "/api/v1/channels", b); r.status != 422 {
			t.Errorf("instagram without its account id: %s", r)
		}
		if r := h.as(actAdmin, "POST", "/api/v1/channels", map[string]any{"kind": "api", "name": "X", "page_access_token": "x"}); r.status != 422 {
			t.Errorf("meta fields on an API channel: %s", r)
		}
	})
}

func TestMetaWebhook(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		ws := h.fix.WS.ID
		ctx := context.Background()
		ms := h.newMetaChannel(meta.KindMessenger)
		ig := h.newMetaChannel(meta.KindInstagram)

		// the Messenger attachments come from the fake CDN
		h.meta.setFile("foto-nota.jpg", []byte("jpeg bytes"))
		h.meta.setFile("comprovante.pdf", []byte("pdf bytes"))
		rewrite := func(b []byte) []byte {
			s := strings.ReplaceAll(string(b), "https://scontent.xx.fbcdn.net/v/t1.15752-9/foto-nota.jpg?_nc_cat=1&oh=abc&oe=1", h.meta.cdnURL("foto-nota.jpg"))
			return []byte(strings.ReplaceAll(s, "https://cdn.fbsbx.com/v/t59.2708-21/comprovante.pdf?_nc_cat=2&oh=def&oe=2", h.meta.cdnURL("comprovante.pdf")))
		}
		samples := []struct {
			c      waChannel
			file   string
			stored []string // mids stored on the channel
		}{
			{ms, "messenger_text.json", []string{"m_AbCdEf0123456789-text"}},
			{ms, "messenger_attachments.json", []string{"m_AbCdEf0123456789-attachments"}},
			{ms, "messenger_echo.json", nil},
			{ms, "messenger_delivery.json", nil},
			{ms, "messenger_read.json", nil},
			{ig, "instagram_text.json", []string{"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAx-text"}},
			{ig, "instagram_image.json", []string{"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAx-image"}},
			{ig, "instagram_echo.json", nil},
			// a Messenger payload on the Instagram channel is not its own
			{ig, "messenger_text.json", nil},
		}
		for _, s := range samples {
			body := rewrite(metaSample(t, s.file))
			path := s.c.hookPath(h)
			before := h.snapshot()
			calls := h.meta.callCount()
			for _, secret := range []string{"forged-" + fakeMetaAppSecret, ""} {
				r := h.postMeta(path, body, secret)
				if r.status != 401 {
					t.Errorf("%s signed with %q: %s, want 401", s.file, secret, r)
				}
				assertErrorEnvelope(t, r, s.file+" forged")
			}
			if d := before.diff(h.snapshot()); len(d) > 0 {
				t.Errorf("%s with a forged signature changed the database: %v", s.file, d)
			}
			if h.meta.callCount() != calls {
				t.Errorf("%s with a forged signature called Meta", s.file)
			}
			for i := 0; i < 3; i++ {
				r := h.postMeta(path, body, fakeMetaAppSecret)
				if r.status != 200 {
					t.Fatalf("%s #%d: %s", s.file, i+1, r)
				}
				var a waAck
				r.into(t, &a)
				want := "ignored"
				if len(s.stored) > 0 {
					want = "duplicate"
					if i == 0 {
						want = "stored"
					}
				}
				if a.Result != want {
					t.Errorf("%s #%d: result %q, want %q", s.file, i+1, a.Result, want)
				}
			}
			for _, mid := range s.stored {
				if n := h.count(`SELECT count(*) FROM messages WHERE channel_id = $1 AND external_id = $2`, s.c.ID, mid); n != 1 {
					t.Errorf("%s: %d messages %s, want 1", s.file, n, mid)
				}
			}
		}
		if n := h.count(`SELECT count(*) FROM messages WHERE channel_id IN ($1, $2) AND external_id LIKE 'm_PageSent%'`, ms.ID, ig.ID); n != 0 {
			t.Errorf("%d echoes stored", n)
		}
		if n := h.count(`SELECT count(*) FROM messages WHERE channel_id = $1 AND direction = 'in'`, ig.ID); n != 2 {
			t.Errorf("%d messages on the Instagram channel, want 2", n)
		}

		get := func(c waChannel, mid string) store.Message {
			t.Helper()
			m, err := h.db.R().MessageByExternalID(ctx, c.ID, mid)
			if err != nil {
				t.Fatalf("%s: %v", mid, err)
			}
			return h.message(ws, m.ID)
		}
		// the customer, keyed on the PSID, named by the profile API
		m := get(ms, "m_AbCdEf0123456789-text")
		if m.Direction != store.DirIn || m.Content != "Olá! Meu pedido 4521 ainda não chegou." {
			t.Errorf("text message: %+v", m)
		}
		id, err := h.db.R().ContactByIdentity(ctx, ms.ID, fakeMetaPSID)
		if err != nil {
			t.Fatal(err)
		}
		if ct, _ := h.db.R().Contact(ctx, ws, id); ct.Name != "Ana Souza" {
			t.Errorf("messenger contact: %+v", ct)
		}
		if n := len(h.meta.callsTo("GET", "/v25.0/"+fakeMetaPSID)); n != 1 {
			t.Errorf("profile read %d times, want once", n)
		}
		// Messenger files are downloaded (the first kept, the second noted)
		m = get(ms, "m_AbCdEf0123456789-attachments")
		if len(m.Attachments) != 1 || m.Attachments[0].Size != int64(len("jpeg bytes")) || !strings.Contains(m.Content, "document not stored") {
			t.Errorf("attachments message: %q %+v", m.Content, m.Attachments)
		}
		// Instagram files are not: their URL is in the text
		m = get(ig, "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAx-image")
		if len(m.Attachments) != 0 || !strings.Contains(m.Content, "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17900000000000001&signature=abc") {
			t.Errorf("instagram image: %q %+v", m.Content, m.Attachments)
		}
		if n := len(h.meta.callsTo("GET", "/cdn/foto-nota.jpg")); n != 1 {
			t.Errorf("the Messenger image was fetched %d times, want 1", n)
		}
		id, err = h.db.R().ContactByIdentity(ctx, ig.ID, fakeMetaIGSID)
		if err != nil {
			t.Fatal(err)
		}
		if ct, _ := h.db.R().Contact(ctx, ws, id); ct.Name != "Bia Lima" {
			t.Errorf("instagram contact: %+v", ct)
		}

		// a reaction is a short text
		var a waAck
		h.postMeta(ms.hookPath(h), metaSample(t, "messenger_reaction.json"), fakeMetaAppSecret).into(t, &a)
		if m := h.message(ws, a.MessageID); a.Result != "stored" || !strings.Contains(m.Content, "reacted") {
			t.Errorf("reaction: %+v %q", a, m.Content)
		}

		// bad input on a real channel stores nothing
		before := h.snapshot()
		for _, bad := range []struct {
			name, body string
			want       int
		}{
			{"malformed JSON", `{"object":`, 400},
			{"not a Meta webhook", `{"object":"whatsapp_business_account","entry":[]}`, 400},
			{"oversized", `{"object":"page","entry":[{"id":"` + strings.Repeat("1", 4<<20) + `"}]}`, 413},
		} {
			r := h.postMeta(ms.hookPath(h), []byte(bad.body), fakeMetaAppSecret)
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

func TestMetaDelivery(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withBackoff(20*time.Millisecond))
		c := h.newMetaChannel(meta.KindMessenger)
		ws := h.fix.WS.ID
		path := c.hookPath(h)

		customerSays := func(n int) int64 {
			t.Helper()
			body := strings.ReplaceAll(string(metaSample(t, "messenger_text.json")), "m_AbCdEf", "m_IN"+strconv.Itoa(n))
			r := h.postMeta(path, []byte(body), fakeMetaAppSecret)
			if r.status != 200 {
				t.Fatalf("customer message: %s", r)
			}
			var a waAck
			r.into(t, &a)
			return a.ConversationID
		}
		reply := func(conv int64, text string) store.Message {
			t.Helper()
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
		sendPath := "/v25.0/" + fakeMetaPageID + "/messages"
		sendsWith := func(text string) []waCall {
			var out []waCall
			for _, call := range h.meta.callsTo("POST", sendPath) {
				var b struct {
					Message struct {
						Text string `json:"text"`
					} `json:"message"`
				}
				_ = json.Unmarshal(call.Body, &b)
				if b.Message.Text == text {
					out = append(out, call)
				}
			}
			return out
		}

		// delivered once, to the PSID, as the Send API documents
		conv := customerSays(1)
		m := reply(conv, "Seu pedido saiu para entrega hoje.")
		m = settle(m.ID, store.DeliverySent)
		time.Sleep(100 * time.Millisecond)
		sends := sendsWith("Seu pedido saiu para entrega hoje.")
		if len(sends) != 1 {
			t.Fatalf("%d sends of the reply, want 1", len(sends))
		}
		if s := sends[0]; s.Auth != "Bearer "+fakeMetaToken || s.ContentType != "application/json" || strings.Contains(s.Query, fakeMetaToken) {
			t.Errorf("send: %+v", s)
		}
		if got, want := string(sends[0].Body), `{"recipient":{"id":"`+fakeMetaPSID+`"},"messaging_type":"RESPONSE","message":{"text":"Seu pedido saiu para entrega hoje."}}`; got != want {
			t.Errorf("send body\n%s, want\n%s", got, want)
		}
		if m.ExternalID == nil || !strings.HasPrefix(*m.ExternalID, "m_OUT") {
			t.Fatalf("external id = %v", m.ExternalID)
		}

		// a later reply, one minute on
		h.conv.SetClock(func() time.Time { return time.Now().Add(time.Minute) })
		later := settle(reply(conv, "Mais alguma coisa?").ID, store.DeliverySent)

		// a read watermark between them marks only the earlier one read; re-sent, once
		wm := strconv.FormatInt(time.Now().Add(30*time.Second).UnixMilli(), 10)
		read := []byte(strings.ReplaceAll(string(metaSample(t, "messenger_read.json")), "1718000500253", wm))
		for i := 0; i < 3; i++ {
			if r := h.postMeta(path, read, fakeMetaAppSecret); r.status != 200 {
				t.Fatal(r)
			}
		}
		if got := h.message(ws, m.ID).Status; got != store.DeliveryRead {
			t.Errorf("earlier reply after the read watermark: %s", got)
		}
		if got := h.message(ws, later.ID).Status; got != store.DeliverySent {
			t.Errorf("later reply after the read watermark: %s", got)
		}
		// a delivery watermark later never moves "read" back
		del := []byte(strings.ReplaceAll(string(metaSample(t, "messenger_delivery.json")), "1718000400253", strconv.FormatInt(time.Now().Add(2*time.Minute).UnixMilli(), 10)))
		if r := h.postMeta(path, del, fakeMetaAppSecret); r.status != 200 {
			t.Fatal(r)
		}
		if got := h.message(ws, m.ID).Status; got != store.DeliveryRead {
			t.Errorf("read reply after a delivery watermark: %s", got)
		}
		if got := h.message(ws, later.ID).Status; got != store.DeliveryDelivered {
			t.Errorf("later reply after the delivery watermark: %s", got)
		}

		// between 24 hours and 7 days: the HUMAN_AGENT tag
		h.conv.SetClock(func() time.Time { return time.Now().Add(48 * time.Hour) })
		settle(reply(conv, "Conseguiu receber?").ID, store.DeliverySent)
		sends = sendsWith("Conseguiu receber?")
		if len(sends) != 1 || !strings.Contains(string(sends[0].Body), `"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT"`) {
			t.Errorf("tagged send: %+v", sends)
		}

		// rate limited: retried no sooner than Retry-After, then delivered
		h.conv.SetClock(time.Now)
		h.meta.mu.Lock()
		base := h.meta.sends
		h.meta.send = func(n int) (int, string, string) {
			if n == base+1 {
				return 429, "1", `{"error":{"message":"(#613) Calls to this api have exceeded the rate limit.","type":"OAuthException","code":613}}`
			}
			return 0, "", ""
		}
		h.meta.mu.Unlock()
		start := time.Now()
		settle(reply(conv, "Pode confirmar o endereço?").ID, store.DeliverySent)
		if waited := time.Since(start); waited < time.Second {
			t.Errorf("delivered %v after a 429 asking for 1s", waited)
		}
		if n := len(sendsWith("Pode confirmar o endereço?")); n != 2 {
			t.Errorf("%d sends of the rate-limited reply, want 2", n)
		}

		// after 7 days: refused with window_closed, a note is still fine
		h.conv.SetClock(func() time.Time { return time.Now().Add(7*24*time.Hour + time.Minute) })
		r := h.as(actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv), map[string]any{"kind": "reply", "content": "Ainda aí?"})
		if r.status != 422 || !strings.Contains(string(r.body), `"window_closed"`) {
			t.Errorf("reply after 7 days: %s, want 422 window_closed", r)
		}
		assertErrorEnvelope(t, r, "window closed")
		h.must(201, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv), map[string]any{"kind": "note", "content": "ligar amanhã"})
	})
}

// A reply still queued 7 days after the customer's last message fails at
// once with a clear reason, without calling Meta.
func TestMetaDeliveryWindowClosed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		c := h.newMetaChannel(meta.KindMessenger)
		ws := h.fix.WS.ID
		var a waAck
		h.postMeta(c.hookPath(h), metaSample(t, "messenger_text.json"), fakeMetaAppSecret).into(t, &a)
		var m store.Message
		h.must(201, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", a.ConversationID),
			map[string]any{"kind": "reply", "content": "Já verifico."}).into(t, &m)
		h.conv.SetClock(func() time.Time { return time.Now().Add(8 * 24 * time.Hour) })
		d := &providers.MetaDeliverer{DB: h.db, Blobs: h.blobs, Status: h.conv, Providers: h.provs, Now: h.conv.Now}
		err := d.Handle(context.Background(), store.Job{WorkspaceID: ws, Kind: "deliver", Payload: fmt.Sprintf(`{"message_id":%d}`, m.ID), Attempts: 1, MaxAttempts: 8})
		if !errors.Is(err, jobs.ErrPermanent) || !errors.Is(err, meta.ErrWindowClosed) {
			t.Fatalf("delivery after 7 days: %v", err)
		}
		m = h.message(ws, m.ID)
		if m.Status != store.DeliveryFailed || !strings.Contains(m.Error, "7 days") {
			t.Errorf("message after the window closed: %s %q", m.Status, m.Error)
		}
		if n := len(h.meta.callsTo("POST", "/v25.0/"+fakeMetaPageID+"/messages")); n != 0 {
			t.Errorf("the Send API was called %d times", n)
		}
	})
}

// metaSendBody is the part of a Send API body the multi-part tests read.
type metaSendBody struct {
	Recipient struct {
		ID string `json:"id"`
	} `json:"recipient"`
	MessagingType string `json:"messaging_type"`
	Message       struct {
		Text       string `json:"text"`
		Attachment *struct {
			Type    string `json:"type"`
			Payload struct {
				AttachmentID string `json:"attachment_id"`
			} `json:"payload"`
		} `json:"attachment"`
	} `json:"message"`
}

func metaSends(t testing.TB, calls []waCall) []metaSendBody {
	t.Helper()
	out := make([]metaSendBody, len(calls))
	for i, c := range calls {
		if err := json.Unmarshal(c.Body, &out[i]); err != nil {
			t.Fatalf("send %d: %v: %s", i, err, c.Body)
		}
	}
	return out
}

// A reply with several files goes out as one Send API message per file,
// each uploaded first; the first mid is the message's external id, and a
// read watermark moves the whole reply to read.
func TestMetaDeliveryAttachments(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withBackoff(20*time.Millisecond))
		c := h.newMetaChannel(meta.KindMessenger)
		ws := h.fix.WS.ID
		var a waAck
		h.postMeta(c.hookPath(h), metaSample(t, "messenger_text.json"), fakeMetaAppSecret).into(t, &a)
		var img, pdf store.Attachment
		h.upload(actAdmin, "foto.png", pngBytes).into(t, &img)
		h.upload(actAdmin, "boleto.pdf", []byte("%PDF-1.4\n1 0 obj\n")).into(t, &pdf)
		sendPath := "/v25.0/" + fakeMetaPageID + "/messages"
		uploadPath := "/v25.0/" + fakeMetaPageID + "/message_attachments"

		m := h.reply(actAdmin, a.ConversationID, "reply", "", img.ID, pdf.ID)
		m = h.waitStatus(ws, m.ID, store.DeliverySent)
		calls := h.meta.callsTo("POST", sendPath)
		if len(calls) != 2 {
			t.Fatalf("%d Send API calls for 2 files, want 2", len(calls))
		}
		uploads := h.meta.callsTo("POST", uploadPath)
		if len(uploads) != 2 || !bytes.Contains(uploads[0].Body, pngBytes) || !bytes.Contains(uploads[1].Body, []byte("%PDF-1.4")) {
			t.Fatalf("%d uploads, or not the files in order", len(uploads))
		}
		sends := metaSends(t, calls)
		for i, want := range []string{"image", "file"} {
			s := sends[i]
			if s.Recipient.ID != fakeMetaPSID || s.MessagingType != "RESPONSE" || s.Message.Text != "" || s.Message.Attachment == nil ||
				s.Message.Attachment.Type != want || s.Message.Attachment.Payload.AttachmentID == "" {
				t.Errorf("send %d: %s", i, calls[i].Body)
			}
		}
		if sends[0].Message.Attachment.Payload.AttachmentID == sends[1].Message.Attachment.Payload.AttachmentID {
			t.Errorf("both sends name attachment %s", sends[0].Message.Attachment.Payload.AttachmentID)
		}
		if m.ExternalID == nil || *m.ExternalID != "m_OUT1" {
			t.Errorf("external id %v, want the first part's mid m_OUT1", m.ExternalID)
		}

		// text and a file: the text first, then the file
		var pdf2 store.Attachment
		h.upload(actAdmin, "boleto2.pdf", []byte("%PDF-1.4\n2 0 obj\n")).into(t, &pdf2)
		m2 := h.reply(actAdmin, a.ConversationID, "reply", "Segue o boleto.", pdf2.ID)
		h.waitStatus(ws, m2.ID, store.DeliverySent)
		sends = metaSends(t, h.meta.callsTo("POST", sendPath)[2:])
		if len(sends) != 2 || sends[0].Message.Text != "Segue o boleto." || sends[1].Message.Attachment == nil || sends[1].Message.Attachment.Type != "file" {
			t.Fatalf("text and file: %+v", sends)
		}

		// a read watermark after both covers every part
		wm := strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10)
		read := []byte(strings.ReplaceAll(string(metaSample(t, "messenger_read.json")), "1718000500253", wm))
		if r := h.postMeta(c.hookPath(h), read, fakeMetaAppSecret); r.status != 200 {
			t.Fatal(r)
		}
		for _, id := range []int64{m.ID, m2.ID} {
			if got := h.message(ws, id).Status; got != store.DeliveryRead {
				t.Errorf("message %d after the read watermark: %s", id, got)
			}
		}
	})
}

// A failure after some parts went out retries only the parts still
// missing: the customer never gets a file twice.
func TestMetaDeliveryPartsResume(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withBackoff(20*time.Millisecond))
		c := h.newMetaChannel(meta.KindMessenger)
		ws := h.fix.WS.ID
		var a waAck
		h.postMeta(c.hookPath(h), metaSample(t, "messenger_text.json"), fakeMetaAppSecret).into(t, &a)
		var img, pdf store.Attachment
		h.upload(actAdmin, "foto.png", pngBytes).into(t, &img)
		h.upload(actAdmin, "boleto.pdf", []byte("%PDF-1.4\n1 0 obj\n")).into(t, &pdf)
		h.meta.mu.Lock()
		h.meta.send = func(n int) (int, string, string) {
			if n == 2 { // the second part, once: a temporary failure
				return 500, "", `{"error":{"message":"An unexpected error has occurred. Please retry your request later.","type":"OAuthException","code":2}}`
			}
			return 0, "", ""
		}
		h.meta.mu.Unlock()

		m := h.reply(actAdmin, a.ConversationID, "reply", "", img.ID, pdf.ID)
		m = h.waitStatus(ws, m.ID, store.DeliverySent)
		sends := metaSends(t, h.meta.callsTo("POST", "/v25.0/"+fakeMetaPageID+"/messages"))
		var types []string
		for _, s := range sends {
			if s.Message.Attachment == nil {
				t.Fatalf("a send without a file: %+v", s)
			}
			types = append(types, s.Message.Attachment.Type)
		}
		if got := strings.Join(types, ","); got != "image,file,file" {
			t.Fatalf("sends %s, want image,file (refused),file", got)
		}
		if m.ExternalID == nil || *m.ExternalID != "m_OUT1" || m.Error != "" {
			t.Errorf("message after the retry: %v %q", m.ExternalID, m.Error)
		}

		// the same job run again (a lost completion) sends nothing more
		d := &providers.MetaDeliverer{DB: h.db, Blobs: h.blobs, Status: h.conv, Providers: h.provs, Now: h.conv.Now}
		if err := d.Handle(context.Background(), store.Job{WorkspaceID: ws, Kind: "deliver", Payload: fmt.Sprintf(`{"message_id":%d}`, m.ID), Attempts: 3, MaxAttempts: 8}); err != nil {
			t.Fatal(err)
		}
		if n := len(h.meta.callsTo("POST", "/v25.0/"+fakeMetaPageID+"/messages")); n != 3 {
			t.Errorf("%d sends after running the job again, want 3", n)
		}
	})
}

// A permanent refusal part-way fails the message with how far it got; a
// later run of the job resends nothing.
func TestMetaDeliveryPartsPermanentFailure(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		c := h.newMetaChannel(meta.KindMessenger)
		ws := h.fix.WS.ID
		var a waAck
		h.postMeta(c.hookPath(h), metaSample(t, "messenger_text.json"), fakeMetaAppSecret).into(t, &a)
		var img store.Attachment
		h.upload(actAdmin, "foto.png", pngBytes).into(t, &img)
		h.meta.mu.Lock()
		h.meta.send = func(n int) (int, string, string) {
			if n == 2 {
				return 400, "", `{"error":{"message":"(#551) This person isn't available right now.","type":"OAuthException","code":551}}`
			}
			return 0, "", ""
		}
		h.meta.mu.Unlock()
		m := h.reply(actAdmin, a.ConversationID, "reply", "Segue a foto.", img.ID)
		d := &providers.MetaDeliverer{DB: h.db, Blobs: h.blobs, Status: h.conv, Providers: h.provs, Now: h.conv.Now}
		job := store.Job{WorkspaceID: ws, Kind: "deliver", Payload: fmt.Sprintf(`{"message_id":%d}`, m.ID), Attempts: 1, MaxAttempts: 8}
		if err := d.Handle(context.Background(), job); !errors.Is(err, jobs.ErrPermanent) {
			t.Fatalf("delivery: %v, want a permanent failure", err)
		}
		m = h.message(ws, m.ID)
		if m.Status != store.DeliveryFailed || !strings.Contains(m.Error, "1 of the 2 parts") || !strings.Contains(m.Error, "isn't available") {
			t.Errorf("message: %s %q", m.Status, m.Error)
		}
		if m.ExternalID == nil || *m.ExternalID != "m_OUT1" {
			t.Errorf("external id %v: the text that went out is not recorded", m.ExternalID)
		}
	})
}

// An agent's reply on an Instagram channel reaches the Send API as
// Instagram documents it: POST /me/messages (the account the token speaks
// for), the token as a Bearer header and never in the URL, a JSON body
// naming the customer's IGSID; a file is uploaded with platform=instagram
// first and sent by attachment_id.
func TestInstagramDelivery(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withBackoff(20*time.Millisecond))
		c := h.newMetaChannel(meta.KindInstagram)
		ws := h.fix.WS.ID
		var a waAck
		h.postMeta(c.hookPath(h), metaSample(t, "instagram_text.json"), fakeMetaAppSecret).into(t, &a)
		if a.ConversationID == 0 {
			t.Fatal("no conversation from the Instagram message")
		}
		m := h.reply(actAgentA, a.ConversationID, "reply", "Entregamos sim! Frete grátis para Campinas.")
		m = h.waitStatus(ws, m.ID, store.DeliverySent)
		sends := h.meta.callsTo("POST", "/v25.0/me/messages")
		if len(sends) != 1 {
			t.Fatalf("%d sends to /me/messages, want 1 (calls: %d)", len(sends), h.meta.callCount())
		}
		s := sends[0]
		if s.Auth != "Bearer "+fakeMetaToken || s.ContentType != "application/json" || s.Query != "" {
			t.Errorf("send headers: auth %q, type %q, query %q", s.Auth, s.ContentType, s.Query)
		}
		want := `{"recipient":{"id":"` + fakeMetaIGSID + `"},"messaging_type":"RESPONSE","message":{"text":"Entregamos sim! Frete grátis para Campinas."}}`
		if string(s.Body) != want {
			t.Errorf("send body\n%s, want\n%s", s.Body, want)
		}
		if m.ExternalID == nil || !strings.HasPrefix(*m.ExternalID, "m_OUT") {
			t.Errorf("external id %v", m.ExternalID)
		}

		// a photo: uploaded for Instagram, then sent by attachment_id
		var img store.Attachment
		h.upload(actAgentA, "foto.png", pngBytes).into(t, &img)
		m2 := h.reply(actAgentA, a.ConversationID, "reply", "", img.ID)
		h.waitStatus(ws, m2.ID, store.DeliverySent)
		uploads := h.meta.callsTo("POST", "/v25.0/me/message_attachments")
		if len(uploads) != 1 || !bytes.Contains(uploads[0].Body, []byte(`name="platform"`+"\r\n\r\ninstagram")) || !bytes.Contains(uploads[0].Body, pngBytes) {
			t.Fatalf("%d Instagram uploads, or without platform=instagram", len(uploads))
		}
		sends = h.meta.callsTo("POST", "/v25.0/me/messages")
		if len(sends) != 2 {
			t.Fatalf("%d sends, want 2", len(sends))
		}
		b := metaSends(t, sends[1:])[0]
		if b.Recipient.ID != fakeMetaIGSID || b.Message.Attachment == nil || b.Message.Attachment.Type != "image" || b.Message.Attachment.Payload.AttachmentID == "" {
			t.Errorf("photo send: %s", sends[1].Body)
		}

		// Instagram's read receipt names the mid it saw: the reply goes read
		read := strings.ReplaceAll(string(metaSample(t, "instagram_read.json")), "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAx-sent1", "m_OUT2")
		read = strings.ReplaceAll(read, "1718001400349", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
		if r := h.postMeta(c.hookPath(h), []byte(read), fakeMetaAppSecret); r.status != 200 {
			t.Fatal(r)
		}
		for _, id := range []int64{m.ID, m2.ID} {
			if got := h.message(ws, id).Status; got != store.DeliveryRead {
				t.Errorf("message %d after the Instagram read receipt: %s", id, got)
			}
		}
	})
}
