package conversation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"testing"

	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

// BenchmarkReceiveRouted is BenchmarkReceive's new-contact case with the
// routing rules in the way: "no-rules" is the cost every workspace pays
// (a cached empty list), "10-rules" evaluates nine rules that look at the
// contact, its history and business hours before a catch-all matches.
func BenchmarkReceiveRouted(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		db := storetest.Open(b, engine)
		f := storetest.Fixture(b, db)
		bus := events.NewLocal()
		b.Cleanup(func() { bus.Close() })
		svc := conversation.New(db, bus, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
		ctx := context.Background()
		seq := 0
		run := func(name string) {
			b.Run(engine+"/"+name, func(b *testing.B) {
				for b.Loop() {
					seq++
					s := strconv.Itoa(seq)
					if _, err := svc.Receive(ctx, f.Channel, conversation.Inbound{ContactExternalID: "new-" + s, ExternalID: "n" + s, Text: "olá " + s}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		run("no-rules")
		for i := 1; i <= 10; i++ {
			cond := fmt.Sprintf(`{"attributes":[{"key":"plano","op":"equals","value":"p%d"}],"served_before":true,"business_hours":"open"}`, i)
			if i == 10 {
				cond = `{}`
			}
			if _, err := db.W().CreateRoutingRule(ctx, store.RoutingRule{WorkspaceID: f.WS.ID, Name: "r" + strconv.Itoa(i), Enabled: true,
				Conditions: json.RawMessage(cond), Actions: json.RawMessage(fmt.Sprintf(`{"department_id":%d}`, f.Financeiro.ID))}); err != nil {
				b.Fatal(err)
			}
		}
		svc.ForgetRouting(f.WS.ID)
		run("10-rules")
	}
}
