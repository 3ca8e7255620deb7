package domain_test

import (
	"testing"
	"time"

	"alliance/internal/domain"
)

func TestUKDay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"summer, after midnight BST but before it in UTC", time.Date(2026, 7, 6, 23, 30, 0, 0, time.UTC), "2026-07-07"},
		{"summer, midday", time.Date(2026, 7, 6, 12, 0, 0, 0, time.UTC), "2026-07-06"},
		{"winter, GMT is UTC", time.Date(2026, 12, 7, 23, 30, 0, 0, time.UTC), "2026-12-07"},
		{"the clocks go forward (29 March 2026, 01:00 UTC)", time.Date(2026, 3, 28, 23, 59, 0, 0, time.UTC), "2026-03-28"},
		{"the clocks go back (25 October 2026)", time.Date(2026, 10, 24, 23, 0, 0, 0, time.UTC), "2026-10-25"},
		{"an instant in another zone", time.Date(2026, 7, 7, 1, 0, 0, 0, time.FixedZone("CEST", 2*3600)), "2026-07-07"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := domain.UKDay(tc.at)
			if got.Format("2006-01-02") != tc.want || got.Location() != time.UTC || got.Hour() != 0 {
				t.Errorf("UKDay(%s): got %s, want %s at midnight UTC", tc.at, got, tc.want)
			}
		})
	}
}
