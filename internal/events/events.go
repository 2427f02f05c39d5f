// Package events carries changes (new messages, conversation updates,
// counters, presence, typing) from the node where they happen to every node
// that has a browser connected. In-process by default; NATS when several
// nodes serve one workspace.
package events

import (
	"context"
	"encoding/json"
)

// Event types pushed to clients.
const (
	ConversationCreated = "conversation.created"
	ConversationUpdated = "conversation.updated"
	MessageCreated      = "message.created"
	MessageUpdated      = "message.updated"
	CountersChanged     = "counters.changed"
	PresenceUpdated     = "presence.updated"
	Typing              = "typing"
	// WidgetBound tells every node that a widget visitor's session now has
	// a contact (after their first message); browsers of agents never get it.
	WidgetBound = "widget.bound"
	// WidgetRead tells a widget visitor that the team read their
	// conversation up to data.up_to (Unix ms).
	WidgetRead = "widget.read"
)

// Event is one change. The routing fields (WorkspaceID, DepartmentID,
// AssigneeID, ConversationID) let subscribers decide who may receive it
// without decoding Data. DepartmentID and AssigneeID are 0 when unset;
// an event with ConversationID 0 concerns the whole workspace (presence,
// counters) and is visible to every user of the workspace.
type Event struct {
	Type           string `json:"type"`
	WorkspaceID    int64  `json:"workspace_id"`
	ConversationID int64  `json:"conversation_id,omitempty"`
	DepartmentID   int64  `json:"department_id,omitempty"`
	AssigneeID     int64  `json:"assignee_id,omitempty"`
	// PrevDepartmentID and PrevAssigneeID are set on updates that moved the
	// conversation, so that users who just lost sight of it learn it left.
	PrevDepartmentID int64 `json:"prev_department_id,omitempty"`
	PrevAssigneeID   int64 `json:"prev_assignee_id,omitempty"`
	// ContactID and ChannelID route conversation events to the customer's
	// own live connections (the website widget's visitor).
	ContactID int64           `json:"contact_id,omitempty"`
	ChannelID int64           `json:"channel_id,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	// At is the Unix time in milliseconds when the event was published.
	At int64 `json:"at"`
}

// Bus publishes events and delivers them to subscribers on every node.
type Bus interface {
	// Publish hands the event to every subscriber, on this node and others.
	// It must not block on slow subscribers.
	Publish(ctx context.Context, e Event) error
	// Subscribe registers fn for every event of every workspace; fn runs on
	// the bus's goroutine and must not block. The returned func unsubscribes.
	Subscribe(fn func(Event)) (unsubscribe func())
	Close() error
}
