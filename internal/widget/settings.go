// Package widget is the website chat widget's server side (DESIGN M5): a
// widget channel's settings and what a visitor sees of them, identity
// verification of logged-in customers, abuse limits, the visitor's view of
// a conversation, and the visitor WebSocket hub. Storage is
// internal/store's; HTTP is internal/httpapi's.
package widget

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Kind is the channel kind of website widgets.
const Kind = "widget"

// Pre-chat form fields a widget may ask for.
const (
	FieldName  = "name"
	FieldEmail = "email"
	FieldPhone = "phone"
)

// Field is one pre-chat form field.
type Field struct {
	Name     string `json:"name"`
	Required bool   `json:"required"`
}

// Settings is how a widget looks and behaves; it is stored sealed in the
// channel's config together with the identity secret.
type Settings struct {
	Color    string `json:"color"`
	Position string `json:"position"`
	// Language is "auto" (the visitor's browser), "pt-BR" or "en".
	Language   string `json:"language"`
	GreetingPT string `json:"greeting_pt"`
	GreetingEN string `json:"greeting_en"`
	// PrechatEnabled shows the pre-chat form before the first message.
	PrechatEnabled bool    `json:"prechat_enabled"`
	PrechatFields  []Field `json:"prechat_fields"`
	// PrechatDepartmentIDs are the departments a visitor may choose;
	// none means no choice (the channel's department takes the chat).
	PrechatDepartmentIDs []int64 `json:"prechat_department_ids"`
	OfflineMessagePT     string  `json:"offline_message_pt"`
	OfflineMessageEN     string  `json:"offline_message_en"`
	// AllowedOrigins restricts the sites that may embed the widget
	// (scheme://host[:port]); empty allows any site.
	AllowedOrigins []string `json:"allowed_origins"`
	// RequireIdentity refuses visitors the site did not vouch for.
	RequireIdentity bool `json:"require_identity"`
}

// Config is what a channel's sealed config holds.
type Config struct {
	Settings
	// IdentitySecret signs logged-in customers' user ids (HMAC-SHA256).
	IdentitySecret string `json:"identity_secret"`
}

// Defaults are the settings of a new widget.
func Defaults() Settings {
	return Settings{
		Color: "#2256c9", Position: "right", Language: "auto",
		GreetingPT:       "Olá! 👋 Como podemos ajudar?",
		GreetingEN:       "Hi there! 👋 How can we help?",
		PrechatFields:    []Field{{Name: FieldName, Required: true}, {Name: FieldEmail, Required: false}},
		OfflineMessagePT: "No momento não há ninguém disponível. Deixe sua mensagem e responderemos assim que possível.",
		OfflineMessageEN: "Nobody is available right now. Leave a message and we will get back to you as soon as we can.",
	}
}

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Limits of the free-text settings.
const (
	maxGreeting = 500
	maxOrigins  = 20
)

// Validate normalises s and reports the first problem as a sentence for
// the admin who typed it.
func (s *Settings) Validate() error {
	s.Color = strings.TrimSpace(s.Color)
	if !hexColor.MatchString(s.Color) {
		return fmt.Errorf("widget.color must be a colour like #2256c9")
	}
	s.Color = strings.ToLower(s.Color)
	switch s.Position {
	case "right", "left":
	default:
		return fmt.Errorf(`widget.position must be "right" or "left"`)
	}
	switch s.Language {
	case "auto", "pt-BR", "en":
	default:
		return fmt.Errorf(`widget.language must be "auto", "pt-BR" or "en"`)
	}
	for name, v := range map[string]*string{"greeting_pt": &s.GreetingPT, "greeting_en": &s.GreetingEN,
		"offline_message_pt": &s.OfflineMessagePT, "offline_message_en": &s.OfflineMessageEN} {
		*v = strings.TrimSpace(*v)
		if utf8.RuneCountInString(*v) > maxGreeting || !utf8.ValidString(*v) || strings.ContainsRune(*v, 0) {
			return fmt.Errorf("widget.%s has at most %d characters", name, maxGreeting)
		}
	}
	seen := map[string]bool{}
	for _, f := range s.PrechatFields {
		switch f.Name {
		case FieldName, FieldEmail, FieldPhone:
		default:
			return fmt.Errorf(`widget.prechat_fields: %q is not a field (name, email, phone)`, f.Name)
		}
		if seen[f.Name] {
			return fmt.Errorf("widget.prechat_fields: %s is listed twice", f.Name)
		}
		seen[f.Name] = true
	}
	if s.PrechatFields == nil {
		s.PrechatFields = []Field{}
	}
	if s.PrechatDepartmentIDs == nil {
		s.PrechatDepartmentIDs = []int64{}
	}
	if len(s.AllowedOrigins) > maxOrigins {
		return fmt.Errorf("widget.allowed_origins has at most %d sites", maxOrigins)
	}
	for i, o := range s.AllowedOrigins {
		norm, ok := origin(o)
		if !ok {
			return fmt.Errorf("widget.allowed_origins: %q is not a site origin like https://www.example.com", o)
		}
		s.AllowedOrigins[i] = norm
	}
	if s.AllowedOrigins == nil {
		s.AllowedOrigins = []string{}
	}
	return nil
}

// origin normalises a site origin: scheme://host[:port], lower case, no path.
func origin(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", false
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), true
}

// OriginAllowed reports whether a page of origin may embed the widget.
// The frame's requests carry the embedding page in Referer-less
// postMessage only, so this is checked where the browser tells it: the
// Origin or Referer of the loader and session requests.
func (s Settings) OriginAllowed(o string) bool {
	if len(s.AllowedOrigins) == 0 {
		return true
	}
	norm, ok := origin(o)
	if !ok {
		return false
	}
	for _, a := range s.AllowedOrigins {
		if a == norm {
			return true
		}
	}
	return false
}

// Greeting is the greeting in lang ("pt-BR" or "en").
func (s Settings) Greeting(lang string) string {
	if lang == "pt-BR" {
		return s.GreetingPT
	}
	return s.GreetingEN
}

// OfflineMessage is the out-of-hours text in lang.
func (s Settings) OfflineMessage(lang string) string {
	if lang == "pt-BR" {
		return s.OfflineMessagePT
	}
	return s.OfflineMessageEN
}

// ResolveLanguage picks the widget's language: the setting, else the
// visitor's ("pt…" is Portuguese, anything else English).
func (s Settings) ResolveLanguage(visitor string) string {
	if s.Language == "pt-BR" || s.Language == "en" {
		return s.Language
	}
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(visitor)), "pt") {
		return "pt-BR"
	}
	return "en"
}

// NewIdentitySecret is a fresh secret for identity verification.
func NewIdentitySecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// SignUser is the hash a company's server computes for a logged-in
// customer: HMAC-SHA256 of the user id with the identity secret, in hex
// (the scheme Intercom-style widgets use, so sites already know it).
func SignUser(secret, userID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(userID))
	return hex.EncodeToString(m.Sum(nil))
}

// MaxUserID bounds the user ids a site may vouch for.
const MaxUserID = 200

// VerifyUser reports whether hash vouches for userID under secret.
func VerifyUser(secret, userID, hash string) bool {
	if secret == "" || userID == "" || len(userID) > MaxUserID || len(hash) != sha256.Size*2 {
		return false
	}
	want := SignUser(secret, userID)
	return hmac.Equal([]byte(want), []byte(strings.ToLower(hash)))
}
