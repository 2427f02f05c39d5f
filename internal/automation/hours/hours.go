// Package hours decides whether a workspace or department is open at a
// given moment (business hours, "horário de atendimento": a weekly schedule
// in an IANA time zone, with holidays) and when it opens next, and renders
// the automatic texts that mention it. It is pure: the caller passes the
// time, so tests inject their clock.
package hours

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DayMinutes is the length of a local day in minutes.
const DayMinutes = 24 * 60

// Weekday keys of Schedule.Weekly, Sunday first like time.Weekday.
var dayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Interval is an opening [From, To) in local wall-clock minutes since
// midnight. To == 1440 ("24:00") closes at midnight. To < From runs past
// midnight into the next day (22:00–02:00), which keeps a night shift one
// interval even though it spans two dates.
type Interval struct {
	From int
	To   int
}

// Holiday is a local date on which the schedule is closed all day.
type Holiday struct {
	Date string `json:"date"` // YYYY-MM-DD, local
	Name string `json:"name,omitempty"`
}

// Schedule is a weekly schedule. The zero Schedule (no Weekly) is always
// open; a Weekly with no interval on a day is closed that day.
type Schedule struct {
	Timezone string
	Weekly   *[7][]Interval // index time.Weekday; nil: always open
	Holidays []Holiday

	loc      *time.Location
	holidays map[string]bool
}

// scheduleJSON is the stored and API form: times as "HH:MM".
type scheduleJSON struct {
	Timezone string                 `json:"timezone"`
	Weekly   map[string][][2]string `json:"weekly,omitempty"`
	Holidays []Holiday              `json:"holidays"`
}

// MarshalJSON writes the "HH:MM" form.
func (s Schedule) MarshalJSON() ([]byte, error) {
	out := scheduleJSON{Timezone: s.Timezone, Holidays: s.Holidays}
	if out.Holidays == nil {
		out.Holidays = []Holiday{}
	}
	if s.Weekly != nil {
		out.Weekly = map[string][][2]string{}
		for d, ivs := range s.Weekly {
			list := [][2]string{}
			for _, iv := range ivs {
				list = append(list, [2]string{clock(iv.From), clock(iv.To)})
			}
			out.Weekly[dayKeys[d]] = list
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads the "HH:MM" form; call Validate before using it.
func (s *Schedule) UnmarshalJSON(b []byte) error {
	var in scheduleJSON
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return err
	}
	*s = Schedule{Timezone: in.Timezone, Holidays: in.Holidays}
	if in.Weekly == nil {
		return nil
	}
	var week [7][]Interval
	for key, list := range in.Weekly {
		d := dayIndex(key)
		if d < 0 {
			return fmt.Errorf("weekly: unknown day %q (use %s)", key, strings.Join(dayKeys[:], ", "))
		}
		for _, pair := range list {
			from, err := parseClock(pair[0], false)
			if err != nil {
				return fmt.Errorf("weekly.%s: %w", key, err)
			}
			to, err := parseClock(pair[1], true)
			if err != nil {
				return fmt.Errorf("weekly.%s: %w", key, err)
			}
			week[d] = append(week[d], Interval{From: from, To: to})
		}
	}
	s.Weekly = &week
	return nil
}

func dayIndex(key string) int {
	for i, k := range dayKeys {
		if k == key {
			return i
		}
	}
	return -1
}

// parseClock reads "HH:MM"; "24:00" only as an end.
func parseClock(v string, end bool) (int, error) {
	h, m, ok := strings.Cut(v, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, fmt.Errorf("time %q is not HH:MM", v)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && (mm != 0 || !end)) {
		return 0, fmt.Errorf("time %q is not a time of day", v)
	}
	return hh*60 + mm, nil
}

func clock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// ErrInvalid wraps every validation failure.
var ErrInvalid = errors.New("invalid business hours")

// Validate checks the zone, the times, overlaps (within a day and across
// midnight) and the holiday dates, and prepares the schedule for Open.
func (s *Schedule) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
	}
	if s.Timezone == "" {
		return bad("timezone is required")
	}
	// time.LoadLocation also accepts "Local" and file paths; only IANA names belong in stored settings
	if s.Timezone == "Local" || strings.Contains(s.Timezone, "..") || strings.HasPrefix(s.Timezone, "/") {
		return bad("unknown timezone %q", s.Timezone)
	}
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil {
		return bad("unknown timezone %q", s.Timezone)
	}
	s.loc = loc
	if s.Weekly != nil {
		// every interval as a range of minutes of the week, wrapping Saturday into Sunday
		type span struct{ from, to, day int }
		var spans []span
		for d, ivs := range s.Weekly {
			if len(ivs) > 12 {
				return bad("%s has more than 12 intervals", dayKeys[d])
			}
			for _, iv := range ivs {
				if iv.From < 0 || iv.From >= DayMinutes || iv.To < 0 || iv.To > DayMinutes {
					return bad("%s: interval %s–%s is outside the day", dayKeys[d], clock(iv.From), clock(iv.To))
				}
				if iv.From == iv.To {
					return bad("%s: interval %s–%s is empty", dayKeys[d], clock(iv.From), clock(iv.To))
				}
				from, to := d*DayMinutes+iv.From, d*DayMinutes+iv.To
				if iv.To < iv.From {
					to += DayMinutes
				}
				if to > 7*DayMinutes {
					spans = append(spans, span{from, 7 * DayMinutes, d}, span{0, to - 7*DayMinutes, d})
				} else {
					spans = append(spans, span{from, to, d})
				}
			}
		}
		sort.Slice(spans, func(i, j int) bool { return spans[i].from < spans[j].from })
		for i := 1; i < len(spans); i++ {
			if spans[i].from < spans[i-1].to {
				return bad("intervals of %s and %s overlap", dayKeys[spans[i-1].day], dayKeys[spans[i].day])
			}
		}
	}
	if len(s.Holidays) > 500 {
		return bad("at most 500 holidays")
	}
	s.holidays = make(map[string]bool, len(s.Holidays))
	for _, h := range s.Holidays {
		d, err := time.Parse(time.DateOnly, h.Date)
		if err != nil || d.Format(time.DateOnly) != h.Date {
			return bad("holiday date %q is not YYYY-MM-DD", h.Date)
		}
		if len(h.Name) > 200 {
			return bad("holiday name is longer than 200 bytes")
		}
		if s.holidays[h.Date] {
			return bad("holiday %s is listed twice", h.Date)
		}
		s.holidays[h.Date] = true
	}
	return nil
}

// Location is the schedule's time zone (UTC before Validate).
func (s *Schedule) Location() *time.Location {
	if s == nil || s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// AlwaysOpen tells whether the schedule has no weekly hours at all.
func (s *Schedule) AlwaysOpen() bool { return s == nil || s.Weekly == nil }

// Open tells whether at falls in business hours. Times are compared on the
// local wall clock, so an interval keeps its local meaning across daylight
// saving changes; in the repeated hour of a fall-back both instants count,
// and a time that the spring-forward skipped simply never occurs.
func (s *Schedule) Open(at time.Time) bool {
	if s.AlwaysOpen() {
		return s == nil || !s.isHoliday(at.In(s.Location()))
	}
	local := at.In(s.Location())
	if s.isHoliday(local) {
		return false
	}
	min := local.Hour()*60 + local.Minute()
	for _, iv := range s.Weekly[local.Weekday()] {
		if iv.From < iv.To && min >= iv.From && min < iv.To {
			return true
		}
		if iv.To < iv.From && min >= iv.From {
			return true
		}
	}
	// yesterday's night shift runs on into today, unless yesterday was a
	// holiday (that shift did not start)
	y, m, d := local.Date()
	yesterday := time.Date(y, m, d-1, 12, 0, 0, 0, s.Location())
	if s.isHoliday(yesterday) {
		return false
	}
	for _, iv := range s.Weekly[yesterday.Weekday()] {
		if iv.To < iv.From && min < iv.To {
			return true
		}
	}
	return false
}

func (s *Schedule) isHoliday(local time.Time) bool {
	if len(s.holidays) == 0 {
		return false
	}
	return s.holidays[local.Format(time.DateOnly)]
}

// horizon bounds NextOpen's search: a year and a bit covers any list of
// holidays on a schedule open at least one day a week.
const horizon = 400

// NextOpen is the first moment at or after at when the schedule is open:
// at itself when open now, the zero time when it never opens within about a
// year (no hours at all, or holidays all the way).
func (s *Schedule) NextOpen(at time.Time) time.Time {
	if s.Open(at) {
		return at
	}
	if s.AlwaysOpen() {
		// closed only by a holiday: open at the next local midnight that is not one
		loc := s.Location()
		y, m, d := at.In(loc).Date()
		for k := 1; k <= horizon; k++ {
			t := time.Date(y, m, d+k, 0, 0, 0, 0, loc)
			if s.Open(t) {
				return t
			}
		}
		return time.Time{}
	}
	loc := s.Location()
	y, m, d := at.In(loc).Date()
	for k := 0; k <= horizon; k++ {
		day := time.Date(y, m, d+k, 12, 0, 0, 0, loc)
		var best time.Time
		consider := func(t time.Time) {
			if t.After(at) && s.Open(t) && (best.IsZero() || t.Before(best)) {
				best = t
			}
		}
		dy, dm, dd := day.Date()
		for _, iv := range s.Weekly[day.Weekday()] {
			// time.Date moves a start inside a spring-forward gap past the gap
			consider(time.Date(dy, dm, dd, iv.From/60, iv.From%60, 0, 0, loc))
		}
		// a night shift of yesterday that continues today, when yesterday was a holiday
		// or at fell inside it while today is not: opening at local midnight
		consider(time.Date(dy, dm, dd, 0, 0, 0, 0, loc))
		if !best.IsZero() {
			return best
		}
	}
	return time.Time{}
}
