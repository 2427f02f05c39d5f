package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atende/atende/internal/channel/whatsapp"
)

// The whatsapp phases measure the signed WhatsApp Cloud API webhook the
// way inbound and ws-latency measure the API channel: a fake Graph API on
// loopback answers the phone-number read that connecting a channel makes,
// a WhatsApp channel is created through the admin API, and the tool posts
// Meta-shaped webhook batches (one text message each, from many wa_ids)
// signed with the channel's app secret.

// waBenchWABA is the WhatsApp Business Account id of the bench channels.
const waBenchWABA = "102290129340398"

// startFakeGraph serves GET /{phone_number_id} (the only Graph call the
// webhook path and channel creation make for text messages) and answers
// a send with a message id, in case anything replies.
func startFakeGraph() *httptest.Server {
	var sent atomic.Int64
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		switch {
		case r.Method == http.MethodGet && len(parts) == 1:
			_ = json.NewEncoder(w).Encode(map[string]string{"id": parts[0], "display_phone_number": "15550783881", "verified_name": "Atende Bench"})
		case r.Method == http.MethodPost && len(parts) == 2 && parts[1] == "messages":
			_, _ = io.Copy(io.Discard, r.Body)
			fmt.Fprintf(w, `{"messaging_product":"whatsapp","messages":[{"id":"wamid.benchout%d"}]}`, sent.Add(1))
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":{"message":"not in the bench fake","type":"OAuthException","code":100}}`)
		}
	}))
}

// waChannel is the WhatsApp channel the phases post to.
type waChannel struct {
	webhook       string // absolute URL of the signed webhook
	phoneNumberID string
	appSecret     string
}

// ensureWhatsApp creates the bench's WhatsApp channel once per invocation.
func ensureWhatsApp(ctx context.Context, s *server, o *loadOpts) (*waChannel, error) {
	if o.wa != nil {
		return o.wa, nil
	}
	if o.waAPIURL == "" {
		return nil, fmt.Errorf("no fake Graph API (internal error)")
	}
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	// a new number per invocation, so reruns on the same database never
	// meet an earlier bench channel
	wa := &waChannel{phoneNumberID: strconv.FormatInt(100_000_000_000_000+time.Now().UnixNano()%900_000_000_000_000, 10), appSecret: hex.EncodeToString(secret)}
	body, _ := json.Marshal(map[string]string{"kind": "whatsapp", "name": "bench WhatsApp " + wa.phoneNumberID,
		"phone_number_id": wa.phoneNumberID, "waba_id": waBenchWABA, "access_token": "EAAbench" + hex.EncodeToString(secret[:8]), "app_secret": wa.appSecret})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/api/v1/channels", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+o.tokens.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := newClient(1).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("create WhatsApp channel: HTTP %d: %s", resp.StatusCode, b)
	}
	var v struct {
		WebhookURL string `json:"webhook_url"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	u, err := url.Parse(v.WebhookURL)
	if err != nil || u.Path == "" {
		return nil, fmt.Errorf("create WhatsApp channel: no webhook_url in %s", b)
	}
	wa.webhook = s.base + u.Path
	o.wa = wa
	return wa, nil
}

// The webhook payload, shaped like testdata/text.json.
type (
	waHook struct {
		Object string    `json:"object"`
		Entry  []waEntry `json:"entry"`
	}
	waEntry struct {
		ID      string     `json:"id"`
		Changes []waChange `json:"changes"`
	}
	waChange struct {
		Value waValue `json:"value"`
		Field string  `json:"field"`
	}
	waValue struct {
		MessagingProduct string            `json:"messaging_product"`
		Metadata         map[string]string `json:"metadata"`
		Contacts         []waContact       `json:"contacts"`
		Messages         []waMessage       `json:"messages"`
	}
	waContact struct {
		Profile map[string]string `json:"profile"`
		WaID    string            `json:"wa_id"`
	}
	waMessage struct {
		From      string            `json:"from"`
		ID        string            `json:"id"`
		Timestamp string            `json:"timestamp"`
		Type      string            `json:"type"`
		Text      map[string]string `json:"text"`
	}
)

// waBody builds one webhook batch with one text message from one of
// 20,000 wa_ids (the size of the API channel's load-contact pool): the
// first message of a number opens its conversation, later ones append.
func waBody(r *mrand.Rand, wa *waChannel, run string, seq int64, text string) []byte {
	n := r.IntN(20000)
	waID := "55119" + fmt.Sprintf("%08d", n)
	h := waHook{Object: "whatsapp_business_account", Entry: []waEntry{{ID: waBenchWABA, Changes: []waChange{{Field: "messages", Value: waValue{
		MessagingProduct: "whatsapp",
		Metadata:         map[string]string{"display_phone_number": "15550783881", "phone_number_id": wa.phoneNumberID},
		Contacts:         []waContact{{Profile: map[string]string{"name": "Cliente WA " + strconv.Itoa(n)}, WaID: waID}},
		Messages: []waMessage{{From: waID, ID: "wamid.bench" + run + "-" + strconv.FormatInt(seq, 10),
			Timestamp: strconv.FormatInt(time.Now().Unix(), 10), Type: "text", Text: map[string]string{"body": text}}},
	}}}}}}
	b, _ := json.Marshal(h)
	return b
}

// postWhatsApp signs body with the channel's app secret and posts it; a
// stored message answers 200 with result "stored".
func postWhatsApp(ctx context.Context, c *http.Client, wa *waChannel, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, wa.webhook, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(whatsapp.HeaderSignature, whatsapp.Sign(body, wa.appSecret))
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, b)
	}
	if !bytes.Contains(b, []byte(`"stored"`)) {
		return fmt.Errorf("not stored: %.200s", b)
	}
	return nil
}

// phaseWhatsApp is phaseInbound through the signed WhatsApp webhook.
func phaseWhatsApp(ctx context.Context, s *server, o *loadOpts) error {
	wa, err := ensureWhatsApp(ctx, s, o)
	if err != nil {
		return err
	}
	c := newClient(o.clients)
	header(fmt.Sprintf("whatsapp: signed POST /api/v1/webhooks/whatsapp/{key} (1 text message per batch, 20,000 wa_ids), %d keep-alive clients, %s × %d runs, median run", o.clients, o.duration, o.runs), *o)
	fmt.Println(tableHead)
	var seq atomic.Int64
	run := "wa" + strconv.FormatInt(time.Now().UnixNano(), 36)
	tg := newTextGen(mrand.New(mrand.NewPCG(7, 8)))
	var tgMu sync.Mutex
	var runs []stats
	for r := 0; r < o.runs; r++ {
		runs = append(runs, hammer(ctx, o.clients, o.duration, 10_000_000, func(ctx context.Context, w, i int) error {
			tgMu.Lock()
			rr := mrand.New(mrand.NewPCG(uint64(w), uint64(seq.Load())))
			txt := tg.message(rr)
			tgMu.Unlock()
			return postWhatsApp(ctx, c, wa, waBody(rr, wa, run, seq.Add(1), txt))
		}))
	}
	for i, st := range runs {
		row(fmt.Sprintf("WhatsApp webhook run %d", i+1), st, "≥ 5000 msg/s")
	}
	row("WhatsApp webhook (median run)", median(runs), "≥ 5000 msg/s")
	return nil
}

// phaseWhatsAppWS is phaseWS through the signed WhatsApp webhook.
func phaseWhatsAppWS(ctx context.Context, s *server, o *loadOpts) error {
	wa, err := ensureWhatsApp(ctx, s, o)
	if err != nil {
		return err
	}
	header(fmt.Sprintf("whatsapp-latency: signed webhook POST → message.created on an admin WebSocket, paced at %d msg/s for %s", o.rate, o.wsDuration), *o)
	return wsRuns(ctx, s, *o, func(ctx context.Context, c *http.Client, rr *mrand.Rand, run string, i int64, text string) error {
		return postWhatsApp(ctx, c, wa, waBody(rr, wa, run, i, text))
	})
}
