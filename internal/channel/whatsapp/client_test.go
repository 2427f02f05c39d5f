package whatsapp

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel"
)

const testToken = "EAAJB-test-token"

// call is one request the fake Graph API received.
type call struct {
	Method, Path, Query, Auth, ContentType string
	Body                                   []byte
}

// fakeGraph is a local Graph API: it records every request and answers
// from a per-path handler.
type fakeGraph struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	calls  []call
	routes map[string]http.HandlerFunc
}

func newFake(t *testing.T) *fakeGraph {
	f := &fakeGraph{t: t, routes: map[string]http.HandlerFunc{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.calls = append(f.calls, call{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), body})
		h := f.routes[r.Method+" "+r.URL.Path]
		f.mu.Unlock()
		if h == nil {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":{"message":"Unsupported request","type":"GraphMethodException","code":100}}`)
			return
		}
		h(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGraph) on(methodPath string, h http.HandlerFunc) { f.routes[methodPath] = h }

func (f *fakeGraph) client() *Client {
	return &Client{BaseURL: f.srv.URL + "/v21.0", AccessToken: testToken, PhoneNumberID: tPNID, HTTP: f.srv.Client()}
}

func (f *fakeGraph) got() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// answerJSON answers a fixed status and body.
func answerJSON(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// sendOK answers like the Messages API, with ids wamid.OUT1, wamid.OUT2…
func sendOK() http.HandlerFunc {
	var n int
	var mu sync.Mutex
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		id := "wamid.OUT" + string(rune('0'+n))
		mu.Unlock()
		answerJSON(200, `{"messaging_product":"whatsapp","contacts":[{"input":"16505551234","wa_id":"16505551234"}],"messages":[{"id":"`+id+`"}]}`)(w, r)
	}
}

// assertJSON checks a request body against the documented JSON exactly
// (same keys, same values, nothing more).
func assertJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("body\n%s\nwant\n%s", got, want)
	}
}

func assertMessagesCall(t *testing.T, c call, body string) {
	t.Helper()
	if c.Method != http.MethodPost || c.Path != "/v21.0/"+tPNID+"/messages" {
		t.Fatalf("call %s %s, want POST /v21.0/%s/messages", c.Method, c.Path, tPNID)
	}
	if c.Auth != "Bearer "+testToken {
		t.Fatalf("Authorization %q", c.Auth)
	}
	if c.ContentType != "application/json" {
		t.Fatalf("Content-Type %q", c.ContentType)
	}
	assertJSON(t, c.Body, body)
}

func TestSendText(t *testing.T) {
	cases := []struct {
		name string
		out  channel.Outbound
		body string
	}{
		{"text", channel.Outbound{To: tUser, Text: "Olá! Como posso ajudar?"},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"text","text":{"body":"Olá! Como posso ajudar?"}}`},
		{"link preview", channel.Outbound{To: tUser, Text: "Veja https://example.com/pedido/42"},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"text","text":{"preview_url":true,"body":"Veja https://example.com/pedido/42"}}`},
		{"reply-to", channel.Outbound{To: tUser, Text: "Sim, temos em azul.", ReplyTo: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",` +
				`"context":{"message_id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="},"type":"text","text":{"body":"Sim, temos em azul."}}`},
		{"business-scoped user id", channel.Outbound{To: "US.13491208655302741918", Text: "Hi"},
			`{"messaging_product":"whatsapp","recipient_type":"individual","recipient":"US.13491208655302741918","type":"text","text":{"body":"Hi"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			f.on("POST /v21.0/"+tPNID+"/messages", sendOK())
			id, err := f.client().Send(context.Background(), c.out)
			if err != nil || id != "wamid.OUT1" {
				t.Fatalf("Send = %q, %v", id, err)
			}
			calls := f.got()
			if len(calls) != 1 {
				t.Fatalf("%d calls", len(calls))
			}
			assertMessagesCall(t, calls[0], c.body)
		})
	}
}

// assertUpload checks a POST /{phone-number-id}/media multipart upload.
func assertUpload(t *testing.T, c call, typ, filename string, data []byte) {
	t.Helper()
	if c.Method != http.MethodPost || c.Path != "/v21.0/"+tPNID+"/media" || c.Auth != "Bearer "+testToken {
		t.Fatalf("upload call %s %s auth %q", c.Method, c.Path, c.Auth)
	}
	mt, params, err := mime.ParseMediaType(c.ContentType)
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("upload Content-Type %q", c.ContentType)
	}
	r := multipart.NewReader(strings.NewReader(string(c.Body)), params["boundary"])
	fields := map[string]string{}
	var file []byte
	var fileType, fileName string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		if p.FormName() == "file" {
			file, fileType, fileName = b, p.Header.Get("Content-Type"), p.FileName()
			continue
		}
		fields[p.FormName()] = string(b)
	}
	if !reflect.DeepEqual(fields, map[string]string{"messaging_product": "whatsapp", "type": typ}) {
		t.Fatalf("upload fields %v", fields)
	}
	if string(file) != string(data) || fileType != typ || fileName != filename {
		t.Fatalf("upload file %q type %q name %q", file, fileType, fileName)
	}
}

func TestSendMedia(t *testing.T) {
	jpeg := []byte("\xff\xd8\xff\xe0 a tiny jpeg")
	pdf := []byte("%PDF-1.7 boleto")
	ogg := []byte("OggS voice")
	cases := []struct {
		name     string
		out      channel.Outbound
		uploads  [][3]string // type, filename, data
		messages []string
	}{
		{"image with caption",
			channel.Outbound{To: tUser, Media: []channel.OutboundMedia{{Filename: "produto.jpg", MIME: "image/jpeg", Data: jpeg, Caption: "Seu pedido"}}},
			[][3]string{{"image/jpeg", "produto.jpg", string(jpeg)}},
			[]string{`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"image","image":{"id":"MEDIA1","caption":"Seu pedido"}}`}},
		{"document takes the text as caption and quotes",
			channel.Outbound{To: tUser, Text: "Segue o boleto", ReplyTo: "wamid.Q", Media: []channel.OutboundMedia{{Filename: "boleto.pdf", MIME: "application/pdf", Data: pdf}}},
			[][3]string{{"application/pdf", "boleto.pdf", string(pdf)}},
			[]string{`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","context":{"message_id":"wamid.Q"},` +
				`"type":"document","document":{"id":"MEDIA1","caption":"Segue o boleto","filename":"boleto.pdf"}}`}},
		{"voice note: the text goes first, the quote on it",
			channel.Outbound{To: tUser, Text: "Ouça:", ReplyTo: "wamid.Q", Media: []channel.OutboundMedia{{Filename: "nota.ogg", MIME: "audio/ogg; codecs=opus", Data: ogg}}},
			[][3]string{{"audio/ogg", "nota.ogg", string(ogg)}},
			[]string{
				`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","context":{"message_id":"wamid.Q"},"type":"text","text":{"body":"Ouça:"}}`,
				`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"audio","audio":{"id":"MEDIA1"}}`}},
		{"unknown type goes as a document",
			channel.Outbound{To: tUser, Media: []channel.OutboundMedia{{Filename: "planilha.xlsx", MIME: "", Data: pdf}}},
			[][3]string{{"application/octet-stream", "planilha.xlsx", string(pdf)}},
			[]string{`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"document","document":{"id":"MEDIA1","filename":"planilha.xlsx"}}`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			f.on("POST /v21.0/"+tPNID+"/media", answerJSON(200, `{"id":"MEDIA1"}`))
			f.on("POST /v21.0/"+tPNID+"/messages", sendOK())
			id, err := f.client().Send(context.Background(), c.out)
			if err != nil || id != "wamid.OUT1" {
				t.Fatalf("Send = %q, %v", id, err)
			}
			calls := f.got()
			if len(calls) != len(c.uploads)+len(c.messages) {
				t.Fatalf("%d calls: %+v", len(calls), calls)
			}
			// a text that goes first precedes the upload; every upload
			// precedes the message that names it
			i, m := 0, 0
			if len(c.messages) > len(c.uploads) {
				assertMessagesCall(t, calls[0], c.messages[0])
				i, m = 1, 1
			}
			for _, u := range c.uploads {
				assertUpload(t, calls[i], u[0], u[1], []byte(u[2]))
				assertMessagesCall(t, calls[i+1], c.messages[m])
				i, m = i+2, m+1
			}
		})
	}
}

func TestSendTemplate(t *testing.T) {
	cases := []struct {
		name string
		send func(*Client) (string, error)
		body string
	}{
		{"body parameters", func(c *Client) (string, error) {
			return c.Send(context.Background(), channel.Outbound{To: tUser,
				Template: &channel.Template{Name: "order_update", Language: "pt_BR", Parameters: []string{"Ana", "#4521"}}})
		}, `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"template","template":{"name":"order_update",` +
			`"language":{"code":"pt_BR"},"components":[{"type":"body","parameters":[{"type":"text","text":"Ana"},{"type":"text","text":"#4521"}]}]}}`},
		{"no parameters", func(c *Client) (string, error) {
			return c.Send(context.Background(), channel.Outbound{To: tUser, Template: &channel.Template{Name: "hello_world", Language: "en_US"}})
		}, `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}`},
		{"named parameters", func(c *Client) (string, error) {
			return c.SendTemplateNamed(context.Background(), tUser, channel.Template{Name: "reservation_confirmation", Language: "en_US",
				Parameters: []string{"4", "Saturday"}}, []string{"number_of_guests", "day"}, "")
		}, `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"template","template":{"name":"reservation_confirmation",` +
			`"language":{"code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","parameter_name":"number_of_guests","text":"4"},` +
			`{"type":"text","parameter_name":"day","text":"Saturday"}]}]}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			f.on("POST /v21.0/"+tPNID+"/messages", sendOK())
			id, err := c.send(f.client())
			if err != nil || id != "wamid.OUT1" {
				t.Fatalf("send = %q, %v", id, err)
			}
			calls := f.got()
			if len(calls) != 1 {
				t.Fatalf("%d calls", len(calls))
			}
			assertMessagesCall(t, calls[0], c.body)
		})
	}
}

func TestSendRefusesWithoutCalling(t *testing.T) {
	big := make([]byte, 101<<20)
	cases := []struct {
		name string
		c    func(*Client)
		out  channel.Outbound
		want string
	}{
		{"empty", nil, channel.Outbound{To: tUser}, "empty"},
		{"no recipient", nil, channel.Outbound{Text: "x"}, "no recipient"},
		{"template with text", nil, channel.Outbound{To: tUser, Text: "x", Template: &channel.Template{Name: "a", Language: "pt_BR"}}, "no free text"},
		{"template without language", nil, channel.Outbound{To: tUser, Template: &channel.Template{Name: "a"}}, "language"},
		{"empty template parameter", nil, channel.Outbound{To: tUser, Template: &channel.Template{Name: "a", Language: "pt_BR", Parameters: []string{" "}}}, "parameter 1 is empty"},
		{"text too long", nil, channel.Outbound{To: tUser, Text: strings.Repeat("é", MaxTextLen+1)}, "at most 4096"},
		{"empty file", nil, channel.Outbound{To: tUser, Media: []channel.OutboundMedia{{Filename: "a.pdf"}}}, "empty"},
		{"file too large", nil, channel.Outbound{To: tUser, Media: []channel.OutboundMedia{{Filename: "a.pdf", Data: big}}}, "100 MB"},
		{"caption on audio", nil, channel.Outbound{To: tUser, Media: []channel.OutboundMedia{{MIME: "audio/mpeg", Data: []byte("x"), Caption: "c"}}}, "no caption"},
		{"no token", func(c *Client) { c.AccessToken = "" }, channel.Outbound{To: tUser, Text: "x"}, "no access token"},
		{"bad phone number id", func(c *Client) { c.PhoneNumberID = "../me" }, channel.Outbound{To: tUser, Text: "x"}, "phone number id"},
	}
	t.Run("named parameters without names", func(t *testing.T) {
		f := newFake(t)
		_, err := f.client().SendTemplateNamed(context.Background(), tUser, channel.Template{Name: "a", Language: "en_US", Parameters: []string{"x"}}, nil, "")
		var se *channel.SendError
		if !errors.As(err, &se) || se.Retry || len(f.got()) != 0 {
			t.Fatalf("got %v", err)
		}
	})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			cl := f.client()
			if c.c != nil {
				c.c(cl)
			}
			_, err := cl.Send(context.Background(), c.out)
			var se *channel.SendError
			if !errors.As(err, &se) || se.Retry || !strings.Contains(se.Msg, c.want) {
				t.Fatalf("got %v, want a permanent SendError containing %q", err, c.want)
			}
			if n := len(f.got()); n != 0 {
				t.Fatalf("%d calls made", n)
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	t.Run("window closed", func(t *testing.T) {
		f := newFake(t)
		f.on("POST /v21.0/"+tPNID+"/messages", answerJSON(400, `{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,`+
			`"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."},`+
			`"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}`))
		_, err := f.client().Send(context.Background(), channel.Outbound{To: tUser, Text: "oi"})
		var se *channel.SendError
		if !errors.As(err, &se) || se.Retry || se.Code != CodeWindowClosed || !IsWindowClosed(err) ||
			!strings.Contains(se.Msg, "24-hour customer-service window is closed") || !strings.Contains(se.Msg, "131047: Re-engagement message — Message failed") {
			t.Fatalf("got %#v", err)
		}
	})
	t.Run("rate limited with Retry-After", func(t *testing.T) {
		f := newFake(t)
		f.on("POST /v21.0/"+tPNID+"/messages", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "30")
			answerJSON(429, `{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429}}`)(w, r)
		})
		_, err := f.client().Send(context.Background(), channel.Outbound{To: tUser, Text: "oi"})
		var se *channel.SendError
		if !errors.As(err, &se) || !se.Retry || se.After != 30*time.Second || se.Code != CodeThroughput {
			t.Fatalf("got %#v", err)
		}
	})
	t.Run("media upload fails after the text went", func(t *testing.T) {
		f := newFake(t)
		f.on("POST /v21.0/"+tPNID+"/messages", sendOK())
		f.on("POST /v21.0/"+tPNID+"/media", answerJSON(503, `<html>down</html>`))
		_, err := f.client().Send(context.Background(), channel.Outbound{To: tUser, Text: "Ouça:",
			Media: []channel.OutboundMedia{{MIME: "audio/ogg", Data: []byte("OggS")}}})
		var se *channel.SendError
		if !errors.As(err, &se) || !se.Retry || !strings.Contains(se.Msg, "after wamid.OUT1 was sent") {
			t.Fatalf("got %#v", err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		f := newFake(t)
		c := f.client()
		f.srv.Close()
		_, err := c.Send(context.Background(), channel.Outbound{To: tUser, Text: "oi"})
		var se *channel.SendError
		if !errors.As(err, &se) || !se.Retry || strings.Contains(se.Msg, testToken) {
			t.Fatalf("got %#v", err)
		}
	})
	t.Run("2xx without id", func(t *testing.T) {
		f := newFake(t)
		f.on("POST /v21.0/"+tPNID+"/messages", answerJSON(200, `{"messaging_product":"whatsapp"}`))
		_, err := f.client().Send(context.Background(), channel.Outbound{To: tUser, Text: "oi"})
		var se *channel.SendError
		if !errors.As(err, &se) || se.Retry {
			t.Fatalf("got %#v", err)
		}
	})
}

// mediaServer serves the two-step media API for one file.
func mediaServer(t *testing.T, data []byte, info map[string]any) *fakeGraph {
	f := newFake(t)
	f.on("GET /v21.0/1003383421387256", func(w http.ResponseWriter, r *http.Request) {
		m := map[string]any{"messaging_product": "whatsapp", "url": f.srv.URL + "/whatsapp_business/attachments/?mid=1003383421387256&ext=1",
			"mime_type": "image/jpeg", "id": "1003383421387256"}
		for k, v := range info {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		b, _ := json.Marshal(m)
		answerJSON(200, string(b))(w, r)
	})
	f.on("GET /whatsapp_business/attachments/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(data)
	})
	return f
}

func TestDownloadMedia(t *testing.T) {
	data := []byte("\xff\xd8\xff\xe0 customer photo")
	sum := sha256.Sum256(data)
	hexSum, b64Sum := hex.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString(sum[:])
	cases := []struct {
		name    string
		info    map[string]any
		max     int64
		wantErr error
	}{
		{"hex sha256, size as string", map[string]any{"sha256": hexSum, "file_size": "25"}, 0, nil},
		{"base64 sha256, size as number", map[string]any{"sha256": b64Sum, "file_size": 25}, 0, nil},
		{"no sha256", map[string]any{"sha256": nil}, 0, nil},
		{"sha256 mismatch", map[string]any{"sha256": strings.Repeat("0", 64)}, 0, ErrChecksum},
		{"unreadable sha256", map[string]any{"sha256": "???"}, 0, ErrChecksum},
		{"announced size over the cap", map[string]any{"sha256": hexSum, "file_size": "25"}, 10, ErrMediaTooLarge},
		{"actual size over the cap", map[string]any{"sha256": hexSum}, 10, ErrMediaTooLarge},
		{"exactly at the cap", map[string]any{"sha256": hexSum}, int64(len(data)), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := mediaServer(t, data, c.info)
			cl := f.client()
			cl.MaxMediaBytes = c.max
			got, mt, err := cl.DownloadMedia(context.Background(), "1003383421387256")
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) || got != nil {
					t.Fatalf("got %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil || string(got) != string(data) || mt != "image/jpeg" {
				t.Fatalf("got %q %q %v", got, mt, err)
			}
			calls := f.got()
			if len(calls) != 2 || calls[0].Path != "/v21.0/1003383421387256" || calls[1].Path != "/whatsapp_business/attachments/" ||
				calls[1].Query != "mid=1003383421387256&ext=1" {
				t.Fatalf("calls %+v", calls)
			}
			for _, cl := range calls {
				if cl.Method != http.MethodGet || cl.Auth != "Bearer "+testToken {
					t.Fatalf("call %+v", cl)
				}
			}
		})
	}
	t.Run("media id not found", func(t *testing.T) {
		f := newFake(t)
		_, _, err := f.client().DownloadMedia(context.Background(), "999")
		var se *channel.SendError
		if !errors.As(err, &se) || se.Retry {
			t.Fatalf("got %#v", err)
		}
	})
	t.Run("file URL fails with 500", func(t *testing.T) {
		f := mediaServer(t, data, nil)
		f.on("GET /whatsapp_business/attachments/", answerJSON(500, ``))
		_, _, err := f.client().DownloadMedia(context.Background(), "1003383421387256")
		var se *channel.SendError
		if !errors.As(err, &se) || !se.Retry {
			t.Fatalf("got %#v", err)
		}
	})
	t.Run("bad media id", func(t *testing.T) {
		f := newFake(t)
		_, _, err := f.client().DownloadMedia(context.Background(), "../me/accounts")
		if err == nil || len(f.got()) != 0 {
			t.Fatalf("got %v after %d calls", err, len(f.got()))
		}
	})
	t.Run("no token over plain HTTP", func(t *testing.T) {
		var leaked bool
		plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { leaked = true }))
		defer plain.Close()
		tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			answerJSON(200, `{"url":"`+plain.URL+`/file","mime_type":"image/jpeg","id":"1"}`)(w, r)
		}))
		defer tls.Close()
		c := &Client{BaseURL: tls.URL + "/v21.0", AccessToken: testToken, PhoneNumberID: tPNID, HTTP: tls.Client()}
		_, _, err := c.DownloadMedia(context.Background(), "1")
		if err == nil || leaked || !strings.Contains(err.Error(), "plain-HTTP") {
			t.Fatalf("got %v, leaked %v", err, leaked)
		}
	})
}

func TestTemplates(t *testing.T) {
	f := newFake(t)
	f.on("GET /v21.0/"+tWABA+"/message_templates", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("after") == "" {
			answerJSON(200, `{"data":[
				{"name":"order_update","parameter_format":"POSITIONAL","components":[
					{"type":"HEADER","format":"TEXT","text":"Pedido"},
					{"type":"BODY","text":"Olá {{1}}, seu pedido {{2}} saiu para entrega. {{1}}, obrigado!"},
					{"type":"FOOTER","text":"Loja"}],
				 "language":"pt_BR","status":"APPROVED","category":"UTILITY","id":"594425479261596"},
				{"name":"reservation_confirmation","parameter_format":"NAMED","components":[
					{"type":"HEADER","format":"IMAGE","example":{"header_handle":["https://scontent.whatsapp.net/v/t61"]}},
					{"type":"BODY","text":"Your reservation for {{number_of_guests}} on {{day}}, {{date}}, at {{time}}. {{day}} it is!"}],
				 "language":"en_US","status":"PENDING","category":"UTILITY","id":"1"}],
				"paging":{"cursors":{"before":"MAZDZD","after":"MQZDZD"},"next":"https://graph.facebook.com/v21.0/`+tWABA+`/message_templates?after=MQZDZD"}}`)(w, r)
			return
		}
		answerJSON(200, `{"data":[{"name":"hello_world","components":[{"type":"BODY","text":"Hello World!"}],
			"language":"en_US","status":"APPROVED","category":"MARKETING","id":"2"}],"paging":{"cursors":{"before":"MgZDZD","after":"MgZDZD"}}}`)(w, r)
	})
	got, err := f.client().Templates(context.Background(), tWABA)
	if err != nil {
		t.Fatal(err)
	}
	want := []TemplateInfo{
		{ID: "594425479261596", Name: "order_update", Language: "pt_BR", Status: "APPROVED", Category: "UTILITY", ParameterFormat: "POSITIONAL",
			Body: "Olá {{1}}, seu pedido {{2}} saiu para entrega. {{1}}, obrigado!", BodyParams: 2, HeaderFormat: "TEXT"},
		{ID: "1", Name: "reservation_confirmation", Language: "en_US", Status: "PENDING", Category: "UTILITY", ParameterFormat: "NAMED",
			Body:       "Your reservation for {{number_of_guests}} on {{day}}, {{date}}, at {{time}}. {{day}} it is!",
			BodyParams: 4, ParamNames: []string{"number_of_guests", "day", "date", "time"}, HeaderFormat: "IMAGE"},
		{ID: "2", Name: "hello_world", Language: "en_US", Status: "APPROVED", Category: "MARKETING", ParameterFormat: "POSITIONAL", Body: "Hello World!"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%+v\nwant\n%+v", got, want)
	}
	if !got[0].BodyOnly() || got[1].BodyOnly() || !got[2].BodyOnly() {
		t.Fatal("BodyOnly wrong")
	}
	calls := f.got()
	if len(calls) != 2 {
		t.Fatalf("%d calls", len(calls))
	}
	for i, c := range calls {
		q := "fields=id%2Cname%2Clanguage%2Cstatus%2Ccategory%2Cparameter_format%2Ccomponents&limit=100"
		if i == 1 {
			q = "after=MQZDZD&" + q
		}
		if c.Method != http.MethodGet || c.Auth != "Bearer "+testToken || c.Query != q {
			t.Fatalf("call %d: %+v", i, c)
		}
	}
	if _, err := f.client().Templates(context.Background(), "1/../2"); err == nil {
		t.Fatal("bad WABA id accepted")
	}
}

func TestPhoneNumber(t *testing.T) {
	f := newFake(t)
	f.on("GET /v21.0/"+tPNID, answerJSON(200, `{"verified_name":"Loja Atende","display_phone_number":"+55 11 4000-1234","id":"`+tPNID+`"}`))
	p, err := f.client().PhoneNumber(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != tPNID || p.DisplayPhoneNumber != "+55 11 4000-1234" || p.VerifiedName != "Loja Atende" {
		t.Fatalf("got %+v", p)
	}
	calls := f.got()
	if len(calls) != 1 || calls[0].Auth != "Bearer "+testToken || calls[0].Query != "fields=id%2Cdisplay_phone_number%2Cverified_name" {
		t.Fatalf("calls %+v", calls)
	}
	c := f.client()
	c.AccessToken = "expired"
	f.on("GET /v21.0/"+tPNID, answerJSON(401, `{"error":{"message":"Error validating access token","type":"OAuthException","code":190}}`))
	_, err = c.PhoneNumber(context.Background())
	var se *channel.SendError
	if !errors.As(err, &se) || se.Retry || se.Code != 190 {
		t.Fatalf("expired token: %v", err)
	}
	c.PhoneNumberID = "1/../2"
	if _, err := c.PhoneNumber(context.Background()); err == nil {
		t.Fatal("bad phone number id accepted")
	}
}
