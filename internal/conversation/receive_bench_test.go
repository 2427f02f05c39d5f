package conversation_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"

	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/store/storetest"
)

// BenchmarkReceive measures one inbound message end to end in the domain
// layer (one transaction: dedup lookup, contact, conversation, message with
// its FTS entry, conversation update; then the events on a local bus),
// without HTTP. "new-contact" opens a cycle per message; "existing" appends
// to one of 1000 open conversations.
func BenchmarkReceive(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		db := storetest.Open(b, engine)
		f := storetest.Fixture(b, db)
		bus := events.NewLocal()
		unsub := bus.Subscribe(func(events.Event) {})
		b.Cleanup(func() { unsub(); bus.Close() })
		svc := conversation.New(db, bus, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
		ctx := context.Background()
		seq := 0
		b.Run(engine+"/new-contact", func(b *testing.B) {
			for b.Loop() {
				seq++
				s := strconv.Itoa(seq)
				if _, err := svc.Receive(ctx, f.Channel, conversation.Inbound{ContactExternalID: "new-" + s, ExternalID: "n" + s, Text: "olá, meu pedido " + s + " não chegou"}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(engine+"/existing", func(b *testing.B) {
			for b.Loop() {
				seq++
				s := strconv.Itoa(seq)
				if _, err := svc.Receive(ctx, f.Channel, conversation.Inbound{ContactExternalID: "c" + strconv.Itoa(seq%1000), ExternalID: "e" + s, Text: "segunda via do boleto " + s}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
