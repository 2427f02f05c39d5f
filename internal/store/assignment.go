package store

import (
	"context"
	"errors"
	"fmt"
)

// Assignment modes of a department (DESIGN M2).
const (
	AssignOff        = "off"
	AssignRoundRobin = "round_robin"
	AssignLeastBusy  = "least_busy"
)

// AssignmentSettings is how a department hands out its queue.
type AssignmentSettings struct {
	WorkspaceID  int64  `json:"-"`
	DepartmentID int64  `json:"department_id"`
	Mode         string `json:"mode"`
	// DepartmentLimit caps each agent's open conversations when lower
	// than their own capacity; 0 is no cap.
	DepartmentLimit int64 `json:"department_limit"`
	// ReleaseOnOffline returns an agent's open conversations of the
	// department to its queue when they go offline or away.
	ReleaseOnOffline    bool   `json:"release_on_offline"`
	QueueMessageEnabled bool   `json:"queue_message_enabled"`
	QueueMessage        string `json:"queue_message"`
	UpdatedAt           int64  `json:"-"`
}

// DefaultQueueMessage is the position message a department starts with.
const DefaultQueueMessage = "Você é o {{position}}º da fila. Já vamos te atender."

// DefaultAssignmentSettings is a department's setting before an admin
// changes it: agents pull from the queue.
func DefaultAssignmentSettings(ws, dept int64) AssignmentSettings {
	return AssignmentSettings{WorkspaceID: ws, DepartmentID: dept, Mode: AssignOff, QueueMessage: DefaultQueueMessage}
}

const assignmentCols = `workspace_id, department_id, mode, department_limit, release_on_offline, queue_message_enabled, queue_message, updated_at`

func scanAssignment(row interface{ Scan(...any) error }) (AssignmentSettings, error) {
	var a AssignmentSettings
	var release, enabled int64
	err := row.Scan(&a.WorkspaceID, &a.DepartmentID, &a.Mode, &a.DepartmentLimit, &release, &enabled, &a.QueueMessage, &a.UpdatedAt)
	a.ReleaseOnOffline, a.QueueMessageEnabled = release != 0, enabled != 0
	return a, mapErr(err)
}

// AssignmentSettings reads a department's setting, the default when it has
// none; ErrNotFound when the department is not one of ws.
func (q Q) AssignmentSettings(ctx context.Context, ws, dept int64) (AssignmentSettings, error) {
	a, err := scanAssignment(q.queryRow(ctx, `SELECT `+assignmentCols+` FROM assignment_settings WHERE department_id = $1 AND workspace_id = $2`, dept, ws))
	if err == nil {
		return a, nil
	} else if !errors.Is(err, ErrNotFound) {
		return a, fmt.Errorf("store: assignment settings: %w", err)
	}
	if _, err := q.Department(ctx, ws, dept); err != nil {
		return AssignmentSettings{}, err
	}
	return DefaultAssignmentSettings(ws, dept), nil
}

// WorkspaceAssignmentSettings lists the stored settings of a workspace's
// departments (those without a row are off).
func (q Q) WorkspaceAssignmentSettings(ctx context.Context, ws int64) ([]AssignmentSettings, error) {
	rows, err := q.query(ctx, `SELECT `+assignmentCols+` FROM assignment_settings WHERE workspace_id = $1 ORDER BY department_id`, ws)
	if err != nil {
		return nil, fmt.Errorf("store: assignment settings: %w", err)
	}
	defer rows.Close()
	var out []AssignmentSettings
	for rows.Next() {
		a, err := scanAssignment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SetAssignmentSettings writes a department's setting (validated by the
// caller); ErrNotFound when the department is not one of a.WorkspaceID.
func (q Q) SetAssignmentSettings(ctx context.Context, a AssignmentSettings) error {
	if _, err := q.Department(ctx, a.WorkspaceID, a.DepartmentID); err != nil {
		return err
	}
	_, err := q.exec(ctx, `INSERT INTO assignment_settings (`+assignmentCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (department_id) DO UPDATE SET mode = excluded.mode, department_limit = excluded.department_limit,
			release_on_offline = excluded.release_on_offline, queue_message_enabled = excluded.queue_message_enabled,
			queue_message = excluded.queue_message, updated_at = excluded.updated_at`,
		a.WorkspaceID, a.DepartmentID, a.Mode, a.DepartmentLimit, boolInt(a.ReleaseOnOffline), boolInt(a.QueueMessageEnabled), a.QueueMessage, Now())
	if err != nil {
		return fmt.Errorf("store: set assignment settings: %w", err)
	}
	return nil
}

// LockAssignment takes the department's assignment lock for the rest of
// the transaction (a row lock on PostgreSQL; SQLite has one writer) and
// returns the round-robin pointer: the last agent given a conversation.
func (q Q) LockAssignment(ctx context.Context, dept int64) (int64, error) {
	if _, err := q.exec(ctx, `INSERT INTO assignment_state (department_id, last_user_id, updated_at) VALUES ($1, 0, $2)
		ON CONFLICT (department_id) DO NOTHING`, dept, Now()); err != nil {
		return 0, fmt.Errorf("store: assignment state: %w", err)
	}
	lock := ""
	if q.d == Postgres {
		lock = " FOR UPDATE"
	}
	var last int64
	err := q.queryRow(ctx, `SELECT last_user_id FROM assignment_state WHERE department_id = $1`+lock, dept).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("store: lock assignment state: %w", mapErr(err))
	}
	return last, nil
}

// SetAssignmentLast moves the round-robin pointer.
func (q Q) SetAssignmentLast(ctx context.Context, dept, userID int64) error {
	_, err := q.exec(ctx, `UPDATE assignment_state SET last_user_id = $2, updated_at = $3 WHERE department_id = $1`, dept, userID, Now())
	return err
}

// Assignable is an agent who may receive conversations of a department now.
type Assignable struct {
	UserID   int64
	Capacity int64 // 0: unlimited
	Open     int64 // open conversations assigned to them, in any department
}

// AssignableMembers lists the active, online members of a department with
// their open load, by user id. On PostgreSQL their user rows stay locked
// until the transaction ends (in id order, so two departments' assigners
// sharing agents neither deadlock nor both fill the same last place).
func (q Q) AssignableMembers(ctx context.Context, ws, dept int64) ([]Assignable, error) {
	lock := ""
	if q.d == Postgres {
		lock = " FOR UPDATE OF u"
	}
	rows, err := q.query(ctx, `SELECT u.id, u.capacity FROM users u JOIN department_members m ON m.user_id = u.id
		WHERE m.department_id = $1 AND u.workspace_id = $2 AND u.active = 1 AND u.presence = $3 ORDER BY u.id`+lock, dept, ws, PresenceOnline)
	if err != nil {
		return nil, fmt.Errorf("store: assignable members: %w", err)
	}
	var out []Assignable
	for rows.Next() {
		var a Assignable
		if err := rows.Scan(&a.UserID, &a.Capacity); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, a)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	// one query for every member's load
	rows, err = q.query(ctx, `SELECT c.assignee_id, count(*) FROM conversations c JOIN department_members m ON m.user_id = c.assignee_id
		WHERE m.department_id = $1 AND c.workspace_id = $2 AND c.status = $3 GROUP BY c.assignee_id`, dept, ws, StatusOpen)
	if err != nil {
		return nil, fmt.Errorf("store: open load: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		for i := range out {
			if out[i].UserID == id {
				out[i].Open = n
			}
		}
	}
	return out, rows.Err()
}

// QueuedConversations lists up to limit conversations waiting in a
// department's queue, longest waiting first (waiting_since, then id: the
// order queue positions are told in).
func (q Q) QueuedConversations(ctx context.Context, ws, dept int64, limit int) ([]int64, error) {
	rows, err := q.query(ctx, `SELECT id FROM conversations WHERE workspace_id = $1 AND department_id = $2 AND status = $3
		ORDER BY waiting_since, id LIMIT $4`, ws, dept, StatusQueued, limit)
	if err != nil {
		return nil, fmt.Errorf("store: queued conversations: %w", err)
	}
	return scanIDs(rows)
}

// QueuePosition is the 1-based place of a queued conversation in its
// department's queue, in the order of QueuedConversations.
func (q Q) QueuePosition(ctx context.Context, c Conversation) (int64, error) {
	var n int64
	err := q.queryRow(ctx, `SELECT count(*) FROM conversations WHERE workspace_id = $1 AND department_id = $2 AND status = $3
		AND (waiting_since < $4 OR (waiting_since = $4 AND id < $5))`, c.WorkspaceID, c.Dept(), StatusQueued, c.WaitingSince, c.ID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: queue position: %w", mapErr(err))
	}
	return n + 1, nil
}

// OpenAssignedIn lists a user's open conversations in a department.
func (q Q) OpenAssignedIn(ctx context.Context, ws, userID, dept int64) ([]int64, error) {
	rows, err := q.query(ctx, `SELECT id FROM conversations WHERE workspace_id = $1 AND assignee_id = $2 AND department_id = $3 AND status = $4
		ORDER BY id`, ws, userID, dept, StatusOpen)
	if err != nil {
		return nil, fmt.Errorf("store: open conversations of user %d: %w", userID, err)
	}
	return scanIDs(rows)
}

// QueueNotice returns the queue position last told to a conversation's
// customer, 0 when none was.
func (q Q) QueueNotice(ctx context.Context, convID int64) (int64, error) {
	var p int64
	err := q.queryRow(ctx, `SELECT position FROM queue_notices WHERE conversation_id = $1`, convID).Scan(&p)
	if err = mapErr(err); errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	return p, err
}

// SetQueueNotice records the position just told (0 forgets it: the
// conversation left the queue).
func (q Q) SetQueueNotice(ctx context.Context, convID, position int64) error {
	if position == 0 {
		_, err := q.exec(ctx, `DELETE FROM queue_notices WHERE conversation_id = $1`, convID)
		return err
	}
	_, err := q.exec(ctx, `INSERT INTO queue_notices (conversation_id, position, told_at) VALUES ($1, $2, $3)
		ON CONFLICT (conversation_id) DO UPDATE SET position = excluded.position, told_at = excluded.told_at`, convID, position, Now())
	return err
}
