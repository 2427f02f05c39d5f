package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
)

// AutomationRule is one of a workspace's automation rules (migration
// 0015). Conditions and Actions are stored as given: their meaning and
// validation belong to internal/automation/rules.
type AutomationRule struct {
	ID          int64           `json:"id"`
	WorkspaceID int64           `json:"-"`
	Name        string          `json:"name"`
	Enabled     bool            `json:"enabled"`
	Event       string          `json:"event"`
	Minutes     int             `json:"minutes"`
	Conditions  json.RawMessage `json:"conditions"`
	Actions     json.RawMessage `json:"actions"`
	CreatedAt   int64           `json:"created_at"`
	UpdatedAt   int64           `json:"updated_at"`
}

// Time-based automation events (internal/automation/rules), the ones the
// periodic scan looks for.
const (
	RuleNoCustomerReply = "no_customer_reply"
	RuleNoAgentReply    = "no_agent_reply"
	RuleSnoozedTooLong  = "snoozed_too_long"
)

const automationCols = `id, workspace_id, name, enabled, event, minutes, conditions, actions, created_at, updated_at`

func scanAutomationRule(row interface{ Scan(...any) error }) (AutomationRule, error) {
	var r AutomationRule
	var enabled int64
	var cond, act string
	if err := row.Scan(&r.ID, &r.WorkspaceID, &r.Name, &enabled, &r.Event, &r.Minutes, &cond, &act, &r.CreatedAt, &r.UpdatedAt); err != nil {
		return r, mapErr(err)
	}
	r.Enabled = enabled != 0
	r.Conditions, r.Actions = json.RawMessage(cond), json.RawMessage(act)
	return r, nil
}

func (q Q) automationRules(ctx context.Context, where string, args ...any) ([]AutomationRule, error) {
	rows, err := q.query(ctx, `SELECT `+automationCols+` FROM automation_rules WHERE `+where+` ORDER BY workspace_id, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list automation rules: %w", err)
	}
	defer rows.Close()
	out := []AutomationRule{}
	for rows.Next() {
		r, err := scanAutomationRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// AutomationRules lists the workspace's rules in the order they run.
func (q Q) AutomationRules(ctx context.Context, ws int64) ([]AutomationRule, error) {
	return q.automationRules(ctx, `workspace_id = $1`, ws)
}

// TimedAutomationRules lists the enabled time-based rules of every
// workspace, for the periodic scan.
func (q Q) TimedAutomationRules(ctx context.Context) ([]AutomationRule, error) {
	return q.automationRules(ctx, `event IN ($1, $2, $3) AND enabled = 1`, RuleNoCustomerReply, RuleNoAgentReply, RuleSnoozedTooLong)
}

// AutomationRule returns one rule of ws; another workspace's is ErrNotFound.
func (q Q) AutomationRule(ctx context.Context, ws, id int64) (AutomationRule, error) {
	r, err := scanAutomationRule(q.queryRow(ctx, `SELECT `+automationCols+` FROM automation_rules WHERE id = $1 AND workspace_id = $2`, id, ws))
	if err != nil {
		return r, fmt.Errorf("store: get automation rule %d: %w", id, err)
	}
	return r, nil
}

// CreateAutomationRule stores a new rule.
func (q Q) CreateAutomationRule(ctx context.Context, r AutomationRule) (AutomationRule, error) {
	now := Now()
	id, err := q.insert(ctx, `INSERT INTO automation_rules (workspace_id, name, enabled, event, minutes, conditions, actions, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
		r.WorkspaceID, r.Name, boolInt(r.Enabled), r.Event, r.Minutes, rawOr(r.Conditions, "{}"), rawOr(r.Actions, "[]"), now)
	if err != nil {
		return r, fmt.Errorf("store: create automation rule: %w", err)
	}
	return q.AutomationRule(ctx, r.WorkspaceID, id)
}

// UpdateAutomationRule saves every field of r but its id and workspace.
func (q Q) UpdateAutomationRule(ctx context.Context, r AutomationRule) (AutomationRule, error) {
	res, err := q.exec(ctx, `UPDATE automation_rules SET name = $3, enabled = $4, event = $5, minutes = $6, conditions = $7, actions = $8, updated_at = $9
		WHERE id = $1 AND workspace_id = $2`, r.ID, r.WorkspaceID, r.Name, boolInt(r.Enabled), r.Event, r.Minutes,
		rawOr(r.Conditions, "{}"), rawOr(r.Actions, "[]"), Now())
	if err := affected(res, err, "update automation rule", r.ID); err != nil {
		return r, err
	}
	return q.AutomationRule(ctx, r.WorkspaceID, r.ID)
}

// DeleteAutomationRule removes a rule and, by cascade, its firings.
func (q Q) DeleteAutomationRule(ctx context.Context, ws, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM automation_rules WHERE id = $1 AND workspace_id = $2`, id, ws)
	return affected(res, err, "delete automation rule", id)
}

// RecordRuleFiring notes that rule fired for a conversation's cycle and
// reports whether this is the first time (false: it fired already).
func (q Q) RecordRuleFiring(ctx context.Context, ws, ruleID, convID, cycle, at int64) (bool, error) {
	res, err := q.exec(ctx, `INSERT INTO automation_rule_firings (rule_id, conversation_id, cycle, workspace_id, fired_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, ruleID, convID, cycle, ws, at)
	if err != nil {
		return false, fmt.Errorf("store: record firing of rule %d: %w", ruleID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// DueConversation is a conversation a time-based rule is due for, with the
// start of the wait (the firing's cycle).
type DueConversation struct {
	ID    int64
	Since int64
}

// DueForRule finds up to limit conversations of the rule's workspace whose
// wait of the rule's kind began at or before cutoff and for which the rule
// has not fired in this cycle yet, oldest first. Each kind reads a range
// of an index: no_agent_reply conv_ws_status_waiting, no_customer_reply
// conv_answered (0015), snoozed_too_long the snoozed rows of
// conv_ws_status_last with the newest "snoozed" event of each.
func (q Q) DueForRule(ctx context.Context, r AutomationRule, cutoff int64, limit int) ([]DueConversation, error) {
	var inner string
	switch r.Event {
	case RuleNoAgentReply:
		inner = `SELECT c.id, c.waiting_since AS since FROM conversations c
			WHERE c.workspace_id = $1 AND c.status IN ('bot', 'queued', 'open') AND c.waiting_since <= $2`
	case RuleNoCustomerReply:
		inner = `SELECT c.id, c.last_message_at AS since FROM conversations c
			WHERE c.workspace_id = $1 AND c.waiting_since = ` + strconv.FormatInt(NotWaiting, 10) + ` AND c.status IN ('bot', 'queued', 'open')
			AND c.last_message_at <= $2`
	case RuleSnoozedTooLong:
		inner = `SELECT s.id, s.since FROM (SELECT c.id,
				(SELECT MAX(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.kind = 'event'
					AND m.event LIKE '%"type":"snoozed"%') AS since
			FROM conversations c WHERE c.workspace_id = $1 AND c.status = 'snoozed') s
			WHERE s.since <= $2`
	default:
		return nil, fmt.Errorf("%w: rule %d is not time-based", ErrInvalid, r.ID)
	}
	rows, err := q.query(ctx, `SELECT d.id, d.since FROM (`+inner+`) d
		WHERE NOT EXISTS (SELECT 1 FROM automation_rule_firings f WHERE f.rule_id = $3 AND f.conversation_id = d.id AND f.cycle = d.since)
		ORDER BY d.since, d.id LIMIT `+strconv.Itoa(limit), r.WorkspaceID, cutoff, r.ID)
	if err != nil {
		return nil, fmt.Errorf("store: conversations due for rule %d: %w", r.ID, err)
	}
	defer rows.Close()
	var out []DueConversation
	for rows.Next() {
		var d DueConversation
		if err := rows.Scan(&d.ID, &d.Since); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RuleFiringsSince counts a rule's firings on a conversation since a time
// (the primary key's prefix), the brake on chains of rules and outside
// jobs that would otherwise ping-pong a conversation forever.
func (q Q) RuleFiringsSince(ctx context.Context, ruleID, convID, since int64) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM automation_rule_firings WHERE rule_id = $1 AND conversation_id = $2 AND fired_at >= $3`,
		ruleID, convID, since).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: firings of rule %d: %w", ruleID, mapErr(err))
	}
	return n, nil
}
