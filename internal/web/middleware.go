package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net"
	"net/http"
	"strings"
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

// Proxies are the reverse proxies whose forwarding headers are believed.
type Proxies []*net.IPNet

func (p Proxies) trusted(ip net.IP) bool {
	for _, n := range p {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// client returns the address of the request's client: the connection's
// peer, or, when that is a trusted proxy, the last address in
// X-Forwarded-For that is not one (earlier entries can be forged by the
// client). It also reports whether the peer is a trusted proxy.
func (p Proxies) client(r *http.Request) (string, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer := net.ParseIP(host)
	if peer == nil || !p.trusted(peer) {
		return host, false
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		ip := net.ParseIP(strings.TrimSpace(hops[i]))
		if ip == nil {
			break
		}
		if !p.trusted(ip) {
			return ip.String(), true
		}
	}
	return host, true
}

// RequestLog gives each request an id (X-Request-Id, taken from a trusted
// proxy when it sends a well-formed one), resolves the client address, and
// logs one line when the request ends: method, route pattern, path, status,
// bytes and duration. It never logs the query string, which may hold search
// terms about people.
func RequestLog(log *slog.Logger, proxies Proxies, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		addr, viaProxy := proxies.client(r)
		incoming := ""
		if viaProxy {
			incoming = r.Header.Get("X-Request-Id")
		}
		id := observe.NewRequestID(incoming)
		w.Header().Set("X-Request-Id", id)
		ctx, route := observe.WithRouteInfo(observe.WithRequestID(r.Context(), id))
		ctx = observe.WithClientAddr(ctx, addr)
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
			slog.String("path", loggablePath(r.URL.Path)),
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

// loggablePath hides the secret in paths that carry one (password reset
// links), so logs never hold a usable token.
func loggablePath(p string) string {
	if strings.HasPrefix(p, "/reset-password/") {
		return "/reset-password/…"
	}
	return p
}
