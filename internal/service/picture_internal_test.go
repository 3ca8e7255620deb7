package service

import (
	"slices"
	"testing"

	"alliance/internal/domain"
)

// TestConsecutiveYears checks the trend's years: none skipped between the
// oldest with records and the newest, at most six.
func TestConsecutiveYears(t *testing.T) {
	tests := []struct {
		name  string
		years []domain.FiscalYear // newest first, as PictureYears gives them
		want  []domain.FiscalYear
	}{
		{"none", nil, nil},
		{"one", []domain.FiscalYear{2023}, []domain.FiscalYear{2023}},
		{"a gap is filled", []domain.FiscalYear{2026, 2024, 2023}, []domain.FiscalYear{2023, 2024, 2025, 2026}},
		{"at most six", []domain.FiscalYear{2026, 2024, 2018}, []domain.FiscalYear{2021, 2022, 2023, 2024, 2025, 2026}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := slices.Collect(consecutiveYears(tt.years, 6)); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
