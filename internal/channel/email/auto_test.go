package email

import (
	"strings"
	"testing"
)

func mustParse(t testing.TB, raw string) *Message {
	t.Helper()
	m, err := Parse([]byte(strings.ReplaceAll(raw, "\n", "\r\n")))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

func TestIsAutomated(t *testing.T) {
	const base = "From: Ana <ana@x.example>\nTo: s@loja.example\nSubject: oi\n"
	tests := []struct {
		name, header, kind string
	}{
		{"person", "", ""},
		{"auto-submitted no is a person", "Auto-Submitted: no\n", ""},
		{"auto-submitted auto-replied", "Auto-Submitted: auto-replied\n", AutoReply},
		{"auto-submitted auto-generated", "Auto-Submitted: Auto-Generated\n", AutoReply},
		{"x-autoreply", "X-Autoreply: yes\n", AutoReply},
		{"x-autorespond", "X-Autorespond: vacation\n", AutoReply},
		{"x-auto-response-suppress", "X-Auto-Response-Suppress: All\n", AutoReply},
		{"empty return-path", "Return-Path: <>\n", AutoReply},
		{"precedence bulk", "Precedence: bulk\n", AutoBulk},
		{"precedence junk", "Precedence: junk\n", AutoBulk},
		{"precedence list", "Precedence: list\n", AutoList},
		{"list-id", "List-Id: <l.x.example>\n", AutoList},
		{"list-unsubscribe", "List-Unsubscribe: <mailto:u@x.example>\n", AutoList},
		{"report", "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n", AutoBounce},
		{"disposition report", "Content-Type: multipart/report; report-type=disposition-notification; boundary=b\n", AutoBounce},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, base+tt.header+"\nbody\n")
			reason, auto := IsAutomated(m)
			if auto != (tt.kind != "") || !strings.HasPrefix(reason, tt.kind) {
				t.Errorf("IsAutomated = %q, %v; want kind %q", reason, auto, tt.kind)
			}
		})
	}
}

func TestIsAutomatedMailerDaemon(t *testing.T) {
	m := mustParse(t, "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example\nSubject: failure\n\nbody\n")
	if reason, _ := IsAutomated(m); !strings.HasPrefix(reason, AutoBounce) {
		t.Errorf("reason %q, want a bounce", reason)
	}
}
