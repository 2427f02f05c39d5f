// Package access describes who is asking (a Viewer) and which conversations
// that person may see, following DESIGN §3. The store turns these rules into
// SQL; realtime fan-out applies the same rules in memory to pushed events.
package access

import "slices"

// Role is a user's role inside one workspace.
type Role string

const (
	RoleAdmin      Role = "admin"
	RoleSupervisor Role = "supervisor"
	RoleAgent      Role = "agent"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleSupervisor || r == RoleAgent
}

// Scope limits what an agent sees: the conversations of their departments,
// or only those assigned to them.
type Scope string

const (
	ScopeDepartment Scope = "department"
	ScopeAssigned   Scope = "assigned"
)

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return s == ScopeDepartment || s == ScopeAssigned }

// Viewer is the authenticated user on whose behalf a request runs.
type Viewer struct {
	WorkspaceID   int64
	UserID        int64
	Role          Role
	Scope         Scope
	DepartmentIDs []int64
}

// IsAdmin reports whether the viewer sees the whole workspace.
func (v Viewer) IsAdmin() bool { return v.Role == RoleAdmin }

// CanManage reports whether the viewer may change workspace configuration
// that supervisors share with admins (labels, quick replies).
func (v Viewer) CanManage() bool { return v.Role == RoleAdmin || v.Role == RoleSupervisor }

// AssignedOnly reports whether the viewer sees only conversations assigned to them.
func (v Viewer) AssignedOnly() bool { return v.Role == RoleAgent && v.Scope == ScopeAssigned }

// InDepartment reports whether the viewer is a member of department id.
func (v Viewer) InDepartment(id int64) bool { return slices.Contains(v.DepartmentIDs, id) }

// CanSeeConversation applies DESIGN §3 to a conversation's denormalised
// workspace, department and assignee. departmentID and assigneeID are 0 when unset.
func (v Viewer) CanSeeConversation(workspaceID, departmentID, assigneeID int64) bool {
	if workspaceID != v.WorkspaceID {
		return false
	}
	switch {
	case v.IsAdmin():
		return true
	case v.AssignedOnly():
		return assigneeID != 0 && assigneeID == v.UserID
	default:
		return (assigneeID != 0 && assigneeID == v.UserID) || (departmentID != 0 && v.InDepartment(departmentID))
	}
}
