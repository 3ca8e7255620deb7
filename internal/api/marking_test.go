package api

import (
	"testing"

	"alliance/internal/domain"
)

func TestResponseMarking(t *testing.T) {
	cases := []struct {
		name  string
		marks []domain.Classification
		links bool
		want  domain.Classification
	}{
		{"all official", []domain.Classification{domain.Official, domain.Official}, false, domain.Official},
		{"an official group with a sensitive member", []domain.Classification{domain.Official, domain.OfficialSensitive}, false, domain.OfficialSensitive},
		{"links name records of unknown marking", []domain.Classification{domain.Official}, true, domain.OfficialSensitive},
		{"an unknown marking counts as sensitive", []domain.Classification{""}, false, domain.OfficialSensitive},
	}
	for _, c := range cases {
		if got := responseMarking(c.marks, c.links); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}
