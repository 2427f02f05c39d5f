package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/atende/atende/internal/store"
)

// Contacts are shared by the whole workspace (history belongs to the
// contact, DESIGN M1); which of their conversations a user sees is still
// decided by the conversation visibility rules.

type contactInput struct {
	Name       *string         `json:"name"`
	Phone      *string         `json:"phone"`
	Email      *string         `json:"email"`
	Phones     *[]string       `json:"phones"`
	Emails     *[]string       `json:"emails"`
	Attributes *map[string]any `json:"attributes"`
	Notes      *string         `json:"notes"`
	OwnerID    *int64          `json:"owner_id"`
}

func (s *Server) applyContact(r *http.Request, q store.Q, in contactInput, c *store.Contact) error {
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		if utf8.RuneCountInString(n) > 200 {
			return errValidation("name has at most 200 characters")
		}
		c.Name = n
	}
	if err := applyPhones(in, c); err != nil {
		return err
	}
	if err := applyEmails(in, c); err != nil {
		return err
	}
	if in.Attributes != nil {
		a := *in.Attributes
		if a == nil {
			a = map[string]any{}
		}
		b, _ := json.Marshal(a)
		if len(a) > 100 || len(b) > 16<<10 {
			return errValidation("attributes: at most 100 keys and 16 KiB")
		}
		c.Attributes = a
	}
	if in.Notes != nil {
		if utf8.RuneCountInString(*in.Notes) > 20000 {
			return errValidation("notes have at most 20000 characters")
		}
		c.Notes = *in.Notes
	}
	if in.OwnerID != nil {
		if *in.OwnerID == 0 {
			c.OwnerID = nil
		} else {
			if _, err := q.User(r.Context(), c.WorkspaceID, *in.OwnerID); err != nil {
				return errValidation("owner_id is not a user of this workspace")
			}
			c.OwnerID = in.OwnerID
		}
	}
	return nil
}

// A contact has up to maxContactHandles phones and as many e-mails. `phones`
// and `emails` replace the whole list (the first becomes `phone` / `email`);
// `phone` or `email` alone replaces the primary one and keeps the others.
const maxContactHandles = 10

// validListPhone is the rule for each entry of `phones`: digits, spaces and
// + ( ) - . only, at most 32 characters, at least 8 digits.
func validListPhone(p string) bool {
	digits := 0
	for _, r := range p {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return len(p) <= 32 && digits >= 8 && strings.Trim(p, "+0123456789 ()-.") == ""
}

// validListEmail is the rule for each entry of `emails`: one @ with text on
// both sides, at most 254 characters, a well-formed address.
func validListEmail(e string) bool {
	return strings.Count(e, "@") == 1 && ValidEmail(e)
}

func applyPhones(in contactInput, c *store.Contact) error {
	if in.Phones == nil {
		if in.Phone == nil {
			return nil
		}
		p := strings.TrimSpace(*in.Phone)
		if len(p) > 40 || strings.Trim(p, "+0123456789 ()-.") != "" {
			return errValidation("phone may hold digits, spaces and + ( ) - . only")
		}
		c.Phones = store.ContactPhones(p, extraHandles(c.Phone, c.Phones))
		c.Phone = firstOf(c.Phones)
		return nil
	}
	list := store.ContactPhones("", *in.Phones)
	if in.Phone != nil && strings.TrimSpace(*in.Phone) != firstOf(list) {
		return errValidation("phone and phones disagree: when both are given, phone is the first of phones")
	}
	if len(list) > maxContactHandles {
		return errValidation(fmt.Sprintf("a contact has at most %d phones", maxContactHandles))
	}
	for _, p := range list {
		// a number the contact already has stays as it is (the API channel
		// and `phone` accept numbers these rules would not)
		if !slices.Contains(c.Phones, p) && !validListPhone(p) {
			return errValidation(fmt.Sprintf("phones: %q is not a phone number (8 or more digits; digits, spaces and + ( ) - . only; at most 32 characters)", clip(p)))
		}
	}
	c.Phones, c.Phone = list, firstOf(list)
	return nil
}

func applyEmails(in contactInput, c *store.Contact) error {
	if in.Emails == nil {
		if in.Email == nil {
			return nil
		}
		e := strings.ToLower(strings.TrimSpace(*in.Email))
		if e != "" && !ValidEmail(e) {
			return errValidation("email must be a valid e-mail address")
		}
		c.Emails = store.ContactEmails(e, extraHandles(c.Email, c.Emails))
		c.Email = firstOf(c.Emails)
		return nil
	}
	raw := make([]string, len(*in.Emails))
	for i, e := range *in.Emails {
		raw[i] = strings.ToLower(e)
	}
	list := store.ContactEmails("", raw)
	if in.Email != nil && strings.ToLower(strings.TrimSpace(*in.Email)) != firstOf(list) {
		return errValidation("email and emails disagree: when both are given, email is the first of emails")
	}
	if len(list) > maxContactHandles {
		return errValidation(fmt.Sprintf("a contact has at most %d e-mails", maxContactHandles))
	}
	for _, e := range list {
		known := slices.ContainsFunc(c.Emails, func(x string) bool { return store.EmailKey(x) == e })
		if !known && !validListEmail(e) {
			return errValidation(fmt.Sprintf("emails: %q is not an e-mail address", clip(e)))
		}
	}
	c.Emails, c.Email = list, firstOf(list)
	return nil
}

// extraHandles is a contact's phones or e-mails after the primary one.
func extraHandles(primary string, list []string) []string {
	if primary != "" && len(list) > 0 {
		return list[1:]
	}
	return list
}

func firstOf(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

// clip shortens a rejected value quoted in an error message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 64 {
		return s
	}
	return string([]rune(s)[:64]) + "…"
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) error {
	cursor, err := queryInt(r, "cursor")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	if limit == 0 || limit > 100 {
		limit = 50
	}
	page, err := s.DB.R().SearchContacts(r.Context(), viewer(r).WorkspaceID, r.URL.Query().Get("q"), cursor, int(limit))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) createContact(w http.ResponseWriter, r *http.Request) error {
	var in contactInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	c := store.Contact{WorkspaceID: viewer(r).WorkspaceID}
	err := s.DB.Tx(r.Context(), func(q store.Q) error {
		if err := s.applyContact(r, q, in, &c); err != nil {
			return err
		}
		if c.Name == "" && c.Phone == "" && c.Email == "" {
			return errValidation("a contact needs a name, phone or email")
		}
		var err error
		c, err = q.CreateContact(r.Context(), c)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.DB.R().Contact(r.Context(), viewer(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) patchContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in contactInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	var c store.Contact
	err = s.DB.Tx(r.Context(), func(q store.Q) error {
		var err error
		if c, err = q.Contact(r.Context(), ws, id); err != nil {
			return err
		}
		if err := s.applyContact(r, q, in, &c); err != nil {
			return err
		}
		if err := q.UpdateContact(r.Context(), c); err != nil {
			return err
		}
		c, err = q.Contact(r.Context(), ws, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request) error {
	return s.eraseWithFiles(w, r, store.Q.DeleteContact)
}

func (s *Server) contactLabel(on bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		labelID, err := pathID(r, "labelID")
		if err != nil {
			return err
		}
		ws := viewer(r).WorkspaceID
		var c store.Contact
		err = s.DB.Tx(r.Context(), func(q store.Q) error {
			if err := q.SetContactLabel(r.Context(), ws, id, labelID, on); err != nil {
				return err
			}
			var err error
			c, err = q.Contact(r.Context(), ws, id)
			return err
		})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, c)
		return nil
	}
}

func (s *Server) contactConversations(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := viewer(r)
	if _, err := s.DB.R().Contact(r.Context(), v.WorkspaceID, id); err != nil {
		return err
	}
	list, err := s.DB.R().ContactConversations(r.Context(), v, id, 100)
	if err != nil {
		return err
	}
	views, err := s.Conversations.Views(r.Context(), v.WorkspaceID, list)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": views})
	return nil
}

func validHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(s) <= 2000
}
