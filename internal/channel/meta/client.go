package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atende/atende/internal/channel"
)

// Client calls the Send API for one Page (Messenger) or one Page-linked
// Instagram account. It is safe for concurrent use.
type Client struct {
	// BaseURL is the Graph API root including the version; DefaultBaseURL
	// when empty. Tests point it at a local server.
	BaseURL string
	// PageAccessToken authenticates every call. It goes in the
	// "Authorization: Bearer" header, as Meta's Instagram messaging docs
	// show (its Messenger samples use the access_token parameter, which the
	// Graph API treats alike), never in the URL, so it cannot leak into
	// access logs or the URLs Go's HTTP errors quote.
	PageAccessToken string
	// PageID is the Page that sends (for Instagram, the Page linked to the
	// account); "me" when empty, which Meta resolves from the token.
	PageID string
	// Platform is PlatformMessenger (default) or PlatformInstagram; it picks
	// text limits, upload parameters and profile fields.
	Platform string
	// HTTP is the client used; a 30-second-timeout client when nil.
	HTTP *http.Client
}

var defaultHTTP = &http.Client{Timeout: 30 * time.Second}

// Messaging types and the tag Atende uses.
const (
	MessagingResponse   = "RESPONSE"    // inside the 24-hour standard window
	MessagingMessageTag = "MESSAGE_TAG" // outside it, with a tag
	TagHumanAgent       = "HUMAN_AGENT" // a person answering, up to 7 days
)

// Text limits: Messenger takes 2,000 characters, Instagram 1,000 bytes;
// longer agent replies are split into several messages.
const (
	messengerMaxRunes = 2000
	instagramMaxBytes = 1000
)

// maxResponse bounds what is read from Meta, so a broken proxy cannot make a
// delivery job hold unbounded memory.
const maxResponse = 1 << 20

func (c *Client) base() string {
	if c.BaseURL != "" {
		return strings.TrimRight(c.BaseURL, "/")
	}
	return DefaultBaseURL
}

func (c *Client) page() string {
	if c.PageID == "" {
		return "me"
	}
	return url.PathEscape(c.PageID)
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultHTTP
}

type sendRequest struct {
	Recipient     sendRecipient `json:"recipient"`
	MessagingType string        `json:"messaging_type"`
	Tag           string        `json:"tag,omitempty"`
	Message       sendMessage   `json:"message"`
}

type sendRecipient struct {
	ID string `json:"id"`
}

type sendMessage struct {
	Text         string          `json:"text,omitempty"`
	Attachment   *sendAttachment `json:"attachment,omitempty"`
	QuickReplies []quickReply    `json:"quick_replies,omitempty"`
}

// quickReply is a button offered above the customer's keyboard; a tap
// posts Title as the customer's message, with Payload beside it.
type quickReply struct {
	ContentType string `json:"content_type"` // text
	Title       string `json:"title"`
	Payload     string `json:"payload"`
}

// Quick reply limits: Meta shows at most 13, and cuts a title after 20
// characters (a cut label would come back as a text the bot cannot match).
const (
	maxQuickReplies    = 13
	maxQuickReplyTitle = 20
)

// quickReplies are the quick replies offering a menu's choices, nil when
// they do not all fit; the menu's text lists them anyway.
func quickReplies(choices []string) []quickReply {
	labels, ok := channel.MenuLabels(choices, maxQuickReplyTitle)
	if !ok || len(labels) > maxQuickReplies {
		return nil
	}
	qr := make([]quickReply, len(labels))
	for i, l := range labels {
		qr[i] = quickReply{ContentType: "text", Title: l, Payload: l}
	}
	return qr
}

type sendAttachment struct {
	Type    string      `json:"type"`
	Payload sendPayload `json:"payload"`
}

type sendPayload struct {
	URL          string `json:"url,omitempty"`
	AttachmentID string `json:"attachment_id,omitempty"`
	IsReusable   *bool  `json:"is_reusable,omitempty"`
}

// AttachmentType maps a MIME type to the Send API attachment type.
func AttachmentType(mime string) string {
	switch {
	case strings.HasPrefix(mime, "image/"):
		return "image"
	case strings.HasPrefix(mime, "video/"):
		return "video"
	case strings.HasPrefix(mime, "audio/"):
		return "audio"
	}
	return "file"
}

func permanent(format string, args ...any) *channel.SendError {
	return &channel.SendError{Msg: "meta: " + fmt.Sprintf(format, args...)}
}

// Send delivers out and returns the mid of its first message, the id the
// caller stores. See SendParts for how one Outbound becomes several messages.
func (c *Client) Send(ctx context.Context, out channel.Outbound, humanAgentTag bool) (string, error) {
	mids, err := c.SendParts(ctx, out, humanAgentTag)
	if err != nil {
		return "", err
	}
	return mids[0], nil
}

// Part is one Send API message of a reply: a piece of text or one file (a
// Meta message carries text or one attachment, never both).
type Part struct {
	Text  string
	Media *channel.OutboundMedia
	// Choices, on the last text part of a bot's menu, go out as quick
	// replies under it.
	Choices []string
}

// Parts cuts out into the messages the Send API takes, in the order they
// go: the text first, split when longer than the platform allows, then
// each file followed by its caption. The same out always gives the same
// parts, so a caller can record which of them went out and resume.
func (c *Client) Parts(out channel.Outbound) []Part {
	var parts []Part
	for _, t := range c.splitText(out.Text) {
		parts = append(parts, Part{Text: t})
	}
	for i := range out.Media {
		parts = append(parts, Part{Media: &out.Media[i]})
		for _, t := range c.splitText(out.Media[i].Caption) {
			parts = append(parts, Part{Text: t})
		}
	}
	if n := len(parts); n > 0 && parts[n-1].Media == nil && quickReplies(out.Choices) != nil {
		// Messenger shows quick replies under the latest message only
		parts[n-1].Choices = out.Choices
	}
	return parts
}

// SendParts delivers out and returns the mids of every message sent, one
// per Part. All uploads (Attachment Upload API, then the send by
// attachment_id) happen before the first send, so a failed upload sends
// nothing. humanAgentTag sends with messaging_type MESSAGE_TAG and tag
// HUMAN_AGENT, which Meta accepts up to 7 days after the customer's last
// message; otherwise messaging_type is RESPONSE, accepted for 24 hours
// (WindowState says which applies). Errors are *channel.SendError, also
// wrapping ErrWindowClosed when Meta refused because the window is closed;
// on a failure after some parts went out, the returned mids list those
// parts. out.ReplyTo is ignored: the Send API has no documented quote-reply.
func (c *Client) SendParts(ctx context.Context, out channel.Outbound, humanAgentTag bool) ([]string, error) {
	if err := c.check(out); err != nil {
		return nil, err
	}
	parts := c.Parts(out)
	if len(parts) == 0 {
		return nil, permanent("nothing to send: no text and no attachment")
	}
	msgs := make([]sendMessage, len(parts))
	for i, p := range parts {
		if p.Media == nil {
			msgs[i] = sendMessage{Text: p.Text, QuickReplies: quickReplies(p.Choices)}
			continue
		}
		a, err := c.upload(ctx, *p.Media)
		if err != nil {
			return nil, err
		}
		msgs[i] = sendMessage{Attachment: a}
	}
	var mids []string
	for _, m := range msgs {
		mid, err := c.send(ctx, out.To, m, humanAgentTag)
		if err != nil {
			return mids, err
		}
		mids = append(mids, mid)
	}
	return mids, nil
}

// SendPart sends one part of a reply to the customer to and answers its
// mid: a file is uploaded first and sent by attachment_id. Errors are as
// for SendParts.
func (c *Client) SendPart(ctx context.Context, to string, p Part, humanAgentTag bool) (string, error) {
	if to == "" {
		return "", permanent("no recipient")
	}
	msg := sendMessage{Text: p.Text, QuickReplies: quickReplies(p.Choices)}
	if p.Media != nil {
		a, err := c.upload(ctx, *p.Media)
		if err != nil {
			return "", err
		}
		msg = sendMessage{Attachment: a}
	} else if strings.TrimSpace(p.Text) == "" {
		return "", permanent("nothing to send: an empty part")
	}
	return c.send(ctx, to, msg, humanAgentTag)
}

// check refuses what the Send API can never take, before any call.
func (c *Client) check(out channel.Outbound) error {
	if out.To == "" {
		return permanent("no recipient")
	}
	if out.Template != nil {
		return permanent("Messenger and Instagram have no message templates; send text inside the messaging window")
	}
	for i, m := range out.Media {
		if len(m.Data) == 0 {
			return permanent("attachment %d (%s) is empty", i+1, m.Filename)
		}
	}
	return nil
}

// upload stores one file and answers the attachment that sends it.
func (c *Client) upload(ctx context.Context, m channel.OutboundMedia) (*sendAttachment, error) {
	if len(m.Data) == 0 {
		return nil, permanent("attachment %s is empty", m.Filename)
	}
	typ := AttachmentType(m.MIME)
	id, err := c.Upload(ctx, typ, m.Filename, m.MIME, m.Data)
	if err != nil {
		return nil, err
	}
	return &sendAttachment{Type: typ, Payload: sendPayload{AttachmentID: id}}, nil
}

// Check is SendParts' refusal of what the Send API can never take (no
// recipient, a template, an empty file), for callers that send part by part.
func (c *Client) Check(out channel.Outbound) error { return c.check(out) }

// SendMediaURL sends a file Meta fetches from a public URL (typ is image,
// video, audio or file). Instagram media must be sent this way or uploaded.
func (c *Client) SendMediaURL(ctx context.Context, to, typ, fileURL string, humanAgentTag bool) (string, error) {
	if to == "" || fileURL == "" {
		return "", permanent("recipient and URL are required")
	}
	return c.send(ctx, to, sendMessage{Attachment: &sendAttachment{Type: typ, Payload: sendPayload{URL: fileURL}}}, humanAgentTag)
}

func (c *Client) send(ctx context.Context, to string, msg sendMessage, humanAgentTag bool) (string, error) {
	req := sendRequest{Recipient: sendRecipient{ID: to}, MessagingType: MessagingResponse, Message: msg}
	if humanAgentTag {
		req.MessagingType, req.Tag = MessagingMessageTag, TagHumanAgent
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(req); err != nil {
		return "", permanent("encoding the message: %v", err)
	}
	var resp struct {
		RecipientID string `json:"recipient_id"`
		MessageID   string `json:"message_id"`
	}
	body := bytes.TrimRight(buf.Bytes(), "\n")
	if err := c.do(ctx, http.MethodPost, c.base()+"/"+c.page()+"/messages", "application/json", bytes.NewReader(body), &resp); err != nil {
		return "", err
	}
	if resp.MessageID == "" {
		// the send may have happened: never retry into a duplicate
		return "", permanent("the Send API answered without a message_id")
	}
	return resp.MessageID, nil
}

// Upload stores a file with the Attachment Upload API (POST
// /{page-id}/message_attachments, multipart with the file in "filedata") and
// returns its attachment_id. typ is image, video, audio or file.
func (c *Client) Upload(ctx context.Context, typ, filename, mime string, data []byte) (string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if c.Platform == PlatformInstagram {
		if err := w.WriteField("platform", "instagram"); err != nil {
			return "", permanent("building the upload: %v", err)
		}
	}
	reusable := true // Meta documents uploads as reusable assets; ids expire after 90 days
	msg, err := json.Marshal(sendMessage{Attachment: &sendAttachment{Type: typ, Payload: sendPayload{IsReusable: &reusable}}})
	if err != nil {
		return "", permanent("building the upload: %v", err)
	}
	if err := w.WriteField("message", string(msg)); err != nil {
		return "", permanent("building the upload: %v", err)
	}
	if filename == "" {
		filename = "file"
	}
	if mime == "" {
		mime = "application/octet-stream"
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="filedata"; filename=%q`, strings.Map(plainName, filename)))
	h.Set("Content-Type", mime)
	fw, err := w.CreatePart(h)
	if err == nil {
		_, err = fw.Write(data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return "", permanent("building the upload: %v", err)
	}
	var resp struct {
		AttachmentID string `json:"attachment_id"`
	}
	if err := c.do(ctx, http.MethodPost, c.base()+"/"+c.page()+"/message_attachments", w.FormDataContentType(), &buf, &resp); err != nil {
		return "", err
	}
	if resp.AttachmentID == "" {
		return "", &channel.SendError{Retry: true, Msg: "meta: the upload answered without an attachment_id"}
	}
	return resp.AttachmentID, nil
}

// plainName keeps a file name inside its quoted header parameter.
func plainName(r rune) rune {
	if r < 0x20 || r == '"' || r == '\\' || r == 0x7f {
		return '_'
	}
	return r
}

// Profile is what the User Profile API tells about a customer.
type Profile struct {
	ID         string
	Name       string
	Username   string // Instagram only
	PictureURL string // expires after a few days: show it, do not keep it
}

// Profile fetches the customer's name (GET /{psid-or-igsid}?fields=…). Meta
// only answers for people who messaged the Page and when the app has the
// profile feature; callers treat an error as "no name", not as a failure.
func (c *Client) Profile(ctx context.Context, id string) (Profile, error) {
	if id == "" {
		return Profile{}, permanent("no user id")
	}
	fields := "name,first_name,last_name,profile_pic"
	if c.Platform == PlatformInstagram {
		fields = "name,username,profile_pic"
	}
	var resp struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		FirstName  string `json:"first_name"`
		LastName   string `json:"last_name"`
		Username   string `json:"username"`
		ProfilePic string `json:"profile_pic"`
	}
	u := c.base() + "/" + url.PathEscape(id) + "?fields=" + url.QueryEscape(fields)
	if err := c.do(ctx, http.MethodGet, u, "", nil, &resp); err != nil {
		return Profile{}, err
	}
	p := Profile{ID: resp.ID, Name: resp.Name, Username: resp.Username, PictureURL: resp.ProfilePic}
	if p.ID == "" {
		p.ID = id
	}
	if p.Name == "" {
		p.Name = strings.TrimSpace(resp.FirstName + " " + resp.LastName)
	}
	return p, nil
}

func (c *Client) do(ctx context.Context, method, u, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return permanent("building the request: %v", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+c.PageAccessToken)
	resp, err := c.httpClient().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return &channel.SendError{Retry: true, Msg: "meta: " + ctx.Err().Error()}
		}
		return &channel.SendError{Retry: true, Msg: "meta: " + err.Error()}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return &channel.SendError{Retry: true, Msg: "meta: reading the response: " + err.Error()}
	}
	if resp.StatusCode/100 != 2 {
		return classify(resp.StatusCode, resp.Header, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return permanent("unreadable response (HTTP %d): %v", resp.StatusCode, err)
	}
	return nil
}

// GraphError is the error object the Graph API answers with.
type GraphError struct {
	Message   string `json:"message"`
	Type      string `json:"type"`
	Code      int    `json:"code"`
	Subcode   int    `json:"error_subcode"`
	FBTraceID string `json:"fbtrace_id"`
}

// Error codes Atende tells apart (Messenger Platform error-code reference and
// Graph API rate limiting).
const (
	CodeUnknown         = 1
	CodeService         = 2
	CodeTooManyCalls    = 4 // application request limit
	CodePermission      = 10
	CodeUserTooMany     = 17
	CodePageTooMany     = 32
	CodeInvalidParam    = 100
	CodeAccessToken     = 190
	CodeUnavailable     = 551 // "This person isn't available right now"
	CodeRateLimit       = 613
	CodeTemporarySend   = 1200
	CodePagesBUCLimit   = 80001 // Pages business-use-case rate limit
	CodeMessengerBUC    = 80006 // Messenger business-use-case rate limit
	SubcodeWindowClosed = 2018278
	// SubcodeIGWindowClosed is Instagram's "sent outside of allowed window".
	SubcodeIGWindowClosed = 2534022
	SubcodeNoMatchingUser = 2018001
)

// classify turns a non-2xx answer into a *channel.SendError the job queue
// can act on: rate limits, temporary failures and 5xx are retried (after
// Retry-After when given); a closed messaging window, an unreachable person,
// bad parameters and token or permission problems are permanent and say
// what the agent or admin should do.
func classify(status int, h http.Header, raw []byte) error {
	var env struct {
		Error *GraphError `json:"error"`
	}
	_ = json.Unmarshal(raw, &env)
	after := retryAfter(h)
	if env.Error == nil {
		snippet := strings.TrimSpace(string(raw))
		if len(snippet) > 200 {
			snippet = snippet[:200]
		}
		retry := status >= 500 || status == http.StatusTooManyRequests || status == http.StatusRequestTimeout
		return &channel.SendError{Retry: retry, After: after, Msg: fmt.Sprintf("meta: HTTP %d: %s", status, snippet)}
	}
	g := env.Error
	detail := g.Message
	if len(detail) > 300 {
		detail = detail[:300]
	}
	code := fmt.Sprintf("code %d", g.Code)
	if g.Subcode != 0 {
		code += "/" + strconv.Itoa(g.Subcode)
	}
	e := &channel.SendError{Code: g.Code, After: after}
	switch {
	case g.Code == CodePermission && (g.Subcode == SubcodeWindowClosed || g.Subcode == SubcodeIGWindowClosed || strings.Contains(g.Message, "outside of allowed window")):
		e.Msg = fmt.Sprintf("meta: outside of allowed window: the customer last wrote more than 24 hours ago (7 days with the human-agent tag), so Meta refuses the message until they write again (%s): %s", code, detail)
		return windowError{e}
	case g.Code == CodeUnavailable:
		e.Msg = fmt.Sprintf("meta: this person isn't available right now: they blocked the Page, turned off its messages or left (%s): %s", code, detail)
	case g.Code == CodeTooManyCalls, g.Code == CodeUserTooMany, g.Code == CodePageTooMany, g.Code == CodeRateLimit,
		g.Code == CodePagesBUCLimit, g.Code == CodeMessengerBUC:
		e.Retry = true
		e.Msg = fmt.Sprintf("meta: rate limited, retrying later (%s): %s", code, detail)
	case g.Code == CodeUnknown, g.Code == CodeService, g.Code == CodeTemporarySend, status >= 500:
		e.Retry = true
		e.Msg = fmt.Sprintf("meta: temporary failure, retrying (%s): %s", code, detail)
	case g.Code == CodeAccessToken:
		e.Msg = fmt.Sprintf("meta: the Page access token is invalid or expired; reconnect the channel (%s): %s", code, detail)
	case g.Code == CodePermission || (g.Code >= 200 && g.Code <= 299):
		e.Msg = fmt.Sprintf("meta: the app lacks a permission for this send; check the channel's Meta app permissions (%s): %s", code, detail)
	case g.Code == CodeInvalidParam && g.Subcode == SubcodeNoMatchingUser:
		e.Msg = fmt.Sprintf("meta: no matching user: the customer id is not valid for this Page (%s): %s", code, detail)
	case g.Code == CodeInvalidParam:
		e.Msg = fmt.Sprintf("meta: the request was refused as invalid (%s): %s", code, detail)
	default:
		e.Retry = status == http.StatusTooManyRequests
		e.Msg = fmt.Sprintf("meta: send failed, HTTP %d (%s): %s", status, code, detail)
	}
	return e
}

func retryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// splitText cuts s into messages the platform accepts, preferring line and
// word boundaries; text that fits is sent exactly as written.
func (c *Client) splitText(s string) []string {
	maxRunes, maxBytes := messengerMaxRunes, 4*messengerMaxRunes
	if c.Platform == PlatformInstagram {
		maxRunes, maxBytes = instagramMaxBytes, instagramMaxBytes
	}
	return splitText(s, maxRunes, maxBytes)
}

func splitText(s string, maxRunes, maxBytes int) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	if utf8.RuneCountInString(s) <= maxRunes && len(s) <= maxBytes {
		return []string{s}
	}
	var parts []string
	s = strings.TrimSpace(s)
	for s != "" {
		if utf8.RuneCountInString(s) <= maxRunes && len(s) <= maxBytes {
			parts = append(parts, s)
			break
		}
		end, n := 0, 0
		for end < len(s) && n < maxRunes {
			_, w := utf8.DecodeRuneInString(s[end:])
			if end+w > maxBytes {
				break
			}
			end += w
			n++
		}
		cut := end
		if b := strings.LastIndexAny(s[:end], "\n "); b > end/2 {
			cut = b
		}
		if p := strings.TrimSpace(s[:cut]); p != "" {
			parts = append(parts, p)
		}
		s = strings.TrimSpace(s[cut:])
	}
	return parts
}

// windowError is a refused send that is both a *channel.SendError (for the
// job queue) and ErrWindowClosed (for the composer), with the SendError's
// message alone.
type windowError struct{ *channel.SendError }

func (w windowError) Unwrap() []error { return []error{ErrWindowClosed, w.SendError} }

// IsWindowClosed reports whether err is Meta refusing a send because the
// messaging window is closed.
func IsWindowClosed(err error) bool { return errors.Is(err, ErrWindowClosed) }

// PageInfo is what the Graph API tells about the Page or Instagram account a
// token speaks for.
type PageInfo struct {
	ID       string
	Name     string
	Username string // Instagram only
}

// Page reads the Page (or, for a client whose PageID is an Instagram
// account, that account) with GET /{page-id}?fields=…: a cheap call that
// proves the access token works for it.
func (c *Client) Page(ctx context.Context) (PageInfo, error) {
	fields := "id,name"
	if c.Platform == PlatformInstagram {
		fields = "id,name,username"
	}
	var resp struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Username string `json:"username"`
	}
	if err := c.do(ctx, http.MethodGet, c.base()+"/"+c.page()+"?fields="+url.QueryEscape(fields), "", nil, &resp); err != nil {
		return PageInfo{}, err
	}
	return PageInfo{ID: resp.ID, Name: resp.Name, Username: resp.Username}, nil
}

// ErrTooLarge reports a file larger than the caller's limit.
var ErrTooLarge = errors.New("meta: the file is larger than allowed")

// Download fetches an attachment from the CDN URL a Messenger webhook names
// (a signed URL: no access token is sent with it), reading at most maxBytes.
// Errors are *channel.SendError (Retry for outages and 5xx), or wrap
// ErrTooLarge.
func (c *Client) Download(ctx context.Context, fileURL string, maxBytes int64) ([]byte, string, error) {
	u, err := url.Parse(fileURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, "", permanent("not a downloadable URL")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", permanent("building the request: %v", err)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		msg := err.Error()
		var ue *url.Error
		if errors.As(err, &ue) {
			msg = ue.Err.Error() // the signed URL stays out of errors and logs
		}
		return nil, "", &channel.SendError{Retry: true, Msg: "meta: downloading the file: " + msg}
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, "", &channel.SendError{Retry: resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests,
			Code: resp.StatusCode, Msg: fmt.Sprintf("meta: downloading the file: HTTP %d", resp.StatusCode)}
	}
	if resp.ContentLength > maxBytes {
		return nil, "", ErrTooLarge
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, "", &channel.SendError{Retry: true, Msg: "meta: downloading the file: " + err.Error()}
	}
	if int64(len(data)) > maxBytes {
		return nil, "", ErrTooLarge
	}
	return data, resp.Header.Get("Content-Type"), nil
}
