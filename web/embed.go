// Package web embeds the agent web app that Vite builds into dist/app
// (`make build` builds it; dist/app is not committed). A binary built
// without it still runs: Embedded reports false and the server shows a
// stub page at / and the plain setup form at /setup instead.
package web

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/atende/atende/internal/spa"
)

// dist holds dist/.keep (committed, so that the pattern always matches) and,
// after a UI build, dist/app.
//
//go:embed all:dist
var dist embed.FS

// app is the built app's root inside dist.
func app() fs.FS {
	sub, err := fs.Sub(dist, "dist/app")
	if err != nil {
		panic(err) // "dist/app" is a valid path: fs.Sub cannot fail on it
	}
	return sub
}

// Embedded reports whether the web app was built into this binary
// (dist/app/index.html exists).
func Embedded() bool { return spa.Check(app()) == nil }

// Widget is the website chat widget (dist/widget: the loader widget.js,
// frame.html and its assets), or nil when it was not built into this binary.
func Widget() fs.FS {
	sub, err := fs.Sub(dist, "dist/widget")
	if err != nil {
		panic(err) // a valid path: fs.Sub cannot fail on it
	}
	if _, err := fs.Stat(sub, "widget.js"); err != nil {
		return nil
	}
	return sub
}

// Handler serves the embedded web app: files by path, /assets/* cached for
// a year, and index.html for every other GET path (the app's own routes).
// Use it only when Embedded reports true.
func Handler() http.Handler { return spa.New(app()) }
