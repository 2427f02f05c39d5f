package sms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/atende/atende/internal/channel"
)

// DefaultBaseURL is the provider's REST API root, used when Client.BaseURL
// is empty.
const DefaultBaseURL = "https://api.twilio.com"

// DefaultMaxMediaBytes bounds DownloadMedia when Client.MaxMediaBytes is 0.
// The provider accepts at most 5 MB of media per MMS; the cap leaves room
// for other channels it carries.
const DefaultMaxMediaBytes = 16 << 20

// EmptyTwiML is the answer to an incoming-message webhook that sends no
// automatic reply (agents answer later through the REST API); serve it with
// ContentTypeTwiML and status 200.
const (
	EmptyTwiML       = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`
	ContentTypeTwiML = "text/xml; charset=utf-8"
)

// Error codes of the provider that Atende treats specially or shows often.
const (
	CodeAuthentication    = 20003 // bad AccountSid / AuthToken
	CodeTooManyRequests   = 20429
	CodeInvalidTo         = 21211 // the To number is not a valid phone number
	CodeRegionNotEnabled  = 21408
	CodeUnsubscribed      = 21610 // the customer replied STOP to this sender
	CodeUnreachableTo     = 21612
	CodeNotMobile         = 21614
	CodeBodyTooLong       = 21617
	CodeBodyOrMedia       = 21619
	CodeQueueOverflow     = 30001
	CodeUnreachable       = 30003
	CodeBlocked           = 30004
	CodeUnknownHandset    = 30005
	CodeLandline          = 30006
	CodeFiltered          = 30007
	CodeUnknownError      = 30008
	CodeMissingSegment    = 30009
	CodePriceExceedsLimit = 30010
)

var errorTexts = map[int]string{
	CodeAuthentication:    "Authentication error",
	CodeTooManyRequests:   "Too many requests",
	CodeInvalidTo:         "Invalid 'To' phone number",
	CodeRegionNotEnabled:  "Permission to send an SMS has not been enabled for the region",
	CodeUnsubscribed:      "Attempt to send to unsubscribed recipient",
	CodeUnreachableTo:     "The 'To' phone number is not currently reachable via SMS",
	CodeNotMobile:         "'To' number is not a valid mobile number",
	CodeBodyTooLong:       "The concatenated message body exceeds the 1600 character limit",
	CodeBodyOrMedia:       "A text message body or media URL must be specified",
	CodeQueueOverflow:     "Queue overflow",
	30002:                 "Account suspended",
	CodeUnreachable:       "Unreachable destination handset",
	CodeBlocked:           "Message blocked",
	CodeUnknownHandset:    "Unknown destination handset",
	CodeLandline:          "Landline or unreachable carrier",
	CodeFiltered:          "Message filtered",
	CodeUnknownError:      "Unknown error",
	CodeMissingSegment:    "Missing segment",
	CodePriceExceedsLimit: "Message price exceeds max price",
}

// ErrorText describes a well-known provider error code, "" for others.
func ErrorText(code int) string { return errorTexts[code] }

// ErrTooLarge reports media over the download limit.
var ErrTooLarge = errors.New("sms: media too large")

// Client calls the provider's REST API for one account and sender.
type Client struct {
	// BaseURL is the API root, DefaultBaseURL when empty; tests point it at
	// a local server.
	BaseURL    string
	AccountSID string
	AuthToken  string
	// From is the sending number (E.164) or alphanumeric sender id.
	From string
	// MessagingServiceSID, when set, is sent instead of From and lets the
	// provider pick the sender from the service's pool.
	MessagingServiceSID string
	// StatusCallback is the public URL the provider posts delivery reports
	// to (ParseStatus); none is requested when empty.
	StatusCallback string
	// MediaURL turns an attachment into a URL the provider can fetch over
	// the public internet (for example a signed, expiring link served by
	// Atende). The API only accepts media by URL, so without it a message
	// with attachments is refused with a permanent SendError.
	MediaURL func(ctx context.Context, m channel.OutboundMedia) (string, error)
	// MaxMediaBytes bounds DownloadMedia; DefaultMaxMediaBytes when 0.
	MaxMediaBytes int64
	// HTTP is the client used; a client with a 30-second timeout when nil.
	HTTP *http.Client
}

var defaultHTTP = &http.Client{Timeout: 30 * time.Second}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultHTTP
}

func (c *Client) baseURL() string {
	if c.BaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(c.BaseURL, "/")
}

// MessagesURL is the endpoint Send posts to.
func (c *Client) MessagesURL() string {
	return c.baseURL() + "/2010-04-01/Accounts/" + url.PathEscape(c.AccountSID) + "/Messages.json"
}

// APIError is the provider's documented error body.
type APIError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

// MessageResponse holds the fields Atende reads from the Message resource
// the API answers.
type MessageResponse struct {
	SID          string  `json:"sid"`
	Status       string  `json:"status"`
	ErrorCode    *int    `json:"error_code"`
	ErrorMessage *string `json:"error_message"`
}

func permanent(code int, format string, args ...any) *channel.SendError {
	return &channel.SendError{Code: code, Msg: "sms: " + fmt.Sprintf(format, args...)}
}

// Form builds the documented request body of a send: To, then From or
// MessagingServiceSid, Body when there is text, one MediaUrl per media URL,
// and StatusCallback when configured.
func (c *Client) Form(to, body string, mediaURLs []string) url.Values {
	f := url.Values{}
	f.Set("To", to)
	if c.MessagingServiceSID != "" {
		f.Set("MessagingServiceSid", c.MessagingServiceSID)
	} else {
		f.Set("From", c.From)
	}
	if body != "" {
		f.Set("Body", body)
	}
	for _, u := range mediaURLs {
		f.Add("MediaUrl", u)
	}
	if c.StatusCallback != "" {
		f.Set("StatusCallback", c.StatusCallback)
	}
	return f
}

// Send creates a Message resource for out and answers the provider's
// message SID, the key later status callbacks carry.
//
// Text goes as Body; when Text is empty the first media caption is used.
// Attachments are sent as MediaUrl, so binary media needs Client.MediaURL to
// publish it at a public URL first (the API does not accept uploads); at
// most MaxMedia attachments. SMS has no templates and no reply threading:
// a Template is refused, ReplyTo is ignored.
//
// Every failure is a *channel.SendError: network errors, 408, 429 and 5xx
// are retryable (After from Retry-After); other answers — 400 with codes
// such as 21211 invalid number or 21610 unsubscribed recipient, 401/403 bad
// credentials — are permanent, with the provider's code and message.
func (c *Client) Send(ctx context.Context, out channel.Outbound) (string, error) {
	if len(out.Media) > MaxMedia {
		return "", permanent(0, "at most %d attachments per message, got %d", MaxMedia, len(out.Media))
	}
	var urls []string
	for i, m := range out.Media {
		if out.Text == "" && m.Caption != "" {
			out.Text = m.Caption
		}
		if c.MediaURL == nil {
			return "", permanent(0, "SMS sends media by public URL and the channel has no media URL publisher")
		}
		u, err := c.MediaURL(ctx, m)
		if err != nil {
			var se *channel.SendError
			if errors.As(err, &se) {
				return "", se
			}
			return "", &channel.SendError{Retry: true, Msg: fmt.Sprintf("sms: publishing attachment %d: %v", i, err)}
		}
		urls = append(urls, u)
	}
	out.Media = nil
	return c.SendURLs(ctx, out, urls)
}

// SendURLs is Send for media already published: each of mediaURLs goes as
// one MediaUrl, and out.Media must be empty. Errors are as for Send.
func (c *Client) SendURLs(ctx context.Context, out channel.Outbound, mediaURLs []string) (string, error) {
	to := strings.TrimSpace(out.To)
	switch {
	case to == "":
		return "", permanent(0, "no recipient phone number")
	case c.AccountSID == "" || c.AuthToken == "":
		return "", permanent(0, "the channel has no AccountSid or AuthToken")
	case c.From == "" && c.MessagingServiceSID == "":
		return "", permanent(0, "the channel has neither a From number nor a MessagingServiceSid")
	case out.Template != nil:
		return "", permanent(0, "SMS has no message templates; send plain text")
	case len(out.Media) > 0:
		return "", permanent(0, "media must be published as URLs first")
	case len(mediaURLs) > MaxMedia:
		return "", permanent(0, "at most %d attachments per message, got %d", MaxMedia, len(mediaURLs))
	}
	body, urls := out.Text, mediaURLs
	if body == "" && len(urls) == 0 {
		return "", permanent(CodeBodyOrMedia, "a message needs text or an attachment")
	}
	form := c.Form(to, body, urls)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.MessagesURL(), strings.NewReader(form.Encode()))
	if err != nil {
		return "", permanent(0, "building the request: %v", err)
	}
	req.SetBasicAuth(c.AccountSID, c.AuthToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Atende")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return "", &channel.SendError{Retry: true, Msg: "sms: " + redact(err.Error(), c.AuthToken)}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", classify(resp, raw, time.Now())
	}
	var m MessageResponse
	if err := json.Unmarshal(raw, &m); err != nil || m.SID == "" {
		// accepted but unreadable: retrying could send the SMS twice
		return "", permanent(0, "the API answered %d without a message sid", resp.StatusCode)
	}
	return m.SID, nil
}

// classify turns a non-2xx answer into a *channel.SendError.
func classify(resp *http.Response, raw []byte, now time.Time) *channel.SendError {
	var ae APIError
	_ = json.Unmarshal(raw, &ae)
	e := &channel.SendError{Code: ae.Code}
	msg := strings.TrimSpace(ae.Message)
	if msg == "" {
		msg = ErrorText(ae.Code)
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	if ae.Code != 0 {
		e.Msg = fmt.Sprintf("sms: error %d: %s (HTTP %d)", ae.Code, msg, resp.StatusCode)
	} else {
		e.Msg = fmt.Sprintf("sms: %s (HTTP %d)", msg, resp.StatusCode)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		e.Retry = true
		e.After = retryAfter(resp.Header.Get("Retry-After"), now)
	}
	return e
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		if s > 86400 {
			s = 86400
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, 24*time.Hour)
		}
	}
	return 0
}

// redact removes the auth token from an error text (URLs in net/http
// errors never carry it, but an error from a custom transport might).
func redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}

// DownloadMedia fetches an inbound media URL (channel.Media.Ref) and
// answers its bytes and MIME type. The account credentials are sent as HTTP
// Basic auth only when the URL is on the API host (BaseURL's scheme and
// host), never to other hosts; the provider's redirect to its storage host
// is followed without them. Bodies over MaxMediaBytes fail with ErrTooLarge.
// HTTP failures are *channel.SendError values classified as for Send, so a
// caller can tell a retryable outage from a gone file.
func (c *Client) DownloadMedia(ctx context.Context, rawURL string) ([]byte, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, "", fmt.Errorf("%w: sms: media URL must be an absolute http(s) URL", channel.ErrInvalid)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", err
	}
	if base, err := url.Parse(c.baseURL()); err == nil && strings.EqualFold(base.Scheme, u.Scheme) && strings.EqualFold(base.Host, u.Host) && c.AccountSID != "" {
		req.SetBasicAuth(c.AccountSID, c.AuthToken)
	}
	req.Header.Set("User-Agent", "Atende")
	resp, err := c.mediaClient(u).Do(req)
	if err != nil {
		return nil, "", &channel.SendError{Retry: true, Msg: "sms: media download: " + redact(err.Error(), c.AuthToken)}
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return nil, "", classify(resp, raw, time.Now())
	}
	limit := c.MaxMediaBytes
	if limit <= 0 {
		limit = DefaultMaxMediaBytes
	}
	if resp.ContentLength > limit {
		return nil, "", fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, resp.ContentLength, limit)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, "", &channel.SendError{Retry: true, Msg: "sms: media download: " + err.Error()}
	}
	if int64(len(data)) > limit {
		return nil, "", fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	ct := resp.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		ct = mt
	} else {
		ct = http.DetectContentType(data)
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			ct = mt
		}
	}
	return data, ct, nil
}

// mediaClient is the HTTP client with a redirect policy that drops the
// credentials whenever a redirect leaves the scheme, host and port of the
// first URL. net/http only compares host names, so a redirect to another
// port of the same host would otherwise still carry them.
func (c *Client) mediaClient(first *url.URL) *http.Client {
	hc := *c.httpClient()
	next := hc.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !strings.EqualFold(req.URL.Scheme, first.Scheme) || !strings.EqualFold(req.URL.Host, first.Host) {
			req.Header.Del("Authorization")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &hc
}

// Account is the part of the Account resource Atende shows.
type Account struct {
	SID          string `json:"sid"`
	FriendlyName string `json:"friendly_name"`
	Status       string `json:"status"`
}

// Account reads the account resource,
// GET {BaseURL}/2010-04-01/Accounts/{AccountSid}.json with Basic auth: the
// documented cheap call that checks the credentials (a "test connection").
// Failures are *channel.SendError values classified as for Send (401 with
// code 20003 is permanent).
func (c *Client) Account(ctx context.Context) (Account, error) {
	var a Account
	if c.AccountSID == "" || c.AuthToken == "" {
		return a, permanent(0, "the channel has no AccountSid or AuthToken")
	}
	u := c.baseURL() + "/2010-04-01/Accounts/" + url.PathEscape(c.AccountSID) + ".json"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return a, permanent(0, "building the request: %v", err)
	}
	req.SetBasicAuth(c.AccountSID, c.AuthToken)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Atende")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return a, &channel.SendError{Retry: true, Msg: "sms: " + redact(err.Error(), c.AuthToken)}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return a, classify(resp, raw, time.Now())
	}
	if err := json.Unmarshal(raw, &a); err != nil || a.SID == "" {
		return a, &channel.SendError{Retry: true, Msg: fmt.Sprintf("sms: the API answered %d without an account", resp.StatusCode)}
	}
	return a, nil
}
