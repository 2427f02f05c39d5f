package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/atende/atende/internal/blob"
	"github.com/atende/atende/internal/store"
)

// uploadAttachment stores a file sent as multipart field "file"; it stays
// private to the uploader until a message claims it.
func (s *Server) uploadAttachment(w http.ResponseWriter, r *http.Request) error {
	b, name, err := s.receiveUpload(w, r)
	if err != nil {
		return err
	}
	v := viewer(r)
	at, err := s.DB.W().InsertAttachment(r.Context(), store.Attachment{WorkspaceID: v.WorkspaceID, UploaderID: &v.UserID, Filename: name,
		ContentType: b.ContentType, Size: b.Size, SHA256: b.SHA256, StorageKey: b.Key})
	if err != nil {
		_ = s.Blobs.Remove(b.Key)
		return err
	}
	writeJSON(w, http.StatusCreated, at)
	return nil
}

// receiveUpload stores the "file" field of a multipart request and
// returns the stored file and its (base) name; the caller records it or
// removes it.
func (s *Server) receiveUpload(w http.ResponseWriter, r *http.Request) (blob.Saved, string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.Blobs.MaxSize+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return blob.Saved{}, "", errBadRequest("send multipart/form-data with a \"file\" field")
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return blob.Saved{}, "", err
			}
			return blob.Saved{}, "", errBadRequest("multipart body has no \"file\" field")
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		name := filepath.Base(strings.ReplaceAll(part.FileName(), "\\", "/"))
		if name == "" || name == "." || name == "/" || len(name) > 255 {
			return blob.Saved{}, "", errValidation("the file needs a name of at most 255 bytes")
		}
		body := &readErr{r: part}
		b, err := s.Blobs.Save(body)
		if err != nil {
			if body.err != nil && !errors.Is(err, blob.ErrTooLarge) {
				// the client's body broke off: its fault, not the disk's
				var mbe *http.MaxBytesError
				if errors.As(body.err, &mbe) {
					return blob.Saved{}, "", body.err
				}
				return blob.Saved{}, "", errBadRequest("the multipart body ended before the file did")
			}
			return blob.Saved{}, "", err
		}
		return b, name, nil
	}
}

// eraseWithFiles deletes the object named by the path's id with del, which
// returns the storage keys of the attachments that went with it, and removes
// those files after commit. A failed file removal leaves an unreachable file
// (its row is gone), so it is logged, not returned.
func (s *Server) eraseWithFiles(w http.ResponseWriter, r *http.Request, del func(q store.Q, ctx context.Context, ws, id int64) ([]string, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var keys []string
	err = s.DB.Tx(r.Context(), func(q store.Q) error {
		keys, err = del(q, r.Context(), viewer(r).WorkspaceID, id)
		return err
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := s.Blobs.Remove(k); err != nil {
			s.log.Warn("http: remove attachment file", "key", k, "err", err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getAttachment streams a file to a user who may see its conversation.
// The sniffed type is served with nosniff and, except for images, audio and
// video, as a download, so an uploaded page can never run in our origin.
func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	at, err := s.DB.R().AttachmentForViewer(r.Context(), viewer(r), id)
	if err != nil {
		return err
	}
	return s.serveAttachment(w, r, at)
}

// serveAttachment answers a stored file: inline for media, as a download
// otherwise, never rendered as a page of ours.
func (s *Server) serveAttachment(w http.ResponseWriter, r *http.Request, at store.Attachment) error {
	f, err := s.Blobs.Open(at.StorageKey)
	if err != nil {
		return fmt.Errorf("attachment %d: %w", at.ID, err)
	}
	defer f.Close()
	w.Header().Set("Content-Type", at.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	disp := "attachment"
	if strings.HasPrefix(at.ContentType, "image/") || strings.HasPrefix(at.ContentType, "audio/") || strings.HasPrefix(at.ContentType, "video/") {
		disp = "inline"
	}
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": at.Filename}))
	http.ServeContent(w, r, "", time.UnixMilli(at.CreatedAt), f)
	return nil
}

// readErr remembers the error of the reader it wraps, so a failed save can
// tell a broken request body from a storage fault.
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}
