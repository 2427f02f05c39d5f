package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The Messenger Page and Instagram account the tests connect: the ids of
// internal/channel/meta/testdata (README.md there).
const (
	fakeMetaPageID    = "104857600000001"
	fakeMetaIGID      = "17841400000000001"
	fakeMetaPSID      = "6100000000000001"
	fakeMetaIGSID     = "5300000000000001"
	fakeMetaToken     = "EAAG-fake-page-access-token"
	fakeMetaAppSecret = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"
)

// fakeMeta is the Graph API under /v25.0 for Messenger and Instagram: it
// checks the bearer token, records every call, answers the Page and the
// Instagram account, the User Profile API and the Send API (POST
// /{page-id}/messages and /me/messages) with send (a mid when nil), the
// Attachment Upload API (…/message_attachments: a new attachment_id), and
// serves CDN files under /cdn/ (no token needed, as Meta's signed URLs).
type fakeMeta struct {
	*httptest.Server

	mu    sync.Mutex
	calls []waCall
	files map[string][]byte // CDN files by path under /cdn/
	sends int
	send  func(n int) (status int, retryAfter, body string)
}

func newFakeMeta(t testing.TB) *fakeMeta {
	f := &fakeMeta{files: map[string][]byte{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// apiURL is the Graph API root with its version, as ATENDE_META_API_URL.
func (f *fakeMeta) apiURL() string { return f.URL + "/v25.0" }

// cdnURL is where a file set with setFile is served.
func (f *fakeMeta) cdnURL(name string) string { return f.URL + "/cdn/" + name }

func (f *fakeMeta) setFile(name string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[name] = data
}

func (f *fakeMeta) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.calls = append(f.calls, waCall{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), body})
	f.mu.Unlock()
	if name, ok := strings.CutPrefix(r.URL.Path, "/cdn/"); ok && r.Method == http.MethodGet {
		f.mu.Lock()
		data, found := f.files[name]
		f.mu.Unlock()
		if !found {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(data)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+fakeMetaToken {
		writeTG(w, 400, `{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190,"fbtrace_id":"A1"}}`)
		return
	}
	node, ok := strings.CutPrefix(r.URL.Path, "/v25.0/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch {
	case r.Method == http.MethodGet && node == fakeMetaPageID:
		writeTG(w, 200, `{"id":"`+fakeMetaPageID+`","name":"Loja Atende"}`)
	case r.Method == http.MethodGet && node == fakeMetaIGID:
		writeTG(w, 200, `{"id":"`+fakeMetaIGID+`","name":"Loja Atende","username":"loja.atende"}`)
	case r.Method == http.MethodGet && node == fakeMetaPSID:
		writeTG(w, 200, `{"id":"`+fakeMetaPSID+`","first_name":"Ana","last_name":"Souza","name":"Ana Souza"}`)
	case r.Method == http.MethodGet && node == fakeMetaIGSID:
		writeTG(w, 200, `{"id":"`+fakeMetaIGSID+`","name":"Bia Lima","username":"bia.lima"}`)
	case r.Method == http.MethodPost && (node == fakeMetaPageID+"/messages" || node == "me/messages"):
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
		writeTG(w, 200, fmt.Sprintf(`{"recipient_id":"x","message_id":"m_OUT%d"}`, n))
	case r.Method == http.MethodPost && strings.HasSuffix(node, "/message_attachments"):
		f.mu.Lock()
		n := len(f.calls)
		f.mu.Unlock()
		writeTG(w, 200, fmt.Sprintf(`{"attachment_id":"%d"}`, 9000+n))
	default:
		writeTG(w, 400, `{"error":{"message":"Unsupported request","type":"GraphMethodException","code":100}}`)
	}
}

// callsTo returns the calls of one method and path, in order.
func (f *fakeMeta) callsTo(method, path string) []waCall {
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
func (f *fakeMeta) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}
