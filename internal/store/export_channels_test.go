package store

import "context"

// ExecRaw runs a statement as is (upgrade tests write rows under an older
// schema, which the store's methods no longer match).
func ExecRaw(ctx context.Context, q Q, query string, args ...any) error {
	_, err := q.ex.ExecContext(ctx, query, args...)
	return err
}

// QueryInt runs a query that answers one integer.
func QueryInt(ctx context.Context, q Q, query string, args ...any) (int64, error) {
	var n int64
	err := q.ex.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}
