package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Contact is a customer; conversations and their history belong to the contact.
type Contact struct {
	ID          int64          `json:"id"`
	WorkspaceID int64          `json:"-"`
	Name        string         `json:"name"`
	Phone       string         `json:"phone"`
	Email       string         `json:"email"`
	Attributes  map[string]any `json:"attributes"`
	Notes       string         `json:"notes"`
	OwnerID     *int64         `json:"owner_id"`
	Identities  []Identity     `json:"identities"`
	LabelIDs    []int64        `json:"label_ids"`
	CreatedAt   int64          `json:"created_at"`
	UpdatedAt   int64          `json:"updated_at"`
}

// Identity is how a contact is known on one channel.
type Identity struct {
	ChannelID  int64  `json:"channel_id"`
	ExternalID string `json:"external_id"`
}

// searchKey folds case and accents so "joão" finds "JOAO".
func searchKey(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(strings.TrimSpace(out))
}

const contactCols = `id, workspace_id, name, phone, email, attributes, notes, owner_id, created_at, updated_at`

func scanContact(row interface{ Scan(...any) error }) (Contact, error) {
	var c Contact
	var attrs string
	err := row.Scan(&c.ID, &c.WorkspaceID, &c.Name, &c.Phone, &c.Email, &attrs, &c.Notes, &c.OwnerID, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return c, mapErr(err)
	}
	c.Attributes = map[string]any{}
	if err := json.Unmarshal([]byte(attrs), &c.Attributes); err != nil {
		return c, fmt.Errorf("store: contact %d attributes: %w", c.ID, err)
	}
	c.Identities = []Identity{}
	c.LabelIDs = []int64{}
	return c, nil
}

func marshalAttrs(a map[string]any) (string, error) {
	if a == nil {
		return "{}", nil
	}
	b, err := json.Marshal(a)
	return string(b), err
}

// CreateContact inserts a contact.
func (q Q) CreateContact(ctx context.Context, c Contact) (Contact, error) {
	attrs, err := marshalAttrs(c.Attributes)
	if err != nil {
		return Contact{}, err
	}
	now := Now()
	id, err := q.insert(ctx, `INSERT INTO contacts (workspace_id, name, name_search, phone, phone_digits, email, attributes, notes, owner_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`, c.WorkspaceID, c.Name, searchKey(c.Name), c.Phone, onlyDigits(c.Phone), c.Email, attrs, c.Notes, c.OwnerID, now)
	if err != nil {
		return Contact{}, fmt.Errorf("store: create contact: %w", err)
	}
	c.ID, c.CreatedAt, c.UpdatedAt = id, now, now
	if c.Attributes == nil {
		c.Attributes = map[string]any{}
	}
	if c.Identities == nil {
		c.Identities = []Identity{}
	}
	c.LabelIDs = []int64{}
	return c, nil
}

// UpdateContact writes a contact's editable fields.
func (q Q) UpdateContact(ctx context.Context, c Contact) error {
	attrs, err := marshalAttrs(c.Attributes)
	if err != nil {
		return err
	}
	res, err := q.exec(ctx, `UPDATE contacts SET name = $3, name_search = $4, phone = $5, phone_digits = $6, email = $7, attributes = $8, notes = $9,
		owner_id = $10, updated_at = $11 WHERE id = $1 AND workspace_id = $2`,
		c.ID, c.WorkspaceID, c.Name, searchKey(c.Name), c.Phone, onlyDigits(c.Phone), c.Email, attrs, c.Notes, c.OwnerID, Now())
	return affected(res, err, "update contact", c.ID)
}

// Contact returns one contact of ws with identities and labels.
func (q Q) Contact(ctx context.Context, ws, id int64) (Contact, error) {
	c, err := scanContact(q.queryRow(ctx, `SELECT `+contactCols+` FROM contacts WHERE id = $1 AND workspace_id = $2`, id, ws))
	if err != nil {
		return c, fmt.Errorf("store: get contact %d: %w", id, err)
	}
	rows, err := q.query(ctx, `SELECT channel_id, external_id FROM contact_identities WHERE contact_id = $1 ORDER BY id`, id)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var i Identity
		if err := rows.Scan(&i.ChannelID, &i.ExternalID); err != nil {
			return c, err
		}
		c.Identities = append(c.Identities, i)
	}
	if err := rows.Err(); err != nil {
		return c, err
	}
	rows.Close()
	lrows, err := q.query(ctx, `SELECT label_id FROM contact_labels WHERE contact_id = $1 ORDER BY label_id`, id)
	if err != nil {
		return c, err
	}
	c.LabelIDs, err = scanIDs(lrows)
	return c, err
}

// ContactsPage is one page of a contact search.
type ContactsPage struct {
	Items      []Contact `json:"items"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

// SearchContacts pages through contacts, newest first, whose name, phone or
// e-mail contains query (all contacts when query is empty).
func (q Q) SearchContacts(ctx context.Context, ws int64, query string, cursor int64, limit int) (ContactsPage, error) {
	args := []any{ws}
	where := `workspace_id = $1`
	if cursor > 0 {
		args = append(args, cursor)
		where += fmt.Sprintf(` AND id < $%d`, len(args))
	}
	if s := searchKey(query); s != "" {
		pattern := "%" + escapeLike(s) + "%"
		args = append(args, pattern)
		n := len(args)
		where += fmt.Sprintf(` AND (name_search LIKE $%d ESCAPE '\' OR phone LIKE $%d ESCAPE '\' OR lower(email) LIKE $%d ESCAPE '\'`, n, n, n)
		if digits := onlyDigits(query); digits != "" && digits != s {
			args = append(args, "%"+digits+"%")
			where += fmt.Sprintf(` OR phone LIKE $%d`, len(args))
		}
		where += `)`
	}
	args = append(args, limit+1)
	rows, err := q.query(ctx, `SELECT `+contactCols+` FROM contacts WHERE `+where+fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return ContactsPage{}, fmt.Errorf("store: search contacts: %w", err)
	}
	defer rows.Close()
	page := ContactsPage{Items: []Contact{}}
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return page, err
		}
		page.Items = append(page.Items, c)
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.NextCursor = fmt.Sprint(page.Items[limit-1].ID)
	}
	return page, rows.Err()
}

// MaxSearchRunes bounds the text of a conversation search by contact.
const MaxSearchRunes = 100

// contactMatch is the predicate "the contact aliased t matches query" of a
// conversation search: its name contains the query (case and accents
// folded, as name_search stores it), its e-mail starts with it (case
// folded), or — when the query reads as a phone number, digits with
// + ( ) - . / and spaces only — its phone's digits (phone_digits) contain
// the query's digits. query is trimmed and not empty.
func contactMatch(t, query string, a *sqlArgs) string {
	or := []string{"lower(" + t + ".email) LIKE " + a.add(escapeLike(strings.ToLower(query))+"%") + ` ESCAPE '\'`}
	if s := searchKey(query); s != "" {
		or = append(or, t+".name_search LIKE "+a.add("%"+escapeLike(s)+"%")+` ESCAPE '\'`)
	}
	if digits := onlyDigits(query); digits != "" && strings.Trim(query, "0123456789+()-./ ") == "" {
		or = append(or, t+".phone_digits LIKE "+a.add("%"+digits+"%"))
	}
	return "(" + strings.Join(or, " OR ") + ")"
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ContactName returns a contact's display name.
func (q Q) ContactName(ctx context.Context, ws, id int64) (string, error) {
	var name string
	if err := q.queryRow(ctx, `SELECT name FROM contacts WHERE id = $1 AND workspace_id = $2`, id, ws).Scan(&name); err != nil {
		return "", fmt.Errorf("store: contact %d name: %w", id, mapErr(err))
	}
	return name, nil
}

// DeleteContact erases a contact and all its conversations and messages
// (LGPD erase) and returns the storage keys of the attachments that went
// with them, for the caller to remove from disk after commit.
func (q Q) DeleteContact(ctx context.Context, ws, id int64) ([]string, error) {
	keys, err := q.storageKeys(ctx, `SELECT a.storage_key FROM attachments a JOIN messages m ON m.id = a.message_id
		JOIN conversations c ON c.id = m.conversation_id WHERE c.contact_id = $1 AND c.workspace_id = $2`, id, ws)
	if err != nil {
		return nil, err
	}
	res, err := q.exec(ctx, `DELETE FROM contacts WHERE id = $1 AND workspace_id = $2`, id, ws)
	return keys, affected(res, err, "delete contact", id)
}

func (q Q) storageKeys(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: attachment keys: %w", err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// ContactByIdentity finds the contact known as externalID on a channel.
func (q Q) ContactByIdentity(ctx context.Context, channelID int64, externalID string) (int64, error) {
	var id int64
	err := q.queryRow(ctx, `SELECT contact_id FROM contact_identities WHERE channel_id = $1 AND external_id = $2`, channelID, externalID).Scan(&id)
	return id, mapErr(err)
}

// AddIdentity links a channel identity to a contact.
func (q Q) AddIdentity(ctx context.Context, ws, contactID int64, i Identity) error {
	_, err := q.exec(ctx, `INSERT INTO contact_identities (workspace_id, contact_id, channel_id, external_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
		ws, contactID, i.ChannelID, i.ExternalID, Now())
	if err != nil {
		return fmt.Errorf("store: add identity to contact %d: %w", contactID, err)
	}
	return nil
}

// SetContactLabel adds (on) or removes a label on a contact of ws.
func (q Q) SetContactLabel(ctx context.Context, ws, contactID, labelID int64, on bool) error {
	if _, err := q.Label(ctx, ws, labelID); err != nil {
		return err
	}
	var n int
	if err := q.queryRow(ctx, `SELECT count(*) FROM contacts WHERE id = $1 AND workspace_id = $2`, contactID, ws).Scan(&n); err != nil || n == 0 {
		return fmt.Errorf("store: contact %d: %w", contactID, ErrNotFound)
	}
	var err error
	if on {
		_, err = q.exec(ctx, `INSERT INTO contact_labels (contact_id, label_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, contactID, labelID)
	} else {
		_, err = q.exec(ctx, `DELETE FROM contact_labels WHERE contact_id = $1 AND label_id = $2`, contactID, labelID)
	}
	return err
}
