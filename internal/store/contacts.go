package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Contact is a customer; conversations and their history belong to the contact.
//
// A contact has any number of phones and e-mails. Phone and Email are the
// primary ones; Phones and Emails list all of them, the primary first
// (Phones[0] == Phone when Phone is set). Writes keep that shape: the store
// puts Phone (or, when it is empty, the first of Phones) first and drops
// empty entries and repeats (phones that have the same digits, e-mails that
// differ only in case).
type Contact struct {
	ID          int64          `json:"id"`
	WorkspaceID int64          `json:"-"`
	Name        string         `json:"name"`
	Phone       string         `json:"phone"`
	Email       string         `json:"email"`
	Phones      []string       `json:"phones"`
	Emails      []string       `json:"emails"`
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
	c.Phones = ContactPhones(c.Phone, nil)
	c.Emails = ContactEmails(c.Email, nil)
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
	c.Phones, c.Emails = ContactPhones(c.Phone, c.Phones), ContactEmails(c.Email, c.Emails)
	c.Phone, c.Email = first(c.Phones), first(c.Emails)
	now := Now()
	id, err := q.insert(ctx, `INSERT INTO contacts (workspace_id, name, name_search, phone, phone_digits, email, attributes, notes, owner_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`, c.WorkspaceID, c.Name, searchKey(c.Name), c.Phone, onlyDigits(c.Phone), c.Email, attrs, c.Notes, c.OwnerID, now)
	if err != nil {
		return Contact{}, fmt.Errorf("store: create contact: %w", err)
	}
	if err := q.insertHandles(ctx, c.WorkspaceID, id, c.Phones, c.Emails); err != nil {
		return Contact{}, err
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

// UpdateContact writes a contact's editable fields, its phones and e-mails
// included (see Contact for how the lists are kept). Run it in a
// transaction: the lists are a second table.
func (q Q) UpdateContact(ctx context.Context, c Contact) error {
	attrs, err := marshalAttrs(c.Attributes)
	if err != nil {
		return err
	}
	phones, emails := ContactPhones(c.Phone, c.Phones), ContactEmails(c.Email, c.Emails)
	c.Phone, c.Email = first(phones), first(emails)
	res, err := q.exec(ctx, `UPDATE contacts SET name = $3, name_search = $4, phone = $5, phone_digits = $6, email = $7, attributes = $8, notes = $9,
		owner_id = $10, updated_at = $11 WHERE id = $1 AND workspace_id = $2`,
		c.ID, c.WorkspaceID, c.Name, searchKey(c.Name), c.Phone, onlyDigits(c.Phone), c.Email, attrs, c.Notes, c.OwnerID, Now())
	if err := affected(res, err, "update contact", c.ID); err != nil {
		return err
	}
	// rewrite the extra phones and e-mails only when they changed
	stored := Contact{ID: c.ID}
	if err := q.attachHandles(ctx, []*Contact{&stored}); err != nil {
		return err
	}
	if slices.Equal(stored.Phones, extras(phones)) && slices.Equal(stored.Emails, extras(emails)) {
		return nil
	}
	if _, err := q.exec(ctx, `DELETE FROM contact_handles WHERE contact_id = $1`, c.ID); err != nil {
		return fmt.Errorf("store: update contact %d handles: %w", c.ID, err)
	}
	return q.insertHandles(ctx, c.WorkspaceID, c.ID, phones, emails)
}

// Kinds of contact_handles rows.
const (
	handlePhone = "phone"
	handleEmail = "email"
)

// insertHandles writes a contact's phones and e-mails after the primary
// ones (lists as ContactPhones and ContactEmails make them).
func (q Q) insertHandles(ctx context.Context, ws, contactID int64, phones, emails []string) error {
	for _, l := range []struct {
		kind   string
		values []string
	}{{handlePhone, phones}, {handleEmail, emails}} {
		for i := 1; i < len(l.values); i++ {
			v := l.values[i]
			digits := ""
			if l.kind == handlePhone {
				digits = onlyDigits(v)
			}
			_, err := q.exec(ctx, `INSERT INTO contact_handles (contact_id, kind, ord, workspace_id, value, digits) VALUES ($1, $2, $3, $4, $5, $6)`,
				contactID, l.kind, i-1, ws, v, digits)
			if err != nil {
				return fmt.Errorf("store: contact %d %s: %w", contactID, l.kind, err)
			}
		}
	}
	return nil
}

// attachHandles appends the extra phones and e-mails to each contact's
// Phones and Emails (which hold the primary ones, or nothing): one query
// for the whole list.
func (q Q) attachHandles(ctx context.Context, list []*Contact) error {
	if len(list) == 0 {
		return nil
	}
	var a sqlArgs
	ph := make([]string, len(list))
	byID := make(map[int64]*Contact, len(list))
	for i, c := range list {
		ph[i] = a.add(c.ID)
		byID[c.ID] = c
	}
	rows, err := q.query(ctx, `SELECT contact_id, kind, value FROM contact_handles WHERE contact_id IN (`+strings.Join(ph, ",")+`)
		ORDER BY contact_id, kind, ord`, a...)
	if err != nil {
		return fmt.Errorf("store: contact handles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind, v string
		if err := rows.Scan(&id, &kind, &v); err != nil {
			return err
		}
		c := byID[id]
		if kind == handlePhone {
			c.Phones = append(c.Phones, v)
		} else {
			c.Emails = append(c.Emails, v)
		}
	}
	return rows.Err()
}

// ContactPhones is the list of phones a contact stores: primary (when not
// empty) and then phones, trimmed, without empty entries and without
// repeats (two phones with the same digits are one).
func ContactPhones(primary string, phones []string) []string {
	return handleList(primary, phones, PhoneKey)
}

// ContactEmails is the list of e-mails a contact stores: primary (when not
// empty) and then emails, trimmed, without empty entries and without
// repeats (case ignored).
func ContactEmails(primary string, emails []string) []string {
	return handleList(primary, emails, EmailKey)
}

// PhoneKey is what makes two phones the same number: their digits ("+55
// (11) 98765-4321" is "5511987654321"), or the trimmed text when it has
// none.
func PhoneKey(p string) string {
	if d := onlyDigits(p); d != "" {
		return d
	}
	return strings.TrimSpace(p)
}

// EmailKey is what makes two e-mail addresses the same: case is ignored.
func EmailKey(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func handleList(primary string, list []string, key func(string) string) []string {
	out := make([]string, 0, len(list)+1)
	seen := make(map[string]bool, len(list)+1)
	for _, v := range append([]string{primary}, list...) {
		v = strings.TrimSpace(v)
		if k := key(v); v != "" && !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}

// extras is a list without its primary (first) entry.
func extras(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	return list[1:]
}

func first(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
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
	if err := q.attachHandles(ctx, []*Contact{&c}); err != nil {
		return c, err
	}
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

// SearchContacts pages through contacts, newest first, whose name, one of
// whose phones (as written or by digits) or one of whose e-mails contains
// query (all contacts when query is empty).
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
		// the extra phones and e-mails: one set of matching contacts per query
		handles := fmt.Sprintf(`lower(value) LIKE $%d ESCAPE '\'`, n)
		if digits := onlyDigits(query); digits != "" && digits != s {
			args = append(args, "%"+digits+"%")
			where += fmt.Sprintf(` OR phone_digits LIKE $%d`, len(args))
			handles += fmt.Sprintf(` OR digits LIKE $%d`, len(args))
		}
		where += ` OR id IN (SELECT contact_id FROM contact_handles WHERE workspace_id = $1 AND (` + handles + `)))`
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
	if err := rows.Err(); err != nil {
		return page, err
	}
	rows.Close()
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.NextCursor = fmt.Sprint(page.Items[limit-1].ID)
	}
	list := make([]*Contact, len(page.Items))
	for i := range page.Items {
		list[i] = &page.Items[i]
	}
	return page, q.attachHandles(ctx, list)
}

// MaxSearchRunes bounds the text of a conversation search by contact.
const MaxSearchRunes = 100

// contactMatch is the predicate "the contact aliased t, of workspace ws,
// matches query" of a conversation search: its name contains the query
// (case and accents folded, as name_search stores it), one of its e-mails
// starts with it (case folded), or — when the query reads as a phone
// number, digits with + ( ) - . / and spaces only — the digits of one of
// its phones contain the query's digits. The extra phones and e-mails
// (contact_handles) are one uncorrelated subquery, evaluated once per
// search. query is trimmed and not empty.
func contactMatch(t string, ws int64, query string, a *sqlArgs) string {
	email := a.add(escapeLike(strings.ToLower(query)) + "%")
	or := []string{"lower(" + t + ".email) LIKE " + email + ` ESCAPE '\'`}
	handles := "h.kind = '" + handleEmail + "' AND lower(h.value) LIKE " + email + ` ESCAPE '\'`
	if s := searchKey(query); s != "" {
		or = append(or, t+".name_search LIKE "+a.add("%"+escapeLike(s)+"%")+` ESCAPE '\'`)
	}
	if digits := onlyDigits(query); digits != "" && strings.Trim(query, "0123456789+()-./ ") == "" {
		d := a.add("%" + digits + "%")
		or = append(or, t+".phone_digits LIKE "+d)
		handles = "(" + handles + ") OR (h.kind = '" + handlePhone + "' AND h.digits LIKE " + d + ")"
	}
	or = append(or, t+".id IN (SELECT h.contact_id FROM contact_handles h WHERE h.workspace_id = "+a.add(ws)+" AND ("+handles+"))")
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

// SetContactAttributes replaces a contact's custom attributes (a bot saving
// an answer): the rest of the contact is left alone.
func (q Q) SetContactAttributes(ctx context.Context, ws, id int64, attrs map[string]any) error {
	b, err := marshalAttrs(attrs)
	if err != nil {
		return err
	}
	res, err := q.exec(ctx, `UPDATE contacts SET attributes = $3, updated_at = $4 WHERE id = $1 AND workspace_id = $2`, id, ws, b, Now())
	return affected(res, err, "set contact attributes", id)
}

// ContactFacts reads what automation looks at of a contact: its name,
// custom attributes and labels (not its identities, phones or e-mails).
func (q Q) ContactFacts(ctx context.Context, ws, id int64) (Contact, error) {
	c, err := scanContact(q.queryRow(ctx, `SELECT `+contactCols+` FROM contacts WHERE id = $1 AND workspace_id = $2`, id, ws))
	if err != nil {
		return c, fmt.Errorf("store: get contact %d: %w", id, err)
	}
	lrows, err := q.query(ctx, `SELECT label_id FROM contact_labels WHERE contact_id = $1 ORDER BY label_id`, id)
	if err != nil {
		return c, err
	}
	c.LabelIDs, err = scanIDs(lrows)
	return c, err
}
