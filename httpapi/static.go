package httpapi

import (
	"embed"
	"net/http"
	"path"
)

// The widget and the console are plain files, embedded so the binary serves them with no
// build step.
//
//go:embed web
var webFS embed.FS

// pageCSP allows only this origin's own scripts, styles and connections: no inline script
// can run even if some text slipped into the page as HTML.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
}

// handleStatic serves one embedded file with the security headers every page gets.
func handleStatic(name string) http.Handler {
	b, err := webFS.ReadFile("web/" + name)
	if err != nil {
		panic("httpapi: missing embedded file " + name)
	}
	ctype := contentTypes[path.Ext(name)]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", ctype)
		h.Set("Content-Security-Policy", pageCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		if name == "widget.js" || name == "widget.css" {
			// Other sites load these into their own pages.
			h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		}
		w.Write(b)
	})
}
