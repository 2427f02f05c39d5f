package sms

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel"
)

const (
	testToken = "5f1e2d3c4b5a69788796a5b4c3d2e1f0"
	testFrom  = "+551140028922"
)

// fakeAPI is a local stand-in for the provider's REST API that records
// every request and answers with a canned status, headers and body.
type fakeAPI struct {
	mu       sync.Mutex
	requests []recorded
	status   int
	header   http.Header
	body     []byte
}

type recorded struct {
	method, path, auth, contentType, accept string
	body                                    string
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newFake(t *testing.T, status int, body []byte) (*fakeAPI, *httptest.Server) {
	f := &fakeAPI{status: status, body: body, header: http.Header{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, recorded{r.Method, r.URL.EscapedPath(), r.Header.Get("Authorization"),
			r.Header.Get("Content-Type"), r.Header.Get("Accept"), string(b)})
		status, hdr, resp := f.status, f.header.Clone(), f.body
		f.mu.Unlock()
		for k, v := range hdr {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(resp)
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeAPI) only(t *testing.T) recorded {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) != 1 {
		t.Fatalf("%d requests, want 1", len(f.requests))
	}
	return f.requests[0]
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func TestSendText(t *testing.T) {
	fake, srv := newFake(t, http.StatusCreated, readTestdata(t, "send_created.json"))
	c := &Client{BaseURL: srv.URL + "/", AccountSID: ac, AuthToken: testToken, From: testFrom,
		StatusCallback: "https://atende.example.com/webhooks/sms/42/status"}
	sid, err := c.Send(context.Background(), channel.Outbound{To: "+5511987654321", Text: "Olá Ana, seu pedido saiu para entrega.", ReplyTo: "SMignored"})
	if err != nil {
		t.Fatal(err)
	}
	if sid != "SM4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b" {
		t.Fatalf("sid %q", sid)
	}
	r := fake.only(t)
	want := recorded{
		method:      "POST",
		path:        "/2010-04-01/Accounts/" + ac + "/Messages.json",
		auth:        basic(ac, testToken),
		contentType: "application/x-www-form-urlencoded",
		accept:      "application/json",
		// url.Values.Encode sorts by name
		body: "Body=Ol%C3%A1+Ana%2C+seu+pedido+saiu+para+entrega.&From=%2B551140028922" +
			"&StatusCallback=https%3A%2F%2Fatende.example.com%2Fwebhooks%2Fsms%2F42%2Fstatus&To=%2B5511987654321",
	}
	if r != want {
		t.Fatalf("request\n%+v\nwant\n%+v", r, want)
	}
}

func TestSendMessagingServiceAndMedia(t *testing.T) {
	fake, srv := newFake(t, http.StatusCreated, []byte(`{"sid":"MM0000000000000000000000000000000a","status":"accepted"}`))
	var published []string
	c := &Client{BaseURL: srv.URL, AccountSID: ac, AuthToken: testToken, From: testFrom,
		MessagingServiceSID: "MG9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b",
		MediaURL: func(_ context.Context, m channel.OutboundMedia) (string, error) {
			published = append(published, m.Filename)
			return "https://atende.example.com/media/" + m.Filename + "?sig=abc", nil
		}}
	sid, err := c.Send(context.Background(), channel.Outbound{To: " +5511987654321 ", Media: []channel.OutboundMedia{
		{Filename: "nota.pdf", MIME: "application/pdf", Data: []byte("%PDF"), Caption: "Sua nota fiscal"},
		{Filename: "foto.jpg", MIME: "image/jpeg", Data: []byte{0xff, 0xd8}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if sid != "MM0000000000000000000000000000000a" {
		t.Fatalf("sid %q", sid)
	}
	if strings.Join(published, ",") != "nota.pdf,foto.jpg" {
		t.Fatalf("published %v", published)
	}
	r := fake.only(t)
	wantBody := "Body=Sua+nota+fiscal" +
		"&MediaUrl=https%3A%2F%2Fatende.example.com%2Fmedia%2Fnota.pdf%3Fsig%3Dabc" +
		"&MediaUrl=https%3A%2F%2Fatende.example.com%2Fmedia%2Ffoto.jpg%3Fsig%3Dabc" +
		"&MessagingServiceSid=MG9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b&To=%2B5511987654321"
	if r.body != wantBody {
		t.Fatalf("body\n%s\nwant\n%s", r.body, wantBody)
	}
	if r.path != "/2010-04-01/Accounts/"+ac+"/Messages.json" || r.auth != basic(ac, testToken) {
		t.Fatalf("request %+v", r)
	}
}

func TestSendRefusedLocally(t *testing.T) {
	fake, srv := newFake(t, http.StatusCreated, []byte(`{"sid":"SMx"}`))
	good := Client{BaseURL: srv.URL, AccountSID: ac, AuthToken: testToken, From: testFrom}
	noMedia := good
	withMedia := good
	withMedia.MediaURL = func(context.Context, channel.OutboundMedia) (string, error) { return "https://x.example/m", nil }
	failingPublisher := good
	failingPublisher.MediaURL = func(context.Context, channel.OutboundMedia) (string, error) { return "", errors.New("disk full") }
	noSender := good
	noSender.From = ""
	noCreds := good
	noCreds.AuthToken = ""
	tooMany := make([]channel.OutboundMedia, MaxMedia+1)
	cases := []struct {
		name    string
		c       Client
		out     channel.Outbound
		retry   bool
		wantMsg string
	}{
		{"no recipient", good, channel.Outbound{Text: "x"}, false, "no recipient"},
		{"empty message", good, channel.Outbound{To: "+5511987654321"}, false, "text or an attachment"},
		{"template", good, channel.Outbound{To: "+5511987654321", Template: &channel.Template{Name: "hello"}}, false, "no message templates"},
		{"binary media without publisher", noMedia, channel.Outbound{To: "+5511987654321", Media: []channel.OutboundMedia{{Data: []byte("x")}}}, false, "public URL"},
		{"too many media", withMedia, channel.Outbound{To: "+5511987654321", Media: tooMany}, false, "at most 10"},
		{"publisher fails", failingPublisher, channel.Outbound{To: "+5511987654321", Media: []channel.OutboundMedia{{Data: []byte("x")}}}, true, "disk full"},
		{"no sender", noSender, channel.Outbound{To: "+5511987654321", Text: "x"}, false, "neither a From"},
		{"no credentials", noCreds, channel.Outbound{To: "+5511987654321", Text: "x"}, false, "no AccountSid or AuthToken"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.c.Send(context.Background(), c.out)
			var se *channel.SendError
			if !errors.As(err, &se) || se.Retry != c.retry || !strings.Contains(se.Msg, c.wantMsg) {
				t.Fatalf("got %#v, want SendError retry=%v containing %q", err, c.retry, c.wantMsg)
			}
		})
	}
	if len(fake.requests) != 0 {
		t.Fatalf("%d requests reached the provider", len(fake.requests))
	}
}

func TestSendErrorClassification(t *testing.T) {
	now := time.Now()
	cases := []struct {
		name    string
		status  int
		header  http.Header
		body    []byte
		retry   bool
		after   time.Duration
		code    int
		wantMsg string
	}{
		{"21211 invalid number", 400, nil, readTestdata(t, "error_21211.json"), false, 0, CodeInvalidTo,
			"sms: error 21211: The 'To' number 5551234567 is not a valid phone number. (HTTP 400)"},
		{"21610 unsubscribed", 400, nil, readTestdata(t, "error_21610.json"), false, 0, CodeUnsubscribed,
			"sms: error 21610: Attempt to send to unsubscribed recipient (HTTP 400)"},
		{"20003 bad credentials", 401, nil, readTestdata(t, "error_20003.json"), false, 0, CodeAuthentication,
			"sms: error 20003: Authenticate (HTTP 401)"},
		{"429 with Retry-After seconds", 429, http.Header{"Retry-After": {"7"}}, readTestdata(t, "error_20429.json"), true, 7 * time.Second, CodeTooManyRequests,
			"sms: error 20429: Too Many Requests (HTTP 429)"},
		{"429 with Retry-After date", 429, http.Header{"Retry-After": {now.Add(90 * time.Second).UTC().Format(http.TimeFormat)}}, readTestdata(t, "error_20429.json"), true, 90 * time.Second, CodeTooManyRequests, "HTTP 429"},
		{"429 without Retry-After", 429, nil, nil, true, 0, 0, "sms: Too Many Requests (HTTP 429)"},
		{"500 HTML page", 500, nil, []byte("<html>oops</html>"), true, 0, 0, "sms: Internal Server Error (HTTP 500)"},
		{"503 with Retry-After", 503, http.Header{"Retry-After": {"120"}}, []byte(`{"code":20500,"message":"Internal Server Error","more_info":"https://www.twilio.com/docs/errors/20500","status":503}`), true, 2 * time.Minute, 20500, "error 20500"},
		{"404 unknown account", 404, nil, []byte(`{"code":20404,"message":"The requested resource was not found","more_info":"https://www.twilio.com/docs/errors/20404","status":404}`), false, 0, 20404, "error 20404"},
		{"2xx without sid", 201, nil, []byte(`{}`), false, 0, 0, "without a message sid"},
		{"2xx not JSON", 200, nil, []byte(`OK`), false, 0, 0, "without a message sid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake, srv := newFake(t, c.status, c.body)
			for k, v := range c.header {
				fake.header[k] = v
			}
			cl := &Client{BaseURL: srv.URL, AccountSID: ac, AuthToken: testToken, From: testFrom}
			sid, err := cl.Send(context.Background(), channel.Outbound{To: "+5511987654321", Text: "oi"})
			var se *channel.SendError
			if sid != "" || !errors.As(err, &se) {
				t.Fatalf("got sid %q err %v", sid, err)
			}
			if se.Retry != c.retry || se.Code != c.code || !strings.Contains(se.Msg, c.wantMsg) {
				t.Fatalf("got %+v, want retry=%v code=%d msg containing %q", se, c.retry, c.code, c.wantMsg)
			}
			// an HTTP date has one-second resolution
			if d := se.After - c.after; d < -2*time.Second || d > 0 {
				t.Fatalf("After = %v, want about %v", se.After, c.after)
			}
		})
	}
}

func TestSendNetworkErrorIsRetryable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close()
	c := &Client{BaseURL: addr, AccountSID: ac, AuthToken: testToken, From: testFrom}
	_, err := c.Send(context.Background(), channel.Outbound{To: "+5511987654321", Text: "oi"})
	var se *channel.SendError
	if !errors.As(err, &se) || !se.Retry || strings.Contains(se.Msg, testToken) {
		t.Fatalf("got %#v", err)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 6, 4, 14, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"":                              0,
		"0":                             0,
		"-5":                            0,
		"3":                             3 * time.Second,
		"999999":                        24 * time.Hour,
		"Wed, 04 Jun 2025 14:00:30 GMT": 30 * time.Second,
		"Wed, 04 Jun 2025 13:00:00 GMT": 0,
		"soon":                          0,
	}
	for in, want := range cases {
		if got := retryAfter(in, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestDownloadMedia(t *testing.T) {
	jpeg := append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte{1}, 100)...)
	var storageAuth string
	storage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		storageAuth = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(jpeg)
	}))
	t.Cleanup(storage.Close)
	var apiAuth, apiPath string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apiAuth, apiPath = r.Header.Get("Authorization"), r.URL.Path
		switch {
		case strings.HasSuffix(r.URL.Path, "/ME_redirect"):
			// the provider redirects media to its storage host
			http.Redirect(w, r, storage.URL+"/signed/ME_redirect?X-Amz-Signature=abc", http.StatusTemporaryRedirect)
		case strings.HasSuffix(r.URL.Path, "/ME_big"):
			w.Header().Set("Content-Type", "video/mp4")
			w.Write(bytes.Repeat([]byte{0}, 2048))
		case strings.HasSuffix(r.URL.Path, "/ME_gone"):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(404)
			w.Write([]byte(`{"code":20404,"message":"The requested resource was not found","more_info":"https://www.twilio.com/docs/errors/20404","status":404}`))
		case strings.HasSuffix(r.URL.Path, "/ME_down"):
			w.WriteHeader(503)
		default:
			w.Header().Set("Content-Type", "image/png; charset=binary")
			w.Write([]byte("\x89PNG\r\n\x1a\n"))
		}
	}))
	t.Cleanup(api.Close)
	c := &Client{BaseURL: api.URL, AccountSID: ac, AuthToken: testToken, MaxMediaBytes: 1024}
	mediaPath := "/2010-04-01/Accounts/" + ac + "/Messages/" + mmsID + "/Media/"
	ctx := context.Background()

	data, ct, err := c.DownloadMedia(ctx, api.URL+mediaPath+"ME_png")
	if err != nil || ct != "image/png" || string(data) != "\x89PNG\r\n\x1a\n" {
		t.Fatalf("got %q %q %v", data, ct, err)
	}
	if apiAuth != basic(ac, testToken) || apiPath != mediaPath+"ME_png" {
		t.Fatalf("API saw auth %q path %q", apiAuth, apiPath)
	}

	data, ct, err = c.DownloadMedia(ctx, api.URL+mediaPath+"ME_redirect")
	if err != nil || ct != "image/jpeg" || !bytes.Equal(data, jpeg) {
		t.Fatalf("redirect: got %d bytes %q %v", len(data), ct, err)
	}
	if storageAuth != "" {
		t.Fatalf("credentials leaked to the storage host: %q", storageAuth)
	}

	// a URL on another host never receives the credentials
	storageAuth = "unset"
	if _, _, err := c.DownloadMedia(ctx, storage.URL+"/public.jpg"); err != nil {
		t.Fatal(err)
	}
	if storageAuth != "" {
		t.Fatalf("credentials sent to a foreign host: %q", storageAuth)
	}

	if _, _, err := c.DownloadMedia(ctx, api.URL+mediaPath+"ME_big"); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("big: got %v, want ErrTooLarge", err)
	}
	var se *channel.SendError
	if _, _, err := c.DownloadMedia(ctx, api.URL+mediaPath+"ME_gone"); !errors.As(err, &se) || se.Retry || se.Code != 20404 {
		t.Fatalf("gone: got %#v", err)
	}
	if _, _, err := c.DownloadMedia(ctx, api.URL+mediaPath+"ME_down"); !errors.As(err, &se) || !se.Retry {
		t.Fatalf("down: got %#v", err)
	}
	for _, bad := range []string{"", "/relative", "file:///etc/passwd", "ftp://x.example/a", "https://"} {
		if _, _, err := c.DownloadMedia(ctx, bad); !errors.Is(err, channel.ErrInvalid) {
			t.Fatalf("DownloadMedia(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestErrorText(t *testing.T) {
	if ErrorText(CodeInvalidTo) != "Invalid 'To' phone number" || ErrorText(CodeUnsubscribed) != "Attempt to send to unsubscribed recipient" || ErrorText(1) != "" {
		t.Fatal("ErrorText")
	}
}

func TestAccount(t *testing.T) {
	fake, srv := newFake(t, http.StatusOK, []byte(`{"sid":"`+ac+`","friendly_name":"Loja Exemplo","status":"active","type":"Full"}`))
	c := &Client{BaseURL: srv.URL, AccountSID: ac, AuthToken: testToken}
	a, err := c.Account(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if a.SID != ac || a.FriendlyName != "Loja Exemplo" || a.Status != "active" {
		t.Fatalf("account %+v", a)
	}
	r := fake.only(t)
	if r.method != "GET" || r.path != "/2010-04-01/Accounts/"+ac+".json" || r.auth != basic(ac, testToken) || r.accept != "application/json" {
		t.Fatalf("request %+v", r)
	}

	_, srv2 := newFake(t, http.StatusUnauthorized, readTestdata(t, "error_20003.json"))
	c.BaseURL = srv2.URL
	_, err = c.Account(context.Background())
	var se *channel.SendError
	if !errors.As(err, &se) || se.Retry || se.Code != CodeAuthentication {
		t.Fatalf("bad credentials: %v", err)
	}
}

// SendURLs sends media already published: one MediaUrl per link, in order;
// media bytes or too many links are refused before any call.
func TestSendURLs(t *testing.T) {
	fake, srv := newFake(t, http.StatusCreated, []byte(`{"sid":"MM0000000000000000000000000000000b","status":"accepted"}`))
	c := &Client{BaseURL: srv.URL, AccountSID: ac, AuthToken: testToken, From: testFrom}
	links := []string{"https://atende.example.com/media/AQAB", "https://atende.example.com/media/AQAC"}
	sid, err := c.SendURLs(context.Background(), channel.Outbound{To: "+5511987654321", Text: "Fotos"}, links)
	if err != nil || sid != "MM0000000000000000000000000000000b" {
		t.Fatalf("SendURLs = %q, %v", sid, err)
	}
	want := "Body=Fotos&From=%2B551140028922" +
		"&MediaUrl=https%3A%2F%2Fatende.example.com%2Fmedia%2FAQAB&MediaUrl=https%3A%2F%2Fatende.example.com%2Fmedia%2FAQAC&To=%2B5511987654321"
	if r := fake.only(t); r.body != want {
		t.Fatalf("body\n%s\nwant\n%s", r.body, want)
	}
	many := make([]string, MaxMedia+1)
	for i := range many {
		many[i] = links[0]
	}
	for name, tc := range map[string]struct {
		out  channel.Outbound
		urls []string
	}{
		"bytes instead of links": {channel.Outbound{To: "+5511987654321", Media: []channel.OutboundMedia{{Data: []byte("x")}}}, nil},
		"too many links":         {channel.Outbound{To: "+5511987654321"}, many},
		"nothing to send":        {channel.Outbound{To: "+5511987654321"}, nil},
	} {
		_, err := c.SendURLs(context.Background(), tc.out, tc.urls)
		var se *channel.SendError
		if !errors.As(err, &se) || se.Retry {
			t.Errorf("%s: %v, want a permanent SendError", name, err)
		}
	}
	if n := len(fake.requests); n != 1 {
		t.Errorf("%d requests after the refusals, want 1", n)
	}
}
