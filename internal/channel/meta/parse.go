package meta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/atende/atende/internal/channel"
)

// Batch is one webhook POST: Meta batches events of many Pages or Instagram
// accounts into one request, so the caller routes each Account to the
// channel whose page / IG account id matches Account.ID.
type Batch struct {
	// Object is the payload's object: "page" (Messenger) or "instagram".
	Object   string
	Platform string // PlatformMessenger or PlatformInstagram
	// Accounts holds one element per distinct entry.id, in first-seen order;
	// entries repeated for the same id are merged.
	Accounts []Account
}

// Account is what happened on one Page or Instagram professional account.
type Account struct {
	// ID is entry.id: the Page id (Messenger) or the Instagram professional
	// account id (Instagram); the caller finds the channel by it.
	ID       string
	Platform string
	// Inbound are customer messages and reactions, in delivery order.
	// ExternalID is the mid (for a reaction, a key derived from the reacted
	// mid, the customer and the time, so a re-delivery maps to the same row).
	Inbound []channel.Inbound
	// Statuses are per-message reports: Messenger delivery mids and
	// Instagram's read.mid.
	Statuses []channel.Status
	// Watermarks are "everything up to this time" reports the caller applies
	// to every earlier outbound message to the customer; Messenger sends
	// delivery and read receipts this way, and mids only sometimes.
	Watermarks []Watermark
	// Echoes are messages the Page / IG account itself sent: our own Send API
	// calls (match them by ExternalID, or AppID) and replies typed in Meta's
	// own inbox. They are never customer messages.
	Echoes []Echo
	// Links are story mentions, story replies, shared posts and reels, link
	// fallbacks and unsupported content attached to an Inbound (MessageID).
	// Meta serves them from privacy-aware CDN URLs it forbids storing, so
	// they are not channel.Media: the caller keeps the URL and renders it.
	Links []Link
	// Deleted lists mids the customer unsent (Instagram is_deleted).
	Deleted []string
	// MediaURLOnly is true for Instagram, whose policy forbids downloading
	// or storing media received through the API: the caller keeps Media.Ref
	// (the CDN URL) and renders from it instead of downloading eagerly.
	MediaURLOnly bool
	// Skipped counts events ignored: kinds Atende does not use (postbacks,
	// opt-ins, referrals, handovers…) and events missing the ids they need.
	Skipped int
}

// Watermark says every message sent to Recipient at or before At reached
// Status.
type Watermark struct {
	Recipient string // the customer's PSID / IGSID
	Status    string // channel.StatusDelivered or channel.StatusRead
	At        time.Time
}

// Echo is a message sent by the Page or IG account itself.
type Echo struct {
	ExternalID string // the mid
	Recipient  string // the customer's PSID / IGSID
	// AppID is the app that sent it; empty when it was typed in Meta's inbox.
	AppID    string
	Metadata string // the metadata string the sender attached, if any
	Text     string
	At       time.Time
}

// Link kinds.
const (
	LinkStoryMention = "story_mention" // the customer mentioned the account in their story
	LinkStoryReply   = "story_reply"   // the message answers one of the account's stories
	LinkShare        = "share"
	LinkReel         = "reel"
	LinkIGReel       = "ig_reel"
	LinkIGPost       = "ig_post"
	LinkFallback     = "fallback"    // a shared URL Meta could not render otherwise
	LinkUnsupported  = "unsupported" // content the API does not expose (URL empty)
)

// Link is content an inbound message points at by URL.
type Link struct {
	MessageID string // mid of the Inbound it belongs to
	Kind      string
	URL       string
	ID        string // story id, reel video id or post media id, when given
	Title     string
}

// Bounds that keep a hostile or corrupt payload from producing rows the store
// cannot hold; Meta's own ids are far shorter.
const maxIDLen = 512

type wirePayload struct {
	Object string      `json:"object"`
	Entry  []wireEntry `json:"entry"`
}

type wireEntry struct {
	ID   flexString `json:"id"`
	Time int64      `json:"time"`
	// events are decoded one by one, so one odd event is skipped instead of
	// failing (and making Meta re-deliver) the whole batch
	Messaging []json.RawMessage `json:"messaging"`
}

type wireEvent struct {
	Sender    wireID        `json:"sender"`
	Recipient wireID        `json:"recipient"`
	Timestamp int64         `json:"timestamp"`
	Message   *wireMessage  `json:"message"`
	Reaction  *wireReaction `json:"reaction"`
	Delivery  *wireDelivery `json:"delivery"`
	Read      *wireRead     `json:"read"`
}

type wireID struct {
	ID flexString `json:"id"`
}

type wireMessage struct {
	MID           string           `json:"mid"`
	Text          string           `json:"text"`
	IsEcho        bool             `json:"is_echo"`
	IsDeleted     bool             `json:"is_deleted"`
	IsUnsupported bool             `json:"is_unsupported"`
	AppID         flexString       `json:"app_id"`
	Metadata      string           `json:"metadata"`
	StickerID     flexString       `json:"sticker_id"`
	Attachments   []wireAttachment `json:"attachments"`
	ReplyTo       *wireReplyTo     `json:"reply_to"`
}

type wireAttachment struct {
	Type  string `json:"type"`
	Title string `json:"title"` // fallback attachments carry title and url here
	URL   string `json:"url"`
	// decoded per attachment, so an odd payload (templates in echoes…)
	// drops that attachment, not the customer's whole message
	Payload json.RawMessage `json:"payload"`
}

type wireAttPayload struct {
	URL           string     `json:"url"`
	Title         string     `json:"title"`
	StickerID     flexString `json:"sticker_id"`
	ReelVideoID   flexString `json:"reel_video_id"`
	IGPostMediaID flexString `json:"ig_post_media_id"`
}

type wireReplyTo struct {
	MID   string     `json:"mid"`
	Story *wireStory `json:"story"`
}

type wireStory struct {
	URL string     `json:"url"`
	ID  flexString `json:"id"`
}

type wireReaction struct {
	MID      string `json:"mid"`
	Action   string `json:"action"`
	Emoji    string `json:"emoji"`
	Reaction string `json:"reaction"`
}

type wireDelivery struct {
	MIDs      []string `json:"mids"`
	Watermark int64    `json:"watermark"`
}

type wireRead struct {
	Watermark int64  `json:"watermark"`
	MID       string `json:"mid"`
}

// flexString accepts a JSON string or number: Meta documents ids as strings
// but sends app_id and sticker_id as numbers.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case string(b) == "null":
		*f = ""
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*f = flexString(n.String())
	}
	return nil
}

// Parse turns a verified webhook body into a Batch. Malformed JSON, or a body
// whose object is neither "page" nor "instagram", wraps channel.ErrInvalid;
// events of kinds Atende does not use, or missing their ids, are skipped and
// counted. It never panics on any input (see FuzzParse).
func Parse(body []byte) (Batch, error) {
	var p wirePayload
	if err := json.Unmarshal(body, &p); err != nil {
		return Batch{}, fmt.Errorf("%w: malformed JSON: %v", channel.ErrInvalid, err)
	}
	b := Batch{Object: p.Object}
	switch p.Object {
	case "page":
		b.Platform = PlatformMessenger
	case "instagram":
		b.Platform = PlatformInstagram
	default:
		return Batch{}, fmt.Errorf("%w: object %q is neither page nor instagram", channel.ErrInvalid, p.Object)
	}
	index := map[string]int{}
	for _, e := range p.Entry {
		id := string(e.ID)
		if !validID(id) {
			continue // no channel can own it
		}
		i, ok := index[id]
		if !ok {
			i = len(b.Accounts)
			index[id] = i
			b.Accounts = append(b.Accounts, Account{ID: id, Platform: b.Platform, MediaURLOnly: b.Platform == PlatformInstagram})
		}
		a := &b.Accounts[i]
		for _, raw := range e.Messaging {
			var ev wireEvent
			if err := json.Unmarshal(raw, &ev); err != nil || !a.add(ev) {
				a.Skipped++
			}
		}
	}
	return b, nil
}

func validID(s string) bool {
	return s != "" && len(s) <= maxIDLen && strings.IndexByte(s, 0) < 0
}

// clean drops NUL, which PostgreSQL cannot store in text, from provider text.
func clean(s string) string {
	return strings.ReplaceAll(s, "\x00", "")
}

func msTime(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// add files one messaging event; false means it was skipped.
func (a *Account) add(ev wireEvent) bool {
	sender, recipient := string(ev.Sender.ID), string(ev.Recipient.ID)
	at := msTime(ev.Timestamp)
	switch {
	case ev.Message != nil:
		return a.addMessage(ev.Message, sender, recipient, at)
	case ev.Reaction != nil:
		r := ev.Reaction
		if !validID(sender) || !validID(r.MID) || sender == a.ID {
			return false // the account's own reactions are not echoed, but never store them as the customer's
		}
		emoji := clean(r.Emoji)
		if r.Action == "unreact" {
			emoji = ""
		} else if emoji == "" {
			emoji = reactionEmoji(r.Reaction)
		}
		a.Inbound = append(a.Inbound, channel.Inbound{
			ExternalID: r.MID + ":reaction:" + sender + ":" + strconv.FormatInt(ev.Timestamp, 10),
			Contact:    a.contact(sender),
			Reaction:   &channel.Reaction{MessageID: r.MID, Emoji: emoji},
			At:         at,
		})
		return true
	case ev.Delivery != nil:
		if !validID(sender) {
			return false
		}
		wm := msTime(ev.Delivery.Watermark)
		stAt := at
		if stAt.IsZero() {
			stAt = wm
		}
		for _, mid := range ev.Delivery.MIDs {
			if validID(mid) {
				a.Statuses = append(a.Statuses, channel.Status{ExternalID: mid, Status: channel.StatusDelivered, Recipient: sender, At: stAt})
			}
		}
		if !wm.IsZero() {
			a.Watermarks = append(a.Watermarks, Watermark{Recipient: sender, Status: channel.StatusDelivered, At: wm})
		}
		return true
	case ev.Read != nil:
		if !validID(sender) {
			return false
		}
		used := false
		if validID(ev.Read.MID) { // Instagram: the message seen
			a.Statuses = append(a.Statuses, channel.Status{ExternalID: ev.Read.MID, Status: channel.StatusRead, Recipient: sender, At: at})
			if ev.Read.Watermark == 0 && !at.IsZero() {
				// seeing the latest message is seeing the thread up to it:
				// a reply Atende sent as several messages keeps the mid of
				// its first one only, and Instagram names the last
				a.Watermarks = append(a.Watermarks, Watermark{Recipient: sender, Status: channel.StatusRead, At: at})
			}
			used = true
		}
		if wm := msTime(ev.Read.Watermark); !wm.IsZero() { // Messenger: everything up to here
			a.Watermarks = append(a.Watermarks, Watermark{Recipient: sender, Status: channel.StatusRead, At: wm})
			used = true
		}
		return used
	}
	return false
}

func (a *Account) contact(id string) channel.Contact {
	return channel.Contact{Identities: []channel.Identity{{Kind: identityKind(a.Platform), Value: id}}}
}

func (a *Account) addMessage(m *wireMessage, sender, recipient string, at time.Time) bool {
	if !validID(m.MID) {
		return false
	}
	// is_echo marks the account's own sends; a message whose sender is the
	// account itself is one by definition, flag or not
	if m.IsEcho || sender == a.ID {
		if !validID(recipient) {
			return false
		}
		a.Echoes = append(a.Echoes, Echo{ExternalID: m.MID, Recipient: recipient, AppID: string(m.AppID),
			Metadata: clean(m.Metadata), Text: clean(m.Text), At: at})
		return true
	}
	if !validID(sender) {
		return false
	}
	if m.IsDeleted {
		a.Deleted = append(a.Deleted, m.MID)
		return true
	}
	in := channel.Inbound{ExternalID: m.MID, Contact: a.contact(sender), Text: clean(m.Text), At: at}
	link := func(kind, url, id, title string) {
		a.Links = append(a.Links, Link{MessageID: m.MID, Kind: kind, URL: clean(url), ID: clean(id), Title: clean(title)})
	}
	if r := m.ReplyTo; r != nil {
		if validID(r.MID) {
			in.ReplyTo = r.MID
		}
		if r.Story != nil {
			link(LinkStoryReply, r.Story.URL, string(r.Story.ID), "")
		}
	}
	for _, att := range m.Attachments {
		var p wireAttPayload
		if len(att.Payload) > 0 && json.Unmarshal(att.Payload, &p) != nil {
			p = wireAttPayload{}
		}
		switch att.Type {
		case "image", "video", "audio", "file":
			if p.URL == "" {
				continue // nothing to fetch
			}
			kind := mediaKind[att.Type]
			if att.Type == "image" && (p.StickerID != "" || m.StickerID != "") {
				kind = "sticker"
			}
			in.Media = append(in.Media, channel.Media{Ref: clean(p.URL), Kind: kind})
		case LinkStoryMention, LinkShare:
			link(att.Type, p.URL, "", p.Title)
		case LinkReel, LinkIGReel:
			link(att.Type, p.URL, string(p.ReelVideoID), p.Title)
		case LinkIGPost:
			link(att.Type, p.URL, string(p.IGPostMediaID), p.Title)
		case LinkFallback:
			url, title := att.URL, att.Title
			if url == "" {
				url = p.URL
			}
			if title == "" {
				title = p.Title
			}
			link(LinkFallback, url, "", title)
		}
	}
	if m.IsUnsupported {
		link(LinkUnsupported, "", "", "")
	}
	a.Inbound = append(a.Inbound, in)
	return true
}

// mediaKind maps Meta attachment types to channel.Media kinds.
var mediaKind = map[string]string{"image": "image", "video": "video", "audio": "audio", "file": "document"}

// reactionEmoji renders Meta's reaction names for payloads that carry only
// the name, so a reaction is never mistaken for a removal (empty emoji).
func reactionEmoji(name string) string {
	switch name {
	case "like":
		return "👍"
	case "dislike":
		return "👎"
	case "love":
		return "❤️"
	case "smile", "laugh":
		return "😆"
	case "wow":
		return "😮"
	case "sad":
		return "😢"
	case "angry":
		return "😠"
	case "":
		return "❓"
	}
	return clean(name)
}
