package store

import "context"

// SetSearchContactCap changes how many matching contacts a conversation
// search collects before it walks the list's indexes instead, and returns
// the function that restores it (tests of both ways; not parallel-safe).
func SetSearchContactCap(n int) (restore func()) {
	old := searchContactCap
	searchContactCap = n
	return func() { searchContactCap = old }
}

// ContactHandleRows counts the stored extra phones and e-mails of a
// contact, whether or not the contact still exists.
func ContactHandleRows(ctx context.Context, q Q, contactID int64) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT count(*) FROM contact_handles WHERE contact_id = $1`, contactID).Scan(&n)
	return n, err
}
