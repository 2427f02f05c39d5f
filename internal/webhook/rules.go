package webhook

import (
	"context"
	"encoding/json"
	"time"

	"github.com/atende/atende/internal/store"
)

// EnqueueRuleWebhook implements conversation.RuleWebhooks: an automation
// rule's send_webhook action posts data to one subscription of ws, active
// or not yet disabled, through the same delivery log, job, SSRF guard and
// signature as every event. A missing subscription is store.ErrNotFound.
func (s *Service) EnqueueRuleWebhook(ctx context.Context, q store.Q, ws, subID int64, typ string, at int64, data any) error {
	if _, err := q.Webhook(ctx, ws, subID); err != nil {
		return err
	}
	body, err := json.Marshal(Body{Type: typ, Timestamp: time.UnixMilli(at).UTC().Format(time.RFC3339Nano), Data: data})
	if err != nil {
		return err
	}
	_, err = s.enqueue(ctx, q, ws, subID, typ, string(body))
	return err
}
