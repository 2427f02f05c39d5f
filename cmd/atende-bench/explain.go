package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"
)

// explainCmd prints the plan of a statement and times it (SQLite or
// PostgreSQL): atende-bench explain --data DIR 'SELECT …'.
func explainCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	t := dbTarget{}.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("explain: one SQL statement expected")
	}
	q := fs.Arg(0)
	db, err := t.rawOpen(false)
	if err != nil {
		return err
	}
	defer db.Close()
	plan := "EXPLAIN QUERY PLAN "
	if t.isPG() {
		plan = "EXPLAIN (ANALYZE, BUFFERS) "
	}
	rows, err := db.QueryContext(ctx, plan+q)
	if err != nil {
		return err
	}
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		var parts []string
		for _, v := range vals {
			parts = append(parts, fmt.Sprint(v))
		}
		fmt.Println(strings.Join(parts, " | "))
	}
	rows.Close()
	for i := 0; i < 3; i++ {
		t0 := time.Now()
		r, err := db.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		n := 0
		for r.Next() {
			n++
		}
		r.Close()
		fmt.Printf("run %d: %d rows in %v\n", i+1, n, time.Since(t0))
	}
	return nil
}
