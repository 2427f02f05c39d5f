package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// The SMS account the tests connect: the account and number of
// internal/channel/sms/testdata (made up, in the provider's formats).
const (
	fakeSMSAccount = "AC3f2b8e1d9c4a7f6e5d4c3b2a1f0e9d8c"
	fakeSMSToken   = "5f1e2d3c4b5a69788796a5b4c3d2e1f0"
	fakeSMSFrom    = "+551140028922"
)

// smsCall is one REST API request the fake received.
type smsCall struct {
	Method, Path, Auth, ContentType, Body string
}

// fakeSMS is the SMS provider's REST API (Twilio-style): it checks Basic
// auth, records every call, answers the account resource, sends
// (POST /2010-04-01/Accounts/{sid}/Messages.json) with a new message SID,
// and media files it was given.
type fakeSMS struct {
	*httptest.Server

	mu    sync.Mutex
	calls []smsCall
	sends int
	media map[string][]byte // file bytes by path
	// send answers the n-th send (1-based); status 0 means success.
	send func(n int) (status int, retryAfter, body string)
}

func newFakeSMS(t testing.TB) *fakeSMS {
	f := &fakeSMS{media: map[string][]byte{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeSMS) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.calls = append(f.calls, smsCall{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), string(body)})
	f.mu.Unlock()
	user, pass, ok := r.BasicAuth()
	if !ok || user != fakeSMSAccount || pass != fakeSMSToken {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}`)
		return
	}
	base := "/2010-04-01/Accounts/" + fakeSMSAccount
	switch {
	case r.Method == "GET" && r.URL.Path == base+".json":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"sid":%q,"friendly_name":"Loja","status":"active","type":"Full"}`, fakeSMSAccount)
	case r.Method == "POST" && r.URL.Path == base+"/Messages.json":
		f.mu.Lock()
		f.sends++
		n, send := f.sends, f.send
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if send != nil {
			if status, after, body := send(n); status != 0 {
				if after != "" {
					w.Header().Set("Retry-After", after)
				}
				w.WriteHeader(status)
				io.WriteString(w, body)
				return
			}
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"sid":"SM%032x","status":"queued","error_code":null,"error_message":null}`, n)
	case r.Method == "GET":
		f.mu.Lock()
		data, ok := f.media[r.URL.Path]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(data)
	default:
		http.NotFound(w, r)
	}
}

// callsTo answers the calls made to method and path.
func (f *fakeSMS) callsTo(method, path string) []smsCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []smsCall
	for _, c := range f.calls {
		if c.Method == method && c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeSMS) setMedia(path string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.media[path] = data
}

// fakeSMSSendPath is the Messages resource of the fake account.
const fakeSMSSendPath = "/2010-04-01/Accounts/" + fakeSMSAccount + "/Messages.json"
