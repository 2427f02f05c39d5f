package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// phaseWS measures POST → event on a connected admin's WebSocket: a paced
// sender embeds its send time in each text; the reader subtracts it from the
// time the message.created event arrives.
func phaseWS(ctx context.Context, s *server, o loadOpts) error {
	header(fmt.Sprintf("ws-latency: POST → message.created on an admin WebSocket, paced at %d msg/s for %s", o.rate, o.wsDuration), o)
	return wsRuns(ctx, s, o, func(ctx context.Context, c *http.Client, rr *rand.Rand, run string, i int64, text string) error {
		code, err := do(ctx, c, "POST", s.base+"/api/v1/channels/api/messages", o.tokens.ChannelToken, inboundBody(rr, o, run, i, text))
		return expect(code, err, 200, 201)
	})
}

// poster sends message i of a latency run, with text, through one channel.
type poster func(ctx context.Context, c *http.Client, rr *rand.Rand, run string, i int64, text string) error

// wsRuns runs --runs latency runs with post and prints their table.
func wsRuns(ctx context.Context, s *server, o loadOpts, post poster) error {
	var runs []stats
	var notes []string
	for r := 0; r < o.runs; r++ {
		st, note, err := wsRun(ctx, s, o, post)
		if err != nil {
			return err
		}
		runs = append(runs, st)
		notes = append(notes, note)
	}
	fmt.Println("| case | events | events/s | p50 ms | p95 ms | p99 ms | max ms | missing | target |\n|---|---:|---:|---:|---:|---:|---:|---:|---|")
	for i, st := range runs {
		row(fmt.Sprintf("run %d (%s)", i+1, notes[i]), st, "p99 ≤ 50 ms")
	}
	row("median run", median(runs), "p99 ≤ 50 ms")
	return nil
}

func wsRun(ctx context.Context, s *server, o loadOpts, post poster) (stats, string, error) {
	ctx, cancel := context.WithTimeout(ctx, o.wsDuration+60*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.base, "http")+"/api/v1/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + o.tokens.AdminToken}}})
	if err != nil {
		return stats{}, "", fmt.Errorf("dial websocket: %w", err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 22)
	run := "ws" + strconv.FormatInt(time.Now().UnixNano(), 36)
	marker := "bench " + run + " ts="

	var mu sync.Mutex
	var lat []time.Duration
	got := make(chan struct{}, 1)
	var received atomic.Int64
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		var ev struct {
			Type string `json:"type"`
			Data struct {
				Content string `json:"content"`
			} `json:"data"`
		}
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				return
			}
			now := time.Now()
			if !strings.Contains(string(b), marker) {
				continue
			}
			ev.Type, ev.Data.Content = "", ""
			if json.Unmarshal(b, &ev) != nil || ev.Type != "message.created" {
				continue
			}
			_, tail, ok := strings.Cut(ev.Data.Content, marker)
			if !ok {
				continue
			}
			tsStr, _, _ := strings.Cut(tail, " ")
			ns, err := strconv.ParseInt(tsStr, 10, 64)
			if err != nil {
				continue
			}
			mu.Lock()
			lat = append(lat, now.Sub(time.Unix(0, ns)))
			mu.Unlock()
			received.Add(1)
			select {
			case got <- struct{}{}:
			default:
			}
		}
	}()

	c := newClient(256)
	total := int(float64(o.rate) * o.wsDuration.Seconds())
	interval := time.Second / time.Duration(o.rate)
	jobs := make(chan int, 1024)
	var sendErrs atomic.Int64
	var late atomic.Int64
	var wg sync.WaitGroup
	t0 := time.Now().Add(200 * time.Millisecond)
	for w := 0; w < 256; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rr := rand.New(rand.NewPCG(uint64(w), 99))
			for i := range jobs {
				at := t0.Add(time.Duration(i) * interval)
				if d := time.Until(at); d > 0 {
					time.Sleep(d)
				} else if d < -5*time.Millisecond {
					late.Add(1)
				}
				text := marker + strconv.FormatInt(time.Now().UnixNano(), 10) + " olá, meu pedido ainda não chegou"
				if post(ctx, c, rr, run, int64(i), text) != nil {
					sendErrs.Add(1)
				}
			}
		}(w)
	}
	for i := 0; i < total && ctx.Err() == nil; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	sendSecs := time.Since(t0).Seconds()
	// wait for the tail of events (bounded)
	deadline := time.After(5 * time.Second)
wait:
	for received.Load() < int64(total)-sendErrs.Load() {
		select {
		case <-got:
		case <-deadline:
			break wait
		}
	}
	conn.Close(websocket.StatusNormalClosure, "")
	cancel()
	<-readerDone
	mu.Lock()
	defer mu.Unlock()
	st := summarise(slices.Clone(lat), int(int64(total)-sendErrs.Load()-received.Load()), sendSecs)
	note := fmt.Sprintf("sent %d in %.1fs = %.0f/s, %d send errors, %d sends started >5 ms late", total, sendSecs, float64(total)/sendSecs, sendErrs.Load(), late.Load())
	return st, note, nil
}

// phaseIdle starts the binary on the seeded database, measures exec →
// /readyz 200, waits, and reads its resident memory.
func phaseIdle(ctx context.Context, o loadOpts) error {
	header(fmt.Sprintf("idle: start time and idle RSS, %d starts", o.runs), o)
	fmt.Println("| run | start ms (exec → /readyz 200) | VmRSS MB after 10 s idle | RssAnon MB | RssFile MB | VmHWM MB | target |\n|---|---:|---:|---:|---:|---:|---|")
	var starts, rss []float64
	for r := 0; r < o.runs; r++ {
		s, err := startServer(ctx, o)
		if err != nil {
			return err
		}
		select {
		case <-time.After(10 * time.Second):
		case <-ctx.Done():
		}
		m := procStatus(s.pid())
		s.stop()
		fmt.Printf("| %d | %.0f | %.1f | %.1f | %.1f | %.1f | start ≤ 1000 ms, RSS ≤ 40 MB |\n", r+1, s.startMS, m["VmRSS"], m["RssAnon"], m["RssFile"], m["VmHWM"])
		starts = append(starts, s.startMS)
		rss = append(rss, m["VmRSS"])
	}
	slices.Sort(starts)
	slices.Sort(rss)
	fmt.Printf("| median | %.0f | %.1f | | | | start ≤ 1000 ms, RSS ≤ 40 MB |\n", starts[len(starts)/2], rss[len(rss)/2])
	return nil
}

// procStatus reads the memory lines of /proc/PID/status in MB.
func procStatus(pid int) map[string]float64 {
	out := map[string]float64{}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) == 2 && fields[1] == "kB" {
			n, _ := strconv.ParseFloat(fields[0], 64)
			out[k] = n / 1024
		}
	}
	return out
}
