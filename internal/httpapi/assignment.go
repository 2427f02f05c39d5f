package httpapi

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/atende/atende/internal/store"
)

type assignmentInput struct {
	Mode                *string `json:"mode"`
	DepartmentLimit     *int64  `json:"department_limit"`
	ReleaseOnOffline    *bool   `json:"release_on_offline"`
	QueueMessageEnabled *bool   `json:"queue_message_enabled"`
	QueueMessage        *string `json:"queue_message"`
}

// maxDepartmentLimit bounds the per-agent limit: far above any inbox a
// person can work.
const maxDepartmentLimit = 10000

func (s *Server) getAssignment(w http.ResponseWriter, r *http.Request) error {
	id, err := s.departmentParam(r)
	if err != nil {
		return err
	}
	a, err := s.DB.R().AssignmentSettings(r.Context(), viewer(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// putAssignment changes the fields given and keeps the others.
func (s *Server) putAssignment(w http.ResponseWriter, r *http.Request) error {
	id, err := s.departmentParam(r)
	if err != nil {
		return err
	}
	var in assignmentInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	a, err := s.DB.R().AssignmentSettings(r.Context(), ws, id)
	if err != nil {
		return err
	}
	if in.Mode != nil {
		switch *in.Mode {
		case store.AssignOff, store.AssignRoundRobin, store.AssignLeastBusy:
			a.Mode = *in.Mode
		default:
			return errValidation("mode must be off, round_robin or least_busy")
		}
	}
	if in.DepartmentLimit != nil {
		if *in.DepartmentLimit < 0 || *in.DepartmentLimit > maxDepartmentLimit {
			return errValidation("department_limit must be between 0 (none) and 10000")
		}
		a.DepartmentLimit = *in.DepartmentLimit
	}
	if in.ReleaseOnOffline != nil {
		a.ReleaseOnOffline = *in.ReleaseOnOffline
	}
	if in.QueueMessageEnabled != nil {
		a.QueueMessageEnabled = *in.QueueMessageEnabled
	}
	if in.QueueMessage != nil {
		if !utf8.ValidString(*in.QueueMessage) || utf8.RuneCountInString(*in.QueueMessage) > maxAutomaticText {
			return errValidation("queue_message must be valid text of at most 2000 characters")
		}
		a.QueueMessage = *in.QueueMessage
	}
	if a.QueueMessageEnabled && strings.TrimSpace(a.QueueMessage) == "" {
		return errValidation("queue_message is required when queue_message_enabled is true")
	}
	if err := s.DB.W().SetAssignmentSettings(r.Context(), a); err != nil {
		return err
	}
	if err := s.Conversations.ForgetAssignment(r.Context(), ws, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
