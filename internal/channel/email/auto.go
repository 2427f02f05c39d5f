package email

import (
	"strings"
)

// Kinds of automated mail, the first word of IsAutomated's reason.
const (
	AutoBounce = "bounce"     // a delivery failure report
	AutoReply  = "auto-reply" // out of office, vacation, ticket receipts
	AutoList   = "list"       // mailing list traffic
	AutoBulk   = "bulk"       // newsletters, notifications
)

// IsAutomated tells mail that no person wrote, so that Atende never answers
// it automatically (greeting, out-of-hours reply, CSAT) and two robots do not
// mail each other forever (RFC 3834). reason is "<kind>: <evidence>", kind
// one of the Auto* constants; empty when a person seems to have written.
// Bounces are checked first: they name the message of ours that failed.
func IsAutomated(m *Message) (reason string, automated bool) {
	h := m.Header
	get := func(k string) string { return strings.TrimSpace(h.Get(k)) }
	lower := func(k string) string { return strings.ToLower(get(k)) }

	if m.ContentType == "multipart/report" {
		if rt := reportType(h.Get("Content-Type")); rt == "delivery-status" || rt == "" && m.Bounce != nil {
			return AutoBounce + ": multipart/report; report-type=delivery-status", true
		} else if rt != "" {
			return AutoBounce + ": multipart/report; report-type=" + rt, true
		}
	}
	if m.Bounce != nil {
		return AutoBounce + ": message/delivery-status part", true
	}
	if rp, ok := h["Return-Path"]; ok && len(rp) > 0 && strings.TrimSpace(rp[len(rp)-1]) == "<>" {
		local := strings.ToLower(m.From.Address)
		if i := strings.IndexByte(local, '@'); i >= 0 {
			local = local[:i]
		}
		if local == "mailer-daemon" || local == "postmaster" {
			return AutoBounce + ": empty Return-Path from " + m.From.Address, true
		}
	}
	if v := lower("Auto-Submitted"); v != "" && v != "no" {
		return AutoReply + ": Auto-Submitted: " + v, true
	}
	if _, ok := h["X-Autoreply"]; ok {
		return AutoReply + ": X-Autoreply", true
	}
	if _, ok := h["X-Autorespond"]; ok {
		return AutoReply + ": X-Autorespond", true
	}
	// Exchange sets it on its own auto-replies, and on mail that must not
	// be answered by one; either way no robot should answer.
	if v := lower("X-Auto-Response-Suppress"); v != "" && v != "none" {
		return AutoReply + ": X-Auto-Response-Suppress: " + get("X-Auto-Response-Suppress"), true
	}
	if rp, ok := h["Return-Path"]; ok && len(rp) > 0 && strings.TrimSpace(rp[len(rp)-1]) == "<>" {
		return AutoReply + ": empty Return-Path", true
	}
	switch p := lower("Precedence"); p {
	case "list":
		return AutoList + ": Precedence: list", true
	case "bulk", "junk", "auto_reply":
		return AutoBulk + ": Precedence: " + p, true
	}
	if get("List-Id") != "" {
		return AutoList + ": List-Id: " + cleanLine(get("List-Id")), true
	}
	if get("List-Unsubscribe") != "" {
		return AutoList + ": List-Unsubscribe", true
	}
	return "", false
}

func reportType(contentType string) string {
	for _, p := range strings.Split(contentType, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "report-type") {
			return strings.ToLower(strings.Trim(strings.TrimSpace(v), `"`))
		}
	}
	return ""
}
