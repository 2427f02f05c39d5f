package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/atende/atende/internal/channel"
)

// DefaultBaseURL is the public Bot API server. A self-hosted Bot API
// server, or a test server, is set in Client.BaseURL instead.
const DefaultBaseURL = "https://api.telegram.org"

// Bot API limits (https://core.telegram.org/bots/api).
const (
	// MaxDownload is the largest file getFile lets a bot download.
	MaxDownload = 20 << 20
	// maxUpload is the largest file a bot may upload with multipart.
	maxUpload = 50 << 20
	// maxPhoto is the largest photo sendPhoto takes; bigger images go as
	// documents, which also keeps them uncompressed.
	maxPhoto = 10 << 20
	// maxText and maxCaption count UTF-16 code units, as Telegram does.
	maxText    = 4096
	maxCaption = 1024
	// maxResponse bounds a Bot API answer; the methods used here answer
	// with one small object.
	maxResponse = 1 << 20
)

// allowedUpdates are the update kinds SetWebhook subscribes to: what Parse
// turns into messages. Telegram then does not call the webhook for
// button presses, polls or membership changes at all.
func allowedUpdates() []string { return []string{KindMessage, KindEditedMessage} }

// Client calls the Bot API for one bot. The zero value of every field but
// Token works.
//
// The bot token is the bot's only credential and travels in every URL
// (https://api.telegram.org/bot<token>/<method>): errors from net/http
// quote the URL, so every error this client returns has the token replaced
// by "<redacted>", and the client prints itself without it.
type Client struct {
	// BaseURL is the Bot API server, DefaultBaseURL when empty.
	BaseURL string
	// Token is the bot token BotFather gave.
	Token string
	// HTTP makes the requests; a client with a 60-second timeout when nil.
	HTTP *http.Client
	// MaxFileSize bounds DownloadFile, MaxDownload when zero.
	MaxFileSize int64
}

// redacted replaces the bot token in anything the client lets out.
const redacted = "<redacted>"

// String keeps the token out of %v and %s.
func (c *Client) String() string {
	return "telegram.Client{BaseURL: " + c.baseURL() + ", Token: " + redacted + "}"
}

// GoString keeps the token out of %#v.
func (c *Client) GoString() string { return c.String() }

// LogValue keeps the token out of slog.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", c.baseURL()), slog.String("token", redacted))
}

func (c *Client) baseURL() string {
	if c.BaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(c.BaseURL, "/")
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 60 * time.Second}
}

// redact removes the token from s, in the forms a URL may carry it.
func (c *Client) redact(s string) string {
	if c.Token == "" {
		return s
	}
	for _, t := range []string{c.Token, url.PathEscape(c.Token), url.QueryEscape(c.Token)} {
		s = strings.ReplaceAll(s, t, redacted)
	}
	return s
}

// validToken checks the token's alphabet (digits, a colon, then URL-safe
// base64) before it is put in a URL path, where a slash or a question mark
// would call something else.
func validToken(t string) bool {
	if t == "" || len(t) > 256 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == ':' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// permanent is a failure retrying cannot fix.
func permanent(format string, args ...any) *channel.SendError {
	return &channel.SendError{Msg: "telegram: " + fmt.Sprintf(format, args...)}
}

// apiResponse is the envelope of every Bot API answer.
type apiResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// call POSTs body to a Bot API method and decodes result into out. Every
// failure is a *channel.SendError, so the delivery jobs can tell a flood
// limit (Retry with After), an outage (Retry) and a refusal (not Retry)
// apart, whatever the method.
func (c *Client) call(ctx context.Context, method, contentType string, body []byte, out any) error {
	if !validToken(c.Token) {
		return permanent("%s: the bot token is missing or malformed", method)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL()+"/bot"+c.Token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return permanent("%s: %s", method, c.redact(err.Error()))
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := c.http().Do(req)
	if err != nil {
		// connection refused, DNS, reset, timeout: worth another try
		return &channel.SendError{Retry: true, Msg: "telegram: " + method + ": " + c.redact(err.Error())}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return &channel.SendError{Retry: true, Msg: "telegram: " + method + ": reading the answer: " + c.redact(err.Error())}
	}
	var r apiResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		// not the Bot API speaking (a proxy's error page, a cut answer)
		e := classify(resp.StatusCode, 0, resp.Header.Get("Retry-After"))
		e.Msg = fmt.Sprintf("telegram: %s: HTTP %d with an unreadable answer", method, resp.StatusCode)
		return e
	}
	if !r.OK || resp.StatusCode < 200 || resp.StatusCode > 299 {
		code := r.ErrorCode
		if code == 0 {
			code = resp.StatusCode
		}
		retryAfter := 0
		var migrated int64
		if r.Parameters != nil {
			retryAfter, migrated = r.Parameters.RetryAfter, r.Parameters.MigrateToChatID
		}
		e := classify(code, retryAfter, resp.Header.Get("Retry-After"))
		e.Code = code
		desc := c.redact(strings.TrimSpace(r.Description))
		if desc == "" {
			desc = http.StatusText(code)
		}
		e.Msg = fmt.Sprintf("telegram: %s: %s (error %d)", method, desc, code)
		if migrated != 0 {
			e.Msg += fmt.Sprintf("; the group is now chat %d", migrated)
		}
		return e
	}
	if out != nil {
		if err := json.Unmarshal(r.Result, out); err != nil {
			return permanent("%s: unexpected result: %v", method, err)
		}
	}
	return nil
}

// classify sorts a failed call: flood control (429) waits as long as
// Telegram asks, server errors are retried, anything else (400 bad
// request or chat not found, 401 bad token, 403 bot blocked by the user)
// fails for good. retryAfter is parameters.retry_after in seconds; header
// is an HTTP Retry-After, used when the body has none.
func classify(code, retryAfter int, header string) *channel.SendError {
	e := &channel.SendError{}
	switch {
	case code == http.StatusTooManyRequests:
		e.Retry = true
		if retryAfter <= 0 {
			retryAfter, _ = strconv.Atoi(strings.TrimSpace(header))
		}
		if retryAfter > 0 {
			e.After = time.Duration(retryAfter) * time.Second
		}
	case code >= 500, code == http.StatusRequestTimeout:
		e.Retry = true
	}
	return e
}

func (c *Client) callJSON(ctx context.Context, method string, params, out any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return permanent("%s: %v", method, err)
	}
	return c.call(ctx, method, "application/json", body, out)
}

// User is a Telegram user or bot, as getMe answers.
type User struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

// GetMe returns the bot the token belongs to: the "test connection" of the
// channel screen, and the bot's @username to show the admin.
func (c *Client) GetMe(ctx context.Context) (User, error) {
	var u User
	err := c.callJSON(ctx, "getMe", struct{}{}, &u)
	return u, err
}

// SetWebhook points the bot's updates at webhookURL, HTTPS on port 443, 80,
// 88 or 8443, and has Telegram send secretToken in HeaderSecretToken on
// every request (see VerifySecret). It subscribes to messages and edited
// messages only.
func (c *Client) SetWebhook(ctx context.Context, webhookURL, secretToken string) error {
	if webhookURL == "" {
		return permanent("setWebhook: the webhook URL is empty")
	}
	if !ValidSecretToken(secretToken) {
		return permanent("setWebhook: the secret token must be 1-256 characters from A-Z, a-z, 0-9, _ and -")
	}
	var ok bool
	return c.callJSON(ctx, "setWebhook", struct {
		URL            string   `json:"url"`
		SecretToken    string   `json:"secret_token"`
		AllowedUpdates []string `json:"allowed_updates"`
	}{webhookURL, secretToken, allowedUpdates()}, &ok)
}

// DeleteWebhook stops the updates, for a channel being removed.
func (c *Client) DeleteWebhook(ctx context.Context) error {
	var ok bool
	return c.callJSON(ctx, "deleteWebhook", struct{}{}, &ok)
}

// tgFile is the File object getFile answers.
type tgFile struct {
	FileID   string `json:"file_id"`
	FileSize int64  `json:"file_size"`
	FilePath string `json:"file_path"`
}

// DownloadFile fetches the file a Media.Ref (a file_id) names: getFile
// gives a path, valid for an hour, under <BaseURL>/file/bot<token>/. It
// returns the bytes and that path, whose base name is the file name
// Telegram gives the file (photos/file_3.jpg, voice/file_7.oga). Files over
// MaxFileSize are refused before and during the download.
func (c *Client) DownloadFile(ctx context.Context, fileID string) ([]byte, string, error) {
	if fileID == "" {
		return nil, "", permanent("getFile: empty file_id")
	}
	limit := c.MaxFileSize
	if limit <= 0 {
		limit = MaxDownload
	}
	var f tgFile
	if err := c.callJSON(ctx, "getFile", struct {
		FileID string `json:"file_id"`
	}{fileID}, &f); err != nil {
		return nil, "", err
	}
	if f.FileSize > limit {
		return nil, "", permanent("getFile: the file has %d bytes, more than the %d allowed", f.FileSize, limit)
	}
	escaped, ok := escapeFilePath(f.FilePath)
	if !ok {
		// Telegram gives no path for files over its 20 MB bot limit
		return nil, "", permanent("getFile: no usable file_path for this file")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.baseURL()+"/file/bot"+c.Token+"/"+escaped, nil)
	if err != nil {
		return nil, "", permanent("download: %s", c.redact(err.Error()))
	}
	resp, err := c.http().Do(req)
	if err != nil {
		return nil, "", &channel.SendError{Retry: true, Msg: "telegram: download: " + c.redact(err.Error())}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
		e := classify(resp.StatusCode, 0, resp.Header.Get("Retry-After"))
		e.Code = resp.StatusCode
		e.Msg = fmt.Sprintf("telegram: download: HTTP %d", resp.StatusCode)
		return nil, "", e
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, "", &channel.SendError{Retry: true, Msg: "telegram: download: " + c.redact(err.Error())}
	}
	if int64(len(data)) > limit {
		return nil, "", permanent("download: the file is larger than the %d bytes allowed", limit)
	}
	return data, f.FilePath, nil
}

// escapeFilePath escapes each element of a getFile path, refusing paths
// that would leave the bot's file directory.
func escapeFilePath(p string) (string, bool) {
	if p == "" || strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00") {
		return "", false
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if s == "" || s == "." || s == ".." {
			return "", false
		}
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/"), true
}

// sentMessage is the part of the Message a send method answers with.
type sentMessage struct {
	MessageID int64 `json:"message_id"`
	Chat      struct {
		ID int64 `json:"id"`
	} `json:"chat"`
}

// replyParameters is the Bot API's ReplyParameters. Sending without the
// reply when the quoted message is gone beats failing the agent's answer.
type replyParameters struct {
	MessageID                int64 `json:"message_id"`
	ChatID                   int64 `json:"chat_id,omitempty"`
	AllowSendingWithoutReply bool  `json:"allow_sending_without_reply"`
}

// step is one Bot API call of a Send.
type step struct {
	text    string                 // sendMessage when media is nil
	media   *channel.OutboundMedia // sendPhoto, sendVoice or sendDocument
	caption string
	// keyboard offers a menu's choices (on the last call of the reply).
	keyboard *replyKeyboard
}

// replyKeyboard is the Bot API's ReplyKeyboardMarkup: buttons in place of
// the customer's keyboard, each sending its text as an ordinary message
// when tapped. One choice a row, so long labels stay readable; the
// keyboard hides once used (one_time_keyboard), so later messages need
// not remove it.
type replyKeyboard struct {
	Keyboard        [][]keyboardButton `json:"keyboard"`
	OneTimeKeyboard bool               `json:"one_time_keyboard"`
	ResizeKeyboard  bool               `json:"resize_keyboard"`
}

type keyboardButton struct {
	Text string `json:"text"`
}

// maxKeyboardButtons bounds a menu shown as a keyboard; Telegram sets no
// documented limit, but a longer menu is better read as the text's list.
const maxKeyboardButtons = 100

// maxButtonText bounds a button's label: the text a tap sends must fit a
// message.
const maxButtonText = maxText

// keyboard is the reply keyboard offering choices, nil when there are none
// or one cannot be a button (empty, repeated).
func keyboard(choices []string) *replyKeyboard {
	labels, ok := channel.MenuLabels(choices, maxButtonText)
	if !ok || len(labels) > maxKeyboardButtons {
		return nil
	}
	k := &replyKeyboard{OneTimeKeyboard: true, ResizeKeyboard: true}
	for _, l := range labels {
		k.Keyboard = append(k.Keyboard, []keyboardButton{{Text: l}})
	}
	return k
}

// Send delivers an agent's reply to the chat out.To and returns the
// ExternalID (MessageExternalID) of the first message it sent. Text goes
// with sendMessage, as plain text (no parse_mode, so an agent's * and _
// arrive as typed), split at Telegram's 4096-character limit; each file
// with sendPhoto (JPEG and PNG up to 10 MB), sendVoice (OGG/Opus, shown as
// a playable voice note) or sendDocument (everything else), uploaded as
// multipart/form-data. The text becomes the caption of the first file when
// it fits in 1024 characters. ReplyTo (an ExternalID, or a bare message id
// in the same chat) is sent as reply_parameters on the first message. A
// bot's menu (Choices) brings a reply keyboard on the last message, one
// button a choice, whose tap the customer sends as ordinary text.
//
// A reply that needs several calls is not atomic: when a later call
// fails, the error is returned and a retry sends the earlier parts again.
// Errors are *channel.SendError.
func (c *Client) Send(ctx context.Context, out channel.Outbound) (string, error) {
	if out.Template != nil {
		return "", permanent("Telegram has no message templates")
	}
	chatID, err := strconv.ParseInt(strings.TrimSpace(out.To), 10, 64)
	if err != nil || chatID == 0 {
		return "", permanent("the recipient %q is not a chat id", out.To)
	}
	steps, err := plan(out)
	if err != nil {
		return "", err
	}
	reply := replyTo(out.ReplyTo, chatID)
	first := ""
	for i, s := range steps {
		var rp *replyParameters
		if i == 0 {
			rp = reply
		}
		id, err := c.sendStep(ctx, chatID, s, rp)
		if err != nil {
			return "", err
		}
		if first == "" {
			first = id
		}
	}
	return first, nil
}

// plan turns a reply into Bot API calls, in the order the customer should
// see them.
func plan(out channel.Outbound) ([]step, error) {
	text := out.Text
	if strings.TrimSpace(text) == "" && len(out.Media) == 0 {
		return nil, permanent("nothing to send")
	}
	var steps []step
	addText := func(s string) {
		for _, chunk := range split(s, maxText) {
			steps = append(steps, step{text: chunk})
		}
	}
	if strings.TrimSpace(text) != "" && (len(out.Media) == 0 || out.Media[0].Caption != "" || utf16Len(text) > maxCaption) {
		addText(text)
		text = ""
	}
	for i := range out.Media {
		m := &out.Media[i]
		switch {
		case len(m.Data) == 0:
			return nil, permanent("the file %q is empty", m.Filename)
		case len(m.Data) > maxUpload:
			return nil, permanent("the file %q has %d bytes; bots upload at most %d", m.Filename, len(m.Data), maxUpload)
		}
		caption := m.Caption
		if i == 0 && strings.TrimSpace(text) != "" {
			caption = text
		}
		if utf16Len(caption) > maxCaption {
			// the file first, then its caption as text right under it
			steps = append(steps, step{media: m})
			addText(caption)
			continue
		}
		steps = append(steps, step{media: m, caption: caption})
	}
	if k := keyboard(out.Choices); k != nil && len(steps) > 0 {
		// on the last message, so the buttons sit under the whole menu
		steps[len(steps)-1].keyboard = k
	}
	return steps, nil
}

// replyTo reads Outbound.ReplyTo: an ExternalID "<chat>:<message>" or a
// bare message id. One that cannot be read is dropped rather than failing
// the answer.
func replyTo(ref string, chatID int64) *replyParameters {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil
	}
	rp := &replyParameters{AllowSendingWithoutReply: true}
	msg := ref
	if chatPart, m, ok := strings.Cut(ref, ":"); ok {
		c, err := strconv.ParseInt(chatPart, 10, 64)
		if err != nil {
			return nil
		}
		if c != chatID {
			rp.ChatID = c
			// Telegram refuses allow_sending_without_reply across chats
			rp.AllowSendingWithoutReply = false
		}
		msg = m
	}
	id, err := strconv.ParseInt(msg, 10, 64)
	if err != nil || id <= 0 {
		return nil
	}
	rp.MessageID = id
	return rp
}

// sendMethod chooses the Bot API method and its file field for a file.
func sendMethod(m *channel.OutboundMedia) (method, field string) {
	typ, params, err := mime.ParseMediaType(m.MIME)
	if err != nil {
		typ, _, _ = strings.Cut(strings.ToLower(m.MIME), ";")
		typ = strings.TrimSpace(typ)
	}
	switch typ {
	case "image/jpeg", "image/png":
		if len(m.Data) <= maxPhoto {
			return "sendPhoto", "photo"
		}
	case "audio/ogg", "audio/opus":
		// a voice note must be Opus; OGG with another codec is a document
		if codecs := strings.ToLower(params["codecs"]); codecs == "" || codecs == "opus" {
			return "sendVoice", "voice"
		}
	}
	return "sendDocument", "document"
}

func (c *Client) sendStep(ctx context.Context, chatID int64, s step, rp *replyParameters) (string, error) {
	var res sentMessage
	var err error
	method := "sendMessage"
	if s.media == nil {
		err = c.callJSON(ctx, method, struct {
			ChatID          int64            `json:"chat_id"`
			Text            string           `json:"text"`
			ReplyParameters *replyParameters `json:"reply_parameters,omitempty"`
			ReplyMarkup     *replyKeyboard   `json:"reply_markup,omitempty"`
		}{chatID, s.text, rp, s.keyboard}, &res)
	} else {
		var field, contentType string
		var body []byte
		method, field = sendMethod(s.media)
		body, contentType, err = multipartBody(chatID, field, s.media, s.caption, rp, s.keyboard)
		if err == nil {
			err = c.call(ctx, method, contentType, body, &res)
		}
	}
	if err != nil {
		return "", err
	}
	if res.MessageID <= 0 || res.Chat.ID == 0 {
		return "", permanent("%s: the answer has no message id", method)
	}
	return MessageExternalID(res.Chat.ID, res.MessageID), nil
}

// multipartBody builds the form for a file upload: chat_id, caption,
// reply_parameters and reply_markup (JSON-serialized, as the Bot API wants
// objects in form fields), then the file under field.
func multipartBody(chatID int64, field string, m *channel.OutboundMedia, caption string, rp *replyParameters, kb *replyKeyboard) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fields := [][2]string{{"chat_id", strconv.FormatInt(chatID, 10)}}
	if caption != "" {
		fields = append(fields, [2]string{"caption", caption})
	}
	if rp != nil {
		b, err := json.Marshal(rp)
		if err != nil {
			return nil, "", permanent("reply_parameters: %v", err)
		}
		fields = append(fields, [2]string{"reply_parameters", string(b)})
	}
	if kb != nil {
		b, err := json.Marshal(kb)
		if err != nil {
			return nil, "", permanent("reply_markup: %v", err)
		}
		fields = append(fields, [2]string{"reply_markup", string(b)})
	}
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			return nil, "", permanent("building the upload: %v", err)
		}
	}
	contentType := m.MIME
	if _, _, err := mime.ParseMediaType(contentType); err != nil {
		contentType = "application/octet-stream"
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, field, quoteEscaper.Replace(uploadName(m.Filename, field))))
	h.Set("Content-Type", contentType)
	part, err := w.CreatePart(h)
	if err == nil {
		_, err = part.Write(m.Data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return nil, "", permanent("building the upload: %v", err)
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// quoteEscaper escapes a file name inside a quoted header parameter, as
// mime/multipart does for CreateFormFile.
var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

// uploadName is the file name sent with an upload: the agent's, without
// path or control characters (which would break the part header), or a
// default the customer's app can open.
func uploadName(name, field string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, fileName(name))
	if name != "" {
		return name
	}
	switch field {
	case "photo":
		return "photo.jpg"
	case "voice":
		return "voice.ogg"
	}
	return "file"
}

// utf16Len counts s the way Telegram's length limits do.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// split cuts s into pieces of at most limit UTF-16 code units, at the last
// line break or space of a piece when there is one in its second half, so
// words stay whole.
func split(s string, limit int) []string {
	var out []string
	for utf16Len(s) > limit {
		n, cut := 0, 0
		for i, r := range s {
			if n+utf16.RuneLen(r) > limit {
				cut = i
				break
			}
			n += utf16.RuneLen(r)
		}
		if i := strings.LastIndexAny(s[:cut], "\n "); i > cut/2 {
			cut = i + 1
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}
