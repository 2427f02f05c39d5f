package widget

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/store"
)

func TestVerifyUser(t *testing.T) {
	secret := "0123456789abcdef0123456789abcdef"
	good := SignUser(secret, "cliente-42")
	for _, tc := range []struct {
		name, secret, user, hash string
		want                     bool
	}{
		{"signed", secret, "cliente-42", good, true},
		{"upper-case hex", secret, "cliente-42", strings.ToUpper(good), true},
		{"another user", secret, "cliente-43", good, false},
		{"another secret", "x" + secret, "cliente-42", good, false},
		{"no secret", "", "cliente-42", SignUser("", "cliente-42"), false},
		{"empty user", secret, "", SignUser(secret, ""), false},
		{"short hash", secret, "cliente-42", good[:63], false},
		{"user too long", secret, strings.Repeat("u", MaxUserID+1), SignUser(secret, strings.Repeat("u", MaxUserID+1)), false},
	} {
		if got := VerifyUser(tc.secret, tc.user, tc.hash); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	ok := func(edit func(*Settings)) Settings {
		s := Defaults()
		edit(&s)
		return s
	}
	for _, tc := range []struct {
		name string
		in   Settings
		bad  string // part of the error, "" for valid
	}{
		{"defaults", Defaults(), ""},
		{"colour upper case", ok(func(s *Settings) { s.Color = "#ABCDEF" }), ""},
		{"named colour", ok(func(s *Settings) { s.Color = "red" }), "color"},
		{"position", ok(func(s *Settings) { s.Position = "top" }), "position"},
		{"language", ok(func(s *Settings) { s.Language = "fr" }), "language"},
		{"long greeting", ok(func(s *Settings) { s.GreetingPT = strings.Repeat("a", 501) }), "greeting_pt"},
		{"unknown field", ok(func(s *Settings) { s.PrechatFields = []Field{{Name: "cpf"}} }), "cpf"},
		{"field twice", ok(func(s *Settings) { s.PrechatFields = []Field{{Name: "name"}, {Name: "name"}} }), "twice"},
		{"origin with path", ok(func(s *Settings) { s.AllowedOrigins = []string{"https://loja.example/app"} }), "allowed_origins"},
		{"script origin", ok(func(s *Settings) { s.AllowedOrigins = []string{"javascript:alert(1)"} }), "allowed_origins"},
		{"origin", ok(func(s *Settings) { s.AllowedOrigins = []string{"HTTPS://Loja.Example:8443/"} }), ""},
	} {
		err := tc.in.Validate()
		switch {
		case tc.bad == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.bad != "" && (err == nil || !strings.Contains(err.Error(), tc.bad)):
			t.Errorf("%s: %v, want an error about %s", tc.name, err, tc.bad)
		}
	}
	s := ok(func(s *Settings) { s.Color = "#ABCDEF"; s.AllowedOrigins = []string{"HTTPS://Loja.Example:8443/"} })
	if err := s.Validate(); err != nil || s.Color != "#abcdef" || s.AllowedOrigins[0] != "https://loja.example:8443" {
		t.Fatalf("normalised: %+v %v", s, err)
	}
	if !s.OriginAllowed("https://loja.example:8443") || s.OriginAllowed("https://loja.example") || s.OriginAllowed("null") {
		t.Error("OriginAllowed")
	}
	if lang := Defaults().ResolveLanguage("pt-PT,pt;q=0.9"); lang != "pt-BR" {
		t.Errorf("Portuguese browser: %s", lang)
	}
	if lang := Defaults().ResolveLanguage("es-AR"); lang != "en" {
		t.Errorf("Spanish browser: %s", lang)
	}
}

func TestViewHidesWhatVisitorsMustNotSee(t *testing.T) {
	agent := int64(7)
	names := func(id int64) string { return map[int64]string{7: "Bruno Vendas"}[id] }
	in := store.Message{ID: 1, Direction: store.DirIn, Kind: store.KindText, SenderType: store.SenderContact, Content: "oi", CreatedAt: 100, Status: store.DeliveryNone}
	out := store.Message{ID: 2, Direction: store.DirOut, Kind: store.KindText, SenderType: store.SenderUser, SenderID: &agent, Content: "olá", Status: store.DeliveryDelivered,
		Attachments: []store.Attachment{{ID: 9, Filename: "a.pdf", ContentType: "application/pdf", Size: 3, StorageKey: "secret/key"}}}
	note := store.Message{ID: 3, Direction: store.DirInternal, Kind: store.KindNote, Content: "cliente difícil"}
	if Visible(note) || !Visible(in) || !Visible(out) {
		t.Fatal("Visible")
	}
	if v := View(in, names, "/w/", 0); v.Sender != "visitor" || v.Status != store.DeliverySent {
		t.Errorf("visitor's message before the team read it: %+v", v)
	}
	if v := View(in, names, "/w/", 100); v.Status != store.DeliveryRead {
		t.Errorf("visitor's message read by the team: %+v", v)
	}
	v := View(out, names, "/w/", 0)
	b, _ := json.Marshal(v)
	if v.AgentName != "Bruno" || v.Attachments[0].URL != "/w/9" || strings.Contains(string(b), "secret/key") || strings.Contains(string(b), "sender_id") {
		t.Errorf("agent reply as the visitor sees it: %s", b)
	}
}

// TestHubBindingRacesTheSocket: a visitor's first message can bind their
// session to the new contact while their socket is still being accepted;
// the socket must still receive their conversation's events, and no other
// contact's.
func TestHubBindingRacesTheSocket(t *testing.T) {
	for _, order := range []string{"bound before the socket", "bound after the socket"} {
		t.Run(order, func(t *testing.T) {
			bus := events.NewLocal()
			t.Cleanup(func() { bus.Close() })
			hub := NewHub(bus, nil)
			hub.Frame = func(_ context.Context, v Visitor, e events.Event) ([]byte, bool) { return e.Data, true }
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_ = hub.Serve(w, r, Visitor{WorkspaceID: 1, ChannelID: 2, SessionID: 5})
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { _ = hub.Close() })
			ctx := context.Background()
			bind := func() {
				_ = bus.Publish(ctx, events.Event{Type: events.WidgetBound, WorkspaceID: 1, Data: []byte(`{"session_id":5,"contact_id":9}`)})
			}
			if order == "bound before the socket" {
				bind()
			}
			conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.CloseNow()
			read := func() string {
				rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
				defer cancel()
				_, b, err := conn.Read(rctx)
				if err != nil {
					t.Fatalf("read: %v", err)
				}
				return string(b)
			}
			if got := read(); got != `{"type":"ready"}` {
				t.Fatalf("first frame %s", got)
			}
			if order == "bound after the socket" {
				bind()
				time.Sleep(50 * time.Millisecond) // the bind reaches the hub before the next event
			}
			_ = bus.Publish(ctx, events.Event{Type: events.MessageCreated, WorkspaceID: 1, ContactID: 8, ChannelID: 2, Data: []byte(`"someone else"`)})
			_ = bus.Publish(ctx, events.Event{Type: events.MessageCreated, WorkspaceID: 1, ContactID: 9, ChannelID: 3, Data: []byte(`"another channel"`)})
			_ = bus.Publish(ctx, events.Event{Type: events.MessageCreated, WorkspaceID: 1, ContactID: 9, ChannelID: 2, Data: []byte(`"mine"`)})
			if got := read(); got != `"mine"` {
				t.Fatalf("the visitor received %s", got)
			}
		})
	}
}
