package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/httpapi"
	"github.com/atende/atende/internal/medialink"
	"github.com/atende/atende/internal/store"
)

// publicServer is a second server over the harness's database and files
// that serves signed media links (the harness server has no link key), as
// serve.go wires one.
func (h *testAPI) publicServer(links *medialink.Signer) *httptest.Server {
	h.t.Helper()
	d := h.api.Deps
	d.MediaLinks, d.Registry = links, nil
	srv := httptest.NewServer(httpapi.New(d))
	h.t.Cleanup(srv.Close)
	return srv
}

// fetchPublic GETs u with no session or token, as a provider does.
func fetchPublic(t testing.TB, u string) response {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// An SMS reply with an image goes out as MMS: the provider gets a signed
// link in MediaUrl and fetches the exact bytes from it without a session;
// an altered, expired or foreign link and an erased file answer 404.
func TestSMSMediaLink(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		ctx := context.Background()
		ws := h.fix.WS.ID
		now := time.Now().Truncate(time.Second)
		links, err := medialink.New("media link test key, not for production")
		if err != nil {
			t.Fatal(err)
		}
		links.Now = func() time.Time { return now }
		pub := h.publicServer(links)

		c := h.newSMSChannel()
		form := smsForm(t, "inbound_text.form")
		if r := h.postSMS(c.hookPath(h), form, fakeSMSToken); r.status != 200 {
			t.Fatalf("inbound: %s", r)
		}
		var convID int64
		h.raw.QueryRow(`SELECT conversation_id FROM messages WHERE external_id = $1`, form.Get("MessageSid")).Scan(&convID)
		var at store.Attachment
		h.upload(actAdmin, "foto.png", pngBytes).into(t, &at)
		m := h.reply(actAdmin, convID, "reply", "Segue a foto do pedido.", at.ID)

		d := &providers.SMSDeliverer{DB: h.db, Blobs: h.blobs, Status: h.conv, Providers: h.provs, MediaURL: links.Publisher(pub.URL)}
		job := store.Job{WorkspaceID: ws, Kind: "deliver", Payload: fmt.Sprintf(`{"message_id":%d}`, m.ID), Attempts: 1, MaxAttempts: 8}
		if err := d.Handle(ctx, job); err != nil {
			t.Fatalf("delivery: %v", err)
		}
		if got := h.message(ws, m.ID); got.Status != store.DeliverySent || got.ExternalID == nil || !strings.HasPrefix(*got.ExternalID, "SM") {
			t.Fatalf("message after delivery: %s %v %q", got.Status, got.ExternalID, got.Error)
		}
		sends := h.sms.callsTo("POST", fakeSMSSendPath)
		if len(sends) != 1 {
			t.Fatalf("%d sends, want 1", len(sends))
		}
		sent, err := url.ParseQuery(sends[0].Body)
		if err != nil {
			t.Fatal(err)
		}
		if sent.Get("Body") != "Segue a foto do pedido." || len(sent["MediaUrl"]) != 1 {
			t.Fatalf("send form: %v", sent)
		}
		mediaURL := sent.Get("MediaUrl")
		token, ok := strings.CutPrefix(mediaURL, pub.URL+"/media/")
		if !ok || len(token) != medialink.TokenLen || strings.Contains(mediaURL, "?") {
			t.Fatalf("MediaUrl %q is not a signed link under the base URL", mediaURL)
		}

		// the provider's fetch: no session, the exact bytes, safe headers
		r := fetchPublic(t, mediaURL)
		if r.status != 200 || !bytes.Equal(r.body, pngBytes) {
			t.Fatalf("fetching the media: %d, %d bytes (want %d)", r.status, len(r.body), len(pngBytes))
		}
		for k, want := range map[string]string{
			"Content-Type":           "image/png",
			"Content-Disposition":    `inline; filename=foto.png`,
			"Cache-Control":          fmt.Sprintf("private, max-age=%d", int(medialink.DefaultTTL/time.Second)),
			"X-Content-Type-Options": "nosniff",
		} {
			if got := r.header.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
		if r.header.Get("Set-Cookie") != "" {
			t.Errorf("the public link set a cookie")
		}

		notFound := func(what, u string) {
			t.Helper()
			r := fetchPublic(t, u)
			if r.status != 404 {
				t.Errorf("%s: %d, want 404", what, r.status)
			}
			assertErrorEnvelope(t, r, what)
			if bytes.Contains(r.body, pngBytes[:8]) {
				t.Errorf("%s: the file leaked", what)
			}
		}
		tampered := []byte(token)
		tampered[len(tampered)/2] ^= 'A' ^ 'B'
		if tampered[len(tampered)/2] == token[len(token)/2] {
			tampered[len(tampered)/2] = 'Q'
		}
		notFound("tampered token", pub.URL+"/media/"+string(tampered))
		notFound("truncated token", pub.URL+"/media/"+token[:len(token)-2])
		notFound("garbage token", pub.URL+"/media/..%2f..%2fetc%2fpasswd")
		other, _ := medialink.New("another server's secret key!!")
		notFound("other key", pub.URL+"/media/"+other.Sign(ws, at.ID, now.Add(time.Hour)))
		notFound("other workspace", pub.URL+"/media/"+links.Sign(h.fix.WS2.ID, at.ID, now.Add(time.Hour)))
		// the harness server holds no link key: it publishes nothing
		notFound("server without a key", h.srv.URL+"/media/"+token)

		// an upload no message claimed is never served
		var loose store.Attachment
		h.upload(actAdmin, "solto.png", pngBytes).into(t, &loose)
		notFound("unsent upload", pub.URL+"/media/"+links.Sign(ws, loose.ID, now.Add(time.Hour)))

		// expired: a day later the link is dead
		links.Now = func() time.Time { return now.Add(medialink.DefaultTTL + time.Second) }
		notFound("expired token", mediaURL)
		links.Now = func() time.Time { return now }
		if r := fetchPublic(t, mediaURL); r.status != 200 {
			t.Fatalf("the link before it expires: %d", r.status)
		}

		// erased (LGPD): the contact, its messages and files are gone
		contactID, err := h.db.R().ConversationContact(ctx, ws, convID)
		if err != nil {
			t.Fatal(err)
		}
		h.must(204, actAdmin, "DELETE", fmt.Sprintf("/api/v1/contacts/%d", contactID), nil)
		notFound("erased attachment", mediaURL)
	})
}

// Without a media publisher an SMS reply with a file fails at once with a
// reason an agent can act on, and the provider is not called.
func TestSMSMediaWithoutPublisher(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		ws := h.fix.WS.ID
		c := h.newSMSChannel()
		form := smsForm(t, "inbound_text.form")
		if r := h.postSMS(c.hookPath(h), form, fakeSMSToken); r.status != 200 {
			t.Fatalf("inbound: %s", r)
		}
		var convID int64
		h.raw.QueryRow(`SELECT conversation_id FROM messages WHERE external_id = $1`, form.Get("MessageSid")).Scan(&convID)
		var at store.Attachment
		h.upload(actAdmin, "foto.png", pngBytes).into(t, &at)
		m := h.reply(actAdmin, convID, "reply", "", at.ID)
		d := &providers.SMSDeliverer{DB: h.db, Blobs: h.blobs, Status: h.conv, Providers: h.provs}
		err := d.Handle(context.Background(), store.Job{WorkspaceID: ws, Kind: "deliver", Payload: fmt.Sprintf(`{"message_id":%d}`, m.ID), Attempts: 1, MaxAttempts: 8})
		if err == nil {
			t.Fatal("delivered without a publisher")
		}
		got := h.message(ws, m.ID)
		if got.Status != store.DeliveryFailed || got.Error != providers.ErrSMSMedia.Error() {
			t.Errorf("message: %s %q", got.Status, got.Error)
		}
		if n := len(h.sms.callsTo("POST", fakeSMSSendPath)); n != 0 {
			t.Errorf("%d sends", n)
		}
	})
}
