package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// RoutingRule is one of a workspace's ordered routing rules (migration
// 0012). Conditions and Actions are stored as given: their meaning and
// validation belong to internal/automation/routing.
type RoutingRule struct {
	ID          int64           `json:"id"`
	WorkspaceID int64           `json:"-"`
	Position    int             `json:"position"`
	Name        string          `json:"name"`
	Enabled     bool            `json:"enabled"`
	Conditions  json.RawMessage `json:"conditions"`
	Actions     json.RawMessage `json:"actions"`
	CreatedAt   int64           `json:"created_at"`
	UpdatedAt   int64           `json:"updated_at"`
}

const routingCols = `id, workspace_id, position, name, enabled, conditions, actions, created_at, updated_at`

func scanRoutingRule(row interface{ Scan(...any) error }) (RoutingRule, error) {
	var r RoutingRule
	var enabled int64
	var cond, act string
	if err := row.Scan(&r.ID, &r.WorkspaceID, &r.Position, &r.Name, &enabled, &cond, &act, &r.CreatedAt, &r.UpdatedAt); err != nil {
		return r, mapErr(err)
	}
	r.Enabled = enabled != 0
	r.Conditions, r.Actions = json.RawMessage(cond), json.RawMessage(act)
	return r, nil
}

func rawOr(raw json.RawMessage, empty string) string {
	if len(raw) == 0 {
		return empty
	}
	return string(raw)
}

// RoutingRules lists the workspace's rules in evaluation order.
func (q Q) RoutingRules(ctx context.Context, ws int64) ([]RoutingRule, error) {
	rows, err := q.query(ctx, `SELECT `+routingCols+` FROM routing_rules WHERE workspace_id = $1 ORDER BY position, id`, ws)
	if err != nil {
		return nil, fmt.Errorf("store: list routing rules: %w", err)
	}
	defer rows.Close()
	out := []RoutingRule{}
	for rows.Next() {
		r, err := scanRoutingRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RoutingRule returns one rule of ws; another workspace's is ErrNotFound.
func (q Q) RoutingRule(ctx context.Context, ws, id int64) (RoutingRule, error) {
	r, err := scanRoutingRule(q.queryRow(ctx, `SELECT `+routingCols+` FROM routing_rules WHERE id = $1 AND workspace_id = $2`, id, ws))
	if err != nil {
		return r, fmt.Errorf("store: get routing rule %d: %w", id, err)
	}
	return r, nil
}

// CreateRoutingRule appends a rule after the workspace's last one.
func (q Q) CreateRoutingRule(ctx context.Context, r RoutingRule) (RoutingRule, error) {
	now := Now()
	id, err := q.insert(ctx, `INSERT INTO routing_rules (workspace_id, position, name, enabled, conditions, actions, created_at, updated_at)
		VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM routing_rules WHERE workspace_id = $1), $2, $3, $4, $5, $6, $6)`,
		r.WorkspaceID, r.Name, boolInt(r.Enabled), rawOr(r.Conditions, "{}"), rawOr(r.Actions, "{}"), now)
	if err != nil {
		return r, fmt.Errorf("store: create routing rule: %w", err)
	}
	return q.RoutingRule(ctx, r.WorkspaceID, id)
}

// UpdateRoutingRule saves name, enabled, conditions and actions of r (its
// position changes only through ReorderRoutingRules).
func (q Q) UpdateRoutingRule(ctx context.Context, r RoutingRule) (RoutingRule, error) {
	res, err := q.exec(ctx, `UPDATE routing_rules SET name = $3, enabled = $4, conditions = $5, actions = $6, updated_at = $7
		WHERE id = $1 AND workspace_id = $2`, r.ID, r.WorkspaceID, r.Name, boolInt(r.Enabled), rawOr(r.Conditions, "{}"), rawOr(r.Actions, "{}"), Now())
	if err := affected(res, err, "update routing rule", r.ID); err != nil {
		return r, err
	}
	return q.RoutingRule(ctx, r.WorkspaceID, r.ID)
}

// DeleteRoutingRule removes a rule and closes the gap it leaves, so the
// positions the timeline names ("rule 3") stay 1…n. Call it inside a
// transaction.
func (q Q) DeleteRoutingRule(ctx context.Context, ws, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM routing_rules WHERE id = $1 AND workspace_id = $2`, id, ws)
	if err := affected(res, err, "delete routing rule", id); err != nil {
		return err
	}
	return q.renumberRoutingRules(ctx, ws)
}

// ReorderRoutingRules rewrites the positions of the workspace's rules to
// the order of ids, which must name each of its rules exactly once
// (ErrInvalid otherwise). Call it inside a transaction.
func (q Q) ReorderRoutingRules(ctx context.Context, ws int64, ids []int64) error {
	list, err := q.RoutingRules(ctx, ws)
	if err != nil {
		return err
	}
	mine := make(map[int64]bool, len(list))
	for _, r := range list {
		mine[r.ID] = true
	}
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if !mine[id] {
			return fmt.Errorf("%w: rule %d is not one of this workspace's routing rules", ErrInvalid, id)
		}
		if seen[id] {
			return fmt.Errorf("%w: rule %d is listed twice", ErrInvalid, id)
		}
		seen[id] = true
	}
	if len(ids) != len(list) {
		return fmt.Errorf("%w: ids must list all %d routing rules of the workspace, not %d", ErrInvalid, len(list), len(ids))
	}
	now := Now()
	for i, id := range ids {
		if _, err := q.exec(ctx, `UPDATE routing_rules SET position = $3, updated_at = $4 WHERE id = $1 AND workspace_id = $2`, id, ws, i+1, now); err != nil {
			return fmt.Errorf("store: reorder routing rules: %w", err)
		}
	}
	return nil
}

func (q Q) renumberRoutingRules(ctx context.Context, ws int64) error {
	list, err := q.RoutingRules(ctx, ws)
	if err != nil {
		return err
	}
	for i, r := range list {
		if r.Position == i+1 {
			continue
		}
		if _, err := q.exec(ctx, `UPDATE routing_rules SET position = $3 WHERE id = $1 AND workspace_id = $2`, r.ID, ws, i+1); err != nil {
			return fmt.Errorf("store: renumber routing rules: %w", err)
		}
	}
	return nil
}

// ContactHistory is what routing needs to know of a contact's earlier
// conversations in a workspace, on any channel.
type ContactHistory struct {
	// LastDepartmentID is the department of the contact's newest
	// conversation (0: none, or it had no department).
	LastDepartmentID int64
	// ServedBefore: one of the contact's conversations was resolved.
	ServedBefore bool
}

// ContactHistoryOf reads a contact's history for routing, from the
// conversations_contact index (contact_id first).
func (q Q) ContactHistoryOf(ctx context.Context, ws, contactID int64) (ContactHistory, error) {
	var h ContactHistory
	var dept *int64
	var served int64
	err := q.queryRow(ctx, `SELECT
		(SELECT department_id FROM conversations WHERE contact_id = $1 AND workspace_id = $2 ORDER BY id DESC LIMIT 1),
		(SELECT COUNT(*) FROM (SELECT 1 FROM conversations WHERE contact_id = $1 AND workspace_id = $2 AND status = 'resolved' LIMIT 1) s)`,
		contactID, ws).Scan(&dept, &served)
	if err != nil {
		return h, fmt.Errorf("store: history of contact %d: %w", contactID, mapErr(err))
	}
	h.LastDepartmentID, h.ServedBefore = deref(dept), served > 0
	return h, nil
}

// DepartmentName returns the name of a department of ws (ErrNotFound when
// it does not exist there), without Department's member lists.
func (q Q) DepartmentName(ctx context.Context, ws, id int64) (string, error) {
	var name string
	if err := q.queryRow(ctx, `SELECT name FROM departments WHERE id = $1 AND workspace_id = $2`, id, ws).Scan(&name); err != nil {
		return "", fmt.Errorf("store: department %d: %w", id, mapErr(err))
	}
	return name, nil
}
