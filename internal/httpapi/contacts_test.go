package httpapi_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// apiContact is the part of the Contact answer these tests read.
type apiContact struct {
	ID     int64    `json:"id"`
	Phone  string   `json:"phone"`
	Email  string   `json:"email"`
	Phones []string `json:"phones"`
	Emails []string `json:"emails"`
}

func (c apiContact) same(phone, email string, phones, emails []string) bool {
	return c.Phone == phone && c.Email == email && slices.Equal(c.Phones, phones) && slices.Equal(c.Emails, emails)
}

// TestContactPhonesAndEmails: a contact has several phones and e-mails,
// written as whole lists (phones / emails) or one primary at a time
// (phone / email), found by search, and refused with 422 and nothing
// written when a list breaks the rules.
func TestContactPhonesAndEmails(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		f := h.fix

		// a customer writes in, the agent completes the record
		in := h.inbound(f.ChannelToken, inboundBody("", "multi-1", "Oi"), 201)
		path := fmt.Sprintf("/api/v1/contacts/%d", in.ContactID)
		get := func() apiContact {
			var c apiContact
			h.must(200, actAgentA, "GET", path, nil).into(t, &c)
			return c
		}
		if c := get(); !c.same("", "", []string{}, []string{}) {
			t.Fatalf("new contact: %+v, want empty lists", c)
		}

		for _, step := range []struct {
			name           string
			body           map[string]any
			phone, email   string
			phones, emails []string
		}{
			{"lists: the first is primary; trimmed, empty and repeated entries dropped",
				map[string]any{"phones": []string{" +55 11 98765-4321 ", "", "+55 (21) 3333-4444", "5511987654321"},
					"emails": []string{"Ana@Example.com", " ana.trabalho@empresa.com.br", "ANA@example.com", "  "}},
				"+55 11 98765-4321", "ana@example.com", []string{"+55 11 98765-4321", "+55 (21) 3333-4444"},
				[]string{"ana@example.com", "ana.trabalho@empresa.com.br"}},
			{"phone alone replaces the primary and keeps the others",
				map[string]any{"phone": "+55 11 90000-1111"},
				"+55 11 90000-1111", "ana@example.com", []string{"+55 11 90000-1111", "+55 (21) 3333-4444"},
				[]string{"ana@example.com", "ana.trabalho@empresa.com.br"}},
			{"email alone replaces the primary and keeps the others",
				map[string]any{"email": "ANA.NOVA@example.com"},
				"+55 11 90000-1111", "ana.nova@example.com", []string{"+55 11 90000-1111", "+55 (21) 3333-4444"},
				[]string{"ana.nova@example.com", "ana.trabalho@empresa.com.br"}},
			{"a primary that is already an extra moves up",
				map[string]any{"phone": "+55 (21) 3333-4444"},
				"+55 (21) 3333-4444", "ana.nova@example.com", []string{"+55 (21) 3333-4444"},
				[]string{"ana.nova@example.com", "ana.trabalho@empresa.com.br"}},
			{"reorder: mark another as primary",
				map[string]any{"emails": []string{"ana.trabalho@empresa.com.br", "ana.nova@example.com"}, "phones": []string{"+55 (21) 3333-4444", "0800 123 4567"}},
				"+55 (21) 3333-4444", "ana.trabalho@empresa.com.br", []string{"+55 (21) 3333-4444", "0800 123 4567"},
				[]string{"ana.trabalho@empresa.com.br", "ana.nova@example.com"}},
			{"both forms together when they agree",
				map[string]any{"phone": "0800 123 4567", "phones": []string{"0800 123 4567", "+55 (21) 3333-4444"}, "email": "ana.nova@example.com",
					"emails": []string{"ana.nova@example.com"}},
				"0800 123 4567", "ana.nova@example.com", []string{"0800 123 4567", "+55 (21) 3333-4444"}, []string{"ana.nova@example.com"}},
			{"empty primary: the next one moves up",
				map[string]any{"phone": ""},
				"+55 (21) 3333-4444", "ana.nova@example.com", []string{"+55 (21) 3333-4444"}, []string{"ana.nova@example.com"}},
			{"ten of each",
				map[string]any{"phones": tenPhones(), "emails": tenEmails()},
				tenPhones()[0], tenEmails()[0], tenPhones(), tenEmails()},
			{"empty lists remove everything",
				map[string]any{"phones": []string{}, "emails": []string{""}},
				"", "", []string{}, []string{}},
			{"null lists change nothing",
				map[string]any{"phones": nil, "emails": nil, "notes": "ok"},
				"", "", []string{}, []string{}},
		} {
			var c apiContact
			h.must(200, actAgentA, "PATCH", path, step.body).into(t, &c)
			if !c.same(step.phone, step.email, step.phones, step.emails) {
				t.Errorf("%s: answered %+v\nwant phone %q email %q phones %q emails %q", step.name, c, step.phone, step.email, step.phones, step.emails)
			}
			if got := get(); !got.same(step.phone, step.email, step.phones, step.emails) {
				t.Errorf("%s: read back %+v", step.name, got)
			}
		}

		// create with lists
		var created apiContact
		h.must(201, actAgentB, "POST", "/api/v1/contacts", map[string]any{"phones": []string{"+55 31 2222-1111", "+55 31 98888-7777"},
			"emails": []string{"carla@example.com", "carla.casa@example.org"}}).into(t, &created)
		if !created.same("+55 31 2222-1111", "carla@example.com", []string{"+55 31 2222-1111", "+55 31 98888-7777"},
			[]string{"carla@example.com", "carla.casa@example.org"}) {
			t.Errorf("created %+v", created)
		}

		// search finds the extra phones (by digits) and e-mails
		h.must(200, actAgentA, "PATCH", path, map[string]any{"phones": []string{"+55 11 90000-1111", "+55 (41) 97777-6543"},
			"emails": []string{"ana@example.com", "ana.pessoal@example.org"}})
		contacts := func(q string) []int64 {
			var page struct {
				Items []apiContact `json:"items"`
			}
			h.must(200, actAgentA, "GET", "/api/v1/contacts?q="+url.QueryEscape(q), nil).into(t, &page)
			ids := []int64{}
			for _, c := range page.Items {
				ids = append(ids, c.ID)
				if c.ID == in.ContactID && len(c.Phones) != 2 {
					t.Errorf("search answers phones %q, want both", c.Phones)
				}
			}
			return ids
		}
		conversations := func(q string) []int64 {
			var page struct {
				Items []struct {
					ID int64 `json:"id"`
				} `json:"items"`
			}
			h.must(200, actAgentA, "GET", "/api/v1/conversations?view=all&q="+url.QueryEscape(q), nil).into(t, &page)
			ids := []int64{}
			for _, c := range page.Items {
				ids = append(ids, c.ID)
			}
			return ids
		}
		for _, q := range []string{"97777-6543", "(41) 97777", "ana.pessoal"} {
			if got := contacts(q); !slices.Equal(got, []int64{in.ContactID}) {
				t.Errorf("contacts?q=%s = %v, want [%d]", q, got, in.ContactID)
			}
			if got := conversations(q); !slices.Equal(got, []int64{in.ConversationID}) {
				t.Errorf("conversations?q=%s = %v, want [%d]", q, got, in.ConversationID)
			}
		}
		if got := contacts("98888"); !slices.Equal(got, []int64{created.ID}) {
			t.Errorf("contacts?q=98888 = %v, want [%d]", got, created.ID)
		}
		if got := conversations("pessoal@example.org"); len(got) != 0 {
			t.Errorf("conversation search matches e-mails by prefix, found %v", got)
		}

		// a number the contact already has is kept even where the list rules
		// would refuse it (the API channel and `phone` take shorter ones)
		h.must(200, actAgentA, "PATCH", path, map[string]any{"phone": "190"})
		var c apiContact
		h.must(200, actAgentA, "PATCH", path, map[string]any{"phones": []string{"+55 (41) 97777-6543", "190"}}).into(t, &c)
		if !slices.Equal(c.Phones, []string{"+55 (41) 97777-6543", "190"}) {
			t.Errorf("kept phone: %q", c.Phones)
		}

		// bad lists: 422 with the error envelope, nothing written
		long := strings.Repeat("a", 250) + "@x.org"
		for _, bad := range []struct {
			name string
			body any
			want int
		}{
			{"eleven phones", map[string]any{"phones": append(tenPhones(), "+55 11 95555-0011")}, 422},
			{"eleven e-mails", map[string]any{"emails": append(tenEmails(), "k@example.com")}, 422},
			{"phone with 7 digits", map[string]any{"phones": []string{"+55 11 98765-4321", "123-4567"}}, 422},
			{"phone over 32 characters", map[string]any{"phones": []string{strings.Repeat("1 ", 17)}}, 422},
			{"letters in a phone", map[string]any{"phones": []string{"+55 11 98765-4321 ramal 2"}}, 422},
			{"new short phone", map[string]any{"phones": []string{"190", "191"}}, 422},
			{"e-mail without @", map[string]any{"emails": []string{"ana.example.com"}}, 422},
			{"e-mail with two @", map[string]any{"emails": []string{"ana@b@example.com"}}, 422},
			{"nothing before @", map[string]any{"emails": []string{"@example.com"}}, 422},
			{"nothing after @", map[string]any{"emails": []string{"ana@"}}, 422},
			{"e-mail over 254 characters", map[string]any{"emails": []string{"ok@example.com", long}}, 422},
			{"phone and phones disagree", map[string]any{"phone": "+55 11 98765-4321", "phones": []string{"+55 21 98765-4321"}}, 422},
			{"email and emails disagree", map[string]any{"email": "a@example.com", "emails": []string{}}, 422},
			{"a good list with a bad one", map[string]any{"phones": []string{"+55 11 98765-4321"}, "emails": []string{"nope"}}, 422},
			{"phones as a string", `{"phones":"+55 11 98765-4321"}`, 400},
			{"e-mails as numbers", `{"emails":[1,2]}`, 400},
		} {
			before := h.snapshotTables("contacts", "contact_handles")
			for _, rq := range []struct{ method, path string }{{"PATCH", path}, {"POST", "/api/v1/contacts"}} {
				body := bad.body
				if m, ok := body.(map[string]any); ok && rq.method == "POST" {
					body = withName(m)
				}
				r := h.as(actAgentA, rq.method, rq.path, body)
				if r.status != bad.want {
					t.Errorf("%s %s: %s, want %d", rq.method, bad.name, r, bad.want)
				}
				assertErrorEnvelope(t, r, rq.method+" "+bad.name)
			}
			if d := before.diff(h.snapshotTables("contacts", "contact_handles")); len(d) > 0 {
				t.Errorf("%s wrote: %v", bad.name, d)
			}
		}
		if c := get(); !slices.Equal(c.Phones, []string{"+55 (41) 97777-6543", "190"}) || !slices.Equal(c.Emails, []string{"ana@example.com", "ana.pessoal@example.org"}) {
			t.Errorf("after bad input: %+v", c)
		}

		// erasing the contact erases its phones and e-mails
		h.must(204, actSupervisor, "DELETE", path, nil)
		if n := h.count(`SELECT count(*) FROM contact_handles WHERE contact_id = $1`, in.ContactID); n != 0 {
			t.Errorf("%d phones and e-mails left after erasing the contact", n)
		}
	})
}

func tenPhones() []string {
	out := make([]string, 10)
	for i := range out {
		out[i] = fmt.Sprintf("+55 11 95555-%04d", i)
	}
	return out
}

func tenEmails() []string {
	out := make([]string, 10)
	for i := range out {
		out[i] = fmt.Sprintf("pessoa%d@example.com", i)
	}
	return out
}

func withName(m map[string]any) map[string]any {
	out := map[string]any{"name": "Novo"}
	for k, v := range m {
		out[k] = v
	}
	return out
}
