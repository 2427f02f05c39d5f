package store

import (
	"context"
	"fmt"
)

// Workspace is a tenant; every other row belongs to exactly one.
type Workspace struct {
	ID                    int64  `json:"id"`
	Name                  string `json:"name"`
	Slug                  string `json:"slug"`
	Timezone              string `json:"timezone"`
	ThermometerYellowS    int64  `json:"thermometer_yellow_seconds"`
	ThermometerRedS       int64  `json:"thermometer_red_seconds"`
	ReopenWindowS         int64  `json:"reopen_window_seconds"`
	ClosingReasonRequired bool   `json:"closing_reason_required"`
	CreatedAt             int64  `json:"-"`
}

const workspaceCols = `id, name, slug, timezone, thermometer_yellow_s, thermometer_red_s, reopen_window_s, closing_reason_required, created_at`

func scanWorkspace(row interface{ Scan(...any) error }) (Workspace, error) {
	var w Workspace
	var req int64
	err := row.Scan(&w.ID, &w.Name, &w.Slug, &w.Timezone, &w.ThermometerYellowS, &w.ThermometerRedS, &w.ReopenWindowS, &req, &w.CreatedAt)
	w.ClosingReasonRequired = req != 0
	return w, mapErr(err)
}

// CreateWorkspace inserts a workspace with default settings.
func (q Q) CreateWorkspace(ctx context.Context, name, slug string) (Workspace, error) {
	id, err := q.insert(ctx, `INSERT INTO workspaces (name, slug, created_at) VALUES ($1, $2, $3)`, name, slug, Now())
	if err != nil {
		return Workspace{}, fmt.Errorf("store: create workspace %q: %w", slug, err)
	}
	return q.Workspace(ctx, id)
}

// Workspace returns one workspace by id.
func (q Q) Workspace(ctx context.Context, id int64) (Workspace, error) {
	w, err := scanWorkspace(q.queryRow(ctx, `SELECT `+workspaceCols+` FROM workspaces WHERE id = $1`, id))
	if err != nil {
		return w, fmt.Errorf("store: get workspace %d: %w", id, err)
	}
	return w, nil
}

// WorkspaceBySlug returns one workspace by its slug.
func (q Q) WorkspaceBySlug(ctx context.Context, slug string) (Workspace, error) {
	w, err := scanWorkspace(q.queryRow(ctx, `SELECT `+workspaceCols+` FROM workspaces WHERE slug = $1`, slug))
	if err != nil {
		return w, fmt.Errorf("store: get workspace %q: %w", slug, err)
	}
	return w, nil
}

// UpdateWorkspace writes the editable settings of w.
func (q Q) UpdateWorkspace(ctx context.Context, w Workspace) error {
	res, err := q.exec(ctx, `UPDATE workspaces SET name = $2, timezone = $3, thermometer_yellow_s = $4, thermometer_red_s = $5,
		reopen_window_s = $6, closing_reason_required = $7 WHERE id = $1`,
		w.ID, w.Name, w.Timezone, w.ThermometerYellowS, w.ThermometerRedS, w.ReopenWindowS, boolInt(w.ClosingReasonRequired))
	return affected(res, err, "update workspace", w.ID)
}

// CountUsers counts users in every workspace (first-start detection).
func (q Q) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := q.queryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, mapErr(err)
}

func affected(res interface{ RowsAffected() (int64, error) }, err error, op string, id int64) error {
	if err != nil {
		return fmt.Errorf("store: %s %d: %w", op, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s %d: %w", op, id, err)
	}
	if n == 0 {
		return fmt.Errorf("store: %s %d: %w", op, id, ErrNotFound)
	}
	return nil
}
