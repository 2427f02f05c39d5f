package httpapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeBotToken has the shape of a real bot token.
const fakeBotToken = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"

// tgCall is one Bot API call the fake received: the method and its
// parameters (JSON fields, or the form fields of an upload, the file
// under its field name as "<filename>").
type tgCall struct {
	Method string
	Params map[string]any
}

// fakeTelegram is a Bot API server: it checks the token in the path,
// records every call, answers getMe, setWebhook, deleteWebhook and getFile
// as Telegram does, serves every file as fileBytes, and answers send
// methods with send (a sent message when it is nil).
type fakeTelegram struct {
	*httptest.Server
	token     string
	fileBytes []byte

	mu    sync.Mutex
	calls []tgCall
	sends int
	// send answers the n-th send call (1-based) with a status and a body;
	// status 0 means the default success.
	send func(n int) (int, string)
}

func newFakeTelegram(t testing.TB) *fakeTelegram {
	f := &fakeTelegram{token: fakeBotToken, fileBytes: pngBytes}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeTelegram) serve(w http.ResponseWriter, r *http.Request) {
	if file, ok := strings.CutPrefix(r.URL.Path, "/file/bot"+f.token+"/"); ok && r.Method == http.MethodGet {
		f.record(tgCall{Method: "download", Params: map[string]any{"path": file}})
		_, _ = w.Write(f.fileBytes)
		return
	}
	method, ok := strings.CutPrefix(r.URL.Path, "/bot"+f.token+"/")
	if !ok || r.Method != http.MethodPost {
		writeTG(w, 401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
		return
	}
	params := map[string]any{}
	ctype, mp, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ctype {
	case "application/json":
		dec := json.NewDecoder(r.Body)
		dec.UseNumber()
		_ = dec.Decode(&params)
	case "multipart/form-data":
		mr := multipart.NewReader(r.Body, mp["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p)
			if p.FileName() != "" {
				params[p.FormName()] = "<" + p.FileName() + ">"
			} else {
				params[p.FormName()] = string(b)
			}
		}
	}
	f.record(tgCall{Method: method, Params: params})
	switch method {
	case "getMe":
		writeTG(w, 200, `{"ok":true,"result":{"id":7712345678,"is_bot":true,"first_name":"Loja Atende","username":"loja_atende_bot"}}`)
	case "setWebhook", "deleteWebhook":
		writeTG(w, 200, `{"ok":true,"result":true,"description":"Webhook was set"}`)
	case "getFile":
		id, _ := params["file_id"].(string)
		writeTG(w, 200, fmt.Sprintf(`{"ok":true,"result":{"file_id":%q,"file_unique_id":"u","file_size":%d,"file_path":"photos/file_%d.jpg"}}`,
			id, len(f.fileBytes), len(id)))
	case "sendMessage", "sendPhoto", "sendDocument", "sendVoice":
		f.mu.Lock()
		f.sends++
		n := f.sends
		send := f.send
		f.mu.Unlock()
		if send != nil {
			if status, body := send(n); status != 0 {
				writeTG(w, status, body)
				return
			}
		}
		chat := params["chat_id"]
		if s, ok := chat.(string); ok {
			chat = json.RawMessage(s)
		}
		writeTG(w, 200, fmt.Sprintf(`{"ok":true,"result":{"message_id":%d,"chat":{"id":%v,"type":"private"},"date":1736772000}}`, 9000+n, chat))
	default:
		writeTG(w, 404, `{"ok":false,"error_code":404,"description":"Not Found: method not found"}`)
	}
}

func writeTG(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (f *fakeTelegram) record(c tgCall) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
}

// callsOf returns the calls of one method, in order.
func (f *fakeTelegram) callsOf(method string) []tgCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []tgCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// secret is the secret_token of the last setWebhook call.
func (f *fakeTelegram) secret(t testing.TB) string {
	t.Helper()
	calls := f.callsOf("setWebhook")
	if len(calls) == 0 {
		t.Fatal("setWebhook was never called")
	}
	s, _ := calls[len(calls)-1].Params["secret_token"].(string)
	return s
}
