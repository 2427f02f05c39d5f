package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
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

// testToken has the shape of a real bot token (the Bot API documentation's
// example), so redaction is tested on what it will meet.
const testToken = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"

// request is what the fake Bot API received.
type request struct {
	Method, Path, ContentType string
	Body                      []byte
}

// fakeAPI is a Bot API server that records every request and answers with
// reply, or with a sent message when reply is nil.
type fakeAPI struct {
	*httptest.Server
	mu    sync.Mutex
	reqs  []request
	reply func(w http.ResponseWriter, r *http.Request, n int)
}

func newFakeAPI(t *testing.T, reply func(w http.ResponseWriter, r *http.Request, n int)) *fakeAPI {
	f := &fakeAPI{reply: reply}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, request{r.Method, r.URL.EscapedPath(), r.Header.Get("Content-Type"), body})
		n := len(f.reqs)
		f.mu.Unlock()
		if f.reply != nil {
			f.reply(w, r, n)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"from":{"id":7712345678,"is_bot":true,"first_name":"Loja Atende","username":"loja_atende_bot"},"chat":{"id":5203391846,"first_name":"Maria","type":"private"},"date":1736772000}}`, 1400+n)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAPI) client() *Client {
	return &Client{BaseURL: f.URL, Token: testToken, HTTP: f.Server.Client()}
}

func (f *fakeAPI) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.reqs...)
}

// part is one multipart field as the server saw it.
type part struct {
	Name, FileName, ContentType, Value string
}

func parts(t *testing.T, r request) []part {
	t.Helper()
	typ, params, err := mime.ParseMediaType(r.ContentType)
	if err != nil || typ != "multipart/form-data" {
		t.Fatalf("content type %q", r.ContentType)
	}
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	var out []part
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		ct := p.Header.Get("Content-Type")
		if p.FileName() == "" {
			ct = "" // plain fields carry none
		}
		out = append(out, part{p.FormName(), p.FileName(), ct, string(b)})
	}
}

func TestSendText(t *testing.T) {
	api := newFakeAPI(t, nil)
	id, err := api.client().Send(context.Background(), channel.Outbound{To: "5203391846", Text: "Olá, *Maria*! Já verifiquei.", ReplyTo: "5203391846:1374"})
	if err != nil {
		t.Fatal(err)
	}
	if id != "5203391846:1401" {
		t.Fatalf("external id %q", id)
	}
	want := []request{{"POST", "/bot" + testToken + "/sendMessage", "application/json",
		[]byte(`{"chat_id":5203391846,"text":"Olá, *Maria*! Já verifiquei.","reply_parameters":{"message_id":1374,"allow_sending_without_reply":true}}`)}}
	if got := api.requests(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestSendLongTextIsSplit(t *testing.T) {
	api := newFakeAPI(t, nil)
	// 4000 letters, a space, 1000 more: the cut falls on the space
	text := strings.Repeat("a", 4000) + " " + strings.Repeat("😀", 500)
	id, err := api.client().Send(context.Background(), channel.Outbound{To: "5203391846", Text: text, ReplyTo: "1374"})
	if err != nil {
		t.Fatal(err)
	}
	if id != "5203391846:1401" {
		t.Fatalf("the first message is the reply's id, got %q", id)
	}
	reqs := api.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	if want := `{"chat_id":5203391846,"text":"` + strings.Repeat("a", 4000) + ` ","reply_parameters":{"message_id":1374,"allow_sending_without_reply":true}}`; string(reqs[0].Body) != want {
		t.Fatalf("first part %.80q…", reqs[0].Body)
	}
	if want := `{"chat_id":5203391846,"text":"` + strings.Repeat("😀", 500) + `"}`; string(reqs[1].Body) != want {
		t.Fatalf("second part %.80q…", reqs[1].Body)
	}
}

func TestSendMedia(t *testing.T) {
	jpeg := []byte("\xff\xd8\xff\xe0 fake jpeg")
	bigPNG := bytes.Repeat([]byte{1}, maxPhoto+1)
	replyJSON := `{"message_id":1374,"allow_sending_without_reply":true}`
	cases := []struct {
		name   string
		out    channel.Outbound
		method string
		parts  []part
	}{
		{"photo with the text as caption",
			channel.Outbound{Text: "Veja a etiqueta", ReplyTo: "5203391846:1374", Media: []channel.OutboundMedia{{Filename: "etiqueta.jpg", MIME: "image/jpeg", Data: jpeg}}},
			"sendPhoto", []part{{"chat_id", "", "", "5203391846"}, {"caption", "", "", "Veja a etiqueta"}, {"reply_parameters", "", "", replyJSON},
				{"photo", "etiqueta.jpg", "image/jpeg", string(jpeg)}}},
		{"png photo, caption of its own, no name",
			channel.Outbound{Media: []channel.OutboundMedia{{MIME: "image/png", Data: []byte("png"), Caption: "print"}}},
			"sendPhoto", []part{{"chat_id", "", "", "5203391846"}, {"caption", "", "", "print"}, {"photo", "photo.jpg", "image/png", "png"}}},
		{"voice note",
			channel.Outbound{Media: []channel.OutboundMedia{{Filename: "gravacao.ogg", MIME: "audio/ogg; codecs=opus", Data: []byte("OggS opus")}}},
			"sendVoice", []part{{"chat_id", "", "", "5203391846"}, {"voice", "gravacao.ogg", "audio/ogg; codecs=opus", "OggS opus"}}},
		{"document",
			channel.Outbound{Media: []channel.OutboundMedia{{Filename: "boleto.pdf", MIME: "application/pdf", Data: []byte("%PDF-1.7")}}},
			"sendDocument", []part{{"chat_id", "", "", "5203391846"}, {"document", "boleto.pdf", "application/pdf", "%PDF-1.7"}}},
		{"a photo over 10 MB goes as a document",
			channel.Outbound{Media: []channel.OutboundMedia{{Filename: "scan.png", MIME: "image/png", Data: bigPNG}}},
			"sendDocument", []part{{"chat_id", "", "", "5203391846"}, {"document", "scan.png", "image/png", string(bigPNG)}}},
		{"a browser recording (webm) goes as a document",
			channel.Outbound{Media: []channel.OutboundMedia{{Filename: "rec.webm", MIME: "audio/webm;codecs=opus", Data: []byte("webm")}}},
			"sendDocument", []part{{"chat_id", "", "", "5203391846"}, {"document", "rec.webm", "audio/webm;codecs=opus", "webm"}}},
		{"ogg vorbis is not a voice note",
			channel.Outbound{Media: []channel.OutboundMedia{{Filename: "song.ogg", MIME: "audio/ogg; codecs=vorbis", Data: []byte("OggS")}}},
			"sendDocument", []part{{"chat_id", "", "", "5203391846"}, {"document", "song.ogg", "audio/ogg; codecs=vorbis", "OggS"}}},
		{"gif is a document, bad MIME becomes octet-stream, names are cleaned",
			channel.Outbound{Media: []channel.OutboundMedia{{Filename: "../a\r\n\"b\".gif", MIME: "not a mime", Data: []byte("GIF89a")}}},
			"sendDocument", []part{{"chat_id", "", "", "5203391846"}, {"document", `a"b".gif`, "application/octet-stream", "GIF89a"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api := newFakeAPI(t, nil)
			c.out.To = "5203391846"
			id, err := api.client().Send(context.Background(), c.out)
			if err != nil {
				t.Fatal(err)
			}
			if id != "5203391846:1401" {
				t.Fatalf("external id %q", id)
			}
			reqs := api.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			r := reqs[0]
			if r.Method != "POST" || r.Path != "/bot"+testToken+"/"+c.method {
				t.Fatalf("%s %s, want POST …/%s", r.Method, r.Path, c.method)
			}
			if got := parts(t, r); !reflect.DeepEqual(got, c.parts) {
				if len(c.parts) > 0 && len(c.parts[len(c.parts)-1].Value) > 100 {
					t.Fatalf("parts differ (large file)")
				}
				t.Fatalf("got %q\nwant %q", got, c.parts)
			}
		})
	}
}

func TestSendSeveralParts(t *testing.T) {
	api := newFakeAPI(t, nil)
	long := strings.Repeat("x", maxCaption+1)
	out := channel.Outbound{To: "5203391846", Text: long, ReplyTo: "5203391846:1374", Media: []channel.OutboundMedia{
		{Filename: "a.jpg", MIME: "image/jpeg", Data: []byte("a")},
		{Filename: "b.pdf", MIME: "application/pdf", Data: []byte("b"), Caption: "segundo"},
	}}
	id, err := api.client().Send(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if id != "5203391846:1401" {
		t.Fatalf("id %q", id)
	}
	reqs := api.requests()
	var paths []string
	for _, r := range reqs {
		paths = append(paths, strings.TrimPrefix(r.Path, "/bot"+testToken+"/"))
	}
	if want := []string{"sendMessage", "sendPhoto", "sendDocument"}; !reflect.DeepEqual(paths, want) {
		t.Fatalf("calls %v, want %v", paths, want)
	}
	// the text is too long for a caption: it goes first, with the reply
	if want := `{"chat_id":5203391846,"text":"` + long + `","reply_parameters":{"message_id":1374,"allow_sending_without_reply":true}}`; string(reqs[0].Body) != want {
		t.Fatalf("text %q", reqs[0].Body)
	}
	if got, want := parts(t, reqs[1]), []part{{"chat_id", "", "", "5203391846"}, {"photo", "a.jpg", "image/jpeg", "a"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("photo %q", got)
	}
	if got, want := parts(t, reqs[2]), []part{{"chat_id", "", "", "5203391846"}, {"caption", "", "", "segundo"}, {"document", "b.pdf", "application/pdf", "b"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("document %q", got)
	}
}

func TestSendRefusesWithoutCalling(t *testing.T) {
	cases := []struct {
		name string
		c    func(*Client)
		out  channel.Outbound
	}{
		{"template", nil, channel.Outbound{To: "1", Template: &channel.Template{Name: "x"}}},
		{"recipient not a chat id", nil, channel.Outbound{To: "@maria", Text: "x"}},
		{"nothing to send", nil, channel.Outbound{To: "1", Text: "  "}},
		{"empty file", nil, channel.Outbound{To: "1", Media: []channel.OutboundMedia{{Filename: "a"}}}},
		{"file over 50 MB", nil, channel.Outbound{To: "1", Media: []channel.OutboundMedia{{Filename: "a", Data: make([]byte, maxUpload+1)}}}},
		{"no token", func(c *Client) { c.Token = "" }, channel.Outbound{To: "1", Text: "x"}},
		{"token that would change the path", func(c *Client) { c.Token = "1:a/../getMe?" }, channel.Outbound{To: "1", Text: "x"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api := newFakeAPI(t, nil)
			cl := api.client()
			if c.c != nil {
				c.c(cl)
			}
			_, err := cl.Send(context.Background(), c.out)
			var se *channel.SendError
			if !errors.As(err, &se) || se.Retry {
				t.Fatalf("want a permanent SendError, got %v", err)
			}
			if n := len(api.requests()); n != 0 {
				t.Fatalf("%d requests made", n)
			}
		})
	}
}

func TestReplyTo(t *testing.T) {
	cases := []struct {
		ref  string
		want *replyParameters
	}{
		{"", nil},
		{"42:7", &replyParameters{MessageID: 7, AllowSendingWithoutReply: true}},
		{"7", &replyParameters{MessageID: 7, AllowSendingWithoutReply: true}},
		{"-100123:9", &replyParameters{MessageID: 9, ChatID: -100123}},
		{"x:9", nil},
		{"42:x", nil},
		{"42:0", nil},
	}
	for _, c := range cases {
		if got := replyTo(c.ref, 42); !reflect.DeepEqual(got, c.want) {
			t.Errorf("replyTo(%q) = %+v, want %+v", c.ref, got, c.want)
		}
	}
}

func TestSetWebhook(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		io.WriteString(w, `{"ok":true,"result":true,"description":"Webhook was set"}`)
	})
	secret := GenerateSecretToken()
	if err := api.client().SetWebhook(context.Background(), "https://atende.example.com/webhooks/telegram/7", secret); err != nil {
		t.Fatal(err)
	}
	want := []request{{"POST", "/bot" + testToken + "/setWebhook", "application/json",
		[]byte(`{"url":"https://atende.example.com/webhooks/telegram/7","secret_token":"` + secret + `","allowed_updates":["message","edited_message"]}`)}}
	if got := api.requests(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}

	for _, bad := range []string{"", "has space", strings.Repeat("a", 257)} {
		var se *channel.SendError
		if err := api.client().SetWebhook(context.Background(), "https://x", bad); !errors.As(err, &se) || se.Retry {
			t.Fatalf("secret %q: %v", bad, err)
		}
	}
	if n := len(api.requests()); n != 1 {
		t.Fatalf("invalid secrets reached Telegram: %d requests", n)
	}
}

func TestDeleteWebhookAndGetMe(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			io.WriteString(w, `{"ok":true,"result":{"id":7712345678,"is_bot":true,"first_name":"Loja Atende","username":"loja_atende_bot","can_join_groups":true}}`)
			return
		}
		io.WriteString(w, `{"ok":true,"result":true,"description":"Webhook was deleted"}`)
	})
	c := api.client()
	me, err := c.GetMe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := (User{ID: 7712345678, IsBot: true, FirstName: "Loja Atende", Username: "loja_atende_bot"}); me != want {
		t.Fatalf("getMe %+v", me)
	}
	if err := c.DeleteWebhook(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []request{
		{"POST", "/bot" + testToken + "/getMe", "application/json", []byte(`{}`)},
		{"POST", "/bot" + testToken + "/deleteWebhook", "application/json", []byte(`{}`)},
	}
	if got := api.requests(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestDownloadFile(t *testing.T) {
	content := []byte("\xff\xd8\xff\xe0 the photo")
	var filePath string
	fileSize := len(content)
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if strings.HasSuffix(r.URL.Path, "/getFile") {
			fmt.Fprintf(w, `{"ok":true,"result":{"file_id":"AgACAgEAAxkBAAIBVmeFs90-large","file_unique_id":"AQADlargeAAp4","file_size":%d,"file_path":%q}}`, fileSize, filePath)
			return
		}
		if r.Method != http.MethodGet || r.URL.EscapedPath() != "/file/bot"+testToken+"/photos/file%203.jpg" {
			http.NotFound(w, r)
			return
		}
		w.Write(content)
	})
	c := api.client()

	filePath = "photos/file 3.jpg"
	data, gotPath, err := c.DownloadFile(context.Background(), "AgACAgEAAxkBAAIBVmeFs90-large")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, content) || gotPath != filePath {
		t.Fatalf("got %q at %q", data, gotPath)
	}
	want := []request{
		{"POST", "/bot" + testToken + "/getFile", "application/json", []byte(`{"file_id":"AgACAgEAAxkBAAIBVmeFs90-large"}`)},
		{"GET", "/file/bot" + testToken + "/photos/file%203.jpg", "", []byte{}},
	}
	if got := api.requests(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}

	permanentErr := func(t *testing.T, err error) {
		t.Helper()
		var se *channel.SendError
		if !errors.As(err, &se) || se.Retry {
			t.Fatalf("want a permanent SendError, got %v", err)
		}
	}
	t.Run("announced size over the cap", func(t *testing.T) {
		c := api.client()
		c.MaxFileSize = int64(len(content)) - 1
		_, _, err := c.DownloadFile(context.Background(), "x")
		permanentErr(t, err)
	})
	t.Run("body over the cap", func(t *testing.T) {
		fileSize = 0 // unknown size: the download itself is bounded
		defer func() { fileSize = len(content) }()
		c := api.client()
		c.MaxFileSize = int64(len(content)) - 1
		_, _, err := c.DownloadFile(context.Background(), "x")
		permanentErr(t, err)
	})
	for _, p := range []string{"", "../secrets", "/etc/passwd", "photos/../../x", "a//b"} {
		t.Run("file_path "+p, func(t *testing.T) {
			filePath = p
			n := len(api.requests())
			_, _, err := c.DownloadFile(context.Background(), "x")
			permanentErr(t, err)
			if len(api.requests()) != n+1 {
				t.Fatal("the file server was called")
			}
		})
	}
	t.Run("file gone", func(t *testing.T) {
		filePath = "photos/missing.jpg"
		_, _, err := c.DownloadFile(context.Background(), "x")
		var se *channel.SendError
		if !errors.As(err, &se) || se.Retry || se.Code != 404 {
			t.Fatalf("got %v", err)
		}
	})
}

func TestErrorClassification(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		header   string
		body     string
		retry    bool
		after    time.Duration
		code     int
		contains string
	}{
		{"flood control", 429, "", `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 17","parameters":{"retry_after":17}}`,
			true, 17 * time.Second, 429, "Too Many Requests: retry after 17"},
		{"flood control, Retry-After header only", 429, "3", `{"ok":false,"error_code":429,"description":"Too Many Requests"}`,
			true, 3 * time.Second, 429, "Too Many Requests"},
		{"bot blocked", 403, "", `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`,
			false, 0, 403, "Forbidden: bot was blocked by the user"},
		{"chat not found", 400, "", `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`,
			false, 0, 400, "Bad Request: chat not found"},
		{"group migrated", 400, "", `{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001987654321}}`,
			false, 0, 400, "now chat -1001987654321"},
		{"bad token", 401, "", `{"ok":false,"error_code":401,"description":"Unauthorized"}`,
			false, 0, 401, "Unauthorized"},
		{"server error", 500, "", `{"ok":false,"error_code":500,"description":"Internal Server Error"}`,
			true, 0, 500, "Internal Server Error"},
		{"gateway error page", 502, "", `<html>Bad Gateway</html>`,
			true, 0, 0, "HTTP 502"},
		{"not found page", 404, "", `<html>Not Found</html>`,
			false, 0, 0, "HTTP 404"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if c.header != "" {
					w.Header().Set("Retry-After", c.header)
				}
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			})
			_, err := api.client().Send(context.Background(), channel.Outbound{To: "5203391846", Text: "x"})
			var se *channel.SendError
			if !errors.As(err, &se) {
				t.Fatalf("want a SendError, got %v", err)
			}
			if se.Retry != c.retry || se.After != c.after || se.Code != c.code || !strings.Contains(se.Msg, c.contains) {
				t.Fatalf("got %+v", se)
			}
			if !strings.HasPrefix(se.Msg, "telegram: sendMessage: ") {
				t.Fatalf("message %q does not name the call", se.Msg)
			}
		})
	}
}

// TestTokenRedacted proves the bot token never leaves the client: not in
// transport errors (which quote the URL), not in API errors, not when the
// client is printed or logged.
func TestTokenRedacted(t *testing.T) {
	check := func(t *testing.T, what, s string) {
		t.Helper()
		if strings.Contains(s, testToken) || strings.Contains(s, "ABC-DEF1234ghIkl") {
			t.Fatalf("%s leaks the token: %s", what, s)
		}
	}
	t.Run("connection refused", func(t *testing.T) {
		api := newFakeAPI(t, nil)
		c := api.client()
		api.Close()
		_, err := c.Send(context.Background(), channel.Outbound{To: "1", Text: "x"})
		var se *channel.SendError
		if !errors.As(err, &se) || !se.Retry {
			t.Fatalf("want a retryable SendError, got %v", err)
		}
		if !strings.Contains(err.Error(), "/bot<redacted>/sendMessage") {
			t.Fatalf("error %q does not show the redacted URL", err)
		}
		check(t, "error", err.Error())
		check(t, "error %#v", fmt.Sprintf("%#v", err))
	})
	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		})
		defer close(release)
		c := api.client()
		c.HTTP = &http.Client{Timeout: 50 * time.Millisecond}
		_, err := c.GetMe(context.Background())
		var se *channel.SendError
		if !errors.As(err, &se) || !se.Retry {
			t.Fatalf("want a retryable SendError, got %v", err)
		}
		check(t, "timeout error", err.Error())
	})
	t.Run("download", func(t *testing.T) {
		var srv *httptest.Server
		srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/getFile") {
				io.WriteString(w, `{"ok":true,"result":{"file_id":"x","file_path":"voice/file_1.oga"}}`)
				return
			}
			// cut the connection mid-answer
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close()
		}))
		defer srv.Close()
		c := &Client{BaseURL: srv.URL, Token: testToken, HTTP: srv.Client()}
		_, _, err := c.DownloadFile(context.Background(), "x")
		if err == nil {
			t.Fatal("want an error")
		}
		if !strings.Contains(err.Error(), "/file/bot<redacted>/voice/file_1.oga") {
			t.Fatalf("error %q does not show the redacted URL", err)
		}
		check(t, "download error", err.Error())
	})
	t.Run("API description echoing the token", func(t *testing.T) {
		api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"ok":false,"error_code":400,"description":"Bad Request: %s"}`, r.URL.Path)
		})
		_, err := api.client().Send(context.Background(), channel.Outbound{To: "1", Text: "x"})
		check(t, "API error", err.Error())
	})
	t.Run("printing and logging the client", func(t *testing.T) {
		c := &Client{Token: testToken}
		check(t, "%v", fmt.Sprintf("%v", c))
		check(t, "%+v", fmt.Sprintf("%+v", c))
		check(t, "%#v", fmt.Sprintf("%#v", c))
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "client", c)
		check(t, "slog", buf.String())
		if !strings.Contains(buf.String(), redacted) {
			t.Fatalf("slog output %s", buf.String())
		}
	})
}

func TestSplit(t *testing.T) {
	cases := []struct {
		s     string
		limit int
		want  []string
	}{
		{"", 5, nil},
		{"abc", 5, []string{"abc"}},
		{"abcdefgh", 3, []string{"abc", "def", "gh"}},
		{"ab cd ef", 5, []string{"ab cd", " ef"}},
		{"hello world", 8, []string{"hello ", "world"}},
		{"😀😀😀", 4, []string{"😀😀", "😀"}},
		{"a😀", 2, []string{"a", "😀"}},
	}
	for _, c := range cases {
		if got := split(c.s, c.limit); !reflect.DeepEqual(got, c.want) {
			t.Errorf("split(%q, %d) = %q, want %q", c.s, c.limit, got, c.want)
		}
	}
}
