package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/atende/atende/internal/blob"
	"github.com/atende/atende/internal/channel/apichannel"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/store"
)

// apiError is an error with the HTTP status and code the client sees.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errBadRequest(msg string) error { return &apiError{http.StatusBadRequest, "bad_request", msg} }
func errValidation(msg string) error {
	return &apiError{http.StatusUnprocessableEntity, "validation_failed", msg}
}
func errForbidden(msg string) error { return &apiError{http.StatusForbidden, "forbidden", msg} }
func errNotFound() error            { return &apiError{http.StatusNotFound, "not_found", "not found"} }

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError maps domain errors to the JSON error envelope. Unknown errors
// are logged and answered 500 without detail.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, code, msg := http.StatusInternalServerError, "internal", "internal error"
	var ae *apiError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		status, code, msg = ae.Status, ae.Code, ae.Message
	case errors.As(err, &mbe):
		status, code, msg = http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("request body larger than %d bytes", mbe.Limit)
	case errors.Is(err, blob.ErrTooLarge):
		status, code, msg = http.StatusRequestEntityTooLarge, "too_large", "attachment larger than the configured limit"
	case errors.Is(err, store.ErrNotFound):
		status, code, msg = http.StatusNotFound, "not_found", "not found"
	case errors.Is(err, conversation.ErrTransition):
		status, code, msg = http.StatusConflict, "invalid_transition", strip(err, conversation.ErrTransition)
	case errors.Is(err, conversation.ErrForbidden):
		status, code, msg = http.StatusForbidden, "forbidden", strip(err, conversation.ErrForbidden)
	case errors.Is(err, conversation.ErrInvalid):
		status, code, msg = http.StatusUnprocessableEntity, "validation_failed", strip(err, conversation.ErrInvalid)
	case errors.Is(err, apichannel.ErrTooLarge):
		status, code, msg = http.StatusRequestEntityTooLarge, "too_large", "attachment larger than the configured limit"
	case errors.Is(err, apichannel.ErrInvalid):
		status, code, msg = http.StatusBadRequest, "bad_request", strip(err, apichannel.ErrInvalid)
	case errors.Is(err, store.ErrBadCursor):
		status, code, msg = http.StatusBadRequest, "bad_request", "invalid cursor"
	case errors.Is(err, store.ErrInvalid):
		status, code, msg = http.StatusBadRequest, "bad_request", strip(err, store.ErrInvalid)
	case errors.Is(err, store.ErrConflict):
		status, code, msg = http.StatusConflict, "conflict", "conflicts with an existing record"
	case errors.Is(err, store.ErrBadReference):
		status, code, msg = http.StatusUnprocessableEntity, "validation_failed", "refers to something that does not exist"
	default:
		if r.Context().Err() == nil {
			s.log.Error("http: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		}
	}
	var body errorBody
	body.Error.Code, body.Error.Message = code, msg
	writeJSON(w, status, body)
}

// strip removes the sentinel's own text from a wrapped error message.
func strip(err, sentinel error) string {
	m := err.Error()
	if i := strings.Index(m, sentinel.Error()+": "); i >= 0 {
		return m[i+len(sentinel.Error())+2:]
	}
	return m
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	if err := enc.Encode(v); err != nil {
		slog.Debug("http: write response", "err", err)
	}
}

// maxJSONBody bounds every JSON request body except inbound channel messages.
const maxJSONBody = 1 << 20

// decode reads one strict JSON object into dst: unknown fields, wrong types,
// trailing data and oversized bodies are 4xx errors.
func decode(w http.ResponseWriter, r *http.Request, dst any, limit int64) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var mbe *http.MaxBytesError
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe):
			return err
		case errors.Is(err, io.EOF):
			return errBadRequest("request body is empty")
		case errors.As(err, &se):
			return errBadRequest(fmt.Sprintf("malformed JSON at byte %d", se.Offset))
		case errors.As(err, &te):
			return errBadRequest(fmt.Sprintf("field %q must be %s", te.Field, te.Type))
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return errBadRequest(strings.TrimPrefix(err.Error(), "json: "))
		default:
			return errBadRequest("malformed JSON: " + err.Error())
		}
	}
	if dec.More() {
		return errBadRequest("trailing data after the JSON object")
	}
	if hasNUL(reflect.ValueOf(dst)) {
		return errNUL
	}
	return nil
}

// requireJSON refuses a request body declared as anything but JSON.
func requireJSON(r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &apiError{http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be application/json"}
	}
	return nil
}

// errNUL refuses text with U+0000: PostgreSQL cannot store it in text
// columns, so both engines refuse it alike instead of one answering 500.
var errNUL = errBadRequest("text must not contain the NUL character (\\u0000)")

// hasNUL reports whether any string reachable from v contains a NUL byte.
func hasNUL(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return strings.IndexByte(v.String(), 0) >= 0
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && hasNUL(v.Elem())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() && hasNUL(v.Field(i)) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if hasNUL(v.Index(i)) {
				return true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if hasNUL(it.Key()) || hasNUL(it.Value()) {
				return true
			}
		}
	}
	return false
}

// tooLarge reports whether err is a body over its MaxBytesReader limit,
// also when a parser flattened it into its own message.
func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe) || strings.Contains(err.Error(), "http: request body too large")
}

// pathID parses a positive integer path parameter.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound()
	}
	return id, nil
}

func queryInt(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errBadRequest(name + " must be a non-negative integer")
	}
	return n, nil
}

// deleteIn answers DELETE …/{id} with del, a store method that deletes one
// row of the viewer's workspace by id (ErrNotFound: 404), and 204.
func (s *Server) deleteIn(del func(q store.Q, ctx context.Context, ws, id int64) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := del(s.DB.W(), r.Context(), viewer(r).WorkspaceID, id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// readWebhookBody reads a provider webhook's raw body (signatures are over
// the exact bytes), at most limit bytes.
func readWebhookBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if tooLarge(err) {
			return nil, &apiError{http.StatusRequestEntityTooLarge, "too_large", "request body too large"}
		}
		return nil, errBadRequest("could not read the body")
	}
	return body, nil
}

// writeChallenge answers a webhook verification handshake with the
// challenge as plain text, never rendered as a page.
func writeChallenge(w http.ResponseWriter, challenge string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, challenge)
}
