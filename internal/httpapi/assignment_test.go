package httpapi_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/atende/atende/internal/store"
)

// TestAutoAssignmentThroughAPI: an admin turns round-robin on for Vendas;
// customers writing through the API channel are assigned to the online
// agent up to their capacity, the next one hears its place in the queue,
// and the agent going away (with release on) sends their conversations
// back to the queue; the supervisor coming online takes them.
func TestAutoAssignmentThroughAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		f := h.fix
		vendas := fmt.Sprintf("/api/v1/departments/%d/assignment", f.Vendas.ID)
		var set store.AssignmentSettings
		h.must(200, actAgentA, "GET", vendas, nil).into(t, &set)
		if set.Mode != store.AssignOff || set.QueueMessage == "" {
			t.Fatalf("default setting: %+v", set)
		}
		// AgentA holds at most 2; the others of Vendas stay offline
		a := f.AgentA
		a.Capacity = 2
		if err := h.db.W().UpdateUser(t.Context(), a); err != nil {
			t.Fatal(err)
		}
		h.must(200, actAgentA, "PUT", "/api/v1/me/presence", map[string]any{"presence": "online"})
		h.must(200, actAdmin, "PUT", vendas, map[string]any{"mode": "round_robin", "release_on_offline": true,
			"queue_message_enabled": true, "queue_message": "Você é o {{position}}º da fila"}).into(t, &set)
		if set.Mode != store.AssignRoundRobin || !set.ReleaseOnOffline || set.DepartmentID != f.Vendas.ID {
			t.Fatalf("after PUT: %+v", set)
		}
		var convs []int64
		for i := 0; i < 3; i++ {
			convs = append(convs, h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), h.uniq("c"), "oi"), 201).ConversationID)
		}
		eventually(t, 10*time.Second, "two assigned, one told its place", func() bool {
			told := false
			for _, m := range h.messages(convs[2]) {
				told = told || (m.SenderType == store.SenderBot && m.Content == "Você é o 1º da fila")
			}
			return h.conversation(f.WS.ID, convs[0]).Assignee() == a.ID && h.conversation(f.WS.ID, convs[1]).Assignee() == a.ID && told
		})
		if c := h.conversation(f.WS.ID, convs[2]); c.Status != store.StatusQueued {
			t.Fatalf("third conversation: %s", c.Status)
		}
		h.must(200, actAgentA, "PUT", "/api/v1/me/presence", map[string]any{"presence": "away"})
		h.must(200, actSupervisor, "PUT", "/api/v1/me/presence", map[string]any{"presence": "online"})
		eventually(t, 10*time.Second, "released and taken by the supervisor", func() bool {
			for _, id := range convs {
				if h.conversation(f.WS.ID, id).Assignee() != f.Supervisor.ID {
					return false
				}
			}
			return true
		})
	})
}

// TestAssignmentResumesWhenCapacityGrows: an admin raising an agent's
// capacity hands them the customer who was waiting for room.
func TestAssignmentResumesWhenCapacityGrows(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		f := h.fix
		h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/users/%d", f.AgentA.ID), map[string]any{"capacity": 1})
		h.must(200, actAgentA, "PUT", "/api/v1/me/presence", map[string]any{"presence": "online"})
		h.must(200, actAdmin, "PUT", fmt.Sprintf("/api/v1/departments/%d/assignment", f.Vendas.ID), map[string]any{"mode": "least_busy"})
		first := h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), h.uniq("c"), "oi"), 201).ConversationID
		second := h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), h.uniq("c"), "oi"), 201).ConversationID
		eventually(t, 10*time.Second, "the first assigned", func() bool { return h.conversation(f.WS.ID, first).Assignee() == f.AgentA.ID })
		time.Sleep(200 * time.Millisecond)
		if c := h.conversation(f.WS.ID, second); c.Status != store.StatusQueued {
			t.Fatalf("the second with the agent full: %s", c.Status)
		}
		h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/users/%d", f.AgentA.ID), map[string]any{"capacity": 2})
		eventually(t, 10*time.Second, "the second assigned once there is room", func() bool {
			return h.conversation(f.WS.ID, second).Assignee() == f.AgentA.ID
		})
	})
}
