package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// Bot kinds.
const (
	// BotFlow runs a flow stored as data (internal/automation/bot).
	BotFlow = "flow"
	// BotAgent is an outside service: it receives the events of the
	// conversations it runs by webhook and answers through the API.
	BotAgent = "agent"
)

// Bot is a department bot (migration 0014). Flow is stored as given: its
// meaning and validation belong to internal/automation/bot. An agent bot's
// Secret is sealed (internal/secrets) and its token kept only as a hash.
type Bot struct {
	ID          int64           `json:"id"`
	WorkspaceID int64           `json:"-"`
	Name        string          `json:"name"`
	Kind        string          `json:"kind"`
	Enabled     bool            `json:"enabled"`
	Flow        json.RawMessage `json:"flow,omitempty"`
	URL         string          `json:"url,omitempty"`
	Secret      string          `json:"-"`
	TokenHash   string          `json:"-"`
	TokenPrefix string          `json:"token_prefix,omitempty"`
	CreatedAt   int64           `json:"created_at"`
	UpdatedAt   int64           `json:"updated_at"`
}

const botCols = `id, workspace_id, name, kind, enabled, flow, url, secret, COALESCE(token_hash, ''), token_prefix, created_at, updated_at`

func scanBot(row interface{ Scan(...any) error }) (Bot, error) {
	var b Bot
	var enabled int64
	var flow string
	if err := row.Scan(&b.ID, &b.WorkspaceID, &b.Name, &b.Kind, &enabled, &flow, &b.URL, &b.Secret, &b.TokenHash, &b.TokenPrefix,
		&b.CreatedAt, &b.UpdatedAt); err != nil {
		return b, mapErr(err)
	}
	b.Enabled = enabled != 0
	if flow != "" {
		b.Flow = json.RawMessage(flow)
	}
	return b, nil
}

// Bots lists the workspace's bots by name.
func (q Q) Bots(ctx context.Context, ws int64) ([]Bot, error) {
	rows, err := q.query(ctx, `SELECT `+botCols+` FROM bots WHERE workspace_id = $1 ORDER BY name, id`, ws)
	if err != nil {
		return nil, fmt.Errorf("store: list bots: %w", err)
	}
	defer rows.Close()
	out := []Bot{}
	for rows.Next() {
		b, err := scanBot(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Bot returns one bot of ws; another workspace's is ErrNotFound.
func (q Q) Bot(ctx context.Context, ws, id int64) (Bot, error) {
	b, err := scanBot(q.queryRow(ctx, `SELECT `+botCols+` FROM bots WHERE id = $1 AND workspace_id = $2`, id, ws))
	if err != nil {
		return b, fmt.Errorf("store: get bot %d: %w", id, err)
	}
	return b, nil
}

// BotByTokenHash finds the enabled agent bot whose API token hashes to hash.
func (q Q) BotByTokenHash(ctx context.Context, hash string) (Bot, error) {
	b, err := scanBot(q.queryRow(ctx, `SELECT `+botCols+` FROM bots WHERE token_hash = $1 AND kind = 'agent' AND enabled = 1`, hash))
	if err != nil {
		return b, fmt.Errorf("store: bot by token: %w", err)
	}
	return b, nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateBot stores a new bot; a name the workspace already uses is ErrConflict.
func (q Q) CreateBot(ctx context.Context, b Bot) (Bot, error) {
	now := Now()
	id, err := q.insert(ctx, `INSERT INTO bots (workspace_id, name, kind, enabled, flow, url, secret, token_hash, token_prefix, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
		b.WorkspaceID, b.Name, b.Kind, boolInt(b.Enabled), string(b.Flow), b.URL, b.Secret, nullIfEmpty(b.TokenHash), b.TokenPrefix, now)
	if err != nil {
		return b, fmt.Errorf("store: create bot: %w", err)
	}
	b.ID, b.CreatedAt, b.UpdatedAt = id, now, now
	return b, nil
}

// UpdateBot saves a bot's name, enabled flag, flow, URL, secret and token.
func (q Q) UpdateBot(ctx context.Context, b Bot) (Bot, error) {
	b.UpdatedAt = Now()
	res, err := q.exec(ctx, `UPDATE bots SET name = $3, enabled = $4, flow = $5, url = $6, secret = $7, token_hash = $8, token_prefix = $9, updated_at = $10
		WHERE id = $1 AND workspace_id = $2`,
		b.ID, b.WorkspaceID, b.Name, boolInt(b.Enabled), string(b.Flow), b.URL, b.Secret, nullIfEmpty(b.TokenHash), b.TokenPrefix, b.UpdatedAt)
	return b, affected(res, err, "update bot", b.ID)
}

// DeleteBot removes a bot: its departments are left without one and the
// conversations it was running go on without it.
func (q Q) DeleteBot(ctx context.Context, ws, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM bots WHERE id = $1 AND workspace_id = $2`, id, ws)
	return affected(res, err, "delete bot", id)
}

// SetDepartmentBot gives a department its bot (0: none); the bot must be ws's.
func (q Q) SetDepartmentBot(ctx context.Context, ws, dept, botID int64) error {
	var arg any
	if botID != 0 {
		if _, err := q.Bot(ctx, ws, botID); err != nil {
			return err
		}
		arg = botID
	}
	res, err := q.exec(ctx, `UPDATE departments SET bot_id = $3 WHERE id = $1 AND workspace_id = $2`, dept, ws, arg)
	return affected(res, err, "set department bot", dept)
}

// BotSession is a conversation's place in the bot that runs it. State is
// the bot's own JSON (internal/automation/bot.State for flow bots).
type BotSession struct {
	ConversationID int64
	WorkspaceID    int64
	BotID          int64
	State          json.RawMessage
	StartedAt      int64
	UpdatedAt      int64
}

// BotSession returns the session of a conversation; ErrNotFound when no bot runs it.
func (q Q) BotSession(ctx context.Context, convID int64) (BotSession, error) {
	var s BotSession
	var state string
	err := mapErr(q.queryRow(ctx, `SELECT conversation_id, workspace_id, bot_id, state, started_at, updated_at FROM bot_sessions
		WHERE conversation_id = $1`, convID).Scan(&s.ConversationID, &s.WorkspaceID, &s.BotID, &state, &s.StartedAt, &s.UpdatedAt))
	if err != nil {
		return s, fmt.Errorf("store: bot session of conversation %d: %w", convID, err)
	}
	s.State = json.RawMessage(state)
	return s, nil
}

// SaveBotSession writes a conversation's session, replacing the one it had
// (a transfer hands the conversation to the next department's bot).
func (q Q) SaveBotSession(ctx context.Context, s BotSession) error {
	_, err := q.exec(ctx, `INSERT INTO bot_sessions (conversation_id, workspace_id, bot_id, state, started_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (conversation_id) DO UPDATE SET bot_id = excluded.bot_id, state = excluded.state,
			started_at = CASE WHEN bot_sessions.bot_id = excluded.bot_id THEN bot_sessions.started_at ELSE excluded.started_at END,
			updated_at = excluded.updated_at`,
		s.ConversationID, s.WorkspaceID, s.BotID, rawOr(s.State, "{}"), s.StartedAt, s.UpdatedAt)
	if err != nil {
		return fmt.Errorf("store: save bot session: %w", err)
	}
	return nil
}

// EndBotSession removes a conversation's session, if any.
func (q Q) EndBotSession(ctx context.Context, convID int64) error {
	if _, err := q.exec(ctx, `DELETE FROM bot_sessions WHERE conversation_id = $1`, convID); err != nil {
		return fmt.Errorf("store: end bot session: %w", err)
	}
	return nil
}

// DepartmentBots maps each department of ws that has an enabled bot to
// that bot's id; departments without one are absent.
func (q Q) DepartmentBots(ctx context.Context, ws int64) (map[int64]int64, error) {
	rows, err := q.query(ctx, `SELECT d.id, b.id FROM departments d JOIN bots b ON b.id = d.bot_id
		WHERE d.workspace_id = $1 AND b.enabled = 1`, ws)
	if err != nil {
		return nil, fmt.Errorf("store: department bots: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var dept, bot int64
		if err := rows.Scan(&dept, &bot); err != nil {
			return nil, err
		}
		out[dept] = bot
	}
	return out, rows.Err()
}
