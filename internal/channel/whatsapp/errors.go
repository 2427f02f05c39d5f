package whatsapp

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/atende/atende/internal/channel"
)

// Cloud API error codes the rest of Atende acts on.
const (
	// CodeWindowClosed (131047, "Re-engagement message"): more than 24 hours
	// passed since the customer last wrote; only a template may be sent.
	CodeWindowClosed = 131047
	// CodeUndeliverable (131026): the number is not on WhatsApp, runs an old
	// client, has not accepted the terms, or blocked the business.
	CodeUndeliverable = 131026
	// CodeInvalidParameter (100): the request itself is wrong.
	CodeInvalidParameter = 100
	// CodePairRateLimit (131056): too many messages to the same customer in
	// a short time.
	CodePairRateLimit = 131056
	// CodeThroughput (130429): the number's messages-per-second limit.
	CodeThroughput = 130429
)

// codeClass says what a Cloud API error code means for a send.
type codeClass struct {
	retry bool
	// after is the least wait worth trying, when the provider names none.
	after time.Duration
	// what tells the agent (or the admin) what happened, in plain words.
	what string
}

// codes classifies the error codes of Meta's "Error codes" page. Rate
// limits and temporary faults are retried (the job queue backs off, never
// sooner than after); everything about the request, the recipient, the
// template or the account is permanent: retrying would fail the same way,
// so the message is marked failed with the reason shown.
var codes = map[int]codeClass{
	// retried
	1:              {retry: true, what: "temporary Graph API error"},
	2:              {retry: true, what: "the Graph API service is temporarily unavailable"},
	4:              {retry: true, after: time.Minute, what: "the app's API call rate limit was reached"},
	17:             {retry: true, after: time.Minute, what: "the API call rate limit was reached"},
	32:             {retry: true, after: time.Minute, what: "the API call rate limit was reached"},
	613:            {retry: true, after: time.Minute, what: "the API call rate limit was reached"},
	80007:          {retry: true, after: time.Minute, what: "the WhatsApp Business Account's rate limit was reached"},
	CodeThroughput: {retry: true, after: time.Second, what: "the phone number's message throughput limit was reached"},
	CodePairRateLimit: {retry: true, after: 6 * time.Second,
		what: "too many messages to this customer in a short time"},
	131048: {retry: true, after: 5 * time.Minute, what: "the phone number's spam rate limit was reached (check its quality rating)"},
	131000: {retry: true, what: "WhatsApp could not process the message (something went wrong)"},
	131016: {retry: true, what: "the WhatsApp service is temporarily unavailable"},
	131057: {retry: true, after: time.Minute, what: "the WhatsApp Business Account is in maintenance mode"},
	133004: {retry: true, what: "the WhatsApp server is temporarily unavailable"},

	// permanent
	CodeWindowClosed: {what: "the 24-hour customer-service window is closed: the customer last wrote more than 24 hours ago, so only an approved template can be sent"},
	CodeUndeliverable: {what: "the message could not be delivered: the number may not be on WhatsApp, may use an old WhatsApp version, " +
		"or may not accept messages from this business"},
	CodeInvalidParameter: {what: "the request has an invalid parameter"},
	10:                   {what: "permission denied: the access token lacks the WhatsApp permissions"},
	190:                  {what: "the access token is invalid or expired: reconnect the channel"},
	200:                  {what: "permission denied: the access token lacks the WhatsApp permissions"},
	368:                  {what: "the account is temporarily blocked for policy violations"},
	131008:               {what: "a required parameter is missing"},
	131009:               {what: "a parameter value is not valid"},
	131021:               {what: "the recipient is the sending number itself"},
	131031:               {what: "the WhatsApp Business Account is locked"},
	131042:               {what: "the account has a payment problem"},
	131045:               {what: "the phone number's certificate is wrong (re-register the number)"},
	131049:               {what: "WhatsApp chose not to deliver this marketing message to keep engagement healthy; try later or another template"},
	131050:               {what: "the customer stopped marketing messages from this business"},
	131051:               {what: "this message type is not supported"},
	131052:               {what: "the customer's media could not be downloaded"},
	131053:               {what: "the file could not be uploaded (type or size not accepted)"},
	131062:               {what: "this message cannot be sent to a business-scoped user id"},
	132000:               {what: "the number of template parameters does not match the template"},
	132001:               {what: "the template does not exist in that language, or is not approved"},
	132005:               {what: "the template text with its parameters is too long"},
	132007:               {what: "the template parameters break WhatsApp's formatting policy"},
	132012:               {what: "the template parameters are not in the expected format"},
	132015:               {what: "the template is paused for low quality"},
	132016:               {what: "the template is disabled"},
	133010:               {what: "the phone number is not registered with Cloud API"},
}

// graphError is the body of a failed Graph API call.
type graphError struct {
	Error *struct {
		Message      string  `json:"message"`
		Type         string  `json:"type"`
		Code         flexInt `json:"code"`
		ErrorSubcode flexInt `json:"error_subcode"`
		ErrorUserMsg string  `json:"error_user_msg"`
		ErrorData    struct {
			Details string `json:"details"`
		} `json:"error_data"`
	} `json:"error"`
}

// graphCode strips the "(#131047) " Meta puts before error titles.
var graphCode = regexp.MustCompile(`^\(#\d+\)\s*`)

// maxRetryAfter bounds a Retry-After we obey, so a broken header cannot
// park a message for a year.
const maxRetryAfter = 24 * time.Hour

// Classify turns a failed Graph API answer (HTTP status, body, Retry-After
// header) into a *channel.SendError for the job queue: Retry for rate
// limits (HTTP 429 and the rate-limit codes), 5xx and temporary faults,
// with After the wait the provider asked for (or the least wait the code
// calls for); not Retry for everything retrying cannot fix, 131047 (the
// 24-hour window is closed) above all. Code is Cloud API's error code, 0
// when the body has none. now is the clock Retry-After dates count from.
func Classify(httpStatus int, body []byte, retryAfter string, now time.Time) *channel.SendError {
	var ge graphError
	_ = json.Unmarshal(body, &ge) // an HTML or empty body leaves ge.Error nil
	se := &channel.SendError{}
	var api APIError
	if ge.Error != nil {
		e := ge.Error
		api = APIError{Code: int(e.Code), Title: strings.TrimSpace(graphCode.ReplaceAllString(clean(e.Message), "")),
			Message: clean(e.ErrorUserMsg), Details: clean(e.ErrorData.Details)}
		se.Code = api.Code
	}
	class, known := codes[se.Code]
	if !known {
		class.retry = httpStatus == http.StatusTooManyRequests || httpStatus == http.StatusRequestTimeout || httpStatus >= 500
		switch {
		case httpStatus == http.StatusTooManyRequests:
			class.what = "rate limited"
		case httpStatus >= 500:
			class.what = "the Graph API failed"
		default:
			class.what = "the Graph API refused the request"
		}
	}
	se.Retry = class.retry
	if se.Retry {
		se.After = class.after
		if d, ok := parseRetryAfter(retryAfter, now); ok && d > se.After {
			se.After = d
		}
	}
	msg := "whatsapp: " + class.what
	if ge.Error != nil {
		msg += " (" + api.String() + ")"
	}
	se.Msg = msg + " [HTTP " + strconv.Itoa(httpStatus) + "]"
	return se
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date.
func parseRetryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
		if d < 0 {
			d = 0
		}
	} else {
		return 0, false
	}
	return min(d, maxRetryAfter), true
}

// IsWindowClosed reports whether a send failed because the customer-service
// window is closed (131047): the composer should switch to templates.
func IsWindowClosed(err error) bool {
	var se *channel.SendError
	return errors.As(err, &se) && se.Code == CodeWindowClosed
}
