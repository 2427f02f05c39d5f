package store_test

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strconv"
	"testing"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

func hashOf(token string) string { return auth.HashToken(token) }

func parseInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	ok(t, err, "parse cursor "+s)
	return n
}

// row is one generated conversation and what the oracle needs to know about it.
type row struct {
	c         store.Conversation
	labeled   bool
	starredBy map[int64]bool
}

// listData fills f.WS (and a little of f.WS2) with conversations spread over
// departments, assignees, statuses, channels, labels and stars, with many
// ties in every sort key so that the id tie-break is exercised.
type listData struct {
	f       storetest.Fix
	rows    []row // WS then WS2
	label   store.Label
	channel store.Channel // second channel of WS
}

func buildListData(t *testing.T, db *store.DB) listData {
	t.Helper()
	ctx := context.Background()
	f := storetest.Fixture(t, db)
	d := listData{f: f}
	rng := rand.New(rand.NewSource(7))
	base := int64(1_700_000_000_000)
	err := db.Tx(ctx, func(q store.Q) error {
		var err error
		if d.label, err = q.CreateLabel(ctx, f.WS.ID, store.Label{Name: "L", Color: "#000"}); err != nil {
			return err
		}
		if d.channel, err = q.CreateChannel(ctx, store.Channel{WorkspaceID: f.WS.ID, Kind: "api", Name: "B"}, "list-b-"+f.WS.Slug); err != nil {
			return err
		}
		depts := []int64{f.Vendas.ID, f.Vendas.ID, f.Financeiro.ID, 0}
		assignees := []int64{0, 0, f.AgentA.ID, f.AgentB.ID, f.AgentC.ID, f.Supervisor.ID, f.Admin.ID}
		starrers := []int64{f.AgentA.ID, f.AgentC.ID, f.Admin.ID, f.Supervisor.ID, f.AgentB.ID}
		for i := 0; i < 70; i++ {
			o := convOpts{
				dept:     depts[rng.Intn(len(depts))],
				assignee: assignees[rng.Intn(len(assignees))],
				status:   store.Statuses[rng.Intn(len(store.Statuses))],
				last:     base + int64(rng.Intn(12))*1000,
				opened:   base + int64(rng.Intn(8))*1000,
				waiting:  store.NotWaiting,
			}
			if rng.Intn(3) > 0 {
				o.waiting = base + int64(rng.Intn(10))*1000
			}
			if rng.Intn(3) == 0 {
				o.channel = d.channel.ID
			}
			var id int64
			if err := insertConvQ(ctx, q, f.WS.ID, f.Channel.ID, o, &id); err != nil {
				return err
			}
			r := row{starredBy: map[int64]bool{}}
			if rng.Intn(3) == 0 {
				r.labeled = true
				if _, err := q.SetConversationLabel(ctx, f.WS.ID, id, d.label.ID, true); err != nil {
					return err
				}
			}
			for _, u := range starrers {
				if rng.Intn(3) == 0 {
					r.starredBy[u] = true
					if err := q.SetStar(ctx, u, id, true); err != nil {
						return err
					}
				}
			}
			if r.c, err = q.LockConversation(ctx, f.WS.ID, id); err != nil {
				return err
			}
			d.rows = append(d.rows, r)
		}
		for i := 0; i < 6; i++ {
			o := convOpts{dept: f.Dept2.ID, status: store.Statuses[i%len(store.Statuses)], last: base + int64(i)*1000}
			if i%2 == 0 {
				o.assignee = f.Agent2.ID
			}
			var id int64
			if err := insertConvQ(ctx, q, f.WS2.ID, f.Channel2.ID, o, &id); err != nil {
				return err
			}
			r := row{starredBy: map[int64]bool{}}
			if err := q.SetStar(ctx, f.Admin2.ID, id, true); err != nil {
				return err
			}
			r.starredBy[f.Admin2.ID] = true
			if r.c, err = q.LockConversation(ctx, f.WS2.ID, id); err != nil {
				return err
			}
			d.rows = append(d.rows, r)
		}
		return nil
	})
	ok(t, err, "build list data")
	return d
}

func viewStatuses(view string) []string {
	switch view {
	case store.ViewUnassigned:
		return []string{store.StatusBot, store.StatusQueued}
	case store.ViewSnoozed:
		return []string{store.StatusSnoozed}
	case store.ViewResolved:
		return []string{store.StatusResolved}
	}
	return []string{store.StatusBot, store.StatusQueued, store.StatusOpen}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// expected is the oracle: DESIGN §3 visibility and the view's filter, in the sort's order.
func (d listData) expected(v access.Viewer, f store.ListFilter) []int64 {
	var out []store.Conversation
	for _, r := range d.rows {
		c := r.c
		if !v.CanSeeConversation(c.WorkspaceID, c.Dept(), c.Assignee()) {
			continue
		}
		if !contains(viewStatuses(f.View), c.Status) {
			continue
		}
		switch f.View {
		case store.ViewMine:
			if c.Assignee() != v.UserID {
				continue
			}
		case store.ViewUnassigned:
			if c.AssigneeID != nil {
				continue
			}
		case store.ViewStarred:
			if !r.starredBy[v.UserID] {
				continue
			}
		}
		if f.DepartmentID != 0 && c.Dept() != f.DepartmentID {
			continue
		}
		if f.AssigneeID != 0 && c.Assignee() != f.AssigneeID {
			continue
		}
		if f.LabelID != 0 && !r.labeled {
			continue
		}
		if f.ChannelID != 0 && c.ChannelID != f.ChannelID {
			continue
		}
		out = append(out, c)
	}
	key := func(c store.Conversation) int64 {
		switch f.Sort {
		case store.SortWaiting:
			return c.WaitingSince
		case store.SortInService:
			return c.OpenedAt
		}
		return c.LastMessageAt
	}
	desc := f.Sort == "" || f.Sort == store.SortLatest
	sort.Slice(out, func(i, j int) bool {
		ki, kj := key(out[i]), key(out[j])
		if ki != kj {
			return (ki > kj) == desc
		}
		return (out[i].ID > out[j].ID) == desc
	})
	ids := []int64{}
	for _, c := range out {
		ids = append(ids, c.ID)
	}
	return ids
}

// walk reads every page of a list and checks page sizes and cursors on the way.
func walk(t *testing.T, db *store.DB, v access.Viewer, f store.ListFilter) []int64 {
	t.Helper()
	ctx := context.Background()
	ids := []int64{}
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("pagination does not end")
		}
		p, err := db.R().ListConversations(ctx, v, f)
		ok(t, err, "ListConversations")
		if len(p.Items) > f.Limit {
			t.Fatalf("page of %d items, limit %d", len(p.Items), f.Limit)
		}
		for _, c := range p.Items {
			ids = append(ids, c.ID)
			if c.WorkspaceID != v.WorkspaceID {
				t.Fatalf("conversation %d of workspace %d listed to workspace %d", c.ID, c.WorkspaceID, v.WorkspaceID)
			}
		}
		if p.NextCursor == "" {
			return ids
		}
		if len(p.Items) != f.Limit {
			t.Fatalf("non-final page of %d items (limit %d)", len(p.Items), f.Limit)
		}
		f.Cursor = p.NextCursor
	}
}

func TestListConversations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := buildListData(t, db)
		f := d.f
		viewers := []struct {
			name string
			v    access.Viewer
		}{
			{"admin", f.AdminV()},
			{"supervisor", f.SupervisorV()},
			{"agentA", f.AgentAV()},
			{"agentB", f.AgentBV()},
			{"agentC-assigned", f.AgentCV()},
			{"admin2", f.Admin2V()},
			{"agent2", f.Agent2V()},
		}
		filters := []store.ListFilter{
			{View: store.ViewAll},
			{View: store.ViewMine},
			{View: store.ViewUnassigned},
			{View: store.ViewSnoozed},
			{View: store.ViewResolved},
			{View: store.ViewStarred},
			{View: store.ViewAll, DepartmentID: f.Vendas.ID},
			{View: store.ViewAll, DepartmentID: f.Financeiro.ID},
			{View: store.ViewAll, AssigneeID: f.AgentA.ID},
			{View: store.ViewAll, AssigneeID: f.AgentB.ID, DepartmentID: f.Financeiro.ID},
			{View: store.ViewAll, LabelID: d.label.ID},
			{View: store.ViewAll, ChannelID: d.channel.ID},
			{View: store.ViewUnassigned, DepartmentID: f.Vendas.ID},
			{View: store.ViewMine, LabelID: d.label.ID},
			{View: store.ViewSnoozed, DepartmentID: f.Financeiro.ID},
			{View: store.ViewResolved, AssigneeID: f.AgentC.ID},
			{View: store.ViewResolved, ChannelID: d.channel.ID, LabelID: d.label.ID},
			{View: store.ViewStarred, DepartmentID: f.Vendas.ID},
			{View: store.ViewAll, DepartmentID: f.Dept2.ID}, // another workspace's department
		}
		sorts := []string{store.SortLatest, store.SortWaiting, store.SortInService}
		nonEmpty := 0
		for _, vw := range viewers {
			for _, flt := range filters {
				for _, s := range sorts {
					flt := flt
					flt.Sort, flt.Limit = s, 5
					name := fmt.Sprintf("%s/%s/dept=%d/assignee=%d/label=%d/channel=%d/%s", vw.name, flt.View, flt.DepartmentID, flt.AssigneeID, flt.LabelID, flt.ChannelID, s)
					want := d.expected(vw.v, flt)
					got := walk(t, db, vw.v, flt)
					if !equalIDs(got, want) {
						t.Errorf("%s:\n got %v\nwant %v", name, got, want)
					}
					if len(want) > 0 {
						nonEmpty++
					}
				}
			}
		}
		if nonEmpty < 150 {
			t.Fatalf("only %d non-empty list cases: the generated data does not exercise the lists", nonEmpty)
		}

		// The generated data covers every visibility rule it should.
		if len(d.expected(f.AgentCV(), store.ListFilter{View: store.ViewAll})) == 0 {
			t.Fatal("agent C sees nothing in the generated data")
		}

		// Labels and stars are decorated on the page.
		p, err := db.R().ListConversations(context.Background(), f.AgentAV(), store.ListFilter{View: store.ViewStarred, Limit: 200})
		ok(t, err, "ListConversations starred")
		for _, c := range p.Items {
			if !c.Starred {
				t.Fatalf("starred view returned %d without Starred", c.ID)
			}
		}
		p, err = db.R().ListConversations(context.Background(), f.AdminV(), store.ListFilter{View: store.ViewAll, LabelID: d.label.ID, Limit: 200})
		ok(t, err, "ListConversations label")
		for _, c := range p.Items {
			if len(c.LabelIDs) != 1 || c.LabelIDs[0] != d.label.ID {
				t.Fatalf("labelled conversation %d has labels %v", c.ID, c.LabelIDs)
			}
		}

		// Bad input.
		for _, bad := range []store.ListFilter{{View: "bogus"}, {View: store.ViewAll, Sort: "bogus"}, {View: store.ViewAll, Cursor: "%%%"},
			{View: store.ViewAll, Statuses: []string{"bogus"}}} {
			_, err := db.R().ListConversations(context.Background(), f.AdminV(), bad)
			wantErr(t, err, store.ErrInvalid, fmt.Sprintf("filter %+v", bad))
		}
	})
}

func TestConversationCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := buildListData(t, db)
		for _, ws := range []int64{d.f.WS.ID, d.f.WS2.ID} {
			want := map[string]int64{}
			for _, r := range d.rows {
				if r.c.WorkspaceID == ws {
					want[fmt.Sprintf("%s/%d/%d", r.c.Status, r.c.Dept(), r.c.Assignee())]++
				}
			}
			rows, err := db.R().ConversationCounts(context.Background(), ws)
			ok(t, err, "ConversationCounts")
			got := map[string]int64{}
			for _, r := range rows {
				got[fmt.Sprintf("%s/%d/%d", r.Status, r.DepartmentID, r.AssigneeID)] += r.N
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("workspace %d counts:\n got %v\nwant %v", ws, got, want)
			}
		}
	})
}

func TestSearchMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Fixture(t, db)
		q := db.W()
		vendas := insertConv(t, db, f, convOpts{dept: f.Vendas.ID, status: store.StatusQueued})
		fin := insertConv(t, db, f, convOpts{dept: f.Financeiro.ID, status: store.StatusQueued})
		toC := insertConv(t, db, f, convOpts{dept: f.Vendas.ID, assignee: f.AgentC.ID, status: store.StatusOpen})
		var other int64
		ok(t, db.Tx(ctx, func(q store.Q) error {
			return insertConvQ(ctx, q, f.WS2.ID, f.Channel2.ID, convOpts{dept: f.Dept2.ID, status: store.StatusQueued}, &other)
		}), "insert ws2 conversation")
		put := func(ws, conv, channel int64, kind, content string) int64 {
			t.Helper()
			dir := store.DirIn
			sender := store.SenderContact
			var ev *store.Event
			if kind == store.KindNote || kind == store.KindEvent {
				dir, sender = store.DirInternal, store.SenderUser
			}
			if kind == store.KindEvent {
				ev = &store.Event{Type: "assigned", Detail: content}
			}
			m, err := q.InsertMessage(ctx, store.Message{WorkspaceID: ws, ConversationID: conv, Kind: kind, Direction: dir, SenderType: sender,
				Content: content, Event: ev, ChannelID: channel, Status: store.DeliveryNone, CreatedAt: store.Now()})
			ok(t, err, "InsertMessage")
			return m.ID
		}
		mV := put(f.WS.ID, vendas, f.Channel.ID, store.KindText, "Quero a segunda via do boleto, por favor")
		mF := put(f.WS.ID, fin, f.Channel.ID, store.KindText, "o BOLETO venceu ontem")
		mC := put(f.WS.ID, toC, f.Channel.ID, store.KindNote, "cliente pediu boleto atualizado")
		put(f.WS.ID, toC, f.Channel.ID, store.KindEvent, "boleto")
		put(f.WS.ID, vendas, f.Channel.ID, store.KindText, "nada a ver")
		put(f.WS2.ID, other, f.Channel2.ID, store.KindText, "boleto de outro cliente")

		search := func(v access.Viewer, query string, before int64, limit int) []int64 {
			t.Helper()
			hits, err := db.R().SearchMessages(ctx, v, query, before, limit)
			ok(t, err, "SearchMessages "+query)
			ids := []int64{}
			for _, h := range hits {
				if h.WorkspaceID != v.WorkspaceID {
					t.Fatalf("search leaked a message of workspace %d", h.WorkspaceID)
				}
				if h.ContactName == "" {
					t.Fatalf("hit %d without contact name", h.ID)
				}
				ids = append(ids, h.ID)
			}
			return ids
		}
		for _, tc := range []struct {
			name  string
			v     access.Viewer
			query string
			want  []int64
		}{
			{"admin", f.AdminV(), "boleto", []int64{mC, mF, mV}},
			{"supervisor", f.SupervisorV(), "boleto", []int64{mC, mV}},
			{"agent A", f.AgentAV(), "boleto", []int64{mC, mV}},
			{"agent B", f.AgentBV(), "boleto", []int64{mF}},
			{"agent C assigned only", f.AgentCV(), "boleto", []int64{mC}},
			{"other workspace", f.Admin2V(), "segunda via", []int64{}},
			{"all words", f.AdminV(), "segunda boleto", []int64{mV}},
			{"case", f.AdminV(), "VENCEU", []int64{mF}},
			{"no match", f.AdminV(), "pix", []int64{}},
			{"empty", f.AdminV(), "   ", []int64{}},
			{"quotes are data", f.AdminV(), `"boleto`, []int64{mC, mF, mV}},
		} {
			if got := search(tc.v, tc.query, 0, 20); !equalIDs(got, tc.want) {
				t.Errorf("%s: search %q = %v, want %v", tc.name, tc.query, got, tc.want)
			}
		}
		// Paging with beforeID.
		if got := search(f.AdminV(), "boleto", 0, 2); !equalIDs(got, []int64{mC, mF}) {
			t.Fatalf("first page = %v", got)
		}
		if got := search(f.AdminV(), "boleto", mF, 2); !equalIDs(got, []int64{mV}) {
			t.Fatalf("second page = %v", got)
		}
	})
}
