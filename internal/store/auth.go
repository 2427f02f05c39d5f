package store

import (
	"context"
	"fmt"
)

// Session is a browser login. Only the hash of the cookie value is stored.
type Session struct {
	UserID    int64
	CSRFToken string
	ExpiresAt int64
}

// CreateSession stores a new session.
func (q Q) CreateSession(ctx context.Context, idHash string, s Session) error {
	_, err := q.exec(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)`,
		idHash, s.UserID, s.CSRFToken, s.ExpiresAt, Now())
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// SessionByHash returns an unexpired session.
func (q Q) SessionByHash(ctx context.Context, idHash string) (Session, error) {
	var s Session
	err := q.queryRow(ctx, `SELECT user_id, csrf_token, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2`, idHash, Now()).
		Scan(&s.UserID, &s.CSRFToken, &s.ExpiresAt)
	if err != nil {
		return s, fmt.Errorf("store: get session: %w", mapErr(err))
	}
	return s, nil
}

// DeleteSession removes a session (logout).
func (q Q) DeleteSession(ctx context.Context, idHash string) error {
	_, err := q.exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash)
	return err
}

// DeleteExpiredSessions removes sessions past their expiry.
func (q Q) DeleteExpiredSessions(ctx context.Context) error {
	_, err := q.exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, Now())
	return err
}

// UserByID returns a user by id regardless of workspace; only for
// authentication, where the workspace comes from the user row itself.
func (q Q) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(q.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	if err != nil {
		return u, fmt.Errorf("store: get user %d: %w", id, err)
	}
	u.DepartmentIDs, err = q.userDepartments(ctx, id)
	return u, err
}

// APIToken is a personal access token; only its hash is stored.
type APIToken struct {
	ID         int64  `json:"id"`
	UserID     int64  `json:"user_id"`
	Name       string `json:"name"`
	Prefix     string `json:"prefix"`
	LastUsedAt int64  `json:"last_used_at"`
	CreatedAt  int64  `json:"created_at"`
}

// CreateAPIToken stores a token hash for a user.
func (q Q) CreateAPIToken(ctx context.Context, ws, userID int64, name, hash, prefix string) (APIToken, error) {
	now := Now()
	id, err := q.insert(ctx, `INSERT INTO api_tokens (workspace_id, user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		ws, userID, name, hash, prefix, now)
	if err != nil {
		return APIToken{}, fmt.Errorf("store: create token: %w", err)
	}
	return APIToken{ID: id, UserID: userID, Name: name, Prefix: prefix, CreatedAt: now}, nil
}

// UserIDByTokenHash resolves a token hash to its user and marks it used.
func (q Q) UserIDByTokenHash(ctx context.Context, hash string) (int64, error) {
	var uid int64
	if err := q.queryRow(ctx, `SELECT user_id FROM api_tokens WHERE token_hash = $1`, hash).Scan(&uid); err != nil {
		return 0, fmt.Errorf("store: get token: %w", mapErr(err))
	}
	return uid, nil
}

// TouchAPIToken records the last use of a token.
func (q Q) TouchAPIToken(ctx context.Context, hash string) error {
	_, err := q.exec(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1`, hash, Now())
	return err
}

// APITokens lists a user's tokens.
func (q Q) APITokens(ctx context.Context, ws, userID int64) ([]APIToken, error) {
	rows, err := q.query(ctx, `SELECT id, user_id, name, prefix, last_used_at, created_at FROM api_tokens
		WHERE workspace_id = $1 AND user_id = $2 ORDER BY id`, ws, userID)
	if err != nil {
		return nil, fmt.Errorf("store: list tokens: %w", err)
	}
	defer rows.Close()
	list := []APIToken{}
	for rows.Next() {
		var t APIToken
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.LastUsedAt, &t.CreatedAt); err != nil {
			return nil, err
		}
		list = append(list, t)
	}
	return list, rows.Err()
}

// DeleteAPIToken revokes one of a user's tokens.
func (q Q) DeleteAPIToken(ctx context.Context, ws, userID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM api_tokens WHERE id = $1 AND workspace_id = $2 AND user_id = $3`, id, ws, userID)
	return affected(res, err, "delete token", id)
}
