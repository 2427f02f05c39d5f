package conversation_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/atende/atende/internal/automation/bot"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

// BenchmarkBotTurn measures department bots inside ingestion, with the
// Becon flow of internal/automation/bot/testdata (greeting, a three-option
// menu, a label and a transfer, an ask for the CPF with validation, a
// business-hours condition and hand-offs) given to a department of its own.
//
//   - "open-no-bot" is the baseline: one message opening a cycle in a
//     department without a bot.
//   - "open-with-bot": the same in the bot's department; the bot starts and
//     stores its greeting and menu (two texts, each with a delivery job, a
//     bot_started event and the session) in the same transaction.
//   - "existing-no-bot" / "menu-answer": one message in a conversation
//     opened beforehand (untimed), without a bot and answering the bot's
//     menu. Answers rotate between "1" (label, then transfer to Vendas,
//     which has no bot: the conversation queues), "2" (asks the CPF) and
//     "ajuda" (keyword for Suporte: business-hours condition, hand-off).
//   - "ingest-p99-no-bot" / "ingest-p99-bot": benchIngest's 16 concurrent
//     senders, each message opening a cycle, with the job runner delivering
//     (no-op) the bot's messages meanwhile; on a database of their own,
//     each run starting with an empty job queue.
//
// bot-steps/s counts flow steps as the engine counts them (Result.Steps:
// each step run, the waiting step that read the answer included), replayed
// with the pure engine on the same inputs; the texts that replay sends are
// checked against the bot texts actually stored, so the count follows what
// the bot did. The rate is steps per second of the whole serial
// ingestion loop (one message at a time), not of the engine alone
// (BenchmarkStart / BenchmarkAdvanceMenu in internal/automation/bot).
func BenchmarkBotTurn(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		db, plainCh, botCh, flow := botBenchDB(b, engine)
		bus := events.NewLocal()
		unsub := bus.Subscribe(func(events.Event) {})
		b.Cleanup(func() { unsub(); bus.Close() })
		svc := conversation.New(db, bus, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
		ctx := context.Background()
		// No business hours are configured: the workspace is always open,
		// which is what the service's env says too.
		env := bot.Env{ContactName: "Maria da Silva", Open: true}
		start := bot.Start(flow, env)
		answers := []string{"1", "2", "ajuda"}

		seq := 0
		receive := func(b *testing.B, ch store.Channel, contact, text string) int64 {
			seq++
			s := strconv.Itoa(seq)
			res, err := svc.Receive(ctx, ch, conversation.Inbound{ContactExternalID: contact, ContactName: "Maria da Silva", ExternalID: "b" + s, Text: text})
			if err != nil {
				b.Fatal(err)
			}
			return res.Conversation.ID
		}
		// botTexts counts the texts the bot stored in the conversations.
		botTexts := func(b *testing.B, convs []int64) int {
			n := 0
			for _, id := range convs {
				page, err := db.R().Messages(ctx, id, "", 500)
				if err != nil {
					b.Fatal(err)
				}
				for _, m := range page.Items {
					if m.SenderType == store.SenderBot && m.Kind != store.KindEvent {
						n++
					}
				}
			}
			return n
		}
		report := func(b *testing.B, steps, msgs int, convs []int64, before int) {
			b.StopTimer()
			if got := botTexts(b, convs) - before; got != msgs {
				b.Fatalf("the bot stored %d texts, the flow says %d", got, msgs)
			}
			b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "bot-steps/s")
			b.ReportMetric(float64(steps)/float64(b.N), "steps/op")
			b.ReportMetric(float64(msgs)/float64(b.N), "bot-msgs/op")
		}

		b.Run(engine+"/open-no-bot", func(b *testing.B) {
			for b.Loop() {
				receive(b, plainCh, "o"+strconv.Itoa(seq), "olá")
			}
		})
		b.Run(engine+"/open-with-bot", func(b *testing.B) {
			var convs []int64
			steps, msgs := 0, 0
			for b.Loop() {
				convs = append(convs, receive(b, botCh, "w"+strconv.Itoa(seq), "olá"))
				steps += start.Steps
				msgs += sends(start)
			}
			report(b, steps, msgs, convs, 0)
		})
		// open opens n conversations untimed and returns their contacts.
		open := func(b *testing.B, ch store.Channel, prefix string, n int) ([]string, []int64) {
			contacts, convs := make([]string, n), make([]int64, n)
			for i := range contacts {
				contacts[i] = prefix + strconv.Itoa(seq)
				convs[i] = receive(b, ch, contacts[i], "olá")
			}
			return contacts, convs
		}
		b.Run(engine+"/existing-no-bot", func(b *testing.B) {
			b.StopTimer()
			contacts, _ := open(b, plainCh, "x", b.N)
			b.StartTimer()
			for i := 0; i < b.N; i++ {
				receive(b, plainCh, contacts[i], answers[i%len(answers)])
			}
		})
		b.Run(engine+"/menu-answer", func(b *testing.B) {
			b.StopTimer()
			contacts, convs := open(b, botCh, "m", b.N)
			before := b.N * sends(start)
			b.StartTimer()
			steps, msgs := 0, 0
			for i := 0; i < b.N; i++ {
				a := answers[i%len(answers)]
				if c := receive(b, botCh, contacts[i], a); c != convs[i] {
					b.Fatalf("the answer went to conversation %d, not %d", c, convs[i])
				}
				// the replay is timed too: ~3 µs, under 0.2 % of a turn
				r := bot.Advance(flow, start.State, a, env)
				steps += r.Steps
				msgs += sends(r)
			}
			report(b, steps, msgs, convs, before)
		})
		// The ingestion runs get a database of their own, without the
		// delivery jobs the serial runs above left queued (no runner works
		// them there), and start with an empty queue: the runner then
		// competes only with the messages of the run it measures.
		idb, iplain, ibot, _ := botBenchDB(b, engine)
		b.Run(engine+"/ingest-p99-no-bot", func(b *testing.B) {
			drainJobs(b, idb)
			benchIngest(b, idb, iplain, &seq)
		})
		b.Run(engine+"/ingest-p99-bot", func(b *testing.B) {
			drainJobs(b, idb)
			benchIngest(b, idb, ibot, &seq)
		})
	}
}

// botBenchDB is a fresh database with the fixture, a department without a
// bot ("Sem robô") and one with the Becon flow ("Recepção"), each with an
// API channel of its own; it returns the parsed flow too.
func botBenchDB(b *testing.B, engine string) (*store.DB, store.Channel, store.Channel, *bot.Flow) {
	db := storetest.Open(b, engine)
	f := storetest.Fixture(b, db)
	ctx := context.Background()
	q := db.W()
	ws := f.WS.ID
	dept := func(name string) (store.Department, store.Channel) {
		d, err := q.CreateDepartment(ctx, ws, name, false)
		if err != nil {
			b.Fatal(err)
		}
		ch, err := q.CreateChannel(ctx, store.Channel{WorkspaceID: ws, Kind: "api", Name: name, DepartmentID: &d.ID}, "hash-bot-"+name)
		if err != nil {
			b.Fatal(err)
		}
		return d, ch
	}
	_, plainCh := dept("Sem robô")
	reception, botCh := dept("Recepção")
	support, _ := dept("Suporte")
	lead, err := q.CreateLabel(ctx, ws, store.Label{Name: "lead", Color: "#0a0"})
	if err != nil {
		b.Fatal(err)
	}
	raw := beconFlow(b, lead.ID, f.Vendas.ID, support.ID)
	flow, err := bot.Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	bt, err := q.CreateBot(ctx, store.Bot{WorkspaceID: ws, Name: "Becon", Kind: store.BotFlow, Enabled: true, Flow: raw})
	if err == nil {
		err = q.SetDepartmentBot(ctx, ws, reception.ID, bt.ID)
	}
	if err != nil {
		b.Fatal(err)
	}
	return db, plainCh, botCh, flow
}

// drainJobs works (as no-ops) the jobs an earlier run left queued, untimed.
func drainJobs(b *testing.B, db *store.DB) {
	b.StopTimer()
	defer b.StartTimer()
	ctx, cancel := context.WithCancel(context.Background())
	runner := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), 4)
	noop := func(context.Context, store.Job) error { return nil }
	runner.Handle(conversation.JobAssign, noop)
	runner.Handle(conversation.JobDeliver, noop)
	done := make(chan struct{})
	go func() { runner.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		n, err := db.R().JobCounts(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if n["queued"]+n["running"] == 0 {
			return
		}
	}
	b.Fatal("jobs still queued after 5 minutes")
}

func sends(r bot.Result) int {
	n := 0
	for _, a := range r.Actions {
		if a.Kind == bot.ActSend {
			n++
		}
	}
	return n
}

// beconFlow is testdata/becon.json with its label and departments pointed
// at the ones seeded here (sales → Vendas, support → Suporte).
func beconFlow(b *testing.B, label, sales, support int64) json.RawMessage {
	data, err := os.ReadFile("../automation/bot/testdata/becon.json")
	if err != nil {
		b.Fatal(err)
	}
	var flow map[string]any
	if err := json.Unmarshal(data, &flow); err != nil {
		b.Fatal(err)
	}
	for _, st := range flow["steps"].([]any) {
		st := st.(map[string]any)
		switch st["id"] {
		case "sales_label":
			st["label_ids"] = []int64{label}
		case "sales":
			st["department_id"] = sales
		case "support":
			st["department_id"] = support
		}
	}
	out, err := json.Marshal(flow)
	if err != nil {
		b.Fatal(err)
	}
	return out
}
