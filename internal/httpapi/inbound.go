package httpapi

import (
	"bytes"
	"errors"
	"net/http"
	"strings"

	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/channel/apichannel"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/store"
)

// channelFromToken authenticates an inbound request by the channel token in
// the Authorization header.
func (s *Server) channelFromToken(r *http.Request) (store.Channel, error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !strings.HasPrefix(token, auth.PrefixChannel) {
		return store.Channel{}, &apiError{http.StatusUnauthorized, "unauthenticated", "send the channel token as Authorization: Bearer atc_…"}
	}
	ch, err := s.DB.R().ChannelByTokenHash(r.Context(), auth.HashToken(token))
	if errors.Is(err, store.ErrNotFound) || err == nil && ch.Kind != apichannel.Kind {
		// provider channels take their traffic on their webhook only
		return store.Channel{}, &apiError{http.StatusUnauthorized, "unauthenticated", "unknown channel token"}
	}
	return ch, err
}

type inboundResponse struct {
	MessageID      int64 `json:"message_id"`
	ConversationID int64 `json:"conversation_id"`
	ContactID      int64 `json:"contact_id"`
	Duplicate      bool  `json:"duplicate"`
}

// apiInbound receives a customer message from the company's app. It answers
// 201 (or 200 for a repeated message_id) only after the message is committed.
func (s *Server) apiInbound(w http.ResponseWriter, r *http.Request) error {
	ch, err := s.channelFromToken(r)
	if err != nil {
		return err
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	// base64 grows a file by 4/3; leave room for the JSON around it
	r.Body = http.MaxBytesReader(w, r.Body, s.Blobs.MaxSize*4/3+64<<10)
	in, err := apichannel.ParseInbound(r.Body, s.Blobs.MaxSize)
	if err != nil {
		if tooLarge(err) {
			return &apiError{http.StatusRequestEntityTooLarge, "too_large", "request body too large"}
		}
		return err
	}
	msg := conversation.Inbound{ContactExternalID: in.Contact.ID, ContactName: in.Contact.Name, ContactPhone: in.Contact.Phone,
		ContactEmail: in.Contact.Email, ExternalID: in.MessageID, Text: in.Text}
	var saved string
	if in.File != nil {
		b, err := s.Blobs.Save(bytes.NewReader(in.File))
		if err != nil {
			return err
		}
		saved = b.Key
		msg.Attachment = &store.Attachment{Filename: in.Attachment.Filename, ContentType: b.ContentType, Size: b.Size, SHA256: b.SHA256, StorageKey: b.Key}
	}
	res, err := s.Conversations.Receive(r.Context(), ch, msg)
	if err != nil || res.Duplicate {
		if saved != "" {
			_ = s.Blobs.Remove(saved) // the row was not written (or already existed): no orphan file
		}
	}
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Duplicate {
		status = http.StatusOK
	}
	writeJSON(w, status, inboundResponse{MessageID: res.Message.ID, ConversationID: res.Conversation.ID, ContactID: res.Conversation.ContactID, Duplicate: res.Duplicate})
	return nil
}

// apiStatus receives a delivery status for a message Atende sent to the app.
func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) error {
	ch, err := s.channelFromToken(r)
	if err != nil {
		return err
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	p, err := apichannel.ParseStatus(r.Body)
	if err != nil {
		if tooLarge(err) {
			return &apiError{http.StatusRequestEntityTooLarge, "too_large", "request body too large"}
		}
		return err
	}
	m, err := s.DB.R().MessageByID(r.Context(), ch.WorkspaceID, p.MessageID)
	if err != nil {
		return err
	}
	if m.ChannelID != ch.ID || m.Direction != store.DirOut {
		return errNotFound()
	}
	if err := s.Conversations.SetDelivery(r.Context(), ch.WorkspaceID, m.ID, p.Status, p.Error); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
