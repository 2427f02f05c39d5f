package conversation_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

// clock is a settable time source for the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *clock) MS() int64 { return c.Now().UnixMilli() }

// recorder keeps every event published on the bus.
type recorder struct {
	mu  sync.Mutex
	evs []events.Event
}

func (r *recorder) add(e events.Event) {
	r.mu.Lock()
	r.evs = append(r.evs, e)
	r.mu.Unlock()
}

// take returns and forgets the recorded events other than counters.
func (r *recorder) take() []events.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []events.Event
	for _, e := range r.evs {
		if e.Type != events.CountersChanged {
			out = append(out, e)
		}
	}
	r.evs = nil
	return out
}

func (r *recorder) ofType(typ string) []events.Event {
	var out []events.Event
	for _, e := range r.take() {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

type env struct {
	t     *testing.T
	db    *store.DB
	svc   *conversation.Service
	f     storetest.Fix
	clock *clock
	rec   *recorder
	ctx   context.Context
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	bus := events.NewLocal()
	rec := &recorder{}
	unsub := bus.Subscribe(rec.add)
	t.Cleanup(func() { unsub(); bus.Close() })
	svc := conversation.New(db, bus, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	clk := &clock{t: time.Now().Truncate(time.Second)}
	svc.SetClock(clk.Now)
	return &env{t: t, db: db, svc: svc, f: storetest.Fixture(t, db), clock: clk, rec: rec, ctx: context.Background()}
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			fn(t, newEnv(t, storetest.Open(t, engine)))
		})
	}
}

func ok(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: err = %v, want %v", what, err, target)
	}
}

// receive delivers a customer text on the fixture channel.
func (e *env) receive(contact, ext, text string) conversation.InboundResult {
	e.t.Helper()
	res, err := e.svc.Receive(e.ctx, e.f.Channel, conversation.Inbound{ContactExternalID: contact, ContactName: "Cliente " + contact, ExternalID: ext, Text: text})
	ok(e.t, err, "Receive")
	return res
}

// conv reads a conversation as the admin sees it.
func (e *env) conv(id int64) store.Conversation {
	e.t.Helper()
	c, err := e.db.R().Conversation(e.ctx, e.f.AdminV(), id)
	ok(e.t, err, "Conversation")
	return c
}

func (e *env) timeline(id int64) []store.Message {
	e.t.Helper()
	p, err := e.db.R().Messages(e.ctx, id, "", 500)
	ok(e.t, err, "Messages")
	return p.Items
}

// lastEvent is the newest event message of a conversation's timeline.
func (e *env) lastEvent(id int64) store.Event {
	e.t.Helper()
	tl := e.timeline(id)
	for i := len(tl) - 1; i >= 0; i-- {
		if tl[i].Kind == store.KindEvent {
			if tl[i].Event == nil || tl[i].Direction != store.DirInternal {
				e.t.Fatalf("event message %d malformed: %+v", tl[i].ID, tl[i])
			}
			return *tl[i].Event
		}
	}
	e.t.Fatalf("conversation %d has no event in its timeline", id)
	return store.Event{}
}

func (e *env) wantEvent(id int64, typ, from, to string) store.Event {
	e.t.Helper()
	ev := e.lastEvent(id)
	if ev.Type != typ || ev.From != from || ev.To != to {
		e.t.Fatalf("last event = %s %s→%s, want %s %s→%s", ev.Type, ev.From, ev.To, typ, from, to)
	}
	return ev
}

func (e *env) countEvents(id int64) int {
	n := 0
	for _, m := range e.timeline(id) {
		if m.Kind == store.KindEvent {
			n++
		}
	}
	return n
}

// claimAll claims every due job (tests run without workers).
func (e *env) claimAll(at int64) []store.Job {
	e.t.Helper()
	jobs, err := e.db.W().ClaimJobs(e.ctx, at, 100, 60_000)
	ok(e.t, err, "ClaimJobs")
	return jobs
}

// queued creates a fresh queued conversation in Vendas.
func (e *env) queued(contact string) store.Conversation {
	e.t.Helper()
	return e.receive(contact, "", "olá").Conversation
}

func TestReceiveCreatesContactAndConversation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.f
		t0 := e.clock.MS()
		res := e.receive("5511999990000", "wamid.1", "Quero comprar")
		c := res.Conversation
		if res.Duplicate || c.ID == 0 || c.Status != store.StatusQueued || c.Dept() != f.Vendas.ID || c.AssigneeID != nil {
			t.Fatalf("new conversation = %+v duplicate=%v", c, res.Duplicate)
		}
		if c.WaitingSince != t0 || c.LastMessageAt != t0 || c.OpenedAt != t0 || c.LastPreview != "Quero comprar" {
			t.Fatalf("times = waiting %d last %d opened %d, want %d", c.WaitingSince, c.LastMessageAt, c.OpenedAt, t0)
		}
		if res.Message.Direction != store.DirIn || res.Message.SenderType != store.SenderContact || res.Message.Content != "Quero comprar" {
			t.Fatalf("message = %+v", res.Message)
		}
		contactID, err := e.db.R().ContactByIdentity(e.ctx, f.Channel.ID, "5511999990000")
		ok(t, err, "ContactByIdentity")
		if contactID != c.ContactID {
			t.Fatalf("contact %d, conversation's %d", contactID, c.ContactID)
		}
		ct, err := e.db.R().Contact(e.ctx, f.WS.ID, contactID)
		ok(t, err, "Contact")
		if ct.Name != "Cliente 5511999990000" {
			t.Fatalf("contact name %q", ct.Name)
		}
		ev := e.wantEvent(c.ID, "created", "", store.StatusQueued)
		if ev.Department == nil || *ev.Department != f.Vendas.ID || ev.ActorType != store.SenderSystem {
			t.Fatalf("created event = %+v", ev)
		}
		evs := e.rec.take()
		var types []string
		for _, x := range evs {
			types = append(types, x.Type)
			if x.WorkspaceID != f.WS.ID || x.ConversationID != c.ID || x.DepartmentID != f.Vendas.ID {
				t.Fatalf("event routing = %+v", x)
			}
		}
		if strings.Join(types, ",") != "message.created,message.created,conversation.created" {
			t.Fatalf("published %v", types)
		}
		var view conversation.View
		ok(t, json.Unmarshal(evs[2].Data, &view), "decode view")
		if view.ID != c.ID || view.Thermometer != conversation.Green || view.WaitingSeconds == nil || *view.WaitingSeconds != 0 {
			t.Fatalf("published view = %+v", view)
		}

		// The same provider message again: one message, Duplicate, nothing published.
		e.clock.Add(time.Minute)
		dup := e.receive("5511999990000", "wamid.1", "Quero comprar")
		if !dup.Duplicate || dup.Message.ID != res.Message.ID || dup.Conversation.ID != c.ID {
			t.Fatalf("duplicate = %+v", dup)
		}
		if n := len(e.timeline(c.ID)); n != 2 {
			t.Fatalf("timeline has %d entries after a duplicate, want 2", n)
		}
		if evs := e.rec.take(); len(evs) != 0 {
			t.Fatalf("duplicate published %d events", len(evs))
		}

		// A second message joins the conversation and keeps the waiting clock.
		second := e.receive("5511999990000", "wamid.2", "Alô?")
		if second.Conversation.ID != c.ID || second.Conversation.WaitingSince != t0 || second.Conversation.LastMessageAt != t0+60_000 {
			t.Fatalf("second message conversation = %+v", second.Conversation)
		}
		if up := e.rec.ofType(events.ConversationUpdated); len(up) != 1 || up[0].PrevDepartmentID != f.Vendas.ID {
			t.Fatalf("conversation.updated events = %+v", up)
		}

		// A channel with its own department routes there.
		ch := f.Channel
		ch.DepartmentID = &f.Financeiro.ID
		ok(t, e.db.W().UpdateChannel(e.ctx, ch), "UpdateChannel")
		r2, err := e.svc.Receive(e.ctx, ch, conversation.Inbound{ContactExternalID: "other", Text: "oi"})
		ok(t, err, "Receive on routed channel")
		if r2.Conversation.Dept() != f.Financeiro.ID {
			t.Fatalf("routed conversation department %d, want Financeiro", r2.Conversation.Dept())
		}

		_, err = e.svc.Receive(e.ctx, f.Channel, conversation.Inbound{Text: "x"})
		wantErr(t, err, conversation.ErrInvalid, "missing contact")
		_, err = e.svc.Receive(e.ctx, f.Channel, conversation.Inbound{ContactExternalID: "x"})
		wantErr(t, err, conversation.ErrInvalid, "missing text")
	})
}

func TestReceiveConcurrentNewContact(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		const n = 8
		var wg sync.WaitGroup
		results := make([]conversation.InboundResult, n)
		errs := make([]error, n)
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i], errs[i] = e.svc.Receive(e.ctx, e.f.Channel, conversation.Inbound{ContactExternalID: "race", ContactName: "Corrida",
					ExternalID: fmt.Sprintf("m%d", i), Text: fmt.Sprintf("mensagem %d", i)})
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			ok(t, err, fmt.Sprintf("Receive %d", i))
		}
		page, err := e.db.R().SearchContacts(e.ctx, e.f.WS.ID, "", 0, 100)
		ok(t, err, "SearchContacts")
		if len(page.Items) != 1 {
			t.Fatalf("%d contacts, want 1", len(page.Items))
		}
		convs, err := e.db.R().ContactConversations(e.ctx, e.f.AdminV(), page.Items[0].ID, 10)
		ok(t, err, "ContactConversations")
		if len(convs) != 1 {
			t.Fatalf("%d conversations, want 1", len(convs))
		}
		texts := 0
		for _, m := range e.timeline(convs[0].ID) {
			if m.Kind == store.KindText {
				texts++
			}
		}
		if texts != n {
			t.Fatalf("%d messages, want %d", texts, n)
		}
		for i, r := range results {
			if r.Conversation.ID != convs[0].ID || r.Duplicate {
				t.Fatalf("result %d = conversation %d duplicate %v", i, r.Conversation.ID, r.Duplicate)
			}
		}
		if created := e.rec.ofType(events.ConversationCreated); len(created) != 1 {
			t.Fatalf("%d conversation.created events, want 1", len(created))
		}

		// The same provider message delivered concurrently is stored once.
		dups := 0
		var mu sync.Mutex
		start = make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r, err := e.svc.Receive(e.ctx, e.f.Channel, conversation.Inbound{ContactExternalID: "race2", ExternalID: "same", Text: "uma vez"})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if r.Duplicate {
					dups++
				}
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
		if dups != n-1 {
			t.Fatalf("%d duplicates, want %d", dups, n-1)
		}
	})
}

func TestCustomerMessageWakesSnoozed(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		c := e.queued("snz")
		_, err := e.svc.Assign(e.ctx, e.f.AgentAV(), c.ID, e.f.AgentA.ID)
		ok(t, err, "Assign")
		until := e.clock.Now().Add(time.Hour)
		s, err := e.svc.Snooze(e.ctx, e.f.AgentAV(), c.ID, until)
		ok(t, err, "Snooze")
		if s.Status != store.StatusSnoozed || s.SnoozedUntil == nil || *s.SnoozedUntil != until.UnixMilli() {
			t.Fatalf("snoozed = %+v", s)
		}
		e.clock.Add(time.Minute)
		r := e.receive("snz", "", "acordou?")
		if r.Conversation.ID != c.ID || r.Conversation.Status != store.StatusOpen || r.Conversation.SnoozedUntil != nil {
			t.Fatalf("after customer message = %+v", r.Conversation)
		}
		// The wake event precedes the customer's message.
		tl := e.timeline(c.ID)
		woke := tl[len(tl)-2]
		if woke.Kind != store.KindEvent || woke.Event.Type != "woke" || woke.Event.From != store.StatusSnoozed || woke.Event.To != store.StatusOpen ||
			woke.Event.Detail != "customer_message" {
			t.Fatalf("wake event = %+v", woke.Event)
		}
		// The timer that fires later finds nothing to do.
		before := e.countEvents(c.ID)
		ok(t, e.svc.WakeDue(e.ctx, e.f.WS.ID, c.ID, until.UnixMilli()), "WakeDue")
		if e.countEvents(c.ID) != before || e.conv(c.ID).Status != store.StatusOpen {
			t.Fatal("late WakeDue changed the conversation")
		}
	})
}

func TestMessageAfterResolve(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.f
		c := e.queued("rs")
		_, err := e.svc.Assign(e.ctx, f.AgentAV(), c.ID, f.AgentA.ID)
		ok(t, err, "Assign")
		_, err = e.svc.Resolve(e.ctx, f.AgentAV(), c.ID, 0)
		ok(t, err, "Resolve")
		e.clock.Add(time.Second)
		n := e.receive("rs", "", "de novo").Conversation
		if n.ID == c.ID || n.Status != store.StatusQueued || n.AssigneeID != nil {
			t.Fatalf("after resolve (window off) = %+v, want a new queued conversation", n)
		}
		if e.conv(c.ID).Status != store.StatusResolved {
			t.Fatal("old conversation no longer resolved")
		}

		// With a reopen window, a message shortly after resolve reopens the last one.
		w, err := e.db.R().Workspace(e.ctx, f.WS.ID)
		ok(t, err, "Workspace")
		w.ReopenWindowS = 600
		ok(t, e.db.W().UpdateWorkspace(e.ctx, w), "UpdateWorkspace")
		e.svc.ForgetWorkspace(f.WS.ID)
		_, err = e.svc.Assign(e.ctx, f.AgentAV(), n.ID, f.AgentA.ID)
		ok(t, err, "Assign")
		_, err = e.svc.Resolve(e.ctx, f.AgentAV(), n.ID, 0)
		ok(t, err, "Resolve")
		e.clock.Add(5 * time.Minute)
		r := e.receive("rs", "", "esqueci uma coisa").Conversation
		if r.ID != n.ID || r.Status != store.StatusOpen || r.Assignee() != f.AgentA.ID || r.ResolvedAt != nil || !r.Waiting() {
			t.Fatalf("within window = %+v, want conversation %d reopened to its agent", r, n.ID)
		}
		e.wantEvent(n.ID, "reopened", store.StatusResolved, store.StatusOpen)

		// After the window a new cycle starts.
		_, err = e.svc.Resolve(e.ctx, f.AgentAV(), n.ID, 0)
		ok(t, err, "Resolve")
		e.clock.Add(11 * time.Minute)
		r = e.receive("rs", "", "oi").Conversation
		if r.ID == n.ID || r.ID == c.ID || r.Status != store.StatusQueued {
			t.Fatalf("after window = %+v, want a new conversation", r)
		}
	})
}

func TestSendReplyAndNote(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.f
		c := e.queued("snd")
		e.rec.take()

		// A note changes nothing but the timeline.
		e.clock.Add(time.Minute)
		note, err := e.svc.Send(e.ctx, f.AgentAV(), c.ID, conversation.Outgoing{Note: true, Content: "cliente antigo"})
		ok(t, err, "Send note")
		if note.Kind != store.KindNote || note.Direction != store.DirInternal || note.Status != store.DeliveryNone {
			t.Fatalf("note = %+v", note)
		}
		got := e.conv(c.ID)
		if got.Status != store.StatusQueued || got.WaitingSince != c.WaitingSince || got.FirstReplyAt != nil || got.AutomationPaused ||
			got.LastPreview != c.LastPreview || got.AssigneeID != nil {
			t.Fatalf("after note = %+v", got)
		}
		if jobs := e.claimAll(store.Now() + 60_000); len(jobs) != 0 {
			t.Fatalf("a note enqueued %d jobs", len(jobs))
		}
		if mc := e.rec.ofType(events.MessageCreated); len(mc) != 1 {
			t.Fatalf("note published %d message.created", len(mc))
		}

		// A reply in an unassigned conversation answers without assigning.
		e.clock.Add(time.Minute)
		reply, err := e.svc.Send(e.ctx, f.AgentAV(), c.ID, conversation.Outgoing{Content: "  Olá, posso ajudar?  "})
		ok(t, err, "Send reply")
		if reply.Kind != store.KindText || reply.Direction != store.DirOut || reply.Status != store.DeliveryPending || reply.Content != "Olá, posso ajudar?" ||
			reply.SenderID == nil || *reply.SenderID != f.AgentA.ID {
			t.Fatalf("reply = %+v", reply)
		}
		got = e.conv(c.ID)
		firstReply := e.clock.MS()
		if got.Status != store.StatusQueued || got.AssigneeID != nil || got.Waiting() || got.FirstReplyAt == nil || *got.FirstReplyAt != firstReply ||
			!got.AutomationPaused || got.AssigneeReplied || got.LastPreview != "Olá, posso ajudar?" {
			t.Fatalf("after reply = %+v", got)
		}
		jobs := e.claimAll(store.Now() + 60_000)
		if len(jobs) != 1 || jobs[0].Kind != conversation.JobDeliver || jobs[0].Key != conversation.DeliveryKey(reply.ID) ||
			!strings.Contains(jobs[0].Payload, fmt.Sprint(reply.ID)) || jobs[0].WorkspaceID != f.WS.ID {
			t.Fatalf("delivery jobs = %+v", jobs)
		}

		// The assignee's reply marks them as having replied; first reply time stays.
		_, err = e.svc.Assign(e.ctx, f.AgentAV(), c.ID, f.AgentA.ID)
		ok(t, err, "Assign")
		if e.conv(c.ID).AssigneeReplied {
			t.Fatal("assignee_replied set by Assign")
		}
		e.clock.Add(time.Minute)
		_, err = e.svc.Send(e.ctx, f.SupervisorV(), c.ID, conversation.Outgoing{Content: "supervisor aqui"})
		ok(t, err, "Send by supervisor")
		if e.conv(c.ID).AssigneeReplied {
			t.Fatal("assignee_replied set by someone else's reply")
		}
		_, err = e.svc.Send(e.ctx, f.AgentAV(), c.ID, conversation.Outgoing{Content: "eu de novo"})
		ok(t, err, "Send by assignee")
		got = e.conv(c.ID)
		if !got.AssigneeReplied || *got.FirstReplyAt != firstReply || got.Assignee() != f.AgentA.ID {
			t.Fatalf("after assignee reply = %+v", got)
		}

		// Delivery status updates only move forward and are published.
		e.rec.take()
		ok(t, e.svc.SetDelivery(e.ctx, f.WS.ID, reply.ID, store.DeliveryRead, ""), "SetDelivery read")
		ok(t, e.svc.SetDelivery(e.ctx, f.WS.ID, reply.ID, store.DeliveryDelivered, ""), "SetDelivery delivered")
		m, err := e.db.R().MessageByID(e.ctx, f.WS.ID, reply.ID)
		ok(t, err, "MessageByID")
		if m.Status != store.DeliveryRead {
			t.Fatalf("status %s after read then delivered", m.Status)
		}
		if up := e.rec.ofType(events.MessageUpdated); len(up) != 1 {
			t.Fatalf("%d message.updated events, want 1", len(up))
		}

		_, err = e.svc.Send(e.ctx, f.AgentAV(), c.ID, conversation.Outgoing{Content: "   "})
		wantErr(t, err, conversation.ErrInvalid, "empty message")
		_, err = e.svc.Send(e.ctx, f.AgentAV(), c.ID, conversation.Outgoing{Content: strings.Repeat("a", conversation.MaxMessageRunes+1)})
		wantErr(t, err, conversation.ErrInvalid, "long message")
		_, err = e.svc.Send(e.ctx, f.AgentAV(), c.ID, conversation.Outgoing{Content: "x", AttachmentIDs: []int64{424242}})
		wantErr(t, err, conversation.ErrInvalid, "foreign attachment")

		// Resolved: no reply, but notes are fine.
		_, err = e.svc.Resolve(e.ctx, f.AgentAV(), c.ID, 0)
		ok(t, err, "Resolve")
		_, err = e.svc.Send(e.ctx, f.AgentAV(), c.ID, conversation.Outgoing{Content: "tchau"})
		wantErr(t, err, conversation.ErrTransition, "reply to resolved")
		_, err = e.svc.Send(e.ctx, f.AgentAV(), c.ID, conversation.Outgoing{Note: true, Content: "resolvido"})
		ok(t, err, "note on resolved")
	})
}

func TestResolveAndReopen(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.f
		c := e.queued("res")
		_, err := e.svc.Send(e.ctx, f.AgentAV(), c.ID, conversation.Outgoing{Content: "oi"})
		ok(t, err, "Send")
		e.receive("res", "", "ainda aqui")
		if got := e.conv(c.ID); !got.AutomationPaused || !got.Waiting() {
			t.Fatalf("before resolve = %+v", got)
		}
		r, err := e.svc.Resolve(e.ctx, f.AgentAV(), c.ID, 0)
		ok(t, err, "Resolve")
		if r.Status != store.StatusResolved || r.ResolvedAt == nil || *r.ResolvedAt != e.clock.MS() || r.AutomationPaused || r.Waiting() {
			t.Fatalf("resolved = %+v", r)
		}
		e.wantEvent(c.ID, "resolved", store.StatusQueued, store.StatusResolved)
		if v := conversation.ViewOf(r, f.WS, e.clock.Now()); v.Thermometer != "" || v.WaitingSeconds != nil || v.AutomationOn {
			t.Fatalf("view of resolved = %+v", v)
		}
		_, err = e.svc.Resolve(e.ctx, f.AgentAV(), c.ID, 0)
		wantErr(t, err, conversation.ErrTransition, "resolve a resolved conversation")

		o, err := e.svc.Reopen(e.ctx, f.AgentAV(), c.ID)
		ok(t, err, "Reopen")
		if o.Status != store.StatusQueued || o.ResolvedAt != nil {
			t.Fatalf("reopened = %+v", o)
		}
		e.wantEvent(c.ID, "reopened", store.StatusResolved, store.StatusQueued)
		_, err = e.svc.Reopen(e.ctx, f.AgentAV(), c.ID)
		wantErr(t, err, conversation.ErrTransition, "reopen a queued conversation")

		// Reopen beside a newer unresolved conversation breaks the invariant.
		_, err = e.svc.Resolve(e.ctx, f.AgentAV(), c.ID, 0)
		ok(t, err, "Resolve")
		n := e.queued("res")
		if n.ID == c.ID {
			t.Fatal("expected a new conversation")
		}
		_, err = e.svc.Reopen(e.ctx, f.AdminV(), c.ID)
		wantErr(t, err, store.ErrConflict, "reopen beside an unresolved conversation")

		// Closing reasons, when the workspace requires them.
		reason, err := e.db.W().CreateClosingReason(e.ctx, f.WS.ID, store.ClosingReason{Name: "Vendido", Active: true})
		ok(t, err, "CreateClosingReason")
		off, err := e.db.W().CreateClosingReason(e.ctx, f.WS.ID, store.ClosingReason{Name: "Antigo", Active: false})
		ok(t, err, "CreateClosingReason")
		other, err := e.db.W().CreateClosingReason(e.ctx, f.WS2.ID, store.ClosingReason{Name: "Outro", Active: true})
		ok(t, err, "CreateClosingReason")
		w := f.WS
		w.ClosingReasonRequired = true
		ok(t, e.db.W().UpdateWorkspace(e.ctx, w), "UpdateWorkspace")
		e.svc.ForgetWorkspace(f.WS.ID)
		_, err = e.svc.Resolve(e.ctx, f.AgentAV(), n.ID, 0)
		wantErr(t, err, conversation.ErrInvalid, "resolve without a required reason")
		_, err = e.svc.Resolve(e.ctx, f.AgentAV(), n.ID, off.ID)
		wantErr(t, err, conversation.ErrInvalid, "inactive reason")
		_, err = e.svc.Resolve(e.ctx, f.AgentAV(), n.ID, other.ID)
		wantErr(t, err, conversation.ErrInvalid, "reason of another workspace")
		if e.conv(n.ID).Status == store.StatusResolved {
			t.Fatal("a refused resolve resolved the conversation")
		}
		r, err = e.svc.Resolve(e.ctx, f.AgentAV(), n.ID, reason.ID)
		ok(t, err, "Resolve with reason")
		if r.ClosingReasonID == nil || *r.ClosingReasonID != reason.ID {
			t.Fatalf("closing reason = %v", r.ClosingReasonID)
		}
		if ev := e.wantEvent(n.ID, "resolved", store.StatusQueued, store.StatusResolved); ev.Reason == nil || *ev.Reason != reason.ID {
			t.Fatalf("resolved event reason = %v", ev.Reason)
		}
	})
}

func TestAssign(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.f
		c := e.queued("asg")
		e.rec.take()
		_, err := e.svc.Assign(e.ctx, f.SupervisorV(), c.ID, f.AgentB.ID)
		wantErr(t, err, conversation.ErrInvalid, "assign to a member of another department")
		_, err = e.svc.Assign(e.ctx, f.AdminV(), c.ID, f.Admin2.ID)
		wantErr(t, err, conversation.ErrInvalid, "assign to a user of another workspace")
		_, err = e.svc.Assign(e.ctx, f.AdminV(), c.ID, f.Admin.ID)
		wantErr(t, err, conversation.ErrInvalid, "assign to an admin outside the department")

		a, err := e.svc.Assign(e.ctx, f.AgentAV(), c.ID, f.AgentA.ID)
		ok(t, err, "assign to me")
		if a.Status != store.StatusOpen || a.Assignee() != f.AgentA.ID {
			t.Fatalf("assigned = %+v", a)
		}
		if ev := e.wantEvent(c.ID, "assigned", store.StatusQueued, store.StatusOpen); ev.Assignee == nil || *ev.Assignee != f.AgentA.ID ||
			ev.ActorID != f.AgentA.ID || ev.ActorType != store.SenderUser {
			t.Fatalf("assigned event = %+v", ev)
		}
		up := e.rec.ofType(events.ConversationUpdated)
		if len(up) != 1 || up[0].AssigneeID != f.AgentA.ID || up[0].PrevAssigneeID != 0 || up[0].DepartmentID != f.Vendas.ID {
			t.Fatalf("conversation.updated = %+v", up)
		}

		// Another agent cannot take it; a supervisor and an admin can.
		d, err := e.db.W().CreateUser(e.ctx, store.User{WorkspaceID: f.WS.ID, Email: "d-" + f.WS.Slug + "@example.com", Name: "D",
			Role: access.RoleAgent, Scope: access.ScopeDepartment, DepartmentIDs: []int64{f.Vendas.ID}})
		ok(t, err, "CreateUser")
		_, err = e.svc.Assign(e.ctx, d.Viewer(), c.ID, d.ID)
		wantErr(t, err, conversation.ErrForbidden, "agent takes another agent's conversation")
		_, err = e.svc.Assign(e.ctx, d.Viewer(), c.ID, f.AgentA.ID)
		wantErr(t, err, conversation.ErrForbidden, "agent reassigns another agent's conversation")
		_, err = e.svc.ReturnToQueue(e.ctx, d.Viewer(), c.ID)
		wantErr(t, err, conversation.ErrForbidden, "agent returns another agent's conversation")
		_, err = e.svc.Resolve(e.ctx, d.Viewer(), c.ID, 0)
		wantErr(t, err, conversation.ErrForbidden, "agent resolves another agent's conversation")
		_, err = e.svc.Snooze(e.ctx, d.Viewer(), c.ID, e.clock.Now().Add(time.Hour))
		wantErr(t, err, conversation.ErrForbidden, "agent snoozes another agent's conversation")
		_, err = e.svc.Transfer(e.ctx, d.Viewer(), c.ID, f.Financeiro.ID, 0)
		wantErr(t, err, conversation.ErrForbidden, "agent transfers another agent's conversation")

		s, err := e.svc.Assign(e.ctx, f.SupervisorV(), c.ID, f.Supervisor.ID)
		ok(t, err, "supervisor takes")
		if s.Assignee() != f.Supervisor.ID {
			t.Fatalf("assignee = %d", s.Assignee())
		}
		e.wantEvent(c.ID, "assigned", store.StatusOpen, store.StatusOpen)
		if up := e.rec.ofType(events.ConversationUpdated); len(up) != 1 || up[0].PrevAssigneeID != f.AgentA.ID || up[0].AssigneeID != f.Supervisor.ID {
			t.Fatalf("conversation.updated = %+v", up)
		}
		_, err = e.svc.Assign(e.ctx, f.AdminV(), c.ID, d.ID)
		ok(t, err, "admin reassigns")
		_, err = e.svc.Assign(e.ctx, f.AgentAV(), c.ID, f.AgentA.ID)
		wantErr(t, err, conversation.ErrForbidden, "agent A takes back")

		// Deactivated users cannot be assigned.
		d.Active = false
		ok(t, e.db.W().UpdateUser(e.ctx, d), "UpdateUser")
		_, err = e.svc.Assign(e.ctx, f.AdminV(), c.ID, d.ID)
		wantErr(t, err, conversation.ErrInvalid, "assign to a deactivated user")

		_, err = e.svc.Resolve(e.ctx, f.AdminV(), c.ID, 0)
		ok(t, err, "Resolve")
		_, err = e.svc.Assign(e.ctx, f.AdminV(), c.ID, f.AgentA.ID)
		wantErr(t, err, conversation.ErrTransition, "assign a resolved conversation")
	})
}

func TestTransferAndReturn(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.f
		c := e.queued("trf")
		_, err := e.svc.Assign(e.ctx, f.AgentAV(), c.ID, f.AgentA.ID)
		ok(t, err, "Assign")
		e.rec.take()

		tr, err := e.svc.Transfer(e.ctx, f.AgentAV(), c.ID, f.Financeiro.ID, 0)
		ok(t, err, "Transfer to queue")
		if tr.Dept() != f.Financeiro.ID || tr.AssigneeID != nil || tr.Status != store.StatusQueued {
			t.Fatalf("transferred = %+v", tr)
		}
		if ev := e.wantEvent(c.ID, "transferred", store.StatusOpen, store.StatusQueued); ev.Department == nil || *ev.Department != f.Financeiro.ID || ev.Assignee != nil {
			t.Fatalf("transferred event = %+v", ev)
		}
		up := e.rec.ofType(events.ConversationUpdated)
		if len(up) != 1 || up[0].DepartmentID != f.Financeiro.ID || up[0].AssigneeID != 0 || up[0].PrevDepartmentID != f.Vendas.ID || up[0].PrevAssigneeID != f.AgentA.ID {
			t.Fatalf("conversation.updated = %+v", up)
		}
		// Agent A lost sight of it; agent B sees it.
		_, err = e.svc.SetPriority(e.ctx, f.AgentAV(), c.ID, "high")
		wantErr(t, err, conversation.ErrNotFound, "agent A after transfer")
		_, err = e.svc.Assign(e.ctx, f.AgentBV(), c.ID, f.AgentB.ID)
		ok(t, err, "agent B takes")

		_, err = e.svc.Transfer(e.ctx, f.AdminV(), c.ID, f.Vendas.ID, f.AgentB.ID)
		wantErr(t, err, conversation.ErrInvalid, "transfer to a non-member")
		_, err = e.svc.Transfer(e.ctx, f.AdminV(), c.ID, f.Dept2.ID, 0)
		wantErr(t, err, conversation.ErrInvalid, "transfer to another workspace's department")
		if got := e.conv(c.ID); got.Dept() != f.Financeiro.ID || got.Assignee() != f.AgentB.ID {
			t.Fatalf("refused transfer changed the conversation: %+v", got)
		}
		tr, err = e.svc.Transfer(e.ctx, f.AdminV(), c.ID, f.Vendas.ID, f.AgentA.ID)
		ok(t, err, "Transfer to an agent")
		if tr.Dept() != f.Vendas.ID || tr.Assignee() != f.AgentA.ID || tr.Status != store.StatusOpen || tr.AssigneeReplied {
			t.Fatalf("transferred = %+v", tr)
		}
		e.wantEvent(c.ID, "transferred", store.StatusOpen, store.StatusOpen)

		// Return to queue.
		_, err = e.svc.Send(e.ctx, f.AgentAV(), c.ID, conversation.Outgoing{Content: "oi"})
		ok(t, err, "Send")
		rq, err := e.svc.ReturnToQueue(e.ctx, f.AgentAV(), c.ID)
		ok(t, err, "ReturnToQueue")
		if rq.Status != store.StatusQueued || rq.AssigneeID != nil || rq.AssigneeReplied || rq.Dept() != f.Vendas.ID {
			t.Fatalf("returned = %+v", rq)
		}
		e.wantEvent(c.ID, "returned", store.StatusOpen, store.StatusQueued)
		_, err = e.svc.ReturnToQueue(e.ctx, f.AdminV(), c.ID)
		wantErr(t, err, conversation.ErrTransition, "return a queued conversation")
		_, err = e.svc.Assign(e.ctx, f.AgentAV(), c.ID, f.AgentA.ID)
		ok(t, err, "Assign")
		_, err = e.svc.ReturnToQueue(e.ctx, f.SupervisorV(), c.ID)
		ok(t, err, "supervisor returns")
	})
}

func TestOtherDepartmentGetsNotFound(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.f
		c := e.queued("nf")
		msg, err := e.svc.Send(e.ctx, f.AgentAV(), c.ID, conversation.Outgoing{Content: "oi"})
		ok(t, err, "Send")
		label, err := e.db.W().CreateLabel(e.ctx, f.WS.ID, store.Label{Name: "L", Color: "#000"})
		ok(t, err, "CreateLabel")
		before := len(e.timeline(c.ID))
		later := e.clock.Now().Add(time.Hour)
		for _, who := range []struct {
			name string
			v    access.Viewer
		}{
			{"agent B (Financeiro)", f.AgentBV()},
			{"agent C (assigned only)", f.AgentCV()},
			{"admin of another workspace", f.Admin2V()},
		} {
			v := who.v
			actions := map[string]func() error{
				"Send": func() error { _, err := e.svc.Send(e.ctx, v, c.ID, conversation.Outgoing{Content: "x"}); return err },
				"Note": func() error {
					_, err := e.svc.Send(e.ctx, v, c.ID, conversation.Outgoing{Note: true, Content: "x"})
					return err
				},
				"Assign":          func() error { _, err := e.svc.Assign(e.ctx, v, c.ID, v.UserID); return err },
				"Transfer":        func() error { _, err := e.svc.Transfer(e.ctx, v, c.ID, f.Vendas.ID, 0); return err },
				"ReturnToQueue":   func() error { _, err := e.svc.ReturnToQueue(e.ctx, v, c.ID); return err },
				"Snooze":          func() error { _, err := e.svc.Snooze(e.ctx, v, c.ID, later); return err },
				"Unsnooze":        func() error { _, err := e.svc.Unsnooze(e.ctx, v, c.ID); return err },
				"Resolve":         func() error { _, err := e.svc.Resolve(e.ctx, v, c.ID, 0); return err },
				"Reopen":          func() error { _, err := e.svc.Reopen(e.ctx, v, c.ID); return err },
				"SetPriority":     func() error { _, err := e.svc.SetPriority(e.ctx, v, c.ID, "high"); return err },
				"SetLabel":        func() error { _, err := e.svc.SetLabel(e.ctx, v, c.ID, label.ID, true); return err },
				"SetStar":         func() error { return e.svc.SetStar(e.ctx, v, c.ID, true) },
				"SetMessageLabel": func() error { _, err := e.svc.SetMessageLabel(e.ctx, v, msg.ID, label.ID, true); return err },
			}
			for name, act := range actions {
				if err := act(); !errors.Is(err, conversation.ErrNotFound) {
					t.Errorf("%s %s: err = %v, want ErrNotFound", who.name, name, err)
				}
			}
		}
		if after := len(e.timeline(c.ID)); after != before {
			t.Fatalf("refused actions changed the timeline: %d → %d", before, after)
		}
		if got := e.conv(c.ID); got.Status != store.StatusQueued || got.Priority != "none" || len(got.LabelIDs) != 0 {
			t.Fatalf("refused actions changed the conversation: %+v", got)
		}
	})
}

func TestSnoozeAndWakeDue(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.f
		c := e.queued("wk")
		_, err := e.svc.Snooze(e.ctx, f.AgentAV(), c.ID, e.clock.Now())
		wantErr(t, err, conversation.ErrInvalid, "snooze into the past")
		_, err = e.svc.Snooze(e.ctx, f.AgentAV(), c.ID, e.clock.Now().AddDate(2, 0, 0))
		wantErr(t, err, conversation.ErrInvalid, "snooze too far")
		_, err = e.svc.Unsnooze(e.ctx, f.AgentAV(), c.ID)
		wantErr(t, err, conversation.ErrTransition, "unsnooze a queued conversation")

		until := e.clock.Now().Add(time.Hour).UnixMilli()
		s, err := e.svc.Snooze(e.ctx, f.AgentAV(), c.ID, time.UnixMilli(until))
		ok(t, err, "Snooze")
		if s.Status != store.StatusSnoozed || *s.SnoozedUntil != until {
			t.Fatalf("snoozed = %+v", s)
		}
		if ev := e.wantEvent(c.ID, "snoozed", store.StatusQueued, store.StatusSnoozed); ev.Until == nil || *ev.Until != until {
			t.Fatalf("snoozed event = %+v", ev)
		}
		if jobs := e.claimAll(until - 1); len(jobs) != 0 {
			t.Fatalf("wake job due before its time: %+v", jobs)
		}
		jobs := e.claimAll(until)
		if len(jobs) != 1 || jobs[0].Kind != conversation.JobWake || jobs[0].RunAt != until ||
			!strings.Contains(jobs[0].Payload, fmt.Sprint(until)) || !strings.Contains(jobs[0].Payload, fmt.Sprint(c.ID)) {
			t.Fatalf("wake jobs = %+v", jobs)
		}

		// A wake for another time (an older snooze) does nothing.
		events0 := e.countEvents(c.ID)
		ok(t, e.svc.WakeDue(e.ctx, f.WS.ID, c.ID, until-1000), "WakeDue stale")
		ok(t, e.svc.WakeDue(e.ctx, f.WS2.ID, c.ID, until), "WakeDue wrong workspace")
		if got := e.conv(c.ID); got.Status != store.StatusSnoozed || e.countEvents(c.ID) != events0 {
			t.Fatalf("stale WakeDue woke the conversation: %s", got.Status)
		}
		e.clock.Add(time.Hour)
		ok(t, e.svc.WakeDue(e.ctx, f.WS.ID, c.ID, until), "WakeDue")
		got := e.conv(c.ID)
		if got.Status != store.StatusQueued || got.SnoozedUntil != nil {
			t.Fatalf("woken = %+v", got)
		}
		if ev := e.wantEvent(c.ID, "woke", store.StatusSnoozed, store.StatusQueued); ev.Detail != "timer" || ev.ActorType != store.SenderSystem {
			t.Fatalf("woke event = %+v", ev)
		}
		ok(t, e.svc.WakeDue(e.ctx, f.WS.ID, c.ID, until), "WakeDue twice")
		if e.countEvents(c.ID) != events0+1 {
			t.Fatal("second WakeDue added an event")
		}

		// Snoozing an assigned conversation wakes it back to its agent; by hand here.
		_, err = e.svc.Assign(e.ctx, f.AgentAV(), c.ID, f.AgentA.ID)
		ok(t, err, "Assign")
		_, err = e.svc.Snooze(e.ctx, f.AgentAV(), c.ID, e.clock.Now().Add(time.Minute))
		ok(t, err, "Snooze")
		u, err := e.svc.Unsnooze(e.ctx, f.AgentAV(), c.ID)
		ok(t, err, "Unsnooze")
		if u.Status != store.StatusOpen || u.Assignee() != f.AgentA.ID {
			t.Fatalf("unsnoozed = %+v", u)
		}
		if ev := e.wantEvent(c.ID, "woke", store.StatusSnoozed, store.StatusOpen); ev.ActorType != store.SenderUser || ev.ActorID != f.AgentA.ID {
			t.Fatalf("unsnooze event = %+v", ev)
		}
		_, err = e.svc.Resolve(e.ctx, f.AgentAV(), c.ID, 0)
		ok(t, err, "Resolve")
		_, err = e.svc.Snooze(e.ctx, f.AgentAV(), c.ID, e.clock.Now().Add(time.Minute))
		wantErr(t, err, conversation.ErrTransition, "snooze a resolved conversation")
	})
}

func TestPriorityLabelsStars(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.f
		c := e.queued("pls")
		p, err := e.svc.SetPriority(e.ctx, f.AgentAV(), c.ID, "urgent")
		ok(t, err, "SetPriority")
		if p.Priority != "urgent" {
			t.Fatalf("priority = %s", p.Priority)
		}
		e.wantEvent(c.ID, "priority_changed", "none", "urgent")
		n := e.countEvents(c.ID)
		_, err = e.svc.SetPriority(e.ctx, f.AgentAV(), c.ID, "urgent")
		ok(t, err, "SetPriority same")
		if e.countEvents(c.ID) != n {
			t.Fatal("unchanged priority added an event")
		}
		_, err = e.svc.SetPriority(e.ctx, f.AgentAV(), c.ID, "meh")
		wantErr(t, err, conversation.ErrInvalid, "bad priority")

		l, err := e.db.W().CreateLabel(e.ctx, f.WS.ID, store.Label{Name: "VIP", Color: "#f00"})
		ok(t, err, "CreateLabel")
		l2, err := e.db.W().CreateLabel(e.ctx, f.WS2.ID, store.Label{Name: "VIP", Color: "#f00"})
		ok(t, err, "CreateLabel ws2")
		_, err = e.svc.SetLabel(e.ctx, f.AgentAV(), c.ID, l.ID, true)
		ok(t, err, "SetLabel")
		if got := e.conv(c.ID); len(got.LabelIDs) != 1 || got.LabelIDs[0] != l.ID {
			t.Fatalf("labels = %v", got.LabelIDs)
		}
		if ev := e.lastEvent(c.ID); ev.Type != "label_added" {
			t.Fatalf("event = %+v", ev)
		}
		_, err = e.svc.SetLabel(e.ctx, f.AgentAV(), c.ID, l2.ID, true)
		wantErr(t, err, store.ErrNotFound, "label of another workspace")
		_, err = e.svc.SetLabel(e.ctx, f.AgentAV(), c.ID, l.ID, false)
		ok(t, err, "remove label")
		if got := e.conv(c.ID); len(got.LabelIDs) != 0 {
			t.Fatalf("labels after removal = %v", got.LabelIDs)
		}

		ok(t, e.svc.SetStar(e.ctx, f.AgentAV(), c.ID, true), "SetStar")
		a, err := e.db.R().Conversation(e.ctx, f.AgentAV(), c.ID)
		ok(t, err, "Conversation")
		s, err := e.db.R().Conversation(e.ctx, f.SupervisorV(), c.ID)
		ok(t, err, "Conversation")
		if !a.Starred || s.Starred {
			t.Fatalf("starred for A=%v, supervisor=%v; want only A", a.Starred, s.Starred)
		}

		m := e.receive("pls", "", "mensagem").Message
		lm, err := e.svc.SetMessageLabel(e.ctx, f.AgentAV(), m.ID, l.ID, true)
		ok(t, err, "SetMessageLabel")
		if len(lm.LabelIDs) != 1 || lm.LabelIDs[0] != l.ID {
			t.Fatalf("message labels = %v", lm.LabelIDs)
		}
		_, err = e.svc.SetMessageLabel(e.ctx, f.AgentAV(), m.ID, l2.ID, true)
		wantErr(t, err, store.ErrNotFound, "message label of another workspace")
	})
}

func TestThermometer(t *testing.T) {
	for _, tc := range []struct {
		waited int64
		want   string
	}{
		{0, conversation.Green}, {299, conversation.Green}, {300, conversation.Green},
		{301, conversation.Yellow}, {900, conversation.Yellow},
		{901, conversation.Red}, {100000, conversation.Red},
	} {
		if got := conversation.Level(tc.waited, 300, 900); got != tc.want {
			t.Errorf("Level(%d, 300, 900) = %s, want %s", tc.waited, got, tc.want)
		}
	}

	each(t, func(t *testing.T, e *env) {
		f := e.f
		c := e.queued("thermo")
		view := func() conversation.View {
			t.Helper()
			v, err := e.svc.View(e.ctx, e.conv(c.ID))
			ok(t, err, "View")
			return v
		}
		steps := []struct {
			advance time.Duration
			secs    int64
			want    string
		}{
			{0, 0, conversation.Green},
			{300 * time.Second, 300, conversation.Green},
			{time.Second, 301, conversation.Yellow},
			{599 * time.Second, 900, conversation.Yellow},
			{time.Second, 901, conversation.Red},
		}
		for _, s := range steps {
			e.clock.Add(s.advance)
			v := view()
			if v.Thermometer != s.want || v.WaitingSeconds == nil || *v.WaitingSeconds != s.secs || v.WaitingSince == nil || *v.WaitingSince != c.WaitingSince {
				t.Fatalf("after %ds: thermometer %q waiting %v, want %q %d", s.secs, v.Thermometer, v.WaitingSeconds, s.want, s.secs)
			}
			if !v.AutomationOn {
				t.Fatal("automation off before any agent reply")
			}
		}
		// Workspace thresholds apply.
		w := f.WS
		w.ThermometerYellowS, w.ThermometerRedS = 1000, 2000
		ok(t, e.db.W().UpdateWorkspace(e.ctx, w), "UpdateWorkspace")
		e.svc.ForgetWorkspace(f.WS.ID)
		if v := view(); v.Thermometer != conversation.Green {
			t.Fatalf("with yellow at 1000s: %s", v.Thermometer)
		}
		// An answer stops the clock.
		_, err := e.svc.Send(e.ctx, f.AgentAV(), c.ID, conversation.Outgoing{Content: "oi"})
		ok(t, err, "Send")
		if v := view(); v.Thermometer != "" || v.WaitingSeconds != nil || v.WaitingSince != nil || v.AutomationOn {
			t.Fatalf("after reply: %+v", v)
		}
		// The next customer message starts it again from that message.
		e.clock.Add(10 * time.Second)
		e.receive("thermo", "", "e aí?")
		e.clock.Add(5 * time.Second)
		if v := view(); v.WaitingSeconds == nil || *v.WaitingSeconds != 5 || v.Thermometer != conversation.Green {
			t.Fatalf("after a new customer message: %+v", v)
		}
	})
}
