package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/events"
)

var viewers = map[string]access.Viewer{
	"admin":    {WorkspaceID: 1, UserID: 1, Role: access.RoleAdmin},
	"dept1":    {WorkspaceID: 1, UserID: 2, Role: access.RoleAgent, Scope: access.ScopeDepartment, DepartmentIDs: []int64{1}},
	"dept2":    {WorkspaceID: 1, UserID: 3, Role: access.RoleAgent, Scope: access.ScopeDepartment, DepartmentIDs: []int64{2}},
	"assigned": {WorkspaceID: 1, UserID: 4, Role: access.RoleAgent, Scope: access.ScopeAssigned, DepartmentIDs: []int64{1}},
	"other":    {WorkspaceID: 2, UserID: 5, Role: access.RoleAdmin},
	"slow":     {WorkspaceID: 3, UserID: 6, Role: access.RoleAdmin},
}

type fixture struct {
	bus          *events.Local
	hub          *Hub
	srv          *httptest.Server
	connected    chan access.Viewer
	disconnected chan access.Viewer
}

// newFixture serves the hub with the viewer named by the "as" query
// parameter, standing in for the HTTP layer's authentication. configure runs
// before the server starts, as the hub's fields must be set before Serve.
func newFixture(t *testing.T, configure func(*Hub)) *fixture {
	t.Helper()
	f := &fixture{
		bus:          events.NewLocal(),
		connected:    make(chan access.Viewer, 16),
		disconnected: make(chan access.Viewer, 16),
	}
	f.hub = New(f.bus, slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.hub.OnConnect = func(v access.Viewer) { f.connected <- v }
	f.hub.OnDisconnect = func(v access.Viewer) { f.disconnected <- v }
	if configure != nil {
		configure(f.hub)
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, ok := viewers[r.URL.Query().Get("as")]
		if !ok {
			http.Error(w, "unknown viewer", http.StatusUnauthorized)
			return
		}
		f.hub.Serve(w, r, v)
	}))
	t.Cleanup(func() {
		f.hub.Close()
		f.srv.Close()
		f.bus.Close()
	})
	return f
}

func wsURL(srv *httptest.Server, as string) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/?as=" + as
}

// dial connects as the named viewer and waits until the hub has registered
// the client, so events published afterwards are certain to reach it.
func (f *fixture) dial(t *testing.T, as string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, wsURL(f.srv, as), nil)
	if err != nil {
		t.Fatalf("dial as %s: %v", as, err)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { c.CloseNow() })
	select {
	case v := <-f.connected:
		if v.UserID != viewers[as].UserID {
			t.Fatalf("connected user %d, want %d", v.UserID, viewers[as].UserID)
		}
	case <-ctx.Done():
		t.Fatalf("hub did not register %s", as)
	}
	return c
}

func (f *fixture) publish(t *testing.T, e events.Event) {
	t.Helper()
	if err := f.bus.Publish(context.Background(), e); err != nil {
		t.Fatal(err)
	}
}

func readEvent(t *testing.T, c *websocket.Conn) events.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	typ, data, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("message type %v, want text", typ)
	}
	var e events.Event
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return e
}

const endMarker = "test.end"

// readUntilEnd returns the events a client received before the end marker.
// Events reach one client in publish order, so stopping at a marker published
// last proves what was not delivered without waiting on a timer.
func readUntilEnd(t *testing.T, c *websocket.Conn) []string {
	t.Helper()
	var got []string
	for {
		e := readEvent(t, c)
		if e.Type == endMarker {
			return got
		}
		got = append(got, e.Type+"#"+itoa(e.ConversationID))
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestFiltering(t *testing.T) {
	f := newFixture(t, nil)
	conns := map[string]*websocket.Conn{}
	for _, as := range []string{"admin", "dept1", "dept2", "assigned", "other"} {
		conns[as] = f.dial(t, as)
	}

	f.publish(t, events.Event{Type: events.MessageCreated, WorkspaceID: 1, ConversationID: 10, DepartmentID: 1})
	f.publish(t, events.Event{Type: events.MessageCreated, WorkspaceID: 1, ConversationID: 20, DepartmentID: 2})
	f.publish(t, events.Event{Type: events.ConversationUpdated, WorkspaceID: 1, ConversationID: 30, DepartmentID: 1, AssigneeID: 4})
	// Moved from dept 1 / user 4 to dept 2 unassigned: dept 1 and user 4
	// must learn it left their view.
	f.publish(t, events.Event{Type: events.ConversationUpdated, WorkspaceID: 1, ConversationID: 40, DepartmentID: 2, PrevDepartmentID: 1, PrevAssigneeID: 4})
	// Prev* only counts on conversation.updated.
	f.publish(t, events.Event{Type: events.MessageCreated, WorkspaceID: 1, ConversationID: 50, DepartmentID: 2, PrevDepartmentID: 1})
	f.publish(t, events.Event{Type: events.CountersChanged, WorkspaceID: 1})
	f.publish(t, events.Event{Type: events.MessageCreated, WorkspaceID: 2, ConversationID: 60, DepartmentID: 1})
	f.publish(t, events.Event{Type: events.PresenceUpdated, WorkspaceID: 2})
	f.publish(t, events.Event{Type: endMarker, WorkspaceID: 1})
	f.publish(t, events.Event{Type: endMarker, WorkspaceID: 2})

	want := map[string][]string{
		"admin":    {"message.created#10", "message.created#20", "conversation.updated#30", "conversation.updated#40", "message.created#50", "counters.changed#0"},
		"dept1":    {"message.created#10", "conversation.updated#30", "conversation.updated#40", "counters.changed#0"},
		"dept2":    {"message.created#20", "conversation.updated#40", "message.created#50", "counters.changed#0"},
		"assigned": {"conversation.updated#30", "conversation.updated#40", "counters.changed#0"},
		"other":    {"message.created#60", "presence.updated#0"},
	}
	for as, c := range conns {
		got := readUntilEnd(t, c)
		if strings.Join(got, " ") != strings.Join(want[as], " ") {
			t.Errorf("%s received\n  %v\nwant\n  %v", as, got, want[as])
		}
	}
}

func TestEventJSON(t *testing.T) {
	f := newFixture(t, nil)
	c := f.dial(t, "admin")
	f.publish(t, events.Event{Type: events.MessageCreated, WorkspaceID: 1, ConversationID: 10, DepartmentID: 1, Data: json.RawMessage(`{"id":99}`)})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, data, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if string(m["type"]) != `"message.created"` || string(m["conversation_id"]) != "10" || string(m["data"]) != `{"id":99}` {
		t.Errorf("unexpected frame %s", data)
	}
	if string(m["at"]) == "0" || m["at"] == nil {
		t.Errorf("at missing in %s", data)
	}
}

func TestUpdateViewer(t *testing.T) {
	f := newFixture(t, nil)
	c := f.dial(t, "dept2")

	moved := viewers["dept2"]
	moved.DepartmentIDs = []int64{1}
	f.hub.UpdateViewer(moved)

	f.publish(t, events.Event{Type: events.MessageCreated, WorkspaceID: 1, ConversationID: 10, DepartmentID: 1})
	f.publish(t, events.Event{Type: events.MessageCreated, WorkspaceID: 1, ConversationID: 20, DepartmentID: 2})
	f.publish(t, events.Event{Type: endMarker, WorkspaceID: 1})
	if got := strings.Join(readUntilEnd(t, c), " "); got != "message.created#10" {
		t.Errorf("after UpdateViewer received %q, want only conversation 10", got)
	}
}

func TestTypingCallback(t *testing.T) {
	type typing struct {
		v    access.Viewer
		conv int64
	}
	got := make(chan typing, 1)
	f := newFixture(t, func(h *Hub) {
		h.OnTyping = func(v access.Viewer, id int64) { got <- typing{v, id} }
	})
	c := f.dial(t, "dept1")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Garbage and unknown types are ignored, not fatal.
	for _, msg := range []string{`not json`, `{"type":"hello"}`, `{"type":"typing","conversation_id":77}`} {
		if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case tp := <-got:
		if tp.v.UserID != viewers["dept1"].UserID || tp.conv != 77 {
			t.Errorf("OnTyping(%d, %d), want (%d, 77)", tp.v.UserID, tp.conv, viewers["dept1"].UserID)
		}
	case <-ctx.Done():
		t.Fatal("OnTyping not called")
	}
}

func TestSlowConsumerDisconnected(t *testing.T) {
	f := newFixture(t, func(h *Hub) { h.SendBuffer = 8 })
	slow := f.dial(t, "slow") // never reads until the end
	fast := f.dial(t, "admin")

	// Large events fill the kernel socket buffers quickly, after which the
	// hub's queue for the slow client overflows.
	data, _ := json.Marshal(strings.Repeat("x", 64<<10))
	var worst time.Duration
	for i := 0; i < 20000 && f.hub.slowKicks.Load() == 0; i++ {
		start := time.Now()
		f.publish(t, events.Event{Type: events.MessageCreated, WorkspaceID: 3, ConversationID: 1, Data: data})
		worst = max(worst, time.Since(start))
	}
	if f.hub.slowKicks.Load() != 1 {
		t.Fatalf("slow consumer kicks = %d, want 1", f.hub.slowKicks.Load())
	}
	// The writer is stuck on the full socket, so the hub cuts the connection
	// after kickGrace.
	select {
	case v := <-f.disconnected:
		if v.UserID != viewers["slow"].UserID {
			t.Fatalf("user %d disconnected, want the slow one", v.UserID)
		}
	case <-time.After(kickGrace + 5*time.Second):
		t.Fatal("slow consumer was not disconnected")
	}
	if worst > 500*time.Millisecond {
		t.Errorf("a Publish took %v: the hub blocked the bus", worst)
	}
	if n := f.hub.Clients(); n != 1 {
		t.Errorf("Clients() = %d after disconnect, want 1", n)
	}

	// The slow client finds its connection closed: with 1008 when the close
	// frame got through, or cut when its socket was too full for that.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var err error
	for err == nil {
		_, _, err = slow.Read(ctx)
	}
	if ctx.Err() != nil {
		t.Fatal("slow client connection still open")
	}
	if s := websocket.CloseStatus(err); s != -1 && s != websocket.StatusPolicyViolation {
		t.Errorf("slow client closed with %v, want 1008", s)
	}

	// Other clients are unaffected.
	f.publish(t, events.Event{Type: events.CountersChanged, WorkspaceID: 1})
	if e := readEvent(t, fast); e.Type != events.CountersChanged {
		t.Errorf("fast client got %s", e.Type)
	}
}

func TestSlowConsumerCloseCode(t *testing.T) {
	// With small events the writer is not stuck on the socket when the
	// one-slot queue overflows, so the client receives the 1008 close frame.
	f := newFixture(t, func(h *Hub) { h.SendBuffer = 1 })
	c := f.dial(t, "admin")
	for i := 0; f.hub.slowKicks.Load() == 0; i++ {
		if i == 1_000_000 {
			t.Fatal("never overflowed a one-slot queue")
		}
		f.publish(t, events.Event{Type: events.CountersChanged, WorkspaceID: 1})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var err error
	for err == nil {
		_, _, err = c.Read(ctx)
	}
	if s := websocket.CloseStatus(err); s != websocket.StatusPolicyViolation {
		t.Errorf("close status %v (%v), want 1008", s, err)
	}
}

func TestOriginChecked(t *testing.T) {
	f := newFixture(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, wsURL(f.srv, "admin"), &websocket.DialOptions{
		HTTPHeader: http.Header{"Origin": {"https://evil.example"}},
	})
	if err == nil {
		t.Fatal("cross-origin WebSocket accepted")
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin dial: %v, resp %v; want 403", err, resp)
	}
	if n := f.hub.Clients(); n != 0 {
		t.Errorf("Clients() = %d", n)
	}

	// Same origin is accepted.
	c, _, err := websocket.Dial(ctx, wsURL(f.srv, "admin"), &websocket.DialOptions{
		HTTPHeader: http.Header{"Origin": {f.srv.URL}},
	})
	if err != nil {
		t.Fatalf("same-origin dial: %v", err)
	}
	c.CloseNow()
}

func TestCloseGoingAway(t *testing.T) {
	f := newFixture(t, nil)
	a := f.dial(t, "admin")
	b := f.dial(t, "other")
	if n := f.hub.Clients(); n != 2 {
		t.Fatalf("Clients() = %d, want 2", n)
	}

	closed := make(chan struct{})
	go func() { f.hub.Close(); close(closed) }()
	for _, c := range []*websocket.Conn{a, b} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, _, err := c.Read(ctx)
		cancel()
		if s := websocket.CloseStatus(err); s != websocket.StatusGoingAway {
			t.Errorf("close status %v (%v), want 1001", s, err)
		}
	}
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	if n := f.hub.Clients(); n != 0 {
		t.Errorf("Clients() = %d after Close", n)
	}
	// Publishing after Close must not panic or block.
	f.publish(t, events.Event{Type: events.CountersChanged, WorkspaceID: 1})

	// New connections are turned away.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, wsURL(f.srv, "admin"), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Read(ctx)
	if s := websocket.CloseStatus(err); s != websocket.StatusGoingAway {
		t.Errorf("after Close: status %v (%v), want 1001", s, err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Error("connection after Close stayed open")
	}
}
