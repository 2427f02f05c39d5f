package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/webhook"
)

// webhookWithSecret is a subscription as created or rotated: the only
// answers that show its signing secret.
type webhookWithSecret struct {
	store.WebhookSubscription
	Secret string `json:"secret"`
}

type webhookInput struct {
	URL         *string   `json:"url"`
	Events      *[]string `json:"events"`
	Description *string   `json:"description"`
	Active      *bool     `json:"active"`
}

// apply validates in and copies it onto sub; the URL is checked against
// the SSRF guard (its host resolved) only when it changes.
func (s *Server) applyWebhook(r *http.Request, in webhookInput, sub *store.WebhookSubscription) error {
	if in.URL != nil && *in.URL != sub.URL {
		if err := s.webhooks().Guard().CheckURL(r.Context(), *in.URL); err != nil {
			return errValidation("url: " + err.Error())
		}
		sub.URL = *in.URL
	}
	if in.Events != nil {
		if len(*in.Events) == 0 {
			return errValidation("events must name at least one event")
		}
		seen := map[string]bool{}
		for _, e := range *in.Events {
			if !slices.Contains(webhook.Events, e) {
				return errValidation(fmt.Sprintf("unknown event %q; events are %v", e, webhook.Events))
			}
			if seen[e] {
				return errValidation(fmt.Sprintf("event %q is listed twice", e))
			}
			seen[e] = true
		}
		sub.Events = *in.Events
	}
	if in.Description != nil {
		if utf8.RuneCountInString(*in.Description) > 500 {
			return errValidation("description has at most 500 characters")
		}
		sub.Description = *in.Description
	}
	if in.Active != nil {
		sub.Active = *in.Active
		if sub.Active {
			sub.DisabledReason = ""
		}
	}
	return nil
}

func (s *Server) webhooks() *webhook.Service { return s.Webhooks }

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	list, err := s.DB.R().Webhooks(r.Context(), viewer(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	var in webhookInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.URL == nil || in.Events == nil {
		return errValidation("url and events are required")
	}
	ws := viewer(r).WorkspaceID
	sub := store.WebhookSubscription{WorkspaceID: ws, Active: true}
	if err := s.applyWebhook(r, in, &sub); err != nil {
		return err
	}
	secret, sealed, err := s.sealWebhookSecret()
	if err != nil {
		return err
	}
	sub.Secret = sealed
	if sub, err = s.DB.W().CreateWebhook(r.Context(), sub); err != nil {
		return err
	}
	s.webhooks().Forget(ws)
	writeJSON(w, http.StatusCreated, webhookWithSecret{WebhookSubscription: sub, Secret: secret})
	return nil
}

func (s *Server) sealWebhookSecret() (secret, sealed string, err error) {
	if s.Secrets == nil {
		return "", "", errors.New("httpapi: no secrets box configured")
	}
	secret = webhook.NewSecret()
	sealed, err = s.Secrets.Seal(secret)
	return secret, sealed, err
}

func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sub, err := s.DB.R().Webhook(r.Context(), viewer(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sub)
	return nil
}

func (s *Server) patchWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in webhookInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	sub, err := s.DB.R().Webhook(r.Context(), ws, id)
	if err != nil {
		return err
	}
	if err := s.applyWebhook(r, in, &sub); err != nil {
		return err
	}
	if sub, err = s.DB.W().UpdateWebhook(r.Context(), sub); err != nil {
		return err
	}
	s.webhooks().Forget(ws)
	writeJSON(w, http.StatusOK, sub)
	return nil
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	if err := s.DB.W().DeleteWebhook(r.Context(), ws, id); err != nil {
		return err
	}
	s.webhooks().Forget(ws)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// rotateWebhookSecret replaces the signing secret and shows the new one once.
func (s *Server) rotateWebhookSecret(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	sub, err := s.DB.R().Webhook(r.Context(), ws, id)
	if err != nil {
		return err
	}
	secret, sealed, err := s.sealWebhookSecret()
	if err != nil {
		return err
	}
	sub.Secret = sealed
	if sub, err = s.DB.W().UpdateWebhook(r.Context(), sub); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, webhookWithSecret{WebhookSubscription: sub, Secret: secret})
	return nil
}

type deliveryPage struct {
	Deliveries []store.WebhookDelivery `json:"deliveries"`
	// NextBefore continues the list (?before=); null on the last page.
	NextBefore *int64 `json:"next_before"`
}

func (s *Server) listWebhookDeliveries(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	before, err := queryInt(r, "before")
	if err != nil {
		return err
	}
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return errBadRequest("limit must be between 1 and 200")
		}
		limit = n
	}
	ws := viewer(r).WorkspaceID
	q := s.DB.R()
	if _, err := q.Webhook(r.Context(), ws, id); err != nil {
		return err
	}
	list, err := q.Deliveries(r.Context(), ws, id, before, limit+1)
	if err != nil {
		return err
	}
	page := deliveryPage{Deliveries: list}
	if len(list) > limit {
		page.Deliveries = list[:limit]
		next := list[limit-1].ID
		page.NextBefore = &next
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) resendWebhookDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	did, err := pathID(r, "deliveryID")
	if err != nil {
		return err
	}
	d, err := s.webhooks().Resend(r.Context(), viewer(r).WorkspaceID, id, did)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, d)
	return nil
}

func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.webhooks().SendTest(r.Context(), viewer(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, d)
	return nil
}
