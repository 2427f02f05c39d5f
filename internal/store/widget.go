package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// WidgetSession is a website visitor's session on a widget channel.
type WidgetSession struct {
	ID          int64
	WorkspaceID int64
	ChannelID   int64
	// ExternalID is the visitor's contact identity on the channel.
	ExternalID string
	// ContactID is 0 until the visitor's first message creates the contact.
	ContactID  int64
	Name       string
	Email      string
	Phone      string
	Identified bool
	CreatedAt  int64
	SeenAt     int64
}

const widgetSessionCols = `id, workspace_id, channel_id, external_id, COALESCE(contact_id, 0), name, email, phone, identified, created_at, seen_at`

func scanWidgetSession(row interface{ Scan(...any) error }) (WidgetSession, error) {
	var s WidgetSession
	var identified int64
	err := row.Scan(&s.ID, &s.WorkspaceID, &s.ChannelID, &s.ExternalID, &s.ContactID, &s.Name, &s.Email, &s.Phone, &identified, &s.CreatedAt, &s.SeenAt)
	s.Identified = identified != 0
	return s, mapErr(err)
}

// CreateWidgetSession stores a session under the hash of its token. A
// session of an identified customer starts with their contact when they
// wrote before (on any device).
func (q Q) CreateWidgetSession(ctx context.Context, s WidgetSession, tokenHash string) (WidgetSession, error) {
	now := Now()
	s.CreatedAt, s.SeenAt = now, now
	if s.ContactID == 0 {
		if id, err := q.ContactByIdentity(ctx, s.ChannelID, s.ExternalID); err == nil {
			s.ContactID = id
		}
	}
	var contact *int64
	if s.ContactID != 0 {
		contact = &s.ContactID
	}
	identified := boolInt(s.Identified)
	id, err := q.insert(ctx, `INSERT INTO widget_sessions (workspace_id, channel_id, token_hash, external_id, contact_id, name, email, phone, identified, created_at, seen_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, s.WorkspaceID, s.ChannelID, tokenHash, s.ExternalID, contact, s.Name, s.Email, s.Phone,
		identified, s.CreatedAt, s.SeenAt)
	if err != nil {
		return s, fmt.Errorf("store: create widget session: %w", err)
	}
	s.ID = id
	return s, nil
}

// WidgetSessionByToken finds a session of a channel by its token hash.
func (q Q) WidgetSessionByToken(ctx context.Context, channelID int64, tokenHash string) (WidgetSession, error) {
	s, err := scanWidgetSession(q.queryRow(ctx, `SELECT `+widgetSessionCols+` FROM widget_sessions WHERE token_hash = $1 AND channel_id = $2`, tokenHash, channelID))
	if err != nil {
		return s, fmt.Errorf("store: widget session: %w", err)
	}
	return s, nil
}

// TouchWidgetSession records that the visitor was seen (at most once a
// minute is enough for expiry; the caller decides).
func (q Q) TouchWidgetSession(ctx context.Context, id int64) error {
	_, err := q.exec(ctx, `UPDATE widget_sessions SET seen_at = $2 WHERE id = $1`, id, Now())
	return err
}

// BindWidgetSession links a session to the contact its first message
// created and keeps what the visitor told about themselves.
func (q Q) BindWidgetSession(ctx context.Context, id, contactID int64, name, email, phone string) error {
	_, err := q.exec(ctx, `UPDATE widget_sessions SET contact_id = $2,
		name = CASE WHEN $3 <> '' THEN $3 ELSE name END, email = CASE WHEN $4 <> '' THEN $4 ELSE email END,
		phone = CASE WHEN $5 <> '' THEN $5 ELSE phone END WHERE id = $1`, id, contactID, name, email, phone)
	if err != nil {
		return fmt.Errorf("store: bind widget session: %w", err)
	}
	return nil
}

// WidgetUpload is a file a visitor uploaded and has not sent yet.
type WidgetUpload struct {
	ID          int64  `json:"id"`
	SessionID   int64  `json:"-"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"-"`
	StorageKey  string `json:"-"`
	CreatedAt   int64  `json:"-"`
}

// InsertWidgetUpload records an uploaded file of a session.
func (q Q) InsertWidgetUpload(ctx context.Context, u WidgetUpload) (WidgetUpload, error) {
	u.CreatedAt = Now()
	id, err := q.insert(ctx, `INSERT INTO widget_uploads (session_id, filename, content_type, size, sha256, storage_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, u.SessionID, u.Filename, u.ContentType, u.Size, u.SHA256, u.StorageKey, u.CreatedAt)
	if err != nil {
		return u, fmt.Errorf("store: insert widget upload: %w", err)
	}
	u.ID = id
	return u, nil
}

// TakeWidgetUpload removes a session's upload and returns it (the file is
// then the sender's to attach or remove).
func (q Q) TakeWidgetUpload(ctx context.Context, sessionID, id int64) (WidgetUpload, error) {
	var u WidgetUpload
	err := q.queryRow(ctx, `SELECT id, session_id, filename, content_type, size, sha256, storage_key, created_at FROM widget_uploads
		WHERE id = $1 AND session_id = $2`, id, sessionID).Scan(&u.ID, &u.SessionID, &u.Filename, &u.ContentType, &u.Size, &u.SHA256, &u.StorageKey, &u.CreatedAt)
	if err != nil {
		return u, fmt.Errorf("store: widget upload %d: %w", id, mapErr(err))
	}
	if _, err := q.exec(ctx, `DELETE FROM widget_uploads WHERE id = $1`, id); err != nil {
		return u, err
	}
	return u, nil
}

// LatestConversation is the newest conversation of a contact on a channel.
func (q Q) LatestConversation(ctx context.Context, ws, contactID, channelID int64) (Conversation, error) {
	c, err := scanConversation(q.queryRow(ctx, `SELECT `+convCols+convFrom+` WHERE c.workspace_id = $1 AND c.contact_id = $2 AND c.channel_id = $3
		ORDER BY c.created_at DESC, c.id DESC LIMIT 1`, ws, contactID, channelID))
	if err != nil {
		return c, fmt.Errorf("store: latest conversation: %w", err)
	}
	return c, nil
}

// CustomerMessages is a page of the messages a customer sees of their
// conversations on a channel (no notes, no events), oldest first, older
// than beforeID when it is not 0.
func (q Q) CustomerMessages(ctx context.Context, ws, contactID, channelID, beforeID int64, limit int) ([]Message, error) {
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	var a sqlArgs
	where := `c.workspace_id = ` + a.add(ws) + ` AND c.contact_id = ` + a.add(contactID) + ` AND c.channel_id = ` + a.add(channelID) +
		` AND m.direction IN ('in','out')`
	if beforeID > 0 {
		where += ` AND m.id < ` + a.add(beforeID)
	}
	rows, err := q.query(ctx, `SELECT `+msgCols+` FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE `+where+
		` ORDER BY m.id DESC LIMIT `+strconv.Itoa(limit), a...)
	if err != nil {
		return nil, fmt.Errorf("store: customer messages: %w", err)
	}
	defer rows.Close()
	list := []Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	ptrs := make([]*Message, len(list))
	for i := range list {
		ptrs[i] = &list[i]
	}
	return list, q.decorateMessages(ctx, ptrs)
}

// CustomerAttachment returns an attachment of a message the customer sees
// (not a note's) in their conversations on a channel.
func (q Q) CustomerAttachment(ctx context.Context, ws, contactID, channelID, id int64) (Attachment, error) {
	at, err := scanAttachment(q.queryRow(ctx, `SELECT `+attachmentCols+` FROM attachments WHERE id = $1 AND workspace_id = $2 AND message_id IN (
		SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE c.workspace_id = $2 AND c.contact_id = $3 AND c.channel_id = $4 AND m.direction IN ('in','out'))`, id, ws, contactID, channelID))
	if err != nil {
		return at, fmt.Errorf("store: customer attachment %d: %w", id, err)
	}
	return at, nil
}

// Rating is a customer's rating of a resolved conversation.
type Rating struct {
	ConversationID int64  `json:"conversation_id"`
	WorkspaceID    int64  `json:"-"`
	ContactID      int64  `json:"-"`
	AssigneeID     *int64 `json:"assignee_id"`
	DepartmentID   *int64 `json:"department_id"`
	Score          int    `json:"score"`
	Comment        string `json:"comment"`
	CreatedAt      int64  `json:"created_at"`
}

// InsertRating stores a rating; a second rating of the same conversation
// is ErrConflict.
func (q Q) InsertRating(ctx context.Context, r Rating) (Rating, error) {
	r.CreatedAt = Now()
	_, err := q.exec(ctx, `INSERT INTO conversation_ratings (conversation_id, workspace_id, contact_id, assignee_id, department_id, score, comment, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, r.ConversationID, r.WorkspaceID, r.ContactID, r.AssigneeID, r.DepartmentID, r.Score, r.Comment, r.CreatedAt)
	if err != nil {
		return r, fmt.Errorf("store: insert rating: %w", mapErr(err))
	}
	return r, nil
}

// RatingOf returns a conversation's rating.
func (q Q) RatingOf(ctx context.Context, ws, conversationID int64) (Rating, error) {
	var r Rating
	err := q.queryRow(ctx, `SELECT conversation_id, workspace_id, contact_id, assignee_id, department_id, score, comment, created_at
		FROM conversation_ratings WHERE conversation_id = $1 AND workspace_id = $2`, conversationID, ws).
		Scan(&r.ConversationID, &r.WorkspaceID, &r.ContactID, &r.AssigneeID, &r.DepartmentID, &r.Score, &r.Comment, &r.CreatedAt)
	if err != nil {
		return r, fmt.Errorf("store: rating of conversation %d: %w", conversationID, mapErr(err))
	}
	return r, nil
}

// AgentsOnline counts the active users who are online and can take a
// conversation of the department (its members, or any admin when the
// department is 0, meaning the workspace's default routing).
func (q Q) AgentsOnline(ctx context.Context, ws, departmentID int64) (int, error) {
	var n int
	var err error
	if departmentID == 0 {
		err = q.queryRow(ctx, `SELECT count(*) FROM users WHERE workspace_id = $1 AND active = 1 AND presence = 'online'`, ws).Scan(&n)
	} else {
		err = q.queryRow(ctx, `SELECT count(*) FROM users u JOIN department_members dm ON dm.user_id = u.id
			WHERE u.workspace_id = $1 AND dm.department_id = $2 AND u.active = 1 AND u.presence = 'online'`, ws, departmentID).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("store: agents online: %w", err)
	}
	return n, nil
}

// HasPublishedHelp reports whether a workspace has published help-centre
// articles (the widget then offers a search before the chat).
func (q Q) HasPublishedHelp(ctx context.Context, ws int64) (bool, error) {
	var n int
	err := q.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM help_articles WHERE workspace_id = $1 AND status = 'published' LIMIT 1) x`, ws).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: published help articles: %w", err)
	}
	return n > 0, nil
}

// UnreadOutbound lists, oldest first, the replies to a contact on a
// channel up to message upToID that the customer has not read yet (the
// widget's read marks: its replies need no provider id).
func (q Q) UnreadOutbound(ctx context.Context, ws, contactID, channelID, upToID int64) ([]int64, error) {
	rows, err := q.query(ctx, `SELECT m.id FROM conversations c JOIN messages m ON m.conversation_id = c.id
		WHERE c.workspace_id = $1 AND c.contact_id = $2 AND c.channel_id = $3 AND m.direction = 'out' AND m.id <= $4
		AND m.status IN ('pending','sent','delivered') ORDER BY m.id`, ws, contactID, channelID, upToID)
	if err != nil {
		return nil, fmt.Errorf("store: unread replies: %w", err)
	}
	return scanIDs(rows)
}

// TeamReadUpTo is, per conversation, the latest time any user read it
// (Unix ms): the customer's messages up to it were seen by the team.
func (q Q) TeamReadUpTo(ctx context.Context, conversationIDs []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	if len(conversationIDs) == 0 {
		return out, nil
	}
	var a sqlArgs
	ph := make([]string, len(conversationIDs))
	for i, id := range conversationIDs {
		ph[i] = a.add(id)
	}
	rows, err := q.query(ctx, `SELECT conversation_id, MAX(read_at) FROM conversation_reads WHERE conversation_id IN (`+strings.Join(ph, ",")+`)
		GROUP BY conversation_id`, a...)
	if err != nil {
		return nil, fmt.Errorf("store: team read markers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			return nil, err
		}
		out[id] = at
	}
	return out, rows.Err()
}

// BotMessagesSince counts the automatic (bot) messages of a conversation
// since at (Unix ms): a resolve's closing message and rating request.
func (q Q) BotMessagesSince(ctx context.Context, conversationID, at int64) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT count(*) FROM messages WHERE conversation_id = $1 AND sender_type = 'bot' AND created_at >= $2`, conversationID, at).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: bot messages since: %w", err)
	}
	return n, nil
}
