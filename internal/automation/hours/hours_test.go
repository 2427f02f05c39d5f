package hours

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func mustSchedule(t testing.TB, js string) *Schedule {
	t.Helper()
	var s Schedule
	if err := json.Unmarshal([]byte(js), &s); err != nil {
		t.Fatalf("unmarshal %s: %v", js, err)
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("validate %s: %v", js, err)
	}
	return &s
}

func utc(v string) time.Time {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		panic(err)
	}
	return t
}

// office hours with a lunch break, Saturday morning and a Friday night shift
const office = `{"weekly":{"mon":[["08:00","12:00"],["13:00","18:00"]],"tue":[["08:00","12:00"],["13:00","18:00"]],
"wed":[["08:00","12:00"],["13:00","18:00"]],"thu":[["08:00","12:00"],["13:00","18:00"]],
"fri":[["08:00","12:00"],["13:00","18:00"],["22:00","02:00"]],"sat":[["09:00","13:00"]]},`

func TestOpenAndNextOpen(t *testing.T) {
	sp := mustSchedule(t, office+`"timezone":"America/Sao_Paulo","holidays":[{"date":"2026-12-25","name":"Natal"}]}`)
	ny := mustSchedule(t, office+`"timezone":"America/New_York","holidays":[]}`)
	lis := mustSchedule(t, office+`"timezone":"Europe/Lisbon","holidays":[]}`)
	// Sunday-night shifts around the DST changes of New York
	nyNight := mustSchedule(t, `{"timezone":"America/New_York","weekly":{"sun":[["01:00","02:00"],["02:00","05:00"]]}}`)
	spFriHoliday := mustSchedule(t, office+`"timezone":"America/Sao_Paulo","holidays":[{"date":"2026-11-20"}]}`)
	spSatHoliday := mustSchedule(t, office+`"timezone":"America/Sao_Paulo","holidays":[{"date":"2026-11-21"}]}`)
	always := mustSchedule(t, `{"timezone":"America/Sao_Paulo","holidays":[{"date":"2026-01-01","name":"Ano Novo"}]}`)
	never := mustSchedule(t, `{"timezone":"America/Sao_Paulo","weekly":{}}`)

	cases := []struct {
		name string
		s    *Schedule
		at   string
		open bool
		next string // "" when never; = at when open
	}{
		// São Paulo is UTC-3 all year (no DST since 2019)
		{"sp monday 07:59", sp, "2026-11-23T10:59:00Z", false, "2026-11-23T11:00:00Z"},
		{"sp monday 08:00", sp, "2026-11-23T11:00:00Z", true, ""},
		{"sp lunch 12:30", sp, "2026-11-23T15:30:00Z", false, "2026-11-23T16:00:00Z"},
		{"sp monday 17:59", sp, "2026-11-23T20:59:00Z", true, ""},
		{"sp monday 18:00", sp, "2026-11-23T21:00:00Z", false, "2026-11-24T11:00:00Z"},
		{"sp friday 21:00 before night shift", sp, "2026-11-28T00:00:00Z", false, "2026-11-28T01:00:00Z"},
		{"sp saturday 01:30 in friday's night shift", sp, "2026-11-28T04:30:00Z", true, ""},
		{"sp saturday 02:00 shift over", sp, "2026-11-28T05:00:00Z", false, "2026-11-28T12:00:00Z"},
		{"sp saturday 13:00 weekend", sp, "2026-11-28T16:00:00Z", false, "2026-11-30T11:00:00Z"},
		{"sp christmas eve evening, holiday next day", sp, "2026-12-24T22:00:00Z", false, "2026-12-26T12:00:00Z"},
		{"sp christmas 10:00 holiday", sp, "2026-12-25T13:00:00Z", false, "2026-12-26T12:00:00Z"},
		{"friday holiday: its night shift does not start", spFriHoliday, "2026-11-21T04:30:00Z", false, "2026-11-21T12:00:00Z"},
		{"saturday holiday: friday's night shift stops at midnight", spSatHoliday, "2026-11-21T02:30:00Z", true, ""},
		{"saturday holiday 01:00", spSatHoliday, "2026-11-21T04:00:00Z", false, "2026-11-23T11:00:00Z"},
		// New York: spring forward 2026-03-08 02:00 EST -> 03:00 EDT
		{"ny monday after spring forward 08:00 EDT", ny, "2026-03-09T12:00:00Z", true, ""},
		{"ny monday 07:59 EDT", ny, "2026-03-09T11:59:00Z", false, "2026-03-09T12:00:00Z"},
		{"ny friday evening before spring forward", ny, "2026-03-07T00:00:00Z", false, "2026-03-07T03:00:00Z"},
		{"ny saturday 13:00 EST to monday 08:00 EDT", ny, "2026-03-07T18:00:00Z", false, "2026-03-09T12:00:00Z"},
		{"ny saturday 13:00 EDT to monday 08:00 EST (fall back)", ny, "2026-10-31T17:00:00Z", false, "2026-11-02T13:00:00Z"},
		{"ny sunday 01:30 EST before the gap", nyNight, "2026-03-08T06:30:00Z", true, ""},
		{"ny 02:00 start falls in the gap: opens 03:00 EDT", nyNight, "2026-03-08T06:59:00Z", true, ""},
		{"ny sunday 03:30 EDT", nyNight, "2026-03-08T07:30:00Z", true, ""},
		{"ny sunday 05:00 EDT", nyNight, "2026-03-08T09:00:00Z", false, "2026-03-15T05:00:00Z"},
		{"ny fall back first 01:30 EDT", nyNight, "2026-11-01T05:30:00Z", true, ""},
		{"ny fall back second 01:30 EST", nyNight, "2026-11-01T06:30:00Z", true, ""},
		{"ny fall back 05:00 EST", nyNight, "2026-11-01T10:00:00Z", false, "2026-11-08T06:00:00Z"},
		// Lisbon: 2026-03-29 01:00 WET -> 02:00 WEST; 2026-10-25 02:00 WEST -> 01:00 WET
		{"lisbon friday 19:00 WET to the night shift", lis, "2026-03-27T19:00:00Z", false, "2026-03-27T22:00:00Z"},
		{"lisbon saturday 13:00 WET to monday 08:00 WEST", lis, "2026-03-28T13:00:00Z", false, "2026-03-30T07:00:00Z"},
		{"lisbon monday 08:00 WEST", lis, "2026-03-30T07:00:00Z", true, ""},
		{"lisbon saturday 13:00 WEST to monday 08:00 WET", lis, "2026-10-24T12:00:00Z", false, "2026-10-26T08:00:00Z"},
		{"lisbon monday 07:30 WET", lis, "2026-10-26T07:30:00Z", false, "2026-10-26T08:00:00Z"},
		{"always open", always, "2026-11-22T03:00:00Z", true, ""},
		{"always open but a holiday", always, "2026-01-01T15:00:00Z", false, "2026-01-02T03:00:00Z"},
		{"no hours at all", never, "2026-11-23T12:00:00Z", false, "never"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			at := utc(c.at)
			if got := c.s.Open(at); got != c.open {
				t.Errorf("Open(%s local %s) = %v, want %v", c.at, at.In(c.s.Location()), got, c.open)
			}
			want := at
			switch c.next {
			case "":
			case "never":
				want = time.Time{}
			default:
				want = utc(c.next)
			}
			if got := c.s.NextOpen(at); !got.Equal(want) {
				t.Errorf("NextOpen(%s) = %s, want %s", c.at, got.UTC(), want.UTC())
			}
		})
	}
	var none *Schedule
	if !none.Open(time.Now()) || !none.NextOpen(time.Unix(5, 0)).Equal(time.Unix(5, 0)) {
		t.Error("no schedule must be always open")
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name, js, wantErr string
	}{
		{"ok", `{"timezone":"America/Sao_Paulo","weekly":{"mon":[["08:00","24:00"]],"tue":[["00:00","08:00"]]}}`, ""},
		{"ok night shift saturday into sunday", `{"timezone":"UTC","weekly":{"sat":[["22:00","02:00"]],"sun":[["02:00","04:00"]]}}`, ""},
		{"overlap same day", `{"timezone":"UTC","weekly":{"mon":[["08:00","12:00"],["11:00","13:00"]]}}`, "overlap"},
		{"overlap past midnight", `{"timezone":"UTC","weekly":{"fri":[["22:00","02:00"]],"sat":[["01:00","03:00"]]}}`, "overlap"},
		{"overlap saturday night into sunday", `{"timezone":"UTC","weekly":{"sat":[["22:00","02:00"]],"sun":[["00:30","04:00"]]}}`, "overlap"},
		{"empty interval", `{"timezone":"UTC","weekly":{"mon":[["08:00","08:00"]]}}`, "empty"},
		{"unknown zone", `{"timezone":"America/Atlantis","weekly":{}}`, "unknown timezone"},
		{"local zone", `{"timezone":"Local"}`, "unknown timezone"},
		{"no zone", `{"weekly":{}}`, "timezone is required"},
		{"bad holiday", `{"timezone":"UTC","holidays":[{"date":"2026-02-30"}]}`, "YYYY-MM-DD"},
		{"twice the same holiday", `{"timezone":"UTC","holidays":[{"date":"2026-12-25"},{"date":"2026-12-25"}]}`, "twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var s Schedule
			err := json.Unmarshal([]byte(c.js), &s)
			if err == nil {
				err = s.Validate()
			}
			switch {
			case c.wantErr == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr) || !errors.Is(err, ErrInvalid)):
				t.Errorf("error %v, want ErrInvalid with %q", err, c.wantErr)
			}
		})
	}
	for _, js := range []string{
		`{"timezone":"UTC","weekly":{"seg":[["08:00","18:00"]]}}`,
		`{"timezone":"UTC","weekly":{"mon":[["8:00","18:00"]]}}`,
		`{"timezone":"UTC","weekly":{"mon":[["24:00","18:00"]]}}`,
		`{"timezone":"UTC","weekly":{"mon":[["08:00","25:00"]]}}`,
		`{"timezone":"UTC","weekly":{"mon":[["08:60","18:00"]]}}`,
		`{"timezone":"UTC","weekly":{"mon":[["08:00"]]}}`,
		`{"timezone":"UTC","extra":1}`,
	} {
		var s Schedule
		if err := json.Unmarshal([]byte(js), &s); err == nil {
			t.Errorf("%s: accepted", js)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	in := `{"timezone":"America/Sao_Paulo","weekly":{"fri":[["22:00","02:00"]],"fri2":[]}}`
	var s Schedule
	if err := json.Unmarshal([]byte(in), &s); err == nil {
		t.Fatal("unknown day accepted")
	}
	s = *mustSchedule(t, office+`"timezone":"America/Sao_Paulo","holidays":[{"date":"2026-12-25","name":"Natal"}]}`)
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	again := mustSchedule(t, string(b))
	b2, _ := json.Marshal(again)
	if string(b) != string(b2) || !strings.Contains(string(b), `"fri":[["08:00","12:00"],["13:00","18:00"],["22:00","02:00"]]`) || !strings.Contains(string(b), `"sun":[]`) {
		t.Errorf("round trip:\n%s\n%s", b, b2)
	}
	b, _ = json.Marshal(Schedule{Timezone: "UTC"})
	if string(b) != `{"timezone":"UTC","holidays":[]}` {
		t.Errorf("always open: %s", b)
	}
}

func TestFormatNextOpen(t *testing.T) {
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	ny, _ := time.LoadLocation("America/New_York")
	now := utc("2026-11-20T22:00:00Z") // Friday 19:00 in São Paulo
	cases := []struct {
		next string
		loc  *time.Location
		lang string
		want string
	}{
		{"2026-11-20T23:30:00Z", sp, PtBR, "hoje às 20h30"},
		{"2026-11-21T12:00:00Z", sp, PtBR, "amanhã às 9h"},
		{"2026-11-23T11:00:00Z", sp, PtBR, "segunda-feira às 8h"},
		{"2026-12-26T12:00:00Z", sp, PtBR, "em 26/12 às 9h"},
		{"2026-11-23T11:00:00Z", sp, En, "on Monday at 8:00 AM"},
		{"2026-11-21T17:00:00Z", sp, En, "tomorrow at 2:00 PM"},
		{"2026-12-26T12:00:00Z", sp, En, "on Dec 26 at 9:00 AM"},
		// 22:00Z is 17:00 in New York: the same day there
		{"2026-11-21T01:00:00Z", ny, En, "today at 8:00 PM"},
		{"", sp, PtBR, "em breve"},
		{"", sp, En, "soon"},
	}
	for _, c := range cases {
		var next time.Time
		if c.next != "" {
			next = utc(c.next)
		}
		if got := FormatNextOpen(next, now, c.loc, c.lang); got != c.want {
			t.Errorf("FormatNextOpen(%s, %s) = %q, want %q", c.next, c.lang, got, c.want)
		}
	}
}

func TestRender(t *testing.T) {
	got := Render("Retornaremos {{next_open}}. {{ next_open }} {{unknown}} {{", map[string]string{"next_open": "amanhã às 8h"})
	if want := "Retornaremos amanhã às 8h. amanhã às 8h {{unknown}} {{"; got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
}

// FuzzSchedule feeds schedules as an admin would send them: whatever
// validates must answer Open and NextOpen without panicking, and NextOpen
// must be an open moment not before the asked time.
func FuzzSchedule(f *testing.F) {
	f.Add(office+`"timezone":"America/New_York","holidays":[{"date":"2026-12-25"}]}`, int64(1772953200))
	f.Add(`{"timezone":"Europe/Lisbon","weekly":{"sun":[["00:30","00:15"]]}}`, int64(1774746000))
	f.Add(`{"timezone":"UTC"}`, int64(0))
	f.Fuzz(func(t *testing.T, js string, unix int64) {
		var s Schedule
		if json.Unmarshal([]byte(js), &s) != nil || s.Validate() != nil {
			return
		}
		at := time.Unix(unix%(1<<34), 0)
		open := s.Open(at)
		next := s.NextOpen(at)
		if open && !next.Equal(at) {
			t.Fatalf("open at %s but NextOpen %s", at, next)
		}
		if !next.IsZero() && (next.Before(at) || !s.Open(next)) {
			t.Fatalf("NextOpen(%s) = %s (open %v)", at, next, s.Open(next))
		}
	})
}
