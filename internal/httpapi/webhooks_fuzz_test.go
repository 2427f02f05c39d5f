package httpapi_test

// Fuzz targets for the provider webhooks. Each posts arbitrary bodies to
// the real handler (in process, SQLite), signed or authenticated as the
// provider would, so that the fuzzer gets past authentication to the
// parser and the store, and checks the all-or-nothing contract:
//   - never a 5xx, except 503 provider_unavailable when a customer's file
//     could not be fetched from the provider (which then sends the webhook
//     again): that message is not written, nor anything after it in the
//     batch;
//   - a refused body (4xx) writes nothing, in any table or blob storage;
//   - an accepted body changes only the tables an inbound message or a
//     delivery report touches, with one blob file per new attachment row;
//   - the same body posted again changes nothing.
// Media downloads may only reach the fake providers: any other address
// fails at once (as an unreachable provider, the 503 path).

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel/meta"
	"github.com/atende/atende/internal/channel/sms"
	"github.com/atende/atende/internal/channel/telegram"
	"github.com/atende/atende/internal/channel/whatsapp"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

// webhookWrites are the tables a webhook may change: an inbound message
// (its contact, conversation, message, attachment, counters and the jobs
// it triggers), a delivery report, and the record of handled events.
var webhookWrites = map[string]bool{
	"contacts": true, "contact_identities": true, "contact_handles": true, "conversations": true, "conversation_counts": true,
	"conversation_reads": true, "messages": true, "attachments": true, "jobs": true, "channel_events": true, "files": true,
}

// webhookTarget is one webhook endpoint under fuzz.
type webhookTarget struct {
	h *testAPI
	// post sends body to the endpoint, authenticated.
	post func(body []byte) response
	// inbound is how many customer messages body carries for the channel:
	// a 503 may leave the ones before the failing one of a batch stored.
	inbound func(body []byte) int
}

// newWebhookFuzzAPI is a server with no job runner (nothing may change the
// database between snapshots) and a small attachment limit.
func newWebhookFuzzAPI(f *testing.F) *testAPI {
	return newTestAPI(f, storetest.SQLite, withoutRunner(), withMaxBlob(64<<10))
}

// fakesOnly makes the provider clients reach only the fake providers,
// with short timeouts: a fuzzed media URL naming any other host fails at
// once instead of hanging the fuzz loop on the network.
func (h *testAPI) fakesOnly() {
	allowed := map[string]bool{}
	for _, s := range []*httptest.Server{h.tg.Server, h.wa.Server, h.meta.Server, h.sms.Server} {
		allowed[s.Listener.Addr().String()] = true
	}
	d := &net.Dialer{Timeout: time.Second}
	h.provs.HTTP = &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if !allowed[addr] {
				return nil, fmt.Errorf("fuzz: %s is not a fake provider", addr)
			}
			return d.DialContext(ctx, network, addr)
		},
	}}
}

// serveLocal runs one request through the handler in process.
func (h *testAPI) serveLocal(path string, body []byte, hdr http.Header) response {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	for k, v := range hdr {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.api.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// replyWithExternalID queues an agent's reply on conv and gives it the
// provider id ext, as a delivery would, so that the fuzzer's delivery
// reports naming ext reach the status update.
func (h *testAPI) replyWithExternalID(conv int64, ext string) {
	h.t.Helper()
	var m store.Message
	h.must(201, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv), map[string]any{"kind": "reply", "content": "Resposta " + ext}).into(h.t, &m)
	if err := h.db.W().SetMessageExternalID(context.Background(), h.fix.WS.ID, m.ID, ext); err != nil {
		h.t.Fatal(err)
	}
}

// check posts body and checks the contract above.
func (w webhookTarget) check(t *testing.T, body []byte) {
	h := w.h
	prev := h.t
	h.t = t // the harness helpers report on the running input
	defer func() { h.t = prev }()
	attachments := func() int64 { return h.count(`SELECT count(*) FROM attachments`) }
	before, attBefore, filesBefore := h.snapshot(), attachments(), h.blobFiles()
	r := w.post(body)
	after, attAfter, filesAfter := h.snapshot(), attachments(), h.blobFiles()
	changed := before.diff(after)
	if int64(filesAfter-filesBefore) != attAfter-attBefore {
		t.Fatalf("%s: blob files %d→%d but attachment rows %d→%d", r, filesBefore, filesAfter, attBefore, attAfter)
	}
	onlyWebhookTables := func() {
		t.Helper()
		for table := range after {
			if before[table] != after[table] && !webhookWrites[table] {
				t.Fatalf("%s: changed %s: %v", r, table, changed)
			}
		}
	}
	switch {
	case r.status >= 500:
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		r.into(t, &e)
		if r.status != http.StatusServiceUnavailable || e.Error.Code != "provider_unavailable" {
			t.Fatalf("server error for %q: %s", body, r)
		}
		if w.inbound(body) <= 1 && len(changed) > 0 {
			t.Fatalf("media not fetched (%s) but wrote: %v", r, changed)
		}
		onlyWebhookTables()
	case r.status >= 400:
		assertErrorEnvelope(t, r, "refused webhook")
		if len(changed) > 0 {
			t.Fatalf("refused (%s) but wrote: %v", r, changed)
		}
	default:
		onlyWebhookTables()
		again := w.post(body)
		if again.status < 200 || again.status > 299 {
			t.Fatalf("accepted (%s), then refused the same body: %s", r, again)
		}
		if d := after.diff(h.snapshot()); len(d) > 0 {
			t.Fatalf("the same body posted twice (%s, then %s) wrote again: %v", r, again, d)
		}
	}
}

// samples reads every file of a channel package's testdata with one of exts.
func samples(f *testing.F, pkg string, exts ...string) map[string][]byte {
	dir := filepath.Join("..", "channel", pkg, "testdata")
	entries, err := os.ReadDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		for _, ext := range exts {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ext) {
				b, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					f.Fatal(err)
				}
				out[e.Name()] = b
			}
		}
	}
	if len(out) == 0 {
		f.Fatalf("no samples in %s", dir)
	}
	return out
}

func FuzzTelegramWebhook(f *testing.F) {
	h := newWebhookFuzzAPI(f)
	c := h.newTelegramChannel()
	secret, path := h.tg.secret(f), c.hookPath(h)
	for _, b := range samples(f, "telegram", ".json") {
		f.Add(b)
	}
	for _, s := range []string{`{}`, `null`, `[]`, ``, `{"update_id":1}`, `{"update_id":-1,"message":{"message_id":0,"chat":{"id":0,"type":"private"}}}`,
		`{"update_id":2,"message":{"message_id":2,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"A"},"text":"a\u0000b"}}`,
		`{"update_id":3,"message":{"message_id":3,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"A"},"document":{"file_id":"../x","file_unique_id":"u","file_name":"../../etc/passwd"}}}`} {
		f.Add([]byte(s))
	}
	h.fakesOnly()
	w := webhookTarget{h: h,
		post: func(body []byte) response {
			return h.serveLocal(path, body, http.Header{telegram.HeaderSecretToken: {secret}, "Content-Type": {"application/json"}})
		},
		inbound: func([]byte) int { return 1 }, // one update, one message
	}
	f.Fuzz(func(t *testing.T, body []byte) { w.check(t, body) })
}

func FuzzWhatsAppWebhook(f *testing.F) {
	h := newWebhookFuzzAPI(f)
	c := h.newWhatsAppChannel()
	path := c.hookPath(h)
	post := func(body []byte) response {
		return h.serveLocal(path, body, http.Header{whatsapp.HeaderSignature: {whatsapp.Sign(body, fakeWAAppSecret)}, "Content-Type": {"application/json"}})
	}
	all := samples(f, "whatsapp", ".json")
	for _, b := range all {
		f.Add(b)
		if batch, err := whatsapp.Parse(b); err == nil {
			if line, ok := batch.Line(fakeWAPhoneNumberID); ok {
				for _, in := range line.Messages {
					for _, m := range in.Media {
						h.wa.setMedia(m.Ref, []byte(waMediaBytes[m.Kind]))
					}
				}
			}
		}
	}
	// a conversation with a reply the status samples name
	r := post(all["text.json"])
	var ack waAck
	r.into(f, &ack)
	st, err := whatsapp.Parse(all["status_delivered.json"])
	if err != nil || ack.ConversationID == 0 {
		f.Fatalf("setup: %s %v", r, err)
	}
	h.replyWithExternalID(ack.ConversationID, st.Lines[0].Statuses[0].ExternalID)
	for _, s := range []string{`{}`, `null`, `{"object":"whatsapp_business_account","entry":[]}`,
		`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"` + fakeWAPhoneNumberID + `"},"messages":[{"from":"1","id":"wamid.X","timestamp":"1","type":"image","image":{"id":"nope"}}]}}]}]}`} {
		f.Add([]byte(s))
	}
	h.fakesOnly()
	w := webhookTarget{h: h, post: post, inbound: func(body []byte) int {
		batch, err := whatsapp.Parse(body)
		if err != nil {
			return 0
		}
		line, _ := batch.Line(fakeWAPhoneNumberID)
		return len(line.Messages)
	}}
	f.Fuzz(func(t *testing.T, body []byte) { w.check(t, body) })
}

func FuzzMetaWebhook(f *testing.F) {
	h := newWebhookFuzzAPI(f)
	paths := map[bool]string{false: h.newMetaChannel(meta.KindMessenger).hookPath(h), true: h.newMetaChannel(meta.KindInstagram).hookPath(h)}
	post := func(instagram bool, body []byte) response {
		return h.serveLocal(paths[instagram], body, http.Header{meta.HeaderSignature: {meta.Sign(fakeMetaAppSecret, body)}, "Content-Type": {"application/json"}})
	}
	// the Messenger files also come from the fake CDN, as the webhook test does
	h.meta.setFile("foto-nota.jpg", []byte("jpeg bytes"))
	h.meta.setFile("comprovante.pdf", []byte("pdf bytes"))
	toCDN := strings.NewReplacer(
		"https://scontent.xx.fbcdn.net/v/t1.15752-9/foto-nota.jpg?_nc_cat=1&oh=abc&oe=1", h.meta.cdnURL("foto-nota.jpg"),
		"https://cdn.fbsbx.com/v/t59.2708-21/comprovante.pdf?_nc_cat=2&oh=def&oe=2", h.meta.cdnURL("comprovante.pdf"))
	all := samples(f, "meta", ".json")
	for name, b := range all {
		ig := strings.HasPrefix(name, "instagram")
		f.Add(b, ig)
		if local := toCDN.Replace(string(b)); local != string(b) {
			f.Add([]byte(local), ig)
		}
	}
	// a conversation with a reply the Instagram read receipt names
	r := post(true, all["instagram_text.json"])
	var ack waAck
	r.into(f, &ack)
	batch, err := meta.Parse(all["instagram_read.json"])
	if err != nil || ack.ConversationID == 0 || len(batch.Accounts) == 0 {
		f.Fatalf("setup: %s %v", r, err)
	}
	for _, st := range batch.Accounts[0].Statuses {
		h.replyWithExternalID(ack.ConversationID, st.ExternalID)
	}
	f.Add([]byte(`{"object":"page","entry":[]}`), false)
	f.Add([]byte(`{}`), true)
	h.fakesOnly()
	inbound := func(body []byte) int {
		b, err := meta.Parse(body)
		if err != nil {
			return 0
		}
		n := 0
		for _, a := range b.Accounts {
			n += len(a.Inbound)
		}
		return n
	}
	targets := map[bool]webhookTarget{}
	for _, ig := range []bool{false, true} {
		targets[ig] = webhookTarget{h: h, post: func(body []byte) response { return post(ig, body) }, inbound: inbound}
	}
	f.Fuzz(func(t *testing.T, body []byte, instagram bool) { targets[instagram].check(t, body) })
}

// smsFuzz is an SMS channel under fuzz: the form is posted as the body
// given, signed over the URL the handler sees (in process, example.com).
func smsFuzz(f *testing.F) (*testAPI, func(path string, body []byte) response, string) {
	h := newWebhookFuzzAPI(f)
	c := h.newSMSChannel()
	post := func(path string, body []byte) response {
		// the signature covers the form as the handler parses it; a body
		// that is not a form goes unsigned and is refused
		hdr := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		if form, err := url.ParseQuery(string(body)); err == nil {
			hdr.Set(sms.HeaderSignature, sms.Sign(fakeSMSToken, "http://example.com"+path, form))
		}
		return h.serveLocal(path, body, hdr)
	}
	return h, post, c.hookPath(h)
}

// smsSamples are the testdata forms, with the media URLs on the fake
// provider (which serves them) as well as on the real one (unreachable).
func smsSamples(f *testing.F, h *testAPI) map[string][]byte {
	all := samples(f, "sms", ".form")
	for name, b := range all {
		b = bytes.TrimSpace(b)
		all[name] = b
		form, _ := url.ParseQuery(string(b))
		local := false
		for k, v := range form {
			if strings.HasPrefix(k, "MediaUrl") && len(v) == 1 {
				if u, err := url.Parse(v[0]); err == nil {
					form.Set(k, h.sms.URL+u.Path)
					h.sms.setMedia(u.Path, pngBytes)
					local = true
				}
			}
		}
		if local {
			all["local_"+name] = []byte(form.Encode())
		}
	}
	return all
}

func FuzzSMSWebhook(f *testing.F) {
	h, post, path := smsFuzz(f)
	for _, b := range smsSamples(f, h) {
		f.Add(b)
	}
	f.Add([]byte(``))
	f.Add([]byte(`AccountSid=` + fakeSMSAccount))
	f.Add([]byte(`AccountSid=` + fakeSMSAccount + `&MessageSid=SM1&From=%2B5511&Body=%00&NumMedia=1&MediaUrl0=ftp%3A%2F%2Fx`))
	h.fakesOnly()
	w := webhookTarget{h: h, post: func(body []byte) response { return post(path, body) }, inbound: func([]byte) int { return 1 }}
	f.Fuzz(func(t *testing.T, body []byte) { w.check(t, body) })
}

func FuzzSMSStatusWebhook(f *testing.F) {
	h, post, path := smsFuzz(f)
	all := smsSamples(f, h)
	for _, b := range all {
		f.Add(b)
	}
	// a conversation with replies the status samples name
	r := post(path, all["local_inbound_mms.form"])
	if r.status != http.StatusOK {
		f.Fatalf("setup: %s", r)
	}
	conv := h.count(`SELECT max(id) FROM conversations`)
	seen := map[string]bool{}
	for name, b := range all {
		if strings.HasPrefix(name, "status_") {
			form, _ := url.ParseQuery(string(b))
			if sid := form.Get("MessageSid"); sid != "" && !seen[sid] {
				seen[sid] = true
				h.replyWithExternalID(conv, sid)
			}
		}
	}
	f.Add([]byte(`AccountSid=` + fakeSMSAccount + `&MessageSid=SM1&MessageStatus=failed&ErrorCode=%00`))
	h.fakesOnly()
	w := webhookTarget{h: h, post: func(body []byte) response { return post(path+"/status", body) }, inbound: func([]byte) int { return 0 }}
	f.Fuzz(func(t *testing.T, body []byte) { w.check(t, body) })
}

// TestWebhookForgedSignature: a body with a wrong signature or secret is
// refused with 401 and writes nothing, on every provider webhook.
func TestWebhookForgedSignature(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		tg := h.newTelegramChannel().hookPath(h)
		wa := h.newWhatsAppChannel().hookPath(h)
		ms := h.newMetaChannel(meta.KindMessenger).hookPath(h)
		sm := h.newSMSChannel().hookPath(h)
		read := func(pkg, name string) []byte {
			b, err := os.ReadFile(filepath.Join("..", "channel", pkg, "testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			return bytes.TrimSpace(b)
		}
		form := func(name string) url.Values {
			v, err := url.ParseQuery(string(read("sms", name)))
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		text, status := form("inbound_text.form"), form("status_delivered.form")
		forged := strings.Repeat("0", 64)
		for _, c := range []struct {
			name, path string
			body       []byte
			hdr        http.Header
		}{
			{"telegram", tg, read("telegram", "text.json"), http.Header{telegram.HeaderSecretToken: {"forged-secret-token"}}},
			{"whatsapp", wa, read("whatsapp", "text.json"), http.Header{whatsapp.HeaderSignature: {"sha256=" + forged}}},
			{"whatsapp other secret", wa, read("whatsapp", "text.json"), http.Header{whatsapp.HeaderSignature: {whatsapp.Sign(read("whatsapp", "text.json"), "other secret")}}},
			{"meta", ms, read("meta", "messenger_text.json"), http.Header{meta.HeaderSignature: {meta.Sign("other secret", read("meta", "messenger_text.json"))}}},
			{"sms", sm, []byte(text.Encode()), http.Header{sms.HeaderSignature: {sms.Sign("other token", h.srv.URL+sm, text)}}},
			{"sms status", sm + "/status", []byte(status.Encode()), http.Header{sms.HeaderSignature: {sms.Sign("other token", h.srv.URL+sm+"/status", status)}}},
		} {
			before := h.snapshot()
			ctype := "application/json"
			if strings.HasPrefix(c.name, "sms") {
				ctype = "application/x-www-form-urlencoded"
			}
			r := h.send(request{method: "POST", path: c.path, body: c.body, contentType: ctype, header: c.hdr})
			if r.status != http.StatusUnauthorized {
				t.Errorf("%s: forged signature got %s, want 401", c.name, r)
			}
			assertErrorEnvelope(t, r, c.name)
			if d := before.diff(h.snapshot()); len(d) > 0 {
				t.Errorf("%s: forged signature wrote %v", c.name, d)
			}
		}
	})
}
