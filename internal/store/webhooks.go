package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
)

// WebhookSubscription is a workspace's outbound webhook (migration 0010).
type WebhookSubscription struct {
	ID          int64    `json:"id"`
	WorkspaceID int64    `json:"-"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	// Secret is the signing secret, sealed (internal/secrets).
	Secret         string `json:"-"`
	Active         bool   `json:"active"`
	Description    string `json:"description"`
	DisabledReason string `json:"disabled_reason"`
	CreatedAt      int64  `json:"created_at"`
	UpdatedAt      int64  `json:"updated_at"`
}

// Wants reports whether the subscription receives events of type typ.
func (s WebhookSubscription) Wants(typ string) bool {
	for _, e := range s.Events {
		if e == typ {
			return true
		}
	}
	return false
}

// Delivery statuses.
const (
	WebhookPending   = "pending"
	WebhookDelivered = "delivered"
	WebhookFailed    = "failed"
)

// WebhookDelivery is one event sent (or to be sent) to a subscription.
type WebhookDelivery struct {
	ID              int64  `json:"id"`
	WorkspaceID     int64  `json:"-"`
	SubscriptionID  int64  `json:"subscription_id"`
	EventID         string `json:"event_id"`
	EventType       string `json:"event_type"`
	Payload         string `json:"payload"`
	Status          string `json:"status"`
	Attempts        int    `json:"attempts"`
	LastStatusCode  int    `json:"last_status_code"`
	LastError       string `json:"last_error"`
	ResponseSnippet string `json:"response_snippet"`
	CreatedAt       int64  `json:"created_at"`
	UpdatedAt       int64  `json:"updated_at"`
	DeliveredAt     *int64 `json:"delivered_at"`
}

const webhookCols = `id, workspace_id, url, events, secret, active, description, disabled_reason, created_at, updated_at`

func scanWebhook(row interface{ Scan(...any) error }) (WebhookSubscription, error) {
	var s WebhookSubscription
	var events string
	var active int64
	if err := row.Scan(&s.ID, &s.WorkspaceID, &s.URL, &events, &s.Secret, &active, &s.Description, &s.DisabledReason, &s.CreatedAt, &s.UpdatedAt); err != nil {
		return s, mapErr(err)
	}
	s.Active = active != 0
	if err := json.Unmarshal([]byte(events), &s.Events); err != nil {
		return s, fmt.Errorf("store: webhook %d events: %w", s.ID, err)
	}
	if s.Events == nil {
		s.Events = []string{}
	}
	return s, nil
}

func eventsJSON(events []string) string {
	if events == nil {
		events = []string{}
	}
	b, _ := json.Marshal(events)
	return string(b)
}

// CreateWebhook stores a subscription; Secret must already be sealed.
func (q Q) CreateWebhook(ctx context.Context, s WebhookSubscription) (WebhookSubscription, error) {
	now := Now()
	id, err := q.insert(ctx, `INSERT INTO webhook_subscriptions (workspace_id, url, events, secret, active, description, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, s.WorkspaceID, s.URL, eventsJSON(s.Events), s.Secret, boolInt(s.Active), s.Description, now)
	if err != nil {
		return s, fmt.Errorf("store: create webhook: %w", err)
	}
	return q.Webhook(ctx, s.WorkspaceID, id)
}

// Webhook returns a subscription of the workspace; another workspace's is ErrNotFound.
func (q Q) Webhook(ctx context.Context, ws, id int64) (WebhookSubscription, error) {
	return scanWebhook(q.queryRow(ctx, `SELECT `+webhookCols+` FROM webhook_subscriptions WHERE id = $1 AND workspace_id = $2`, id, ws))
}

// Webhooks lists the workspace's subscriptions, oldest first.
func (q Q) Webhooks(ctx context.Context, ws int64) ([]WebhookSubscription, error) {
	rows, err := q.query(ctx, `SELECT `+webhookCols+` FROM webhook_subscriptions WHERE workspace_id = $1 ORDER BY id`, ws)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []WebhookSubscription{}
	for rows.Next() {
		s, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// UpdateWebhook saves url, events, secret, active, description and
// disabled_reason of s.
func (q Q) UpdateWebhook(ctx context.Context, s WebhookSubscription) (WebhookSubscription, error) {
	res, err := q.exec(ctx, `UPDATE webhook_subscriptions SET url = $3, events = $4, secret = $5, active = $6, description = $7,
		disabled_reason = $8, updated_at = $9 WHERE id = $1 AND workspace_id = $2`,
		s.ID, s.WorkspaceID, s.URL, eventsJSON(s.Events), s.Secret, boolInt(s.Active), s.Description, s.DisabledReason, Now())
	if err != nil {
		return s, fmt.Errorf("store: update webhook %d: %w", s.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s, ErrNotFound
	}
	return q.Webhook(ctx, s.WorkspaceID, s.ID)
}

// DisableWebhook switches a subscription off, saying why.
func (q Q) DisableWebhook(ctx context.Context, ws, id int64, reason string) error {
	_, err := q.exec(ctx, `UPDATE webhook_subscriptions SET active = 0, disabled_reason = $3, updated_at = $4 WHERE id = $1 AND workspace_id = $2`,
		id, ws, truncate(reason, 500), Now())
	return err
}

// DeleteWebhook removes a subscription and its delivery log.
func (q Q) DeleteWebhook(ctx context.Context, ws, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM webhook_subscriptions WHERE id = $1 AND workspace_id = $2`, id, ws)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

const deliveryCols = `id, workspace_id, subscription_id, event_id, event_type, payload, status, attempts, last_status_code,
	last_error, response_snippet, created_at, updated_at, delivered_at`

func scanDelivery(row interface{ Scan(...any) error }) (WebhookDelivery, error) {
	var d WebhookDelivery
	err := row.Scan(&d.ID, &d.WorkspaceID, &d.SubscriptionID, &d.EventID, &d.EventType, &d.Payload, &d.Status, &d.Attempts,
		&d.LastStatusCode, &d.LastError, &d.ResponseSnippet, &d.CreatedAt, &d.UpdatedAt, &d.DeliveredAt)
	return d, mapErr(err)
}

// InsertDelivery writes a pending delivery, normally in the transaction
// of the change that caused the event, with the job that sends it.
func (q Q) InsertDelivery(ctx context.Context, d WebhookDelivery) (int64, error) {
	now := Now()
	id, err := q.insert(ctx, `INSERT INTO webhook_deliveries (workspace_id, subscription_id, event_id, event_type, payload, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6)`, d.WorkspaceID, d.SubscriptionID, d.EventID, d.EventType, d.Payload, now)
	if err != nil {
		return 0, fmt.Errorf("store: insert webhook delivery: %w", err)
	}
	return id, nil
}

// Delivery returns a delivery of the workspace.
func (q Q) Delivery(ctx context.Context, ws, id int64) (WebhookDelivery, error) {
	return scanDelivery(q.queryRow(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE id = $1 AND workspace_id = $2`, id, ws))
}

// Deliveries lists a subscription's deliveries newest first; before > 0
// continues a page after the delivery with that id (keyset paging).
func (q Q) Deliveries(ctx context.Context, ws, subscriptionID, before int64, limit int) ([]WebhookDelivery, error) {
	if before <= 0 {
		before = 1<<62 - 1
	}
	rows, err := q.query(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE workspace_id = $1 AND subscription_id = $2 AND id < $3
		ORDER BY id DESC LIMIT `+strconv.Itoa(limit), ws, subscriptionID, before)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []WebhookDelivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeliveryAttempt is what one attempt learnt.
type DeliveryAttempt struct {
	Status     string // the delivery's new status
	StatusCode int
	Error      string
	Response   string
}

// RecordDeliveryAttempt counts an attempt and keeps its outcome.
func (q Q) RecordDeliveryAttempt(ctx context.Context, ws, id int64, a DeliveryAttempt) error {
	now := Now()
	var delivered *int64
	if a.Status == WebhookDelivered {
		delivered = &now
	}
	_, err := q.exec(ctx, `UPDATE webhook_deliveries SET status = $3, attempts = attempts + 1, last_status_code = $4, last_error = $5,
		response_snippet = $6, updated_at = $7, delivered_at = COALESCE($8, delivered_at) WHERE id = $1 AND workspace_id = $2`,
		id, ws, a.Status, a.StatusCode, truncate(a.Error, 1000), truncate(a.Response, 1024), now, delivered)
	return err
}

// RequeueDelivery marks a delivery pending again (a resend).
func (q Q) RequeueDelivery(ctx context.Context, ws, id int64) error {
	_, err := q.exec(ctx, `UPDATE webhook_deliveries SET status = 'pending', updated_at = $3 WHERE id = $1 AND workspace_id = $2`, id, ws, Now())
	return err
}
