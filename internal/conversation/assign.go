package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atende/atende/internal/automation/assign"
	"github.com/atende/atende/internal/automation/hours"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/store"
)

// JobAssign is the job kind that runs automatic assignment (DESIGN M2):
// it drains a department queue, tells a waiting customer their place, or
// handles an agent's presence change.
//
// Every trigger writes one such job in the transaction of the change that
// caused it (a conversation entering a queue, an agent freeing a place,
// a presence change), so assignment survives a crash between the change
// and the decision, and ingestion pays one insert rather than the
// decision's locks. The jobs carry no de-duplication key: a key stays
// taken after its job is done, and a drain that finds nothing to do is
// cheap, whereas a trigger lost to a key would leave a conversation
// waiting beside a free agent.
const JobAssign = "conversation.assign"

// assignBatch bounds the conversations one transaction assigns; a drain
// with more to do continues in a further transaction. Kept small: on
// PostgreSQL each assignment updates the department's queued-count rows
// (migration 0002, sharded) that new conversations of the department also
// updates, so a long transaction would stall ingestion.
const assignBatch = 32

type assignJob struct {
	// DepartmentID: drain this department's queue, then tell
	// ConversationID (when still queued) its place.
	DepartmentID   int64 `json:"department_id,omitempty"`
	ConversationID int64 `json:"conversation_id,omitempty"`
	// UserID: the agent freed a place or changed presence (Presence): release
	// their conversations where the department says so, and drain every
	// automatic department they belong to.
	UserID   int64  `json:"user_id,omitempty"`
	Presence string `json:"presence,omitempty"`
}

// assignCache keeps each workspace's assignment settings for a few
// seconds: every conversation change asks, and most workspaces have none.
type assignCache struct {
	mu sync.Mutex
	ws map[int64]cachedAssign
}

type cachedAssign struct {
	depts map[int64]store.AssignmentSettings
	exp   time.Time
}

// assignSettings returns the stored assignment settings of a workspace's
// departments, by department; q answers a cache miss.
func (s *Service) assignSettings(ctx context.Context, q store.Q, ws int64) (map[int64]store.AssignmentSettings, error) {
	ac := &s.assigns
	ac.mu.Lock()
	c, ok := ac.ws[ws]
	ac.mu.Unlock()
	if ok && time.Now().Before(c.exp) {
		return c.depts, nil
	}
	list, err := q.WorkspaceAssignmentSettings(ctx, ws)
	if err != nil {
		return nil, err
	}
	depts := map[int64]store.AssignmentSettings{}
	for _, a := range list {
		if a.Mode != store.AssignOff || a.ReleaseOnOffline {
			depts[a.DepartmentID] = a
		}
	}
	ac.mu.Lock()
	if ac.ws == nil {
		ac.ws = map[int64]cachedAssign{}
	}
	ac.ws[ws] = cachedAssign{depts: depts, exp: time.Now().Add(5 * time.Second)}
	ac.mu.Unlock()
	return depts, nil
}

// ForgetAssignment drops a workspace's cached assignment settings after
// they changed, and drains the department whose setting changed (a switch
// from off hands out the queue that built up).
func (s *Service) ForgetAssignment(ctx context.Context, ws, dept int64) error {
	ac := &s.assigns
	ac.mu.Lock()
	delete(ac.ws, ws)
	ac.mu.Unlock()
	if err := s.enqueueAssign(ctx, s.db.W(), ws, assignJob{DepartmentID: dept}); err != nil {
		return err
	}
	if s.jobs != nil {
		s.jobs.Notify()
	}
	return nil
}

func (s *Service) enqueueAssign(ctx context.Context, q store.Q, ws int64, p assignJob) error {
	payload, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return q.EnqueueJob(ctx, store.Job{WorkspaceID: ws, Kind: JobAssign, Payload: string(payload)})
}

// assignHook writes the assignment jobs a conversation change calls for,
// in the change's transaction: a conversation that entered (or, when the
// customer wrote, waits in) the queue of an automatic department, and an
// agent whose open conversation left them. Workspaces without automatic
// departments pay one cached map lookup.
func (s *Service) assignHook(ctx context.Context, q store.Q, before, c store.Conversation, customerWrote bool, chg *change) error {
	depts, err := s.assignSettings(ctx, q, c.WorkspaceID)
	if err != nil || len(depts) == 0 {
		return err
	}
	if c.Status == store.StatusQueued && c.Dept() != 0 && (customerWrote || before.Status != store.StatusQueued || before.Dept() != c.Dept()) {
		if a, ok := depts[c.Dept()]; ok && a.Mode != store.AssignOff {
			if err := s.enqueueAssign(ctx, q, c.WorkspaceID, assignJob{DepartmentID: c.Dept(), ConversationID: c.ID}); err != nil {
				return err
			}
			chg.jobs = true
		}
	}
	if u := before.Assignee(); u != 0 && before.Status == store.StatusOpen && (c.Status != store.StatusOpen || c.Assignee() != u) {
		if err := s.enqueueAssign(ctx, q, c.WorkspaceID, assignJob{UserID: u}); err != nil {
			return err
		}
		chg.jobs = true
	}
	return nil
}

// SetPresence records an agent's presence and, where the workspace
// assigns automatically, queues what follows from it: coming online
// drains their departments' queues; going offline or away releases their
// open conversations where a department says so.
func (s *Service) SetPresence(ctx context.Context, ws, userID int64, presence string) error {
	jobs := false
	err := s.db.Tx(ctx, func(q store.Q) error {
		if err := q.SetPresence(ctx, ws, userID, presence); err != nil {
			return err
		}
		depts, err := s.assignSettings(ctx, q, ws)
		if err != nil || len(depts) == 0 {
			return err
		}
		jobs = true
		return s.enqueueAssign(ctx, q, ws, assignJob{UserID: userID, Presence: presence})
	})
	if err == nil && jobs && s.jobs != nil {
		s.jobs.Notify()
	}
	return err
}

// HandleAssign is the job handler of JobAssign.
func (s *Service) HandleAssign(ctx context.Context, j store.Job) error {
	var p assignJob
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return jobs.Permanent(err)
	}
	ws := j.WorkspaceID
	if p.DepartmentID != 0 {
		return s.Drain(ctx, ws, p.DepartmentID, p.ConversationID, 0)
	}
	if p.UserID == 0 {
		return nil
	}
	u, err := s.db.R().User(ctx, ws, p.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	depts, err := s.assignSettings(ctx, s.db.R(), ws)
	if err != nil {
		return err
	}
	for _, d := range u.DepartmentIDs {
		a, ok := depts[d]
		if !ok {
			continue
		}
		var release int64
		if a.ReleaseOnOffline && (p.Presence == store.PresenceOffline || p.Presence == store.PresenceAway) {
			release = u.ID
		}
		if a.Mode == store.AssignOff && release == 0 {
			continue
		}
		if err := s.Drain(ctx, ws, d, 0, release); err != nil {
			return err
		}
	}
	return nil
}

// Drain runs automatic assignment on a department: first, when release is
// an agent who is (still) offline or away, their open conversations of
// the department go back to its queue; then the queue is handed out,
// longest waiting first, while an online member has room; last, tell (a
// conversation id, 0 for none), if still waiting, is told its place in
// the queue when the department sends that message and the place differs
// from the one told before. Each batch is one transaction holding the
// department's assignment lock, so concurrent drains on any node never
// give an agent more than their limit.
func (s *Service) Drain(ctx context.Context, ws, dept, tell, release int64) error {
	for {
		var chgs []change
		more := false
		err := s.db.Tx(ctx, func(q store.Q) error {
			chgs, more = nil, false
			var err error
			chgs, more, err = s.drainTx(ctx, q, ws, dept, tell, release)
			return err
		})
		if errors.Is(err, store.ErrNotFound) {
			return nil // the department is gone
		}
		if err != nil {
			return err
		}
		for _, chg := range chgs {
			s.publish(ctx, chg)
		}
		if !more {
			return nil
		}
		tell, release = 0, 0
	}
}

func (s *Service) drainTx(ctx context.Context, q store.Q, ws, dept, tell, release int64) ([]change, bool, error) {
	set, err := q.AssignmentSettings(ctx, ws, dept)
	if err != nil {
		return nil, false, err
	}
	last, err := q.LockAssignment(ctx, dept)
	if err != nil {
		return nil, false, err
	}
	now := s.nowMS()
	var chgs []change
	if release != 0 && set.ReleaseOnOffline {
		u, err := q.User(ctx, ws, release)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, false, err
		}
		if err == nil && u.Presence != store.PresenceOnline {
			ids, err := q.OpenAssignedIn(ctx, ws, release, dept)
			if err != nil {
				return nil, false, err
			}
			for _, id := range ids {
				chg, err := s.systemStep(ctx, q, ws, id, now, func(c *store.Conversation) *store.Event {
					if c.Status != store.StatusOpen || c.Assignee() != release || c.Dept() != dept {
						return nil
					}
					c.AssigneeID, c.AssigneeReplied, c.Status = nil, false, store.StatusQueued
					return &store.Event{Type: "returned", From: store.StatusOpen, To: store.StatusQueued, Detail: "agent_" + u.Presence}
				})
				if err != nil {
					return nil, false, err
				}
				if chg != nil {
					chgs = append(chgs, *chg)
				}
			}
		}
	}
	more := false
	if set.Mode != store.AssignOff {
		members, err := q.AssignableMembers(ctx, ws, dept)
		if err != nil {
			return nil, false, err
		}
		agents := make([]assign.Agent, len(members))
		room := int64(0)
		for i, m := range members {
			agents[i] = assign.Agent{ID: m.UserID, Capacity: m.Capacity, Open: m.Open}
			if l := assign.Limit(m.Capacity, set.DepartmentLimit); l == 0 {
				room = assignBatch
			} else if m.Open < l {
				room += l - m.Open
			}
		}
		room = min(room, assignBatch)
		var ids []int64
		if room > 0 {
			if ids, err = q.QueuedConversations(ctx, ws, dept, int(room)); err != nil {
				return nil, false, err
			}
		}
		start := last
		assigned := 0
		for _, id := range ids {
			i := assign.Pick(set.Mode, agents, set.DepartmentLimit, last)
			if i < 0 {
				break
			}
			to := agents[i].ID
			chg, err := s.systemStep(ctx, q, ws, id, now, func(c *store.Conversation) *store.Event {
				if c.Status != store.StatusQueued || c.Dept() != dept || c.AssigneeID != nil {
					return nil
				}
				c.AssigneeID, c.AssigneeReplied, c.Status = &to, false, store.StatusOpen
				return &store.Event{Type: "assigned", From: store.StatusQueued, To: store.StatusOpen, Assignee: &to, Detail: set.Mode}
			})
			if err != nil {
				return nil, false, err
			}
			if chg == nil {
				continue
			}
			if err := q.SetQueueNotice(ctx, id, 0); err != nil {
				return nil, false, err
			}
			chgs = append(chgs, *chg)
			agents[i].Open++
			last = to
			assigned++
		}
		if last != start {
			if err := q.SetAssignmentLast(ctx, dept, last); err != nil {
				return nil, false, err
			}
		}
		more = len(ids) == assignBatch && assigned == assignBatch
	}
	if tell != 0 && set.Mode != store.AssignOff && set.QueueMessageEnabled && strings.TrimSpace(set.QueueMessage) != "" {
		chg, err := s.tellPosition(ctx, q, ws, dept, tell, set.QueueMessage, now)
		if err != nil {
			return nil, false, err
		}
		if chg != nil {
			chgs = append(chgs, *chg)
		}
	}
	return chgs, more, nil
}

// systemStep changes one conversation as the system inside q: fn edits
// it and returns the timeline event, or nil to leave it as it is.
func (s *Service) systemStep(ctx context.Context, q store.Q, ws, id, now int64, fn func(c *store.Conversation) *store.Event) (*change, error) {
	c, err := q.LockConversation(ctx, ws, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	before := c
	e := fn(&c)
	if e == nil {
		return nil, nil
	}
	c.UpdatedAt = now
	if err := q.SaveConversation(ctx, before, c); err != nil {
		return nil, err
	}
	m, err := q.InsertMessage(ctx, eventMessage(c, now, store.SenderSystem, 0, *e))
	if err != nil {
		return nil, err
	}
	chg := change{conv: c, prevDept: before.Dept(), prevUser: before.Assignee(), messages: []store.Message{m}}
	if err := s.outbox(ctx, q, &chg); err != nil {
		return nil, err
	}
	return &chg, nil
}

// tellPosition sends a waiting customer their place in the queue, unless
// it is the place they were told last.
func (s *Service) tellPosition(ctx context.Context, q store.Q, ws, dept, id int64, text string, now int64) (*change, error) {
	c, err := q.LockConversation(ctx, ws, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if c.Status != store.StatusQueued || c.Dept() != dept {
		return nil, nil
	}
	pos, err := q.QueuePosition(ctx, c)
	if err != nil {
		return nil, err
	}
	told, err := q.QueueNotice(ctx, id)
	if err != nil || told == pos {
		return nil, err
	}
	body := strings.TrimSpace(hours.Render(text, map[string]string{"position": strconv.FormatInt(pos, 10)}))
	m, err := q.InsertMessage(ctx, botMessage(c, body, now))
	if err != nil {
		return nil, err
	}
	if err := enqueueDelivery(ctx, q, m); err != nil {
		return nil, err
	}
	if err := q.SetQueueNotice(ctx, id, pos); err != nil {
		return nil, err
	}
	chg := change{conv: c, prevDept: c.Dept(), prevUser: c.Assignee(), messages: []store.Message{m}, jobs: true}
	if err := s.outbox(ctx, q, &chg); err != nil {
		return nil, err
	}
	return &chg, nil
}

// AssignmentMayResume queues a drain of an agent's departments after an
// admin changed what they can take (capacity, departments, active):
// conversations waiting in those queues may now be theirs.
func (s *Service) AssignmentMayResume(ctx context.Context, ws, userID int64) error {
	depts, err := s.assignSettings(ctx, s.db.R(), ws)
	if err != nil || len(depts) == 0 {
		return err
	}
	if err := s.enqueueAssign(ctx, s.db.W(), ws, assignJob{UserID: userID}); err != nil {
		return err
	}
	if s.jobs != nil {
		s.jobs.Notify()
	}
	return nil
}
