package whatsapp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/atende/atende/internal/channel"
)

// DefaultBaseURL is the Graph API root with the version this package was
// written against. It is a setting (Client.BaseURL) so a deployment can move
// to a newer version without a release and tests can point at a local server.
const DefaultBaseURL = "https://graph.facebook.com/v21.0"

// DefaultMaxMediaBytes caps DownloadMedia: 100 MB is the largest file
// (a document) WhatsApp carries.
const DefaultMaxMediaBytes = 100 << 20

// maxResponseBytes bounds what we read of a Graph API JSON answer.
const maxResponseBytes = 1 << 20

// Client calls the Cloud API for one business phone number. The zero value
// is not usable: AccessToken and PhoneNumberID are required. It is safe for
// concurrent use.
type Client struct {
	// BaseURL is the Graph API root including the version, without a
	// trailing slash; DefaultBaseURL when empty.
	BaseURL string
	// AccessToken is a system-user (or business integration) token with
	// whatsapp_business_messaging (and _management for Templates).
	AccessToken   string
	PhoneNumberID string
	// HTTP is the client used for every call; http.DefaultClient when nil.
	// Give it a timeout: a hung call would hold a delivery job.
	HTTP *http.Client
	// MaxMediaBytes caps DownloadMedia; DefaultMaxMediaBytes when zero.
	MaxMediaBytes int64
}

func (c *Client) base() string {
	if c.BaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(c.BaseURL, "/")
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP == nil {
		return http.DefaultClient
	}
	return c.HTTP
}

// Graph API node ids (phone numbers, WABAs, media) are numeric; refusing
// anything else keeps a stored value from steering a request elsewhere.
var nodeID = regexp.MustCompile(`^[0-9A-Za-z_-]{1,128}$`)

// bsuid matches a business-scoped user id: an ISO country code, a period,
// and an alphanumeric id, with "ENT." between them for a parent BSUID.
var bsuid = regexp.MustCompile(`^[A-Z]{2}\.(ENT\.)?[0-9A-Za-z]{1,128}$`)

// IsBSUID reports whether to is a business-scoped user id rather than a
// phone number; sends address the two differently (recipient versus to).
func IsBSUID(to string) bool { return bsuid.MatchString(to) }

// permanent is a send failure that retrying cannot fix.
func permanent(format string, args ...any) *channel.SendError {
	return &channel.SendError{Msg: "whatsapp: " + fmt.Sprintf(format, args...)}
}

// wire format of the Messages API (POST /{phone-number-id}/messages)

type sendRequest struct {
	MessagingProduct string       `json:"messaging_product"`
	RecipientType    string       `json:"recipient_type"`
	To               string       `json:"to,omitempty"`
	Recipient        string       `json:"recipient,omitempty"`
	Context          *sendContext `json:"context,omitempty"`
	Type             string       `json:"type"`
	Text             *sendText    `json:"text,omitempty"`
	Image            *sendMedia   `json:"image,omitempty"`
	Video            *sendMedia   `json:"video,omitempty"`
	Audio            *sendMedia   `json:"audio,omitempty"`
	Document         *sendMedia   `json:"document,omitempty"`
	Sticker          *sendMedia   `json:"sticker,omitempty"`
	Template         *sendTmpl    `json:"template,omitempty"`
	Interactive      *sendIAct    `json:"interactive,omitempty"`
}

// sendIAct is an interactive message: reply buttons or a list.
type sendIAct struct {
	Type   string     `json:"type"` // button or list
	Body   sendIBody  `json:"body"`
	Action sendAction `json:"action"`
}

type sendIBody struct {
	Text string `json:"text"`
}

type sendAction struct {
	Buttons  []sendButton  `json:"buttons,omitempty"`
	Button   string        `json:"button,omitempty"`
	Sections []sendSection `json:"sections,omitempty"`
}

type sendButton struct {
	Type  string   `json:"type"` // reply
	Reply sendItem `json:"reply"`
}

type sendSection struct {
	Rows []sendItem `json:"rows"`
}

// sendItem is a reply button's reply or a list row: the id comes back in
// the webhook's button_reply / list_reply, the title is what the customer
// sees and what arrives as the message's text.
type sendItem struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type sendContext struct {
	MessageID string `json:"message_id"`
}

type sendText struct {
	PreviewURL bool   `json:"preview_url,omitempty"`
	Body       string `json:"body"`
}

type sendMedia struct {
	ID       string `json:"id"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
}

type sendTmpl struct {
	Name       string          `json:"name"`
	Language   sendLanguage    `json:"language"`
	Components []sendComponent `json:"components,omitempty"`
}

type sendLanguage struct {
	Code string `json:"code"`
}

type sendComponent struct {
	Type       string      `json:"type"`
	Parameters []sendParam `json:"parameters"`
}

type sendParam struct {
	Type          string `json:"type"`
	ParameterName string `json:"parameter_name,omitempty"`
	Text          string `json:"text"`
}

type sendResponse struct {
	Messages []struct {
		ID string `json:"id"`
	} `json:"messages"`
}

// MaxTextLen is the longest text body Cloud API accepts, in characters.
const MaxTextLen = 4096

// maxCaptionLen is the longest media caption, in characters.
const maxCaptionLen = 1024

func (c *Client) envelope(to, replyTo, typ string) (sendRequest, *channel.SendError) {
	to = strings.TrimSpace(to)
	if to == "" {
		return sendRequest{}, permanent("the message has no recipient")
	}
	r := sendRequest{MessagingProduct: "whatsapp", RecipientType: "individual", Type: typ}
	if IsBSUID(to) {
		// customers who hide their number behind a username are reachable
		// only by their business-scoped user id, sent as "recipient"
		r.Recipient = to
	} else {
		r.To = to
	}
	if replyTo = strings.TrimSpace(replyTo); replyTo != "" {
		r.Context = &sendContext{MessageID: replyTo}
	}
	return r, nil
}

// Send delivers one outbound message and returns the provider id (wamid)
// that statuses will name. It picks the call from the message: a template
// when Template is set, otherwise the media (uploaded first, one WhatsApp
// message per file, Text becoming the first caption when the file takes
// one, or sent first as its own message when it does not), otherwise a
// bot's menu when Choices are set (SendMenu), otherwise the text. ReplyTo
// quotes the customer's message on the first message sent.
// With several files the id returned is the first message's; a failure
// after the first file leaves the earlier ones sent, so the delivery job
// should hold one file per Outbound to stay idempotent.
//
// Every error is a *channel.SendError saying whether to retry.
func (c *Client) Send(ctx context.Context, out channel.Outbound) (externalID string, err error) {
	switch {
	case out.Template != nil:
		if strings.TrimSpace(out.Text) != "" || len(out.Media) > 0 {
			return "", permanent("a template message carries no free text or files")
		}
		return c.SendTemplate(ctx, out.To, *out.Template, out.ReplyTo)
	case len(out.Media) > 0:
		text, replyTo, first := out.Text, out.ReplyTo, ""
		note := func(id string) {
			if first == "" {
				first = id
			}
			replyTo = ""
		}
		if strings.TrimSpace(text) != "" && (out.Media[0].Caption != "" || !captioned(mediaType(out.Media[0])) ||
			len([]rune(text)) > maxCaptionLen) {
			id, err := c.SendText(ctx, out.To, text, replyTo)
			if err != nil {
				return "", err
			}
			note(id)
			text = ""
		}
		for i, m := range out.Media {
			if i == 0 && m.Caption == "" && strings.TrimSpace(text) != "" {
				m.Caption = text
			}
			id, err := c.SendMedia(ctx, out.To, m, replyTo)
			if err != nil {
				var serr *channel.SendError
				if first != "" && errors.As(err, &serr) {
					serr.Msg += fmt.Sprintf(" (after %s was sent)", first)
				}
				return "", err
			}
			note(id)
		}
		return first, nil
	case strings.TrimSpace(out.Text) != "" && len(out.Choices) > 0:
		return c.SendMenu(ctx, out.To, out.Text, out.Choices, out.ReplyTo)
	case strings.TrimSpace(out.Text) != "":
		return c.SendText(ctx, out.To, out.Text, out.ReplyTo)
	default:
		return "", permanent("the message is empty")
	}
}

// SendText sends free text; replyTo, when set, quotes that message. Cloud
// API accepts it only inside the customer-service window (see WindowOpen).
func (c *Client) SendText(ctx context.Context, to, text, replyTo string) (string, error) {
	if strings.TrimSpace(text) == "" {
		return "", permanent("the text is empty")
	}
	if n := len([]rune(text)); n > MaxTextLen {
		return "", permanent("the text has %d characters; WhatsApp takes at most %d", n, MaxTextLen)
	}
	r, serr := c.envelope(to, replyTo, "text")
	if serr != nil {
		return "", serr
	}
	r.Text = &sendText{Body: text, PreviewURL: strings.Contains(text, "https://") || strings.Contains(text, "http://")}
	return c.postMessage(ctx, r)
}

// Interactive message limits (Cloud API "Interactive reply buttons" and
// "Interactive list messages").
const (
	maxButtons      = 3
	maxButtonTitle  = 20
	maxListRows     = 10
	maxRowTitle     = 24
	maxMenuBodyText = 1024
)

// ListButton is the text of the button that opens a menu sent as a list
// (at most 20 characters). Atende's customers are served in Portuguese.
const ListButton = "Ver opções"

// SendMenu sends a bot's menu, text listing choices (see
// channel.MenuPrompt), as well as WhatsApp shows it: up to 3 choices of
// at most 20 characters as reply buttons, up to 10 of at most 24 as a list
// opened by ListButton, in both cases under the text's prompt; any other
// menu goes out as the text alone, which already numbers the choices. A
// tap comes back as a message whose text is the choice (Parse). The menu
// is free-form: it needs the customer-service window like any text.
func (c *Client) SendMenu(ctx context.Context, to, text string, choices []string, replyTo string) (string, error) {
	it := menu(text, choices)
	if it == nil {
		return c.SendText(ctx, to, text, replyTo)
	}
	r, serr := c.envelope(to, replyTo, "interactive")
	if serr != nil {
		return "", serr
	}
	r.Interactive = it
	return c.postMessage(ctx, r)
}

// menu is the interactive message showing choices under text's prompt,
// nil when they do not fit one. Each button or row id is the choice's
// number, as the text lists it.
func menu(text string, choices []string) *sendIAct {
	body := strings.TrimSpace(channel.MenuPrompt(text, choices))
	if body == "" || len([]rune(body)) > maxMenuBodyText {
		return nil
	}
	it := &sendIAct{Body: sendIBody{Text: body}}
	if labels, ok := channel.MenuLabels(choices, maxButtonTitle); ok && len(labels) <= maxButtons {
		it.Type = "button"
		for i, l := range labels {
			it.Action.Buttons = append(it.Action.Buttons, sendButton{Type: "reply", Reply: sendItem{ID: strconv.Itoa(i + 1), Title: l}})
		}
		return it
	}
	if labels, ok := channel.MenuLabels(choices, maxRowTitle); ok && len(labels) <= maxListRows {
		it.Type = "list"
		it.Action.Button = ListButton
		var rows []sendItem
		for i, l := range labels {
			rows = append(rows, sendItem{ID: strconv.Itoa(i + 1), Title: l})
		}
		it.Action.Sections = []sendSection{{Rows: rows}}
		return it
	}
	return nil
}

// SendTemplate sends an approved template with its body parameters, in
// order ({{1}}, {{2}}…). Templates are the only messages allowed outside the
// customer-service window.
func (c *Client) SendTemplate(ctx context.Context, to string, t channel.Template, replyTo string) (string, error) {
	return c.sendTemplate(ctx, to, t, nil, replyTo)
}

// SendTemplateNamed sends a template whose parameter_format is NAMED: names
// give, in order, the parameter name of each of t.Parameters (see
// TemplateInfo.ParamNames).
func (c *Client) SendTemplateNamed(ctx context.Context, to string, t channel.Template, names []string, replyTo string) (string, error) {
	if len(names) != len(t.Parameters) {
		return "", permanent("template %s: %d parameter names for %d values", t.Name, len(names), len(t.Parameters))
	}
	return c.sendTemplate(ctx, to, t, names, replyTo)
}

func (c *Client) sendTemplate(ctx context.Context, to string, t channel.Template, names []string, replyTo string) (string, error) {
	name, lang := strings.TrimSpace(t.Name), strings.TrimSpace(t.Language)
	if name == "" || lang == "" {
		return "", permanent("a template needs a name and a language code")
	}
	r, serr := c.envelope(to, replyTo, "template")
	if serr != nil {
		return "", serr
	}
	r.Template = &sendTmpl{Name: name, Language: sendLanguage{Code: lang}}
	if len(t.Parameters) > 0 {
		body := sendComponent{Type: "body"}
		for i, p := range t.Parameters {
			if strings.TrimSpace(p) == "" {
				// Cloud API refuses empty parameters (error 132000/100)
				return "", permanent("template %s: parameter %d is empty", name, i+1)
			}
			sp := sendParam{Type: "text", Text: p}
			if names != nil {
				sp.ParameterName = names[i]
			}
			body.Parameters = append(body.Parameters, sp)
		}
		r.Template.Components = []sendComponent{body}
	}
	return c.postMessage(ctx, r)
}

// mediaType is the WhatsApp message type a file goes out as: image, video
// and audio for the formats and sizes WhatsApp plays inline, a document
// for everything else (a large photo still arrives, as a file).
func mediaType(m channel.OutboundMedia) string {
	base, _, _ := mime.ParseMediaType(m.MIME)
	n := len(m.Data)
	switch base {
	case "image/jpeg", "image/png":
		if n <= 5<<20 {
			return "image"
		}
	case "video/mp4", "video/3gpp":
		if n <= 16<<20 {
			return "video"
		}
	case "audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg":
		if n <= 16<<20 {
			return "audio"
		}
	}
	return "document"
}

// captioned reports whether a message type carries a caption.
func captioned(typ string) bool { return typ == "image" || typ == "video" || typ == "document" }

// SendMedia uploads a file (POST /{phone-number-id}/media) and sends it by
// the media id it gets back; replyTo, when set, quotes that message.
func (c *Client) SendMedia(ctx context.Context, to string, m channel.OutboundMedia, replyTo string) (string, error) {
	if len(m.Data) == 0 {
		return "", permanent("the file %q is empty", m.Filename)
	}
	if len(m.Data) > 100<<20 {
		return "", permanent("the file %q is larger than the 100 MB WhatsApp carries", m.Filename)
	}
	typ := mediaType(m)
	if m.Caption != "" && !captioned(typ) {
		return "", permanent("WhatsApp %s messages carry no caption", typ)
	}
	if n := len([]rune(m.Caption)); n > maxCaptionLen {
		return "", permanent("the caption has %d characters; WhatsApp takes at most %d", n, maxCaptionLen)
	}
	r, serr := c.envelope(to, replyTo, typ)
	if serr != nil {
		return "", serr
	}
	mediaID, err := c.UploadMedia(ctx, m)
	if err != nil {
		return "", err
	}
	sm := &sendMedia{ID: mediaID, Caption: m.Caption}
	switch typ {
	case "image":
		r.Image = sm
	case "video":
		r.Video = sm
	case "audio":
		r.Audio = sm
	default:
		sm.Filename = fileName(m.Filename)
		r.Document = sm
	}
	return c.postMessage(ctx, r)
}

// UploadMedia stores a file with Meta for this phone number and returns its
// media id, which sends refer to (valid for 30 days).
func (c *Client) UploadMedia(ctx context.Context, m channel.OutboundMedia) (string, error) {
	if !nodeID.MatchString(c.PhoneNumberID) {
		return "", permanent("the channel has no valid phone number id")
	}
	ct, _, err := mime.ParseMediaType(m.MIME)
	if err != nil || ct == "" {
		ct = "application/octet-stream"
	}
	name := fileName(m.Filename)
	if name == "" {
		name = "file"
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("messaging_product", "whatsapp")
	_ = w.WriteField("type", ct)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": name}))
	h.Set("Content-Type", ct)
	part, _ := w.CreatePart(h)
	_, _ = part.Write(m.Data)
	if err := w.Close(); err != nil {
		return "", permanent("building the upload: %v", err)
	}
	var res struct {
		ID string `json:"id"`
	}
	if err := c.do(ctx, http.MethodPost, c.base()+"/"+c.PhoneNumberID+"/media", w.FormDataContentType(), &buf, &res); err != nil {
		return "", err
	}
	if res.ID == "" {
		return "", permanent("the media upload answered no id")
	}
	return res.ID, nil
}

func (c *Client) postMessage(ctx context.Context, r sendRequest) (string, error) {
	if !nodeID.MatchString(c.PhoneNumberID) {
		return "", permanent("the channel has no valid phone number id")
	}
	body, err := json.Marshal(r)
	if err != nil {
		return "", permanent("encoding the message: %v", err)
	}
	var res sendResponse
	if err := c.do(ctx, http.MethodPost, c.base()+"/"+c.PhoneNumberID+"/messages", "application/json", bytes.NewReader(body), &res); err != nil {
		return "", err
	}
	if len(res.Messages) == 0 || res.Messages[0].ID == "" {
		return "", permanent("the send answered no message id")
	}
	return res.Messages[0].ID, nil
}

// do makes one Graph API call with the bearer token and decodes a 2xx JSON
// answer into out; any failure comes back as a classified *channel.SendError.
func (c *Client) do(ctx context.Context, method, u, contentType string, body io.Reader, out any) error {
	if c.AccessToken == "" {
		return permanent("the channel has no access token")
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return permanent("building the request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.AccessToken)
	req.Header.Set("User-Agent", "Atende")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return transportError(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return transportError(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Classify(resp.StatusCode, raw, resp.Header.Get("Retry-After"), time.Now())
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			// a 2xx we cannot read: the call may have taken effect, so a
			// retry could duplicate it; report it and let a person look
			return permanent("unreadable answer from the Graph API (HTTP %d): %v", resp.StatusCode, err)
		}
	}
	return nil
}

// transportError classifies a failure to get an answer at all: the network,
// a timeout or a cancelled context. All are worth another attempt.
func transportError(err error) *channel.SendError {
	msg := err.Error()
	var uerr *url.Error
	if errors.As(err, &uerr) {
		// the URL can hold nothing secret, but keep the message short
		msg = uerr.Err.Error()
	}
	return &channel.SendError{Retry: true, Msg: "whatsapp: Graph API unreachable: " + msg}
}

// Errors DownloadMedia returns besides *channel.SendError; neither is worth
// a retry.
var (
	ErrMediaTooLarge = errors.New("whatsapp: media larger than the limit")
	ErrChecksum      = errors.New("whatsapp: media does not match its sha256")
)

type mediaInfo struct {
	URL      string  `json:"url"`
	MimeType string  `json:"mime_type"`
	SHA256   string  `json:"sha256"`
	FileSize flexInt `json:"file_size"`
	ID       string  `json:"id"`
}

// DownloadMedia fetches a customer's file by the media id a webhook named:
// GET /{media-id} gives a short-lived URL with the MIME type, size and
// SHA-256, then GET on that URL, with the same bearer token, gives the
// bytes. The size is checked against MaxMediaBytes before and while
// reading, and the content against the SHA-256 when Meta states one
// (ErrChecksum). The token is never sent over plain HTTP when the API is
// reached over HTTPS.
func (c *Client) DownloadMedia(ctx context.Context, mediaID string) (data []byte, mimeType string, err error) {
	if !nodeID.MatchString(mediaID) {
		return nil, "", permanent("%q is not a media id", mediaID)
	}
	limit := c.MaxMediaBytes
	if limit <= 0 {
		limit = DefaultMaxMediaBytes
	}
	var info mediaInfo
	if err := c.do(ctx, http.MethodGet, c.base()+"/"+mediaID, "", nil, &info); err != nil {
		return nil, "", err
	}
	if info.FileSize > 0 && int64(info.FileSize) > limit {
		return nil, "", fmt.Errorf("%w: media %s has %d bytes, the limit is %d", ErrMediaTooLarge, mediaID, info.FileSize, limit)
	}
	u, perr := url.Parse(info.URL)
	if perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, "", permanent("media %s: the media API answered no usable URL", mediaID)
	}
	if u.Scheme == "http" && strings.HasPrefix(c.base(), "https://") {
		return nil, "", permanent("media %s: refusing to send the access token to a plain-HTTP URL", mediaID)
	}
	req, rerr := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if rerr != nil {
		return nil, "", permanent("media %s: %v", mediaID, rerr)
	}
	req.Header.Set("Authorization", "Bearer "+c.AccessToken)
	req.Header.Set("User-Agent", "Atende")
	resp, derr := c.httpClient().Do(req)
	if derr != nil {
		return nil, "", transportError(derr)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
		return nil, "", Classify(resp.StatusCode, raw, resp.Header.Get("Retry-After"), time.Now())
	}
	if resp.ContentLength > limit {
		return nil, "", fmt.Errorf("%w: media %s has %d bytes, the limit is %d", ErrMediaTooLarge, mediaID, resp.ContentLength, limit)
	}
	data, derr = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if derr != nil {
		return nil, "", transportError(derr)
	}
	if int64(len(data)) > limit {
		return nil, "", fmt.Errorf("%w: media %s is larger than %d bytes", ErrMediaTooLarge, mediaID, limit)
	}
	if info.SHA256 != "" {
		if err := CheckSHA256(data, info.SHA256); err != nil {
			return nil, "", fmt.Errorf("media %s: %w", mediaID, err)
		}
	}
	mimeType = strings.TrimSpace(info.MimeType)
	if mimeType == "" {
		mimeType = resp.Header.Get("Content-Type")
	}
	return data, mimeType, nil
}

// CheckSHA256 compares data with a SHA-256 given in hex or base64 (the
// webhook's channel.Media.SHA256 or the media API's); an unreadable hash is
// a mismatch, since it proves nothing.
func CheckSHA256(data []byte, want string) error {
	w := hexSHA256(want)
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); w == "" || got != w {
		return fmt.Errorf("%w: got %s, want %s", ErrChecksum, got, strings.TrimSpace(want))
	}
	return nil
}

// TemplateInfo is one message template of the WhatsApp Business Account,
// as the composer lists them.
type TemplateInfo struct {
	ID       string
	Name     string
	Language string
	// Status is APPROVED, PENDING, REJECTED, PAUSED or DISABLED; only
	// APPROVED templates can be sent.
	Status string
	// Category is MARKETING, UTILITY or AUTHENTICATION.
	Category string
	// ParameterFormat is POSITIONAL ({{1}}) or NAMED ({{first_name}}).
	ParameterFormat string
	// Body is the BODY component's text, with its placeholders.
	Body string
	// BodyParams is how many parameter values a send must carry.
	BodyParams int
	// ParamNames are the named parameters of the body in order of first
	// appearance (NAMED format only), for SendTemplateNamed.
	ParamNames []string
	// HeaderFormat is the header's format (TEXT, IMAGE, VIDEO, DOCUMENT,
	// LOCATION), "" when the template has no header.
	HeaderFormat string
	// HeaderParams counts the placeholders of a TEXT header.
	HeaderParams int
}

// BodyOnly reports whether the template can be sent with body parameters
// alone (channel.Template): no media header, no header parameters.
func (t TemplateInfo) BodyOnly() bool {
	return (t.HeaderFormat == "" || t.HeaderFormat == "TEXT") && t.HeaderParams == 0
}

type templatesPage struct {
	Data []struct {
		ID              string `json:"id"`
		Name            string `json:"name"`
		Language        string `json:"language"`
		Status          string `json:"status"`
		Category        string `json:"category"`
		ParameterFormat string `json:"parameter_format"`
		Components      []struct {
			Type   string `json:"type"`
			Format string `json:"format"`
			Text   string `json:"text"`
		} `json:"components"`
	} `json:"data"`
	Paging struct {
		Cursors struct {
			After string `json:"after"`
		} `json:"cursors"`
		Next string `json:"next"`
	} `json:"paging"`
}

// maxTemplatePages stops a paging loop that never ends.
const maxTemplatePages = 100

var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// Templates lists every message template of a WhatsApp Business Account
// (GET /{waba-id}/message_templates), following the pages.
func (c *Client) Templates(ctx context.Context, wabaID string) ([]TemplateInfo, error) {
	if !nodeID.MatchString(wabaID) {
		return nil, permanent("%q is not a WhatsApp Business Account id", wabaID)
	}
	var out []TemplateInfo
	after := ""
	for page := 0; page < maxTemplatePages; page++ {
		q := url.Values{"fields": {"id,name,language,status,category,parameter_format,components"}, "limit": {"100"}}
		if after != "" {
			q.Set("after", after)
		}
		var p templatesPage
		if err := c.do(ctx, http.MethodGet, c.base()+"/"+wabaID+"/message_templates?"+q.Encode(), "", nil, &p); err != nil {
			return nil, err
		}
		for _, d := range p.Data {
			t := TemplateInfo{ID: d.ID, Name: d.Name, Language: d.Language, Status: d.Status, Category: d.Category,
				ParameterFormat: d.ParameterFormat}
			if t.ParameterFormat == "" {
				t.ParameterFormat = "POSITIONAL"
			}
			for _, comp := range d.Components {
				switch strings.ToUpper(comp.Type) {
				case "BODY":
					t.Body = comp.Text
					t.BodyParams, t.ParamNames = countParams(comp.Text)
				case "HEADER":
					t.HeaderFormat = strings.ToUpper(comp.Format)
					t.HeaderParams, _ = countParams(comp.Text)
				}
			}
			out = append(out, t)
		}
		if p.Paging.Next == "" || p.Paging.Cursors.After == "" || p.Paging.Cursors.After == after {
			return out, nil
		}
		after = p.Paging.Cursors.After
	}
	return out, nil
}

// countParams counts the distinct placeholders of a template text: the
// highest {{n}} for positional ones, the distinct names for named ones.
func countParams(text string) (int, []string) {
	maxN := 0
	var names []string
	seen := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		if n, err := strconv.Atoi(m[1]); err == nil {
			maxN = max(maxN, n)
			continue
		}
		if !seen[m[1]] {
			seen[m[1]] = true
			names = append(names, m[1])
		}
	}
	if len(names) > 0 {
		return len(names), names
	}
	return maxN, nil
}

// PhoneNumber is the business phone number a Client sends from, as the
// Graph API describes it.
type PhoneNumber struct {
	ID                 string `json:"id"`
	DisplayPhoneNumber string `json:"display_phone_number"`
	VerifiedName       string `json:"verified_name"`
}

// PhoneNumber reads the client's phone number (GET /{phone-number-id}
// with fields display_phone_number and verified_name): the cheapest call
// that proves the access token may use the number, for connecting a
// channel and its "test connection" action.
func (c *Client) PhoneNumber(ctx context.Context) (PhoneNumber, error) {
	var p PhoneNumber
	if !nodeID.MatchString(c.PhoneNumberID) {
		return p, permanent("%q is not a phone number id", c.PhoneNumberID)
	}
	q := url.Values{"fields": {"id,display_phone_number,verified_name"}}
	err := c.do(ctx, http.MethodGet, c.base()+"/"+c.PhoneNumberID+"?"+q.Encode(), "", nil, &p)
	return p, err
}
