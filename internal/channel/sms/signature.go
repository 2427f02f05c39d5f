// Package sms is the SMS channel through a provider with the de-facto
// Twilio-style Programmable Messaging API: customers' messages arrive as
// signed application/x-www-form-urlencoded webhooks, delivery reports as
// signed status callbacks, and agent replies leave through
// POST {BaseURL}/2010-04-01/Accounts/{AccountSid}/Messages.json.
//
// The package is pure: it verifies and parses the provider's wire format
// into the provider-neutral model of internal/channel and calls the
// provider's REST API; it never touches the database or the HTTP routing.
// The formats follow the provider's public documentation, named in
// testdata/README.md.
package sms

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/atende/atende/internal/channel"
)

// Kind is the channel kind stored in channels.kind.
const Kind = "sms"

// HeaderSignature is the request header carrying the webhook signature.
const HeaderSignature = "X-Twilio-Signature"

// Sign returns the provider's request signature for a webhook: the base64 of
// HMAC-SHA1, keyed with the account's auth token, over the full URL the
// provider called (scheme, host, path and query string, exactly as
// configured) followed by every POST parameter sorted by name, each name
// immediately followed by its value, with no delimiters. A parameter that
// occurs several times contributes each value, in sorted order.
//
// form holds the POST body parameters only (http.Request.PostForm, not
// Request.Form, which would mix in the query string that is already part of
// fullURL); it is nil for a GET webhook.
func Sign(authToken, fullURL string, form url.Values) string {
	m := hmac.New(sha1.New, []byte(authToken))
	m.Write([]byte(fullURL))
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vals := append([]string(nil), form[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			m.Write([]byte(k))
			m.Write([]byte(v))
		}
	}
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// ValidateSignature checks the X-Twilio-Signature header of a webhook. It
// answers nil when header matches the signature of fullURL and form (see
// Sign), and an error wrapping channel.ErrSignature when the header or the
// token is missing or the signature does not match. The comparison takes
// constant time.
//
// fullURL must be the public URL the provider was told to call (behind a
// proxy, rebuild it from the configured public base URL, never from the
// Host header alone). As the provider's own helper libraries do, the URL is
// also tried with its default port added or its explicit port removed,
// because the provider is not consistent about signing either form.
func ValidateSignature(authToken, fullURL string, form url.Values, header string) error {
	if authToken == "" {
		return fmt.Errorf("%w: no auth token configured", channel.ErrSignature)
	}
	header = strings.TrimSpace(header)
	if header == "" {
		return fmt.Errorf("%w: missing %s header", channel.ErrSignature, HeaderSignature)
	}
	ok := 0
	for _, u := range urlVariants(fullURL) {
		ok |= subtle.ConstantTimeCompare([]byte(Sign(authToken, u, form)), []byte(header))
	}
	if ok != 1 {
		return fmt.Errorf("%w: %s does not match", channel.ErrSignature, HeaderSignature)
	}
	return nil
}

// urlVariants returns fullURL as given and, when its authority can be found,
// the same URL with the scheme's default port toggled: added when absent,
// removed when present. The rest of the string is kept byte for byte, since
// any re-encoding would change the signature.
func urlVariants(fullURL string) []string {
	out := []string{fullURL}
	i := strings.Index(fullURL, "://")
	if i <= 0 {
		return out
	}
	scheme := strings.ToLower(fullURL[:i])
	var def string
	switch scheme {
	case "https":
		def = "443"
	case "http":
		def = "80"
	default:
		return out
	}
	rest := fullURL[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	if authority == "" || strings.Contains(authority, "@") {
		return out
	}
	host, port := authority, ""
	// a port follows the last colon unless that colon is inside an IPv6 literal
	if c := strings.LastIndexByte(authority, ':'); c >= 0 && !strings.Contains(authority[c:], "]") {
		host, port = authority[:c], authority[c+1:]
	}
	if port == "" {
		out = append(out, fullURL[:i+3]+host+":"+def+tail)
	} else {
		out = append(out, fullURL[:i+3]+host+tail)
	}
	return out
}
