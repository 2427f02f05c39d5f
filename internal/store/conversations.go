package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/atende/atende/internal/access"
)

// NotWaiting is waiting_since while no customer waits for a reply (see the migration).
const NotWaiting int64 = 1 << 62

// Conversation statuses (DESIGN §3).
const (
	StatusBot      = "bot"
	StatusQueued   = "queued"
	StatusOpen     = "open"
	StatusSnoozed  = "snoozed"
	StatusResolved = "resolved"
)

// Statuses lists every conversation status.
var Statuses = []string{StatusBot, StatusQueued, StatusOpen, StatusSnoozed, StatusResolved}

// Conversation is one service cycle with a contact on a channel. Department,
// assignee, status and the sort times are denormalised here so that every
// inbox view is a range of one index.
type Conversation struct {
	ID               int64   `json:"id"`
	WorkspaceID      int64   `json:"-"`
	ContactID        int64   `json:"contact_id"`
	ContactName      string  `json:"contact_name"`
	ChannelID        int64   `json:"channel_id"`
	DepartmentID     *int64  `json:"department_id"`
	AssigneeID       *int64  `json:"assignee_id"`
	Status           string  `json:"status"`
	Priority         string  `json:"priority"`
	AutomationPaused bool    `json:"automation_paused"`
	AssigneeReplied  bool    `json:"assignee_replied"`
	LastMessageAt    int64   `json:"last_message_at"`
	LastPreview      string  `json:"last_preview"`
	WaitingSince     int64   `json:"-"`
	OpenedAt         int64   `json:"opened_at"`
	FirstReplyAt     *int64  `json:"first_reply_at"`
	ResolvedAt       *int64  `json:"resolved_at"`
	SnoozedUntil     *int64  `json:"snoozed_until"`
	ClosingReasonID  *int64  `json:"closing_reason_id"`
	CreatedAt        int64   `json:"created_at"`
	UpdatedAt        int64   `json:"updated_at"`
	LabelIDs         []int64 `json:"label_ids"`
	Starred          bool    `json:"starred"`
	// Unread is set for the user a conversation is read for (see IsUnread)
	// and nil where nobody in particular reads it (realtime events).
	Unread *bool `json:"unread,omitempty"`
}

// Dept returns the department id, 0 when unset.
func (c Conversation) Dept() int64 { return deref(c.DepartmentID) }

// Assignee returns the assignee id, 0 when unset.
func (c Conversation) Assignee() int64 { return deref(c.AssigneeID) }

// Waiting reports whether the customer waits for a reply.
func (c Conversation) Waiting() bool { return c.WaitingSince != NotWaiting }

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

const convCols = `c.id, c.workspace_id, c.contact_id, COALESCE(ct.name, ''), c.channel_id, c.department_id, c.assignee_id, c.status, c.priority,
	c.automation_paused, c.assignee_replied, c.last_message_at, c.last_preview, c.waiting_since, c.opened_at, c.first_reply_at,
	c.resolved_at, c.snoozed_until, c.closing_reason_id, c.created_at, c.updated_at`

const convFrom = ` FROM conversations c LEFT JOIN contacts ct ON ct.id = c.contact_id`

func scanConversation(row interface{ Scan(...any) error }) (Conversation, error) {
	var c Conversation
	var paused, replied int64
	err := row.Scan(&c.ID, &c.WorkspaceID, &c.ContactID, &c.ContactName, &c.ChannelID, &c.DepartmentID, &c.AssigneeID, &c.Status, &c.Priority,
		&paused, &replied, &c.LastMessageAt, &c.LastPreview, &c.WaitingSince, &c.OpenedAt, &c.FirstReplyAt,
		&c.ResolvedAt, &c.SnoozedUntil, &c.ClosingReasonID, &c.CreatedAt, &c.UpdatedAt)
	c.AutomationPaused, c.AssigneeReplied = paused != 0, replied != 0
	c.LabelIDs = []int64{}
	return c, mapErr(err)
}

// sqlArgs numbers placeholders as arguments are added.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// visibleWhere is the DESIGN §3 predicate on conversations aliased c.
func visibleWhere(v access.Viewer, a *sqlArgs) string {
	ws := "c.workspace_id = " + a.add(v.WorkspaceID)
	switch {
	case v.IsAdmin():
		return ws
	case v.AssignedOnly():
		return ws + " AND c.assignee_id = " + a.add(v.UserID)
	default:
		me := a.add(v.UserID)
		return ws + " AND (c.assignee_id = " + me + " OR c.department_id IN (SELECT department_id FROM department_members WHERE user_id = " + me + "))"
	}
}

func (q Q) forUpdate() string {
	if q.d == Postgres {
		return " FOR UPDATE OF c"
	}
	return ""
}

// ConversationContact is the contact of a conversation of ws (for workers
// and for checks that need no visibility).
func (q Q) ConversationContact(ctx context.Context, ws, id int64) (int64, error) {
	var contactID int64
	err := q.queryRow(ctx, `SELECT contact_id FROM conversations WHERE id = $1 AND workspace_id = $2`, id, ws).Scan(&contactID)
	if err != nil {
		return 0, fmt.Errorf("store: contact of conversation %d: %w", id, mapErr(err))
	}
	return contactID, nil
}

// Conversation returns a conversation the viewer may see; anything else is ErrNotFound.
func (q Q) Conversation(ctx context.Context, v access.Viewer, id int64) (Conversation, error) {
	var a sqlArgs
	where := "c.id = " + a.add(id) + " AND " + visibleWhere(v, &a)
	c, err := scanConversation(q.queryRow(ctx, `SELECT `+convCols+convFrom+` WHERE `+where, a...))
	if err != nil {
		return c, fmt.Errorf("store: get conversation %d: %w", id, err)
	}
	if err := q.decorate(ctx, v.UserID, []*Conversation{&c}); err != nil {
		return c, err
	}
	return c, nil
}

// LockConversation reads a conversation of ws for update inside a
// transaction, without visibility: callers check visibility first.
func (q Q) LockConversation(ctx context.Context, ws, id int64) (Conversation, error) {
	c, err := scanConversation(q.queryRow(ctx, `SELECT `+convCols+convFrom+` WHERE c.id = $1 AND c.workspace_id = $2`+q.forUpdate(), id, ws))
	if err != nil {
		return c, fmt.Errorf("store: lock conversation %d: %w", id, err)
	}
	return c, nil
}

// UnresolvedConversation returns the contact's unresolved conversation on a channel, locked.
func (q Q) UnresolvedConversation(ctx context.Context, contactID, channelID int64) (Conversation, error) {
	c, err := scanConversation(q.queryRow(ctx, `SELECT `+convCols+convFrom+` WHERE c.contact_id = $1 AND c.channel_id = $2 AND c.status <> 'resolved'`+q.forUpdate(), contactID, channelID))
	if err != nil {
		return c, fmt.Errorf("store: unresolved conversation of contact %d: %w", contactID, err)
	}
	return c, nil
}

// LastResolvedConversation returns the contact's most recently resolved conversation on a channel, locked.
func (q Q) LastResolvedConversation(ctx context.Context, contactID, channelID int64) (Conversation, error) {
	c, err := scanConversation(q.queryRow(ctx, `SELECT `+convCols+convFrom+` WHERE c.contact_id = $1 AND c.channel_id = $2 AND c.status = 'resolved'
		ORDER BY c.resolved_at DESC LIMIT 1`+q.forUpdate(), contactID, channelID))
	if err != nil {
		return c, fmt.Errorf("store: last resolved conversation of contact %d: %w", contactID, err)
	}
	return c, nil
}

// InsertConversation stores a new conversation and returns its id.
func (q Q) InsertConversation(ctx context.Context, c Conversation) (int64, error) {
	id, err := q.insert(ctx, `INSERT INTO conversations (workspace_id, contact_id, channel_id, department_id, assignee_id, status, priority,
		automation_paused, assignee_replied, last_message_at, last_preview, waiting_since, opened_at, first_reply_at, resolved_at, snoozed_until,
		closing_reason_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		c.WorkspaceID, c.ContactID, c.ChannelID, c.DepartmentID, c.AssigneeID, c.Status, c.Priority,
		boolInt(c.AutomationPaused), boolInt(c.AssigneeReplied), c.LastMessageAt, c.LastPreview, c.WaitingSince, c.OpenedAt, c.FirstReplyAt,
		c.ResolvedAt, c.SnoozedUntil, c.ClosingReasonID, c.CreatedAt, c.UpdatedAt)
	if err != nil {
		return 0, fmt.Errorf("store: insert conversation: %w", err)
	}
	return id, nil
}

// SaveConversation writes the mutable fields of c that differ from before
// (the row as read). Writing only what changed matters: every column in the
// SET list makes SQLite rewrite each index holding it, and the inbox views
// keep nine indexes on conversations.
func (q Q) SaveConversation(ctx context.Context, before, c Conversation) error {
	var a sqlArgs
	var set []string
	col := func(name string, changed bool, v any) {
		if changed {
			set = append(set, name+" = "+a.add(v))
		}
	}
	col("department_id", !eqPtr(before.DepartmentID, c.DepartmentID), c.DepartmentID)
	col("assignee_id", !eqPtr(before.AssigneeID, c.AssigneeID), c.AssigneeID)
	col("status", before.Status != c.Status, c.Status)
	col("priority", before.Priority != c.Priority, c.Priority)
	col("automation_paused", before.AutomationPaused != c.AutomationPaused, boolInt(c.AutomationPaused))
	col("assignee_replied", before.AssigneeReplied != c.AssigneeReplied, boolInt(c.AssigneeReplied))
	col("last_message_at", before.LastMessageAt != c.LastMessageAt, c.LastMessageAt)
	col("last_preview", before.LastPreview != c.LastPreview, c.LastPreview)
	col("waiting_since", before.WaitingSince != c.WaitingSince, c.WaitingSince)
	col("opened_at", before.OpenedAt != c.OpenedAt, c.OpenedAt)
	col("first_reply_at", !eqPtr(before.FirstReplyAt, c.FirstReplyAt), c.FirstReplyAt)
	col("resolved_at", !eqPtr(before.ResolvedAt, c.ResolvedAt), c.ResolvedAt)
	col("snoozed_until", !eqPtr(before.SnoozedUntil, c.SnoozedUntil), c.SnoozedUntil)
	col("closing_reason_id", !eqPtr(before.ClosingReasonID, c.ClosingReasonID), c.ClosingReasonID)
	if len(set) == 0 {
		return nil
	}
	col("updated_at", true, c.UpdatedAt)
	res, err := q.exec(ctx, `UPDATE conversations SET `+strings.Join(set, ", ")+` WHERE id = `+a.add(c.ID)+` AND workspace_id = `+a.add(c.WorkspaceID), a...)
	return affected(res, err, "save conversation", c.ID)
}

func eqPtr(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// WithLabels fills a conversation's labels (events broadcast to many users
// carry labels but no per-user star).
func (q Q) WithLabels(ctx context.Context, c *Conversation) error {
	c.LabelIDs = []int64{}
	return q.decorate(ctx, 0, []*Conversation{c})
}

// decorate fills labels and, for a user, their star and unread flag on
// conversations: at most three queries for the whole page.
func (q Q) decorate(ctx context.Context, userID int64, list []*Conversation) error {
	if len(list) == 0 {
		return nil
	}
	var a sqlArgs
	ph := make([]string, len(list))
	byID := make(map[int64]*Conversation, len(list))
	for i, c := range list {
		ph[i] = a.add(c.ID)
		byID[c.ID] = c
	}
	in := strings.Join(ph, ",")
	rows, err := q.query(ctx, `SELECT conversation_id, label_id FROM conversation_labels WHERE conversation_id IN (`+in+`) ORDER BY label_id`, a...)
	if err != nil {
		return fmt.Errorf("store: conversation labels: %w", err)
	}
	for rows.Next() {
		var cid, lid int64
		if err := rows.Scan(&cid, &lid); err != nil {
			rows.Close()
			return err
		}
		byID[cid].LabelIDs = append(byID[cid].LabelIDs, lid)
	}
	rows.Close()
	if err := rows.Err(); err != nil || userID == 0 {
		return err
	}
	user := a.add(userID)
	srows, err := q.query(ctx, `SELECT conversation_id FROM conversation_stars WHERE user_id = `+user+` AND conversation_id IN (`+in+`)`, a...)
	if err != nil {
		return fmt.Errorf("store: conversation stars: %w", err)
	}
	ids, err := scanIDs(srows)
	if err != nil {
		return err
	}
	for _, id := range ids {
		byID[id].Starred = true
	}
	return q.attachUnread(ctx, userID, list)
}

// Sort orders of the conversation list.
const (
	SortLatest    = "latest"     // latest message first
	SortWaiting   = "waiting"    // longest waiting for a reply first
	SortInService = "in_service" // longest in service first
)

// Views of the conversation list.
const (
	ViewMine       = "mine"
	ViewUnassigned = "unassigned"
	ViewAll        = "all"
	ViewSnoozed    = "snoozed"
	ViewResolved   = "resolved"
	ViewStarred    = "starred"
)

// ListFilter selects one page of conversations.
type ListFilter struct {
	View         string
	Statuses     []string // overrides the view's statuses when set
	DepartmentID int64
	AssigneeID   int64
	LabelID      int64
	ChannelID    int64
	// Query, when set, keeps the conversations whose contact matches it
	// (see contactMatch): name contains it, one of its e-mails starts with
	// it, or the digits of one of its phones contain its digits.
	Query  string
	Sort   string
	Cursor string
	Limit  int
}

// ConversationPage is one page of the list and the cursor of the next.
type ConversationPage struct {
	Items      []Conversation `json:"items"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

// ErrBadCursor reports a cursor this server did not produce.
var ErrBadCursor = fmt.Errorf("%w: bad cursor", ErrInvalid)

// ErrInvalid reports a request the store cannot express.
var ErrInvalid = fmt.Errorf("invalid")

type cursor struct{ key, id int64 }

func (c cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.key, 10) + ":" + strconv.FormatInt(c.id, 10)))
}

func parseCursor(s string) (cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, ErrBadCursor
	}
	k, id, ok := strings.Cut(string(b), ":")
	if !ok {
		return cursor{}, ErrBadCursor
	}
	var c cursor
	if c.key, err = strconv.ParseInt(k, 10, 64); err != nil {
		return cursor{}, ErrBadCursor
	}
	if c.id, err = strconv.ParseInt(id, 10, 64); err != nil {
		return cursor{}, ErrBadCursor
	}
	return c, nil
}

func sortColumn(s string) (col string, desc bool, err error) {
	switch s {
	case "", SortLatest:
		return "last_message_at", true, nil
	case SortWaiting:
		return "waiting_since", false, nil
	case SortInService:
		return "opened_at", false, nil
	}
	return "", false, fmt.Errorf("%w: unknown sort %q", ErrInvalid, s)
}

func sortKey(c Conversation, col string) int64 {
	switch col {
	case "waiting_since":
		return c.WaitingSince
	case "opened_at":
		return c.OpenedAt
	}
	return c.LastMessageAt
}

// branch is one equality prefix of an index: (workspace, [department|assignee], status).
type branch struct {
	col    string // "", "department_id" or "assignee_id"
	val    int64
	status string
}

// ListConversations returns one page. The page is built as a UNION of small
// index range scans — one per (department or assignee, status) the view
// covers — each limited to the page size, so its cost is O(page × branches)
// whatever the number of conversations (DESIGN §4). The starred view and a
// search that few contacts match start from those few instead (listDriven);
// a search that many contacts match filters the range scans.
func (q Q) ListConversations(ctx context.Context, v access.Viewer, f ListFilter) (ConversationPage, error) {
	col, desc, err := sortColumn(f.Sort)
	if err != nil {
		return ConversationPage{}, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	statuses := f.Statuses
	if len(statuses) == 0 {
		switch f.View {
		case ViewMine, ViewAll, "", ViewStarred:
			statuses = []string{StatusBot, StatusQueued, StatusOpen}
		case ViewUnassigned:
			statuses = []string{StatusBot, StatusQueued}
		case ViewSnoozed:
			statuses = []string{StatusSnoozed}
		case ViewResolved:
			statuses = []string{StatusResolved}
		default:
			return ConversationPage{}, fmt.Errorf("%w: unknown view %q", ErrInvalid, f.View)
		}
	}
	for _, s := range statuses {
		if !validStatus(s) {
			return ConversationPage{}, fmt.Errorf("%w: unknown status %q", ErrInvalid, s)
		}
	}
	var cur *cursor
	if f.Cursor != "" {
		c, err := parseCursor(f.Cursor)
		if err != nil {
			return ConversationPage{}, err
		}
		cur = &c
	}
	// match adds the search predicate to a query's WHERE, when searching
	var match func(a *sqlArgs) string
	if query := strings.TrimSpace(f.Query); query != "" {
		if utf8.RuneCountInString(query) > MaxSearchRunes {
			return ConversationPage{}, fmt.Errorf("%w: a search has at most %d characters", ErrInvalid, MaxSearchRunes)
		}
		if f.View != ViewStarred {
			// Few matching contacts: read their conversations by contact.
			ids, all, err := q.matchingContacts(ctx, v.WorkspaceID, query)
			if err != nil {
				return ConversationPage{}, err
			}
			if all && len(ids) == 0 {
				return ConversationPage{Items: []Conversation{}}, nil
			}
			if all {
				return q.listDriven(ctx, v, f, statuses, col, desc, cur, q.byContacts(ids), nil)
			}
		}
		// Many (or starred): filter the list's own index walk, which
		// stops as soon as a page of matches is found.
		match = func(a *sqlArgs) string {
			return "EXISTS (SELECT 1 FROM contacts sc WHERE sc.id = c.contact_id AND " + contactMatch("sc", v.WorkspaceID, query, a) + ")"
		}
	}
	if f.View == ViewStarred {
		return q.listDriven(ctx, v, f, statuses, col, desc, cur, starredBy(v.UserID), match)
	}

	// Which (column, value) prefixes may hold rows of this view for this viewer.
	type prefix struct {
		col string
		val int64
	}
	var prefixes []prefix
	// extra visibility predicate applied in each branch when the prefix alone does not imply it
	needVisible := false
	switch {
	case f.View == ViewMine:
		prefixes = []prefix{{"assignee_id", v.UserID}}
	case f.AssigneeID != 0:
		prefixes = []prefix{{"assignee_id", f.AssigneeID}}
		needVisible = !v.IsAdmin()
	case f.DepartmentID != 0:
		if !v.IsAdmin() && v.AssignedOnly() {
			prefixes = []prefix{{"assignee_id", v.UserID}}
		} else if !v.IsAdmin() && !v.InDepartment(f.DepartmentID) {
			prefixes = []prefix{{"assignee_id", v.UserID}}
		} else {
			prefixes = []prefix{{"department_id", f.DepartmentID}}
		}
	case v.IsAdmin():
		prefixes = []prefix{{"", 0}}
	case v.AssignedOnly():
		prefixes = []prefix{{"assignee_id", v.UserID}}
	default:
		for _, d := range v.DepartmentIDs {
			prefixes = append(prefixes, prefix{"department_id", d})
		}
		prefixes = append(prefixes, prefix{"assignee_id", v.UserID})
	}
	unassignedOnly := f.View == ViewUnassigned

	var a sqlArgs
	ws := a.add(v.WorkspaceID)
	var parts []string
	for _, p := range prefixes {
		for _, st := range statuses {
			if unassignedOnly && p.col == "assignee_id" {
				continue
			}
			var w []string
			w = append(w, "c.workspace_id = "+ws)
			if p.col != "" {
				w = append(w, "c."+p.col+" = "+a.add(p.val))
			}
			w = append(w, "c.status = "+statusLiteral(st))
			if unassignedOnly {
				w = append(w, "c.assignee_id IS NULL")
			}
			if f.DepartmentID != 0 && p.col != "department_id" {
				w = append(w, "c.department_id = "+a.add(f.DepartmentID))
			}
			if needVisible {
				w = append(w, "("+visibleWhere(v, &a)+")")
			}
			if f.LabelID != 0 {
				w = append(w, "EXISTS (SELECT 1 FROM conversation_labels cl WHERE cl.conversation_id = c.id AND cl.label_id = "+a.add(f.LabelID)+")")
			}
			if f.ChannelID != 0 {
				w = append(w, "c.channel_id = "+a.add(f.ChannelID))
			}
			if match != nil {
				w = append(w, match(&a))
			}
			order, after := "c."+col+" ASC, c.id ASC", ">"
			if desc {
				order, after = "c."+col+" DESC, c.id DESC", "<"
			}
			if cur != nil {
				w = append(w, "(c."+col+", c.id) "+after+" ("+a.add(cur.key)+", "+a.add(cur.id)+")")
			}
			parts = append(parts, "SELECT * FROM (SELECT c.id, c."+col+" AS sort_key FROM conversations c WHERE "+strings.Join(w, " AND ")+
				" ORDER BY "+order+" LIMIT "+strconv.Itoa(f.Limit+1)+") b"+strconv.Itoa(len(parts)))
		}
	}
	page := ConversationPage{Items: []Conversation{}}
	if len(parts) == 0 {
		return page, nil
	}
	outerOrder, pOrder := "sort_key ASC, id ASC", "p.sort_key ASC, p.id ASC"
	if desc {
		outerOrder, pOrder = "sort_key DESC, id DESC", "p.sort_key DESC, p.id DESC"
	}
	idsSQL := strings.Join(parts, " UNION ") + " ORDER BY " + outerOrder + " LIMIT " + strconv.Itoa(f.Limit+1)
	query := `SELECT ` + convCols + ` FROM (` + idsSQL + `) p JOIN conversations c ON c.id = p.id LEFT JOIN contacts ct ON ct.id = c.contact_id ORDER BY ` + pOrder
	rows, err := q.query(ctx, query, a...)
	if err != nil {
		return page, fmt.Errorf("store: list conversations: %w", err)
	}
	return q.pageOf(ctx, rows, v.UserID, f.Limit, col)
}

// driver names the small set a driven list starts from: the FROM clause
// (conversations c, contacts ct and whatever drives them) and a predicate
// on the conversations, with its arguments.
type driver func(a *sqlArgs) (from, where string)

// starredBy drives a list from a user's stars: stars are few per user.
func starredBy(userID int64) driver {
	return func(a *sqlArgs) (string, string) {
		return convFrom + ` JOIN conversation_stars s ON s.conversation_id = c.id AND s.user_id = ` + a.add(userID), ""
	}
}

// byContacts drives a list from the conversations of a few contacts, read
// through the (contact_id, …) index. SQLite is told which index: without
// statistics it prefers the inbox indexes' longer equality prefix and
// would walk every conversation of the view instead.
func (q Q) byContacts(ids []int64) driver {
	return func(a *sqlArgs) (string, string) {
		if q.d == Postgres {
			return convFrom, "c.contact_id = ANY(" + a.add(ids) + ")"
		}
		list := make([]string, len(ids))
		for i, id := range ids {
			list[i] = strconv.FormatInt(id, 10)
		}
		return ` FROM conversations c INDEXED BY conversations_contact LEFT JOIN contacts ct ON ct.id = c.contact_id`,
			"c.contact_id IN (SELECT value FROM json_each(" + a.add("["+strings.Join(list, ",")+"]") + "))"
	}
}

// listDriven pages through the conversations a driver reaches, with every
// filter of the list and the same keyset cursor on the sort column. It
// suits small driving sets (the viewer's stars, the contacts a search
// matched): the rows it reaches are all read and sorted.
func (q Q) listDriven(ctx context.Context, v access.Viewer, f ListFilter, statuses []string, col string, desc bool, cur *cursor,
	drive driver, match func(a *sqlArgs) string) (ConversationPage, error) {
	var a sqlArgs
	from, drivenWhere := drive(&a)
	where := visibleWhere(v, &a)
	if drivenWhere != "" {
		where += " AND " + drivenWhere
	}
	ph := make([]string, len(statuses))
	for i, s := range statuses {
		ph[i] = statusLiteral(s)
	}
	where += " AND c.status IN (" + strings.Join(ph, ",") + ")"
	switch f.View {
	case ViewMine:
		where += " AND c.assignee_id = " + a.add(v.UserID)
	case ViewUnassigned:
		where += " AND c.assignee_id IS NULL"
	}
	if f.DepartmentID != 0 {
		where += " AND c.department_id = " + a.add(f.DepartmentID)
	}
	if f.AssigneeID != 0 {
		where += " AND c.assignee_id = " + a.add(f.AssigneeID)
	}
	if f.LabelID != 0 {
		where += " AND EXISTS (SELECT 1 FROM conversation_labels cl WHERE cl.conversation_id = c.id AND cl.label_id = " + a.add(f.LabelID) + ")"
	}
	if f.ChannelID != 0 {
		where += " AND c.channel_id = " + a.add(f.ChannelID)
	}
	if match != nil {
		where += " AND " + match(&a)
	}
	order, after := "c."+col+" ASC, c.id ASC", ">"
	if desc {
		order, after = "c."+col+" DESC, c.id DESC", "<"
	}
	if cur != nil {
		where += " AND (c." + col + ", c.id) " + after + " (" + a.add(cur.key) + ", " + a.add(cur.id) + ")"
	}
	rows, err := q.query(ctx, `SELECT `+convCols+from+` WHERE `+where+` ORDER BY `+order+` LIMIT `+strconv.Itoa(f.Limit+1), a...)
	if err != nil {
		return ConversationPage{}, fmt.Errorf("store: list conversations: %w", err)
	}
	return q.pageOf(ctx, rows, v.UserID, f.Limit, col)
}

// searchContactCap bounds the contacts a conversation search collects
// before reading their conversations. A query that matches more is broad,
// and the list's index walk filtered by it finds a page quickly instead.
var searchContactCap = 500

// matchingContacts returns the ids of ws's contacts that match query, up to
// searchContactCap, and whether that is all of them.
func (q Q) matchingContacts(ctx context.Context, ws int64, query string) ([]int64, bool, error) {
	var a sqlArgs
	where := "ct.workspace_id = " + a.add(ws) + " AND " + contactMatch("ct", ws, query, &a)
	rows, err := q.query(ctx, `SELECT ct.id FROM contacts ct WHERE `+where+` ORDER BY ct.id DESC LIMIT `+strconv.Itoa(searchContactCap+1), a...)
	if err != nil {
		return nil, false, fmt.Errorf("store: search contacts: %w", err)
	}
	ids, err := scanIDs(rows)
	return ids, len(ids) <= searchContactCap, err
}

// statusLiteral writes a validated status into the SQL text rather than
// binding it: SQLite recompiles a statement whenever a bound value is
// compared with a column that a partial index's WHERE mentions (status is),
// and that recompilation was a fifth of an inbox request's CPU.
func statusLiteral(s string) string {
	if !validStatus(s) {
		panic("store: unvalidated status " + s)
	}
	return "'" + s + "'"
}

func validStatus(s string) bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// CountRow is one group of unresolved conversations.
type CountRow struct {
	Status       string
	DepartmentID int64
	AssigneeID   int64
	N            int64
}

// ConversationCounts returns a workspace's conversations counted by
// status, department and assignee, from the counts the database keeps
// (migration 0002); callers derive every badge from these rows.
func (q Q) ConversationCounts(ctx context.Context, ws int64) ([]CountRow, error) {
	rows, err := q.query(ctx, `SELECT status, department_id, assignee_id, sum(n) FROM conversation_counts
		WHERE workspace_id = $1 GROUP BY status, department_id, assignee_id HAVING sum(n) > 0`, ws)
	if err != nil {
		return nil, fmt.Errorf("store: count conversations: %w", err)
	}
	defer rows.Close()
	var list []CountRow
	for rows.Next() {
		var r CountRow
		if err := rows.Scan(&r.Status, &r.DepartmentID, &r.AssigneeID, &r.N); err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

// SetConversationLabel adds (on) or removes a label of ws on a conversation
// and reports whether that changed anything.
func (q Q) SetConversationLabel(ctx context.Context, ws, convID, labelID int64, on bool) (bool, error) {
	if _, err := q.Label(ctx, ws, labelID); err != nil {
		return false, err
	}
	var res interface{ RowsAffected() (int64, error) }
	var err error
	if on {
		res, err = q.exec(ctx, `INSERT INTO conversation_labels (conversation_id, label_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, convID, labelID)
	} else {
		res, err = q.exec(ctx, `DELETE FROM conversation_labels WHERE conversation_id = $1 AND label_id = $2`, convID, labelID)
	}
	if err != nil {
		return false, fmt.Errorf("store: label conversation %d: %w", convID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// SetStar stars (on) or unstars a conversation for one user.
func (q Q) SetStar(ctx context.Context, userID, convID int64, on bool) error {
	var err error
	if on {
		_, err = q.exec(ctx, `INSERT INTO conversation_stars (user_id, conversation_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, userID, convID, Now())
	} else {
		_, err = q.exec(ctx, `DELETE FROM conversation_stars WHERE user_id = $1 AND conversation_id = $2`, userID, convID)
	}
	if err != nil {
		return fmt.Errorf("store: star conversation %d: %w", convID, err)
	}
	return nil
}

// ContactConversations lists the conversations of a contact the viewer may see, newest first.
func (q Q) ContactConversations(ctx context.Context, v access.Viewer, contactID int64, limit int) ([]Conversation, error) {
	var a sqlArgs
	where := "c.contact_id = " + a.add(contactID) + " AND " + visibleWhere(v, &a)
	rows, err := q.query(ctx, `SELECT `+convCols+convFrom+` WHERE `+where+` ORDER BY c.id DESC LIMIT `+strconv.Itoa(limit), a...)
	if err != nil {
		return nil, fmt.Errorf("store: conversations of contact %d: %w", contactID, err)
	}
	defer rows.Close()
	list := []Conversation{}
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ptrs := make([]*Conversation, len(list))
	for i := range list {
		ptrs[i] = &list[i]
	}
	return list, q.decorate(ctx, v.UserID, ptrs)
}

// LockVisibleConversation reads for update a conversation the viewer may
// see; anything else is ErrNotFound.
func (q Q) LockVisibleConversation(ctx context.Context, v access.Viewer, id int64) (Conversation, error) {
	var a sqlArgs
	where := "c.id = " + a.add(id) + " AND " + visibleWhere(v, &a)
	c, err := scanConversation(q.queryRow(ctx, `SELECT `+convCols+convFrom+` WHERE `+where+q.forUpdate(), a...))
	if err != nil {
		return c, fmt.Errorf("store: lock conversation %d: %w", id, err)
	}
	return c, nil
}

// IsMember reports whether a user of ws belongs to a department.
func (q Q) IsMember(ctx context.Context, ws, userID, departmentID int64) (bool, error) {
	var n int
	err := q.queryRow(ctx, `SELECT count(*) FROM department_members m JOIN users u ON u.id = m.user_id
		WHERE m.user_id = $1 AND m.department_id = $2 AND u.workspace_id = $3 AND u.active = 1`, userID, departmentID, ws).Scan(&n)
	return n > 0, mapErr(err)
}

// pageOf reads up to limit conversations from rows (which hold limit+1 when
// a further page exists), sets the next cursor on the sort column col, and
// fills labels and the user's stars.
func (q Q) pageOf(ctx context.Context, rows *sql.Rows, userID int64, limit int, col string) (ConversationPage, error) {
	defer rows.Close()
	page := ConversationPage{Items: []Conversation{}}
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return page, err
		}
		page.Items = append(page.Items, c)
	}
	if err := rows.Err(); err != nil {
		return page, err
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		last := page.Items[limit-1]
		page.NextCursor = cursor{sortKey(last, col), last.ID}.String()
	}
	ptrs := make([]*Conversation, len(page.Items))
	for i := range page.Items {
		ptrs[i] = &page.Items[i]
	}
	return page, q.decorate(ctx, userID, ptrs)
}
