package web

import (
	"net"
	"net/http/httptest"
	"testing"
)

func TestProxiesClient(t *testing.T) {
	_, lb, _ := net.ParseCIDR("10.0.0.0/8")
	p := Proxies{lb}
	tests := []struct {
		name, remote, xff string
		want              string
		viaProxy          bool
	}{
		{"direct client, header ignored", "203.0.113.7:5000", "198.51.100.1", "203.0.113.7", false},
		{"through the proxy", "10.0.0.5:443", "198.51.100.1", "198.51.100.1", true},
		{"forged hop before the real one", "10.0.0.5:443", "1.2.3.4, 198.51.100.1", "198.51.100.1", true},
		{"chain of trusted proxies", "10.0.0.5:443", "198.51.100.1, 10.0.0.9", "198.51.100.1", true},
		{"proxy without header", "10.0.0.5:443", "", "10.0.0.5", true},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		got, via := p.client(r)
		if got != tc.want || via != tc.viaProxy {
			t.Errorf("%s: got %s, %v; want %s, %v", tc.name, got, via, tc.want, tc.viaProxy)
		}
	}
}
