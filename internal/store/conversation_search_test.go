package store_test

import (
	"context"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

// searchContact is a contact of the search data and what the oracle matches
// on: phones and emails are the extra ones, after the primary phone and email.
type searchContact struct {
	name, phone, email string
	phones, emails     []string
	id                 int64
}

// fold is the oracle's case and accent folding.
func fold(s string) string {
	out, _, _ := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	return strings.ToLower(strings.TrimSpace(out))
}

func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// matches is the documented search rule, written out: the name, or any of
// the contact's e-mails, or any of its phones.
func (c searchContact) matches(q string) bool {
	q = strings.TrimSpace(q)
	if strings.Contains(fold(c.name), fold(q)) {
		return true
	}
	for _, e := range append([]string{c.email}, c.emails...) {
		if strings.HasPrefix(strings.ToLower(e), strings.ToLower(q)) {
			return true
		}
	}
	d := digitsOf(q)
	if d == "" || strings.Trim(q, "0123456789+()-./ ") != "" {
		return false
	}
	for _, p := range append([]string{c.phone}, c.phones...) {
		if strings.Contains(digitsOf(p), d) {
			return true
		}
	}
	return false
}

// TestSearchConversationsByContact compares conversation search with the
// oracle for viewers, views, filters, sorts and queries, paging four at a
// time, both ways the store runs it: through the few matching contacts and
// (cap 0) through the list's own index walk.
func TestSearchConversationsByContact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Fixture(t, db)
		contacts := []searchContact{
			{name: "Maria Souza", phone: "+55 (11) 98765-4321", email: "maria@loja.com.br"},
			{name: "MARIANA Lima", phone: "11987650000", email: "mari@example.com"},
			{name: "João da Silva", phone: "+55 21 3333-4444", email: "joao.silva@example.com"},
			{name: "Joao Pedro", phone: "", email: "jp@example.com"},
			{name: "Ana Maria Braga", phone: "(31) 2222.1111", email: "ANA@Example.com"},
			{name: "100% Cliente_X", phone: "", email: "cliente@example.com"},
			{name: "", phone: "+1 415 555 0100", email: ""},
			// several phones and e-mails: the extra ones match as the primary ones do
			{name: "Bruno Costa", phone: "+55 41 3030-2020", email: "bruno@empresa.com",
				phones: []string{"+55 (11) 97777-6543", "0800 123 4567"}, emails: []string{"Bruno.Pessoal@Example.com", "financeiro@loja.com.br"}},
			{name: "Sem Primário", phones: []string{"(21) 3333-9999"}, emails: []string{"sp@example.com"}},
		}
		var second store.Channel
		var d listData
		d.f = f
		err := db.Tx(ctx, func(q store.Q) error {
			var err error
			if second, err = q.CreateChannel(ctx, store.Channel{WorkspaceID: f.WS.ID, Kind: "api", Name: "Segundo"}, "search-second-"+f.WS.Slug); err != nil {
				return err
			}
			depts := []int64{f.Vendas.ID, f.Financeiro.ID}
			assignees := []int64{0, f.AgentA.ID, f.AgentC.ID, f.AgentB.ID}
			statuses := []string{store.StatusQueued, store.StatusOpen, store.StatusBot, store.StatusSnoozed}
			n := 0
			for i := range contacts {
				ct, err := q.CreateContact(ctx, store.Contact{WorkspaceID: f.WS.ID, Name: contacts[i].name, Phone: contacts[i].phone, Email: contacts[i].email,
					Phones: contacts[i].phones, Emails: contacts[i].emails})
				if err != nil {
					return err
				}
				contacts[i].id = ct.ID
				// per contact: one unresolved conversation on each channel and two resolved ones
				for j, o := range []convOpts{{status: statuses[i%4]}, {status: statuses[(i+1)%4], channel: second.ID},
					{status: store.StatusResolved}, {status: store.StatusResolved, channel: second.ID}} {
					n++
					o.contact = ct.ID
					o.dept = depts[(i+j)%2]
					o.assignee = assignees[(i*3+j)%4]
					if o.dept == f.Vendas.ID && o.assignee == f.AgentB.ID {
						o.assignee = 0
					}
					o.last = 1_700_000_000_000 + int64(n%9)*1000
					o.waiting = store.NotWaiting
					if n%2 == 0 {
						o.waiting = o.last - 1000
					}
					var id int64
					if err := insertConvQ(ctx, q, f.WS.ID, f.Channel.ID, o, &id); err != nil {
						return err
					}
					r := row{starredBy: map[int64]bool{}}
					if n%3 == 0 {
						r.starredBy[f.AgentA.ID] = true
						if err := q.SetStar(ctx, f.AgentA.ID, id, true); err != nil {
							return err
						}
					}
					if r.c, err = q.LockConversation(ctx, f.WS.ID, id); err != nil {
						return err
					}
					d.rows = append(d.rows, r)
				}
			}
			// the other workspace has a Maria too, with extra phones and e-mails
			ct, err := q.CreateContact(ctx, store.Contact{WorkspaceID: f.WS2.ID, Name: "Maria Outra", Phone: "11987654321",
				Phones: []string{"+55 11 97777-6543"}, Emails: []string{"bruno.pessoal@example.com"}})
			if err != nil {
				return err
			}
			var id int64
			if err := insertConvQ(ctx, q, f.WS2.ID, f.Channel2.ID, convOpts{dept: f.Dept2.ID, status: store.StatusQueued, contact: ct.ID}, &id); err != nil {
				return err
			}
			r := row{starredBy: map[int64]bool{}}
			r.c, err = q.LockConversation(ctx, f.WS2.ID, id)
			d.rows = append(d.rows, r)
			contacts = append(contacts, searchContact{name: "Maria Outra", phone: "11987654321",
				phones: []string{"+55 11 97777-6543"}, emails: []string{"bruno.pessoal@example.com"}, id: ct.ID})
			return err
		})
		ok(t, err, "build search data")
		contactOf := map[int64]searchContact{}
		for _, c := range contacts {
			contactOf[c.id] = c
		}
		expected := func(v access.Viewer, flt store.ListFilter) []int64 {
			out := []int64{}
			for _, id := range d.expected(v, flt) {
				for _, r := range d.rows {
					if r.c.ID == id && contactOf[r.c.ContactID].matches(flt.Query) {
						out = append(out, id)
					}
				}
			}
			return out
		}

		viewers := []struct {
			name string
			v    access.Viewer
		}{{"admin", f.AdminV()}, {"supervisor", f.SupervisorV()}, {"agentA", f.AgentAV()}, {"agentB", f.AgentBV()},
			{"agentC", f.AgentCV()}, {"admin2", f.Admin2V()}}
		filters := []store.ListFilter{{View: store.ViewAll}, {View: store.ViewMine}, {View: store.ViewUnassigned}, {View: store.ViewSnoozed},
			{View: store.ViewResolved}, {View: store.ViewStarred}, {View: store.ViewAll, DepartmentID: f.Financeiro.ID},
			{View: store.ViewResolved, ChannelID: second.ID}, {View: store.ViewAll, AssigneeID: f.AgentA.ID}}
		queries := []string{"MARIA", "joão", "JOAO", "ANA@EXAMPLE", "loja.com", "mari@", "11 98765", "(11) 9", "98765-43", "415 555", "%",
			"cliente_x", "zzz", "  souza  ",
			"97777", "BRUNO.PESSOAL", "financeiro@", "0800 123", "(21) 3333", "sp@", "empresa.com", "pessoal"}
		cases, nonEmpty := 0, 0
		// Every viewer meets every filter with four of the queries, rotating
		// so that each query meets every viewer and every filter (and both
		// sorts) somewhere: the whole cross product is slow under -race.
		sorts := []string{store.SortLatest, store.SortWaiting}
		const perCombo = 4
		for _, capacity := range []int{500, 0} {
			restore := store.SetSearchContactCap(capacity)
			for vi, vw := range viewers {
				for fi, flt := range filters {
					for k := 0; k < perCombo; k++ {
						flt := flt
						q := queries[((vi*len(filters)+fi)*perCombo+k)%len(queries)]
						flt.Query, flt.Sort, flt.Limit = q, sorts[(vi+fi+k)%len(sorts)], 4
						want := expected(vw.v, flt)
						got := walk(t, db, vw.v, flt)
						if !equalIDs(got, want) {
							t.Errorf("cap %d, %s, %s dept=%d channel=%d agent=%d, %s, q=%q:\n got %v\nwant %v", capacity, vw.name, flt.View,
								flt.DepartmentID, flt.ChannelID, flt.AssigneeID, flt.Sort, q, got, want)
						}
						cases++
						if len(want) > 0 {
							nonEmpty++
						}
					}
				}
			}
			restore()
		}
		if nonEmpty < cases/4 {
			t.Fatalf("only %d of %d search cases find anything: the data does not exercise search", nonEmpty, cases)
		}

		// bad input
		long := store.ListFilter{View: store.ViewAll, Query: strings.Repeat("a", store.MaxSearchRunes+1)}
		_, err = db.R().ListConversations(ctx, f.AdminV(), long)
		wantErr(t, err, store.ErrInvalid, "a query over the limit")
		// blank searches list everything
		blank := walk(t, db, f.AdminV(), store.ListFilter{View: store.ViewAll, Query: "   ", Limit: 50})
		if want := d.expected(f.AdminV(), store.ListFilter{View: store.ViewAll}); !equalIDs(blank, want) {
			t.Errorf("blank query: got %v, want %v", blank, want)
		}
		t.Logf("%d search cases, %d non-empty", cases, nonEmpty)
	})
}
