package conversation_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/store"
)

// queueDept is a department of its own agents and a channel routed to it.
type queueDept struct {
	id     int64
	agents []store.User
	ch     store.Channel
	e      *env
}

var deptSeq struct {
	sync.Mutex
	n int
}

// newQueueDept creates a department whose agents (one per capacity, in
// id order) are online, with a channel whose conversations land in it.
func (e *env) newQueueDept(set store.AssignmentSettings, capacities ...int64) *queueDept {
	e.t.Helper()
	deptSeq.Lock()
	deptSeq.n++
	n := deptSeq.n
	deptSeq.Unlock()
	q := e.db.W()
	ws := e.f.WS.ID
	d, err := q.CreateDepartment(e.ctx, ws, fmt.Sprintf("Fila %d", n), false)
	ok(e.t, err, "department")
	qd := &queueDept{id: d.ID, e: e}
	for i, c := range capacities {
		u, err := q.CreateUser(e.ctx, store.User{WorkspaceID: ws, Email: fmt.Sprintf("fila%d-%d-%d@example.com", n, i, ws), Name: fmt.Sprintf("Agente %d", i),
			Role: access.RoleAgent, Scope: access.ScopeDepartment, Capacity: c, DepartmentIDs: []int64{d.ID}})
		ok(e.t, err, "agent")
		ok(e.t, e.svc.SetPresence(e.ctx, ws, u.ID, store.PresenceOnline), "online")
		qd.agents = append(qd.agents, u)
	}
	qd.ch, err = q.CreateChannel(e.ctx, store.Channel{WorkspaceID: ws, Kind: "api", Name: d.Name, DepartmentID: &d.ID}, fmt.Sprintf("hash-fila-%d-%d", n, ws))
	ok(e.t, err, "channel")
	set.WorkspaceID, set.DepartmentID = ws, d.ID
	if set.Mode == "" {
		set.Mode = store.AssignOff
	}
	ok(e.t, q.SetAssignmentSettings(e.ctx, set), "settings")
	ok(e.t, e.svc.ForgetAssignment(e.ctx, ws, d.ID), "forget settings")
	return qd
}

// write is a customer message on the department's channel.
func (qd *queueDept) write(contact, text string) store.Conversation {
	qd.e.t.Helper()
	res, err := qd.e.svc.Receive(qd.e.ctx, qd.ch, conversation.Inbound{ContactExternalID: contact, Text: text})
	ok(qd.e.t, err, "Receive")
	return res.Conversation
}

// runJobs runs the assignment jobs due, as workers would, until none is
// left; other jobs (deliveries) are completed unrun.
func (e *env) runJobs() {
	e.t.Helper()
	for {
		jobs, err := e.db.W().ClaimJobs(e.ctx, max(e.clock.MS(), store.Now())+1000, 100, 60_000)
		ok(e.t, err, "ClaimJobs")
		if len(jobs) == 0 {
			return
		}
		for _, j := range jobs {
			if j.Kind == conversation.JobAssign {
				ok(e.t, e.svc.HandleAssign(e.ctx, j), "HandleAssign")
			}
			ok(e.t, e.db.W().CompleteJob(e.ctx, j.ID), "CompleteJob")
		}
	}
}

// openLoad counts each user's open conversations.
func (e *env) openLoad() map[int64]int64 {
	e.t.Helper()
	rows, err := e.db.R().ConversationCounts(e.ctx, e.f.WS.ID)
	ok(e.t, err, "counts")
	out := map[int64]int64{}
	for _, r := range rows {
		if r.Status == store.StatusOpen {
			out[r.AssigneeID] += r.N
		}
	}
	return out
}

// botTexts are the automatic messages sent to a conversation's customer.
func (e *env) botTexts(id int64) []string {
	var out []string
	for _, m := range e.timeline(id) {
		if m.SenderType == store.SenderBot && m.Direction == store.DirOut {
			out = append(out, m.Content)
		}
	}
	return out
}

// TestAutoAssignThousand is the fairness test: 1,000 conversations
// and more into a department of five online agents with capacities. No
// agent ends above capacity; round-robin keeps the agents with room within
// one of each other at every step; least-busy always gives to an agent
// with the fewest open conversations, starting from uneven loads; the
// customers left over are told their places 1, 2, 3….
func TestAutoAssignThousand(t *testing.T) {
	caps := []int64{300, 300, 200, 100, 100}
	each(t, func(t *testing.T, e *env) {
		for _, mode := range []string{store.AssignRoundRobin, store.AssignLeastBusy} {
			qd := e.newQueueDept(store.AssignmentSettings{Mode: store.AssignOff, QueueMessageEnabled: true, QueueMessage: "Você é o {{position}}º da fila"}, caps...)
			load := map[int64]int64{}
			if mode == store.AssignLeastBusy {
				// uneven starting loads, given by hand while the department pulls
				for i, n := range []int{50, 0, 20, 0, 10} {
					for k := 0; k < n; k++ {
						c := qd.write(fmt.Sprintf("pre-%d-%d", i, k), "oi")
						_, err := e.svc.Assign(e.ctx, e.f.AdminV(), c.ID, qd.agents[i].ID)
						ok(t, err, "manual assign")
						load[qd.agents[i].ID]++
					}
				}
				e.runJobs()
			}
			ok(t, e.db.W().SetAssignmentSettings(e.ctx, store.AssignmentSettings{WorkspaceID: e.f.WS.ID, DepartmentID: qd.id, Mode: mode,
				QueueMessageEnabled: true, QueueMessage: "Você é o {{position}}º da fila"}), "mode on")
			ok(t, e.svc.ForgetAssignment(e.ctx, e.f.WS.ID, qd.id), "forget")
			const extra = 30
			var convs []store.Conversation
			for i := 0; i < 1000+extra; i++ {
				convs = append(convs, qd.write(fmt.Sprintf("%s-%d", mode, i), "preciso de ajuda"))
			}
			e.runJobs()

			capOf := map[int64]int64{}
			for i, a := range qd.agents {
				capOf[a.ID] = caps[i]
			}
			room := func(id int64) bool { return load[id] < capOf[id] }
			var left []store.Conversation
			for step, c := range convs {
				c = e.conv(c.ID)
				if c.Status == store.StatusQueued {
					left = append(left, c)
					continue
				}
				if c.Status != store.StatusOpen || c.AssigneeID == nil {
					t.Fatalf("%s: conversation %d is %s", mode, c.ID, c.Status)
				}
				if len(left) > 0 {
					t.Fatalf("%s: conversation %d assigned after %d was left waiting", mode, c.ID, left[0].ID)
				}
				to := *c.AssigneeID
				if !room(to) {
					t.Fatalf("%s step %d: agent %d given a conversation at %d of %d", mode, step, to, load[to], capOf[to])
				}
				lo, hi := int64(1<<62), int64(0)
				for _, a := range qd.agents {
					if room(a.ID) {
						lo, hi = min(lo, load[a.ID]), max(hi, load[a.ID])
					}
				}
				if load[to] != lo {
					t.Fatalf("%s step %d: agent %d had %d open while another with room had %d", mode, step, to, load[to], lo)
				}
				if mode == store.AssignRoundRobin && hi-lo > 1 {
					t.Fatalf("round robin step %d: agents with room hold %d..%d", step, lo, hi)
				}
				load[to]++
				ev := e.lastEvent(c.ID)
				if ev.Type != "assigned" || ev.ActorType != store.SenderSystem || ev.Detail != mode || ev.Assignee == nil || *ev.Assignee != to {
					t.Fatalf("%s: assignment event %+v", mode, ev)
				}
			}
			got := e.openLoad()
			for i, a := range qd.agents {
				if got[a.ID] != caps[i] {
					t.Errorf("%s: agent %d holds %d open, want its capacity %d", mode, i, got[a.ID], caps[i])
				}
			}
			wantLeft := extra
			if mode == store.AssignLeastBusy {
				wantLeft += 80 // the hand-given ones took places too
			}
			if len(left) != wantLeft {
				t.Fatalf("%s: %d left waiting, want %d", mode, len(left), wantLeft)
			}
			for i, c := range left {
				want := fmt.Sprintf("Você é o %dº da fila", i+1)
				if got := e.botTexts(c.ID); len(got) != 1 || got[0] != want {
					t.Fatalf("%s: waiting conversation %d was told %q, want %q", mode, i, got, want)
				}
			}
		}
	})
}

// TestQueuePositionsUpdate: positions are told in waiting order; when one
// conversation is assigned, a customer who writes again hears their new
// place, and writing again without a change says nothing more.
func TestQueuePositionsUpdate(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		qd := e.newQueueDept(store.AssignmentSettings{Mode: store.AssignRoundRobin, QueueMessageEnabled: true, QueueMessage: "Posição: {{position}}"}, 1)
		var cs []store.Conversation
		for i := 0; i < 4; i++ {
			cs = append(cs, qd.write(fmt.Sprintf("c%d", i), "oi"))
			e.clock.Add(time.Second)
		}
		e.runJobs()
		if c := e.conv(cs[0].ID); c.Assignee() != qd.agents[0].ID {
			t.Fatalf("first conversation not assigned: %+v", c)
		}
		for i, want := range [][]string{nil, {"Posição: 1"}, {"Posição: 2"}, {"Posição: 3"}} {
			if got := e.botTexts(cs[i].ID); strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("conversation %d told %q, want %q", i, got, want)
			}
		}
		// the agent resolves: the next in line is assigned at once
		agentV := qd.agents[0].Viewer()
		_, err := e.svc.Resolve(e.ctx, agentV, cs[0].ID, 0)
		ok(t, err, "resolve")
		e.runJobs()
		if c := e.conv(cs[1].ID); c.Status != store.StatusOpen || c.Assignee() != qd.agents[0].ID {
			t.Fatalf("second conversation after the first was resolved: %s %v", c.Status, c.AssigneeID)
		}
		qd.write("c3", "ainda esperando")
		qd.write("c2", "alô?")
		qd.write("c3", "???")
		e.runJobs()
		if got := e.botTexts(cs[2].ID); strings.Join(got, "|") != "Posição: 2|Posição: 1" {
			t.Errorf("third conversation told %q", got)
		}
		if got := e.botTexts(cs[3].ID); strings.Join(got, "|") != "Posição: 3|Posição: 2" {
			t.Errorf("fourth conversation told %q (once per change of place)", got)
		}
	})
}

// TestAgentGoingOffline: with release_on_offline the agent's open
// conversations return to the queue (by the system) and go to a colleague
// with room; without it they stay; coming back online takes from the queue.
func TestAgentGoingOffline(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for _, release := range []bool{true, false} {
			qd := e.newQueueDept(store.AssignmentSettings{Mode: store.AssignRoundRobin, ReleaseOnOffline: release}, 2, 1)
			x, y := qd.agents[0], qd.agents[1]
			ok(t, e.svc.SetPresence(e.ctx, e.f.WS.ID, y.ID, store.PresenceOffline), "y offline")
			e.runJobs()
			a := qd.write(fmt.Sprintf("a%v", release), "oi")
			b := qd.write(fmt.Sprintf("b%v", release), "oi")
			e.runJobs()
			if e.conv(a.ID).Assignee() != x.ID || e.conv(b.ID).Assignee() != x.ID {
				t.Fatalf("release=%v: both should go to the only online agent %d: %+v %+v", release, x.ID, e.conv(a.ID), e.conv(b.ID))
			}
			ok(t, e.svc.SetPresence(e.ctx, e.f.WS.ID, y.ID, store.PresenceOnline), "y online")
			ok(t, e.svc.SetPresence(e.ctx, e.f.WS.ID, x.ID, store.PresenceAway), "x away")
			e.runJobs()
			ca, cb := e.conv(a.ID), e.conv(b.ID)
			if !release {
				if ca.Assignee() != x.ID || cb.Assignee() != x.ID {
					t.Fatalf("without release x keeps both: %v %v", ca.AssigneeID, cb.AssigneeID)
				}
				continue
			}
			// y has room for one: the longest waiting; the other waits
			if ca.Assignee() != y.ID || cb.Status != store.StatusQueued || cb.AssigneeID != nil {
				t.Fatalf("after release: a=%s %v b=%s %v", ca.Status, ca.AssigneeID, cb.Status, cb.AssigneeID)
			}
			returned := 0
			for _, m := range e.timeline(b.ID) {
				if m.Event != nil && m.Event.Type == "returned" && m.Event.ActorType == store.SenderSystem {
					returned++
				}
			}
			if returned != 1 {
				t.Errorf("b has %d system returns", returned)
			}
			ok(t, e.svc.SetPresence(e.ctx, e.f.WS.ID, x.ID, store.PresenceOnline), "x back")
			e.runJobs()
			if c := e.conv(b.ID); c.Assignee() != x.ID {
				t.Errorf("x back online takes the waiting one: %s %v", c.Status, c.AssigneeID)
			}
		}
	})
}

// TestConcurrentDrainsKeepCapacity: several drains at once, in two
// departments sharing an agent, never give anyone more than their limit.
func TestConcurrentDrainsKeepCapacity(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		d1 := e.newQueueDept(store.AssignmentSettings{Mode: store.AssignOff}, 5, 5, 5)
		d2 := e.newQueueDept(store.AssignmentSettings{Mode: store.AssignOff}, 5)
		shared := d1.agents[0]
		ok(t, e.db.W().SetUserDepartments(e.ctx, e.f.WS.ID, shared.ID, []int64{d1.id, d2.id}), "share agent")
		for i := 0; i < 40; i++ {
			d1.write(fmt.Sprintf("x%d", i), "oi")
			d2.write(fmt.Sprintf("y%d", i), "oi")
		}
		e.runJobs()
		for _, d := range []*queueDept{d1, d2} {
			ok(t, e.db.W().SetAssignmentSettings(e.ctx, store.AssignmentSettings{WorkspaceID: e.f.WS.ID, DepartmentID: d.id, Mode: store.AssignLeastBusy, DepartmentLimit: 4}), "mode")
		}
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := d1
				if g%2 == 1 {
					d = d2
				}
				errs <- e.svc.Drain(e.ctx, e.f.WS.ID, d.id, 0, 0)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			ok(t, err, "Drain")
		}
		load := e.openLoad()
		total := int64(0)
		for id, n := range load {
			if n > 4 {
				t.Errorf("agent %d holds %d open, above the department limit 4", id, n)
			}
			total += n
		}
		if total != 16 {
			t.Errorf("%d assigned, want 16 (four agents, four each)", total)
		}
	})
}
