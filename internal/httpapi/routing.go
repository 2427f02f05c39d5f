package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/atende/atende/internal/automation/routing"
	"github.com/atende/atende/internal/store"
)

type routingRuleInput struct {
	Name       *string         `json:"name"`
	Enabled    *bool           `json:"enabled"`
	Conditions json.RawMessage `json:"conditions"`
	Actions    json.RawMessage `json:"actions"`
}

type routingOrderInput struct {
	IDs []int64 `json:"ids"`
}

// applyRoutingRule validates in and copies it onto r. Conditions and
// actions are stored in their canonical form (what the parser read,
// written back), so a rule reads back the same whatever spacing it came in.
func (s *Server) applyRoutingRule(ctx context.Context, ws int64, in routingRuleInput, r *store.RoutingRule) error {
	if in.Name != nil {
		if err := routing.ValidateName(*in.Name); err != nil {
			return routingInvalid(err)
		}
		r.Name = strings.TrimSpace(*in.Name)
	}
	if in.Enabled != nil {
		r.Enabled = *in.Enabled
	}
	if in.Conditions != nil {
		c, err := routing.ParseConditions(in.Conditions)
		if err != nil {
			return routingInvalid(err)
		}
		if hasNUL(reflect.ValueOf(c)) {
			return errNUL
		}
		if err := s.checkRoutingRefs(ctx, ws, c, nil); err != nil {
			return err
		}
		r.Conditions, _ = json.Marshal(c)
	}
	if in.Actions != nil {
		a, err := routing.ParseActions(in.Actions)
		if err != nil {
			return routingInvalid(err)
		}
		if err := s.checkRoutingRefs(ctx, ws, routing.Conditions{}, &a); err != nil {
			return err
		}
		r.Actions, _ = json.Marshal(a)
	}
	return nil
}

func routingInvalid(err error) error {
	return errValidation(strings.TrimPrefix(err.Error(), routing.ErrInvalid.Error()+": "))
}

// checkRoutingRefs refuses ids that are not the workspace's own: another
// tenant's department or label must never be reachable through a rule.
func (s *Server) checkRoutingRefs(ctx context.Context, ws int64, c routing.Conditions, a *routing.Actions) error {
	q := s.DB.R()
	type ref struct {
		field string
		ids   []int64
	}
	var depts, labels, channels, users []ref
	if a != nil {
		if a.DepartmentID != 0 {
			depts = append(depts, ref{"actions.department_id", []int64{a.DepartmentID}})
		}
		labels = append(labels, ref{"actions.label_ids", a.LabelIDs})
		if a.BotID != 0 {
			if _, err := q.Bot(ctx, ws, a.BotID); errors.Is(err, store.ErrNotFound) {
				return errValidation(fmt.Sprintf("actions.bot_id: %d is not one of this workspace's", a.BotID))
			} else if err != nil {
				return err
			}
		}
	}
	depts = append(depts, ref{"conditions.last_department_ids", c.LastDepartmentIDs})
	labels = append(labels, ref{"conditions.has_label_ids", c.HasLabelIDs}, ref{"conditions.lacks_label_ids", c.LacksLabelIDs})
	channels = append(channels, ref{"conditions.channel_ids", c.ChannelIDs})
	users = append(users, ref{"conditions.owner_ids", c.OwnerIDs})
	check := func(refs []ref, load func() (map[int64]bool, error)) error {
		var known map[int64]bool
		for _, r := range refs {
			for _, id := range r.ids {
				if known == nil {
					var err error
					if known, err = load(); err != nil {
						return err
					}
				}
				if !known[id] {
					return errValidation(fmt.Sprintf("%s: %d is not one of this workspace's", r.field, id))
				}
			}
		}
		return nil
	}
	if err := check(depts, func() (map[int64]bool, error) {
		list, err := q.Departments(ctx, ws)
		m := map[int64]bool{}
		for _, d := range list {
			m[d.ID] = true
		}
		return m, err
	}); err != nil {
		return err
	}
	if err := check(labels, func() (map[int64]bool, error) {
		list, err := q.Labels(ctx, ws)
		m := map[int64]bool{}
		for _, l := range list {
			m[l.ID] = true
		}
		return m, err
	}); err != nil {
		return err
	}
	if err := check(channels, func() (map[int64]bool, error) {
		list, err := q.Channels(ctx, ws)
		m := map[int64]bool{}
		for _, c := range list {
			m[c.ID] = true
		}
		return m, err
	}); err != nil {
		return err
	}
	return check(users, func() (map[int64]bool, error) {
		list, err := q.Users(ctx, ws)
		m := map[int64]bool{}
		for _, u := range list {
			m[u.ID] = true
		}
		return m, err
	})
}

func (s *Server) listRoutingRules(w http.ResponseWriter, r *http.Request) error {
	list, err := s.DB.R().RoutingRules(r.Context(), viewer(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) getRoutingRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rule, err := s.DB.R().RoutingRule(r.Context(), viewer(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rule)
	return nil
}

func (s *Server) createRoutingRule(w http.ResponseWriter, r *http.Request) error {
	var in routingRuleInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.Name == nil || in.Actions == nil {
		return errValidation("name and actions are required")
	}
	if in.Conditions == nil {
		in.Conditions = json.RawMessage(`{}`)
	}
	ws := viewer(r).WorkspaceID
	rule := store.RoutingRule{WorkspaceID: ws, Enabled: true}
	if err := s.applyRoutingRule(r.Context(), ws, in, &rule); err != nil {
		return err
	}
	rule, err := s.DB.W().CreateRoutingRule(r.Context(), rule)
	if err != nil {
		return err
	}
	s.Conversations.ForgetRouting(ws)
	writeJSON(w, http.StatusCreated, rule)
	return nil
}

func (s *Server) patchRoutingRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in routingRuleInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	rule, err := s.DB.R().RoutingRule(r.Context(), ws, id)
	if err != nil {
		return err
	}
	if err := s.applyRoutingRule(r.Context(), ws, in, &rule); err != nil {
		return err
	}
	if rule, err = s.DB.W().UpdateRoutingRule(r.Context(), rule); err != nil {
		return err
	}
	s.Conversations.ForgetRouting(ws)
	writeJSON(w, http.StatusOK, rule)
	return nil
}

func (s *Server) deleteRoutingRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	if err := s.DB.Tx(r.Context(), func(q store.Q) error { return q.DeleteRoutingRule(r.Context(), ws, id) }); err != nil {
		return err
	}
	s.Conversations.ForgetRouting(ws)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// orderRoutingRules rewrites the evaluation order: ids lists every rule of
// the workspace once, first to be tried first.
func (s *Server) orderRoutingRules(w http.ResponseWriter, r *http.Request) error {
	var in routingOrderInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.IDs == nil {
		return errValidation("ids is required")
	}
	ws := viewer(r).WorkspaceID
	err := s.DB.Tx(r.Context(), func(q store.Q) error { return q.ReorderRoutingRules(r.Context(), ws, in.IDs) })
	if errors.Is(err, store.ErrInvalid) {
		return errValidation(strip(err, store.ErrInvalid))
	} else if err != nil {
		return err
	}
	s.Conversations.ForgetRouting(ws)
	list, err := s.DB.R().RoutingRules(r.Context(), ws)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}
