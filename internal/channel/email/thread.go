package email

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// ThreadKeys returns the Message-IDs to look a conversation up by, best
// first: the message answered (In-Reply-To), then the References from the
// newest to the thread's root, so that a reply to an older message of a
// long thread still lands in its conversation.
func ThreadKeys(m *Message) []string {
	var keys []string
	seen := map[string]bool{}
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			keys = append(keys, id)
		}
	}
	for _, id := range m.InReplyTo {
		add(id)
	}
	for i := len(m.References) - 1; i >= 0; i-- {
		add(m.References[i])
	}
	return keys
}

// Reply tokens put the conversation in the address a customer answers to
// ("support+r-<token>@example.com", plus addressing), for mail clients
// that drop In-Reply-To and References. The token is the conversation id
// and an HMAC of it under a key only Atende knows, so that a customer cannot
// write to someone else's conversation by guessing ids.
const (
	tokenPrefix = "r-"
	macBytes    = 10 // 80 bits: enough against forgery, short in an address
	// A local part is at most 64 octets (RFC 5321 §4.5.3.1.1): a 20-byte id
	// (any int64 in decimal) makes a 52-octet "+r-" detail.
	maxIDBytes = 20
)

// Lower-case base32: local parts are case-insensitive for many servers and
// some rewrite case.
var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// ReplyToken signs conversationID; empty when the id is empty or too long
// to fit an address.
func ReplyToken(key []byte, conversationID string) string {
	if conversationID == "" || len(conversationID) > maxIDBytes {
		return ""
	}
	return tokenEncoding.EncodeToString([]byte(conversationID)) + "-" + tokenEncoding.EncodeToString(tokenMAC(key, conversationID))
}

func tokenMAC(key []byte, id string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("atende email reply token\x00"))
	mac.Write([]byte(id))
	return mac.Sum(nil)[:macBytes]
}

// ParseReplyToken checks a token's shape and signature and returns the
// conversation id it carries.
func ParseReplyToken(key []byte, token string) (conversationID string, ok bool) {
	token = strings.ToLower(token)
	enc, sig, found := strings.Cut(token, "-")
	if !found || enc == "" || len(enc) > tokenEncoding.EncodedLen(maxIDBytes) || len(sig) != tokenEncoding.EncodedLen(macBytes) {
		return "", false
	}
	id, err := tokenEncoding.DecodeString(enc)
	if err != nil || len(id) == 0 {
		return "", false
	}
	got, err := tokenEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, tokenMAC(key, string(id))) {
		return "", false
	}
	return string(id), true
}

// ReplyAddressFor builds the reply address of a conversation from the
// channel's mailbox: support@example.com becomes
// support+r-<token>@example.com. It returns mailbox unchanged when it is
// not a plain address or no token can be made.
func ReplyAddressFor(mailbox string, key []byte, conversationID string) string {
	local, domain, ok := splitAddress(mailbox)
	tok := ReplyToken(key, conversationID)
	if !ok || tok == "" {
		return mailbox
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return local + "+" + tokenPrefix + tok + "@" + domain
}

// ConversationFromAddress reads the conversation back from a reply address
// of mailbox: same local part and domain (case-insensitively), a valid
// token after "+r-".
func ConversationFromAddress(addr, mailbox string, key []byte) (string, bool) {
	local, domain, ok := splitAddress(addr)
	blocal, bdomain, bok := splitAddress(mailbox)
	if !ok || !bok || !strings.EqualFold(domain, bdomain) {
		return "", false
	}
	if i := strings.IndexByte(blocal, '+'); i >= 0 {
		blocal = blocal[:i]
	}
	base, detail, found := strings.Cut(local, "+")
	if !found || !strings.EqualFold(base, blocal) || !strings.HasPrefix(strings.ToLower(detail), tokenPrefix) {
		return "", false
	}
	return ParseReplyToken(key, detail[len(tokenPrefix):])
}

// ReplyConversation looks for a reply address of mailbox among the
// message's recipients: To and Cc, then the envelope recipient that the
// receiving server records (Delivered-To, X-Original-To), which is the
// only trace left when the customer was in Bcc or a list expanded it.
func ReplyConversation(m *Message, mailbox string, key []byte) (string, bool) {
	var addrs []string
	for _, a := range m.To {
		addrs = append(addrs, a.Address)
	}
	for _, a := range m.Cc {
		addrs = append(addrs, a.Address)
	}
	for _, k := range []string{"Delivered-To", "X-Original-To", "Envelope-To"} {
		for _, v := range m.Header[k] {
			addrs = append(addrs, strings.Trim(strings.TrimSpace(v), "<>"))
		}
	}
	for _, a := range addrs {
		if id, ok := ConversationFromAddress(a, mailbox, key); ok {
			return id, true
		}
	}
	return "", false
}

func splitAddress(a string) (local, domain string, ok bool) {
	a = strings.TrimSpace(a)
	i := strings.LastIndexByte(a, '@')
	if i <= 0 || i == len(a)-1 || strings.ContainsAny(a, " \t\r\n<>\"") {
		return "", "", false
	}
	return a[:i], a[i+1:], true
}
