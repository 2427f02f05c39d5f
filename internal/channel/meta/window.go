package meta

import (
	"fmt"
	"time"
)

// Meta's messaging windows, counted from the customer's last message.
const (
	// StandardWindow is when any reply (messaging_type RESPONSE) is allowed.
	StandardWindow = 24 * time.Hour
	// HumanAgentWindow is when a person may still answer with the
	// HUMAN_AGENT tag; automated messages may not use it.
	HumanAgentWindow = 7 * 24 * time.Hour
)

// WindowState says, at now, whether a reply to a customer whose last message
// arrived at lastInbound is inside the 24-hour standard window and inside the
// 7-day human-agent window. A zero lastInbound (the customer never wrote)
// is outside both: Meta only lets the customer open a conversation.
func WindowState(lastInbound, now time.Time) (standard, humanAgent bool) {
	if lastInbound.IsZero() {
		return false, false
	}
	age := now.Sub(lastInbound)
	return age < StandardWindow, age < HumanAgentWindow
}

// HumanAgentTag picks how an agent's reply must be sent: false inside the
// standard window, true inside the human-agent window only, and
// ErrWindowClosed past both, so the composer can refuse before queueing.
func HumanAgentTag(lastInbound, now time.Time) (bool, error) {
	standard, human := WindowState(lastInbound, now)
	switch {
	case standard:
		return false, nil
	case human:
		return true, nil
	}
	return false, fmt.Errorf("%w: the customer last wrote more than 7 days ago; they must write again first", ErrWindowClosed)
}
