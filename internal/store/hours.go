package store

import (
	"context"
	"errors"
	"fmt"
)

// BusinessHours is the stored business-hours setting of a workspace
// (DepartmentID nil) or of one department, which overrides the workspace's.
type BusinessHours struct {
	WorkspaceID  int64
	DepartmentID *int64
	// Enabled false means always open, whatever Schedule says.
	Enabled bool
	// Schedule is the JSON of hours.Schedule, validated by the caller.
	Schedule  string
	UpdatedAt int64
}

// AutomationMessages are the texts sent automatically on a workspace's
// (DepartmentID nil) or a department's conversations.
type AutomationMessages struct {
	WorkspaceID     int64
	DepartmentID    *int64
	Language        string
	GreetingEnabled bool
	Greeting        string
	AwayEnabled     bool
	Away            string
	ClosingEnabled  bool
	Closing         string
	CSATEnabled     bool
	CSAT            string
	UpdatedAt       int64
}

// DefaultAutomationMessages are the texts a workspace starts with: written
// for Brazilian customers, all off until an admin turns them on.
func DefaultAutomationMessages(ws int64) AutomationMessages {
	return AutomationMessages{WorkspaceID: ws, Language: "pt-BR",
		Greeting: "Olá! Recebemos sua mensagem e já vamos te atender.",
		Away:     "Olá! Nosso horário de atendimento é de segunda a sexta, das 8h às 18h. Recebemos sua mensagem e retornaremos {{next_open}}.",
		Closing:  "Seu atendimento foi finalizado. Obrigado pelo contato! Se precisar de algo mais, é só mandar uma mensagem.",
		CSAT:     "Como você avalia o nosso atendimento? Responda com uma nota de 1 (muito ruim) a 5 (excelente).",
	}
}

func scopeOf(dept int64) *int64 {
	if dept == 0 {
		return nil
	}
	return &dept
}

func deptArg(d *int64) int64 {
	if d == nil {
		return 0
	}
	return *d
}

const businessHoursCols = `workspace_id, department_id, enabled, schedule, updated_at`

func scanBusinessHours(row interface{ Scan(...any) error }) (BusinessHours, error) {
	var b BusinessHours
	var enabled int64
	err := row.Scan(&b.WorkspaceID, &b.DepartmentID, &enabled, &b.Schedule, &b.UpdatedAt)
	b.Enabled = enabled != 0
	return b, mapErr(err)
}

// BusinessHours reads the setting of exactly one scope: the workspace's
// (dept 0) or a department's own override. ErrNotFound when there is none.
func (q Q) BusinessHours(ctx context.Context, ws, dept int64) (BusinessHours, error) {
	b, err := scanBusinessHours(q.queryRow(ctx, `SELECT `+businessHoursCols+` FROM business_hours
		WHERE workspace_id = $1 AND COALESCE(department_id, 0) = $2`, ws, dept))
	if err != nil {
		return b, fmt.Errorf("store: business hours: %w", err)
	}
	return b, nil
}

// EffectiveBusinessHours reads the setting that applies to a department
// (0: none): its own override, else the workspace's. ErrNotFound when
// neither exists (always open).
func (q Q) EffectiveBusinessHours(ctx context.Context, ws, dept int64) (BusinessHours, error) {
	b, err := scanBusinessHours(q.queryRow(ctx, `SELECT `+businessHoursCols+` FROM business_hours
		WHERE workspace_id = $1 AND (department_id IS NULL OR department_id = $2)
		ORDER BY CASE WHEN department_id IS NULL THEN 1 ELSE 0 END LIMIT 1`, ws, dept))
	if err != nil {
		return b, fmt.Errorf("store: business hours: %w", err)
	}
	return b, nil
}

// SetBusinessHours writes the setting of b's scope. The caller checks that
// the department belongs to the workspace.
func (q Q) SetBusinessHours(ctx context.Context, b BusinessHours) (BusinessHours, error) {
	b.UpdatedAt = Now()
	res, err := q.exec(ctx, `UPDATE business_hours SET enabled = $3, schedule = $4, updated_at = $5
		WHERE workspace_id = $1 AND COALESCE(department_id, 0) = $2`, b.WorkspaceID, deptArg(b.DepartmentID), boolInt(b.Enabled), b.Schedule, b.UpdatedAt)
	if err != nil {
		return b, fmt.Errorf("store: set business hours: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return b, nil
	}
	if _, err := q.exec(ctx, `INSERT INTO business_hours (workspace_id, department_id, enabled, schedule, updated_at) VALUES ($1, $2, $3, $4, $5)`,
		b.WorkspaceID, b.DepartmentID, boolInt(b.Enabled), b.Schedule, b.UpdatedAt); err != nil {
		return b, fmt.Errorf("store: set business hours: %w", err)
	}
	return b, nil
}

// DeleteBusinessHours removes a scope's setting (a department then follows
// the workspace's); ErrNotFound when it had none.
func (q Q) DeleteBusinessHours(ctx context.Context, ws, dept int64) error {
	return q.deleteScope(ctx, "business_hours", ws, dept)
}

func (q Q) deleteScope(ctx context.Context, table string, ws, dept int64) error {
	res, err := q.exec(ctx, `DELETE FROM `+table+` WHERE workspace_id = $1 AND COALESCE(department_id, 0) = $2`, ws, dept)
	if err != nil {
		return fmt.Errorf("store: delete %s: %w", table, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: delete %s: %w", table, ErrNotFound)
	}
	return nil
}

const automationMessagesCols = `workspace_id, department_id, language, greeting_enabled, greeting, away_enabled, away,
	closing_enabled, closing, csat_enabled, csat, updated_at`

func scanAutomationMessages(row interface{ Scan(...any) error }) (AutomationMessages, error) {
	var m AutomationMessages
	var g, a, c, r int64
	err := row.Scan(&m.WorkspaceID, &m.DepartmentID, &m.Language, &g, &m.Greeting, &a, &m.Away, &c, &m.Closing, &r, &m.CSAT, &m.UpdatedAt)
	m.GreetingEnabled, m.AwayEnabled, m.ClosingEnabled, m.CSATEnabled = g != 0, a != 0, c != 0, r != 0
	return m, mapErr(err)
}

// AutomationMessages reads the texts of exactly one scope (dept 0: the
// workspace's). ErrNotFound when the scope has none of its own.
func (q Q) AutomationMessages(ctx context.Context, ws, dept int64) (AutomationMessages, error) {
	m, err := scanAutomationMessages(q.queryRow(ctx, `SELECT `+automationMessagesCols+` FROM automation_messages
		WHERE workspace_id = $1 AND COALESCE(department_id, 0) = $2`, ws, dept))
	if err != nil {
		return m, fmt.Errorf("store: automation messages: %w", err)
	}
	return m, nil
}

// EffectiveAutomationMessages reads the texts that apply to a department
// (0: none): its own, else the workspace's, else the defaults.
func (q Q) EffectiveAutomationMessages(ctx context.Context, ws, dept int64) (AutomationMessages, error) {
	m, err := scanAutomationMessages(q.queryRow(ctx, `SELECT `+automationMessagesCols+` FROM automation_messages
		WHERE workspace_id = $1 AND (department_id IS NULL OR department_id = $2)
		ORDER BY CASE WHEN department_id IS NULL THEN 1 ELSE 0 END LIMIT 1`, ws, dept))
	if errors.Is(err, ErrNotFound) {
		return DefaultAutomationMessages(ws), nil
	} else if err != nil {
		return m, fmt.Errorf("store: automation messages: %w", err)
	}
	return m, nil
}

// SetAutomationMessages writes the texts of m's scope. The caller checks
// that the department belongs to the workspace.
func (q Q) SetAutomationMessages(ctx context.Context, m AutomationMessages) (AutomationMessages, error) {
	m.UpdatedAt = Now()
	args := []any{m.WorkspaceID, deptArg(m.DepartmentID), m.Language, boolInt(m.GreetingEnabled), m.Greeting, boolInt(m.AwayEnabled), m.Away,
		boolInt(m.ClosingEnabled), m.Closing, boolInt(m.CSATEnabled), m.CSAT, m.UpdatedAt}
	res, err := q.exec(ctx, `UPDATE automation_messages SET language = $3, greeting_enabled = $4, greeting = $5, away_enabled = $6, away = $7,
		closing_enabled = $8, closing = $9, csat_enabled = $10, csat = $11, updated_at = $12
		WHERE workspace_id = $1 AND COALESCE(department_id, 0) = $2`, args...)
	if err != nil {
		return m, fmt.Errorf("store: set automation messages: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return m, nil
	}
	args[1] = m.DepartmentID
	if _, err := q.exec(ctx, `INSERT INTO automation_messages (workspace_id, department_id, language, greeting_enabled, greeting, away_enabled, away,
		closing_enabled, closing, csat_enabled, csat, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, args...); err != nil {
		return m, fmt.Errorf("store: set automation messages: %w", err)
	}
	return m, nil
}

// DeleteAutomationMessages removes a scope's texts (a department then
// follows the workspace's); ErrNotFound when it had none.
func (q Q) DeleteAutomationMessages(ctx context.Context, ws, dept int64) error {
	return q.deleteScope(ctx, "automation_messages", ws, dept)
}
