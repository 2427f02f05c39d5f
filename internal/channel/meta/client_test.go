package meta

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/atende/atende/internal/channel"
)

const token = "EAAG-page-token"

// step is one request the fake Graph API expects, in order, and its answer.
type step struct {
	method, path string
	check        func(t *testing.T, r *http.Request)
	status       int
	answer       string
}

func fakeGraph(t *testing.T, steps []step) (*httptest.Server, *int) {
	t.Helper()
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n >= len(steps) {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.Error(w, "unexpected", 500)
			return
		}
		s := steps[n]
		n++
		if r.Method != s.method || r.URL.Path != s.path {
			t.Errorf("request %d: got %s %s, want %s %s", n, r.Method, r.URL.Path, s.method, s.path)
		}
		if got := r.Header.Get("Authorization"); got != "Bearer "+token {
			t.Errorf("request %d: Authorization %q", n, got)
		}
		if r.URL.Query().Has("access_token") || strings.Contains(r.URL.RawQuery, token) {
			t.Errorf("request %d: the token is in the URL: %s", n, r.URL)
		}
		if s.check != nil {
			s.check(t, r)
		}
		w.Header().Set("Content-Type", "application/json")
		if s.status != 0 {
			w.WriteHeader(s.status)
		}
		io.WriteString(w, s.answer)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func jsonBody(want string) func(t *testing.T, r *http.Request) {
	return func(t *testing.T, r *http.Request) {
		t.Helper()
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		b, _ := io.ReadAll(r.Body)
		if string(b) != want {
			t.Errorf("body\n got: %s\nwant: %s", b, want)
		}
	}
}

func upload(wantMessage, wantPlatform, wantName, wantMIME, wantData string) func(t *testing.T, r *http.Request) {
	return func(t *testing.T, r *http.Request) {
		t.Helper()
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Fatalf("multipart: %v", err)
		}
		if got := r.FormValue("message"); got != wantMessage {
			t.Errorf("message field %q, want %q", got, wantMessage)
		}
		if got := r.FormValue("platform"); got != wantPlatform {
			t.Errorf("platform field %q, want %q", got, wantPlatform)
		}
		f, h, err := r.FormFile("filedata")
		if err != nil {
			t.Fatalf("filedata: %v", err)
		}
		b, _ := io.ReadAll(f)
		if h.Filename != wantName || h.Header.Get("Content-Type") != wantMIME || string(b) != wantData {
			t.Errorf("filedata %q %q %q", h.Filename, h.Header.Get("Content-Type"), b)
		}
	}
}

const sendOK = `{"recipient_id":"6100000000000001","message_id":"m_sent_1"}`

func TestSendText(t *testing.T) {
	srv, n := fakeGraph(t, []step{{method: "POST", path: "/v25.0/104857600000001/messages", answer: sendOK,
		check: jsonBody(`{"recipient":{"id":"6100000000000001"},"messaging_type":"RESPONSE","message":{"text":"Olá, <Ana> & cia: seu pedido saiu!"}}`)}})
	c := &Client{BaseURL: srv.URL + "/v25.0", PageAccessToken: token, PageID: pageID}
	mid, err := c.Send(context.Background(), channel.Outbound{To: customer, Text: "Olá, <Ana> & cia: seu pedido saiu!"}, false)
	if err != nil || mid != "m_sent_1" || *n != 1 {
		t.Fatalf("mid %q err %v requests %d", mid, err, *n)
	}
}

func TestSendTaggedText(t *testing.T) {
	srv, _ := fakeGraph(t, []step{{method: "POST", path: "/v25.0/104857600000001/messages", answer: sendOK,
		check: jsonBody(`{"recipient":{"id":"6100000000000001"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT","message":{"text":"Voltando ao seu caso"}}`)}})
	c := &Client{BaseURL: srv.URL + "/v25.0/", PageAccessToken: token, PageID: pageID}
	if mid, err := c.Send(context.Background(), channel.Outbound{To: customer, Text: "Voltando ao seu caso"}, true); err != nil || mid != "m_sent_1" {
		t.Fatalf("%q %v", mid, err)
	}
}

// The text goes first, then each file with its caption after it.
func TestSendMediaUploadsThenSendsByAttachmentID(t *testing.T) {
	srv, n := fakeGraph(t, []step{
		{method: "POST", path: "/v25.0/104857600000001/message_attachments", answer: `{"attachment_id":"1857777774821032"}`,
			check: upload(`{"attachment":{"type":"image","payload":{"is_reusable":true}}}`, "", "nota.png", "image/png", "PNGDATA")},
		{method: "POST", path: "/v25.0/104857600000001/message_attachments", answer: `{"attachment_id":"1857777774821033"}`,
			check: upload(`{"attachment":{"type":"file","payload":{"is_reusable":true}}}`, "", "boleto.pdf", "application/pdf", "%PDF")},
		{method: "POST", path: "/v25.0/104857600000001/messages", answer: `{"recipient_id":"x","message_id":"m_text"}`,
			check: jsonBody(`{"recipient":{"id":"6100000000000001"},"messaging_type":"RESPONSE","message":{"text":"Segue o boleto."}}`)},
		{method: "POST", path: "/v25.0/104857600000001/messages", answer: `{"recipient_id":"x","message_id":"m_img"}`,
			check: jsonBody(`{"recipient":{"id":"6100000000000001"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"image","payload":{"attachment_id":"1857777774821032"}}}}`)},
		{method: "POST", path: "/v25.0/104857600000001/messages", answer: `{"recipient_id":"x","message_id":"m_caption"}`,
			check: jsonBody(`{"recipient":{"id":"6100000000000001"},"messaging_type":"RESPONSE","message":{"text":"a nota"}}`)},
		{method: "POST", path: "/v25.0/104857600000001/messages", answer: `{"recipient_id":"x","message_id":"m_pdf"}`,
			check: jsonBody(`{"recipient":{"id":"6100000000000001"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"file","payload":{"attachment_id":"1857777774821033"}}}}`)},
	})
	c := &Client{BaseURL: srv.URL + "/v25.0", PageAccessToken: token, PageID: pageID}
	out := channel.Outbound{To: customer, Text: "Segue o boleto.", Media: []channel.OutboundMedia{
		{Filename: "nota.png", MIME: "image/png", Data: []byte("PNGDATA"), Caption: "a nota"},
		{Filename: "boleto.pdf", MIME: "application/pdf", Data: []byte("%PDF")},
	}}
	mids, err := c.SendParts(context.Background(), out, false)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(mids, ",") != "m_text,m_img,m_caption,m_pdf" || *n != 6 {
		t.Fatalf("mids %v after %d requests", mids, *n)
	}
}

func TestInstagramUploadAndTaggedMedia(t *testing.T) {
	srv, _ := fakeGraph(t, []step{
		{method: "POST", path: "/v25.0/me/message_attachments", answer: `{"attachment_id":"77"}`,
			check: upload(`{"attachment":{"type":"audio","payload":{"is_reusable":true}}}`, "instagram", "voz.m4a", "audio/mp4", "AUDIO")},
		{method: "POST", path: "/v25.0/me/messages", answer: `{"recipient_id":"5300000000000001","message_id":"ig_m1"}`,
			check: jsonBody(`{"recipient":{"id":"5300000000000001"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT","message":{"attachment":{"type":"audio","payload":{"attachment_id":"77"}}}}`)},
	})
	c := &Client{BaseURL: srv.URL + "/v25.0", PageAccessToken: token, Platform: PlatformInstagram}
	mid, err := c.Send(context.Background(), channel.Outbound{To: igUser, Media: []channel.OutboundMedia{{Filename: "voz.m4a", MIME: "audio/mp4", Data: []byte("AUDIO")}}}, true)
	if err != nil || mid != "ig_m1" {
		t.Fatalf("%q %v", mid, err)
	}
}

func TestSendMediaURL(t *testing.T) {
	srv, _ := fakeGraph(t, []step{{method: "POST", path: "/v25.0/104857600000001/messages", answer: sendOK,
		check: jsonBody(`{"recipient":{"id":"6100000000000001"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"file","payload":{"url":"https://atende.example/f/abc.pdf"}}}}`)}})
	c := &Client{BaseURL: srv.URL + "/v25.0", PageAccessToken: token, PageID: pageID}
	if mid, err := c.SendMediaURL(context.Background(), customer, "file", "https://atende.example/f/abc.pdf", false); err != nil || mid != "m_sent_1" {
		t.Fatalf("%q %v", mid, err)
	}
}

func TestSendSplitsLongText(t *testing.T) {
	for _, tc := range []struct {
		platform string
		text     string
		parts    int
		fits     func(string) bool
	}{
		{PlatformMessenger, strings.Repeat("palavra ", 560), 3, func(s string) bool { return utf8.RuneCountInString(s) <= 2000 }},
		{PlatformInstagram, strings.Repeat("ação ", 500), 4, func(s string) bool { return len(s) <= 1000 }},
	} {
		t.Run(tc.platform, func(t *testing.T) {
			var got []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var req sendRequest
				b, _ := io.ReadAll(r.Body)
				if err := jsonUnmarshal(b, &req); err != nil {
					t.Error(err)
				}
				got = append(got, req.Message.Text)
				io.WriteString(w, sendOK)
			}))
			defer srv.Close()
			c := &Client{BaseURL: srv.URL, PageAccessToken: token, Platform: tc.platform}
			if _, err := c.SendParts(context.Background(), channel.Outbound{To: "1", Text: tc.text}, false); err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.parts {
				t.Fatalf("%d parts", len(got))
			}
			joined := strings.Join(got, " ")
			if joined != strings.TrimSpace(tc.text) {
				t.Fatal("text lost or reordered when split")
			}
			for _, p := range got {
				if !tc.fits(p) || !utf8.ValidString(p) {
					t.Fatalf("part too long or broken: %d bytes", len(p))
				}
			}
		})
	}
}

func TestSendRefusesWithoutCalling(t *testing.T) {
	srv, n := fakeGraph(t, nil)
	c := &Client{BaseURL: srv.URL, PageAccessToken: token}
	for name, out := range map[string]channel.Outbound{
		"template":     {To: "1", Template: &channel.Template{Name: "x"}},
		"no recipient": {Text: "x"},
		"nothing":      {To: "1", Text: "  "},
		"empty file":   {To: "1", Media: []channel.OutboundMedia{{Filename: "a"}}},
	} {
		_, err := c.Send(context.Background(), out, false)
		var se *channel.SendError
		if !errors.As(err, &se) || se.Retry {
			t.Errorf("%s: got %v, want a permanent SendError", name, err)
		}
	}
	if *n != 0 {
		t.Fatalf("%d requests made", *n)
	}
}

func TestFailedUploadSendsNothing(t *testing.T) {
	srv, n := fakeGraph(t, []step{{method: "POST", path: "/me/message_attachments", status: 500,
		answer: `{"error":{"message":"An unexpected error has occurred.","type":"OAuthException","code":2,"fbtrace_id":"A"}}`}})
	c := &Client{BaseURL: srv.URL, PageAccessToken: token}
	_, err := c.Send(context.Background(), channel.Outbound{To: "1", Text: "x", Media: []channel.OutboundMedia{{MIME: "image/jpeg", Data: []byte("j")}}}, false)
	var se *channel.SendError
	if !errors.As(err, &se) || !se.Retry || *n != 1 {
		t.Fatalf("%v after %d requests", err, *n)
	}
}

func TestProfile(t *testing.T) {
	srv, _ := fakeGraph(t, []step{
		{method: "GET", path: "/v25.0/6100000000000001", answer: `{"first_name":"Ana","last_name":"Souza","profile_pic":"https://pic","id":"6100000000000001"}`,
			check: func(t *testing.T, r *http.Request) {
				if got := r.URL.Query().Get("fields"); got != "name,first_name,last_name,profile_pic" {
					t.Errorf("fields %q", got)
				}
			}},
		{method: "GET", path: "/v25.0/5300000000000001", answer: `{"name":"Bia","username":"bia.loja","profile_pic":"https://p2","id":"5300000000000001"}`,
			check: func(t *testing.T, r *http.Request) {
				if got := r.URL.Query().Get("fields"); got != "name,username,profile_pic" {
					t.Errorf("fields %q", got)
				}
			}},
	})
	m := &Client{BaseURL: srv.URL + "/v25.0", PageAccessToken: token}
	p, err := m.Profile(context.Background(), customer)
	if err != nil || p != (Profile{ID: customer, Name: "Ana Souza", PictureURL: "https://pic"}) {
		t.Fatalf("%+v %v", p, err)
	}
	ig := &Client{BaseURL: srv.URL + "/v25.0", PageAccessToken: token, Platform: PlatformInstagram}
	p, err = ig.Profile(context.Background(), igUser)
	if err != nil || p != (Profile{ID: igUser, Name: "Bia", Username: "bia.loja", PictureURL: "https://p2"}) {
		t.Fatalf("%+v %v", p, err)
	}
}

func TestErrorClassification(t *testing.T) {
	graphErr := func(code, sub int, msg string) string {
		s := `{"error":{"message":"` + msg + `","type":"OAuthException","code":` + itoa(code)
		if sub != 0 {
			s += `,"error_subcode":` + itoa(sub)
		}
		return s + `,"fbtrace_id":"Fx1"}}`
	}
	cases := []struct {
		name       string
		status     int
		header     http.Header
		body       string
		retry      bool
		code       int
		after      time.Duration
		window     bool
		msgContain string
	}{
		{"app rate limit 4", 400, nil, graphErr(4, 0, "(#4) Application request limit reached"), true, 4, 0, false, "rate limited"},
		{"613 with Retry-After", 400, http.Header{"Retry-After": {"30"}}, graphErr(613, 0, "Calls to this api have exceeded the rate limit."), true, 613, 30 * time.Second, false, "rate limited"},
		{"page limit 32", 400, nil, graphErr(32, 0, "Page request limit reached"), true, 32, 0, false, "rate limited"},
		{"messenger BUC 80006", 400, nil, graphErr(80006, 0, "too many calls"), true, 80006, 0, false, "rate limited"},
		{"temporary 1200", 500, nil, graphErr(1200, 0, "Temporary send message failure. Please try again later."), true, 1200, 0, false, "temporary"},
		{"unexpected 2", 503, nil, graphErr(2, 0, "An unexpected error has occurred. Please retry your request later."), true, 2, 0, false, "temporary"},
		{"plain 502", 502, nil, `<html>bad gateway</html>`, true, 0, 0, false, "HTTP 502"},
		{"plain 429", 429, http.Header{"Retry-After": {"5"}}, ``, true, 0, 5 * time.Second, false, "HTTP 429"},
		{"window closed 10/2018278", 400, nil, graphErr(10, 2018278, "(#10) This message is sent outside of allowed window."), false, 10, 0, true, "outside of allowed window"},
		{"instagram window 10/2534022", 400, nil, graphErr(10, 2534022, "This message is sent outside of allowed window."), false, 10, 0, true, "outside of allowed window"},
		{"permission 10", 403, nil, graphErr(10, 0, "(#10) Requires pages_messaging permission"), false, 10, 0, false, "permission"},
		{"unavailable 551", 400, nil, graphErr(551, 1545041, "This person isn't available right now."), false, 551, 0, false, "isn't available right now"},
		{"invalid 100", 400, nil, graphErr(100, 0, "(#100) Param recipient[id] must be a valid ID string"), false, 100, 0, false, "invalid"},
		{"no user 100/2018001", 400, nil, graphErr(100, 2018001, "No matching user found"), false, 100, 0, false, "no matching user"},
		{"token 190", 401, nil, graphErr(190, 463, "Error validating access token: Session has expired"), false, 190, 0, false, "reconnect the channel"},
		{"plain 404", 404, nil, `not found`, false, 0, 0, false, "HTTP 404"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range c.header {
					w.Header()[k] = v
				}
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			}))
			defer srv.Close()
			cl := &Client{BaseURL: srv.URL, PageAccessToken: token}
			_, err := cl.Send(context.Background(), channel.Outbound{To: "1", Text: "x"}, false)
			var se *channel.SendError
			if !errors.As(err, &se) {
				t.Fatalf("not a SendError: %v", err)
			}
			if se.Retry != c.retry || se.Code != c.code || se.After != c.after {
				t.Fatalf("got retry=%v code=%d after=%v; want %v %d %v (%s)", se.Retry, se.Code, se.After, c.retry, c.code, c.after, se.Msg)
			}
			if IsWindowClosed(err) != c.window {
				t.Fatalf("IsWindowClosed = %v", !c.window)
			}
			if !strings.Contains(err.Error(), c.msgContain) || strings.Contains(err.Error(), token) {
				t.Fatalf("message %q should contain %q and never the token", err, c.msgContain)
			}
		})
	}
}

func TestNetworkErrorIsRetriedAndHidesToken(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens any more
	c := &Client{BaseURL: base, PageAccessToken: token, PageID: pageID}
	_, err := c.Send(context.Background(), channel.Outbound{To: "1", Text: "x"}, false)
	var se *channel.SendError
	if !errors.As(err, &se) || !se.Retry || strings.Contains(err.Error(), token) {
		t.Fatalf("%v", err)
	}
}

func TestMissingMessageIDIsNotRetried(t *testing.T) {
	srv, _ := fakeGraph(t, []step{{method: "POST", path: "/me/messages", answer: `{"recipient_id":"1"}`}})
	c := &Client{BaseURL: srv.URL, PageAccessToken: token}
	_, err := c.Send(context.Background(), channel.Outbound{To: "1", Text: "x"}, false)
	var se *channel.SendError
	if !errors.As(err, &se) || se.Retry {
		t.Fatalf("%v", err)
	}
}

func TestAttachmentType(t *testing.T) {
	for mime, want := range map[string]string{"image/png": "image", "video/mp4": "video", "audio/ogg": "audio", "application/pdf": "file", "": "file"} {
		if got := AttachmentType(mime); got != want {
			t.Errorf("%q → %q, want %q", mime, got, want)
		}
	}
}

func TestPage(t *testing.T) {
	srv, n := fakeGraph(t, []step{
		{method: "GET", path: "/104857600000001", check: func(t *testing.T, r *http.Request) {
			if got := r.URL.Query().Get("fields"); got != "id,name" {
				t.Errorf("fields = %q", got)
			}
		}, answer: `{"id":"104857600000001","name":"Loja Atende"}`},
		{method: "GET", path: "/17841400000000001", check: func(t *testing.T, r *http.Request) {
			if got := r.URL.Query().Get("fields"); got != "id,name,username" {
				t.Errorf("fields = %q", got)
			}
		}, answer: `{"id":"17841400000000001","name":"Loja","username":"loja.atende"}`},
		{method: "GET", path: "/104857600000001", status: 400,
			answer: `{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}`},
	})
	c := &Client{BaseURL: srv.URL, PageAccessToken: token, PageID: "104857600000001"}
	p, err := c.Page(context.Background())
	if err != nil || p.ID != "104857600000001" || p.Name != "Loja Atende" {
		t.Fatalf("Page = %+v, %v", p, err)
	}
	ig := &Client{BaseURL: srv.URL, PageAccessToken: token, PageID: "17841400000000001", Platform: PlatformInstagram}
	if p, err := ig.Page(context.Background()); err != nil || p.Username != "loja.atende" {
		t.Fatalf("Instagram Page = %+v, %v", p, err)
	}
	var se *channel.SendError
	if _, err := c.Page(context.Background()); !errors.As(err, &se) || se.Retry || se.Code != CodeAccessToken {
		t.Fatalf("refused token: %v", err)
	}
	if *n != 3 {
		t.Errorf("%d calls", *n)
	}
}

func TestDownload(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Errorf("the token went to the CDN")
		}
		switch r.URL.Path {
		case "/ok.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			io.WriteString(w, "jpeg")
		case "/big":
			io.WriteString(w, strings.Repeat("x", 100))
		case "/gone":
			http.NotFound(w, r)
		default:
			w.WriteHeader(503)
		}
	}))
	defer srv.Close()
	c := &Client{PageAccessToken: token}
	ctx := context.Background()
	if b, ct, err := c.Download(ctx, srv.URL+"/ok.jpg", 10); err != nil || string(b) != "jpeg" || ct != "image/jpeg" {
		t.Errorf("ok: %q %q %v", b, ct, err)
	}
	if _, _, err := c.Download(ctx, srv.URL+"/big", 10); !errors.Is(err, ErrTooLarge) {
		t.Errorf("big: %v", err)
	}
	var se *channel.SendError
	if _, _, err := c.Download(ctx, srv.URL+"/gone", 10); !errors.As(err, &se) || se.Retry {
		t.Errorf("gone: %v", err)
	}
	if _, _, err := c.Download(ctx, srv.URL+"/down", 10); !errors.As(err, &se) || !se.Retry {
		t.Errorf("down: %v", err)
	}
	if _, _, err := c.Download(ctx, "file:///etc/passwd", 10); !errors.As(err, &se) || se.Retry {
		t.Errorf("file URL: %v", err)
	}
}
