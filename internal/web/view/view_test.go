package view

import (
	"testing"
	"time"
)

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {int64(1234567), "1,234,567"}, {-45000, "-45,000"},
	}
	for _, tc := range tests {
		if got := FormatNumber(tc.in); got != tc.want {
			t.Errorf("FormatNumber(%v): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFormatDate(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"winter", time.Date(2024, 1, 5, 12, 0, 0, 0, time.UTC), "5 January 2024"},
		{"summer time moves late UTC into the next UK day", time.Date(2024, 3, 31, 23, 30, 0, 0, time.UTC), "1 April 2024"},
		{"zero", time.Time{}, ""},
	}
	for _, tc := range tests {
		if got := FormatDate(tc.in); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
