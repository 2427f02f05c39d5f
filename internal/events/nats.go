package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

// DefaultNATSPrefix is the subject prefix events are published under; the
// full subject is "<prefix>.<workspace_id>", which lets operators watch or
// route one workspace's traffic with ordinary NATS tooling.
const DefaultNATSPrefix = "atende.events"

// NATSOption adjusts NewNATS.
type NATSOption func(*natsConfig)

type natsConfig struct {
	prefix string
	name   string
}

// WithPrefix replaces DefaultNATSPrefix. Tests use a random prefix so that
// parallel runs against one server do not see each other's events; it also
// lets two deployments share a NATS cluster.
func WithPrefix(prefix string) NATSOption {
	return func(c *natsConfig) { c.prefix = prefix }
}

// WithName sets the client connection name shown by NATS monitoring (for
// example the node's host name).
func WithName(name string) NATSOption {
	return func(c *natsConfig) { c.name = name }
}

// NATS is the Bus used when several nodes serve the same workspaces: each
// node publishes to NATS core (at-most-once, no persistence — clients that
// miss an event catch up through the REST API) and holds one wildcard
// subscription that feeds its local subscribers.
//
// Local subscribers receive events only from that subscription, including the
// events this node published, so every subscriber sees each event exactly
// once and in the same order as on other nodes for one publisher.
type NATS struct {
	nc     *nats.Conn
	sub    *nats.Subscription
	prefix string
	logger *slog.Logger
	subs   subscribers

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
	done      chan struct{} // closed by the ClosedHandler once the connection is gone
}

var _ Bus = (*NATS)(nil)

// NewNATS connects to url and subscribes to every workspace's events. After
// the first successful connection it reconnects forever with capped
// exponential backoff, logging each disconnect and reconnect; events
// published while disconnected are buffered by the client up to its
// reconnect buffer and dropped beyond it.
func NewNATS(url string, logger *slog.Logger, opts ...NATSOption) (*NATS, error) {
	if logger == nil {
		logger = slog.Default()
	}
	cfg := natsConfig{prefix: DefaultNATSPrefix, name: "atende"}
	for _, o := range opts {
		o(&cfg)
	}
	b := &NATS{prefix: cfg.prefix, logger: logger, done: make(chan struct{})}

	nc, err := nats.Connect(url,
		nats.Name(cfg.name),
		nats.MaxReconnects(-1),
		nats.CustomReconnectDelay(reconnectDelay),
		nats.DrainTimeout(5*time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if b.closed.Load() {
				return
			}
			logger.Warn("nats disconnected", "err", err)
		}),
		nats.ReconnectHandler(func(c *nats.Conn) {
			logger.Info("nats reconnected", "url", c.ConnectedUrlRedacted())
		}),
		nats.ClosedHandler(func(*nats.Conn) { close(b.done) }),
		nats.ErrorHandler(func(_ *nats.Conn, s *nats.Subscription, err error) {
			// Typically a slow-consumer report: our subscribers fell behind
			// and the client dropped messages.
			subj := ""
			if s != nil {
				subj = s.Subject
			}
			logger.Error("nats async error", "subject", subj, "err", err)
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("events: connect to nats: %w", err)
	}
	b.nc = nc

	sub, err := nc.Subscribe(cfg.prefix+".>", b.receive)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("events: subscribe: %w", err)
	}
	// Subscribers only ever return quickly, but a burst may still outrun
	// them; allow a deep queue rather than dropping at the default limit.
	if err := sub.SetPendingLimits(1<<16, 64<<20); err != nil {
		nc.Close()
		return nil, fmt.Errorf("events: set pending limits: %w", err)
	}
	b.sub = sub
	// Flush so the server has registered the subscription before NewNATS
	// returns: events published by other nodes from then on reach us.
	if err := nc.Flush(); err != nil {
		nc.Close()
		return nil, fmt.Errorf("events: flush subscription: %w", err)
	}
	return b, nil
}

// reconnectDelay backs off from 250ms to 10s with jitter, so that many nodes
// restarting together do not hammer a recovering server in lockstep.
func reconnectDelay(attempts int) time.Duration {
	d := 250 * time.Millisecond << min(max(attempts-1, 0), 6)
	d = min(d, 10*time.Second)
	return d/2 + rand.N(d/2+1)
}

func (b *NATS) receive(m *nats.Msg) {
	var e Event
	if err := json.Unmarshal(m.Data, &e); err != nil {
		b.logger.Error("events: drop undecodable nats message", "subject", m.Subject, "err", err)
		return
	}
	b.subs.deliver(e)
}

// Publish stamps e.At when unset and sends e to "<prefix>.<workspace_id>".
// It does not wait for the server; after Close it does nothing.
func (b *NATS) Publish(ctx context.Context, e Event) error {
	if b.closed.Load() {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if e.At == 0 {
		e.At = time.Now().UnixMilli()
	}
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("events: marshal %s: %w", e.Type, err)
	}
	err = b.nc.Publish(b.prefix+"."+strconv.FormatInt(e.WorkspaceID, 10), data)
	if err != nil && (errors.Is(err, nats.ErrConnectionClosed) || errors.Is(err, nats.ErrConnectionDraining)) && b.closed.Load() {
		return nil // raced with Close
	}
	if err != nil {
		return fmt.Errorf("events: publish %s: %w", e.Type, err)
	}
	return nil
}

// Subscribe registers fn for events from every node. fn runs on the NATS
// subscription's goroutine and must not block.
func (b *NATS) Subscribe(fn func(Event)) (unsubscribe func()) { return b.subs.add(fn) }

// Close drains the connection: pending outgoing events are flushed and events
// already received are delivered before it returns (bounded by a 5s drain
// timeout). Later Publish calls are no-ops.
func (b *NATS) Close() error {
	b.closeOnce.Do(func() {
		b.closed.Store(true)
		if err := b.nc.Drain(); err != nil {
			b.nc.Close()
			b.closeErr = err
		}
		select {
		case <-b.done:
		case <-time.After(10 * time.Second):
			b.nc.Close()
			<-b.done
		}
	})
	return b.closeErr
}
