package store

import (
	"context"
	"fmt"
)

// Department groups agents; new conversations land in the default one.
type Department struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	IsDefault bool    `json:"is_default"`
	MemberIDs []int64 `json:"member_ids"`
	// BotID is the department's own bot, which talks to the conversations
	// the department receives (nil: none).
	BotID *int64 `json:"bot_id"`
}

// Departments lists a workspace's departments with their members.
func (q Q) Departments(ctx context.Context, ws int64) ([]Department, error) {
	rows, err := q.query(ctx, `SELECT id, name, is_default, bot_id FROM departments WHERE workspace_id = $1 ORDER BY name, id`, ws)
	if err != nil {
		return nil, fmt.Errorf("store: list departments: %w", err)
	}
	defer rows.Close()
	list := []Department{}
	idx := map[int64]int{}
	for rows.Next() {
		var d Department
		var def int64
		if err := rows.Scan(&d.ID, &d.Name, &def, &d.BotID); err != nil {
			return nil, err
		}
		d.IsDefault = def != 0
		d.MemberIDs = []int64{}
		idx[d.ID] = len(list)
		list = append(list, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	mrows, err := q.query(ctx, `SELECT m.department_id, m.user_id FROM department_members m JOIN departments d ON d.id = m.department_id
		WHERE d.workspace_id = $1 ORDER BY m.user_id`, ws)
	if err != nil {
		return nil, fmt.Errorf("store: list department members: %w", err)
	}
	defer mrows.Close()
	for mrows.Next() {
		var did, uid int64
		if err := mrows.Scan(&did, &uid); err != nil {
			return nil, err
		}
		if i, ok := idx[did]; ok {
			list[i].MemberIDs = append(list[i].MemberIDs, uid)
		}
	}
	return list, mrows.Err()
}

// Department returns one department of ws.
func (q Q) Department(ctx context.Context, ws, id int64) (Department, error) {
	list, err := q.Departments(ctx, ws)
	if err != nil {
		return Department{}, err
	}
	for _, d := range list {
		if d.ID == id {
			return d, nil
		}
	}
	return Department{}, fmt.Errorf("store: get department %d: %w", id, ErrNotFound)
}

// DefaultDepartmentID returns the workspace's default department, or 0 when it has none.
func (q Q) DefaultDepartmentID(ctx context.Context, ws int64) (int64, error) {
	var id int64
	err := mapErr(q.queryRow(ctx, `SELECT id FROM departments WHERE workspace_id = $1 AND is_default = 1`, ws).Scan(&id))
	if err == ErrNotFound {
		return 0, nil
	}
	return id, err
}

// CreateDepartment inserts a department; the first one of a workspace becomes its default.
func (q Q) CreateDepartment(ctx context.Context, ws int64, name string, isDefault bool) (Department, error) {
	def, err := q.DefaultDepartmentID(ctx, ws)
	if err != nil {
		return Department{}, err
	}
	if def == 0 {
		isDefault = true
	} else if isDefault {
		if _, err := q.exec(ctx, `UPDATE departments SET is_default = 0 WHERE workspace_id = $1`, ws); err != nil {
			return Department{}, err
		}
	}
	id, err := q.insert(ctx, `INSERT INTO departments (workspace_id, name, is_default, created_at) VALUES ($1, $2, $3, $4)`, ws, name, boolInt(isDefault), Now())
	if err != nil {
		return Department{}, fmt.Errorf("store: create department %q: %w", name, err)
	}
	return Department{ID: id, Name: name, IsDefault: isDefault, MemberIDs: []int64{}}, nil
}

// UpdateDepartment renames a department and, when makeDefault, makes it the default.
func (q Q) UpdateDepartment(ctx context.Context, ws, id int64, name string, makeDefault bool) error {
	if makeDefault {
		if _, err := q.exec(ctx, `UPDATE departments SET is_default = 0 WHERE workspace_id = $1 AND id <> $2`, ws, id); err != nil {
			return err
		}
	}
	res, err := q.exec(ctx, `UPDATE departments SET name = $3, is_default = CASE WHEN $4 = 1 THEN 1 ELSE is_default END
		WHERE id = $1 AND workspace_id = $2`, id, ws, name, boolInt(makeDefault))
	return affected(res, err, "update department", id)
}

// SetDepartmentMembers replaces the members of a department; every user must belong to ws.
func (q Q) SetDepartmentMembers(ctx context.Context, ws, id int64, userIDs []int64) error {
	if _, err := q.exec(ctx, `DELETE FROM department_members WHERE department_id = $1`, id); err != nil {
		return err
	}
	for _, u := range userIDs {
		res, err := q.exec(ctx, `INSERT INTO department_members (department_id, user_id) SELECT $1, id FROM users WHERE id = $2 AND workspace_id = $3
			ON CONFLICT DO NOTHING`, id, u, ws)
		if err != nil {
			return fmt.Errorf("store: add member %d to department %d: %w", u, id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: user %d: %w", u, ErrBadReference)
		}
	}
	return nil
}

// DepartmentInUse reports whether unresolved conversations still sit in the department.
func (q Q) DepartmentInUse(ctx context.Context, ws, id int64) (bool, error) {
	var n int
	err := q.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM conversations WHERE workspace_id = $1 AND department_id = $2 AND status <> 'resolved' LIMIT 1) x`, ws, id).Scan(&n)
	return n > 0, mapErr(err)
}

// DeleteDepartment removes a department.
func (q Q) DeleteDepartment(ctx context.Context, ws, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM departments WHERE id = $1 AND workspace_id = $2`, id, ws)
	return affected(res, err, "delete department", id)
}

// Label tags conversations, contacts and messages.
type Label struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Color string `json:"color"`
}

// Labels lists a workspace's labels.
func (q Q) Labels(ctx context.Context, ws int64) ([]Label, error) {
	rows, err := q.query(ctx, `SELECT id, name, color FROM labels WHERE workspace_id = $1 ORDER BY name, id`, ws)
	if err != nil {
		return nil, fmt.Errorf("store: list labels: %w", err)
	}
	defer rows.Close()
	list := []Label{}
	for rows.Next() {
		var l Label
		if err := rows.Scan(&l.ID, &l.Name, &l.Color); err != nil {
			return nil, err
		}
		list = append(list, l)
	}
	return list, rows.Err()
}

// Label returns one label of ws.
func (q Q) Label(ctx context.Context, ws, id int64) (Label, error) {
	var l Label
	err := q.queryRow(ctx, `SELECT id, name, color FROM labels WHERE id = $1 AND workspace_id = $2`, id, ws).Scan(&l.ID, &l.Name, &l.Color)
	if err != nil {
		return l, fmt.Errorf("store: get label %d: %w", id, mapErr(err))
	}
	return l, nil
}

// CreateLabel inserts a label.
func (q Q) CreateLabel(ctx context.Context, ws int64, l Label) (Label, error) {
	id, err := q.insert(ctx, `INSERT INTO labels (workspace_id, name, color, created_at) VALUES ($1, $2, $3, $4)`, ws, l.Name, l.Color, Now())
	if err != nil {
		return Label{}, fmt.Errorf("store: create label %q: %w", l.Name, err)
	}
	l.ID = id
	return l, nil
}

// UpdateLabel renames or recolours a label.
func (q Q) UpdateLabel(ctx context.Context, ws int64, l Label) error {
	res, err := q.exec(ctx, `UPDATE labels SET name = $3, color = $4 WHERE id = $1 AND workspace_id = $2`, l.ID, ws, l.Name, l.Color)
	return affected(res, err, "update label", l.ID)
}

// DeleteLabel removes a label from everything it tagged.
func (q Q) DeleteLabel(ctx context.Context, ws, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM labels WHERE id = $1 AND workspace_id = $2`, id, ws)
	return affected(res, err, "delete label", id)
}

// QuickReply is a saved answer agents insert with "/shortcut".
type QuickReply struct {
	ID       int64  `json:"id"`
	Shortcut string `json:"shortcut"`
	Content  string `json:"content"`
}

// QuickReplies lists a workspace's quick replies.
func (q Q) QuickReplies(ctx context.Context, ws int64) ([]QuickReply, error) {
	rows, err := q.query(ctx, `SELECT id, shortcut, content FROM quick_replies WHERE workspace_id = $1 ORDER BY shortcut, id`, ws)
	if err != nil {
		return nil, fmt.Errorf("store: list quick replies: %w", err)
	}
	defer rows.Close()
	list := []QuickReply{}
	for rows.Next() {
		var r QuickReply
		if err := rows.Scan(&r.ID, &r.Shortcut, &r.Content); err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

// QuickReply returns one quick reply of ws.
func (q Q) QuickReply(ctx context.Context, ws, id int64) (QuickReply, error) {
	var r QuickReply
	err := q.queryRow(ctx, `SELECT id, shortcut, content FROM quick_replies WHERE id = $1 AND workspace_id = $2`, id, ws).Scan(&r.ID, &r.Shortcut, &r.Content)
	if err != nil {
		return r, fmt.Errorf("store: get quick reply %d: %w", id, mapErr(err))
	}
	return r, nil
}

// CreateQuickReply inserts a quick reply.
func (q Q) CreateQuickReply(ctx context.Context, ws int64, r QuickReply) (QuickReply, error) {
	id, err := q.insert(ctx, `INSERT INTO quick_replies (workspace_id, shortcut, content, created_at) VALUES ($1, $2, $3, $4)`, ws, r.Shortcut, r.Content, Now())
	if err != nil {
		return QuickReply{}, fmt.Errorf("store: create quick reply %q: %w", r.Shortcut, err)
	}
	r.ID = id
	return r, nil
}

// UpdateQuickReply rewrites a quick reply.
func (q Q) UpdateQuickReply(ctx context.Context, ws int64, r QuickReply) error {
	res, err := q.exec(ctx, `UPDATE quick_replies SET shortcut = $3, content = $4 WHERE id = $1 AND workspace_id = $2`, r.ID, ws, r.Shortcut, r.Content)
	return affected(res, err, "update quick reply", r.ID)
}

// DeleteQuickReply removes a quick reply.
func (q Q) DeleteQuickReply(ctx context.Context, ws, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM quick_replies WHERE id = $1 AND workspace_id = $2`, id, ws)
	return affected(res, err, "delete quick reply", id)
}

// ClosingReason explains why a conversation was resolved.
type ClosingReason struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Active bool   `json:"active"`
}

// ClosingReasons lists a workspace's closing reasons.
func (q Q) ClosingReasons(ctx context.Context, ws int64) ([]ClosingReason, error) {
	rows, err := q.query(ctx, `SELECT id, name, active FROM closing_reasons WHERE workspace_id = $1 ORDER BY name, id`, ws)
	if err != nil {
		return nil, fmt.Errorf("store: list closing reasons: %w", err)
	}
	defer rows.Close()
	list := []ClosingReason{}
	for rows.Next() {
		var r ClosingReason
		var active int64
		if err := rows.Scan(&r.ID, &r.Name, &active); err != nil {
			return nil, err
		}
		r.Active = active != 0
		list = append(list, r)
	}
	return list, rows.Err()
}

// ClosingReason returns one closing reason of ws.
func (q Q) ClosingReason(ctx context.Context, ws, id int64) (ClosingReason, error) {
	var r ClosingReason
	var active int64
	err := q.queryRow(ctx, `SELECT id, name, active FROM closing_reasons WHERE id = $1 AND workspace_id = $2`, id, ws).Scan(&r.ID, &r.Name, &active)
	if err != nil {
		return r, fmt.Errorf("store: get closing reason %d: %w", id, mapErr(err))
	}
	r.Active = active != 0
	return r, nil
}

// CreateClosingReason inserts a closing reason.
func (q Q) CreateClosingReason(ctx context.Context, ws int64, r ClosingReason) (ClosingReason, error) {
	id, err := q.insert(ctx, `INSERT INTO closing_reasons (workspace_id, name, active, created_at) VALUES ($1, $2, $3, $4)`, ws, r.Name, boolInt(r.Active), Now())
	if err != nil {
		return ClosingReason{}, fmt.Errorf("store: create closing reason %q: %w", r.Name, err)
	}
	r.ID = id
	return r, nil
}

// UpdateClosingReason rewrites a closing reason.
func (q Q) UpdateClosingReason(ctx context.Context, ws int64, r ClosingReason) error {
	res, err := q.exec(ctx, `UPDATE closing_reasons SET name = $3, active = $4 WHERE id = $1 AND workspace_id = $2`, r.ID, ws, r.Name, boolInt(r.Active))
	return affected(res, err, "update closing reason", r.ID)
}

// DeleteClosingReason removes a closing reason (resolved conversations keep their history without it).
func (q Q) DeleteClosingReason(ctx context.Context, ws, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM closing_reasons WHERE id = $1 AND workspace_id = $2`, id, ws)
	return affected(res, err, "delete closing reason", id)
}

// Channel is one connected inbox: the API channel for the company's own
// apps, or a messaging provider (Telegram…).
type Channel struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"-"`
	Kind        string `json:"kind"`
	Name        string `json:"name"`
	CallbackURL string `json:"callback_url"`
	// Secret is the callback signing secret, sealed (internal/secrets).
	Secret       string `json:"-"`
	DepartmentID *int64 `json:"department_id"`
	CreatedAt    int64  `json:"-"`
	// Config holds the provider's settings and credentials (a bot token…)
	// as JSON sealed with internal/secrets: never sent to browsers.
	Config string `json:"-"`
	// WebhookKey is the channel's random public id in its webhook URL
	// (/api/v1/webhooks/<kind>/<key>); "" for API channels.
	WebhookKey string `json:"-"`
	// Account names the provider account, for admins: a bot's @username.
	Account string `json:"-"`
}

const channelCols = `id, workspace_id, kind, name, callback_url, secret, department_id, created_at, config, COALESCE(webhook_key, ''), account`

func scanChannel(row interface{ Scan(...any) error }) (Channel, error) {
	var c Channel
	err := row.Scan(&c.ID, &c.WorkspaceID, &c.Kind, &c.Name, &c.CallbackURL, &c.Secret, &c.DepartmentID, &c.CreatedAt, &c.Config, &c.WebhookKey, &c.Account)
	return c, mapErr(err)
}

// CreateChannel inserts a channel with the hash of its inbound token.
func (q Q) CreateChannel(ctx context.Context, c Channel, tokenHash string) (Channel, error) {
	var key *string
	if c.WebhookKey != "" {
		key = &c.WebhookKey
	}
	id, err := q.insert(ctx, `INSERT INTO channels (workspace_id, kind, name, token_hash, callback_url, secret, department_id, created_at, config, webhook_key, account)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, c.WorkspaceID, c.Kind, c.Name, tokenHash, c.CallbackURL, c.Secret, c.DepartmentID, Now(),
		c.Config, key, c.Account)
	if err != nil {
		return Channel{}, fmt.Errorf("store: create channel %q: %w", c.Name, err)
	}
	return q.Channel(ctx, c.WorkspaceID, id)
}

// Channel returns one channel of ws.
func (q Q) Channel(ctx context.Context, ws, id int64) (Channel, error) {
	c, err := scanChannel(q.queryRow(ctx, `SELECT `+channelCols+` FROM channels WHERE id = $1 AND workspace_id = $2`, id, ws))
	if err != nil {
		return c, fmt.Errorf("store: get channel %d: %w", id, err)
	}
	return c, nil
}

// ChannelByWebhookKey finds the channel of kind a provider webhook URL names.
func (q Q) ChannelByWebhookKey(ctx context.Context, kind, key string) (Channel, error) {
	c, err := scanChannel(q.queryRow(ctx, `SELECT `+channelCols+` FROM channels WHERE webhook_key = $1 AND kind = $2`, key, kind))
	if err != nil {
		return c, fmt.Errorf("store: get channel by webhook key: %w", err)
	}
	return c, nil
}

// ChannelEventSeen reports whether a provider webhook event (a Telegram
// update_id…) was recorded as handled on the channel.
func (q Q) ChannelEventSeen(ctx context.Context, channelID int64, key string) (bool, error) {
	var n int
	err := q.queryRow(ctx, `SELECT count(*) FROM channel_events WHERE channel_id = $1 AND event_key = $2`, channelID, key).Scan(&n)
	return n > 0, mapErr(err)
}

// RecordChannelEvent records a provider webhook event as handled; it
// reports false when it already was.
func (q Q) RecordChannelEvent(ctx context.Context, channelID int64, key string) (bool, error) {
	res, err := q.exec(ctx, `INSERT INTO channel_events (channel_id, event_key, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		channelID, key, Now())
	if err != nil {
		return false, fmt.Errorf("store: record channel event: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// PruneChannelEvents forgets handled webhook events recorded before
// (Unix ms): providers stop re-delivering long before.
func (q Q) PruneChannelEvents(ctx context.Context, before int64) error {
	_, err := q.exec(ctx, `DELETE FROM channel_events WHERE created_at < $1`, before)
	return err
}

// ChannelByTokenHash finds the channel an inbound request authenticates as.
func (q Q) ChannelByTokenHash(ctx context.Context, hash string) (Channel, error) {
	c, err := scanChannel(q.queryRow(ctx, `SELECT `+channelCols+` FROM channels WHERE token_hash = $1`, hash))
	if err != nil {
		return c, fmt.Errorf("store: get channel by token: %w", err)
	}
	return c, nil
}

// Channels lists a workspace's channels.
func (q Q) Channels(ctx context.Context, ws int64) ([]Channel, error) {
	rows, err := q.query(ctx, `SELECT `+channelCols+` FROM channels WHERE workspace_id = $1 ORDER BY id`, ws)
	if err != nil {
		return nil, fmt.Errorf("store: list channels: %w", err)
	}
	defer rows.Close()
	list := []Channel{}
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, c)
	}
	return list, rows.Err()
}

// UpdateChannel writes a channel's name, callback, default department and
// (sealed) config.
func (q Q) UpdateChannel(ctx context.Context, c Channel) error {
	res, err := q.exec(ctx, `UPDATE channels SET name = $3, callback_url = $4, department_id = $5, config = $6 WHERE id = $1 AND workspace_id = $2`,
		c.ID, c.WorkspaceID, c.Name, c.CallbackURL, c.DepartmentID, c.Config)
	return affected(res, err, "update channel", c.ID)
}

// RotateChannelToken replaces a channel's inbound token hash and its sealed signing secret.
func (q Q) RotateChannelToken(ctx context.Context, ws, id int64, hash, sealedSecret string) error {
	res, err := q.exec(ctx, `UPDATE channels SET token_hash = $3, secret = $4 WHERE id = $1 AND workspace_id = $2`, id, ws, hash, sealedSecret)
	return affected(res, err, "rotate channel token", id)
}

// DeleteChannel removes a channel with its conversations and returns the
// storage keys of their attachments, for the caller to remove after commit.
func (q Q) DeleteChannel(ctx context.Context, ws, id int64) ([]string, error) {
	keys, err := q.storageKeys(ctx, `SELECT a.storage_key FROM attachments a JOIN messages m ON m.id = a.message_id
		WHERE m.channel_id = $1 AND a.workspace_id = $2`, id, ws)
	if err != nil {
		return nil, err
	}
	res, err := q.exec(ctx, `DELETE FROM channels WHERE id = $1 AND workspace_id = $2`, id, ws)
	return keys, affected(res, err, "delete channel", id)
}
