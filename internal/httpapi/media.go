package httpapi

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/store"
)

// publicMedia serves one stored attachment to whoever holds a signed link
// to it (internal/medialink): the way an SMS provider fetches the media of
// an MMS, with no session. A link that is malformed, altered, signed with
// another key or expired, and one whose attachment was erased meanwhile,
// all answer the same 404, so probing tells nothing.
func (s *Server) publicMedia(w http.ResponseWriter, r *http.Request) error {
	if s.MediaLinks == nil {
		return errNotFound()
	}
	link, err := s.MediaLinks.Verify(r.PathValue("token"))
	if err != nil {
		return errNotFound()
	}
	// the link's workspace sees every attachment of its own messages; an
	// upload no message claimed is never published
	v := access.Viewer{WorkspaceID: link.WorkspaceID, Role: access.RoleAdmin}
	at, err := s.DB.R().AttachmentForViewer(r.Context(), v, link.AttachmentID)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound()
	} else if err != nil {
		return err
	}
	if at.MessageID == nil {
		return errNotFound()
	}
	f, err := s.Blobs.Open(at.StorageKey)
	if err != nil {
		// the row outlived its file (an erase in progress): gone all the same
		s.log.Warn("http: public media without its file", "attachment", at.ID, "err", err)
		return errNotFound()
	}
	defer f.Close()
	w.Header().Set("Content-Type", at.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	maxAge := int64(s.MediaLinks.MaxAge(link) / time.Second)
	w.Header().Set("Cache-Control", "private, max-age="+strconv.FormatInt(maxAge, 10))
	w.Header().Set("Referrer-Policy", "no-referrer")
	disp := "attachment"
	if strings.HasPrefix(at.ContentType, "image/") || strings.HasPrefix(at.ContentType, "audio/") || strings.HasPrefix(at.ContentType, "video/") {
		disp = "inline"
	}
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": at.Filename}))
	http.ServeContent(w, r, "", time.UnixMilli(at.CreatedAt), f)
	return nil
}
