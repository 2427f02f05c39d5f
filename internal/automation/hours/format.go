package hours

import (
	"fmt"
	"regexp"
	"time"
)

// Languages the automatic texts are rendered in.
const (
	PtBR = "pt-BR"
	En   = "en"
)

var ptWeekdays = [7]string{"domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"}

// FormatNextOpen says when next opens, seen from now, in the schedule's
// zone and the given language, to follow "Retornaremos …" / "We'll be back …":
// "hoje às 14h", "amanhã às 8h30", "segunda-feira às 8h", "em 26/12 às 8h";
// "today at 2:00 PM", "tomorrow at 8:30 AM", "on Monday at 8:00 AM", "on Dec 26 at 8:00 AM".
// A zero next (never opens) renders as "em breve" / "soon".
func FormatNextOpen(next, now time.Time, loc *time.Location, lang string) string {
	if next.IsZero() {
		if lang == En {
			return "soon"
		}
		return "em breve"
	}
	if loc == nil {
		loc = time.UTC
	}
	n, t := now.In(loc), next.In(loc)
	days := dayNumber(t) - dayNumber(n)
	if lang == En {
		at := "at " + t.Format("3:04 PM")
		switch {
		case days <= 0:
			return "today " + at
		case days == 1:
			return "tomorrow " + at
		case days < 7:
			return "on " + t.Weekday().String() + " " + at
		default:
			return "on " + t.Format("Jan 2") + " " + at
		}
	}
	at := "às " + ptClock(t)
	switch {
	case days <= 0:
		return "hoje " + at
	case days == 1:
		return "amanhã " + at
	case days < 7:
		return ptWeekdays[t.Weekday()] + " " + at
	default:
		return "em " + t.Format("02/01") + " " + at
	}
}

// dayNumber counts local calendar days, immune to 23- and 25-hour days.
func dayNumber(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// ptClock writes a time the Brazilian way: 8h, 8h30, 14h.
func ptClock(t time.Time) string {
	if t.Minute() == 0 {
		return fmt.Sprintf("%dh", t.Hour())
	}
	return fmt.Sprintf("%dh%02d", t.Hour(), t.Minute())
}

var placeholder = regexp.MustCompile(`\{\{\s*([a-z_]+)\s*\}\}`)

// Render replaces {{name}} placeholders with vars[name]; unknown
// placeholders stay as written, so a typo shows rather than vanishes.
func Render(text string, vars map[string]string) string {
	return placeholder.ReplaceAllStringFunc(text, func(m string) string {
		name := placeholder.FindStringSubmatch(m)[1]
		if v, ok := vars[name]; ok {
			return v
		}
		return m
	})
}
