package telegram

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atende/atende/internal/channel"
)

// Update kinds: an Update carries update_id and at most one other field,
// whose name is the kind. Only these two become messages; every other kind
// (callback_query, my_chat_member, channel_post, poll…) is reported by name
// so the webhook can acknowledge it and move on.
const (
	KindMessage       = "message"
	KindEditedMessage = "edited_message"
	// KindUnknown is an update with no field besides update_id, or whose
	// field name is not one Telegram could have sent.
	KindUnknown = "unknown"
)

// Chat types (Chat.type). Only private chats are conversations with a
// customer: in groups the bot overhears people talking to each other.
const (
	ChatPrivate    = "private"
	ChatGroup      = "group"
	ChatSupergroup = "supergroup"
	ChatChannel    = "channel"
)

// Content types of a message, for the caller's logs and for a placeholder
// when a message carries nothing Atende can show (polls, dice, games…).
const (
	TypeText      = "text"
	TypePhoto     = "photo"
	TypeAnimation = "animation"
	TypeVideo     = "video"
	TypeVideoNote = "video_note"
	TypeVoice     = "voice"
	TypeAudio     = "audio"
	TypeDocument  = "document"
	TypeSticker   = "sticker"
	TypeVenue     = "venue"
	TypeLocation  = "location"
	TypeContact   = "contact"
	TypeOther     = "other"
)

// Update is one webhook delivery, reduced to what Atende needs.
type Update struct {
	// ID is update_id: Telegram re-delivers an update until the webhook
	// answers 2xx, so the caller stores each ID once.
	ID int64
	// Kind names the update's field: KindMessage, KindEditedMessage,
	// "callback_query", "my_chat_member"…, or KindUnknown.
	Kind string

	// The fields below are set for KindMessage and KindEditedMessage only.

	// ChatID is the chat the message belongs to: the customer's user id in
	// a private chat, and what Outbound.To must be to answer them.
	ChatID int64
	// ChatType is ChatPrivate, ChatGroup, ChatSupergroup or ChatChannel.
	ChatType string
	// Type is the message's content type (TypeText, TypePhoto…, TypeOther).
	Type string
	// FromBot is true when the sender is a bot.
	FromBot bool
	// Inbound is the message in the provider-neutral model. For an edited
	// message it is the new version, with the ExternalID of the original.
	Inbound *channel.Inbound
}

// CustomerMessage reports whether the update is a new message a customer
// sent the bot in a private chat: the only updates that enter a
// conversation. Edits, group chatter, channel posts, button presses and
// membership changes are acknowledged and ignored.
func (u Update) CustomerMessage() bool {
	return u.Kind == KindMessage && u.ChatType == ChatPrivate && !u.FromBot && u.Inbound != nil
}

// Wire shapes of the Bot API objects Parse reads. Unknown fields are
// ignored: Telegram adds fields in every API version.

type user struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Username  string `json:"username"`
}

type chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title"`
	Username  string `json:"username"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// file covers the fields PhotoSize, Voice, Audio, Video, VideoNote,
// Animation, Document and Sticker share or have alone; each object uses a
// subset and the rest stay zero.
type file struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name"`
	MIMEType     string `json:"mime_type"`
	FileSize     int64  `json:"file_size"`
	Width        int64  `json:"width"`
	Height       int64  `json:"height"`
	IsAnimated   bool   `json:"is_animated"` // Sticker
	IsVideo      bool   `json:"is_video"`    // Sticker
}

type location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

type venue struct {
	Location location `json:"location"`
	Title    string   `json:"title"`
	Address  string   `json:"address"`
}

type sharedContact struct {
	PhoneNumber string `json:"phone_number"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	VCard       string `json:"vcard"`
}

// replyRef is the part of reply_to_message Atende keeps: which message is
// answered. Decoding only this also keeps nested messages from costing
// anything.
type replyRef struct {
	MessageID int64 `json:"message_id"`
	Chat      struct {
		ID int64 `json:"id"`
	} `json:"chat"`
}

type message struct {
	MessageID      int64          `json:"message_id"`
	From           *user          `json:"from"`
	Chat           chat           `json:"chat"`
	Date           int64          `json:"date"`
	MediaGroupID   string         `json:"media_group_id"`
	ReplyToMessage *replyRef      `json:"reply_to_message"`
	Text           string         `json:"text"`
	Caption        string         `json:"caption"`
	Photo          []file         `json:"photo"`
	Animation      *file          `json:"animation"`
	Video          *file          `json:"video"`
	VideoNote      *file          `json:"video_note"`
	Voice          *file          `json:"voice"`
	Audio          *file          `json:"audio"`
	Document       *file          `json:"document"`
	Sticker        *file          `json:"sticker"`
	Venue          *venue         `json:"venue"`
	Location       *location      `json:"location"`
	Contact        *sharedContact `json:"contact"`
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: telegram: %s", channel.ErrInvalid, fmt.Sprintf(format, args...))
}

// Parse decodes one webhook body. It fails, with channel.ErrInvalid, only
// on what Telegram never sends: malformed JSON, a missing or non-positive
// update_id, a message without chat or id, a file without file_id. Update
// kinds Atende does not handle are not errors (see Update.Kind); the
// caller acknowledges them so Telegram stops re-delivering. It never
// panics on any input (see FuzzParse).
func Parse(body []byte) (Update, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return Update{}, invalid("malformed JSON: %v", err)
	}
	if raw == nil {
		return Update{}, invalid("the update is not a JSON object")
	}
	idRaw, ok := raw["update_id"]
	if !ok {
		return Update{}, invalid("update_id is required")
	}
	var u Update
	if err := json.Unmarshal(idRaw, &u.ID); err != nil || u.ID <= 0 {
		return Update{}, invalid("update_id must be a positive integer")
	}
	u.Kind = updateKind(raw)
	if u.Kind != KindMessage && u.Kind != KindEditedMessage {
		return u, nil
	}
	var m message
	if err := json.Unmarshal(raw[u.Kind], &m); err != nil {
		return Update{}, invalid("%s: %v", u.Kind, err)
	}
	if err := fillMessage(&u, &m); err != nil {
		return Update{}, err
	}
	return u, nil
}

// updateKind names the optional field of the update. Telegram sends at
// most one; should a body carry several, the message kinds win so a
// customer message is never dropped, then the first name in sort order, so
// the answer does not depend on map order.
func updateKind(raw map[string]json.RawMessage) string {
	var names []string
	for k := range raw {
		if k == "update_id" {
			continue
		}
		if k == KindMessage || k == KindEditedMessage {
			return k
		}
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if validKindName(k) {
			return k
		}
	}
	return KindUnknown
}

// validKindName keeps arbitrary keys out of logs and metrics: Bot API
// field names are short snake_case words.
func validKindName(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; !('a' <= c && c <= 'z' || c == '_') {
			return false
		}
	}
	return true
}

func fillMessage(u *Update, m *message) error {
	if m.Chat.ID == 0 {
		return invalid("%s.chat.id is required", u.Kind)
	}
	if m.MessageID <= 0 {
		return invalid("%s.message_id must be a positive integer", u.Kind)
	}
	u.ChatID = m.Chat.ID
	u.ChatType = clean(m.Chat.Type)
	in := &channel.Inbound{
		ExternalID: MessageExternalID(m.Chat.ID, m.MessageID),
		Contact:    contactOf(m),
		GroupID:    clean(m.MediaGroupID),
	}
	if m.Date > 0 {
		in.At = time.Unix(m.Date, 0).UTC()
	}
	if m.From != nil {
		u.FromBot = m.From.IsBot
	}
	if r := m.ReplyToMessage; r != nil && r.MessageID > 0 {
		c := r.Chat.ID
		if c == 0 {
			c = m.Chat.ID
		}
		in.ReplyTo = MessageExternalID(c, r.MessageID)
	}
	// a message has either text or a caption, never both
	in.Text = clean(m.Text)
	caption := clean(m.Caption)
	if in.Text == "" {
		in.Text = caption
	}
	typ, err := fillContent(in, m, caption)
	if err != nil {
		return invalid("%s: %v", u.Kind, err)
	}
	if typ == "" {
		typ = TypeOther
		if in.Text != "" {
			typ = TypeText
		}
	}
	u.Type = typ
	u.Inbound = in
	return nil
}

// fillContent adds the message's attachment, place or shared contact and
// returns its content type, "" when there is none. The caption goes both in
// Inbound.Text (the message's content) and in Media.Caption, as the
// provider-neutral model has both.
func fillContent(in *channel.Inbound, m *message, caption string) (string, error) {
	add := func(f *file, kind, mimeType, name string) error {
		ref := clean(f.FileID)
		if ref == "" {
			return fmt.Errorf("%s without file_id", kind)
		}
		in.Media = append(in.Media, channel.Media{Ref: ref, Kind: kind, MIME: mimeType, Filename: name, Caption: caption})
		return nil
	}
	switch {
	case len(m.Photo) > 0:
		// Telegram sends every size it made; the largest is the original
		return TypePhoto, add(largest(m.Photo), "image", "image/jpeg", "")
	case m.Animation != nil:
		// for backward compatibility the document field repeats an
		// animation: take the animation and skip the document
		a := m.Animation
		return TypeAnimation, add(a, "video", or(clean(a.MIMEType), "video/mp4"), fileName(a.FileName))
	case m.Video != nil:
		return TypeVideo, add(m.Video, "video", clean(m.Video.MIMEType), fileName(m.Video.FileName))
	case m.VideoNote != nil:
		return TypeVideoNote, add(m.VideoNote, "video", "video/mp4", "")
	case m.Voice != nil:
		return TypeVoice, add(m.Voice, "voice", or(clean(m.Voice.MIMEType), "audio/ogg"), "")
	case m.Audio != nil:
		return TypeAudio, add(m.Audio, "audio", clean(m.Audio.MIMEType), fileName(m.Audio.FileName))
	case m.Document != nil:
		return TypeDocument, add(m.Document, "document", clean(m.Document.MIMEType), fileName(m.Document.FileName))
	case m.Sticker != nil:
		return TypeSticker, add(m.Sticker, "sticker", stickerMIME(m.Sticker), "")
	case m.Venue != nil:
		v := m.Venue
		in.Location = &channel.Location{Latitude: v.Location.Latitude, Longitude: v.Location.Longitude,
			Name: clean(v.Title), Address: clean(v.Address)}
		return TypeVenue, nil
	case m.Location != nil:
		in.Location = &channel.Location{Latitude: m.Location.Latitude, Longitude: m.Location.Longitude}
		return TypeLocation, nil
	case m.Contact != nil:
		in.SharedContacts = append(in.SharedContacts, contactText(m.Contact))
		return TypeContact, nil
	}
	return "", nil
}

// largest picks the PhotoSize with the most pixels, then the biggest file,
// then the later one (Telegram lists sizes from small to large).
func largest(sizes []file) *file {
	best := &sizes[0]
	for i := 1; i < len(sizes); i++ {
		s := &sizes[i]
		pb, ps := best.Width*best.Height, s.Width*s.Height
		if ps > pb || ps == pb && s.FileSize >= best.FileSize {
			best = s
		}
	}
	return best
}

// stickerMIME is the format Telegram serves a sticker in: WebP images,
// WebM videos, or Lottie animations in its own .tgs container.
func stickerMIME(s *file) string {
	switch {
	case s.IsVideo:
		return "video/webm"
	case s.IsAnimated:
		return "application/x-tgsticker"
	}
	return "image/webp"
}

// contactOf names the sender. In a private chat the chat is the customer,
// so it stands in when from is absent; the numeric id is the stable key,
// the username (which the user can change or remove) a second one.
func contactOf(m *message) channel.Contact {
	var id int64
	var first, last, username string
	switch {
	case m.From != nil:
		id, first, last, username = m.From.ID, m.From.FirstName, m.From.LastName, m.From.Username
	case m.Chat.Type == ChatPrivate:
		id, first, last, username = m.Chat.ID, m.Chat.FirstName, m.Chat.LastName, m.Chat.Username
	}
	var c channel.Contact
	if id != 0 {
		c.Identities = append(c.Identities, channel.Identity{Kind: "telegram_id", Value: strconv.FormatInt(id, 10)})
	}
	if u := strings.TrimPrefix(clean(username), "@"); u != "" {
		c.Identities = append(c.Identities, channel.Identity{Kind: "username", Value: u})
	}
	c.Name = strings.TrimSpace(clean(first) + " " + clean(last))
	return c
}

// contactText renders a shared contact: its vCard when Telegram has one,
// otherwise name and phone.
func contactText(c *sharedContact) string {
	if v := clean(c.VCard); v != "" {
		return v
	}
	name := strings.TrimSpace(clean(c.FirstName) + " " + clean(c.LastName))
	return strings.TrimSpace(name + " " + clean(c.PhoneNumber))
}

// MessageExternalID is the channel.Inbound.ExternalID of a Telegram
// message: message ids are only unique inside a chat, so the chat id is
// part of the key. Send returns the same form for the messages it sends.
func MessageExternalID(chatID, messageID int64) string {
	return strconv.FormatInt(chatID, 10) + ":" + strconv.FormatInt(messageID, 10)
}

// clean drops NUL characters, which PostgreSQL cannot store in text;
// encoding/json already replaced invalid UTF-8.
func clean(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// maxFileName bounds file names from customers, as file systems do.
const maxFileName = 255

// fileName keeps the last path element of a customer's file name, so it
// can never name a directory, and bounds its length.
func fileName(s string) string {
	s = clean(s)
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSpace(s)
	if s == "." || s == ".." {
		return ""
	}
	for len(s) > maxFileName {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
