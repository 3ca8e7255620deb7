package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"time"

	"alliance/internal/observe"
	"alliance/internal/router"
)

type nonceKey struct{}

// Nonce returns the CSP nonce of the request.
func Nonce(ctx context.Context) string {
	n, _ := ctx.Value(nonceKey{}).(string)
	return n
}

// SecurityHeaders sets the strict CSP (with a fresh nonce per request) and
// the other protective headers on every response, and marks every response
// but fingerprinted assets as not cacheable.
func SecurityHeaders(hsts bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [18]byte
		_, _ = rand.Read(b[:])
		nonce := base64.RawURLEncoding.EncodeToString(b[:])
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-"+nonce+"'; style-src 'self'; "+
			"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "+
			"form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
		h.Set("Cache-Control", "no-store")
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), nonceKey{}, nonce)))
	})
}

// RequestLog gives each request an id (X-Request-Id) and logs one line when
// it ends: method, route pattern, path, status, bytes and duration. It never
// logs the query string, which may hold search terms about people.
func RequestLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := observe.NewRequestID(r.Header.Get("X-Request-Id"))
		w.Header().Set("X-Request-Id", id)
		ctx, route := observe.WithRouteInfo(observe.WithRequestID(r.Context(), id))
		ctx = observe.WithClientAddr(ctx, clientOf(r).Addr)
		sw := &router.StatusWriter{ResponseWriter: w}
		r = r.WithContext(ctx)
		next.ServeHTTP(sw, r)
		level := slog.LevelInfo
		if sw.Status() >= 500 {
			level = slog.LevelError
		}
		log.LogAttrs(ctx, level, "request",
			slog.String("method", r.Method),
			slog.String("route", route.Pattern),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.Status()),
			slog.Int64("bytes", sw.Bytes()),
			slog.Duration("duration", time.Since(start)),
		)
	})
}

// Recover turns a panic in a handler into a 500 page that shows only the
// request id; the panic value and stack go to the log.
func Recover(log *slog.Logger, onPanic http.Handler, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(r.Context(), "panic serving request", "route", r.Pattern, "panic", p)
				onPanic.ServeHTTP(w, r)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
