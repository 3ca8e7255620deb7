package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"
)

//go:embed static
var staticFS embed.FS

//go:embed templates
var templateFS embed.FS

// Assets serves the embedded static files under /static/{version}/…, where
// version is a hash of every file. One version for the whole set keeps
// relative module imports working; a new build changes it, so the files can
// be cached for a year as immutable.
type Assets struct {
	fsys    fs.FS
	version string
}

// NewAssets hashes the embedded static files.
func NewAssets() (*Assets, error) {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	var names []string
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: list assets: %w", err)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(sub, n)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return &Assets{fsys: sub, version: hex.EncodeToString(h.Sum(nil))[:16]}, nil
}

// URL returns the fingerprinted URL of the static file at name.
func (a *Assets) URL(name string) string {
	return "/static/" + a.version + "/" + strings.TrimPrefix(name, "/")
}

// ServeHTTP serves GET /static/{version}/{path...}. A stale version is not
// found, so a cache can never pin an old file under a new page.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := path.Clean(r.PathValue("path"))
	if r.PathValue("version") != a.version || name == "." || strings.HasPrefix(name, "..") || strings.HasSuffix(name, "VERSIONS") {
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(a.fsys, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if strings.HasSuffix(name, ".mjs") || strings.HasSuffix(name, ".js") {
		ct = "text/javascript; charset=utf-8"
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("ETag", `"`+a.version+`"`)
	if r.Header.Get("If-None-Match") == `"`+a.version+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(b)
}
