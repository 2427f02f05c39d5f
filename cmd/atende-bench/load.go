package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type loadOpts struct {
	target      *dbTarget
	bin         string
	tokens      Tokens
	duration    time.Duration
	concurrency int
	clients     int
	rate        int
	wsDuration  time.Duration
	runs        int
	label       string
	// waAPIURL is the fake Graph API the server under test reaches for
	// WhatsApp channels (set when a whatsapp phase is listed).
	waAPIURL string
	wa       *waChannel // created by the first whatsapp phase
	// widgetRate is the widget phase's round trips per second.
	widgetRate int
}

func loadCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	t := dbTarget{}.register(fs)
	o := loadOpts{target: t}
	fs.StringVar(&o.bin, "bin", "bin/atende", "the atende binary to start")
	phases := fs.String("phases", "idle,inbox,search,inbound,ws-latency", "phases to run, in order (counters run inside inbox; also whatsapp, whatsapp-latency, widget)")
	tokensFile := fs.String("tokens", "", "tokens JSON written by seed (default DATA/bench-tokens.json)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "duration of each inbox/inbound measurement")
	fs.IntVar(&o.concurrency, "concurrency", 8, "concurrent clients for inbox and search")
	fs.IntVar(&o.clients, "inbound-clients", 32, "concurrent keep-alive clients posting inbound messages")
	fs.IntVar(&o.rate, "rate", 2000, "ws-latency: messages per second")
	fs.DurationVar(&o.wsDuration, "ws-duration", 20*time.Second, "ws-latency: how long to send")
	fs.IntVar(&o.widgetRate, "widget-rate", 20, "widget: visitor round trips per second (100 visitors; each may send 20 messages a minute)")
	fs.IntVar(&o.runs, "runs", 3, "repetitions of each measurement (the median is reported)")
	inProcess := fs.Bool("inprocess", false, "serve in this process (wired like serve.go) instead of starting --bin; idle always starts --bin")
	fs.StringVar(&o.label, "label", "", "label printed in the result headers (e.g. sqlite 1M)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if t.data == "" && t.url == "" {
		return errors.New("load: --data or --database-url is required")
	}
	b, err := os.ReadFile(t.tokensPath(*tokensFile))
	if err != nil {
		return fmt.Errorf("load: read tokens (run seed first): %w", err)
	}
	if err := json.Unmarshal(b, &o.tokens); err != nil {
		return err
	}
	if o.label == "" {
		engine := "sqlite"
		if t.isPG() {
			engine = "postgres"
		}
		o.label = fmt.Sprintf("%s, %d conversations / %d messages", engine, o.tokens.Conversations, o.tokens.Messages)
	}
	list := strings.Split(*phases, ",")
	if slices.ContainsFunc(list, func(p string) bool { return strings.HasPrefix(p, "whatsapp") }) {
		graph := startFakeGraph()
		defer graph.Close()
		o.waAPIURL = graph.URL
	}
	var srv *server
	defer func() {
		if srv != nil {
			srv.stop()
		}
	}()
	for _, p := range list {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if p != "idle" && srv == nil {
			start := startServer
			if *inProcess {
				start = startInProcess
			}
			if srv, err = start(ctx, o); err != nil {
				return err
			}
			// let the server settle (first queries warm the page cache)
			warm(ctx, srv, o)
		}
		switch p {
		case "idle":
			err = phaseIdle(ctx, o)
		case "inbox", "counters":
			err = phaseInbox(ctx, srv, o, p == "counters")
		case "inbound":
			err = phaseInbound(ctx, srv, o)
		case "ws-latency":
			err = phaseWS(ctx, srv, o)
		case "search":
			err = phaseSearch(ctx, srv, o)
		case "whatsapp":
			err = phaseWhatsApp(ctx, srv, &o)
		case "whatsapp-latency":
			err = phaseWhatsAppWS(ctx, srv, &o)
		case "widget":
			err = phaseWidget(ctx, srv, o)
		default:
			err = fmt.Errorf("load: unknown phase %q", p)
		}
		if err != nil {
			return fmt.Errorf("phase %s: %w", p, err)
		}
	}
	return nil
}

// server is a running atende binary on loopback.
type server struct {
	cmd     *exec.Cmd
	base    string
	startMS float64
	done    chan struct{}
	stopFn  func() // in-process server
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startServer(ctx context.Context, o loadOpts) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	args := []string{"serve", "--addr", addr}
	if o.target.data != "" {
		args = append(args, "--data", o.target.data)
	} else {
		dir, _ := os.MkdirTemp("", "atende-bench-data-")
		args = append(args, "--data", dir)
	}
	if o.target.url != "" {
		args = append(args, "--database-url", o.target.url)
	}
	cmd := exec.Command(o.bin, args...)
	// every bench visitor comes from loopback: lift the widget's per-address limits
	cmd.Env = append(os.Environ(), "ATENDE_LOG_LEVEL=warn", "ATENDE_BASE_URL=http://"+addr, "ATENDE_WIDGET_SESSIONS_PER_IP=1000000")
	if o.waAPIURL != "" {
		cmd.Env = append(cmd.Env, "ATENDE_WHATSAPP_API_URL="+o.waAPIURL)
	}
	cmd.Stdout = io.Discard
	cmd.Stderr = os.Stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, base: "http://" + addr, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return nil, errors.New("server exited during start")
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		default:
		}
		resp, err := c.Get(s.base + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				s.startMS = float64(time.Since(t0).Microseconds()) / 1000
				return s, nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	s.stop()
	return nil, errors.New("server not ready within 60s")
}

func (s *server) pid() int { return s.cmd.Process.Pid }

func (s *server) stop() {
	if s.stopFn != nil {
		s.stopFn()
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

func newClient(conns int) *http.Client {
	tr := &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, MaxConnsPerHost: conns * 2, DisableCompression: true,
		IdleConnTimeout: 90 * time.Second}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// do sends one request and drains the answer; it returns the status.
func do(ctx context.Context, c *http.Client, method, url, token string, body []byte) (int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// stats summarises a run of request latencies.
type stats struct {
	n, errs             int
	secs                float64
	p50, p95, p99, max_ float64 // milliseconds
}

func (s stats) rate() float64 { return float64(s.n) / s.secs }

func summarise(lat []time.Duration, errs int, secs float64) stats {
	st := stats{n: len(lat), errs: errs, secs: secs}
	if len(lat) == 0 {
		return st
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		i := int(p * float64(len(lat)-1))
		return float64(lat[i].Microseconds()) / 1000
	}
	st.p50, st.p95, st.p99 = pct(0.50), pct(0.95), pct(0.99)
	st.max_ = float64(lat[len(lat)-1].Microseconds()) / 1000
	return st
}

// median picks the run with the median p99 (and reports its other figures).
func median(runs []stats) stats {
	s := slices.Clone(runs)
	slices.SortFunc(s, func(a, b stats) int {
		switch {
		case a.p99 < b.p99:
			return -1
		case a.p99 > b.p99:
			return 1
		}
		return 0
	})
	return s[len(s)/2]
}

// hammer runs conc workers calling fn until duration passes or limit calls were made.
func hammer(ctx context.Context, conc int, d time.Duration, limit int, fn func(ctx context.Context, worker, i int) error) stats {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	var errs atomic.Int64
	var count atomic.Int64
	deadline := time.Now().Add(d)
	t0 := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			lat := make([]time.Duration, 0, 4096)
			for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				if count.Add(1) > int64(limit) {
					break
				}
				s := time.Now()
				if err := fn(ctx, w, i); err != nil {
					errs.Add(1)
					if errs.Load() <= 3 {
						fmt.Fprintln(os.Stderr, "  request error:", err)
					}
					continue
				}
				lat = append(lat, time.Since(s))
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	return summarise(all, int(errs.Load()), time.Since(t0).Seconds())
}

func expect(code int, err error, want ...int) error {
	if err != nil {
		return err
	}
	if slices.Contains(want, code) {
		return nil
	}
	return fmt.Errorf("HTTP %d", code)
}

func warm(ctx context.Context, s *server, o loadOpts) {
	c := newClient(1)
	for _, tok := range []string{o.tokens.AdminToken, o.tokens.AgentToken} {
		for _, v := range []string{"unassigned", "mine", "all"} {
			_, _ = do(ctx, c, "GET", s.base+"/api/v1/conversations?view="+v, tok, nil)
		}
		_, _ = do(ctx, c, "GET", s.base+"/api/v1/conversations/counters", tok, nil)
	}
}

func header(title string, o loadOpts) {
	la, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("\n### %s (%s)\n\n%s, load average before the phase: %s\n\n", title, o.label, time.Now().UTC().Format(time.RFC3339), strings.TrimSpace(string(la)))
}

func row(name string, st stats, target string) {
	fmt.Printf("| %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %d | %s |\n", name, st.n, st.rate(), st.p50, st.p95, st.p99, st.max_, st.errs, target)
}

const tableHead = "| case | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | target |\n|---|---:|---:|---:|---:|---:|---:|---:|---|"

func phaseInbox(ctx context.Context, s *server, o loadOpts, countersOnly bool) error {
	c := newClient(o.concurrency)
	type tc struct {
		name, path, token, target string
	}
	var cases []tc
	if !countersOnly {
		cases = append(cases,
			tc{"agent view=unassigned", "/api/v1/conversations?view=unassigned", o.tokens.AgentToken, "p99 ≤ 10 ms, ≥ 2000/s"},
			tc{"agent view=mine", "/api/v1/conversations?view=mine", o.tokens.AgentToken, "p99 ≤ 10 ms, ≥ 2000/s"},
			tc{"agent view=all", "/api/v1/conversations?view=all", o.tokens.AgentToken, "p99 ≤ 10 ms, ≥ 2000/s"},
			tc{"admin view=unassigned", "/api/v1/conversations?view=unassigned", o.tokens.AdminToken, "p99 ≤ 10 ms, ≥ 2000/s"},
			tc{"admin view=all", "/api/v1/conversations?view=all", o.tokens.AdminToken, "p99 ≤ 10 ms, ≥ 2000/s"},
			tc{"admin view=all sort=waiting", "/api/v1/conversations?view=all&sort=waiting", o.tokens.AdminToken, "p99 ≤ 10 ms, ≥ 2000/s"},
		)
	}
	cases = append(cases,
		tc{"agent counters", "/api/v1/conversations/counters", o.tokens.AgentToken, "p99 ≤ 5 ms"},
		tc{"admin counters", "/api/v1/conversations/counters", o.tokens.AdminToken, "p99 ≤ 5 ms"},
	)
	header(fmt.Sprintf("inbox: first page and counters, %d concurrent clients, %s × %d runs, median run", o.concurrency, o.duration, o.runs), o)
	fmt.Println(tableHead)
	for _, k := range cases {
		var runs []stats
		for r := 0; r < o.runs; r++ {
			runs = append(runs, hammer(ctx, o.concurrency, o.duration, 2_000_000, func(ctx context.Context, _, _ int) error {
				code, err := do(ctx, c, "GET", s.base+k.path, k.token, nil)
				return expect(code, err, 200)
			}))
		}
		row(k.name, median(runs), k.target)
	}
	return nil
}

var searchTerms = []string{"pedido", "entrega", "boleto", "reembolso", "segunda via", "jabuticaba", "graviola", "pedido atrasado", "434343", "inexistentexyz"}

func phaseSearch(ctx context.Context, s *server, o loadOpts) error {
	c := newClient(o.concurrency)
	header(fmt.Sprintf("search: GET /api/v1/search/messages, %d concurrent clients, ≤ %s or 400 requests per term, median of %d runs", o.concurrency, o.duration/2, o.runs), o)
	fmt.Println(tableHead)
	var all []stats
	for _, who := range []struct{ name, token string }{{"admin", o.tokens.AdminToken}, {"agent", o.tokens.AgentToken}} {
		for _, term := range searchTerms {
			var runs []stats
			for r := 0; r < o.runs; r++ {
				runs = append(runs, hammer(ctx, o.concurrency, o.duration/2, 400, func(ctx context.Context, _, _ int) error {
					code, err := do(ctx, c, "GET", s.base+"/api/v1/search/messages?q="+strings.ReplaceAll(term, " ", "+"), who.token, nil)
					return expect(code, err, 200)
				}))
			}
			m := median(runs)
			all = append(all, m)
			row(fmt.Sprintf("%s q=%q", who.name, term), m, "p99 ≤ 100 ms")
		}
	}
	return nil
}

type inboundMsg struct {
	MessageID string            `json:"message_id"`
	Contact   map[string]string `json:"contact"`
	Text      string            `json:"text"`
}

// inboundBody builds one inbound message: half from seeded contacts (whose
// last conversation is mostly resolved: a new cycle opens), half from a
// pool of load contacts that keep writing into their open conversation.
func inboundBody(r *rand.Rand, o loadOpts, run string, seq int64, text string) []byte {
	var contact string
	if r.IntN(2) == 0 && o.tokens.Contacts > 0 {
		contact = "c" + strconv.FormatInt(1+r.Int64N(o.tokens.Contacts), 10)
	} else {
		contact = "load-" + strconv.Itoa(r.IntN(20000))
	}
	b, _ := json.Marshal(inboundMsg{MessageID: run + "-" + strconv.FormatInt(seq, 10), Contact: map[string]string{"id": contact, "name": "Cliente " + contact}, Text: text})
	return b
}

func phaseInbound(ctx context.Context, s *server, o loadOpts) error {
	c := newClient(o.clients)
	header(fmt.Sprintf("inbound: POST /api/v1/channels/api/messages, %d keep-alive clients, %s × %d runs, median run", o.clients, o.duration, o.runs), o)
	fmt.Println(tableHead)
	var seq atomic.Int64
	run := "ld" + strconv.FormatInt(time.Now().UnixNano(), 36)
	tg := newTextGen(rand.New(rand.NewPCG(7, 8)))
	var tgMu sync.Mutex
	var runs []stats
	for r := 0; r < o.runs; r++ {
		runs = append(runs, hammer(ctx, o.clients, o.duration, 10_000_000, func(ctx context.Context, w, i int) error {
			tgMu.Lock()
			rr := rand.New(rand.NewPCG(uint64(w), uint64(seq.Load())))
			txt := tg.message(rr)
			tgMu.Unlock()
			code, err := do(ctx, c, "POST", s.base+"/api/v1/channels/api/messages", o.tokens.ChannelToken, inboundBody(rr, o, run, seq.Add(1), txt))
			return expect(code, err, 200, 201)
		}))
	}
	for i, st := range runs {
		row(fmt.Sprintf("HTTP inbound run %d", i+1), st, "≥ 5000 msg/s")
	}
	row("HTTP inbound (median run)", median(runs), "≥ 5000 msg/s")
	return rawInsert(ctx, o)
}

// rawInsert writes the same rows the inbound path writes for a message to
// an existing conversation (the message, its FTS entry through the trigger,
// and the conversation's denormalised columns), without HTTP or domain logic.
func rawInsert(ctx context.Context, o loadOpts) error {
	db, err := o.target.rawOpen(false)
	if err != nil {
		return err
	}
	defer db.Close()
	ins := `INSERT INTO messages (workspace_id, conversation_id, kind, direction, sender_type, sender_id, content, channel_id, external_id, status, created_at)
		VALUES ($1, $2, 'text', 'in', 'contact', $3, $4, $5, $6, 'none', $7)`
	upd := `UPDATE conversations SET last_message_at = $1, last_preview = $2, waiting_since = CASE WHEN waiting_since = 4611686018427387904 THEN $1 ELSE waiting_since END, updated_at = $1 WHERE id = $3`
	tg := newTextGen(rand.New(rand.NewPCG(9, 10)))
	rnd := rand.New(rand.NewPCG(11, 12))
	run := "raw" + strconv.FormatInt(time.Now().UnixNano(), 36)
	var seq int64
	// The inbound phase wrote mostly to its own new conversations at the end
	// of the table; write to the newest 20000 too, so the pages touched are
	// comparable.
	var convIDs []int64
	idRows, err := db.QueryContext(ctx, `SELECT id FROM conversations ORDER BY id DESC LIMIT 20000`)
	if err != nil {
		return err
	}
	for idRows.Next() {
		var id int64
		if err := idRows.Scan(&id); err != nil {
			idRows.Close()
			return err
		}
		convIDs = append(convIDs, id)
	}
	idRows.Close()
	if len(convIDs) == 0 {
		return errors.New("raw insert: no conversations")
	}
	one := func(ctx context.Context, perTx int) (int, error) {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		defer tx.Rollback()
		for k := 0; k < perTx; k++ {
			seq++
			conv := convIDs[rnd.IntN(len(convIDs))]
			txt := tg.message(rnd)
			now := time.Now().UnixMilli()
			if _, err := tx.ExecContext(ctx, ins, o.tokens.WorkspaceID, conv, 1, txt, o.tokens.ChannelID, run+"-"+strconv.FormatInt(seq, 10), now); err != nil {
				return 0, err
			}
			if _, err := tx.ExecContext(ctx, upd, now, txt, conv); err != nil {
				return 0, err
			}
		}
		return perTx, tx.Commit()
	}
	for _, perTx := range []int{1, 100} {
		var runs []stats
		for r := 0; r < o.runs; r++ {
			var lat []time.Duration
			n, errs := 0, 0
			t0 := time.Now()
			deadline := t0.Add(o.duration / 2)
			for time.Now().Before(deadline) && ctx.Err() == nil {
				s := time.Now()
				k, err := one(ctx, perTx)
				if err != nil {
					errs++
					if errs < 3 {
						fmt.Fprintln(os.Stderr, "  raw insert:", err)
					}
					continue
				}
				n += k
				d := time.Since(s)
				for j := 0; j < k; j++ {
					lat = append(lat, d/time.Duration(k))
				}
			}
			runs = append(runs, summarise(lat, errs, time.Since(t0).Seconds()))
		}
		row(fmt.Sprintf("raw INSERT message + UPDATE conversation, %d per transaction, 1 writer (latency per message)", perTx), median(runs), "reference")
	}
	return nil
}
