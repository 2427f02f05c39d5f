package widget

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/atende/atende/internal/events"
)

// Hub limits and timings.
const (
	sendBuffer   = 64
	pingInterval = 30 * time.Second
	writeTimeout = 10 * time.Second
	readLimit    = 1024
	typingEvery  = 2 * time.Second
)

// ErrClosed is returned by Serve once the hub is shutting down.
var ErrClosed = errors.New("widget: hub closed")

// Visitor is who a visitor connection belongs to.
type Visitor struct {
	WorkspaceID int64
	ChannelID   int64
	SessionID   int64
	// ContactID is 0 until the visitor's first message.
	ContactID int64
	// Key is the widget's public key (for attachment URLs).
	Key string
}

// Hub pushes to each connected website visitor the events of their own
// conversations on the widget's channel: replies, status changes, agent
// typing and the conversation's state. Events are routed by the bus
// events' ContactID and ChannelID, so a visitor never receives another
// customer's traffic, and are rendered on the visitor's own goroutine
// (Frame may read the database) so the bus is never blocked.
type Hub struct {
	// Frame renders an event for the visitor; false sends nothing.
	Frame func(ctx context.Context, v Visitor, e events.Event) ([]byte, bool)
	// OnTyping is called (at most every two seconds per connection) when
	// the visitor types.
	OnTyping func(v Visitor)
	// InsecureSkipVerify disables the same-origin check (tests only).
	InsecureSkipVerify bool

	logger      *slog.Logger
	unsubscribe func()

	mu        sync.RWMutex
	byContact map[int64]map[*visitorConn]struct{}
	bySession map[int64]map[*visitorConn]struct{}
	// bound remembers recent session → contact bindings: a visitor's first
	// message can bind the session while its socket is still being
	// accepted, and that socket must not stay deaf.
	bound  map[int64]binding
	closed bool
	wg     sync.WaitGroup
	count  atomic.Int64
}

type visitorConn struct {
	conn    *websocket.Conn
	v       Visitor
	contact atomic.Int64
	send    chan events.Event
	kicked  chan struct{}
	once    sync.Once
}

func (c *visitorConn) visitor() Visitor {
	v := c.v
	v.ContactID = c.contact.Load()
	return v
}

func (c *visitorConn) kick() {
	c.once.Do(func() {
		close(c.kicked)
		time.AfterFunc(2*time.Second, func() { c.conn.CloseNow() })
	})
}

// NewHub returns a hub subscribed to bus.
func NewHub(bus events.Bus, logger *slog.Logger) *Hub {
	if logger == nil {
		logger = slog.Default()
	}
	h := &Hub{logger: logger, byContact: map[int64]map[*visitorConn]struct{}{}, bySession: map[int64]map[*visitorConn]struct{}{}}
	h.unsubscribe = bus.Subscribe(h.dispatch)
	return h
}

type binding struct {
	contact int64
	at      time.Time
}

// boundTTL is how long a binding is remembered for sockets not yet registered.
const boundTTL = 10 * time.Minute

// Bound is the body of an events.WidgetBound event.
type Bound struct {
	SessionID int64 `json:"session_id"`
	ContactID int64 `json:"contact_id"`
}

func (h *Hub) dispatch(e events.Event) {
	if e.Type == events.WidgetBound {
		var b Bound
		if json.Unmarshal(e.Data, &b) == nil {
			h.bind(b.SessionID, b.ContactID)
		}
		return
	}
	if e.ContactID == 0 {
		return
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.byContact[e.ContactID] {
		if c.v.WorkspaceID != e.WorkspaceID || c.v.ChannelID != e.ChannelID {
			continue
		}
		select {
		case c.send <- e:
		default:
			c.kick() // it reconnects and reloads its conversation
		}
	}
}

// bind moves a session's connections under the contact its first message
// created.
func (h *Hub) bind(sessionID, contactID int64) {
	if contactID == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	if h.bound == nil {
		h.bound = map[int64]binding{}
	}
	h.bound[sessionID] = binding{contact: contactID, at: now}
	if len(h.bound) > 1024 {
		for id, b := range h.bound {
			if now.Sub(b.at) > boundTTL {
				delete(h.bound, id)
			}
		}
	}
	for c := range h.bySession[sessionID] {
		if old := c.contact.Swap(contactID); old == contactID {
			continue
		} else if old != 0 {
			delete(h.byContact[old], c)
		}
		if h.byContact[contactID] == nil {
			h.byContact[contactID] = map[*visitorConn]struct{}{}
		}
		h.byContact[contactID][c] = struct{}{}
	}
}

func (h *Hub) register(c *visitorConn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	if h.bySession[c.v.SessionID] == nil {
		h.bySession[c.v.SessionID] = map[*visitorConn]struct{}{}
	}
	h.bySession[c.v.SessionID][c] = struct{}{}
	if b, ok := h.bound[c.v.SessionID]; ok && c.contact.Load() == 0 && time.Since(b.at) <= boundTTL {
		c.contact.Store(b.contact) // bound while this socket was being accepted
	}
	if id := c.contact.Load(); id != 0 {
		if h.byContact[id] == nil {
			h.byContact[id] = map[*visitorConn]struct{}{}
		}
		h.byContact[id][c] = struct{}{}
	}
	h.wg.Add(1)
	h.count.Add(1)
	return true
}

func (h *Hub) unregister(c *visitorConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.bySession[c.v.SessionID], c)
	if len(h.bySession[c.v.SessionID]) == 0 {
		delete(h.bySession, c.v.SessionID)
	}
	if id := c.contact.Load(); id != 0 {
		delete(h.byContact[id], c)
		if len(h.byContact[id]) == 0 {
			delete(h.byContact, id)
		}
	}
	h.count.Add(-1)
}

// Serve upgrades the request to the visitor's WebSocket and pushes their
// events until the connection ends or the hub closes.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, v Visitor) error {
	// The frame is served by Atende itself, so its socket is same-origin:
	// the default Origin check refuses other sites.
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: h.InsecureSkipVerify})
	if err != nil {
		return err
	}
	conn.SetReadLimit(readLimit)
	c := &visitorConn{conn: conn, v: v, send: make(chan events.Event, sendBuffer), kicked: make(chan struct{})}
	c.contact.Store(v.ContactID)
	if !h.register(c) {
		conn.Close(websocket.StatusGoingAway, "server shutting down")
		return ErrClosed
	}
	defer h.wg.Done()
	defer h.unregister(c)

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	// From here on no event of the visitor's is missed: say so, so that a
	// client that must not miss one can wait for it.
	wctx, wcancel := context.WithTimeout(ctx, writeTimeout)
	err = conn.Write(wctx, websocket.MessageText, []byte(`{"type":"ready"}`))
	wcancel()
	if err != nil {
		conn.CloseNow()
		return nil
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer cancel()
		h.writeLoop(ctx, c)
	}()
	err = h.readLoop(ctx, c)
	cancel()
	<-done
	conn.CloseNow()
	h.logger.Debug("widget: visitor disconnected", "session", v.SessionID, "reason", err)
	return nil
}

func (h *Hub) writeLoop(ctx context.Context, c *visitorConn) {
	ping := time.NewTicker(pingInterval)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.kicked:
			c.conn.Close(websocket.StatusPolicyViolation, "too slow: reconnect")
			return
		case e := <-c.send:
			if h.Frame == nil {
				continue
			}
			msg, ok := h.Frame(ctx, c.visitor(), e)
			if !ok {
				continue
			}
			wctx, cancel := context.WithTimeout(ctx, writeTimeout)
			err := c.conn.Write(wctx, websocket.MessageText, msg)
			cancel()
			if err != nil {
				c.conn.CloseNow()
				return
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, writeTimeout)
			err := c.conn.Ping(pctx)
			cancel()
			if err != nil {
				c.conn.CloseNow()
				return
			}
		}
	}
}

func (h *Hub) readLoop(ctx context.Context, c *visitorConn) error {
	var last time.Time
	for {
		typ, data, err := c.conn.Read(ctx)
		if err != nil {
			return err
		}
		if typ != websocket.MessageText {
			continue
		}
		var m struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		if m.Type == events.Typing && h.OnTyping != nil && time.Since(last) >= typingEvery {
			last = time.Now()
			h.OnTyping(c.visitor())
		}
	}
}

// Clients is how many visitors are connected to this node.
func (h *Hub) Clients() int { return int(h.count.Load()) }

// Close disconnects every visitor and waits for their connections to end.
func (h *Hub) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	for _, set := range h.bySession {
		for c := range set {
			c.kick()
		}
	}
	h.mu.Unlock()
	h.unsubscribe()
	h.wg.Wait()
	return nil
}
