package sms

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/atende/atende/internal/channel"
)

// Limits on webhook fields. The provider sends at most 10 media per message
// and a body of at most 1600 characters; the limits leave room above that
// and only exist to refuse absurd payloads.
const (
	MaxMedia     = 10
	MaxIDLen     = 64
	MaxAddrLen   = 128
	MaxBodyBytes = 64 << 10
	MaxURLLen    = 2048
)

// e164 matches a phone number in E.164 form: "+", a non-zero country digit
// and at most 15 digits in all.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// IsE164 reports whether s is a phone number in E.164 form.
func IsE164(s string) bool { return e164.MatchString(s) }

// Route names the account and line a webhook was addressed to, so the HTTP
// layer can check it against the channel it was delivered to.
type Route struct {
	AccountSID          string // AccountSid
	MessagingServiceSID string // MessagingServiceSid, when the line belongs to a Messaging Service
	To                  string // our number (inbound) or the customer's number (status callback)
}

// RouteOf reads the addressing fields of an inbound webhook or a status
// callback. It never fails; missing fields are empty.
func RouteOf(form url.Values) Route {
	return Route{
		AccountSID:          strings.TrimSpace(form.Get("AccountSid")),
		MessagingServiceSID: strings.TrimSpace(form.Get("MessagingServiceSid")),
		To:                  strings.TrimSpace(form.Get("To")),
	}
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: sms: %s", channel.ErrInvalid, fmt.Sprintf(format, args...))
}

// cleanID validates a SID-like or address field: present, short, printable,
// without spaces.
func cleanID(form url.Values, name string, max int) (string, error) {
	v := strings.TrimSpace(form.Get(name))
	switch {
	case v == "":
		return "", invalid("%s is required", name)
	case len(v) > max || !utf8.ValidString(v):
		return "", invalid("%s must be valid UTF-8 of at most %d bytes", name, max)
	case strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return "", invalid("%s must not contain spaces or control characters", name)
	}
	return v, nil
}

// cleanText makes provider text storable everywhere: invalid UTF-8 becomes
// U+FFFD and NUL characters (which PostgreSQL text cannot hold) are dropped.
// A customer's message is never refused for its content.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "")
}

// ParseInbound turns the form of an incoming-message webhook into a customer
// message. Verify the signature first (ValidateSignature); parsing trusts
// nothing either way and never panics (see the fuzz test).
//
//   - ExternalID is MessageSid (the de-duplication key); Body becomes Text
//     unchanged apart from cleanText, so an empty SMS yields an empty Text.
//   - The customer is From: one identity of kind "phone", and Contact.Phone
//     when From is E.164 (short codes and alphanumeric senders keep only the
//     identity). ProfileName, sent for some channels, becomes Contact.Name.
//   - NumMedia media are read from MediaUrl{N} and MediaContentType{N}
//     (N from 0); Media.Ref is the URL, to fetch with Client.DownloadMedia.
//   - The webhook carries no timestamp: At is left zero for the caller to
//     set to the time of receipt.
//
// Missing or malformed MessageSid, From, NumMedia or media fields answer an
// error wrapping channel.ErrInvalid.
func ParseInbound(form url.Values) (channel.Inbound, error) {
	var in channel.Inbound
	sid, err := cleanID(form, "MessageSid", MaxIDLen)
	if err != nil {
		return in, err
	}
	from, err := cleanID(form, "From", MaxAddrLen)
	if err != nil {
		return in, err
	}
	body := form.Get("Body")
	if len(body) > MaxBodyBytes {
		return in, invalid("Body is larger than %d bytes", MaxBodyBytes)
	}
	media, err := parseMedia(form)
	if err != nil {
		return in, err
	}
	in.ExternalID = sid
	in.Contact.Identities = []channel.Identity{{Kind: "phone", Value: from}}
	if IsE164(from) {
		in.Contact.Phone = from
	}
	if name := cleanText(strings.TrimSpace(form.Get("ProfileName"))); utf8.RuneCountInString(name) <= 200 {
		in.Contact.Name = name
	}
	in.Text = cleanText(body)
	in.Media = media
	return in, nil
}

func parseMedia(form url.Values) ([]channel.Media, error) {
	n := 0
	if raw := strings.TrimSpace(form.Get("NumMedia")); raw != "" {
		v, err := strconv.Atoi(raw)
		if err != nil || v < 0 || v > MaxMedia {
			return nil, invalid("NumMedia must be a number from 0 to %d", MaxMedia)
		}
		n = v
	} else {
		// NumMedia is always sent; tolerate its absence by counting the URLs
		for n < MaxMedia && form.Get("MediaUrl"+strconv.Itoa(n)) != "" {
			n++
		}
	}
	var media []channel.Media
	for i := range n {
		idx := strconv.Itoa(i)
		ref := strings.TrimSpace(form.Get("MediaUrl" + idx))
		if ref == "" {
			return nil, invalid("NumMedia is %d but MediaUrl%d is missing", n, i)
		}
		if len(ref) > MaxURLLen {
			return nil, invalid("MediaUrl%d is longer than %d bytes", i, MaxURLLen)
		}
		u, err := url.Parse(ref)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, invalid("MediaUrl%d must be an absolute http(s) URL", i)
		}
		ct := strings.ToLower(strings.TrimSpace(form.Get("MediaContentType" + idx)))
		if ct == "" {
			ct = "application/octet-stream"
		}
		if len(ct) > 255 || !utf8.ValidString(ct) || strings.ContainsAny(ct, "\x00\r\n") {
			return nil, invalid("MediaContentType%d is malformed", i)
		}
		media = append(media, channel.Media{
			Ref:      ref,
			MIME:     ct,
			Kind:     kindOf(ct),
			Filename: filenameOf(u, ct),
		})
	}
	return media, nil
}

// kindOf maps a MIME type to channel.Media.Kind.
func kindOf(ct string) string {
	major, _, _ := strings.Cut(ct, "/")
	switch major {
	case "image", "video", "audio":
		return major
	}
	return "document"
}

// extensions of the media types the provider documents for MMS; others get
// no extension.
var extensions = map[string]string{
	"image/jpeg": ".jpg", "image/jpg": ".jpg", "image/png": ".png", "image/gif": ".gif",
	"image/bmp": ".bmp", "image/tiff": ".tiff", "image/webp": ".webp",
	"video/mp4": ".mp4", "video/mpeg": ".mpeg", "video/3gpp": ".3gp", "video/quicktime": ".mov",
	"audio/mpeg": ".mp3", "audio/mp3": ".mp3", "audio/mp4": ".m4a", "audio/ogg": ".ogg",
	"audio/amr": ".amr", "audio/3gpp": ".3gp", "audio/wav": ".wav", "audio/aac": ".aac",
	"application/pdf": ".pdf", "text/vcard": ".vcf", "text/x-vcard": ".vcf",
	"text/plain": ".txt", "text/csv": ".csv", "text/calendar": ".ics",
}

// filenameOf names an inbound media file after the last segment of its URL
// (the provider's media SID) plus an extension for its type, since the
// provider sends no file name.
func filenameOf(u *url.URL, ct string) string {
	base := path.Base(u.Path)
	if base == "." || base == "/" || strings.ContainsAny(base, "\\\x00") {
		base = "media"
	}
	if len(base) > 100 {
		base = base[:100]
	}
	base = strings.ToValidUTF8(base, "_")
	mt, _, _ := strings.Cut(ct, ";")
	if ext := extensions[strings.TrimSpace(mt)]; ext != "" && !strings.HasSuffix(strings.ToLower(base), ext) {
		base += ext
	}
	return base
}

// ParseStatus turns the form of a status callback into a delivery report.
// The provider's MessageStatus maps onto channel statuses as follows:
//
//	sent                  → channel.StatusSent (handed to the carrier)
//	delivered             → channel.StatusDelivered
//	read                  → channel.StatusRead (channels with read receipts)
//	undelivered, failed   → channel.StatusFailed, Error "ErrorCode: ErrorMessage"
//	canceled              → channel.StatusFailed, Error "canceled"
//	queued, accepted, scheduled, sending, and any other value
//	                      → "" (no change: the message is still on its way;
//	                        a value the provider adds later is ignored, not
//	                        refused, so the callback is still acknowledged)
//
// Callers must ignore a Status whose Status is "". Recipient is To (the
// customer). Code is ErrorCode (0 when absent); the error text is
// ErrorMessage, or ChannelStatusMessage, or the description of a well-known
// code (ErrorText). At is left zero: the callback carries no usable time.
// Missing MessageSid or MessageStatus answer an error wrapping
// channel.ErrInvalid.
func ParseStatus(form url.Values) (channel.Status, error) {
	var st channel.Status
	sid, err := cleanID(form, "MessageSid", MaxIDLen)
	if err != nil {
		return st, err
	}
	raw, err := cleanID(form, "MessageStatus", 64)
	if err != nil {
		return st, err
	}
	st.ExternalID = sid
	if to := strings.TrimSpace(form.Get("To")); len(to) <= MaxAddrLen && utf8.ValidString(to) {
		st.Recipient = cleanText(to)
	}
	if c := strings.TrimSpace(form.Get("ErrorCode")); c != "" {
		if v, err := strconv.Atoi(c); err == nil && v > 0 {
			st.Code = v
		}
	}
	switch strings.ToLower(raw) {
	case "sent":
		st.Status = channel.StatusSent
	case "delivered":
		st.Status = channel.StatusDelivered
	case "read":
		st.Status = channel.StatusRead
	case "undelivered", "failed":
		st.Status = channel.StatusFailed
		st.Error = failureText(form, st.Code, strings.ToLower(raw))
	case "canceled":
		st.Status = channel.StatusFailed
		st.Error = "canceled"
	default:
		st.Status = ""
	}
	return st, nil
}

// failureText renders "ErrorCode: ErrorMessage" for a failed message.
func failureText(form url.Values, code int, status string) string {
	msg := strings.TrimSpace(form.Get("ErrorMessage"))
	if msg == "" {
		msg = strings.TrimSpace(form.Get("ChannelStatusMessage"))
	}
	if msg == "" {
		msg = ErrorText(code)
	}
	msg = cleanText(msg)
	if len(msg) > 500 {
		msg = strings.ToValidUTF8(msg[:500], "")
	}
	switch {
	case code != 0 && msg != "":
		return strconv.Itoa(code) + ": " + msg
	case code != 0:
		return strconv.Itoa(code)
	case msg != "":
		return msg
	}
	return status
}
