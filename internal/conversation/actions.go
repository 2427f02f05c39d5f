package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/store"
)

// step is the body of one action: it changes c and returns the timeline
// events to append. It runs inside the transaction with c locked.
type step func(q store.Q, c *store.Conversation, now int64) ([]store.Message, error)

// act runs one action on a conversation the viewer may see.
func (s *Service) act(ctx context.Context, v access.Viewer, id int64, fn step) (store.Conversation, error) {
	var chg change
	err := s.db.Tx(ctx, func(q store.Q) error {
		c, err := q.LockVisibleConversation(ctx, v, id)
		if err != nil {
			return err
		}
		chg.prevDept, chg.prevUser = c.Dept(), c.Assignee()
		before := c
		now := s.nowMS()
		msgs, err := fn(q, &c, now)
		if err != nil {
			return err
		}
		c.UpdatedAt = now
		if err := q.SaveConversation(ctx, before, c); err != nil {
			return err
		}
		if err := s.assignHook(ctx, q, before, c, false, &chg); err != nil {
			return err
		}
		for _, m := range msgs {
			saved, err := q.InsertMessage(ctx, m)
			if err != nil {
				return err
			}
			// an automatic message a step sends (closing, rating request)
			if saved.Direction == store.DirOut && saved.Status == store.DeliveryPending {
				if err := enqueueDelivery(ctx, q, saved); err != nil {
					return err
				}
				chg.jobs = true
			}
			chg.messages = append(chg.messages, saved)
		}
		chg.conv = c
		return s.outbox(ctx, q, &chg)
	})
	if err != nil {
		return store.Conversation{}, err
	}
	s.publish(ctx, chg)
	return chg.conv, nil
}

// Assign gives the conversation to assigneeID (the viewer themself for
// "assign to me"). The assignee must be an active member of the
// conversation's department. An agent cannot take a conversation that is
// already someone else's; supervisors and admins can.
func (s *Service) Assign(ctx context.Context, v access.Viewer, id, assigneeID int64) (store.Conversation, error) {
	return s.act(ctx, v, id, func(q store.Q, c *store.Conversation, now int64) ([]store.Message, error) {
		if c.Status == store.StatusResolved {
			return nil, transition("assign", c.Status)
		}
		if cur := c.Assignee(); cur != 0 && cur != v.UserID && v.Role == access.RoleAgent {
			return nil, forbidden("the conversation is assigned to another agent")
		}
		if err := s.checkAssignee(ctx, q, v, c.Dept(), assigneeID); err != nil {
			return nil, err
		}
		from := c.Status
		prev := c.AssigneeID
		c.AssigneeID = &assigneeID
		if c.Status != store.StatusSnoozed {
			c.Status = store.StatusOpen
		}
		if prev == nil || *prev != assigneeID {
			c.AssigneeReplied = false
		}
		return []store.Message{eventMessage(*c, now, store.SenderUser, v.UserID, store.Event{Type: "assigned", From: from, To: c.Status, Assignee: &assigneeID})}, nil
	})
}

func (s *Service) checkAssignee(ctx context.Context, q store.Q, v access.Viewer, dept, assigneeID int64) error {
	u, err := q.User(ctx, v.WorkspaceID, assigneeID)
	if errors.Is(err, store.ErrNotFound) {
		return invalid("assignee %d is not a user of this workspace", assigneeID)
	} else if err != nil {
		return err
	}
	if !u.Active {
		return invalid("assignee %d is deactivated", assigneeID)
	}
	if dept == 0 {
		return nil
	}
	ok, err := q.IsMember(ctx, v.WorkspaceID, assigneeID, dept)
	if err != nil {
		return err
	}
	if !ok {
		return invalid("assignee %d is not a member of department %d", assigneeID, dept)
	}
	return nil
}

// Transfer moves the conversation to another department, into its queue or
// straight to assigneeID (0 for the queue), without the customer noticing.
func (s *Service) Transfer(ctx context.Context, v access.Viewer, id, departmentID, assigneeID int64) (store.Conversation, error) {
	return s.act(ctx, v, id, func(q store.Q, c *store.Conversation, now int64) ([]store.Message, error) {
		if c.Status == store.StatusResolved {
			return nil, transition("transfer", c.Status)
		}
		if _, err := q.Department(ctx, v.WorkspaceID, departmentID); errors.Is(err, store.ErrNotFound) {
			return nil, invalid("department %d does not exist", departmentID)
		} else if err != nil {
			return nil, err
		}
		if cur := c.Assignee(); cur != 0 && cur != v.UserID && v.Role == access.RoleAgent {
			return nil, forbidden("the conversation is assigned to another agent")
		}
		from := c.Status
		c.DepartmentID = &departmentID
		// a person moved it: the bot of the department it leaves stops
		if err := q.EndBotSession(ctx, c.ID); err != nil {
			return nil, err
		}
		if assigneeID != 0 {
			if err := s.checkAssignee(ctx, q, v, departmentID, assigneeID); err != nil {
				return nil, err
			}
			if c.Assignee() != assigneeID {
				c.AssigneeReplied = false
			}
			c.AssigneeID = &assigneeID
			c.Status = store.StatusOpen
		} else {
			c.AssigneeID = nil
			c.AssigneeReplied = false
			c.Status = store.StatusQueued
		}
		e := store.Event{Type: "transferred", From: from, To: c.Status, Department: &departmentID}
		if assigneeID != 0 {
			e.Assignee = &assigneeID
		}
		return []store.Message{eventMessage(*c, now, store.SenderUser, v.UserID, e)}, nil
	})
}

// ReturnToQueue takes an open conversation from its agent back to the department queue.
func (s *Service) ReturnToQueue(ctx context.Context, v access.Viewer, id int64) (store.Conversation, error) {
	return s.act(ctx, v, id, func(q store.Q, c *store.Conversation, now int64) ([]store.Message, error) {
		if c.Status != store.StatusOpen {
			return nil, transition("return to queue", c.Status)
		}
		if c.Assignee() != v.UserID && v.Role == access.RoleAgent {
			return nil, forbidden("only the assignee, a supervisor or an admin can return this conversation")
		}
		from := c.Status
		c.AssigneeID = nil
		c.AssigneeReplied = false
		c.Status = store.StatusQueued
		return []store.Message{eventMessage(*c, now, store.SenderUser, v.UserID, store.Event{Type: "returned", From: from, To: c.Status})}, nil
	})
}

// Snooze hides the conversation until a time; a job wakes it then, and a
// customer message wakes it earlier.
func (s *Service) Snooze(ctx context.Context, v access.Viewer, id int64, until time.Time) (store.Conversation, error) {
	u := until.UnixMilli()
	if !until.After(s.now()) {
		return store.Conversation{}, invalid("snooze time must be in the future")
	}
	if until.After(s.now().AddDate(1, 0, 0)) {
		return store.Conversation{}, invalid("snooze time must be within a year")
	}
	return s.act(ctx, v, id, func(q store.Q, c *store.Conversation, now int64) ([]store.Message, error) {
		if c.Status == store.StatusResolved {
			return nil, transition("snooze", c.Status)
		}
		if c.Assignee() != 0 && c.Assignee() != v.UserID && v.Role == access.RoleAgent {
			return nil, forbidden("the conversation is assigned to another agent")
		}
		from := c.Status
		c.Status = store.StatusSnoozed
		c.SnoozedUntil = &u
		payload, _ := json.Marshal(wakeJob{ConversationID: c.ID, Until: u})
		if err := q.EnqueueJob(ctx, store.Job{WorkspaceID: c.WorkspaceID, Kind: JobWake, Key: wakeKey(c.ID, u),
			Payload: string(payload), RunAt: u}); err != nil {
			return nil, err
		}
		return []store.Message{eventMessage(*c, now, store.SenderUser, v.UserID, store.Event{Type: "snoozed", From: from, To: c.Status, Until: &u})}, nil
	})
}

// Unsnooze wakes a snoozed conversation now, by hand.
func (s *Service) Unsnooze(ctx context.Context, v access.Viewer, id int64) (store.Conversation, error) {
	return s.act(ctx, v, id, func(q store.Q, c *store.Conversation, now int64) ([]store.Message, error) {
		if c.Status != store.StatusSnoozed {
			return nil, transition("unsnooze", c.Status)
		}
		m := s.wake(c, now, "unsnoozed")
		m.SenderType, m.SenderID, m.Event.ActorType, m.Event.ActorID = store.SenderUser, &v.UserID, store.SenderUser, v.UserID
		return []store.Message{m}, nil
	})
}

// wakeJob is the payload of a JobWake job.
type wakeJob struct {
	ConversationID int64 `json:"conversation_id"`
	Until          int64 `json:"until"`
}

// HandleWake is the job handler of JobWake.
func (s *Service) HandleWake(ctx context.Context, j store.Job) error {
	var p wakeJob
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return jobs.Permanent(err)
	}
	return s.WakeDue(ctx, j.WorkspaceID, p.ConversationID, p.Until)
}

// WakeDue wakes a snoozed conversation whose snooze time (until) has come.
// It does nothing when the conversation was woken or re-snoozed meanwhile,
// so a wake job delivered twice is harmless.
func (s *Service) WakeDue(ctx context.Context, ws, id, until int64) error {
	system := access.Viewer{WorkspaceID: ws, Role: access.RoleAdmin}
	_, err := s.act(ctx, system, id, func(q store.Q, c *store.Conversation, now int64) ([]store.Message, error) {
		if c.Status != store.StatusSnoozed || c.SnoozedUntil == nil || *c.SnoozedUntil != until {
			return nil, errNothing
		}
		return []store.Message{s.wake(c, now, "timer")}, nil
	})
	if errors.Is(err, errNothing) || errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

var errNothing = errors.New("nothing to do")

// Resolve finishes the conversation with an optional (or, per workspace
// setting, required) closing reason, and re-activates automation for the
// next cycle.
func (s *Service) Resolve(ctx context.Context, v access.Viewer, id, reasonID int64) (store.Conversation, error) {
	w, err := s.Workspace(ctx, v.WorkspaceID)
	if err != nil {
		return store.Conversation{}, err
	}
	if reasonID == 0 && w.ClosingReasonRequired {
		return store.Conversation{}, invalid("a closing reason is required")
	}
	return s.act(ctx, v, id, func(q store.Q, c *store.Conversation, now int64) ([]store.Message, error) {
		if c.Status == store.StatusResolved {
			return nil, transition("resolve", c.Status)
		}
		if c.Assignee() != 0 && c.Assignee() != v.UserID && v.Role == access.RoleAgent {
			return nil, forbidden("the conversation is assigned to another agent")
		}
		var reason *int64
		if reasonID != 0 {
			r, err := q.ClosingReason(ctx, v.WorkspaceID, reasonID)
			if errors.Is(err, store.ErrNotFound) || (err == nil && !r.Active) {
				return nil, invalid("closing reason %d does not exist or is inactive", reasonID)
			} else if err != nil {
				return nil, err
			}
			reason = &reasonID
		}
		from := c.Status
		c.Status = store.StatusResolved
		c.ResolvedAt = &now
		c.ClosingReasonID = reason
		c.SnoozedUntil = nil
		c.WaitingSince = store.NotWaiting
		c.AutomationPaused, c.AssigneeReplied = false, false
		if err := q.EndBotSession(ctx, c.ID); err != nil {
			return nil, err
		}
		auto, err := closingMessages(ctx, q, *c, now)
		if err != nil {
			return nil, err
		}
		return append([]store.Message{eventMessage(*c, now, store.SenderUser, v.UserID, store.Event{Type: "resolved", From: from, To: c.Status, Reason: reason})}, auto...), nil
	})
}

// Reopen starts a resolved conversation again by hand. It fails with
// store.ErrConflict when the contact already has another unresolved
// conversation on the channel.
func (s *Service) Reopen(ctx context.Context, v access.Viewer, id int64) (store.Conversation, error) {
	return s.act(ctx, v, id, func(q store.Q, c *store.Conversation, now int64) ([]store.Message, error) {
		if c.Status != store.StatusResolved {
			return nil, transition("reopen", c.Status)
		}
		return []store.Message{s.reopen(c, now, store.SenderUser, v.UserID)}, nil
	})
}

// Priorities a conversation can have.
var Priorities = []string{"none", "low", "medium", "high", "urgent"}

// SetPriority changes the conversation's priority.
func (s *Service) SetPriority(ctx context.Context, v access.Viewer, id int64, priority string) (store.Conversation, error) {
	valid := false
	for _, p := range Priorities {
		valid = valid || p == priority
	}
	if !valid {
		return store.Conversation{}, invalid("priority must be one of %s", strings.Join(Priorities, ", "))
	}
	return s.act(ctx, v, id, func(q store.Q, c *store.Conversation, now int64) ([]store.Message, error) {
		if c.Priority == priority {
			return nil, nil
		}
		from := c.Priority
		c.Priority = priority
		return []store.Message{eventMessage(*c, now, store.SenderUser, v.UserID, store.Event{Type: "priority_changed", From: from, To: priority})}, nil
	})
}

// SetLabel adds (on) or removes a label on the conversation.
func (s *Service) SetLabel(ctx context.Context, v access.Viewer, id, labelID int64, on bool) (store.Conversation, error) {
	return s.act(ctx, v, id, func(q store.Q, c *store.Conversation, now int64) ([]store.Message, error) {
		changed, err := q.SetConversationLabel(ctx, v.WorkspaceID, c.ID, labelID, on)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("label %d: %w", labelID, store.ErrNotFound)
		} else if err != nil || !changed {
			return nil, err
		}
		typ := "label_added"
		if !on {
			typ = "label_removed"
		}
		return []store.Message{eventMessage(*c, now, store.SenderUser, v.UserID, store.Event{Type: typ, Detail: strconv.FormatInt(labelID, 10)})}, nil
	})
}

// SetStar stars (on) or unstars the conversation for the viewer alone.
func (s *Service) SetStar(ctx context.Context, v access.Viewer, id int64, on bool) error {
	return s.db.Tx(ctx, func(q store.Q) error {
		if _, err := q.LockVisibleConversation(ctx, v, id); err != nil {
			return err
		}
		return q.SetStar(ctx, v.UserID, id, on)
	})
}

// MarkRead marks the conversation read now for the viewer alone (the
// unread dot; see store.IsUnread).
func (s *Service) MarkRead(ctx context.Context, v access.Viewer, id int64) error {
	now := s.nowMS()
	if err := s.db.W().MarkRead(ctx, v, id, now); err != nil {
		return err
	}
	if s.bus != nil {
		if c, err := s.db.R().Conversation(ctx, v, id); err == nil {
			s.publishTeamRead(ctx, c, max(now, c.LastMessageAt))
		}
	}
	return nil
}

// publishTeamRead tells the customer's own live connections (the website
// widget) that the team read their conversation up to at.
func (s *Service) publishTeamRead(ctx context.Context, c store.Conversation, at int64) {
	_ = s.bus.Publish(context.WithoutCancel(ctx), events.Event{Type: events.WidgetRead, WorkspaceID: c.WorkspaceID, ConversationID: c.ID,
		ContactID: c.ContactID, ChannelID: c.ChannelID, Data: []byte(`{"up_to":` + strconv.FormatInt(at, 10) + `}`)})
}

func transition(action, status string) error {
	return fmt.Errorf("%w: cannot %s a conversation that is %s", ErrTransition, action, status)
}

func forbidden(msg string) error { return fmt.Errorf("%w: %s", ErrForbidden, msg) }
