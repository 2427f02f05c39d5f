package spa

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

var (
	indexHTML = []byte("<!doctype html><html lang=\"pt-BR\"><head><meta charset=\"utf-8\"><title>Atende</title>" +
		"<script type=\"module\" src=\"/assets/index-4f2a9c.js\"></script></head><body><div id=\"root\"></div>" +
		strings.Repeat("<!-- padding so that the page is worth compressing -->", 20) + "</body></html>")
	appJS   = []byte(strings.Repeat("export function inbox(){return fetch('/api/v1/conversations?view=mine')}\n", 60))
	smallJS = []byte("console.log('tiny')\n")
	pngData = []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("\x00\x01\x02", 400))
	twin    = []byte(strings.Repeat("const precompressed = true;\n", 40))
)

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, _ = w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// app is a built app as Vite lays it out.
func app(t testing.TB) fstest.MapFS {
	return fstest.MapFS{
		"index.html":               {Data: indexHTML},
		"favicon.svg":              {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`)},
		"assets/index-4f2a9c.js":   {Data: appJS},
		"assets/tiny-99.js":        {Data: smallJS},
		"assets/logo-1.png":        {Data: pngData},
		"assets/vendor-7.js":       {Data: twin},
		"assets/vendor-7.js.gz":    {Data: gz(t, twin)},
		"assets/data-3.unknownext": {Data: []byte("plain words, nothing else")},
	}
}

type exchange struct {
	status int
	header http.Header
	body   []byte
}

func serve(h http.Handler, method, target string, header map[string]string) exchange {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return exchange{rec.Code, rec.Header(), rec.Body.Bytes()}
}

func TestServesFilesAndRoutes(t *testing.T) {
	h := New(app(t))
	cases := []struct {
		name, method, target string
		header               map[string]string
		status               int
		body                 []byte // plain body after decoding; nil: not checked
		ctype, cache         string
		gzip                 bool
	}{
		{name: "root", method: "GET", target: "/", status: 200, body: indexHTML, ctype: "text/html; charset=utf-8", cache: CacheRevalidate},
		{name: "index by name", method: "GET", target: "/index.html", status: 200, body: indexHTML, ctype: "text/html; charset=utf-8", cache: CacheRevalidate},
		{name: "inbox route", method: "GET", target: "/inbox/mine/42", status: 200, body: indexHTML, ctype: "text/html; charset=utf-8", cache: CacheRevalidate},
		{name: "settings route", method: "GET", target: "/settings/labels", status: 200, body: indexHTML, cache: CacheRevalidate},
		{name: "login route", method: "GET", target: "/login?next=%2Finbox", status: 200, body: indexHTML, cache: CacheRevalidate},
		{name: "setup route", method: "GET", target: "/setup?token=setup_abc", status: 200, body: indexHTML, cache: CacheRevalidate},
		{name: "route with trailing slash", method: "GET", target: "/inbox/", status: 200, body: indexHTML, cache: CacheRevalidate},
		{name: "dot segments stay inside", method: "GET", target: "/inbox/../../../etc/passwd", status: 200, body: indexHTML, cache: CacheRevalidate},
		{name: "root file", method: "GET", target: "/favicon.svg", status: 200, ctype: "image/svg+xml", cache: CacheRevalidate},
		{name: "hashed asset", method: "GET", target: "/assets/index-4f2a9c.js", status: 200, body: appJS, ctype: "text/javascript; charset=utf-8", cache: CacheImmutable},
		{name: "hashed asset gzipped", method: "GET", target: "/assets/index-4f2a9c.js", header: map[string]string{"Accept-Encoding": "gzip, deflate, br"},
			status: 200, body: appJS, ctype: "text/javascript; charset=utf-8", cache: CacheImmutable, gzip: true},
		{name: "index gzipped", method: "GET", target: "/inbox/all", header: map[string]string{"Accept-Encoding": "gzip"},
			status: 200, body: indexHTML, ctype: "text/html; charset=utf-8", cache: CacheRevalidate, gzip: true},
		{name: "gzip refused with q=0", method: "GET", target: "/assets/index-4f2a9c.js", header: map[string]string{"Accept-Encoding": "gzip;q=0, br"},
			status: 200, body: appJS, cache: CacheImmutable},
		{name: "any coding", method: "GET", target: "/assets/index-4f2a9c.js", header: map[string]string{"Accept-Encoding": "*"},
			status: 200, body: appJS, cache: CacheImmutable, gzip: true},
		{name: "tiny file is not compressed", method: "GET", target: "/assets/tiny-99.js", header: map[string]string{"Accept-Encoding": "gzip"},
			status: 200, body: smallJS, cache: CacheImmutable},
		{name: "image is not compressed", method: "GET", target: "/assets/logo-1.png", header: map[string]string{"Accept-Encoding": "gzip"},
			status: 200, body: pngData, ctype: "image/png", cache: CacheImmutable},
		{name: "precompressed twin", method: "GET", target: "/assets/vendor-7.js", header: map[string]string{"Accept-Encoding": "gzip"},
			status: 200, body: twin, cache: CacheImmutable, gzip: true},
		{name: "unknown extension sniffed", method: "GET", target: "/assets/data-3.unknownext", status: 200, ctype: "text/plain; charset=utf-8", cache: CacheImmutable},
		{name: "missing asset", method: "GET", target: "/assets/index-000000.js", status: 404},
		{name: "asset folder", method: "GET", target: "/assets/", status: 404},
		{name: "missing file with extension", method: "GET", target: "/robots.txt", status: 404},
		{name: "head", method: "HEAD", target: "/inbox/mine", status: 200, body: []byte{}, cache: CacheRevalidate},
		{name: "post", method: "POST", target: "/inbox", status: 405},
		{name: "delete", method: "DELETE", target: "/assets/index-4f2a9c.js", status: 405},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := serve(h, c.method, c.target, c.header)
			if r.status != c.status {
				t.Fatalf("status %d, want %d (body %.200s)", r.status, c.status, r.body)
			}
			if c.status >= 400 {
				var env struct {
					Error struct{ Code, Message string } `json:"error"`
				}
				if err := json.Unmarshal(r.body, &env); err != nil || env.Error.Code == "" || env.Error.Message == "" {
					t.Errorf("error body %q is not the JSON error envelope", r.body)
				}
				if c.status == 405 && r.header.Get("Allow") != "GET, HEAD" {
					t.Errorf("405 with Allow %q", r.header.Get("Allow"))
				}
				return
			}
			body := r.body
			if enc := r.header.Get("Content-Encoding"); (enc == "gzip") != c.gzip {
				t.Fatalf("Content-Encoding %q, want gzip=%v", enc, c.gzip)
			} else if c.gzip {
				body = gunzip(t, body)
			}
			if c.body != nil && !bytes.Equal(body, c.body) {
				t.Errorf("body %.80q…, want %.80q…", body, c.body)
			}
			if c.ctype != "" && r.header.Get("Content-Type") != c.ctype {
				t.Errorf("Content-Type %q, want %q", r.header.Get("Content-Type"), c.ctype)
			}
			if got := r.header.Get("Cache-Control"); got != c.cache {
				t.Errorf("Cache-Control %q, want %q", got, c.cache)
			}
			if r.header.Get("ETag") == "" || r.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("ETag %q, X-Content-Type-Options %q", r.header.Get("ETag"), r.header.Get("X-Content-Type-Options"))
			}
			if c.gzip && !strings.Contains(r.header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("gzipped answer without Vary: Accept-Encoding")
			}
		})
	}
}

func TestConditionalAndRangeRequests(t *testing.T) {
	h := New(app(t))
	plain := serve(h, "GET", "/assets/index-4f2a9c.js", nil)
	zipped := serve(h, "GET", "/assets/index-4f2a9c.js", map[string]string{"Accept-Encoding": "gzip"})
	if plain.header.Get("ETag") == zipped.header.Get("ETag") {
		t.Fatalf("the plain and gzipped variants share the ETag %s", plain.header.Get("ETag"))
	}
	// every variant of a compressible file says it varies, so caches keep them apart
	if !strings.Contains(plain.header.Get("Vary"), "Accept-Encoding") {
		t.Error("plain variant of a compressible file without Vary: Accept-Encoding")
	}
	for _, c := range []struct {
		name   string
		header map[string]string
		status int
	}{
		{"same plain ETag", map[string]string{"If-None-Match": plain.header.Get("ETag")}, 304},
		{"same gzip ETag", map[string]string{"If-None-Match": zipped.header.Get("ETag"), "Accept-Encoding": "gzip"}, 304},
		{"gzip ETag for the plain variant", map[string]string{"If-None-Match": zipped.header.Get("ETag")}, 200},
		{"other ETag", map[string]string{"If-None-Match": `"nope"`}, 200},
		{"range", map[string]string{"Range": "bytes=0-9"}, 206},
	} {
		r := serve(h, "GET", "/assets/index-4f2a9c.js", c.header)
		if r.status != c.status {
			t.Errorf("%s: status %d, want %d", c.name, r.status, c.status)
		}
		if c.status == 206 && !bytes.Equal(r.body, appJS[:10]) {
			t.Errorf("range body %q", r.body)
		}
	}
	// index.html revalidates through its ETag too
	idx := serve(h, "GET", "/inbox", nil)
	if r := serve(h, "GET", "/settings", map[string]string{"If-None-Match": idx.header.Get("ETag")}); r.status != 304 {
		t.Errorf("index revalidation: %d, want 304", r.status)
	}
}

func TestWithoutIndex(t *testing.T) {
	for _, fsys := range []fstest.MapFS{{}, {".keep": {}}, {"assets/a.js": {Data: smallJS}}} {
		if Check(fsys) == nil {
			t.Errorf("Check accepts an app without index.html: %v", fsys)
		}
		h := New(fsys)
		for _, target := range []string{"/", "/inbox", "/index.html"} {
			if r := serve(h, "GET", target, nil); r.status != 404 {
				t.Errorf("%s without index.html: %d, want 404", target, r.status)
			}
		}
	}
	if err := Check(app(t)); err != nil {
		t.Errorf("Check refuses a built app: %v", err)
	}
	if Check(fstest.MapFS{"index.html/x": {}}) == nil {
		t.Error("Check accepts a directory named index.html")
	}
}

// TestConcurrentFirstUse: many requests for files not loaded yet (run with -race).
func TestConcurrentFirstUse(t *testing.T) {
	h := New(app(t))
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			target := []string{"/", "/assets/index-4f2a9c.js", "/assets/vendor-7.js", "/inbox/1"}[i%4]
			r := serve(h, "GET", target, map[string]string{"Accept-Encoding": "gzip"})
			if r.status != 200 {
				t.Errorf("%s: %d", target, r.status)
			}
		}(i)
	}
	wg.Wait()
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                        false,
		"gzip":                    true,
		"GZIP":                    true,
		"deflate, gzip;q=1.0, br": true,
		"gzip;q=0":                false,
		"gzip; q=0.000":           false,
		"gzip;q=0.5":              true,
		"br, *":                   true,
		"*;q=0":                   false,
		"*, gzip;q=0":             false,
		"gzip;q=0, *":             false,
		"identity":                false,
		"br":                      false,
		"x-gzip":                  true,
		"gzip;q=bogus":            false,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

// TestPrecompressedTwin: a .gz file the build wrote is sent as it is.
func TestPrecompressedTwin(t *testing.T) {
	fsys := app(t)
	h := New(fsys)
	r := serve(h, "GET", "/assets/vendor-7.js", map[string]string{"Accept-Encoding": "gzip"})
	if !bytes.Equal(r.body, fsys["assets/vendor-7.js.gz"].Data) {
		t.Error("the precompressed twin was not sent as is")
	}
	if r.header.Get("Content-Type") != "text/javascript; charset=utf-8" || r.header.Get("Content-Encoding") != "gzip" {
		t.Errorf("twin served as %q, encoding %q", r.header.Get("Content-Type"), r.header.Get("Content-Encoding"))
	}
}
