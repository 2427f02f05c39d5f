package widget

import (
	"context"
	"encoding/json"

	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/store"
)

// StatusSetter records delivery outcomes (the conversation service).
type StatusSetter interface {
	SetDelivery(ctx context.Context, ws, messageID int64, status, errText string) error
}

// Deliverer is the delivery handler of widget channels. There is no
// provider to call: a reply is "sent" once committed, the visitor's open
// widget receives it over its socket (delivered) or reads it on its next
// visit, and marks it read.
type Deliverer struct {
	Status StatusSetter
}

// Handle marks the reply sent.
func (d Deliverer) Handle(ctx context.Context, j store.Job) error {
	var p struct {
		MessageID int64 `json:"message_id"`
	}
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil || p.MessageID <= 0 {
		return jobs.Permanent(err)
	}
	return d.Status.SetDelivery(ctx, j.WorkspaceID, p.MessageID, store.DeliverySent, "")
}
