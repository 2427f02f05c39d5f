package events

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// subscribers is a copy-on-write list of callbacks. Delivery happens on every
// event while subscribing happens a handful of times per process, so readers
// load an immutable slice without locking and writers replace it.
type subscribers struct {
	mu     sync.Mutex // serialises writers
	nextID uint64
	list   atomic.Pointer[[]subscriber]
}

type subscriber struct {
	id uint64
	fn func(Event)
}

func (s *subscribers) add(fn func(Event)) (unsubscribe func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	id := s.nextID
	var cur []subscriber
	if p := s.list.Load(); p != nil {
		cur = *p
	}
	next := make([]subscriber, 0, len(cur)+1)
	next = append(next, cur...)
	next = append(next, subscriber{id: id, fn: fn})
	s.list.Store(&next)

	var once sync.Once
	return func() { once.Do(func() { s.remove(id) }) }
}

func (s *subscribers) remove(id uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.list.Load()
	if p == nil {
		return
	}
	next := make([]subscriber, 0, len(*p))
	for _, sub := range *p {
		if sub.id != id {
			next = append(next, sub)
		}
	}
	s.list.Store(&next)
}

// deliver calls every subscriber registered at the time of the call.
func (s *subscribers) deliver(e Event) {
	p := s.list.Load()
	if p == nil {
		return
	}
	for _, sub := range *p {
		sub.fn(e)
	}
}

// Local is the in-process Bus used when a single node serves everything.
//
// Publish calls every subscriber synchronously on the publisher's goroutine:
// no queue, no extra goroutine, and events from one publisher arrive in order.
// This is why Bus requires subscriber functions never to block — a slow
// subscriber would stall the request that published. Subscribers that do real
// work (such as the realtime hub) hand the event to their own buffered queue.
type Local struct {
	subs   subscribers
	closed atomic.Bool
}

var _ Bus = (*Local)(nil)

// NewLocal returns an in-process bus. It is safe for concurrent use.
func NewLocal() *Local { return &Local{} }

// Publish stamps e.At when unset and delivers e to every current subscriber
// before returning. After Close it does nothing.
func (l *Local) Publish(ctx context.Context, e Event) error {
	if l.closed.Load() {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if e.At == 0 {
		e.At = time.Now().UnixMilli()
	}
	l.subs.deliver(e)
	return nil
}

// Subscribe registers fn, which must not block (see Local). Calling the
// returned function more than once is harmless.
func (l *Local) Subscribe(fn func(Event)) (unsubscribe func()) { return l.subs.add(fn) }

// Close makes later Publish calls no-ops. It never fails.
func (l *Local) Close() error {
	l.closed.Store(true)
	return nil
}
