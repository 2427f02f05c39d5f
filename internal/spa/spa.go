// Package spa serves a built single-page app (the agent web app that Vite
// writes to web/dist/app) from a file system: files by path, hashed build
// assets cached for good, and index.html for every other GET path so that
// client-side routes (/inbox/mine/42, /settings/labels, /login) load the
// app. Text files are gzipped once, at first use, and kept in memory.
//
// The embedding itself lives in package web (web/embed.go); this package
// takes any fs.FS so that it can be tested without a UI build.
package spa

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// Cache-Control values.
const (
	// CacheImmutable is sent with files under /assets/: Vite names them by
	// content hash, so a name never changes meaning.
	CacheImmutable = "public, max-age=31536000, immutable"
	// CacheRevalidate is sent with everything else (index.html above all):
	// browsers keep it but ask again (the ETag makes that cheap), so a new
	// deployment is picked up on the next load.
	CacheRevalidate = "no-cache"
)

// minGzip is the smallest file worth compressing.
const minGzip = 512

// New returns a handler serving the app in fsys, whose root holds
// index.html. A missing index.html makes every page answer 404.
func New(fsys fs.FS) http.Handler {
	return &handler{fsys: fsys, files: map[string]*file{}}
}

type handler struct {
	fsys  fs.FS
	mu    sync.Mutex
	files map[string]*file // by path in fsys; only files that exist
}

// file is one file of the app, read and compressed at first use.
type file struct {
	once     sync.Once
	err      error
	ctype    string
	body, gz []byte // gz is nil when the file is not worth compressing
	etag     string // of body; gz has its own
	etagGz   string
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "the web app answers GET and HEAD only")
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	f := h.open(name)
	if f == nil {
		// A missing asset or file (anything with an extension) is a 404:
		// answering the app's HTML to a script or image request hides the
		// error. Any other path is a route of the app.
		if name == "assets" || strings.HasPrefix(name, "assets/") || path.Ext(name) != "" {
			writeError(w, http.StatusNotFound, "not_found", "not found")
			return
		}
		name = "index.html"
		if f = h.open(name); f == nil {
			writeError(w, http.StatusNotFound, "not_found", "the web app is not built into this binary")
			return
		}
	}
	hd := w.Header()
	if strings.HasPrefix(name, "assets/") {
		hd.Set("Cache-Control", CacheImmutable)
	} else {
		hd.Set("Cache-Control", CacheRevalidate)
	}
	hd.Set("Content-Type", f.ctype)
	hd.Set("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(f.ctype, "text/html") {
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
	}
	body, etag := f.body, f.etag
	if f.gz != nil {
		hd.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			body, etag = f.gz, f.etagGz
			hd.Set("Content-Encoding", "gzip")
		}
	}
	hd.Set("ETag", etag)
	// ServeContent answers HEAD, If-None-Match (304) and ranges.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// open returns the regular file name of the app, loaded, or nil when there
// is none. Only existing files enter the cache, so it is bounded by the app.
func (h *handler) open(name string) *file {
	if !fs.ValidPath(name) {
		return nil
	}
	h.mu.Lock()
	f, ok := h.files[name]
	h.mu.Unlock()
	if !ok {
		st, err := fs.Stat(h.fsys, name)
		if err != nil || !st.Mode().IsRegular() {
			return nil
		}
		h.mu.Lock()
		if f, ok = h.files[name]; !ok {
			f = &file{}
			h.files[name] = f
		}
		h.mu.Unlock()
	}
	f.once.Do(func() { f.err = f.load(h.fsys, name) })
	if f.err != nil {
		return nil
	}
	return f
}

func (f *file) load(fsys fs.FS, name string) error {
	body, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	f.body = body
	f.ctype = contentType(name, body)
	f.etag = etagOf(body, "")
	if len(body) < minGzip || !compressible(f.ctype) {
		return nil
	}
	// a precompressed twin from the build wins over compressing here
	if gz, err := fs.ReadFile(fsys, name+".gz"); err == nil && len(gz) > 0 {
		f.gz = gz
	} else {
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return err
		}
		if _, err := zw.Write(body); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		f.gz = buf.Bytes()
	}
	if len(f.gz) >= len(body) {
		f.gz = nil
		return nil
	}
	f.etagGz = etagOf(body, "-gzip")
	return nil
}

func etagOf(body []byte, suffix string) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:12]) + suffix + `"`
}

// types are the web app's file types, fixed here rather than read from the
// host's mime.types so that every build answers the same.
var types = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".txt":         "text/plain; charset=utf-8",
	".xml":         "application/xml",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".avif":        "image/avif",
	".ico":         "image/x-icon",
	".woff":        "font/woff",
	".woff2":       "font/woff2",
	".ttf":         "font/ttf",
	".otf":         "font/otf",
	".wasm":        "application/wasm",
	".mp3":         "audio/mpeg",
	".ogg":         "audio/ogg",
	".wav":         "audio/wav",
}

func contentType(name string, body []byte) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := types[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return http.DetectContentType(body)
}

func compressible(ctype string) bool {
	t, _, _ := strings.Cut(ctype, ";")
	switch t {
	case "application/json", "application/manifest+json", "application/xml", "image/svg+xml", "application/wasm", "image/x-icon", "font/ttf", "font/otf":
		return true
	}
	return strings.HasPrefix(t, "text/")
}

// acceptsGzip reports whether an Accept-Encoding header admits gzip
// (named, or through *, without q=0).
func acceptsGzip(header string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				q = parseQ(strings.TrimSpace(v))
			}
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			gzipQ = q
		case "*":
			starQ = q
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}

// parseQ reads a quality value ("0", "0.5", "1.000"); a malformed one counts as 0.
func parseQ(s string) float64 {
	var q float64
	switch {
	case s == "1" || strings.HasPrefix(s, "1."):
		return 1
	case s == "0" || strings.HasPrefix(s, "0."):
		frac := strings.TrimPrefix(strings.TrimPrefix(s, "0"), ".")
		scale := 0.1
		for _, c := range frac {
			if c < '0' || c > '9' {
				return 0
			}
			q += float64(c-'0') * scale
			scale /= 10
		}
		return q
	}
	return 0
}

// writeError answers the API's JSON error envelope.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	body.Error.Code, body.Error.Message = code, msg
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// ErrNoApp is reported by Check when fsys holds no index.html.
var ErrNoApp = errors.New("spa: no index.html")

// Check reports whether fsys holds a servable app.
func Check(fsys fs.FS) error {
	st, err := fs.Stat(fsys, "index.html")
	if err != nil || !st.Mode().IsRegular() {
		return ErrNoApp
	}
	return nil
}
