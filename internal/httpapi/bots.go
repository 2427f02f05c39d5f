package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/automation/bot"
	"github.com/atende/atende/internal/store"
)

type botInput struct {
	Name        *string         `json:"name"`
	Kind        *string         `json:"kind"`
	Enabled     *bool           `json:"enabled"`
	Flow        json.RawMessage `json:"flow"`
	URL         *string         `json:"url"`
	RotateToken bool            `json:"rotate_token"`
}

// botWithCredentials is an agent bot as created or rotated: the only
// answers that show its API token and signing secret.
type botWithCredentials struct {
	store.Bot
	Token  string `json:"token,omitempty"`
	Secret string `json:"secret,omitempty"`
}

const maxBotName = 80

// applyBot validates in and copies it onto b. A flow is stored in its
// canonical form (what the parser read, written back).
func (s *Server) applyBot(ctx context.Context, ws int64, in botInput, b *store.Bot) error {
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" || utf8.RuneCountInString(name) > maxBotName {
			return errValidation(fmt.Sprintf("name is required, %d characters at most", maxBotName))
		}
		b.Name = name
	}
	if in.Enabled != nil {
		b.Enabled = *in.Enabled
	}
	if in.Flow != nil {
		if b.Kind != store.BotFlow {
			return errValidation("only a flow bot has a flow")
		}
		f, err := bot.Parse(in.Flow)
		if err != nil {
			return errValidation("flow: " + strings.TrimPrefix(err.Error(), bot.ErrInvalid.Error()+": "))
		}
		if err := s.checkFlowRefs(ctx, ws, f); err != nil {
			return err
		}
		b.Flow, _ = json.Marshal(f)
	}
	if in.URL != nil {
		if b.Kind != store.BotAgent {
			return errValidation("only an agent bot has a url")
		}
		u := strings.TrimSpace(*in.URL)
		if err := s.Webhooks.Guard().CheckURL(ctx, u); err != nil {
			return errValidation("url: " + err.Error())
		}
		b.URL = u
	}
	return nil
}

// checkFlowRefs refuses departments and labels that are not the
// workspace's own: a flow must never reach another tenant's.
func (s *Server) checkFlowRefs(ctx context.Context, ws int64, f *bot.Flow) error {
	q := s.DB.R()
	var depts, labels map[int64]bool
	for _, st := range f.Steps {
		if st.DepartmentID != 0 {
			if depts == nil {
				list, err := q.Departments(ctx, ws)
				if err != nil {
					return err
				}
				depts = map[int64]bool{}
				for _, d := range list {
					depts[d.ID] = true
				}
			}
			if !depts[st.DepartmentID] {
				return errValidation(fmt.Sprintf("flow: step %q: department %d is not one of this workspace's", st.ID, st.DepartmentID))
			}
		}
		ids := slices.Clone(st.LabelIDs)
		for _, br := range st.Branches {
			ids = append(ids, br.When.HasLabelIDs...)
			ids = append(ids, br.When.LacksLabelIDs...)
		}
		for _, id := range ids {
			if labels == nil {
				list, err := q.Labels(ctx, ws)
				if err != nil {
					return err
				}
				labels = map[int64]bool{}
				for _, l := range list {
					labels[l.ID] = true
				}
			}
			if !labels[id] {
				return errValidation(fmt.Sprintf("flow: step %q: label %d is not one of this workspace's", st.ID, id))
			}
		}
	}
	return nil
}

// newBotCredentials makes an agent bot's API token and signing secret;
// only their hash and sealed form are stored.
func (s *Server) newBotCredentials(b *store.Bot) (token, secret string, err error) {
	token, hash := auth.NewToken(auth.PrefixBot)
	b.TokenHash, b.TokenPrefix = hash, token[:len(auth.PrefixBot)+6]
	secret, sealed, err := s.sealWebhookSecret()
	if err != nil {
		return "", "", err
	}
	b.Secret = sealed
	return token, secret, nil
}

func (s *Server) deleteBot(w http.ResponseWriter, r *http.Request) error {
	if err := s.deleteIn(store.Q.DeleteBot)(w, r); err != nil {
		return err
	}
	s.Conversations.ForgetBots(viewer(r).WorkspaceID)
	return nil
}

func (s *Server) listBots(w http.ResponseWriter, r *http.Request) error {
	list, err := s.DB.R().Bots(r.Context(), viewer(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) getBot(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := s.DB.R().Bot(r.Context(), viewer(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

func (s *Server) createBot(w http.ResponseWriter, r *http.Request) error {
	var in botInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.Name == nil || in.Kind == nil {
		return errValidation("name and kind are required")
	}
	ws := viewer(r).WorkspaceID
	b := store.Bot{WorkspaceID: ws, Kind: *in.Kind, Enabled: true}
	switch b.Kind {
	case store.BotFlow:
		if in.Flow == nil {
			return errValidation("a flow bot needs a flow")
		}
	case store.BotAgent:
		if in.URL == nil {
			return errValidation("an agent bot needs a url")
		}
	default:
		return errValidation(`kind must be "flow" or "agent"`)
	}
	if err := s.applyBot(r.Context(), ws, in, &b); err != nil {
		return err
	}
	var out botWithCredentials
	if b.Kind == store.BotAgent {
		var err error
		if out.Token, out.Secret, err = s.newBotCredentials(&b); err != nil {
			return err
		}
	}
	b, err := s.DB.W().CreateBot(r.Context(), b)
	if err != nil {
		return err // a name taken is a conflict (409)
	}
	s.Conversations.ForgetBots(ws)
	out.Bot = b
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) patchBot(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in botInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	b, err := s.DB.R().Bot(r.Context(), ws, id)
	if err != nil {
		return err
	}
	if in.Kind != nil && *in.Kind != b.Kind {
		return errValidation("a bot's kind cannot change")
	}
	if err := s.applyBot(r.Context(), ws, in, &b); err != nil {
		return err
	}
	var out botWithCredentials
	if in.RotateToken {
		if b.Kind != store.BotAgent {
			return errValidation("only an agent bot has a token")
		}
		if out.Token, out.Secret, err = s.newBotCredentials(&b); err != nil {
			return err
		}
	}
	b, err = s.DB.W().UpdateBot(r.Context(), b)
	if err != nil {
		return err
	}
	s.Conversations.ForgetBots(ws)
	out.Bot = b
	writeJSON(w, http.StatusOK, out)
	return nil
}

type botTestInput struct {
	// Flow is a draft to try before saving; the bot's saved flow otherwise.
	Flow json.RawMessage `json:"flow"`
	// State is where the conversation waits; absent: a new conversation.
	State *bot.State `json:"state"`
	Input string     `json:"input"`
	// Contact is the pretend customer the conditions look at.
	Contact struct {
		Name       string         `json:"name"`
		Attributes map[string]any `json:"attributes"`
		LabelIDs   []int64        `json:"label_ids"`
	} `json:"contact"`
	// Open: within business hours (default true).
	Open *bool `json:"open"`
}

type botTestAction struct {
	Kind         string   `json:"kind"`
	Step         string   `json:"step"`
	Text         string   `json:"text,omitempty"`
	Choices      []string `json:"choices,omitempty"`
	Attribute    string   `json:"attribute,omitempty"`
	Value        any      `json:"value,omitempty"`
	LabelIDs     []int64  `json:"label_ids,omitempty"`
	DepartmentID int64    `json:"department_id,omitempty"`
}

type botTestResult struct {
	Actions []botTestAction `json:"actions"`
	State   bot.State       `json:"state"`
	Done    bool            `json:"done"`
	Steps   int             `json:"steps"`
	// Attributes are the pretend contact's attributes after the turn, for
	// the panel's next turn.
	Attributes map[string]any `json:"attributes"`
	LabelIDs   []int64        `json:"label_ids"`
}

// testBot runs one turn of a flow against a pretend customer: the flow
// test panel. Nothing is stored or sent.
func (s *Server) testBot(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in botTestInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	b, err := s.DB.R().Bot(r.Context(), viewer(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	if b.Kind != store.BotFlow {
		return errValidation("only a flow bot can be tried here")
	}
	raw := b.Flow
	if in.Flow != nil {
		raw = in.Flow
	}
	f, err := bot.Parse(raw)
	if err != nil {
		return errValidation("flow: " + strings.TrimPrefix(err.Error(), bot.ErrInvalid.Error()+": "))
	}
	env := bot.Env{ContactName: in.Contact.Name, Attributes: in.Contact.Attributes, LabelIDs: in.Contact.LabelIDs, Open: in.Open == nil || *in.Open}
	if env.Attributes == nil {
		env.Attributes = map[string]any{}
	}
	var res bot.Result
	if in.State == nil {
		res = bot.Start(f, env)
	} else {
		res = bot.Advance(f, *in.State, in.Input, env)
	}
	out := botTestResult{Actions: []botTestAction{}, State: res.State, Done: res.Done, Steps: res.Steps,
		Attributes: env.Attributes, LabelIDs: slices.Clone(env.LabelIDs)}
	if out.LabelIDs == nil {
		out.LabelIDs = []int64{}
	}
	for _, a := range res.Actions {
		out.Actions = append(out.Actions, botTestAction{Kind: a.Kind, Step: a.StepID, Text: a.Text, Choices: a.Choices, Attribute: a.Attribute,
			Value: a.Value, LabelIDs: a.LabelIDs, DepartmentID: a.DepartmentID})
		switch a.Kind {
		case bot.ActSetAttribute:
			out.Attributes[a.Attribute] = a.Value
		case bot.ActAddLabels:
			for _, l := range a.LabelIDs {
				if !slices.Contains(out.LabelIDs, l) {
					out.LabelIDs = append(out.LabelIDs, l)
				}
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
