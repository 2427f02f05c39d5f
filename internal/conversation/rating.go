package conversation

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atende/atende/internal/store"
)

// MaxRatingComment bounds a customer's comment on a rating.
const MaxRatingComment = 1000

// ErrAlreadyRated refuses a second rating of the same conversation.
var ErrAlreadyRated = errors.New("this conversation was already rated")

// Rate records a customer's rating (1–5, CSAT) of a resolved conversation
// of theirs, once, with the agent and department it had, and adds it to
// the conversation's timeline.
func (s *Service) Rate(ctx context.Context, ws, conversationID, contactID int64, score int, comment string) (store.Rating, error) {
	comment = strings.TrimSpace(comment)
	if score < 1 || score > 5 {
		return store.Rating{}, invalid("score must be 1 to 5")
	}
	if utf8.RuneCountInString(comment) > MaxRatingComment || !utf8.ValidString(comment) || strings.ContainsRune(comment, 0) {
		return store.Rating{}, invalid("comment has at most %d characters", MaxRatingComment)
	}
	var out store.Rating
	var chg change
	err := s.db.Tx(ctx, func(q store.Q) error {
		c, err := q.LockConversation(ctx, ws, conversationID)
		if err != nil {
			return err
		}
		if c.ContactID != contactID {
			return store.ErrNotFound
		}
		if c.Status != store.StatusResolved {
			return transition("rate", c.Status)
		}
		out, err = q.InsertRating(ctx, store.Rating{ConversationID: c.ID, WorkspaceID: ws, ContactID: contactID,
			AssigneeID: c.AssigneeID, DepartmentID: c.DepartmentID, Score: score, Comment: comment})
		if errors.Is(err, store.ErrConflict) {
			return ErrAlreadyRated
		} else if err != nil {
			return err
		}
		ev := eventMessage(c, s.nowMS(), store.SenderContact, contactID, store.Event{Type: "rated", To: strconv.Itoa(score), Detail: comment})
		if ev, err = q.InsertMessage(ctx, ev); err != nil {
			return err
		}
		chg.conv, chg.prevDept, chg.prevUser = c, c.Dept(), c.Assignee()
		chg.messages = []store.Message{ev}
		return s.outbox(ctx, q, &chg)
	})
	if err != nil {
		return out, err
	}
	s.publish(ctx, chg)
	return out, nil
}

// csatWindow is how long after a resolve a bare score answers the rating
// request; later, the customer is starting a new conversation.
const csatWindow = 24 * time.Hour

// ratingAnswer reads an inbound message as the answer to the rating
// request of the resolved conversation c: a score 1–5 ("5", "4/5", "3
// estrelas", "⭐⭐⭐⭐"), within csatWindow of the resolve, when the request
// was sent (a bot message after the resolve, with rating requests on) and
// c has no rating yet. It returns 0 for anything else.
func (s *Service) ratingAnswer(ctx context.Context, q store.Q, c store.Conversation, in Inbound, now int64) (int, error) {
	score := ParseScore(in.Text)
	if score == 0 || in.Attachment != nil || c.ResolvedAt == nil || now-*c.ResolvedAt > csatWindow.Milliseconds() {
		return 0, nil
	}
	if _, err := q.RatingOf(ctx, c.WorkspaceID, c.ID); err == nil {
		return 0, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	texts, err := q.EffectiveAutomationMessages(ctx, c.WorkspaceID, c.Dept())
	if err != nil || !texts.CSATEnabled {
		return 0, err
	}
	asked, err := q.BotMessagesSince(ctx, c.ID, *c.ResolvedAt)
	if err != nil || asked == 0 {
		return 0, err
	}
	return score, nil
}

var scoreRe = regexp.MustCompile(`(?i)^(?:nota\s*)?([1-5])\s*(?:/\s*5|de\s*5|estrelas?|stars?|pontos?)?\s*[.!]*$`)

// ParseScore reads a customer's 1–5 rating from a short answer: a digit
// (with "/5", "de 5", "estrelas", "stars"), or one to five stars; 0 when the
// text is anything else.
func ParseScore(text string) int {
	t := strings.TrimSpace(text)
	if m := scoreRe.FindStringSubmatch(t); m != nil {
		return int(m[1][0] - '0')
	}
	n := 0
	for _, r := range t {
		switch r {
		case '⭐', '★':
			n++
		case '\uFE0F', ' ':
		default:
			return 0
		}
	}
	if n >= 1 && n <= 5 {
		return n
	}
	return 0
}
