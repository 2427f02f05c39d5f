package widget

import (
	"strconv"
	"strings"

	"github.com/atende/atende/internal/store"
)

// Message is a message as the visitor sees it: no internal ids of users,
// no notes, no events.
type Message struct {
	ID          int64        `json:"id"`
	Direction   string       `json:"direction"`
	Sender      string       `json:"sender"`
	AgentName   string       `json:"agent_name,omitempty"`
	Content     string       `json:"content"`
	Attachments []Attachment `json:"attachments"`
	Status      string       `json:"status"`
	CreatedAt   int64        `json:"created_at"`
	// Choices are a bot menu's options, offered as buttons while it is the
	// latest message.
	Choices []string `json:"choices,omitempty"`
}

// Attachment is a file of a message, fetched with the visitor's token.
type Attachment struct {
	ID          int64  `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
}

// Visible reports whether the visitor may see m: customer messages and
// replies to them, never notes or events.
func Visible(m store.Message) bool {
	return (m.Direction == store.DirIn || m.Direction == store.DirOut) && m.Kind != store.KindNote && m.Kind != store.KindEvent
}

// View is m as the visitor sees it; name tells an agent's display name.
// attachmentPath is the API path of the widget's attachments
// (/api/v1/widget/<key>/attachments/). The visitor's own messages are
// "sent" once stored and "read" once the team read the conversation past
// them (teamReadUpTo, Unix ms).
func View(m store.Message, name func(userID int64) string, attachmentPath string, teamReadUpTo int64) Message {
	v := Message{ID: m.ID, Direction: m.Direction, Content: m.Content, Status: m.Status, CreatedAt: m.CreatedAt, Attachments: []Attachment{}, Choices: m.Choices}
	switch {
	case m.Direction == store.DirIn:
		v.Sender = "visitor"
		v.Status = store.DeliverySent
		if m.CreatedAt <= teamReadUpTo {
			v.Status = store.DeliveryRead
		}
	case m.SenderType == store.SenderBot:
		v.Sender = "bot"
	default:
		v.Sender = "agent"
		if m.SenderID != nil && name != nil {
			v.AgentName = FirstName(name(*m.SenderID))
		}
	}
	for _, a := range m.Attachments {
		v.Attachments = append(v.Attachments, Attachment{ID: a.ID, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size,
			URL: attachmentPath + strconv.FormatInt(a.ID, 10)})
	}
	return v
}

// FirstName is how an agent introduces themselves to customers: their
// first name only.
func FirstName(full string) string {
	f := strings.Fields(full)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// ConversationView is the visitor's view of their conversation.
type ConversationView struct {
	ID     int64       `json:"id"`
	Status string      `json:"status"`
	Rated  bool        `json:"rated"`
	Rating *RatingView `json:"rating"`
}

// RatingView is a rating as the visitor gave it.
type RatingView struct {
	Score   int    `json:"score"`
	Comment string `json:"comment"`
}

// AgentView is who answers the visitor.
type AgentView struct {
	Name     string `json:"name"`
	Initials string `json:"initials"`
}

// Agent is the view of the agent called full, nil when nobody is.
func Agent(full string) *AgentView {
	first := FirstName(full)
	if first == "" {
		return nil
	}
	return &AgentView{Name: first, Initials: initials(full)}
}

func initials(full string) string {
	var b strings.Builder
	for i, w := range strings.Fields(full) {
		if i == 0 || i == len(strings.Fields(full))-1 {
			r := []rune(w)
			b.WriteString(strings.ToUpper(string(r[0])))
		}
	}
	return b.String()
}
