package conversation_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

// BenchmarkAssign measures automatic assignment. "drain" hands out a
// queue of b.N conversations to five online agents without a cap (each
// decision: pick, lock and save the conversation, its timeline event, in
// transactions of up to 200 holding the department's lock) and reports
// decisions/s. "receive-off" and "receive-round-robin" are one inbound
// message opening a cycle in a department without and with automatic
// assignment: the difference is what assignment adds to ingestion (one job
// row; the decision itself runs in the job).
func BenchmarkAssign(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		db := storetest.Open(b, engine)
		f := storetest.Fixture(b, db)
		bus := events.NewLocal()
		unsub := bus.Subscribe(func(events.Event) {})
		b.Cleanup(func() { unsub(); bus.Close() })
		svc := conversation.New(db, bus, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
		ctx := context.Background()
		q := db.W()
		ws := f.WS.ID
		dept := func(name string, mode string) (int64, store.Channel) {
			d, err := q.CreateDepartment(ctx, ws, name, false)
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < 5; i++ {
				u, err := q.CreateUser(ctx, store.User{WorkspaceID: ws, Email: fmt.Sprintf("%s-%d@example.com", name, i), Name: name,
					Role: access.RoleAgent, Scope: access.ScopeDepartment, DepartmentIDs: []int64{d.ID}})
				if err == nil {
					err = q.SetPresence(ctx, ws, u.ID, store.PresenceOnline)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			ch, err := q.CreateChannel(ctx, store.Channel{WorkspaceID: ws, Kind: "api", Name: name, DepartmentID: &d.ID}, "hash-"+name)
			if err == nil {
				err = q.SetAssignmentSettings(ctx, store.AssignmentSettings{WorkspaceID: ws, DepartmentID: d.ID, Mode: mode})
			}
			if err != nil {
				b.Fatal(err)
			}
			return d.ID, ch
		}
		drainDept, drainCh := dept("drain", store.AssignOff)
		seq := 0
		b.Run(engine+"/drain", func(b *testing.B) {
			b.StopTimer()
			err := db.Tx(ctx, func(q store.Q) error {
				now := store.Now()
				for i := 0; i < b.N; i++ {
					seq++
					ct, err := q.CreateContact(ctx, store.Contact{WorkspaceID: ws, Name: "d" + strconv.Itoa(seq)})
					if err != nil {
						return err
					}
					if _, err := q.InsertConversation(ctx, store.Conversation{WorkspaceID: ws, ContactID: ct.ID, ChannelID: drainCh.ID, DepartmentID: &drainDept,
						Status: store.StatusQueued, Priority: "none", WaitingSince: now, OpenedAt: now, CreatedAt: now, UpdatedAt: now}); err != nil {
						return err
					}
				}
				return q.SetAssignmentSettings(ctx, store.AssignmentSettings{WorkspaceID: ws, DepartmentID: drainDept, Mode: store.AssignRoundRobin})
			})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if err := svc.Drain(ctx, ws, drainDept, 0, 0); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
			_ = q.SetAssignmentSettings(ctx, store.AssignmentSettings{WorkspaceID: ws, DepartmentID: drainDept, Mode: store.AssignOff})
		})
		for _, mode := range []string{store.AssignOff, store.AssignRoundRobin} {
			_, ch := dept("ingest-"+mode, mode)
			b.Run(engine+"/ingest-p99-"+mode, func(b *testing.B) {
				benchIngest(b, db, ch, &seq)
			})
		}
		for _, mode := range []string{store.AssignOff, store.AssignRoundRobin} {
			_, ch := dept("recv-"+mode, mode)
			b.Run(engine+"/receive-"+mode, func(b *testing.B) {
				for b.Loop() {
					seq++
					s := strconv.Itoa(seq)
					if _, err := svc.Receive(ctx, ch, conversation.Inbound{ContactExternalID: "r" + s, ExternalID: "r" + s, Text: "olá " + s}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// benchIngest sends b.N new-contact messages from 16 concurrent senders
// while a job runner works the assignment (and no-op delivery) jobs they
// cause, as in production, and reports the latency percentiles of Receive:
// with round-robin on, the decisions compete with ingestion for the writer.
func benchIngest(b *testing.B, db *store.DB, ch store.Channel, seq *int) {
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	runner := jobs.New(db, log, 4)
	svc := conversation.New(db, nil, runner, log)
	runner.Handle(conversation.JobAssign, svc.HandleAssign)
	runner.Handle(conversation.JobDeliver, func(context.Context, store.Job) error { return nil })
	done := make(chan struct{})
	go func() { runner.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	base := *seq
	*seq += b.N
	var next atomic.Int64
	lat := make([]time.Duration, b.N)
	var wg sync.WaitGroup
	b.ResetTimer()
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				s := strconv.Itoa(base + i)
				t0 := time.Now()
				if _, err := svc.Receive(ctx, ch, conversation.Inbound{ContactExternalID: "i" + s, ExternalID: "i" + s, Text: "olá " + s}); err != nil {
					b.Error(err)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	b.ReportMetric(float64(runner.Done.Load()), "jobs-done")
}
