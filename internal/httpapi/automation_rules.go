package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/atende/atende/internal/automation/rules"
	"github.com/atende/atende/internal/store"
)

type automationRuleInput struct {
	Name       *string         `json:"name"`
	Enabled    *bool           `json:"enabled"`
	Event      *string         `json:"event"`
	Minutes    *int            `json:"minutes"`
	Conditions json.RawMessage `json:"conditions"`
	Actions    json.RawMessage `json:"actions"`
}

// applyAutomationRule validates in over r and copies it there. The event
// decides which conditions are allowed, so conditions are checked again
// (from r's stored ones) whenever only the event changes. Conditions and
// actions are stored in their canonical form.
func (s *Server) applyAutomationRule(ctx context.Context, ws int64, in automationRuleInput, r *store.AutomationRule) error {
	if in.Name != nil {
		if err := rules.ValidateName(*in.Name); err != nil {
			return rulesInvalid(err)
		}
		if strings.ContainsRune(*in.Name, 0) {
			return errNUL
		}
		r.Name = strings.TrimSpace(*in.Name)
	}
	if in.Enabled != nil {
		r.Enabled = *in.Enabled
	}
	if in.Event != nil {
		r.Event = *in.Event
		if in.Minutes == nil && !rules.Timed(r.Event) {
			r.Minutes = 0
		}
	}
	if in.Minutes != nil {
		r.Minutes = *in.Minutes
	}
	if err := rules.ValidateEvent(r.Event, r.Minutes); err != nil {
		return rulesInvalid(err)
	}
	cond := in.Conditions
	if cond == nil {
		cond = r.Conditions
	}
	c, err := rules.ParseConditions(cond, r.Event)
	if err != nil {
		return rulesInvalid(err)
	}
	if hasNUL(reflect.ValueOf(c)) {
		return errNUL
	}
	r.Conditions, _ = json.Marshal(c)
	var acts []rules.Action
	if in.Actions != nil {
		if acts, err = rules.ParseActions(in.Actions); err != nil {
			return rulesInvalid(err)
		}
		if hasNUL(reflect.ValueOf(acts)) {
			return errNUL
		}
		r.Actions, _ = json.Marshal(acts)
	}
	return s.checkAutomationRefs(ctx, ws, c, acts)
}

func rulesInvalid(err error) error {
	return errValidation(strings.TrimPrefix(err.Error(), rules.ErrInvalid.Error()+": "))
}

// checkAutomationRefs refuses ids that are not the workspace's own: another
// tenant's department, label, channel, agent or webhook must never be
// reachable through a rule.
func (s *Server) checkAutomationRefs(ctx context.Context, ws int64, c rules.Conditions, acts []rules.Action) error {
	q := s.DB.R()
	type ref struct {
		field string
		ids   []int64
	}
	depts := []ref{{"conditions.department_ids", c.DepartmentIDs}}
	labels := []ref{{"conditions.has_label_ids", c.HasLabelIDs}, {"conditions.lacks_label_ids", c.LacksLabelIDs}}
	channels := []ref{{"conditions.channel_ids", c.ChannelIDs}}
	users := []ref{{"conditions.assignee_ids", c.AssigneeIDs}}
	var hooks []ref
	for i, a := range acts {
		field := func(name string) string { return fmt.Sprintf("actions[%d].%s", i, name) }
		switch {
		case a.DepartmentID != 0:
			depts = append(depts, ref{field("department_id"), []int64{a.DepartmentID}})
		case a.LabelID != 0:
			labels = append(labels, ref{field("label_id"), []int64{a.LabelID}})
		case a.UserID != 0:
			users = append(users, ref{field("user_id"), []int64{a.UserID}})
		case a.WebhookID != 0:
			hooks = append(hooks, ref{field("webhook_id"), []int64{a.WebhookID}})
		}
	}
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
	ids := func(n int, id func(int) int64) map[int64]bool {
		m := make(map[int64]bool, n)
		for i := 0; i < n; i++ {
			m[id(i)] = true
		}
		return m
	}
	return firstErr(
		func() error {
			return check(depts, func() (map[int64]bool, error) {
				l, err := q.Departments(ctx, ws)
				return ids(len(l), func(i int) int64 { return l[i].ID }), err
			})
		},
		func() error {
			return check(labels, func() (map[int64]bool, error) {
				l, err := q.Labels(ctx, ws)
				return ids(len(l), func(i int) int64 { return l[i].ID }), err
			})
		},
		func() error {
			return check(channels, func() (map[int64]bool, error) {
				l, err := q.Channels(ctx, ws)
				return ids(len(l), func(i int) int64 { return l[i].ID }), err
			})
		},
		func() error {
			return check(users, func() (map[int64]bool, error) {
				l, err := q.Users(ctx, ws)
				return ids(len(l), func(i int) int64 { return l[i].ID }), err
			})
		},
		func() error {
			return check(hooks, func() (map[int64]bool, error) {
				l, err := q.Webhooks(ctx, ws)
				return ids(len(l), func(i int) int64 { return l[i].ID }), err
			})
		},
	)
}

func firstErr(fns ...func() error) error {
	for _, fn := range fns {
		if err := fn(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) listAutomationRules(w http.ResponseWriter, r *http.Request) error {
	list, err := s.DB.R().AutomationRules(r.Context(), viewer(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) getAutomationRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rule, err := s.DB.R().AutomationRule(r.Context(), viewer(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rule)
	return nil
}

func (s *Server) createAutomationRule(w http.ResponseWriter, r *http.Request) error {
	var in automationRuleInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.Name == nil || in.Event == nil || in.Actions == nil {
		return errValidation("name, event and actions are required")
	}
	ws := viewer(r).WorkspaceID
	rule := store.AutomationRule{WorkspaceID: ws, Enabled: true, Conditions: json.RawMessage(`{}`)}
	if err := s.applyAutomationRule(r.Context(), ws, in, &rule); err != nil {
		return err
	}
	rule, err := s.DB.W().CreateAutomationRule(r.Context(), rule)
	if err != nil {
		return err
	}
	s.Conversations.ForgetRules(ws)
	writeJSON(w, http.StatusCreated, rule)
	return nil
}

func (s *Server) patchAutomationRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in automationRuleInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	rule, err := s.DB.R().AutomationRule(r.Context(), ws, id)
	if err != nil {
		return err
	}
	if err := s.applyAutomationRule(r.Context(), ws, in, &rule); err != nil {
		return err
	}
	if rule, err = s.DB.W().UpdateAutomationRule(r.Context(), rule); err != nil {
		return err
	}
	s.Conversations.ForgetRules(ws)
	writeJSON(w, http.StatusOK, rule)
	return nil
}

func (s *Server) deleteAutomationRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	if err := s.DB.W().DeleteAutomationRule(r.Context(), ws, id); err != nil {
		return err
	}
	s.Conversations.ForgetRules(ws)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
