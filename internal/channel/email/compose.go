package email

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"mime"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atende/atende/internal/channel"
)

// OutboundMail is one mail Atende sends: an agent's reply, a ticket copy to
// the customer or to third parties, or an automatic message.
type OutboundMail struct {
	From    Address
	To      []Address
	Cc      []Address // copies, e.g. third parties on a ticket
	ReplyTo []Address // usually the conversation's signed reply address
	Subject string
	Text    string
	// Signature is the agent's signature, set below "-- " so that the
	// customer's client and StripQuoted keep it out of quoted replies.
	Signature string
	// MessageID, without brackets; generated at the From domain when empty.
	// Callers that record it for threading make one with NewMessageID.
	MessageID string
	// InReplyTo is the Message-ID answered; References are that message's
	// own References. Compose appends the parent and caps the list.
	InReplyTo  string
	References []string
	Date       time.Time // now when zero
	// Attachments go in a multipart/mixed around the text.
	Attachments []channel.OutboundMedia
	// Automatic marks mail no person wrote (greeting, out-of-hours reply):
	// Auto-Submitted: auto-replied tells other robots not to answer it.
	Automatic bool
}

// maxReferences caps References: RFC 5322 §3.6.4 lets a long thread drop
// middle ids; the root and the newest ones matter for threading.
const maxReferences = 20

// ErrCompose reports an outbound mail that cannot be sent as given.
var ErrCompose = errors.New("email: invalid outbound mail")

// NewMessageID makes a unique Message-ID (without brackets) at domain.
func NewMessageID(domain string) string {
	var b [15]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s.%s@%s", strings.ToLower(base32.StdEncoding.EncodeToString(b[:])), base36(time.Now().UnixNano()), domain)
}

func base36(n int64) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	if n <= 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{digits[n%36]}, b...)
		n /= 36
	}
	return string(b)
}

// Compose renders out as an RFC 5322 message ready for SMTP: a text/plain
// and an HTML rendering of the same text (multipart/alternative), inside a
// multipart/mixed when there are attachments.
func Compose(out OutboundMail) ([]byte, error) {
	if !validAddress(out.From.Address) {
		return nil, fmt.Errorf("%w: from address %q", ErrCompose, out.From.Address)
	}
	if len(out.To) == 0 {
		return nil, fmt.Errorf("%w: no recipient", ErrCompose)
	}
	for _, list := range [][]Address{out.To, out.Cc, out.ReplyTo} {
		for _, a := range list {
			if !validAddress(a.Address) {
				return nil, fmt.Errorf("%w: address %q", ErrCompose, a.Address)
			}
		}
	}
	_, domain, _ := splitAddress(out.From.Address)
	id := out.MessageID
	if id == "" {
		id = NewMessageID(domain)
	}
	if !validMsgID(id) || out.InReplyTo != "" && !validMsgID(out.InReplyTo) {
		return nil, fmt.Errorf("%w: message id", ErrCompose)
	}
	date := out.Date
	if date.IsZero() {
		date = time.Now()
	}

	subject := cleanLine(strings.ToValidUTF8(out.Subject, ""))
	if out.InReplyTo != "" {
		subject = ReplySubject(subject)
	}
	// Each new field goes above the ones set before it: set in reverse
	// to read in the usual order.
	var h gomail.Header
	if out.Automatic {
		// Exchange's own flag: do not answer this with an out-of-office.
		h.Set("X-Auto-Response-Suppress", "All")
		h.Set("Auto-Submitted", "auto-replied")
	}
	h.Set("MIME-Version", "1.0")
	if out.InReplyTo != "" {
		h.SetMsgIDList("References", references(out.References, out.InReplyTo))
		h.SetMsgIDList("In-Reply-To", []string{out.InReplyTo})
	}
	h.SetMessageID(id)
	h.Set("Subject", encodeWords(subject))
	h.SetAddressList("Reply-To", toMail(out.ReplyTo))
	h.SetAddressList("Cc", toMail(out.Cc))
	h.SetAddressList("To", toMail(out.To))
	h.SetAddressList("From", toMail([]Address{out.From}))
	h.SetDate(date)

	text := plainBody(out)
	var buf bytes.Buffer
	if len(out.Attachments) == 0 {
		iw, err := gomail.CreateInlineWriter(&buf, h)
		if err != nil {
			return nil, err
		}
		if err := writeAlternative(iw, text, out); err != nil {
			return nil, err
		}
		if err := iw.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	mw, err := gomail.CreateWriter(&buf, h)
	if err != nil {
		return nil, err
	}
	iw, err := mw.CreateInline()
	if err != nil {
		return nil, err
	}
	if err := writeAlternative(iw, text, out); err != nil {
		return nil, err
	}
	if err := iw.Close(); err != nil {
		return nil, err
	}
	for _, a := range out.Attachments {
		var ah gomail.AttachmentHeader
		ct := a.MIME
		if _, _, err := mime.ParseMediaType(ct); err != nil || ct == "" {
			ct = "application/octet-stream"
		}
		name := attachmentName(a.Filename, "")
		if name == "" {
			name = "attachment"
		}
		// A non-ASCII name goes out both ways, as Apple Mail and
		// Thunderbird write it: RFC 2231 in the disposition (the
		// standard) and RFC 2047 in the type's name (what older
		// Outlook reads).
		ah.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
		mt, params, _ := mime.ParseMediaType(ct)
		params["name"] = mime.QEncoding.Encode("utf-8", name)
		ah.Set("Content-Type", mime.FormatMediaType(mt, params))
		w, err := mw.CreateAttachment(ah)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(a.Data); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeAlternative(iw *gomail.InlineWriter, text string, out OutboundMail) error {
	for _, part := range []struct{ ct, body string }{
		{"text/plain", text},
		{"text/html", htmlBody(out)},
	} {
		var ph gomail.InlineHeader
		ph.SetContentType(part.ct, map[string]string{"charset": "utf-8"})
		w, err := iw.CreatePart(ph)
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte(part.body)); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
	return nil
}

// plainBody is the text/plain part: the text, then the signature under
// the "-- " delimiter, with CRLF line ends as SMTP wants.
func plainBody(out OutboundMail) string {
	text := cleanBody(out.Text)
	if sig := cleanBody(out.Signature); sig != "" {
		text += "\n\n-- \n" + sig
	}
	return strings.ReplaceAll(text, "\n", "\r\n") + "\r\n"
}

func cleanBody(s string) string {
	return normalizeBody(strings.ToValidUTF8(s, "\uFFFD"))
}

var urlPattern = regexp.MustCompile(`https?://[^\s<>"']+[^\s<>"'.,;:!?)\]]`)

// htmlBody renders the text as HTML: every character escaped, paragraphs
// on blank lines, <br> on line ends, web addresses as links. Nothing of the
// input is ever markup, so an agent cannot inject HTML into a customer's
// mail, and neither can a customer whose text is quoted back.
func htmlBody(out OutboundMail) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\r\n<html><head><meta charset=\"utf-8\"></head><body>\r\n")
	writeParagraphs(&b, cleanBody(out.Text))
	if sig := cleanBody(out.Signature); sig != "" {
		b.WriteString("<div class=\"signature\" style=\"color:#555\">-- <br>\r\n")
		writeLines(&b, sig)
		b.WriteString("</div>\r\n")
	}
	b.WriteString("</body></html>\r\n")
	return b.String()
}

func writeParagraphs(b *strings.Builder, text string) {
	for _, p := range strings.Split(text, "\n\n") {
		if strings.TrimSpace(p) == "" {
			continue
		}
		b.WriteString("<p>")
		writeLines(b, strings.Trim(p, "\n"))
		b.WriteString("</p>\r\n")
	}
}

func writeLines(b *strings.Builder, text string) {
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteString("<br>\r\n")
		}
		last := 0
		for _, m := range urlPattern.FindAllStringIndex(line, -1) {
			b.WriteString(html.EscapeString(line[last:m[0]]))
			u := html.EscapeString(line[m[0]:m[1]])
			b.WriteString(`<a href="` + u + `">` + u + `</a>`)
			last = m[1]
		}
		b.WriteString(html.EscapeString(line[last:]))
	}
}

// ReplySubject prefixes "Re: " once: any run of reply prefixes in the
// languages customers' clients use (Re:, RE:, Res:, Aw:, Sv:, Re[2]:) is
// replaced, so a long thread never reads "Re: RES: Re: …".
func ReplySubject(s string) string {
	s = cleanLine(s)
	rest := strings.TrimSpace(replyPrefixes.ReplaceAllString(s, ""))
	if rest == "" {
		return "Re:"
	}
	return "Re: " + rest
}

var replyPrefixes = regexp.MustCompile(`(?i)^((re|res|aw|sv|vs|antw|odp|ynt)(\[\d+\]|\(\d+\))?\s*:\s*)+`)

// encodeWords encodes a header text as RFC 2047 words when it is not plain
// ASCII, or when a word is too long for a folded line: the header writer
// would split such a word with a space, and encoded words can be split
// without changing the text.
func encodeWords(s string) string {
	plain := isASCII(s) && !strings.Contains(s, "=?")
	for _, f := range strings.Fields(s) {
		if len(f) > 60 {
			plain = false
		}
	}
	if plain {
		return s
	}
	var words []string
	for len(s) > 0 {
		n := min(len(s), 45)
		for n < len(s) && n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		if n == 0 {
			n = min(len(s), 45)
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, " ")
}

// references is the parent's References plus the parent, without
// duplicates, capped to the root and the newest ids.
func references(parentRefs []string, parent string) []string {
	var refs []string
	seen := map[string]bool{}
	for _, r := range append(append([]string{}, parentRefs...), parent) {
		if validMsgID(r) && !seen[r] {
			seen[r] = true
			refs = append(refs, r)
		}
	}
	if len(refs) > maxReferences {
		refs = append(refs[:1], refs[len(refs)-maxReferences+1:]...)
	}
	return refs
}

func validMsgID(id string) bool {
	return id != "" && len(id) <= 250 && !strings.ContainsAny(id, "<> \t\r\n\x00") && isASCII(id)
}

func validAddress(a string) bool {
	_, _, ok := splitAddress(a)
	return ok && !strings.ContainsAny(a, ",;()[]\\\x00") && isASCII(a)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func toMail(l []Address) []*gomail.Address {
	out := make([]*gomail.Address, 0, len(l))
	for _, a := range l {
		out = append(out, &gomail.Address{Name: cleanLine(strings.ToValidUTF8(a.Name, "")), Address: a.Address})
	}
	return out
}
