package config

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		args    []string
		check   func(Config) bool
		wantErr string
	}{
		{"defaults", nil, nil, func(c Config) bool {
			return c.Addr == ":8080" && c.DataDir == "./data" && c.BaseURL == "http://localhost:8080" && c.Workers == 8 &&
				c.MaxAttachmentBytes == 25<<20 && c.JobLease == 2*time.Minute && !c.CookieSecure && c.TelegramAPIURL == DefaultTelegramAPIURL &&
				c.WhatsAppAPIURL == DefaultWhatsAppAPIURL && c.SMSAPIURL == DefaultSMSAPIURL && c.MetaAPIURL == DefaultMetaAPIURL
		}, ""},
		{"meta api url", map[string]string{"ATENDE_META_API_URL": "http://127.0.0.1:8084/v25.0/"}, nil, func(c Config) bool {
			return c.MetaAPIURL == "http://127.0.0.1:8084/v25.0"
		}, ""},
		{"bad meta api url", map[string]string{"ATENDE_META_API_URL": "graph.facebook.com"}, nil, nil, "ATENDE_META_API_URL"},
		{"sms api url", map[string]string{"ATENDE_SMS_API_URL": "http://127.0.0.1:8083/"}, nil, func(c Config) bool {
			return c.SMSAPIURL == "http://127.0.0.1:8083"
		}, ""},
		{"bad sms api url", map[string]string{"ATENDE_SMS_API_URL": "api.twilio.com"}, nil, nil, "ATENDE_SMS_API_URL"},
		{"whatsapp api url", map[string]string{"ATENDE_WHATSAPP_API_URL": "http://127.0.0.1:8082/v21.0/"}, nil, func(c Config) bool {
			return c.WhatsAppAPIURL == "http://127.0.0.1:8082/v21.0"
		}, ""},
		{"bad whatsapp api url", map[string]string{"ATENDE_WHATSAPP_API_URL": "graph.facebook.com"}, nil, nil, "ATENDE_WHATSAPP_API_URL"},
		{"telegram api url", map[string]string{"ATENDE_TELEGRAM_API_URL": "http://127.0.0.1:8081/"}, nil, func(c Config) bool {
			return c.TelegramAPIURL == "http://127.0.0.1:8081"
		}, ""},
		{"bad telegram api url", map[string]string{"ATENDE_TELEGRAM_API_URL": "api.telegram.org"}, nil, nil, "ATENDE_TELEGRAM_API_URL"},
		{"env", map[string]string{"ATENDE_ADDR": "127.0.0.1:9000", "ATENDE_DATA_DIR": "/x", "ATENDE_DATABASE_URL": "postgres://h/db",
			"ATENDE_NATS_URL": "nats://n:4222", "ATENDE_BASE_URL": "https://atende.example.com/", "ATENDE_JOB_LEASE": "5s"}, nil,
			func(c Config) bool {
				return c.Addr == "127.0.0.1:9000" && c.DataDir == "/x" && c.DatabaseURL == "postgres://h/db" && c.NATSURL == "nats://n:4222" &&
					c.BaseURL == "https://atende.example.com" && c.CookieSecure && c.JobLease == 5*time.Second
			}, ""},
		{"flags win", map[string]string{"ATENDE_ADDR": ":1"}, []string{"--addr", ":2", "--data", "/d"}, func(c Config) bool {
			return c.Addr == ":2" && c.DataDir == "/d" && c.BaseURL == "http://localhost:2"
		}, ""},
		{"bad size", map[string]string{"ATENDE_MAX_ATTACHMENT_BYTES": "-1"}, nil, nil, "ATENDE_MAX_ATTACHMENT_BYTES"},
		{"bad workers", map[string]string{"ATENDE_WORKERS": "x"}, nil, nil, "ATENDE_WORKERS"},
		{"bad lease", map[string]string{"ATENDE_JOB_LEASE": "soon"}, nil, nil, "ATENDE_JOB_LEASE"},
		{"trusted proxies", map[string]string{"ATENDE_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1,::1 , 192.168.1.77/24"}, nil, func(c Config) bool {
			return fmt.Sprint(c.TrustedProxies) == "[10.0.0.0/8 127.0.0.1/32 ::1/128 192.168.1.0/24]" && c.WidgetSessionsPerIP == 300
		}, ""},
		{"bad trusted proxy", map[string]string{"ATENDE_TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"}, nil, nil, "ATENDE_TRUSTED_PROXIES"},
		{"widget sessions per ip", map[string]string{"ATENDE_WIDGET_SESSIONS_PER_IP": "50"}, nil, func(c Config) bool { return c.WidgetSessionsPerIP == 50 }, ""},
		{"bad widget sessions per ip", map[string]string{"ATENDE_WIDGET_SESSIONS_PER_IP": "0"}, nil, nil, "ATENDE_WIDGET_SESSIONS_PER_IP"},
		{"smtp receiver off by default", nil, nil, func(c Config) bool { return c.SMTPAddr == "" && c.EmailPollInterval == 30*time.Second }, ""},
		{"smtp receiver", map[string]string{"ATENDE_SMTP_ADDR": "127.0.0.1:2525"}, nil, func(c Config) bool { return c.SMTPAddr == "127.0.0.1:2525" }, ""},
		{"bad smtp addr", map[string]string{"ATENDE_SMTP_ADDR": "2525"}, nil, nil, "ATENDE_SMTP_ADDR"},
		{"email poll interval", map[string]string{"ATENDE_EMAIL_POLL_INTERVAL": "5s"}, nil, func(c Config) bool { return c.EmailPollInterval == 5*time.Second }, ""},
		{"webhooks refuse private addresses by default", nil, nil, func(c Config) bool { return !c.WebhooksAllowPrivate }, ""},
		{"webhooks allow private", map[string]string{"ATENDE_WEBHOOKS_ALLOW_PRIVATE": "true"}, nil, func(c Config) bool { return c.WebhooksAllowPrivate }, ""},
		{"bad webhooks allow private", map[string]string{"ATENDE_WEBHOOKS_ALLOW_PRIVATE": "maybe"}, nil, nil, "ATENDE_WEBHOOKS_ALLOW_PRIVATE"},
		{"bad email poll interval", map[string]string{"ATENDE_EMAIL_POLL_INTERVAL": "10ms"}, nil, nil, "ATENDE_EMAIL_POLL_INTERVAL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			c, err := Load(fs, tc.args, envOf(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want error about %s", err, tc.wantErr)
				}
				return
			}
			if err != nil || !tc.check(c) {
				t.Fatalf("got %+v, %v", c, err)
			}
		})
	}
}

func TestEnsureSecretKeyIsStable(t *testing.T) {
	dir := t.TempDir()
	c := Config{DataDir: dir}
	if err := c.EnsureSecretKey(); err != nil {
		t.Fatal(err)
	}
	if len(c.SecretKey) != 64 {
		t.Fatalf("key %q", c.SecretKey)
	}
	st, err := os.Stat(filepath.Join(dir, "secret.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	again := Config{DataDir: dir}
	if err := again.EnsureSecretKey(); err != nil || again.SecretKey != c.SecretKey {
		t.Fatalf("second start got a different key: %v", err)
	}
	set := Config{DataDir: t.TempDir(), SecretKey: "from-env"}
	if err := set.EnsureSecretKey(); err != nil || set.SecretKey != "from-env" {
		t.Fatal("configured key replaced")
	}
}
