package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atende/atende/internal/automation/hours"
	"github.com/atende/atende/internal/store"
)

// businessHoursView is the business-hours setting as the API shows it,
// with whether it is open now by the server's clock.
type businessHoursView struct {
	Enabled  bool           `json:"enabled"`
	Schedule hours.Schedule `json:"schedule"`
	// Inherited: a department without its own hours shows the workspace's.
	Inherited bool    `json:"inherited"`
	OpenNow   bool    `json:"open_now"`
	NextOpen  *string `json:"next_open"`
}

type businessHoursInput struct {
	Enabled  *bool           `json:"enabled"`
	Schedule json.RawMessage `json:"schedule"`
}

// defaultSchedule is what an unset workspace shows: Monday to Friday, 8h
// to 18h, in the workspace's zone (still off until enabled).
func defaultSchedule(tz string) hours.Schedule {
	week := [7][]hours.Interval{}
	for d := time.Monday; d <= time.Friday; d++ {
		week[d] = []hours.Interval{{From: 8 * 60, To: 18 * 60}}
	}
	return hours.Schedule{Timezone: tz, Weekly: &week}
}

func (s *Server) hoursView(r *http.Request, dept int64) (businessHoursView, error) {
	ws := viewer(r).WorkspaceID
	q := s.DB.R()
	var v businessHoursView
	bh, err := q.EffectiveBusinessHours(r.Context(), ws, dept)
	switch {
	case errors.Is(err, store.ErrNotFound):
		w, err := s.Conversations.Workspace(r.Context(), ws)
		if err != nil {
			return v, err
		}
		v.Schedule, v.Inherited = defaultSchedule(w.Timezone), dept != 0
	case err != nil:
		return v, err
	default:
		v.Enabled, v.Inherited = bh.Enabled, dept != 0 && bh.DepartmentID == nil
		if err := json.Unmarshal([]byte(bh.Schedule), &v.Schedule); err != nil {
			return v, err
		}
	}
	v.OpenNow = true
	if v.Enabled && v.Schedule.Validate() == nil {
		now := s.Conversations.Now()
		v.OpenNow = v.Schedule.Open(now)
		if next := v.Schedule.NextOpen(now); !next.IsZero() && !v.OpenNow {
			t := next.UTC().Format(time.RFC3339)
			v.NextOpen = &t
		}
	}
	return v, nil
}

func (s *Server) getBusinessHours(w http.ResponseWriter, r *http.Request) error {
	v, err := s.hoursView(r, 0)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) getDepartmentHours(w http.ResponseWriter, r *http.Request) error {
	id, err := s.departmentParam(r)
	if err != nil {
		return err
	}
	v, err := s.hoursView(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// departmentParam reads {id} as a department of the viewer's workspace.
func (s *Server) departmentParam(r *http.Request) (int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, err
	}
	if _, err := s.DB.R().Department(r.Context(), viewer(r).WorkspaceID, id); err != nil {
		return 0, err
	}
	return id, nil
}

func (s *Server) putBusinessHours(w http.ResponseWriter, r *http.Request) error {
	return s.setHours(w, r, 0)
}

func (s *Server) putDepartmentHours(w http.ResponseWriter, r *http.Request) error {
	id, err := s.departmentParam(r)
	if err != nil {
		return err
	}
	return s.setHours(w, r, id)
}

func (s *Server) setHours(w http.ResponseWriter, r *http.Request, dept int64) error {
	var in businessHoursInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.Enabled == nil || len(in.Schedule) == 0 || string(in.Schedule) == "null" {
		return errValidation("enabled and schedule are required")
	}
	var sch hours.Schedule
	if err := json.Unmarshal(in.Schedule, &sch); err != nil {
		return errValidation("schedule: " + strings.TrimPrefix(err.Error(), "json: "))
	}
	if err := sch.Validate(); err != nil {
		return errValidation("schedule: " + strings.TrimPrefix(err.Error(), hours.ErrInvalid.Error()+": "))
	}
	b, err := json.Marshal(sch)
	if err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	row := store.BusinessHours{WorkspaceID: ws, Enabled: *in.Enabled, Schedule: string(b)}
	if dept != 0 {
		row.DepartmentID = &dept
	}
	if _, err := s.DB.W().SetBusinessHours(r.Context(), row); err != nil {
		return err
	}
	v, err := s.hoursView(r, dept)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) deleteDepartmentHours(w http.ResponseWriter, r *http.Request) error {
	id, err := s.departmentParam(r)
	if err != nil {
		return err
	}
	if err := s.DB.W().DeleteBusinessHours(r.Context(), viewer(r).WorkspaceID, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// automationMessagesView is the workspace's automatic texts.
type automationMessagesView struct {
	Language          string `json:"language"`
	GreetingEnabled   bool   `json:"greeting_enabled"`
	Greeting          string `json:"greeting"`
	OutOfHoursEnabled bool   `json:"out_of_hours_enabled"`
	OutOfHours        string `json:"out_of_hours"`
	ClosingEnabled    bool   `json:"closing_enabled"`
	Closing           string `json:"closing"`
	CSATEnabled       bool   `json:"csat_enabled"`
	CSAT              string `json:"csat"`
	// Inherited: a department without texts of its own shows the
	// workspace's (only on a department's texts).
	Inherited *bool `json:"inherited,omitempty"`
}

func messagesView(m store.AutomationMessages, dept int64) automationMessagesView {
	v := automationMessagesView{Language: m.Language, GreetingEnabled: m.GreetingEnabled, Greeting: m.Greeting, OutOfHoursEnabled: m.AwayEnabled,
		OutOfHours: m.Away, ClosingEnabled: m.ClosingEnabled, Closing: m.Closing, CSATEnabled: m.CSATEnabled, CSAT: m.CSAT}
	if dept != 0 {
		inherited := m.DepartmentID == nil || *m.DepartmentID != dept
		v.Inherited = &inherited
	}
	return v
}

type automationMessagesInput struct {
	Language          *string `json:"language"`
	GreetingEnabled   *bool   `json:"greeting_enabled"`
	Greeting          *string `json:"greeting"`
	OutOfHoursEnabled *bool   `json:"out_of_hours_enabled"`
	OutOfHours        *string `json:"out_of_hours"`
	ClosingEnabled    *bool   `json:"closing_enabled"`
	Closing           *string `json:"closing"`
	CSATEnabled       *bool   `json:"csat_enabled"`
	CSAT              *string `json:"csat"`
}

// maxAutomaticText bounds an automatic text: a chat message, not a letter.
const maxAutomaticText = 2000

func (s *Server) getAutomationMessages(w http.ResponseWriter, r *http.Request) error {
	return s.showMessages(w, r, 0)
}

func (s *Server) getDepartmentMessages(w http.ResponseWriter, r *http.Request) error {
	id, err := s.departmentParam(r)
	if err != nil {
		return err
	}
	return s.showMessages(w, r, id)
}

// showMessages answers the texts that apply to dept (0: the workspace).
func (s *Server) showMessages(w http.ResponseWriter, r *http.Request, dept int64) error {
	m, err := s.DB.R().EffectiveAutomationMessages(r.Context(), viewer(r).WorkspaceID, dept)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, messagesView(m, dept))
	return nil
}

func (s *Server) putAutomationMessages(w http.ResponseWriter, r *http.Request) error {
	return s.setMessages(w, r, 0)
}

// putDepartmentMessages gives a department texts of its own, starting
// from those it inherited.
func (s *Server) putDepartmentMessages(w http.ResponseWriter, r *http.Request) error {
	id, err := s.departmentParam(r)
	if err != nil {
		return err
	}
	return s.setMessages(w, r, id)
}

// deleteDepartmentMessages returns a department to the workspace's texts.
func (s *Server) deleteDepartmentMessages(w http.ResponseWriter, r *http.Request) error {
	id, err := s.departmentParam(r)
	if err != nil {
		return err
	}
	if err := s.DB.W().DeleteAutomationMessages(r.Context(), viewer(r).WorkspaceID, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// setMessages changes the fields given of dept's texts (0: the
// workspace's) and keeps the others.
func (s *Server) setMessages(w http.ResponseWriter, r *http.Request, dept int64) error {
	var in automationMessagesInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	var out store.AutomationMessages
	err := s.DB.Tx(r.Context(), func(q store.Q) error {
		m, err := q.EffectiveAutomationMessages(r.Context(), ws, dept)
		if err != nil {
			return err
		}
		if in.Language != nil {
			if *in.Language != hours.PtBR && *in.Language != hours.En {
				return errValidation("language must be pt-BR or en")
			}
			m.Language = *in.Language
		}
		texts := []struct {
			name  string
			on    *bool
			text  *string
			dstOn *bool
			dst   *string
		}{
			{"greeting", in.GreetingEnabled, in.Greeting, &m.GreetingEnabled, &m.Greeting},
			{"out_of_hours", in.OutOfHoursEnabled, in.OutOfHours, &m.AwayEnabled, &m.Away},
			{"closing", in.ClosingEnabled, in.Closing, &m.ClosingEnabled, &m.Closing},
			{"csat", in.CSATEnabled, in.CSAT, &m.CSATEnabled, &m.CSAT},
		}
		for _, t := range texts {
			if t.text != nil {
				v := strings.TrimSpace(*t.text)
				if utf8.RuneCountInString(v) > maxAutomaticText || !utf8.ValidString(v) {
					return errValidation(t.name + " has at most 2000 characters")
				}
				*t.dst = v
			}
			if t.on != nil {
				*t.dstOn = *t.on
			}
			if *t.dstOn && *t.dst == "" {
				return errValidation(t.name + " cannot be enabled without a text")
			}
		}
		m.WorkspaceID, m.DepartmentID = ws, nil
		if dept != 0 {
			m.DepartmentID = &dept
		}
		out, err = q.SetAutomationMessages(r.Context(), m)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, messagesView(out, dept))
	return nil
}
