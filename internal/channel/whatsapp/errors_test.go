package whatsapp

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel"
)

func graphBody(code int, message, details string) string {
	return fmt.Sprintf(`{"error":{"message":%q,"type":"OAuthException","code":%d,"error_data":{"messaging_product":"whatsapp","details":%q},"fbtrace_id":"Ax1"}}`,
		message, code, details)
}

func TestClassify(t *testing.T) {
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name       string
		status     int
		body       string
		retryAfter string
		retry      bool
		after      time.Duration
		code       int
		msg        string
	}{
		{"window closed", 400, graphBody(131047, "(#131047) Re-engagement message", "more than 24 hours"), "",
			false, 0, 131047, "window is closed: the customer last wrote more than 24 hours ago, so only an approved template can be sent (131047: Re-engagement message — more than 24 hours) [HTTP 400]"},
		{"undeliverable", 400, graphBody(131026, "(#131026) Message undeliverable", "Unable to deliver message."), "",
			false, 0, 131026, "could not be delivered"},
		{"invalid parameter", 400, graphBody(100, "(#100) Invalid parameter", "Parameter value is not valid"), "",
			false, 0, 100, "invalid parameter (100: Invalid parameter — Parameter value is not valid)"},
		{"token expired", 401, graphBody(190, "Error validating access token: Session has expired", ""), "",
			false, 0, 190, "reconnect the channel"},
		{"template missing", 404, graphBody(132001, "(#132001) Template name does not exist in the translation", ""), "",
			false, 0, 132001, "template does not exist"},
		{"app rate limit", 400, graphBody(4, "(#4) Application request limit reached", ""), "",
			true, time.Minute, 4, "rate limit"},
		{"WABA rate limit", 400, graphBody(80007, "(#80007) Rate limit issues", ""), "",
			true, time.Minute, 80007, "rate limit"},
		{"throughput", 400, graphBody(130429, "(#130429) Rate limit hit", ""), "",
			true, time.Second, 130429, "throughput"},
		{"pair rate limit", 400, graphBody(131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit", ""), "",
			true, 6 * time.Second, 131056, "too many messages to this customer"},
		{"Retry-After seconds win over the hint", 429, graphBody(131056, "(#131056) pair rate limit hit", ""), "120",
			true, 2 * time.Minute, 131056, ""},
		{"shorter Retry-After keeps the hint", 429, graphBody(80007, "(#80007) Rate limit issues", ""), "5",
			true, time.Minute, 80007, ""},
		{"Retry-After date", 429, `{}`, now.Add(90 * time.Second).Format(http.TimeFormat),
			true, 90 * time.Second, 0, "rate limited [HTTP 429]"},
		{"Retry-After absurd", 503, ``, "999999999",
			true, 24 * time.Hour, 0, ""},
		{"Retry-After garbage", 503, ``, "soon",
			true, 0, 0, ""},
		{"code as a string", 400, `{"error":{"message":"(#131056) pair rate limit hit","code":"131056"}}`, "",
			true, 6 * time.Second, 131056, ""},
		{"something went wrong", 500, graphBody(131000, "(#131000) Something went wrong", ""), "",
			true, 0, 131000, "could not process"},
		{"5xx without body", 502, `<html>Bad Gateway</html>`, "",
			true, 0, 0, "the Graph API failed [HTTP 502]"},
		{"408", 408, ``, "",
			true, 0, 0, ""},
		{"unknown 4xx code", 400, graphBody(999999, "(#999999) Something new", ""), "",
			false, 0, 999999, "refused the request (999999: Something new)"},
		{"unknown code on 5xx", 500, graphBody(999998, "Whatever", ""), "",
			true, 0, 999998, ""},
		{"retry-after ignored when permanent", 400, graphBody(131047, "(#131047) Re-engagement message", ""), "60",
			false, 0, 131047, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			se := Classify(c.status, []byte(c.body), c.retryAfter, now)
			if se.Retry != c.retry || se.After != c.after || se.Code != c.code || !strings.Contains(se.Msg, c.msg) {
				t.Fatalf("got %+v, want retry=%v after=%v code=%d msg containing %q", *se, c.retry, c.after, c.code, c.msg)
			}
			if !strings.HasPrefix(se.Msg, "whatsapp: ") {
				t.Fatalf("message %q", se.Msg)
			}
		})
	}
}

func TestIsWindowClosed(t *testing.T) {
	closed := Classify(400, []byte(graphBody(CodeWindowClosed, "(#131047) Re-engagement message", "")), "", time.Now())
	if !IsWindowClosed(closed) || !IsWindowClosed(fmt.Errorf("job: %w", closed)) {
		t.Fatal("131047 not recognised")
	}
	if IsWindowClosed(&channel.SendError{Code: CodeUndeliverable}) || IsWindowClosed(errors.New("x")) || IsWindowClosed(nil) {
		t.Fatal("false positive")
	}
}

func TestCheckSHA256(t *testing.T) {
	data := []byte("image")
	const hexSum = "6105d6cc76af400325e94d588ce511be5bfdbb73b437dc51eca43917d7a43e3d"
	for _, want := range []string{hexSum, strings.ToUpper(hexSum), "YQXWzHavQAMl6U1YjOURvlv9u3O0N9xR7KQ5F9ekPj0=", "YQXWzHavQAMl6U1YjOURvlv9u3O0N9xR7KQ5F9ekPj0"} {
		if err := CheckSHA256(data, want); err != nil {
			t.Errorf("%s: %v", want, err)
		}
	}
	for _, want := range []string{"", "abc", strings.Repeat("0", 64)} {
		if err := CheckSHA256(data, want); !errors.Is(err, ErrChecksum) {
			t.Errorf("%q: got %v", want, err)
		}
	}
}

func TestIsBSUID(t *testing.T) {
	for s, want := range map[string]bool{
		"US.13491208655302741918":     true,
		"BR.1502576394655843":         true,
		"US.ENT.11815799212886844830": true,
		"16505551234":                 false,
		"+5511987654321":              false,
		"us.123":                      false,
		"US.":                         false,
		"US.12 34":                    false,
	} {
		if IsBSUID(s) != want {
			t.Errorf("IsBSUID(%q) != %v", s, want)
		}
	}
}
