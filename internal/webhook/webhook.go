package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/secrets"
	"github.com/atende/atende/internal/store"
)

// JobDeliver is the job kind that sends one webhook delivery.
const JobDeliver = "webhook.deliver"

// EventTest is the event type of POST /api/v1/webhook-subscriptions/{id}/test.
const EventTest = "webhook.test"

// Events are the event types a subscription can choose.
var Events = []string{
	conversation.EventConversationCreated,
	conversation.EventConversationUpdated,
	conversation.EventConversationResolved,
	conversation.EventMessageCreated,
}

// Timeout bounds one delivery attempt.
const Timeout = 10 * time.Second

// CacheTTL bounds how long a node trusts its cached subscription list of a
// workspace. Changes made through this node's API invalidate it at once;
// on other nodes of a cluster they take effect within the TTL.
const CacheTTL = 10 * time.Second

// MaxAttempts is how often a delivery is tried: with the queue's default
// backoff (1 s doubling up to an hour, jittered) the attempts span about
// seven hours, so a receiver down for an afternoon misses nothing.
const MaxAttempts = 20

// maxSnippet bounds the response body kept in the delivery log.
const maxSnippet = 1024

// Notifier is told when jobs were committed.
type Notifier interface{ Notify() }

// Service keeps subscriptions, writes deliveries in the transactions of
// conversation changes (it is the conversation service's Outbox) and
// delivers them as jobs.
type Service struct {
	db     *store.DB
	box    *secrets.Box
	guard  *Guard
	client *http.Client
	jobs   Notifier
	log    *slog.Logger
	// Now is the clock of signatures and event timestamps.
	Now func() time.Time

	mu    sync.Mutex
	cache map[int64]cachedSubs
}

type cachedSubs struct {
	subs []store.WebhookSubscription // active ones only, secrets left out
	exp  time.Time
}

// New returns a Service. jobs may be nil.
func New(db *store.DB, box *secrets.Box, guard *Guard, jobs Notifier, log *slog.Logger) *Service {
	if guard == nil {
		guard = &Guard{}
	}
	return &Service{db: db, box: box, guard: guard, client: guard.Client(Timeout), jobs: jobs, log: log, Now: time.Now,
		cache: map[int64]cachedSubs{}}
}

// Guard is the service's SSRF guard.
func (s *Service) Guard() *Guard { return s.guard }

// Forget drops the cached subscriptions of ws after they changed.
func (s *Service) Forget(ws int64) {
	s.mu.Lock()
	delete(s.cache, ws)
	s.mu.Unlock()
}

func (s *Service) active(ctx context.Context, q store.Q, ws int64) ([]store.WebhookSubscription, error) {
	s.mu.Lock()
	c, ok := s.cache[ws]
	s.mu.Unlock()
	if ok && time.Now().Before(c.exp) {
		return c.subs, nil
	}
	all, err := q.Webhooks(ctx, ws)
	if err != nil {
		return nil, err
	}
	var subs []store.WebhookSubscription
	for _, sub := range all {
		if sub.Active {
			sub.Secret = ""
			subs = append(subs, sub)
		}
	}
	s.mu.Lock()
	s.cache[ws] = cachedSubs{subs: subs, exp: time.Now().Add(CacheTTL)}
	s.mu.Unlock()
	return subs, nil
}

// Wants implements conversation.Outbox.
func (s *Service) Wants(ctx context.Context, q store.Q, ws int64, typ string) (bool, error) {
	subs, err := s.active(ctx, q, ws)
	if err != nil {
		return false, err
	}
	for _, sub := range subs {
		if sub.Wants(typ) {
			return true, nil
		}
	}
	return false, nil
}

// Body is the JSON every delivery posts.
type Body struct {
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	Data      any    `json:"data"`
}

// Enqueue implements conversation.Outbox: a delivery row and its job per
// subscriber and event, in the caller's transaction.
func (s *Service) Enqueue(ctx context.Context, q store.Q, ws int64, evs []conversation.OutEvent) (int, error) {
	subs, err := s.active(ctx, q, ws)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ev := range evs {
		var body []byte
		for _, sub := range subs {
			if !sub.Wants(ev.Type) {
				continue
			}
			if body == nil {
				if body, err = json.Marshal(Body{Type: ev.Type, Timestamp: time.UnixMilli(ev.At).UTC().Format(time.RFC3339Nano), Data: ev.Data}); err != nil {
					return n, err
				}
			}
			if _, err := s.enqueue(ctx, q, ws, sub.ID, ev.Type, string(body)); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

type deliverJob struct {
	DeliveryID int64 `json:"delivery_id"`
}

func (s *Service) enqueue(ctx context.Context, q store.Q, ws, subID int64, typ, body string) (int64, error) {
	eventID := NewEventID()
	id, err := q.InsertDelivery(ctx, store.WebhookDelivery{WorkspaceID: ws, SubscriptionID: subID, EventID: eventID, EventType: typ, Payload: body})
	if err != nil {
		return 0, err
	}
	return id, s.enqueueJob(ctx, q, ws, id, fmt.Sprintf("webhook:%d:%s", subID, eventID))
}

func (s *Service) enqueueJob(ctx context.Context, q store.Q, ws, deliveryID int64, key string) error {
	payload, _ := json.Marshal(deliverJob{DeliveryID: deliveryID})
	return q.EnqueueJob(ctx, store.Job{WorkspaceID: ws, Kind: JobDeliver, Key: key, Payload: string(payload), MaxAttempts: MaxAttempts})
}

func (s *Service) notify() {
	if s.jobs != nil {
		s.jobs.Notify()
	}
}

// Resend delivers a logged event again, with the same webhook-id, so a
// receiver that processed it already can tell.
func (s *Service) Resend(ctx context.Context, ws, subID, deliveryID int64) (store.WebhookDelivery, error) {
	var d store.WebhookDelivery
	err := s.db.Tx(ctx, func(q store.Q) error {
		var err error
		if d, err = q.Delivery(ctx, ws, deliveryID); err != nil {
			return err
		}
		if d.SubscriptionID != subID {
			return store.ErrNotFound
		}
		if err := q.RequeueDelivery(ctx, ws, d.ID); err != nil {
			return err
		}
		key := fmt.Sprintf("webhook:%d:%s:resend:%d", subID, d.EventID, time.Now().UnixNano())
		if err := s.enqueueJob(ctx, q, ws, d.ID, key); err != nil {
			return err
		}
		d, err = q.Delivery(ctx, ws, d.ID)
		return err
	})
	if err == nil {
		s.notify()
	}
	return d, err
}

// SendTest queues a webhook.test event to one subscription, active or not.
func (s *Service) SendTest(ctx context.Context, ws, subID int64) (store.WebhookDelivery, error) {
	var d store.WebhookDelivery
	err := s.db.Tx(ctx, func(q store.Q) error {
		if _, err := q.Webhook(ctx, ws, subID); err != nil {
			return err
		}
		body, _ := json.Marshal(Body{Type: EventTest, Timestamp: s.Now().UTC().Format(time.RFC3339Nano),
			Data: map[string]any{"subscription_id": subID}})
		id, err := s.enqueue(ctx, q, ws, subID, EventTest, string(body))
		if err != nil {
			return err
		}
		d, err = q.Delivery(ctx, ws, id)
		return err
	})
	if err == nil {
		s.notify()
	}
	return d, err
}

// Handle is the job handler of JobDeliver: one attempt, logged on the
// delivery. 2xx delivers; 410 Gone disables the subscription; anything
// else is retried with the queue's backoff (no sooner than a Retry-After)
// until the last attempt, which marks the delivery failed.
func (s *Service) Handle(ctx context.Context, j store.Job) error {
	var p deliverJob
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return jobs.Permanent(err)
	}
	q := s.db.R()
	d, err := q.Delivery(ctx, j.WorkspaceID, p.DeliveryID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // its subscription was deleted
	} else if err != nil {
		return err
	}
	sub, err := q.Webhook(ctx, j.WorkspaceID, d.SubscriptionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	last := j.Attempts >= j.MaxAttempts
	record := func(a store.DeliveryAttempt) {
		if err := s.db.W().RecordDeliveryAttempt(context.WithoutCancel(ctx), j.WorkspaceID, d.ID, a); err != nil {
			s.log.Error("webhook: record attempt", "delivery", d.ID, "err", err)
		}
	}
	if !sub.Active && d.EventType != EventTest {
		record(store.DeliveryAttempt{Status: store.WebhookFailed, Error: "the subscription is disabled"})
		return nil
	}
	secret, err := s.box.Open(sub.Secret)
	if err != nil {
		record(store.DeliveryAttempt{Status: store.WebhookFailed, Error: "the signing secret cannot be opened: " + err.Error()})
		return jobs.Permanent(err)
	}
	code, snippet, retryAfter, err := s.post(ctx, sub.URL, secret, d.EventID, []byte(d.Payload))
	switch {
	case err != nil:
		status := store.WebhookPending
		if last || errors.Is(err, ErrBlocked) {
			status = store.WebhookFailed
		}
		record(store.DeliveryAttempt{Status: status, Error: err.Error()})
		if errors.Is(err, ErrBlocked) {
			return jobs.Permanent(err)
		}
		return err
	case code >= 200 && code < 300:
		record(store.DeliveryAttempt{Status: store.WebhookDelivered, StatusCode: code, Response: snippet})
		return nil
	case code == http.StatusGone:
		record(store.DeliveryAttempt{Status: store.WebhookFailed, StatusCode: code, Response: snippet, Error: "410 Gone: subscription disabled"})
		if err := s.db.W().DisableWebhook(context.WithoutCancel(ctx), j.WorkspaceID, sub.ID, "the receiver answered 410 Gone"); err != nil {
			return err
		}
		s.Forget(j.WorkspaceID)
		return nil
	default:
		status := store.WebhookPending
		if last {
			status = store.WebhookFailed
		}
		e := fmt.Errorf("the receiver answered %d", code)
		record(store.DeliveryAttempt{Status: status, StatusCode: code, Response: snippet, Error: e.Error()})
		if retryAfter > 0 {
			return jobs.RetryAfter(e, retryAfter)
		}
		return e
	}
}

func (s *Service) post(ctx context.Context, url, secret, id string, body []byte) (code int, snippet string, retryAfter time.Duration, err error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	ts := s.Now()
	sig, err := Sign(secret, id, ts, body)
	if err != nil {
		return 0, "", 0, jobs.Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", 0, jobs.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Atende-Webhooks/1")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := s.client.Do(req)
	if err != nil {
		if errors.Is(err, ErrBlocked) {
			return 0, "", 0, err
		}
		return 0, "", 0, fmt.Errorf("webhook: post: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxSnippet))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // reuse the connection when cheap
	if secs, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && secs > 0 {
		retryAfter = min(time.Duration(secs)*time.Second, time.Hour)
	}
	return resp.StatusCode, strings.ToValidUTF8(string(b), ""), retryAfter, nil
}
