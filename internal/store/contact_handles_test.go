package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

// TestContactPhonesAndEmails covers a contact's several phones and e-mails:
// how writes shape the lists (primary first, no empty entries, no repeats),
// that reads give them back in order, and that only the lists' own contact
// and workspace see them.
func TestContactPhonesAndEmails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Fixture(t, db)
		ws := f.WS.ID

		type lists struct {
			phone, email   string
			phones, emails []string
		}
		check := func(t *testing.T, what string, c store.Contact, want lists) {
			t.Helper()
			if c.Phone != want.phone || c.Email != want.email || !slices.Equal(c.Phones, want.phones) || !slices.Equal(c.Emails, want.emails) {
				t.Errorf("%s: phone %q email %q phones %q emails %q; want %q %q %q %q", what, c.Phone, c.Email, c.Phones, c.Emails,
					want.phone, want.email, want.phones, want.emails)
			}
		}
		for _, tc := range []struct {
			name string
			in   lists
			want lists
		}{
			{"nothing", lists{}, lists{phones: []string{}, emails: []string{}}},
			{"primary only", lists{phone: "+55 11 98765-4321", email: "a@x.org"},
				lists{"+55 11 98765-4321", "a@x.org", []string{"+55 11 98765-4321"}, []string{"a@x.org"}}},
			{"lists only: the first is primary", lists{phones: []string{"(11) 3333-4444", "+55 21 99999-0000"}, emails: []string{"b@x.org", "c@x.org"}},
				lists{"(11) 3333-4444", "b@x.org", []string{"(11) 3333-4444", "+55 21 99999-0000"}, []string{"b@x.org", "c@x.org"}}},
			{"primary and lists", lists{"11 1111-1111", "p@x.org", []string{"22 2222-2222"}, []string{"q@x.org"}},
				lists{"11 1111-1111", "p@x.org", []string{"11 1111-1111", "22 2222-2222"}, []string{"p@x.org", "q@x.org"}}},
			{"lists that start with the primary", lists{"11 1111-1111", "p@x.org", []string{"11 1111-1111", "22 2222-2222"}, []string{"p@x.org", "q@x.org"}},
				lists{"11 1111-1111", "p@x.org", []string{"11 1111-1111", "22 2222-2222"}, []string{"p@x.org", "q@x.org"}}},
			{"trimmed, empty entries dropped", lists{"  ", "", []string{"", " 33 3333-3333 ", "  "}, []string{" ", " r@x.org "}},
				lists{"33 3333-3333", "r@x.org", []string{"33 3333-3333"}, []string{"r@x.org"}}},
			{"repeats by digits and by case dropped, first kept", lists{"+55 (11) 98765-4321", "Ana@X.org",
				[]string{"5511987654321", "+55 11 91111-2222", "55 11 98765 4321", "+55 11 91111-2222"}, []string{"ana@x.org", "ANA@x.ORG", "b@x.org", "B@X.ORG"}},
				lists{"+55 (11) 98765-4321", "Ana@X.org", []string{"+55 (11) 98765-4321", "+55 11 91111-2222"}, []string{"Ana@X.org", "b@x.org"}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var c store.Contact
				err := db.Tx(ctx, func(q store.Q) error {
					var err error
					c, err = q.CreateContact(ctx, store.Contact{WorkspaceID: ws, Name: tc.name, Phone: tc.in.phone, Email: tc.in.email,
						Phones: tc.in.phones, Emails: tc.in.emails})
					return err
				})
				ok(t, err, "CreateContact")
				check(t, "created", c, tc.want)
				got, err := db.R().Contact(ctx, ws, c.ID)
				ok(t, err, "Contact")
				check(t, "read back", got, tc.want)

				// UpdateContact shapes the lists the same way
				blank := store.Contact{ID: c.ID, WorkspaceID: ws, Name: tc.name}
				err = db.Tx(ctx, func(q store.Q) error { return q.UpdateContact(ctx, blank) })
				ok(t, err, "UpdateContact to nothing")
				got, err = db.R().Contact(ctx, ws, c.ID)
				ok(t, err, "Contact")
				check(t, "cleared", got, lists{phones: []string{}, emails: []string{}})
				upd := blank
				upd.Phone, upd.Email, upd.Phones, upd.Emails = tc.in.phone, tc.in.email, tc.in.phones, tc.in.emails
				err = db.Tx(ctx, func(q store.Q) error { return q.UpdateContact(ctx, upd) })
				ok(t, err, "UpdateContact")
				got, err = db.R().Contact(ctx, ws, c.ID)
				ok(t, err, "Contact")
				check(t, "updated", got, tc.want)
			})
		}

		// Editing: reorder, promote, remove, and writes across workspaces.
		var c store.Contact
		err := db.Tx(ctx, func(q store.Q) error {
			var err error
			c, err = q.CreateContact(ctx, store.Contact{WorkspaceID: ws, Name: "Editado", Phones: []string{"11 1111-1111", "22 2222-2222", "33 3333-3333"},
				Emails: []string{"a@x.org", "b@x.org"}})
			return err
		})
		ok(t, err, "CreateContact")
		for _, step := range []struct {
			name string
			edit func(c *store.Contact)
			want lists
		}{
			{"name only: lists stay", func(c *store.Contact) { c.Name = "Editada" },
				lists{"11 1111-1111", "a@x.org", []string{"11 1111-1111", "22 2222-2222", "33 3333-3333"}, []string{"a@x.org", "b@x.org"}}},
			{"reorder: the new first is primary", func(c *store.Contact) {
				c.Phones = []string{"33 3333-3333", "11 1111-1111", "22 2222-2222"}
				c.Phone = c.Phones[0]
			}, lists{"33 3333-3333", "a@x.org", []string{"33 3333-3333", "11 1111-1111", "22 2222-2222"}, []string{"a@x.org", "b@x.org"}}},
			{"remove one in the middle", func(c *store.Contact) { c.Phones = slices.Delete(c.Phones, 1, 2) },
				lists{"33 3333-3333", "a@x.org", []string{"33 3333-3333", "22 2222-2222"}, []string{"a@x.org", "b@x.org"}}},
			{"new primary keeps the others after it", func(c *store.Contact) { c.Email = "z@x.org" },
				lists{"33 3333-3333", "z@x.org", []string{"33 3333-3333", "22 2222-2222"}, []string{"z@x.org", "a@x.org", "b@x.org"}}},
			{"empty primary: the next one moves up", func(c *store.Contact) { c.Phone, c.Phones = "", c.Phones[1:] },
				lists{"22 2222-2222", "z@x.org", []string{"22 2222-2222"}, []string{"z@x.org", "a@x.org", "b@x.org"}}},
		} {
			cur, err := db.R().Contact(ctx, ws, c.ID)
			ok(t, err, step.name)
			step.edit(&cur)
			ok(t, db.Tx(ctx, func(q store.Q) error { return q.UpdateContact(ctx, cur) }), step.name)
			got, err := db.R().Contact(ctx, ws, c.ID)
			ok(t, err, step.name)
			check(t, step.name, got, step.want)
		}
		other, err := db.R().Contact(ctx, ws, c.ID)
		ok(t, err, "Contact")
		other.WorkspaceID, other.Phones = f.WS2.ID, []string{"99 9999-9999"}
		wantErr(t, db.Tx(ctx, func(q store.Q) error { return q.UpdateContact(ctx, other) }), store.ErrNotFound, "UpdateContact across workspaces")
		got, err := db.R().Contact(ctx, ws, c.ID)
		ok(t, err, "Contact")
		check(t, "after a write from another workspace", got, lists{"22 2222-2222", "z@x.org", []string{"22 2222-2222"}, []string{"z@x.org", "a@x.org", "b@x.org"}})

		// Contact search sees every phone (as written and by digits) and
		// every e-mail (contains), in its own workspace only, and answers
		// the full lists.
		var multi, ws2 store.Contact
		err = db.Tx(ctx, func(q store.Q) error {
			var err error
			multi, err = q.CreateContact(ctx, store.Contact{WorkspaceID: ws, Name: "Várias Formas", Phone: "+55 41 3030-2020", Email: "vf@empresa.com",
				Phones: []string{"+55 41 3030-2020", "+55 (11) 97777-6543"}, Emails: []string{"Pessoal.VF@Example.com"}})
			if err != nil {
				return err
			}
			ws2, err = q.CreateContact(ctx, store.Contact{WorkspaceID: f.WS2.ID, Name: "Outra", Phones: []string{"11 1234-5678", "+55 11 97777-6543"},
				Emails: []string{"x@y.org", "pessoal.vf@example.com"}})
			return err
		})
		ok(t, err, "CreateContact")
		for _, tc := range []struct {
			query string
			want  []int64
		}{
			{"97777", []int64{multi.ID}},
			{"(11) 97777-6543", []int64{multi.ID}},
			{"11 97777", []int64{multi.ID}},
			{"pessoal.vf", []int64{multi.ID}},
			{"EXAMPLE.COM", []int64{multi.ID}},
			{"empresa", []int64{multi.ID}},
			{"1234-5678", []int64{}},
			{"x@y.org", []int64{}},
		} {
			p, err := db.R().SearchContacts(ctx, ws, tc.query, 0, 50)
			ok(t, err, "SearchContacts "+tc.query)
			ids := []int64{}
			for _, x := range p.Items {
				ids = append(ids, x.ID)
				if x.ID == multi.ID {
					check(t, "search result "+tc.query, x, lists{"+55 41 3030-2020", "vf@empresa.com", []string{"+55 41 3030-2020", "+55 (11) 97777-6543"},
						[]string{"vf@empresa.com", "Pessoal.VF@Example.com"}})
				}
			}
			if !equalIDs(ids, tc.want) {
				t.Errorf("search %q = %v, want %v", tc.query, ids, tc.want)
			}
		}
		// a page of several contacts gets each one's own lists
		p, err := db.R().SearchContacts(ctx, ws, "", 0, 50)
		ok(t, err, "SearchContacts")
		for _, x := range p.Items {
			full, err := db.R().Contact(ctx, ws, x.ID)
			ok(t, err, "Contact")
			check(t, "page item "+x.Name, x, lists{full.Phone, full.Email, full.Phones, full.Emails})
		}

		// erasing a contact erases its phones and e-mails
		_, err = db.W().DeleteContact(ctx, f.WS2.ID, ws2.ID)
		ok(t, err, "DeleteContact")
		if n, err := store.ContactHandleRows(ctx, db.R(), ws2.ID); err != nil || n != 0 {
			t.Errorf("%d phones and e-mails left after erasing their contact (%v)", n, err)
		}
	})
}
