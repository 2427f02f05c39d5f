package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/atende/atende/internal/access"
)

// Message kinds, directions and sender types.
const (
	KindText  = "text"
	KindMedia = "media"
	KindNote  = "note"
	KindEvent = "event"

	DirIn       = "in"
	DirOut      = "out"
	DirInternal = "internal"

	SenderContact = "contact"
	SenderUser    = "user"
	SenderBot     = "bot"
	SenderSystem  = "system"
)

// Delivery statuses of outbound messages, in the order they progress.
const (
	DeliveryNone      = "none"
	DeliveryPending   = "pending"
	DeliverySent      = "sent"
	DeliveryDelivered = "delivered"
	DeliveryRead      = "read"
	DeliveryFailed    = "failed"
)

// Event is the body of a system event in the timeline: who changed what, from → to.
type Event struct {
	Type       string `json:"type"`
	ActorType  string `json:"actor_type"`
	ActorID    int64  `json:"actor_id,omitempty"`
	From       string `json:"from,omitempty"`
	To         string `json:"to,omitempty"`
	Department *int64 `json:"department_id,omitempty"`
	Assignee   *int64 `json:"assignee_id,omitempty"`
	Until      *int64 `json:"until,omitempty"`
	Reason     *int64 `json:"closing_reason_id,omitempty"`
	Detail     string `json:"detail,omitempty"`
}

// Message is one entry of a conversation's timeline.
type Message struct {
	ID             int64        `json:"id"`
	WorkspaceID    int64        `json:"-"`
	ConversationID int64        `json:"conversation_id"`
	Kind           string       `json:"kind"`
	Direction      string       `json:"direction"`
	SenderType     string       `json:"sender_type"`
	SenderID       *int64       `json:"sender_id"`
	Content        string       `json:"content"`
	Event          *Event       `json:"event,omitempty"`
	ChannelID      int64        `json:"channel_id"`
	ExternalID     *string      `json:"external_id"`
	Status         string       `json:"status"`
	Error          string       `json:"error,omitempty"`
	CreatedAt      int64        `json:"created_at"`
	Attachments    []Attachment `json:"attachments"`
	LabelIDs       []int64      `json:"label_ids"`
	// Via is the kind of the channel an outbound message went out on when
	// that is not its conversation's channel ("sms": the composer's SMS
	// tab); empty otherwise. It is derived, never stored.
	Via string `json:"via,omitempty"`
	// ReplyToID is the message this one answers (a customer's quote-reply,
	// or an agent's reply to a customer's message); ReplyTo quotes it when
	// it still exists.
	ReplyToID *int64 `json:"reply_to_id"`
	ReplyTo   *Quote `json:"reply_to,omitempty"`
	// Choices are the options of a bot's menu, in order: the text already
	// lists them, and channels with buttons or lists also offer them so.
	Choices []string `json:"choices,omitempty"`
}

// Quote is the part of an answered message a reply shows above itself.
type Quote struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	Direction  string `json:"direction"`
	SenderType string `json:"sender_type"`
	SenderID   *int64 `json:"sender_id"`
	// Content is the beginning of the quoted text (QuoteRunes at most).
	Content string `json:"content"`
	// Filename names the quoted message's first attachment, if any.
	Filename  string `json:"filename,omitempty"`
	CreatedAt int64  `json:"created_at"`
	// ChannelID and ExternalID let a delivery quote the message on the
	// provider (WhatsApp context, Telegram reply_parameters).
	ChannelID  int64   `json:"-"`
	ExternalID *string `json:"-"`
}

// QuoteRunes bounds the text a quote carries.
const QuoteRunes = 280

// QuoteOf is the quote of m as a reply to it shows.
func QuoteOf(m Message) *Quote {
	qt := &Quote{ID: m.ID, Kind: m.Kind, Direction: m.Direction, SenderType: m.SenderType, SenderID: m.SenderID,
		Content: clip(m.Content, QuoteRunes), CreatedAt: m.CreatedAt, ChannelID: m.ChannelID, ExternalID: m.ExternalID}
	if len(m.Attachments) > 0 {
		qt.Filename = m.Attachments[0].Filename
	}
	return qt
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

const msgCols = `m.id, m.workspace_id, m.conversation_id, m.kind, m.direction, m.sender_type, m.sender_id, m.content, m.event, m.channel_id,
	m.external_id, m.status, m.error, m.created_at, m.reply_to_id, m.choices,
	COALESCE((SELECT vch.kind FROM conversations vcv JOIN channels vch ON vch.id = m.channel_id
		WHERE vcv.id = m.conversation_id AND vcv.channel_id <> m.channel_id), '')`

func scanMessage(row interface{ Scan(...any) error }) (Message, error) {
	var m Message
	var ev, choices *string
	err := row.Scan(&m.ID, &m.WorkspaceID, &m.ConversationID, &m.Kind, &m.Direction, &m.SenderType, &m.SenderID, &m.Content, &ev, &m.ChannelID,
		&m.ExternalID, &m.Status, &m.Error, &m.CreatedAt, &m.ReplyToID, &choices, &m.Via)
	if err != nil {
		return m, mapErr(err)
	}
	if choices != nil {
		if err := json.Unmarshal([]byte(*choices), &m.Choices); err != nil {
			return m, fmt.Errorf("store: message %d choices: %w", m.ID, err)
		}
	}
	if ev != nil {
		m.Event = &Event{}
		if err := json.Unmarshal([]byte(*ev), m.Event); err != nil {
			return m, fmt.Errorf("store: message %d event: %w", m.ID, err)
		}
	}
	m.Attachments = []Attachment{}
	m.LabelIDs = []int64{}
	return m, nil
}

// InsertMessage stores a message and returns it with its id. A second
// message with the same (channel, external id) is ErrConflict.
func (q Q) InsertMessage(ctx context.Context, m Message) (Message, error) {
	var ev *string
	if m.Event != nil {
		b, err := json.Marshal(m.Event)
		if err != nil {
			return m, err
		}
		s := string(b)
		ev = &s
	}
	var choices *string
	if len(m.Choices) > 0 {
		b, err := json.Marshal(m.Choices)
		if err != nil {
			return m, err
		}
		s := string(b)
		choices = &s
	}
	if m.Status == "" {
		m.Status = DeliveryNone
	}
	id, err := q.insert(ctx, `INSERT INTO messages (workspace_id, conversation_id, kind, direction, sender_type, sender_id, content, event, channel_id,
		external_id, status, error, created_at, reply_to_id, choices) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		m.WorkspaceID, m.ConversationID, m.Kind, m.Direction, m.SenderType, m.SenderID, m.Content, ev, m.ChannelID,
		m.ExternalID, m.Status, m.Error, m.CreatedAt, m.ReplyToID, choices)
	if err != nil {
		return m, fmt.Errorf("store: insert message: %w", err)
	}
	m.ID = id
	if m.Attachments == nil {
		m.Attachments = []Attachment{}
	}
	if m.LabelIDs == nil {
		m.LabelIDs = []int64{}
	}
	return m, nil
}

// MessageByExternalID finds the message a channel already delivered with that id.
func (q Q) MessageByExternalID(ctx context.Context, channelID int64, externalID string) (Message, error) {
	m, err := scanMessage(q.queryRow(ctx, `SELECT `+msgCols+` FROM messages m WHERE m.channel_id = $1 AND m.external_id = $2`, channelID, externalID))
	if err != nil {
		return m, fmt.Errorf("store: message by external id: %w", err)
	}
	return m, nil
}

// Message returns one message of a conversation the viewer may see.
func (q Q) Message(ctx context.Context, v access.Viewer, id int64) (Message, error) {
	var a sqlArgs
	where := "m.id = " + a.add(id) + " AND " + visibleWhere(v, &a)
	m, err := scanMessage(q.queryRow(ctx, `SELECT `+msgCols+` FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE `+where, a...))
	if err != nil {
		return m, fmt.Errorf("store: get message %d: %w", id, err)
	}
	err = q.decorateMessages(ctx, []*Message{&m})
	return m, err
}

// MessageByID returns a message of ws without visibility (for workers).
func (q Q) MessageByID(ctx context.Context, ws, id int64) (Message, error) {
	m, err := scanMessage(q.queryRow(ctx, `SELECT `+msgCols+` FROM messages m WHERE m.id = $1 AND m.workspace_id = $2`, id, ws))
	if err != nil {
		return m, fmt.Errorf("store: get message %d: %w", id, err)
	}
	err = q.decorateMessages(ctx, []*Message{&m})
	return m, err
}

// MessagePage is a page of a timeline in chronological order; Before pages further back.
type MessagePage struct {
	Items  []Message `json:"items"`
	Before string    `json:"before,omitempty"`
}

// Messages returns the newest limit messages of a conversation older than
// the before cursor, in chronological order. Callers check visibility of the
// conversation first.
func (q Q) Messages(ctx context.Context, convID int64, before string, limit int) (MessagePage, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var a sqlArgs
	where := "m.conversation_id = " + a.add(convID)
	if before != "" {
		c, err := parseCursor(before)
		if err != nil {
			return MessagePage{}, err
		}
		where += " AND (m.created_at, m.id) < (" + a.add(c.key) + ", " + a.add(c.id) + ")"
	}
	rows, err := q.query(ctx, `SELECT `+msgCols+` FROM messages m WHERE `+where+` ORDER BY m.created_at DESC, m.id DESC LIMIT `+strconv.Itoa(limit+1), a...)
	if err != nil {
		return MessagePage{}, fmt.Errorf("store: messages of conversation %d: %w", convID, err)
	}
	defer rows.Close()
	page := MessagePage{Items: []Message{}}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return page, err
		}
		page.Items = append(page.Items, m)
	}
	if err := rows.Err(); err != nil {
		return page, err
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		last := page.Items[limit-1]
		page.Before = cursor{last.CreatedAt, last.ID}.String()
	}
	for i, j := 0, len(page.Items)-1; i < j; i, j = i+1, j-1 {
		page.Items[i], page.Items[j] = page.Items[j], page.Items[i]
	}
	ptrs := make([]*Message, len(page.Items))
	for i := range page.Items {
		ptrs[i] = &page.Items[i]
	}
	return page, q.decorateMessages(ctx, ptrs)
}

func (q Q) decorateMessages(ctx context.Context, list []*Message) error {
	if len(list) == 0 {
		return nil
	}
	var a sqlArgs
	ph := make([]string, len(list))
	byID := make(map[int64]*Message, len(list))
	for i, m := range list {
		ph[i] = a.add(m.ID)
		byID[m.ID] = m
	}
	in := strings.Join(ph, ",")
	rows, err := q.query(ctx, `SELECT `+attachmentCols+` FROM attachments WHERE message_id IN (`+in+`) ORDER BY id`, a...)
	if err != nil {
		return fmt.Errorf("store: message attachments: %w", err)
	}
	for rows.Next() {
		at, err := scanAttachment(rows)
		if err != nil {
			rows.Close()
			return err
		}
		if m := byID[deref(at.MessageID)]; m != nil {
			m.Attachments = append(m.Attachments, at)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	lrows, err := q.query(ctx, `SELECT message_id, label_id FROM message_labels WHERE message_id IN (`+in+`) ORDER BY label_id`, a...)
	if err != nil {
		return fmt.Errorf("store: message labels: %w", err)
	}
	defer lrows.Close()
	for lrows.Next() {
		var mid, lid int64
		if err := lrows.Scan(&mid, &lid); err != nil {
			return err
		}
		byID[mid].LabelIDs = append(byID[mid].LabelIDs, lid)
	}
	if err := lrows.Err(); err != nil {
		return err
	}
	return q.quoteReplies(ctx, list)
}

// quoteReplies fills ReplyTo of the replies in list with one query for
// the quoted messages (and one for their first attachments).
func (q Q) quoteReplies(ctx context.Context, list []*Message) error {
	var a sqlArgs
	var ph []string
	seen := map[int64]bool{}
	for _, m := range list {
		if m.ReplyToID != nil && !seen[*m.ReplyToID] {
			seen[*m.ReplyToID] = true
			ph = append(ph, a.add(*m.ReplyToID))
		}
	}
	if len(ph) == 0 {
		return nil
	}
	ws := a.add(list[0].WorkspaceID)
	in := strings.Join(ph, ",")
	rows, err := q.query(ctx, `SELECT `+msgCols+` FROM messages m WHERE m.id IN (`+in+`) AND m.workspace_id = `+ws, a...)
	if err != nil {
		return fmt.Errorf("store: quoted messages: %w", err)
	}
	quoted := map[int64]Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			rows.Close()
			return err
		}
		quoted[m.ID] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	files := map[int64]string{}
	frows, err := q.query(ctx, `SELECT message_id, filename FROM attachments WHERE message_id IN (`+in+`) AND workspace_id = `+ws+` ORDER BY id`, a...)
	if err != nil {
		return fmt.Errorf("store: quoted attachments: %w", err)
	}
	defer frows.Close()
	for frows.Next() {
		var mid int64
		var name string
		if err := frows.Scan(&mid, &name); err != nil {
			return err
		}
		if _, ok := files[mid]; !ok {
			files[mid] = name
		}
	}
	if err := frows.Err(); err != nil {
		return err
	}
	for _, m := range list {
		if m.ReplyToID == nil {
			continue
		}
		if qm, ok := quoted[*m.ReplyToID]; ok {
			m.ReplyTo = QuoteOf(qm)
			m.ReplyTo.Filename = files[qm.ID]
		}
	}
	return nil
}

var deliveryRank = map[string]int{DeliveryNone: 0, DeliveryPending: 1, DeliverySent: 2, DeliveryDelivered: 3, DeliveryRead: 4, DeliveryFailed: 5}

// ValidDelivery reports whether s is a delivery status a channel may report.
func ValidDelivery(s string) bool {
	_, ok := deliveryRank[s]
	return ok && s != DeliveryNone
}

// SetDeliveryStatus moves a message's delivery status forward; a late
// "delivered" never overwrites "read". It reports whether anything changed.
func (q Q) SetDeliveryStatus(ctx context.Context, ws, id int64, status, errText string) (bool, error) {
	var a sqlArgs
	lower := []string{}
	for s, r := range deliveryRank {
		if r < deliveryRank[status] || (status == DeliveryFailed && s != DeliveryFailed) {
			lower = append(lower, a.add(s))
		}
	}
	if len(lower) == 0 {
		return false, nil
	}
	res, err := q.exec(ctx, `UPDATE messages SET status = `+a.add(status)+`, error = `+a.add(errText)+
		` WHERE id = `+a.add(id)+` AND workspace_id = `+a.add(ws)+` AND status IN (`+strings.Join(lower, ",")+`)`, a...)
	if err != nil {
		return false, fmt.Errorf("store: set delivery status of message %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// SetMessageExternalID records the provider's id of an outbound message
// once it was sent (the id delivery statuses and replies refer to); a
// message keeps the first id it was given.
func (q Q) SetMessageExternalID(ctx context.Context, ws, id int64, externalID string) error {
	_, err := q.exec(ctx, `UPDATE messages SET external_id = $3 WHERE id = $1 AND workspace_id = $2 AND external_id IS NULL`, id, ws, externalID)
	if err != nil {
		return fmt.Errorf("store: set external id of message %d: %w", id, err)
	}
	return nil
}

// SetMessageLabel adds (on) or removes a label of ws on a message.
func (q Q) SetMessageLabel(ctx context.Context, ws, msgID, labelID int64, on bool) error {
	if _, err := q.Label(ctx, ws, labelID); err != nil {
		return err
	}
	var err error
	if on {
		_, err = q.exec(ctx, `INSERT INTO message_labels (message_id, label_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, msgID, labelID)
	} else {
		_, err = q.exec(ctx, `DELETE FROM message_labels WHERE message_id = $1 AND label_id = $2`, msgID, labelID)
	}
	if err != nil {
		return fmt.Errorf("store: label message %d: %w", msgID, err)
	}
	return nil
}

// SearchHit is a message found by full-text search.
type SearchHit struct {
	Message
	ContactName string `json:"contact_name"`
}

// SearchMessages finds messages whose text matches every word of query in
// conversations the viewer may see, newest first.
func (q Q) SearchMessages(ctx context.Context, v access.Viewer, query string, beforeID int64, limit int) ([]SearchHit, error) {
	words := strings.Fields(query)
	if len(words) == 0 {
		return []SearchHit{}, nil
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	var a sqlArgs
	var from, where, order string
	if q.d == Postgres {
		from = `messages m JOIN conversations c ON c.id = m.conversation_id`
		rare, err := q.rareMatches(ctx, strings.Join(words, " "), beforeID)
		if err != nil {
			return nil, err
		}
		if rare != nil {
			// few matches: take them by id from the text index instead of
			// walking the newest messages until enough match
			where = "m.id = ANY(" + a.add(rare) + ")"
		} else {
			where = "to_tsvector('simple', m.content) @@ plainto_tsquery('simple', " + a.add(strings.Join(words, " ")) + ") AND m.kind IN ('text','media','note')"
		}
		order = "m.id DESC"
	} else {
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
		}
		// The FTS table drives the join newest first (FTS5 consumes ORDER BY
		// rowid DESC and a rowid bound), so the query stops after limit
		// visible hits instead of materialising every match of a common word.
		from = `messages_fts JOIN messages m ON m.id = messages_fts.rowid JOIN conversations c ON c.id = m.conversation_id`
		where = "messages_fts MATCH " + a.add(strings.Join(quoted, " "))
		order = "messages_fts.rowid DESC"
	}
	where += " AND " + visibleWhere(v, &a)
	if beforeID > 0 {
		if q.d == Postgres {
			where += " AND m.id < " + a.add(beforeID)
		} else {
			where += " AND messages_fts.rowid < " + a.add(beforeID)
		}
	}
	rows, err := q.query(ctx, `SELECT `+msgCols+`, COALESCE(ct.name, '') FROM `+from+`
		LEFT JOIN contacts ct ON ct.id = c.contact_id WHERE `+where+` ORDER BY `+order+` LIMIT `+strconv.Itoa(limit), a...)
	if err != nil {
		return nil, fmt.Errorf("store: search messages: %w", err)
	}
	defer rows.Close()
	hits := []SearchHit{}
	for rows.Next() {
		var h SearchHit
		var ev, choices *string
		err := rows.Scan(&h.ID, &h.WorkspaceID, &h.ConversationID, &h.Kind, &h.Direction, &h.SenderType, &h.SenderID, &h.Content, &ev, &h.ChannelID,
			&h.ExternalID, &h.Status, &h.Error, &h.CreatedAt, &h.ReplyToID, &choices, &h.Via, &h.ContactName)
		if err != nil {
			return nil, err
		}
		if choices != nil {
			if err := json.Unmarshal([]byte(*choices), &h.Choices); err != nil {
				return nil, fmt.Errorf("store: message %d choices: %w", h.ID, err)
			}
		}
		h.Attachments, h.LabelIDs = []Attachment{}, []int64{}
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// rareLimit is how many matches make a term "common" for PostgreSQL search.
const rareLimit = 500

// rareMatches returns the ids of every message matching query (below
// beforeID) when there are fewer than rareLimit of them, and nil otherwise.
// PostgreSQL plans "newest matches first" as a walk down the primary key
// that tests each message, which is fast for common words but reads the
// whole table for a rare one (13–17 s at 1M messages); a term that is rare
// is better served straight from the GIN index. This probe asks the index
// without ordering, so it stops after rareLimit rows.
func (q Q) rareMatches(ctx context.Context, query string, beforeID int64) ([]int64, error) {
	before := int64(1 << 62)
	if beforeID > 0 {
		before = beforeID
	}
	rows, err := q.query(ctx, `SELECT id FROM messages WHERE to_tsvector('simple', content) @@ plainto_tsquery('simple', $1)
		AND kind IN ('text','media','note') AND id < $2 LIMIT `+strconv.Itoa(rareLimit), query, before)
	if err != nil {
		return nil, fmt.Errorf("store: search probe: %w", err)
	}
	ids, err := scanIDs(rows)
	if err != nil || len(ids) >= rareLimit {
		return nil, err
	}
	return ids, nil
}

// Attachment is a stored file; only users who may see its conversation can read it.
type Attachment struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"-"`
	MessageID   *int64 `json:"message_id"`
	UploaderID  *int64 `json:"-"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	StorageKey  string `json:"-"`
	CreatedAt   int64  `json:"created_at"`
}

const attachmentCols = `id, workspace_id, message_id, uploader_id, filename, content_type, size, sha256, storage_key, created_at`

func scanAttachment(row interface{ Scan(...any) error }) (Attachment, error) {
	var a Attachment
	err := row.Scan(&a.ID, &a.WorkspaceID, &a.MessageID, &a.UploaderID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.StorageKey, &a.CreatedAt)
	return a, mapErr(err)
}

// InsertAttachment records a stored file.
func (q Q) InsertAttachment(ctx context.Context, at Attachment) (Attachment, error) {
	at.CreatedAt = Now()
	id, err := q.insert(ctx, `INSERT INTO attachments (workspace_id, message_id, uploader_id, filename, content_type, size, sha256, storage_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, at.WorkspaceID, at.MessageID, at.UploaderID, at.Filename, at.ContentType, at.Size, at.SHA256, at.StorageKey, at.CreatedAt)
	if err != nil {
		return at, fmt.Errorf("store: insert attachment: %w", err)
	}
	at.ID = id
	return at, nil
}

// AttachmentForViewer returns an attachment whose message's conversation the
// viewer may see, or an unsent upload of the viewer's own.
func (q Q) AttachmentForViewer(ctx context.Context, v access.Viewer, id int64) (Attachment, error) {
	var a sqlArgs
	idp := a.add(id)
	vis := visibleWhere(v, &a)
	me := a.add(v.UserID)
	ws := a.add(v.WorkspaceID)
	at, err := scanAttachment(q.queryRow(ctx, `SELECT `+attachmentCols+` FROM attachments WHERE id = `+idp+` AND workspace_id = `+ws+` AND (
		(message_id IS NULL AND uploader_id = `+me+`) OR
		message_id IN (SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE `+vis+`))`, a...))
	if err != nil {
		return at, fmt.Errorf("store: get attachment %d: %w", id, err)
	}
	return at, nil
}

// ClaimUpload links an unsent upload of userID to a message.
func (q Q) ClaimUpload(ctx context.Context, ws, userID, attachmentID, messageID int64) error {
	res, err := q.exec(ctx, `UPDATE attachments SET message_id = $4 WHERE id = $1 AND workspace_id = $2 AND uploader_id = $3 AND message_id IS NULL`,
		attachmentID, ws, userID, messageID)
	return affected(res, err, "claim upload", attachmentID)
}

// LastInboundAt is when a contact last wrote on a channel (Unix ms), in any
// of their conversations there; 0 when they never did. Channels with a
// customer-service window (WhatsApp's 24 hours) count from it.
func (q Q) LastInboundAt(ctx context.Context, ws, contactID, channelID int64) (int64, error) {
	var at sql.NullInt64
	err := q.queryRow(ctx, `SELECT MAX(m.created_at) FROM conversations c JOIN messages m ON m.conversation_id = c.id
		WHERE c.workspace_id = $1 AND c.contact_id = $2 AND c.channel_id = $3 AND m.direction = 'in'`, ws, contactID, channelID).Scan(&at)
	if err != nil {
		return 0, fmt.Errorf("store: last inbound message: %w", err)
	}
	return at.Int64, nil
}

// OutboundUpTo lists, oldest first, the ids of the messages sent to a
// contact on a channel at or before at (Unix ms) whose delivery status is
// below status: what a provider's "everything up to here" receipt (Meta's
// delivery and read watermarks) moves forward.
func (q Q) OutboundUpTo(ctx context.Context, ws, contactID, channelID, at int64, status string) ([]int64, error) {
	var a sqlArgs
	lower := []string{}
	for s, r := range deliveryRank {
		if r < deliveryRank[status] && r > deliveryRank[DeliveryPending] {
			lower = append(lower, a.add(s))
		}
	}
	if len(lower) == 0 {
		return nil, nil
	}
	rows, err := q.query(ctx, `SELECT m.id FROM conversations c JOIN messages m ON m.conversation_id = c.id
		WHERE c.workspace_id = `+a.add(ws)+` AND c.contact_id = `+a.add(contactID)+` AND c.channel_id = `+a.add(channelID)+
		` AND m.direction = 'out' AND m.external_id IS NOT NULL AND m.created_at <= `+a.add(at)+
		` AND m.status IN (`+strings.Join(lower, ",")+`) ORDER BY m.id`, a...)
	if err != nil {
		return nil, fmt.Errorf("store: outbound messages up to a watermark: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
