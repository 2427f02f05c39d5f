// Package realtime owns the browser-facing WebSocket connections of one node:
// it accepts them on behalf of the HTTP layer (which has already
// authenticated the user), subscribes once to the event bus and pushes each
// event to exactly the connected users allowed to see it, applying the same
// visibility rules as the store (DESIGN §3, access.Viewer). It never blocks
// the bus: a client that cannot keep up is disconnected and catches up
// through the REST API when it reconnects.
package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/events"
)

// Defaults for the tunable Hub fields.
const (
	DefaultSendBuffer   = 256
	DefaultPingInterval = 30 * time.Second
	// writeTimeout bounds one frame write or ping. A client that cannot take
	// a frame in this time is gone or hopelessly slow.
	writeTimeout = 10 * time.Second
	// readLimit bounds client messages; they are tiny control messages.
	readLimit = 4096
	// kickGrace is how long a kicked client's writer gets to send the close
	// frame. A slow consumer's writer is usually stuck on a full TCP buffer
	// and would otherwise hold the connection until writeTimeout.
	kickGrace = 2 * time.Second
)

// ErrClosed is returned by Serve once the hub is shutting down.
var ErrClosed = errors.New("realtime: hub closed")

// Hub fans bus events out to WebSocket clients. Set the exported fields
// before the first call to Serve; they are not synchronised.
type Hub struct {
	// OnTyping is called when a client reports typing in a conversation. The
	// hub does not check that the viewer may see the conversation: the
	// callback must, before publishing anything.
	OnTyping func(v access.Viewer, conversationID int64)
	// OnConnect and OnDisconnect are called around each connection (for
	// presence). A user with several tabs connects several times.
	OnConnect    func(v access.Viewer)
	OnDisconnect func(v access.Viewer)
	// InsecureSkipVerify disables the same-origin check. Tests only: in
	// production it would let any web page open a socket with the user's
	// cookies (cross-site WebSocket hijacking).
	InsecureSkipVerify bool
	// SendBuffer is the number of events queued per client before it is
	// considered a slow consumer; 0 means DefaultSendBuffer.
	SendBuffer int
	// PingInterval is how often clients are pinged so dead connections are
	// noticed and proxies keep idle ones open; 0 means DefaultPingInterval.
	PingInterval time.Duration

	logger      *slog.Logger
	unsubscribe func()

	mu         sync.RWMutex
	workspaces map[int64]map[*client]struct{} // fan-out touches one workspace only
	closed     bool
	wg         sync.WaitGroup // running Serve calls, awaited by Close
	count      atomic.Int64
	slowKicks  atomic.Int64 // slow consumers disconnected, for tests
}

// New returns a hub subscribed to bus.
func New(bus events.Bus, logger *slog.Logger) *Hub {
	if logger == nil {
		logger = slog.Default()
	}
	h := &Hub{logger: logger, workspaces: make(map[int64]map[*client]struct{})}
	h.unsubscribe = bus.Subscribe(h.dispatch)
	return h
}

type client struct {
	conn   *websocket.Conn
	viewer atomic.Pointer[access.Viewer] // replaced by UpdateViewer
	send   chan []byte

	kickOnce    sync.Once
	kicked      chan struct{} // closed when the hub wants this client gone
	kickCode    websocket.StatusCode
	kickMessage string
}

func (c *client) currentViewer() access.Viewer { return *c.viewer.Load() }

func (c *client) setViewer(v access.Viewer) {
	v.DepartmentIDs = slices.Clone(v.DepartmentIDs) // caller may reuse its slice
	c.viewer.Store(&v)
}

// kick asks the client's writer to close the connection with code, and cuts
// the connection after kickGrace if the writer could not. It never blocks, so
// it is safe on the bus goroutine. It reports whether this call kicked the
// client (false when it already was).
func (c *client) kick(code websocket.StatusCode, msg string) (first bool) {
	c.kickOnce.Do(func() {
		first = true
		c.kickCode, c.kickMessage = code, msg
		close(c.kicked)
		time.AfterFunc(kickGrace, func() { c.conn.CloseNow() })
	})
	return first
}

// Serve upgrades the request to a WebSocket for the authenticated viewer v
// and pushes events to it until the connection ends, the client falls behind
// or the hub closes. It returns once the connection is finished. It returns
// an error only when no connection was established: a failed upgrade (Accept
// has then already written the HTTP error response, e.g. 403 for a foreign
// Origin) or ErrClosed during shutdown.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, v access.Viewer) error {
	// OriginPatterns left empty: coder/websocket then accepts only requests
	// whose Origin matches the Host, which stops other sites from riding on
	// the user's session cookie.
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: h.InsecureSkipVerify})
	if err != nil {
		return err
	}
	conn.SetReadLimit(readLimit)

	size := h.SendBuffer
	if size <= 0 {
		size = DefaultSendBuffer
	}
	c := &client{conn: conn, send: make(chan []byte, size), kicked: make(chan struct{})}
	c.setViewer(v)

	if !h.register(c) {
		conn.Close(websocket.StatusGoingAway, "server shutting down")
		return ErrClosed
	}
	defer h.wg.Done()
	if h.OnConnect != nil {
		h.OnConnect(v)
	}
	defer func() {
		h.unregister(c)
		if h.OnDisconnect != nil {
			h.OnDisconnect(c.currentViewer())
		}
	}()

	// The request context ends when the handler returns; ctx additionally
	// ends when the read loop stops so the writer does too.
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		defer cancel()
		h.writeLoop(ctx, c)
	}()
	err = h.readLoop(ctx, c)
	cancel()
	<-writerDone
	conn.CloseNow() // no-op when the writer already closed it

	// How the connection ended (client left, network failure, slow
	// consumer, shutdown) is routine for a long-lived socket, so it is logged
	// rather than returned: the HTTP layer has nothing to answer any more.
	h.logger.Debug("realtime: client disconnected", "user_id", v.UserID, "workspace_id", v.WorkspaceID, "reason", err)
	return nil
}

func (h *Hub) register(c *client) bool {
	v := c.currentViewer()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	set := h.workspaces[v.WorkspaceID]
	if set == nil {
		set = make(map[*client]struct{})
		h.workspaces[v.WorkspaceID] = set
	}
	set[c] = struct{}{}
	h.wg.Add(1)
	h.count.Add(1)
	return true
}

func (h *Hub) unregister(c *client) {
	// A client's workspace never changes (UpdateViewer keeps it), so the
	// current viewer names the set it was registered in.
	ws := c.currentViewer().WorkspaceID
	h.mu.Lock()
	defer h.mu.Unlock()
	if set := h.workspaces[ws]; set != nil {
		if _, ok := set[c]; ok {
			delete(set, c)
			h.count.Add(-1)
		}
		if len(set) == 0 {
			delete(h.workspaces, ws)
		}
	}
}

// writeLoop is the only writer of data frames for c, as coder/websocket
// allows one concurrent writer per message.
func (h *Hub) writeLoop(ctx context.Context, c *client) {
	interval := h.PingInterval
	if interval <= 0 {
		interval = DefaultPingInterval
	}
	ping := time.NewTicker(interval)
	defer ping.Stop()
	for {
		// Checked first so a kicked client gets no more events even while
		// its queue still holds some.
		select {
		case <-c.kicked:
			c.conn.Close(c.kickCode, c.kickMessage)
			return
		default:
		}
		select {
		case <-ctx.Done():
			return
		case <-c.kicked:
			c.conn.Close(c.kickCode, c.kickMessage)
			return
		case msg := <-c.send:
			wctx, cancel := context.WithTimeout(ctx, writeTimeout)
			err := c.conn.Write(wctx, websocket.MessageText, msg)
			cancel()
			if err != nil {
				// A timed-out write leaves the connection unusable.
				c.conn.CloseNow()
				return
			}
		case <-ping.C:
			// Ping waits for the pong, which the read loop receives.
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

// clientMessage is what a browser may send.
type clientMessage struct {
	Type           string `json:"type"`
	ConversationID int64  `json:"conversation_id"`
}

func (h *Hub) readLoop(ctx context.Context, c *client) error {
	for {
		typ, data, err := c.conn.Read(ctx)
		if err != nil {
			return err
		}
		if typ != websocket.MessageText {
			continue
		}
		var m clientMessage
		if err := json.Unmarshal(data, &m); err != nil {
			// Ignore rather than disconnect: a newer client may send
			// messages this node does not know yet.
			continue
		}
		switch m.Type {
		case events.Typing:
			if m.ConversationID > 0 && h.OnTyping != nil {
				h.OnTyping(c.currentViewer(), m.ConversationID)
			}
		}
	}
}

// visible reports whether v may receive e.
func visible(v access.Viewer, e events.Event) bool {
	if e.WorkspaceID != v.WorkspaceID {
		return false
	}
	if e.ConversationID == 0 {
		return true // workspace-wide: presence, counters
	}
	if v.CanSeeConversation(e.WorkspaceID, e.DepartmentID, e.AssigneeID) {
		return true
	}
	// A user who could see the conversation before this update must learn
	// that it left their view, or their list would keep a stale row.
	return e.Type == events.ConversationUpdated &&
		v.CanSeeConversation(e.WorkspaceID, e.PrevDepartmentID, e.PrevAssigneeID)
}

// dispatch runs on the bus goroutine (for the local bus, inside Publish), so
// it only ever does non-blocking channel sends.
func (h *Hub) dispatch(e events.Event) {
	if strings.HasPrefix(e.Type, "widget.") {
		return // between nodes' widget hubs only
	}
	var msg []byte // encoded once, and only if someone receives it
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.workspaces[e.WorkspaceID] {
		if !visible(c.currentViewer(), e) {
			continue
		}
		if msg == nil {
			var err error
			if msg, err = json.Marshal(e); err != nil {
				h.logger.Error("realtime: encode event", "type", e.Type, "err", err)
				return
			}
		}
		select {
		case c.send <- msg:
		default:
			// Dropping one event would leave the client silently wrong;
			// disconnecting makes it reload its state.
			if c.kick(websocket.StatusPolicyViolation, "slow consumer") {
				h.slowKicks.Add(1)
				v := c.currentViewer()
				h.logger.Warn("realtime: disconnecting slow consumer", "user_id", v.UserID, "workspace_id", v.WorkspaceID)
			}
		}
	}
}

// UpdateViewer replaces the viewer of every connection of v.UserID in
// v.WorkspaceID, so that after a change of role, scope or departments the
// user's open tabs are filtered by the new rules without reconnecting.
func (h *Hub) UpdateViewer(v access.Viewer) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.workspaces[v.WorkspaceID] {
		if c.currentViewer().UserID == v.UserID {
			c.setViewer(v)
		}
	}
}

// Disconnect closes every connection of userID in workspaceID (for example
// when the user is deactivated), with code 1008.
func (h *Hub) Disconnect(workspaceID, userID int64) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.workspaces[workspaceID] {
		if c.currentViewer().UserID == userID {
			c.kick(websocket.StatusPolicyViolation, "access revoked")
		}
	}
}

// Clients returns the number of connected clients, for metrics.
func (h *Hub) Clients() int { return int(h.count.Load()) }

// Close unsubscribes from the bus, closes every client with code 1001 (going
// away; browsers reconnect to another node) and waits for their Serve calls
// to return. Later Serve calls fail with ErrClosed.
func (h *Hub) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		h.wg.Wait()
		return nil
	}
	h.closed = true
	for _, set := range h.workspaces {
		for c := range set {
			c.kick(websocket.StatusGoingAway, "server shutting down")
		}
	}
	h.mu.Unlock()
	h.unsubscribe()
	h.wg.Wait()
	return nil
}
