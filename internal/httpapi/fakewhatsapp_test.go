package httpapi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The WhatsApp channel the tests connect: the documented example phone
// number of testdata/ (internal/channel/whatsapp/testdata/README.md).
const (
	fakeWAPhoneNumberID = "106540352242922"
	fakeWABAID          = "102290129340398"
	fakeWAToken         = "EAAJB-fake-system-user-token"
	fakeWAAppSecret     = "4f1c2e0f8b5a9d7c6e3b2a1f0e9d8c7b"
)

// fakeWATemplates is the WABA's template list: two approved body-only
// templates (one positional, one named), one pending and one with an
// image header, which the composer cannot send.
const fakeWATemplates = `{"data":[
{"id":"1","name":"order_update","language":"pt_BR","status":"APPROVED","category":"UTILITY","parameter_format":"POSITIONAL",
 "components":[{"type":"HEADER","format":"TEXT","text":"Pedido"},{"type":"BODY","text":"Olá {{1}}, seu pedido {{2}} saiu para entrega."}]},
{"id":"2","name":"hello_named","language":"en_US","status":"APPROVED","category":"MARKETING","parameter_format":"NAMED",
 "components":[{"type":"BODY","text":"Hi {{first_name}}, welcome back!"}]},
{"id":"3","name":"pending_one","language":"pt_BR","status":"PENDING","category":"UTILITY","components":[{"type":"BODY","text":"Oi"}]},
{"id":"4","name":"promo_image","language":"pt_BR","status":"APPROVED","category":"MARKETING",
 "components":[{"type":"HEADER","format":"IMAGE"},{"type":"BODY","text":"Promoção!"}]}
],"paging":{"cursors":{"before":"a","after":"b"}}}`

// waCall is one Graph API request the fake received.
type waCall struct {
	Method, Path, Query, Auth, ContentType string
	Body                                   []byte
}

// fakeWhatsApp is the Graph API of Cloud API under /v21.0: it checks the
// bearer token, records every call, answers the phone number, the media
// API (GET /{media-id} then the file's URL) and uploads as Meta does, and
// answers sends (POST /{phone-number-id}/messages) with send (a wamid
// when nil).
type fakeWhatsApp struct {
	*httptest.Server

	mu    sync.Mutex
	calls []waCall
	media map[string][]byte // file bytes by media id; missing ones are 404
	sends int
	// send answers the n-th send (1-based) with a status, a Retry-After
	// and a body; status 0 means the default success.
	send func(n int) (status int, retryAfter, body string)
	// templates, when set, answers the template list instead of
	// fakeWATemplates (status 0 means 200).
	templates func() (status int, body string)
}

func newFakeWhatsApp(t testing.TB) *fakeWhatsApp {
	f := &fakeWhatsApp{media: map[string][]byte{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// apiURL is the Graph API root with its version, as ATENDE_WHATSAPP_API_URL.
func (f *fakeWhatsApp) apiURL() string { return f.URL + "/v21.0" }

func (f *fakeWhatsApp) setMedia(id string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.media[id] = data
}

func (f *fakeWhatsApp) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.calls = append(f.calls, waCall{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), body})
	f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+fakeWAToken {
		writeTG(w, 401, `{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"fbtrace_id":"A1"}}`)
		return
	}
	if id, ok := strings.CutPrefix(r.URL.Path, "/files/"); ok && r.Method == http.MethodGet {
		f.mu.Lock()
		data, found := f.media[id]
		f.mu.Unlock()
		if !found {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(data)
		return
	}
	node, ok := strings.CutPrefix(r.URL.Path, "/v21.0/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch {
	case r.Method == http.MethodGet && node == fakeWAPhoneNumberID:
		writeTG(w, 200, `{"verified_name":"Loja Atende","display_phone_number":"+1 555-078-3881","id":"`+fakeWAPhoneNumberID+`"}`)
	case r.Method == http.MethodGet && node == fakeWABAID+"/message_templates":
		f.mu.Lock()
		tpl := f.templates
		f.mu.Unlock()
		if tpl != nil {
			status, b := tpl()
			writeTG(w, max(status, 200), b)
			return
		}
		writeTG(w, 200, fakeWATemplates)
	case r.Method == http.MethodPost && node == fakeWAPhoneNumberID+"/media":
		writeTG(w, 200, `{"id":"4490709327384033"}`)
	case r.Method == http.MethodPost && node == fakeWAPhoneNumberID+"/messages":
		f.mu.Lock()
		f.sends++
		n := f.sends
		send := f.send
		f.mu.Unlock()
		if send != nil {
			if status, after, b := send(n); status != 0 {
				if after != "" {
					w.Header().Set("Retry-After", after)
				}
				writeTG(w, status, b)
				return
			}
		}
		writeTG(w, 200, fmt.Sprintf(`{"messaging_product":"whatsapp","contacts":[{"input":"x","wa_id":"x"}],"messages":[{"id":"wamid.OUT%d"}]}`, n))
	case r.Method == http.MethodGet && !strings.Contains(node, "/"):
		f.mu.Lock()
		data, found := f.media[node]
		f.mu.Unlock()
		if !found {
			writeTG(w, 404, `{"error":{"message":"Unsupported get request.","type":"GraphMethodException","code":100}}`)
			return
		}
		sum := sha256.Sum256(data)
		writeTG(w, 200, fmt.Sprintf(`{"url":%q,"mime_type":"image/jpeg","sha256":%q,"file_size":%d,"id":%q,"messaging_product":"whatsapp"}`,
			f.URL+"/files/"+node, hex.EncodeToString(sum[:]), len(data), node))
	default:
		writeTG(w, 400, `{"error":{"message":"Unsupported request","type":"GraphMethodException","code":100}}`)
	}
}

// callsTo returns the calls of one method and path, in order.
func (f *fakeWhatsApp) callsTo(method, path string) []waCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []waCall
	for _, c := range f.calls {
		if c.Method == method && c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

// callCount is how many calls the fake received.
func (f *fakeWhatsApp) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}
