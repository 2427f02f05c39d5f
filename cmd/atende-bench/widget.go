package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// The widget phase measures the website widget's visitor round trip on
// loopback: a visitor (with its own visitor WebSocket open, as the widget's
// frame has) posts a message; the agent's answer is posted as soon as that
// message is stored; the round trip ends when the answer arrives on the
// visitor's socket. Along the way it also times the visitor's message
// reaching an admin's socket. Visitors are spread so that none passes the
// widget's per-visitor message limit.

const widgetVisitors = 100

type benchVisitor struct {
	token  string
	convID int64
	conn   *websocket.Conn
}

// widgetCall posts JSON with a bearer token and decodes a 2xx answer into out.
func widgetCall(ctx context.Context, c *http.Client, method, url, token string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: HTTP %d: %.200s", method, url, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// setupWidget creates a widget channel and widgetVisitors visitors, each
// with a first message, so each has its conversation.
func setupWidget(ctx context.Context, s *server, o loadOpts, c *http.Client) (string, []*benchVisitor, error) {
	var ch struct {
		Widget struct {
			Key string `json:"key"`
		} `json:"widget"`
	}
	err := widgetCall(ctx, c, "POST", s.base+"/api/v1/channels", o.tokens.AdminToken, map[string]any{"kind": "widget", "name": "bench site " + strconv.FormatInt(time.Now().UnixNano(), 36),
		"widget": map[string]any{"color": "#2256c9", "position": "right", "language": "pt-BR", "prechat_enabled": false}}, &ch)
	if err != nil {
		return "", nil, err
	}
	key := ch.Widget.Key
	base := s.base + "/api/v1/widget/" + key
	visitors := make([]*benchVisitor, widgetVisitors)
	for i := range visitors {
		v := &benchVisitor{}
		var sess struct{ Token string }
		if err := widgetCall(ctx, c, "POST", base+"/sessions", "", map[string]any{"name": fmt.Sprintf("Visitante %d", i)}, &sess); err != nil {
			return "", nil, err
		}
		v.token = sess.Token
		if err := widgetCall(ctx, c, "POST", base+"/messages", v.token, map[string]any{"content": "olá"}, nil); err != nil {
			return "", nil, err
		}
		var cv struct {
			Conversation struct{ ID int64 } `json:"conversation"`
		}
		if err := widgetCall(ctx, c, "GET", base+"/conversation", v.token, nil, &cv); err != nil {
			return "", nil, err
		}
		v.convID = cv.Conversation.ID
		visitors[i] = v
	}
	return key, visitors, nil
}

// phaseWidget runs --runs round-trip runs at --widget-rate for --ws-duration.
func phaseWidget(ctx context.Context, s *server, o loadOpts) error {
	c := newClient(64)
	key, visitors, err := setupWidget(ctx, s, o, c)
	if err != nil {
		return err
	}
	rate := o.widgetRate
	header(fmt.Sprintf("widget: visitor POST message → agent reply → message.created on the visitor's WebSocket, %d visitors with sockets open, paced at %d round trips/s for %s", widgetVisitors, rate, o.wsDuration), o)
	var rtts, toAgent []stats
	for r := 0; r < o.runs; r++ {
		rt, ag, err := widgetRun(ctx, s, o, c, key, visitors, rate)
		if err != nil {
			return err
		}
		rtts, toAgent = append(rtts, rt), append(toAgent, ag)
	}
	fmt.Println("| case | round trips | per s | p50 ms | p95 ms | p99 ms | max ms | missing | target |\n|---|---:|---:|---:|---:|---:|---:|---:|---|")
	for i := range rtts {
		row(fmt.Sprintf("round trip, run %d", i+1), rtts[i], "")
	}
	row("round trip (median run)", median(rtts), "")
	row("visitor message → admin socket (median run)", median(toAgent), "p99 ≤ 50 ms")
	return nil
}

func widgetRun(ctx context.Context, s *server, o loadOpts, c *http.Client, key string, visitors []*benchVisitor, rate int) (stats, stats, error) {
	ctx, cancel := context.WithTimeout(ctx, o.wsDuration+60*time.Second)
	defer cancel()
	run := "wg" + strconv.FormatInt(time.Now().UnixNano(), 36)
	marker := "bench " + run + " n="

	var mu sync.Mutex
	started := map[string]time.Time{} // round trip → when the visitor posted
	var rtt, agent []time.Duration
	var received atomic.Int64
	readers := sync.WaitGroup{}
	read := func(conn *websocket.Conn, isAgent bool) {
		defer readers.Done()
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				return
			}
			now := time.Now()
			s := string(b)
			if !strings.Contains(s, marker) || !strings.Contains(s, `"message.created"`) {
				continue
			}
			_, tail, _ := strings.Cut(s, marker)
			id, _, _ := strings.Cut(tail, " ")
			reply := strings.Contains(tail, " reply")
			mu.Lock()
			t0, ok := started[id]
			switch {
			case !ok:
			case isAgent && !reply:
				agent = append(agent, now.Sub(t0))
			case !isAgent && reply:
				rtt = append(rtt, now.Sub(t0))
				received.Add(1)
			}
			mu.Unlock()
		}
	}
	admin, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.base, "http")+"/api/v1/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + o.tokens.AdminToken}}})
	if err != nil {
		return stats{}, stats{}, err
	}
	admin.SetReadLimit(1 << 22)
	for _, v := range visitors {
		conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.base, "http")+"/api/v1/widget/"+key+"/ws?token="+v.token, nil)
		if err != nil {
			return stats{}, stats{}, fmt.Errorf("visitor socket: %w", err)
		}
		conn.SetReadLimit(1 << 20)
		v.conn = conn
	}
	readers.Add(1 + len(visitors))
	go read(admin, true)
	for _, v := range visitors {
		go read(v.conn, false)
	}

	base := s.base + "/api/v1/widget/" + key
	total := int(float64(rate) * o.wsDuration.Seconds())
	interval := time.Second / time.Duration(rate)
	var sendErrs atomic.Int64
	var wg sync.WaitGroup
	jobs := make(chan int, 64)
	t0 := time.Now().Add(200 * time.Millisecond)
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if d := time.Until(t0.Add(time.Duration(i) * interval)); d > 0 {
					time.Sleep(d)
				}
				v := visitors[i%len(visitors)]
				id := strconv.Itoa(i)
				mu.Lock()
				started[id] = time.Now()
				mu.Unlock()
				if err := widgetCall(ctx, c, "POST", base+"/messages", v.token, map[string]any{"content": marker + id + " tem em azul?"}, nil); err != nil {
					sendErrs.Add(1)
					continue
				}
				if err := widgetCall(ctx, c, "POST", fmt.Sprintf("%s/api/v1/conversations/%d/messages", s.base, v.convID), o.tokens.AdminToken,
					map[string]any{"kind": "reply", "content": marker + id + " reply: temos sim"}, nil); err != nil {
					sendErrs.Add(1)
				}
			}
		}()
	}
	for i := 0; i < total && ctx.Err() == nil; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	secs := time.Since(t0).Seconds()
	deadline := time.Now().Add(5 * time.Second)
	for received.Load() < int64(total)-sendErrs.Load() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	admin.Close(websocket.StatusNormalClosure, "")
	cancel()
	for _, v := range visitors {
		v.conn.CloseNow()
	}
	readers.Wait()
	mu.Lock()
	defer mu.Unlock()
	missing := total - len(rtt)
	return summarise(rtt, missing, secs), summarise(agent, total-len(agent), secs), nil
}
