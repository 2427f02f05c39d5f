package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestLocalFanOut(t *testing.T) {
	b := NewLocal()
	var a, c []Event
	unsubA := b.Subscribe(func(e Event) { a = append(a, e) })
	b.Subscribe(func(e Event) { c = append(c, e) })

	ctx := context.Background()
	if err := b.Publish(ctx, Event{Type: MessageCreated, WorkspaceID: 1, ConversationID: 7}); err != nil {
		t.Fatal(err)
	}
	if len(a) != 1 || len(c) != 1 {
		t.Fatalf("got %d and %d events, want 1 each", len(a), len(c))
	}
	if a[0].At == 0 {
		t.Error("At not stamped")
	}
	if err := b.Publish(ctx, Event{Type: Typing, WorkspaceID: 1, At: 42}); err != nil {
		t.Fatal(err)
	}
	if c[1].At != 42 {
		t.Errorf("At = %d, want the publisher's 42 kept", c[1].At)
	}

	unsubA()
	unsubA() // idempotent
	b.Publish(ctx, Event{Type: CountersChanged, WorkspaceID: 1})
	if len(a) != 2 || len(c) != 3 {
		t.Fatalf("after unsubscribe got %d and %d events, want 2 and 3", len(a), len(c))
	}

	b.Close()
	b.Publish(ctx, Event{Type: CountersChanged, WorkspaceID: 1})
	if len(c) != 3 {
		t.Fatalf("publish after Close delivered an event")
	}
}

func TestLocalConcurrent(t *testing.T) {
	b := NewLocal()
	var mu sync.Mutex
	n := 0
	b.Subscribe(func(Event) { mu.Lock(); n++; mu.Unlock() })

	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				b.Publish(context.Background(), Event{Type: MessageCreated, WorkspaceID: 1})
			}
		}()
		wg.Add(1)
		go func() { // subscribe and unsubscribe while publishing
			defer wg.Done()
			for range 50 {
				b.Subscribe(func(Event) {})()
			}
		}()
	}
	wg.Wait()
	if n != 800 {
		t.Fatalf("delivered %d, want 800", n)
	}
}

// natsURL returns the test server address or skips loudly: these tests are
// the only coverage of multi-node delivery.
func natsURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("ATENDE_TEST_NATS_URL")
	if u == "" {
		t.Skip("ATENDE_TEST_NATS_URL not set: skipping NATS tests")
	}
	return u
}

func randomPrefix(t *testing.T) string {
	t.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "atendetest." + hex.EncodeToString(b[:])
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newTestNATS(t *testing.T, url, prefix string) *NATS {
	t.Helper()
	b, err := NewNATS(url, quietLogger(), WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func collect(b Bus) <-chan Event {
	ch := make(chan Event, 64)
	b.Subscribe(func(e Event) { ch <- e })
	return ch
}

func expectEvent(t *testing.T, name string, ch <-chan Event) Event {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: no event within 5s", name)
		return Event{}
	}
}

// expectNone asserts nothing more arrives. It flushes a marker event through
// the same bus first, so the check is ordered rather than timed: NATS
// delivers one publisher's messages in order, so once the marker is seen any
// duplicate of an earlier event would already have arrived.
func expectNone(t *testing.T, name string, pub Bus, ch <-chan Event) {
	t.Helper()
	if err := pub.Publish(context.Background(), Event{Type: "test.marker", WorkspaceID: 1}); err != nil {
		t.Fatal(err)
	}
	e := expectEvent(t, name, ch)
	if e.Type != "test.marker" {
		t.Fatalf("%s: unexpected extra event %+v", name, e)
	}
}

func TestNATSTwoNodes(t *testing.T) {
	url := natsURL(t)
	prefix := randomPrefix(t)
	a := newTestNATS(t, url, prefix)
	b := newTestNATS(t, url, prefix)
	onA, onB := collect(a), collect(b)

	sent := Event{
		Type: ConversationUpdated, WorkspaceID: 3, ConversationID: 9,
		DepartmentID: 2, AssigneeID: 5, PrevDepartmentID: 1,
		Data: json.RawMessage(`{"status":"open"}`),
	}
	if err := a.Publish(context.Background(), sent); err != nil {
		t.Fatal(err)
	}
	for name, ch := range map[string]<-chan Event{"node A": onA, "node B": onB} {
		got := expectEvent(t, name, ch)
		if got.At == 0 {
			t.Errorf("%s: At not stamped", name)
		}
		got.At = 0
		if !reflect.DeepEqual(got, sent) {
			t.Errorf("%s: got %+v, want %+v", name, got, sent)
		}
		// Exactly once: no local short-circuit delivery on top of NATS.
		expectNone(t, name, a, ch)
	}
}

func TestNATSIsolatedByPrefix(t *testing.T) {
	url := natsURL(t)
	a := newTestNATS(t, url, randomPrefix(t))
	other := newTestNATS(t, url, randomPrefix(t))
	onOther := collect(other)
	a.Publish(context.Background(), Event{Type: CountersChanged, WorkspaceID: 1})
	// The marker goes through other's own prefix; the event from a must not precede it.
	expectNone(t, "other prefix", other, onOther)
}

func TestNATSCloseDrainsAndStops(t *testing.T) {
	url := natsURL(t)
	prefix := randomPrefix(t)
	a := newTestNATS(t, url, prefix)
	b := newTestNATS(t, url, prefix)
	onB := collect(b)

	a.Publish(context.Background(), Event{Type: MessageCreated, WorkspaceID: 1})
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	// The event published just before Close was flushed by the drain.
	if e := expectEvent(t, "node B", onB); e.Type != MessageCreated {
		t.Fatalf("got %s", e.Type)
	}
	if err := a.Publish(context.Background(), Event{Type: MessageCreated, WorkspaceID: 1}); err != nil {
		t.Fatalf("publish after Close: %v", err)
	}
	expectNone(t, "node B after close", b, onB)
	if err := a.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
