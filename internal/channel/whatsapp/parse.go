package whatsapp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/atende/atende/internal/channel"
)

// Batch is what one webhook POST carries, grouped by business phone number.
// Meta batches freely: one POST can hold several entries (WhatsApp Business
// Accounts), each with several changes, each with messages, statuses or
// errors of one phone number.
type Batch struct {
	// Lines are in the order their phone number first appears in the body;
	// each phone_number_id appears once.
	Lines []Line
}

// Line is everything one webhook carried for one business phone number,
// that is one Atende channel: the endpoint routes on PhoneNumberID.
type Line struct {
	PhoneNumberID      string
	DisplayPhoneNumber string
	// WABAID is the WhatsApp Business Account the number belongs to (entry.id).
	WABAID   string
	Messages []channel.Inbound
	Statuses []channel.Status
	// Choices holds, by Inbound.ExternalID, what the customer picked when a
	// message answers a reply button, a list or a template quick-reply
	// button: the Inbound's Text is the title the customer saw, the Choice
	// keeps the id the business gave it, which is what bots route on.
	Choices map[string]Choice
	// Errors are account- or system-level problems Meta reported for the
	// number (value.errors), for the log; they belong to no message.
	Errors []APIError
}

// Choice is a reply button, list row or template button the customer tapped.
type Choice struct {
	// Kind is "button_reply", "list_reply" (interactive messages) or "button"
	// (a quick-reply button of a template).
	Kind string
	// ID is the button or row id, or the template button's payload.
	ID          string
	Title       string
	Description string // list rows only
}

// APIError is one error object as Cloud API reports it, in webhooks
// (statuses[].errors, value.errors) and in Graph API error responses.
type APIError struct {
	Code    int
	Title   string
	Message string
	// Details is error_data.details, usually the most specific text.
	Details string
}

// String renders the error for a person: "code: title — message", falling
// back to the details when the message is missing or repeats the title.
func (e APIError) String() string {
	title, msg := e.Title, e.Message
	if msg == "" || msg == title {
		msg = e.Details
	}
	if title == "" {
		title, msg = msg, ""
	}
	s := strconv.Itoa(e.Code)
	if title != "" {
		s += ": " + title
	}
	if msg != "" && msg != title {
		s += " — " + msg
	}
	return s
}

// Line returns the part of the batch for one phone number.
func (b Batch) Line(phoneNumberID string) (Line, bool) {
	for _, l := range b.Lines {
		if l.PhoneNumberID == phoneNumberID {
			return l, true
		}
	}
	return Line{}, false
}

// Identity kinds this package produces (channel.Identity.Kind).
const (
	IdentityWaID = "wa_id"
	// IdentityBSUID is the business-scoped user id (user_id), which every
	// messages webhook carries since 2026 and which stays when the customer
	// hides their phone number behind a username.
	IdentityBSUID = "bsuid"
	// IdentityParentBSUID is the parent BSUID shared by linked business
	// portfolios (parent_user_id), when Meta enabled it.
	IdentityParentBSUID = "parent_bsuid"
	IdentityUsername    = "username"
)

// Limits that keep a hostile or broken payload from producing rows the
// store cannot hold.
const (
	maxIDLen   = 512
	maxTypeLen = 64
)

// wire format of the messages webhook

type webhook struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"`
		Changes []struct {
			Field string `json:"field"`
			Value value  `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type value struct {
	Metadata struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []wContact `json:"contacts"`
	Messages []wMessage `json:"messages"`
	Statuses []wStatus  `json:"statuses"`
	Errors   []wError   `json:"errors"`
}

type wContact struct {
	Profile struct {
		Name     string `json:"name"`
		Username string `json:"username"`
	} `json:"profile"`
	WaID         string `json:"wa_id"`
	UserID       string `json:"user_id"`
	ParentUserID string `json:"parent_user_id"`
	Username     string `json:"username"`
}

type wMessage struct {
	From       string   `json:"from"`
	FromUserID string   `json:"from_user_id"`
	ID         string   `json:"id"`
	Timestamp  unixTime `json:"timestamp"`
	Type       string   `json:"type"`
	Context    *struct {
		From string `json:"from"`
		ID   string `json:"id"`
	} `json:"context"`
	Text *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *wMedia          `json:"image"`
	Video    *wMedia          `json:"video"`
	Audio    *wMedia          `json:"audio"`
	Document *wMedia          `json:"document"`
	Sticker  *wMedia          `json:"sticker"`
	Location *wLocation       `json:"location"`
	Contacts []wSharedContact `json:"contacts"`
	Reaction *struct {
		MessageID string `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			ID          string `json:"id"`
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Button *struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	System *struct {
		Body string `json:"body"`
	} `json:"system"`
}

type wMedia struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	Voice    bool   `json:"voice"`
}

type wLocation struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name"`
	Address   string  `json:"address"`
}

type wSharedContact struct {
	Addresses []struct {
		Street  string `json:"street"`
		City    string `json:"city"`
		State   string `json:"state"`
		Zip     string `json:"zip"`
		Country string `json:"country"`
		Type    string `json:"type"`
	} `json:"addresses"`
	Birthday string `json:"birthday"`
	Emails   []struct {
		Email string `json:"email"`
		Type  string `json:"type"`
	} `json:"emails"`
	Name struct {
		FormattedName string `json:"formatted_name"`
		FirstName     string `json:"first_name"`
		LastName      string `json:"last_name"`
		MiddleName    string `json:"middle_name"`
		Suffix        string `json:"suffix"`
		Prefix        string `json:"prefix"`
	} `json:"name"`
	Org struct {
		Company    string `json:"company"`
		Department string `json:"department"`
		Title      string `json:"title"`
	} `json:"org"`
	Phones []struct {
		Phone string `json:"phone"`
		WaID  string `json:"wa_id"`
		Type  string `json:"type"`
	} `json:"phones"`
	URLs []struct {
		URL  string `json:"url"`
		Type string `json:"type"`
	} `json:"urls"`
	Vcard string `json:"vcard"`
}

type wStatus struct {
	ID              string   `json:"id"`
	Status          string   `json:"status"`
	Timestamp       unixTime `json:"timestamp"`
	RecipientID     string   `json:"recipient_id"`
	RecipientUserID string   `json:"recipient_user_id"`
	Errors          []wError `json:"errors"`
}

type wError struct {
	Code      flexInt `json:"code"`
	Title     string  `json:"title"`
	Message   string  `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

func (e wError) api() APIError {
	return APIError{Code: int(e.Code), Title: clean(e.Title), Message: clean(e.Message), Details: clean(e.ErrorData.Details)}
}

// unixTime is a Unix timestamp in seconds, which Meta sends as a string of
// digits in messages and statuses (and as a number in a few newer webhooks).
type unixTime struct{ time.Time }

func (t *unixTime) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %q is not Unix seconds", s)
	}
	t.Time = time.Unix(n, 0).UTC()
	return nil
}

// flexInt is an error code, a number in Meta's payloads but a string in
// some relayed ones.
type flexInt int

func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return fmt.Errorf("code %q is not an integer", s)
	}
	*n = flexInt(v)
	return nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: whatsapp: %s", channel.ErrInvalid, fmt.Sprintf(format, args...))
}

// clean makes provider text storable: PostgreSQL cannot hold NUL, and the
// JSON decoder has already replaced invalid UTF-8.
func clean(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return s
}

// id trims and checks an identifier; ok is false when it is empty, too long
// or holds control characters, which no real Meta id does.
func id(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxIDLen || !utf8.ValidString(s) {
		return "", false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return "", false
		}
	}
	return s, true
}

// optID is id for optional identifiers: an unusable one is dropped.
func optID(s string) string {
	v, _ := id(s)
	return v
}

// Parse decodes the body of a messages webhook POST (after VerifySignature)
// into what it carries per business phone number. Changes of other webhook
// fields (template status, account updates…) are skipped, and so are
// statuses this package does not model. A message of a type it does not
// know is kept, with a Text saying so, rather than lost. Malformed JSON, an
// object other than whatsapp_business_account, or a message, status or
// phone number without its id is refused with an error wrapping
// channel.ErrInvalid (the endpoint answers 400 and stores nothing). It
// never panics, whatever the input (see the fuzz test).
func Parse(body []byte) (Batch, error) {
	var w webhook
	if err := json.Unmarshal(body, &w); err != nil {
		return Batch{}, invalid("malformed JSON: %v", err)
	}
	if w.Object != "whatsapp_business_account" {
		return Batch{}, invalid("object is %q, not whatsapp_business_account", w.Object)
	}
	var b Batch
	index := map[string]int{}
	for _, e := range w.Entry {
		for _, ch := range e.Changes {
			if ch.Field != "messages" {
				continue
			}
			v := &ch.Value
			pnid, ok := id(v.Metadata.PhoneNumberID)
			if !ok {
				return Batch{}, invalid("a messages change has no metadata.phone_number_id")
			}
			i, seen := index[pnid]
			if !seen {
				i = len(b.Lines)
				index[pnid] = i
				b.Lines = append(b.Lines, Line{PhoneNumberID: pnid})
			}
			l := &b.Lines[i]
			if l.DisplayPhoneNumber == "" {
				l.DisplayPhoneNumber = optID(v.Metadata.DisplayPhoneNumber)
			}
			if l.WABAID == "" {
				l.WABAID = optID(e.ID)
			}
			for _, m := range v.Messages {
				in, choice, err := message(m, v.Contacts)
				if err != nil {
					return Batch{}, err
				}
				l.Messages = append(l.Messages, in)
				if choice != nil {
					if l.Choices == nil {
						l.Choices = map[string]Choice{}
					}
					l.Choices[in.ExternalID] = *choice
				}
			}
			for _, s := range v.Statuses {
				st, ok, err := status(s)
				if err != nil {
					return Batch{}, err
				}
				if ok {
					l.Statuses = append(l.Statuses, st)
				}
			}
			for _, e := range v.Errors {
				l.Errors = append(l.Errors, e.api())
			}
		}
	}
	return b, nil
}

// message turns one messages[] item into an Inbound.
func message(m wMessage, contacts []wContact) (channel.Inbound, *Choice, error) {
	mid, ok := id(m.ID)
	if !ok {
		return channel.Inbound{}, nil, invalid("a message has no id")
	}
	in := channel.Inbound{ExternalID: mid, At: m.Timestamp.Time}
	in.Contact = sender(m, contacts)
	if len(in.Contact.Identities) == 0 {
		return in, nil, invalid("message %s names no sender (from, from_user_id or contacts)", mid)
	}
	if m.Context != nil {
		in.ReplyTo = optID(m.Context.ID)
	}
	missing := func() (channel.Inbound, *Choice, error) {
		return in, nil, invalid("message %s of type %s has no %s object", mid, m.Type, m.Type)
	}
	var choice *Choice
	switch m.Type {
	case "text":
		if m.Text == nil {
			return missing()
		}
		in.Text = clean(m.Text.Body)
	case "image", "video", "audio", "document", "sticker":
		md := map[string]*wMedia{"image": m.Image, "video": m.Video, "audio": m.Audio, "document": m.Document, "sticker": m.Sticker}[m.Type]
		if md == nil {
			return missing()
		}
		ref, ok := id(md.ID)
		if !ok {
			return in, nil, invalid("message %s: %s.id is required", mid, m.Type)
		}
		kind := m.Type
		if kind == "audio" && md.Voice {
			kind = "voice"
		}
		in.Media = []channel.Media{{Ref: ref, Kind: kind, MIME: clean(strings.TrimSpace(md.MimeType)),
			SHA256: hexSHA256(md.SHA256), Caption: clean(md.Caption), Filename: fileName(md.Filename)}}
	case "location":
		if m.Location == nil {
			return missing()
		}
		loc := m.Location
		in.Location = &channel.Location{Latitude: loc.Latitude, Longitude: loc.Longitude, Name: clean(loc.Name), Address: clean(loc.Address)}
	case "contacts":
		if len(m.Contacts) == 0 {
			return missing()
		}
		for _, c := range m.Contacts {
			in.SharedContacts = append(in.SharedContacts, renderContact(c))
		}
	case "reaction":
		if m.Reaction == nil {
			return missing()
		}
		target, ok := id(m.Reaction.MessageID)
		if !ok {
			return in, nil, invalid("message %s: reaction.message_id is required", mid)
		}
		// Meta omits emoji when the customer removes the reaction
		in.Reaction = &channel.Reaction{MessageID: target, Emoji: clean(m.Reaction.Emoji)}
	case "interactive":
		if m.Interactive == nil {
			return missing()
		}
		it := m.Interactive
		switch {
		case it.Type == "button_reply" && it.ButtonReply != nil:
			choice = &Choice{Kind: "button_reply", ID: clean(it.ButtonReply.ID), Title: clean(it.ButtonReply.Title)}
		case it.Type == "list_reply" && it.ListReply != nil:
			choice = &Choice{Kind: "list_reply", ID: clean(it.ListReply.ID), Title: clean(it.ListReply.Title), Description: clean(it.ListReply.Description)}
		default:
			in.Text = unsupported("interactive/" + it.Type)
		}
		if choice != nil {
			in.Text = choice.Title
		}
	case "button":
		if m.Button == nil {
			return missing()
		}
		choice = &Choice{Kind: "button", ID: clean(m.Button.Payload), Title: clean(m.Button.Text)}
		in.Text = choice.Title
	case "system":
		if m.System == nil {
			return missing()
		}
		// e.g. "User A changed from <old number> to <new number>": the agents
		// should see it, and the BSUID keeps the contact the same
		in.Text = clean(m.System.Body)
	default:
		in.Text = unsupported(m.Type)
	}
	return in, choice, nil
}

// unsupported is the text of a message whose type Atende does not render,
// so the agent knows the customer sent something and can ask again.
func unsupported(typ string) string {
	var b strings.Builder
	for _, r := range typ {
		if b.Len() >= maxTypeLen {
			break
		}
		if unicode.IsPrint(r) && r != utf8.RuneError {
			b.WriteRune(r)
		}
	}
	t := b.String()
	if t == "" {
		t = "unknown"
	}
	return "[unsupported message type: " + t + "]"
}

// sender builds the customer from the message and the contacts[] entry that
// describes them, keyed on every identity present: the phone-based wa_id,
// the business-scoped user id, the parent BSUID and the username. Customers
// who adopt a username may arrive with a BSUID and no phone at all.
func sender(m wMessage, contacts []wContact) channel.Contact {
	from, fromUser := optID(m.From), optID(m.FromUserID)
	var match *wContact
	for i := range contacts {
		c := &contacts[i]
		if (from != "" && optID(c.WaID) == from) || (fromUser != "" && optID(c.UserID) == fromUser) {
			match = c
			break
		}
	}
	if match == nil && len(contacts) == 1 {
		// a single-message webhook describes its one sender; older payloads
		// may miss the field that would tie them
		match = &contacts[0]
	}
	var c channel.Contact
	seen := map[channel.Identity]bool{}
	add := func(kind, v string) {
		if v = optID(v); v == "" {
			return
		}
		idn := channel.Identity{Kind: kind, Value: v}
		if !seen[idn] {
			seen[idn] = true
			c.Identities = append(c.Identities, idn)
		}
	}
	waID := from
	if match != nil && optID(match.WaID) != "" {
		waID = optID(match.WaID)
	}
	add(IdentityWaID, waID)
	add(IdentityBSUID, fromUser)
	if match != nil {
		add(IdentityBSUID, match.UserID)
		add(IdentityParentBSUID, match.ParentUserID)
		username := match.Profile.Username
		if username == "" {
			username = match.Username
		}
		add(IdentityUsername, username)
		c.Name = strings.TrimSpace(clean(match.Profile.Name))
	}
	// from is the phone number (wa_id is the WhatsApp id, which can differ
	// after a number change); both are digits with the country code
	if p := phone(from); p != "" {
		c.Phone = p
	} else {
		c.Phone = phone(waID)
	}
	return c
}

// phone turns Meta's digits-with-country-code into E.164, or "" when s is
// not a phone number (a BSUID, say).
func phone(s string) string {
	s = strings.TrimPrefix(s, "+")
	if len(s) < 6 || len(s) > 15 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return ""
		}
	}
	return "+" + s
}

// hexSHA256 normalises the media hash Meta sends (base64 in webhooks, hex
// in the media API) to lower-case hex, the form channel.Media documents;
// "" when it is neither, since a hash that cannot be compared checks nothing.
func hexSHA256(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 2*32 {
		if b, err := hex.DecodeString(s); err == nil {
			return hex.EncodeToString(b)
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == 32 {
			return hex.EncodeToString(b)
		}
	}
	return ""
}

// fileName keeps the customer's file name only when it is a plain name: it
// ends up in download headers and on disk.
func fileName(s string) string {
	s = strings.TrimSpace(clean(s))
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	if s == "." || s == ".." || len(s) > 255 {
		return ""
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return ""
		}
	}
	return s
}

// renderContact writes a shared contact card as the lines an agent reads.
func renderContact(c wSharedContact) string {
	var lines []string
	add := func(label, typ, v string) {
		v = strings.TrimSpace(clean(v))
		if v == "" {
			return
		}
		if typ = strings.TrimSpace(clean(typ)); typ != "" {
			label += " (" + typ + ")"
		}
		lines = append(lines, label+": "+v)
	}
	join := func(parts ...string) string {
		var out []string
		for _, p := range parts {
			if p = strings.TrimSpace(clean(p)); p != "" {
				out = append(out, p)
			}
		}
		return strings.Join(out, ", ")
	}
	n := c.Name
	name := strings.TrimSpace(clean(n.FormattedName))
	if name == "" {
		name = strings.Join(strings.Fields(clean(strings.Join([]string{n.Prefix, n.FirstName, n.MiddleName, n.LastName, n.Suffix}, " "))), " ")
	}
	if name != "" {
		lines = append(lines, name)
	}
	for _, p := range c.Phones {
		v := strings.TrimSpace(clean(p.Phone))
		if wa := strings.TrimSpace(clean(p.WaID)); wa != "" {
			if v == "" {
				v = "+" + strings.TrimPrefix(wa, "+")
			}
			v += " (WhatsApp)"
		}
		add("Phone", p.Type, v)
	}
	for _, e := range c.Emails {
		add("Email", e.Type, e.Email)
	}
	add("Organization", "", join(c.Org.Company, c.Org.Department, c.Org.Title))
	for _, a := range c.Addresses {
		add("Address", a.Type, join(a.Street, a.City, a.State, a.Zip, a.Country))
	}
	for _, u := range c.URLs {
		add("URL", u.Type, u.URL)
	}
	add("Birthday", "", c.Birthday)
	if len(lines) == 0 {
		if v := strings.TrimSpace(clean(c.Vcard)); v != "" {
			return v
		}
		return "(empty contact card)"
	}
	return strings.Join(lines, "\n")
}

// status turns one statuses[] item into a Status; ok is false for states
// Atende does not model (it keeps no row for them).
func status(s wStatus) (channel.Status, bool, error) {
	sid, ok := id(s.ID)
	if !ok {
		return channel.Status{}, false, invalid("a status has no id")
	}
	st := channel.Status{ExternalID: sid, At: s.Timestamp.Time, Recipient: optID(s.RecipientID)}
	if st.Recipient == "" {
		st.Recipient = optID(s.RecipientUserID)
	}
	switch s.Status {
	case channel.StatusSent, channel.StatusDelivered, channel.StatusRead, channel.StatusFailed:
		st.Status = s.Status
	case "played":
		// a voice message was played: it was certainly read
		st.Status = channel.StatusRead
	default:
		return st, false, nil
	}
	var msgs []string
	for i, e := range s.Errors {
		a := e.api()
		if i == 0 {
			st.Code = a.Code
		}
		msgs = append(msgs, a.String())
	}
	st.Error = strings.Join(msgs, "; ")
	return st, true, nil
}
