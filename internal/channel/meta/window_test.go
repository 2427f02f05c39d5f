package meta

import (
	"errors"
	"testing"
	"time"
)

func TestWindowState(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name            string
		last            time.Time
		standard, human bool
		tag             bool
		closed          bool
	}{
		{"just now", now.Add(-time.Minute), true, true, false, false},
		{"23h59m", now.Add(-24*time.Hour + time.Minute), true, true, false, false},
		{"exactly 24h", now.Add(-24 * time.Hour), false, true, true, false},
		{"3 days", now.Add(-72 * time.Hour), false, true, true, false},
		{"6d23h", now.Add(-7*24*time.Hour + time.Hour), false, true, true, false},
		{"exactly 7 days", now.Add(-7 * 24 * time.Hour), false, false, false, true},
		{"a month", now.AddDate(0, -1, 0), false, false, false, true},
		{"never wrote", time.Time{}, false, false, false, true},
		{"clock skew, in the future", now.Add(time.Minute), true, true, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, h := WindowState(c.last, now)
			if s != c.standard || h != c.human {
				t.Fatalf("WindowState = %v, %v; want %v, %v", s, h, c.standard, c.human)
			}
			tag, err := HumanAgentTag(c.last, now)
			if c.closed {
				if !errors.Is(err, ErrWindowClosed) {
					t.Fatalf("HumanAgentTag err = %v, want ErrWindowClosed", err)
				}
				return
			}
			if err != nil || tag != c.tag {
				t.Fatalf("HumanAgentTag = %v, %v; want %v", tag, err, c.tag)
			}
		})
	}
}
