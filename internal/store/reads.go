package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/atende/atende/internal/access"
)

// Unread rule (migration 0003): a conversation is unread for a user when
// its customer waits for a reply — waiting_since is set, which also means
// the conversation is not resolved and last_message_at is the time of the
// customer's latest message — and the user has no read marker on it or
// one older than last_message_at. An agent's reply stops the wait, so it
// reads as "read" for everyone; a private note does not.

// IsUnread applies the unread rule to a conversation and the user's read
// marker (readAt, ok=false when the user has none).
func IsUnread(c Conversation, readAt int64, ok bool) bool {
	if !c.Waiting() || c.Status == StatusResolved {
		return false
	}
	return !ok || c.LastMessageAt > readAt
}

// MarkRead records that the viewer read a conversation they may see, at
// at or at its last message, whichever is later (clocks of several nodes
// may disagree by a little; reading shows everything there is). A marker
// never moves back. A conversation the viewer may not see is ErrNotFound.
func (q Q) MarkRead(ctx context.Context, v access.Viewer, convID, at int64) error {
	var a sqlArgs
	user, when := a.add(v.UserID), a.add(at)
	where := "c.id = " + a.add(convID) + " AND " + visibleWhere(v, &a)
	res, err := q.exec(ctx, `INSERT INTO conversation_reads (user_id, conversation_id, read_at)
		SELECT CAST(`+user+` AS BIGINT), c.id, CASE WHEN c.last_message_at > `+when+` THEN c.last_message_at ELSE `+when+` END
		FROM conversations c WHERE `+where+`
		ON CONFLICT (user_id, conversation_id) DO UPDATE SET read_at =
			CASE WHEN excluded.read_at > conversation_reads.read_at THEN excluded.read_at ELSE conversation_reads.read_at END`, a...)
	return affected(res, err, "mark conversation read", convID)
}

// ReadAt returns a user's read marker on a conversation (ok=false when none).
func (q Q) ReadAt(ctx context.Context, userID, convID int64) (at int64, ok bool, err error) {
	err = mapErr(q.queryRow(ctx, `SELECT read_at FROM conversation_reads WHERE user_id = $1 AND conversation_id = $2`, userID, convID).Scan(&at))
	if errors.Is(err, ErrNotFound) {
		return 0, false, nil
	}
	return at, err == nil, err
}

// UnreadMine counts the viewer's own conversations — the Mine view: bot,
// queued or open and assigned to them — that are unread for them. It reads
// the (workspace, assignee, status, waiting_since) index over the viewer's
// waiting conversations only, and their read markers by primary key.
func (q Q) UnreadMine(ctx context.Context, v access.Viewer) (int64, error) {
	var n int64
	err := q.queryRow(ctx, `SELECT count(*) FROM conversations c
		LEFT JOIN conversation_reads r ON r.user_id = $2 AND r.conversation_id = c.id
		WHERE c.workspace_id = $1 AND c.assignee_id = $2 AND c.status IN (`+statusLiteral(StatusBot)+`, `+statusLiteral(StatusQueued)+`, `+statusLiteral(StatusOpen)+`)
		AND c.waiting_since < $3 AND (r.read_at IS NULL OR c.last_message_at > r.read_at)`, v.WorkspaceID, v.UserID, NotWaiting).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count unread: %w", mapErr(err))
	}
	return n, nil
}

// attachUnread sets the user's unread flag on every conversation of a page,
// reading the markers of the waiting ones (no other can be unread) in one query.
func (q Q) attachUnread(ctx context.Context, userID int64, list []*Conversation) error {
	var a sqlArgs
	user := a.add(userID)
	var ph []string
	waiting := map[int64]*Conversation{}
	for _, c := range list {
		c.Unread = new(bool)
		if IsUnread(*c, 0, false) {
			ph = append(ph, a.add(c.ID))
			waiting[c.ID] = c
		}
	}
	if len(ph) == 0 {
		return nil
	}
	rows, err := q.query(ctx, `SELECT conversation_id, read_at FROM conversation_reads WHERE user_id = `+user+
		` AND conversation_id IN (`+strings.Join(ph, ",")+`)`, a...)
	if err != nil {
		return fmt.Errorf("store: read markers: %w", err)
	}
	defer rows.Close()
	read := make(map[int64]int64, len(ph))
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			return err
		}
		read[id] = at
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for id, c := range waiting {
		at, ok := read[id]
		*c.Unread = IsUnread(*c, at, ok)
	}
	return nil
}
