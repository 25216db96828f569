package server

import (
	"embed"
	"io/fs"
	"net/http"
)

// graphiqlFiles is the GraphiQL page: index.html, start.js and page.css are
// Linli's, assets/ is built from pinned npm packages by graphiql/build.sh
// and committed, so the page works without a network.
//
//go:embed graphiql/index.html graphiql/start.js graphiql/page.css graphiql/assets
var graphiqlFiles embed.FS

// graphiqlCSP is the page's Content-Security-Policy: everything from this
// origin only, no inline script and no eval; GraphiQL's fonts are data: URIs
// in its stylesheet and React sets inline styles, hence the two exceptions.
const graphiqlCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"font-src 'self' data:; img-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// graphiqlPage serves the GraphiQL page on / (mounted in development only).
func graphiqlPage() http.Handler {
	index, err := graphiqlFiles.ReadFile("graphiql/index.html")
	if err != nil {
		panic(err)
	}
	return withGraphiQLHeaders(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(index)
	}))
}

// graphiqlAssets serves the page's scripts and stylesheets under /graphiql/.
func graphiqlAssets() http.Handler {
	files := http.FileServerFS(graphiqlAssetFS())
	return withGraphiQLHeaders(http.StripPrefix("/graphiql/", files))
}

// graphiqlAssetFS is the flat file system /graphiql/ serves: the vendored
// assets plus Linli's start.js and page.css.
func graphiqlAssetFS() fs.FS {
	assets, err := fs.Sub(graphiqlFiles, "graphiql/assets")
	if err != nil {
		panic(err)
	}
	own, err := fs.Sub(graphiqlFiles, "graphiql")
	if err != nil {
		panic(err)
	}
	return overlayFS{own: own, assets: assets}
}

// overlayFS serves start.js and page.css from own and everything else from
// assets; it lists nothing, so the directory is not browsable.
type overlayFS struct{ own, assets fs.FS }

// Open implements fs.FS.
func (o overlayFS) Open(name string) (fs.File, error) {
	switch name {
	case "start.js", "page.css":
		return o.own.Open(name)
	case ".":
		return nil, fs.ErrNotExist
	}
	return o.assets.Open(name)
}

// withGraphiQLHeaders adds the page's security headers to h's responses.
func withGraphiQLHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", graphiqlCSP)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}
