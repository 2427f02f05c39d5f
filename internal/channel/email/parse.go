package email

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"net/textproto"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	// Registers ISO-8859-*, windows-125x and the other charsets real mail
	// uses; without it go-message only decodes UTF-8 and US-ASCII.
	_ "github.com/emersion/go-message/charset"
	gomail "github.com/emersion/go-message/mail"
	"golang.org/x/text/encoding/charmap"

	"github.com/atende/atende/internal/channel"
)

// Parse reads one raw message (as IMAP FETCH BODY[] returns it). It is
// lenient where mail in the wild is broken (bad dates, unknown charsets,
// truncated multiparts keep what could be read) and strict only where nothing
// useful can be had: an unreadable header or an oversized message, reported
// as channel.ErrInvalid.
func Parse(raw []byte) (*Message, error) {
	if len(raw) > MaxMessageBytes {
		return nil, fmt.Errorf("%w: message of %d bytes over the %d limit", channel.ErrInvalid, len(raw), MaxMessageBytes)
	}
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return nil, fmt.Errorf("%w: header: %v", channel.ErrInvalid, err)
	}
	h := gomail.Header{Header: e.Header}
	m := &Message{Header: textproto.MIMEHeader{}}
	fields := e.Header.Fields()
	for n := 0; fields.Next() && n < 1000; n++ {
		k := textproto.CanonicalMIMEHeaderKey(fields.Key())
		m.Header[k] = append(m.Header[k], fields.Value())
	}
	m.ContentType, _ = mediaType(e.Header)
	m.Subject = cleanLine(decodeText(e.Header.Get("Subject")))
	m.From = first(addressList(e.Header.Get("From")))
	if m.From.Address == "" {
		m.From = first(addressList(e.Header.Get("Sender")))
	}
	m.To = addressList(e.Header.Get("To"))
	m.Cc = addressList(e.Header.Get("Cc"))
	m.ReplyTo = addressList(e.Header.Get("Reply-To"))
	if d, err := h.Date(); err == nil {
		m.Date = d.UTC()
	}
	m.MessageID = msgIDs(e.Header.Get("Message-Id")).first()
	m.InReplyTo = msgIDs(e.Header.Get("In-Reply-To"))
	m.References = msgIDs(e.Header.Get("References"))

	w := walker{m: m, budget: MaxAttachmentBytes}
	w.walk(e, 0, "")
	if len(w.plain) > 0 {
		m.Text = normalizeBody(strings.Join(w.plain, "\n\n"))
		m.Reply = StripQuoted(m.Text)
	}
	if w.html != "" {
		m.UntrustedHTML = w.html
		if m.Text == "" {
			m.Text = normalizeBody(HTMLToText(w.html))
			m.TextFromHTML = true
			m.Reply = StripQuoted(normalizeBody(htmlToText(w.html, true)))
			if m.Reply == "" {
				m.Reply = StripQuoted(m.Text)
			}
		}
	}
	return m, nil
}

type walker struct {
	m         *Message
	plain     []string
	html      string
	parts     int
	budget    int // attachment bytes still allowed
	textBytes int // text kept so far, all parts together
	// altStart is len(plain) when the innermost multipart/alternative began.
	altStart int
}

// walk visits the MIME tree depth first; parent is the enclosing
// multipart's media type.
func (w *walker) walk(e *message.Entity, depth int, parent string) {
	w.parts++
	if w.parts > maxParts {
		return
	}
	ct, params := mediaType(e.Header)
	if ct == "text/plain" && parent == "multipart/digest" && e.Header.Get("Content-Type") == "" {
		ct = "message/rfc822" // RFC 2046 §5.1.5: a digest's default
	}
	if strings.HasPrefix(ct, "multipart/") {
		if depth >= maxDepth {
			return
		}
		mr := e.MultipartReader()
		if mr == nil {
			return
		}
		if ct == "multipart/alternative" {
			defer func(saved int) { w.altStart = saved }(w.altStart)
			w.altStart = len(w.plain)
		}
		for {
			p, err := mr.NextPart()
			if err == io.EOF || (err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err)) {
				return // a truncated multipart keeps the parts read so far
			}
			w.walk(p, depth+1, ct)
			if w.parts > maxParts {
				return
			}
		}
	}
	disp, dparams, err := e.Header.ContentDisposition()
	if err != nil {
		disp, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(disp)), ";")
	}
	filename := attachmentName(dparams["filename"], params["name"])
	isText := ct == "text/plain" || ct == "text/html"
	if isText && disp != "attachment" && filename == "" {
		if w.textBytes >= MaxTextBytes {
			return
		}
		body := readText(e)
		w.textBytes += len(body)
		if ct == "text/plain" {
			// In a multipart/alternative every part after the first
			// text/plain is another rendering of the same text.
			if parent != "multipart/alternative" || len(w.plain) == w.altStart {
				w.plain = append(w.plain, body)
			}
		} else if w.html == "" {
			w.html = body
		}
		return
	}
	if ct == "message/delivery-status" || ct == "message/global-delivery-status" {
		w.m.Bounce = mergeBounce(w.m.Bounce, parseDeliveryStatus(io.LimitReader(e.Body, 64<<10)))
		return
	}
	if (ct == "text/rfc822-headers" || ct == "message/rfc822") && w.m.Bounce != nil && w.m.Bounce.OriginalMessageID == "" && disp != "attachment" {
		// The original of a bounce: its header names the message we sent. It
		// is still kept as an attachment below when it is message/rfc822.
		var buf bytes.Buffer
		io.Copy(&buf, io.LimitReader(e.Body, 256<<10))
		if oh, err := textproto.NewReader(bufio.NewReader(&buf)).ReadMIMEHeader(); err == nil || len(oh) > 0 {
			w.m.Bounce.OriginalMessageID = msgIDs(oh.Get("Message-Id")).first()
		}
		if ct == "text/rfc822-headers" {
			return
		}
		e = &message.Entity{Header: e.Header, Body: io.MultiReader(&buf, e.Body)}
	}
	w.attachment(e, ct, disp, filename)
}

func (w *walker) attachment(e *message.Entity, ct, disp, filename string) {
	a := Attachment{
		Filename:    filename,
		ContentType: ct,
		ContentID:   strings.Trim(strings.TrimSpace(e.Header.Get("Content-Id")), "<>"),
		Inline:      disp == "inline" || (disp == "" && e.Header.Get("Content-Id") != ""),
	}
	if a.Filename == "" {
		a.Filename = defaultName(ct, len(w.m.Attachments)+1)
	}
	data, err := io.ReadAll(io.LimitReader(e.Body, int64(w.budget)+1))
	a.Size = len(data)
	if len(data) > w.budget || err != nil && a.Size == 0 {
		n, _ := io.Copy(io.Discard, e.Body)
		a.Size += int(n)
		a.Omitted = true
		data = nil
	} else {
		w.budget -= len(data)
		a.Data = data
	}
	w.m.Attachments = append(w.m.Attachments, a)
}

// mediaType is the part's lower-case media type and parameters. A header
// with broken parameters still names its type ("image/png; name=a b"):
// go-message then returns the whole value, so the type is cut out here
// rather than the part mistaken for text.
func mediaType(h message.Header) (string, map[string]string) {
	ct, params, err := h.ContentType()
	if err != nil {
		ct, _, _ = strings.Cut(h.Get("Content-Type"), ";")
		ct = strings.ToLower(strings.TrimSpace(ct))
		params = map[string]string{}
	}
	if ct == "" || !strings.Contains(ct, "/") {
		ct = "text/plain" // RFC 2045 §5.2
	}
	return ct, params
}

func readText(e *message.Entity) string {
	b, _ := io.ReadAll(io.LimitReader(e.Body, MaxTextBytes))
	if !utf8.Valid(b) {
		// Undeclared 8-bit text, or a charset go-message does not know:
		// windows-1252 is what such mail almost always is, and every byte
		// decodes to something readable.
		if d, err := charmap.Windows1252.NewDecoder().Bytes(b); err == nil {
			b = d
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// normalizeBody makes line ends LF, drops NULs and trailing blank space.
func normalizeBody(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.ReplaceAll(s, "\x00", "")
	return strings.TrimRight(s, " \t\n")
}

var wordDecoder = mime.WordDecoder{CharsetReader: func(cs string, r io.Reader) (io.Reader, error) {
	return message.CharsetReader(strings.ToLower(cs), r)
}}

// decodeText decodes RFC 2047 encoded words; a header that is not valid
// UTF-8 is raw 8-bit (windows-1252 in practice).
func decodeText(s string) string {
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		s = d
	}
	if !utf8.ValidString(s) {
		if d, err := charmap.Windows1252.NewDecoder().String(s); err == nil {
			s = d
		}
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// cleanLine unfolds a header value and drops control characters, so that
// a subject or name is one safe line.
func cleanLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r' || r == '\n' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func addressList(v string) []Address {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	p := mail.AddressParser{WordDecoder: &wordDecoder}
	list, err := p.ParseList(v)
	if err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			name := a.Name
			if strings.Contains(name, "=?") {
				// Outlook and others put encoded words inside quotes,
				// where RFC 2047 says they are not decoded; everyone does.
				name = decodeText(name)
			}
			out = append(out, Address{Name: cleanLine(name), Address: a.Address})
		}
		return out
	}
	// Mail in the wild has unquoted commas, stray dots and raw 8-bit names
	// that RFC 5322 parsers refuse: fall back to picking out what looks
	// like an address, and the text before it as the name.
	var out []Address
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		name, addr := "", ""
		if i := strings.LastIndexByte(part, '<'); i >= 0 {
			if j := strings.IndexByte(part[i:], '>'); j > 0 {
				addr = part[i+1 : i+j]
				name = strings.Trim(strings.TrimSpace(part[:i]), `"`)
			}
		} else {
			addr = part
		}
		addr = strings.TrimSpace(addr)
		if at := strings.LastIndexByte(addr, '@'); at <= 0 || at == len(addr)-1 || strings.ContainsAny(addr, " \t\"<>()") {
			continue
		}
		out = append(out, Address{Name: cleanLine(decodeText(name)), Address: cleanLine(addr)})
	}
	return out
}

func first(l []Address) Address {
	if len(l) == 0 {
		return Address{}
	}
	return l[0]
}

type idList []string

func (l idList) first() string {
	if len(l) == 0 {
		return ""
	}
	return l[0]
}

// msgIDs reads a list of message ids. RFC 5322 wants "<id>", but ids
// without brackets, with spaces inside or separated by commas all occur, so
// anything between angle brackets counts, and a bare word when there are
// none.
func msgIDs(v string) idList {
	var out idList
	seen := map[string]bool{}
	add := func(id string) {
		id = strings.TrimSpace(id)
		if id == "" || len(id) > 998 || strings.ContainsAny(id, "<> \t\r\n") || seen[id] || len(out) >= 100 {
			return
		}
		seen[id] = true
		out = append(out, id)
	}
	if !strings.Contains(v, "<") {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' || r == '\n' }) {
			add(f)
		}
		return out
	}
	for {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			return out
		}
		add(v[i+1 : i+j])
		v = v[i+j+1:]
	}
}

// attachmentName picks the disposition filename over the older Content-Type
// name. go-message already decodes RFC 2231 (filename*=) and RFC 2047
// (=?utf-8?…?=) forms; what is left is making the name safe to store: no
// directories, no control characters.
func attachmentName(disp, ctName string) string {
	name := disp
	if name == "" {
		name = ctName
	}
	name = decodeText(name)
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimRight(name, "/"))
	if name == "." || name == "/" || name == ".." {
		return ""
	}
	name = cleanLine(name)
	if len(name) > 255 {
		name = strings.ToValidUTF8(name[:255], "")
	}
	return name
}

func defaultName(ct string, n int) string {
	ext := ".bin"
	if exts, _ := mime.ExtensionsByType(ct); len(exts) > 0 {
		ext = exts[0]
	}
	switch ct {
	case "message/rfc822":
		ext = ".eml"
	case "text/plain":
		ext = ".txt"
	case "image/jpeg":
		ext = ".jpg"
	}
	return fmt.Sprintf("attachment-%d%s", n, ext)
}

// parseDeliveryStatus reads the per-recipient fields of an RFC 3464 report:
// header-like blocks separated by blank lines, the first for the message,
// the next ones one per recipient.
func parseDeliveryStatus(r io.Reader) *Bounce {
	tr := textproto.NewReader(bufio.NewReader(r))
	var b *Bounce
	for range 20 {
		h, err := tr.ReadMIMEHeader()
		if rcpt := h.Get("Final-Recipient"); rcpt != "" || h.Get("Action") != "" {
			nb := &Bounce{
				Recipient:  typedValue(rcpt),
				Action:     strings.ToLower(strings.TrimSpace(h.Get("Action"))),
				Status:     strings.TrimSpace(h.Get("Status")),
				Diagnostic: cleanLine(typedValue(h.Get("Diagnostic-Code"))),
			}
			if nb.Recipient == "" {
				nb.Recipient = typedValue(h.Get("Original-Recipient"))
			}
			if b == nil || (b.Action != "failed" && nb.Action == "failed") {
				b = nb
			}
		}
		if err != nil {
			break
		}
	}
	if b == nil {
		b = &Bounce{}
	}
	return b
}

func mergeBounce(old, nb *Bounce) *Bounce {
	if old == nil {
		return nb
	}
	if old.Recipient == "" {
		nb.OriginalMessageID = old.OriginalMessageID
		return nb
	}
	return old
}

// typedValue drops the "rfc822;" or "smtp;" type of a DSN field.
func typedValue(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}
