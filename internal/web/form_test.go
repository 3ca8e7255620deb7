package web

import "testing"

func TestSafeNext(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/reports?q=x", "/reports?q=x"},
		{"/areas/E07000163", "/areas/E07000163"},
		{"", "/"},
		{"https://evil.example/", "/"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"/./\\evil.example", "/"},
		{"/.//evil.example", "/.//evil.example"}, // http.Redirect cleans it to /evil.example: local
		{"/%2F%2Fevil.example", "/%2F%2Fevil.example"},
		{"/x\r\nSet-Cookie: a=b", "/"},
		{"javascript:alert(1)", "/"},
		{"reports", "/"},
	}
	for _, tc := range tests {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLoggablePath(t *testing.T) {
	if got := loggablePath("/reset-password/abcDEF123"); got != "/reset-password/…" {
		t.Errorf("got %q, want the token hidden", got)
	}
	if got := loggablePath("/reports/1"); got != "/reports/1" {
		t.Errorf("got %q", got)
	}
}
