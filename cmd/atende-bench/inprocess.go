package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/atende/atende/internal/blob"
	"github.com/atende/atende/internal/channel/apichannel"
	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/httpapi"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/realtime"
	"github.com/atende/atende/internal/secrets"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/widget"
)

// startInProcess wires the server the way cmd/atende/serve.go does (local
// event bus, no NATS) and serves it on a loopback port inside this process,
// so that ATENDE_BENCH_CPUPROFILE profiles the server too.
func startInProcess(ctx context.Context, o loadOpts) (*server, error) {
	t0 := time.Now()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	db, err := store.Open(ctx, o.target.url, o.target.data)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	dataDir := o.target.data
	if dataDir == "" {
		dataDir, _ = os.MkdirTemp("", "atende-bench-data-")
	}
	blobs, err := blob.New(filepath.Join(dataDir, "attachments"), 25<<20)
	if err != nil {
		db.Close()
		return nil, err
	}
	bus := events.NewLocal()
	runner := jobs.New(db, log, 4)
	convs := conversation.New(db, bus, runner, log)
	box, err := secrets.New("atende-bench in-process secret key")
	if err != nil {
		db.Close()
		return nil, err
	}
	deliverer := &apichannel.Deliverer{DB: db, Blobs: blobs, Status: convs, Client: &http.Client{Timeout: 30 * time.Second}, Secrets: box}
	hub := realtime.New(bus, log)
	visitors := widget.NewHub(bus, log)
	runner.Handle(conversation.JobDeliver, (&providers.Dispatcher{DB: db, Status: convs, Kinds: map[string]jobs.Handler{
		apichannel.Kind: deliverer.Handle, widget.Kind: widget.Deliverer{Status: convs}.Handle}}).Handle)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		db.Close()
		return nil, err
	}
	provs := &providers.Settings{WhatsAppAPIURL: o.waAPIURL, HTTP: &http.Client{Timeout: 30 * time.Second}, Secrets: box}
	api := httpapi.New(httpapi.Deps{DB: db, Conversations: convs, Bus: bus, Hub: hub, Blobs: blobs, Secrets: box, Jobs: runner, Log: log,
		Providers: provs, BaseURL: "http://" + ln.Addr().String(), WidgetHub: visitors, WidgetSessionsPerIP: 1_000_000})
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	jobsCtx, stopJobs := context.WithCancel(context.Background())
	jobsDone := make(chan struct{})
	go func() { runner.Run(jobsCtx); close(jobsDone) }()
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln); close(done) }()
	s := &server{base: "http://" + ln.Addr().String(), done: done, startMS: float64(time.Since(t0).Microseconds()) / 1000}
	s.stopFn = func() {
		_ = hub.Close()
		_ = visitors.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		stopJobs()
		<-jobsDone
		bus.Close()
		db.Close()
	}
	return s, nil
}
