package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/store"
)

// HandleBotEvent is the job handler of conversation.JobBotEvent: it posts
// one event to an agent bot's URL, signed with the bot's secret the way
// subscriptions are (Standard Webhooks), through the same SSRF guard. A
// 2xx delivers; anything else is retried with the queue's backoff (no
// sooner than a Retry-After). A bot deleted or disabled meanwhile drops it.
func (s *Service) HandleBotEvent(ctx context.Context, j store.Job) error {
	var p conversation.BotEventJob
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return jobs.Permanent(err)
	}
	b, err := s.db.R().Bot(ctx, j.WorkspaceID, p.BotID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if !b.Enabled || b.Kind != store.BotAgent {
		return nil
	}
	secret, err := s.box.Open(b.Secret)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("agent bot %d: the signing secret cannot be opened: %w", b.ID, err))
	}
	code, _, retryAfter, err := s.post(ctx, b.URL, secret, p.EventID, []byte(p.Body))
	switch {
	case errors.Is(err, ErrBlocked):
		return jobs.Permanent(err)
	case err != nil:
		return err
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusGone:
		s.log.Warn("agent bot answered 410 Gone; the event is dropped", "bot", b.ID)
		return nil
	}
	e := fmt.Errorf("agent bot %d answered %d", b.ID, code)
	if retryAfter > 0 {
		return jobs.RetryAfter(e, retryAfter)
	}
	return e
}
