package conversation

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/atende/atende/internal/automation/routing"
	"github.com/atende/atende/internal/store"
)

// routingTTL bounds how long a node routes by rules another node changed:
// the node that writes a rule forgets its cache at once (ForgetRouting).
const routingTTL = 5 * time.Second

// routeCache keeps each workspace's parsed enabled rules, an empty list
// included: a workspace without rules then pays one map lookup per new
// conversation, not a query. The zero value is ready to use.
type routeCache struct {
	mu sync.Mutex
	m  map[int64]cachedRules
}

type cachedRules struct {
	rules []routing.Rule
	exp   time.Time
}

// ForgetRouting drops a workspace's cached routing rules after they changed.
func (s *Service) ForgetRouting(ws int64) {
	s.routes.mu.Lock()
	delete(s.routes.m, ws)
	s.routes.mu.Unlock()
}

// routingRules returns the workspace's enabled rules in order, read through
// q (the caller's transaction) when the cache has none fresh.
func (s *Service) routingRules(ctx context.Context, q store.Q, ws int64) ([]routing.Rule, error) {
	s.routes.mu.Lock()
	c, ok := s.routes.m[ws]
	s.routes.mu.Unlock()
	if ok && time.Now().Before(c.exp) {
		return c.rules, nil
	}
	stored, err := q.RoutingRules(ctx, ws)
	if err != nil {
		return nil, err
	}
	rules := make([]routing.Rule, 0, len(stored))
	for _, r := range stored {
		if !r.Enabled {
			continue
		}
		cond, err := routing.ParseConditions(r.Conditions)
		var act routing.Actions
		if err == nil {
			act, err = routing.ParseActions(r.Actions)
		}
		if err != nil {
			// The API validates every write, so this is a rule from a later
			// version read by an older node: skipping it routes as before.
			s.log.Warn("conversation: skipping a routing rule that does not parse", "workspace", ws, "rule", r.ID, "err", err)
			continue
		}
		rules = append(rules, routing.Rule{ID: r.ID, Position: r.Position, Name: r.Name, Enabled: true, Conditions: cond, Actions: act})
	}
	s.routes.mu.Lock()
	if s.routes.m == nil {
		s.routes.m = map[int64]cachedRules{}
	}
	s.routes.m[ws] = cachedRules{rules: rules, exp: time.Now().Add(routingTTL)}
	s.routes.mu.Unlock()
	return rules, nil
}

// route is the rule that classifies a new conversation, nil when none
// applies (the channel's or the default department then takes it).
type route struct {
	rule routing.Rule
	dept int64
}

// route evaluates the workspace's rules for a new conversation of contactID
// on ch, gathering only the facts the rules look at. A matching rule whose
// department no longer exists is skipped for the next one.
func (s *Service) route(ctx context.Context, q store.Q, ch store.Channel, contactID, now int64) (*route, error) {
	rules, err := s.routingRules(ctx, q, ch.WorkspaceID)
	if err != nil || len(rules) == 0 {
		return nil, err
	}
	needs := routing.NeedsOf(rules)
	f := routing.Facts{ChannelID: ch.ID, ChannelKind: ch.Kind}
	if needs.Contact {
		ct, err := q.Contact(ctx, ch.WorkspaceID, contactID)
		if err != nil {
			return nil, err
		}
		f.Attributes, f.LabelIDs = ct.Attributes, ct.LabelIDs
		if ct.OwnerID != nil {
			f.OwnerID = *ct.OwnerID
		}
	}
	if needs.History {
		h, err := q.ContactHistoryOf(ctx, ch.WorkspaceID, contactID)
		if err != nil {
			return nil, err
		}
		f.ServedBefore, f.LastDepartmentID = h.ServedBefore, h.LastDepartmentID
	}
	if needs.Hours {
		sch, err := s.scheduleFor(ctx, q, ch.WorkspaceID, 0)
		if err != nil {
			return nil, err
		}
		f.Open = sch.Open(time.UnixMilli(now))
	}
	for start := 0; start < len(rules); {
		i, ok := routing.Evaluate(rules[start:], f)
		if !ok {
			return nil, nil
		}
		r := rules[start+i]
		dept := r.Department(f)
		_, err := q.DepartmentName(ctx, ch.WorkspaceID, dept)
		if errors.Is(err, store.ErrNotFound) {
			start += i + 1
			continue
		} else if err != nil {
			return nil, err
		}
		return &route{rule: r, dept: dept}, nil
	}
	return nil, nil
}

// apply sets the department and priority the rule chose on a conversation
// about to be stored; a nil route changes nothing.
func (rt *route) apply(c *store.Conversation) {
	if rt == nil {
		return
	}
	c.DepartmentID = &rt.dept
	if rt.rule.Actions.Priority != "" {
		c.Priority = rt.rule.Actions.Priority
	}
}

// botID is the bot the rule chose (0: the department's own, if any).
func (rt *route) botID() int64 {
	if rt == nil {
		return 0
	}
	return rt.rule.Actions.BotID
}

// finish adds the rule's labels to the stored conversation c (a label
// deleted since is skipped) and returns the "routed" timeline event, which
// names the rule as "<position>:<name>" for the timeline's sentence.
func (rt *route) finish(ctx context.Context, q store.Q, c *store.Conversation, now int64) ([]store.Message, error) {
	if rt == nil {
		return nil, nil
	}
	for _, id := range rt.rule.Actions.LabelIDs {
		added, err := q.SetConversationLabel(ctx, c.WorkspaceID, c.ID, id, true)
		if errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		if added {
			c.LabelIDs = append(c.LabelIDs, id)
		}
	}
	detail := strconv.Itoa(rt.rule.Position) + ":" + rt.rule.Name
	return []store.Message{eventMessage(*c, now, store.SenderSystem, 0, store.Event{Type: "routed", Department: c.DepartmentID, Detail: detail})}, nil
}
