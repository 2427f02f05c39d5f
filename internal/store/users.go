package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/atende/atende/internal/access"
)

// User is a person who logs in to one workspace.
type User struct {
	ID            int64        `json:"id"`
	WorkspaceID   int64        `json:"workspace_id"`
	Email         string       `json:"email"`
	Name          string       `json:"name"`
	Role          access.Role  `json:"role"`
	Scope         access.Scope `json:"scope"`
	Capacity      int64        `json:"capacity"`
	Presence      string       `json:"presence"`
	PresenceAt    int64        `json:"-"`
	Active        bool         `json:"active"`
	DepartmentIDs []int64      `json:"department_ids"`
	PasswordHash  string       `json:"-"`
	CreatedAt     int64        `json:"-"`
}

// Viewer is the access view of u.
func (u User) Viewer() access.Viewer {
	return access.Viewer{WorkspaceID: u.WorkspaceID, UserID: u.ID, Role: u.Role, Scope: u.Scope, DepartmentIDs: u.DepartmentIDs}
}

// Presence values.
const (
	PresenceOnline  = "online"
	PresenceAway    = "away"
	PresenceOffline = "offline"
)

const userCols = `id, workspace_id, email, name, role, scope, capacity, presence, presence_at, active, password_hash, created_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var active int64
	err := row.Scan(&u.ID, &u.WorkspaceID, &u.Email, &u.Name, &u.Role, &u.Scope, &u.Capacity, &u.Presence, &u.PresenceAt, &active, &u.PasswordHash, &u.CreatedAt)
	u.Active = active != 0
	return u, mapErr(err)
}

// CreateUser inserts u (with its departments) and returns it with its id.
func (q Q) CreateUser(ctx context.Context, u User) (User, error) {
	if u.Presence == "" {
		u.Presence = PresenceOffline
	}
	if u.Scope == "" {
		u.Scope = access.ScopeDepartment
	}
	id, err := q.insert(ctx, `INSERT INTO users (workspace_id, email, name, password_hash, role, scope, capacity, presence, active, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9)`,
		u.WorkspaceID, strings.ToLower(u.Email), u.Name, u.PasswordHash, u.Role, u.Scope, u.Capacity, u.Presence, Now())
	if err != nil {
		return User{}, fmt.Errorf("store: create user %s: %w", u.Email, err)
	}
	if err := q.SetUserDepartments(ctx, u.WorkspaceID, id, u.DepartmentIDs); err != nil {
		return User{}, err
	}
	return q.User(ctx, u.WorkspaceID, id)
}

// User returns a user of workspace ws with their department ids.
func (q Q) User(ctx context.Context, ws, id int64) (User, error) {
	u, err := scanUser(q.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1 AND workspace_id = $2`, id, ws))
	if err != nil {
		return u, fmt.Errorf("store: get user %d: %w", id, err)
	}
	u.DepartmentIDs, err = q.userDepartments(ctx, id)
	return u, err
}

// UserByEmail finds a user by e-mail in any workspace (e-mails are unique across the deployment).
func (q Q) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(q.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE email = $1`, strings.ToLower(strings.TrimSpace(email))))
	if err != nil {
		return u, fmt.Errorf("store: get user by email: %w", err)
	}
	u.DepartmentIDs, err = q.userDepartments(ctx, u.ID)
	return u, err
}

func (q Q) userDepartments(ctx context.Context, userID int64) ([]int64, error) {
	rows, err := q.query(ctx, `SELECT department_id FROM department_members WHERE user_id = $1 ORDER BY department_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: departments of user %d: %w", userID, err)
	}
	return scanIDs(rows)
}

// Users lists the users of a workspace with their departments.
func (q Q) Users(ctx context.Context, ws int64) ([]User, error) {
	rows, err := q.query(ctx, `SELECT `+userCols+` FROM users WHERE workspace_id = $1 ORDER BY name, id`, ws)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	defer rows.Close()
	var users []User
	byID := map[int64]int{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		u.DepartmentIDs = []int64{}
		byID[u.ID] = len(users)
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	mrows, err := q.query(ctx, `SELECT m.user_id, m.department_id FROM department_members m JOIN users u ON u.id = m.user_id
		WHERE u.workspace_id = $1 ORDER BY m.department_id`, ws)
	if err != nil {
		return nil, fmt.Errorf("store: list members: %w", err)
	}
	defer mrows.Close()
	for mrows.Next() {
		var uid, did int64
		if err := mrows.Scan(&uid, &did); err != nil {
			return nil, err
		}
		if i, ok := byID[uid]; ok {
			users[i].DepartmentIDs = append(users[i].DepartmentIDs, did)
		}
	}
	return users, mrows.Err()
}

// UpdateUser writes the editable fields of u (not password, not presence).
func (q Q) UpdateUser(ctx context.Context, u User) error {
	res, err := q.exec(ctx, `UPDATE users SET name = $3, role = $4, scope = $5, capacity = $6, active = $7, email = $8
		WHERE id = $1 AND workspace_id = $2`, u.ID, u.WorkspaceID, u.Name, u.Role, u.Scope, u.Capacity, boolInt(u.Active), strings.ToLower(u.Email))
	return affected(res, err, "update user", u.ID)
}

// SetPassword replaces a user's password hash.
func (q Q) SetPassword(ctx context.Context, ws, id int64, hash string) error {
	res, err := q.exec(ctx, `UPDATE users SET password_hash = $3 WHERE id = $1 AND workspace_id = $2`, id, ws, hash)
	return affected(res, err, "set password", id)
}

// SetPresence records a user's presence.
func (q Q) SetPresence(ctx context.Context, ws, id int64, presence string) error {
	res, err := q.exec(ctx, `UPDATE users SET presence = $3, presence_at = $4 WHERE id = $1 AND workspace_id = $2`, id, ws, presence, Now())
	return affected(res, err, "set presence", id)
}

// DeleteUser removes a user; their conversations fall back to their department queues.
func (q Q) DeleteUser(ctx context.Context, ws, id int64) error {
	if _, err := q.exec(ctx, `UPDATE conversations SET assignee_id = NULL, status = 'queued', updated_at = $3
		WHERE workspace_id = $1 AND assignee_id = $2 AND status = 'open'`, ws, id, Now()); err != nil {
		return fmt.Errorf("store: release conversations of user %d: %w", id, err)
	}
	res, err := q.exec(ctx, `DELETE FROM users WHERE id = $1 AND workspace_id = $2`, id, ws)
	return affected(res, err, "delete user", id)
}

// SetUserDepartments replaces the departments of a user; every id must be a
// department of the same workspace.
func (q Q) SetUserDepartments(ctx context.Context, ws, userID int64, departmentIDs []int64) error {
	if _, err := q.exec(ctx, `DELETE FROM department_members WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("store: clear departments of user %d: %w", userID, err)
	}
	for _, d := range departmentIDs {
		res, err := q.exec(ctx, `INSERT INTO department_members (department_id, user_id)
			SELECT id, $2 FROM departments WHERE id = $1 AND workspace_id = $3 ON CONFLICT DO NOTHING`, d, userID, ws)
		if err != nil {
			return fmt.Errorf("store: add user %d to department %d: %w", userID, d, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var exists int
			if err := q.queryRow(ctx, `SELECT count(*) FROM departments WHERE id = $1 AND workspace_id = $2`, d, ws).Scan(&exists); err != nil || exists == 0 {
				return fmt.Errorf("store: department %d: %w", d, ErrBadReference)
			}
		}
	}
	return nil
}

func scanIDs(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}) ([]int64, error) {
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
