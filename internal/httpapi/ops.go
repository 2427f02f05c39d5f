package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func (s *Server) baseCtx() context.Context { return context.Background() }

// UI states reported by /healthz.
const (
	UIEmbedded = "embedded"
	UIMissing  = "missing"
)

// uiState tells whether this server serves the web app.
func (s *Server) uiState() string {
	if s.UI != nil {
		return UIEmbedded
	}
	return UIMissing
}

// healthz answers while the process serves HTTP, saying whether the web app
// is built in; ?require=ui makes a binary without it unhealthy (503), for
// deployments that must serve the app.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	ui := s.uiState()
	switch r.URL.Query().Get("require") {
	case "":
	case "ui":
		if ui != UIEmbedded {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "ui missing", "ui": ui})
			return nil
		}
	default:
		return errBadRequest(`require must be "ui"`)
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "ui": ui})
	return nil
}

// readyz answers 200 only when the database answers and its schema is current.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
		return nil
	}
	ok, err := s.DB.MigrationsCurrent(ctx)
	if err != nil || !ok {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "migrations pending"})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

func (s *Server) root(w http.ResponseWriter, r *http.Request) error {
	if r.URL.Path != "/" {
		return errNotFound()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err := w.Write([]byte(`<!doctype html><meta charset="utf-8"><title>Atende</title>
<body style="font-family:system-ui;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>Atende</h1><p>The API is running, but the agent web app was not built into this binary.
Build it with <code>make build</code> (it builds the web app, then the binary with the app inside).</p>
<p>API reference: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> · health: <a href="/readyz">/readyz</a></p>`))
	return err
}

type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry, s *Server) *metrics {
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "atende_http_requests_total", Help: "HTTP requests by route and status."},
			[]string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "atende_http_request_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.latency,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "atende_websocket_clients", Help: "Connected WebSocket clients on this node."}, func() float64 {
			if s.Hub == nil {
				return 0
			}
			return float64(s.Hub.Clients())
		}))
	for _, status := range []string{"queued", "running", "failed"} {
		status := status
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "atende_jobs", Help: "Jobs in the durable queue by status.",
			ConstLabels: prometheus.Labels{"status": status}}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			counts, err := s.DB.R().JobCounts(ctx)
			if err != nil {
				return -1
			}
			return float64(counts[status])
		}))
	}
	if s.Jobs != nil {
		reg.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "atende_jobs_done_total", Help: "Jobs completed by this node."}, func() float64 { return float64(s.Jobs.Done.Load()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "atende_jobs_failed_total", Help: "Jobs failed for good by this node."}, func() float64 { return float64(s.Jobs.Failed.Load()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "atende_jobs_retried_total", Help: "Job attempts that will be retried."}, func() float64 { return float64(s.Jobs.Retried.Load()) }),
		)
	}
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController and the WebSocket upgrade reach the real writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (m *metrics) serve(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	_, pattern := mux.Handler(r)
	if pattern == "" {
		pattern = "unmatched"
	}
	rec := &statusRecorder{ResponseWriter: w}
	mux.ServeHTTP(rec, r)
	code := rec.code
	if code == 0 {
		code = http.StatusOK
	}
	m.requests.WithLabelValues(pattern, strconv.Itoa(code)).Inc()
	m.latency.WithLabelValues(pattern).Observe(time.Since(start).Seconds())
}
