package match

import (
	"slices"
	"testing"
	"time"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Zoë Ó Néill", []string{"zoe", "o", "neill"}},
		{"Sean O'Neill", []string{"sean", "oneill"}},
		{"SMITH-JONES, Kate", []string{"smith", "jones", "kate"}},
		{"Łukasz Wójcik", []string{"lukasz", "wojcik"}},
		{"  ", nil},
	}
	for _, tt := range tests {
		if got := Tokens(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Tokens(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTokenVariants(t *testing.T) {
	tests := []struct {
		in   string
		want [][]string
	}{
		{"O Neil", [][]string{{"o", "neil"}, {"oneil"}}},
		{"Abdul Rahman", [][]string{{"abdul", "rahman"}, {"abdulrahman"}}},
		{"Smith-Jones", [][]string{{"smith", "jones"}, {"smithjones"}}},
		{"John Smith", [][]string{{"john", "smith"}}},
	}
	for _, tt := range tests {
		if got := TokenVariants(tt.in); !slices.EqualFunc(got, tt.want, slices.Equal[[]string]) {
			t.Errorf("TokenVariants(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSameName(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"bill", "william", true},
		{"mo", "muhammad", true},
		{"mohamed", "mohammed", true},
		{"jim", "james", true},
		{"kate", "catherine", true},
		{"john", "james", false},
		{"alex", "alexandra", true},
		{"alex", "alexander", true},
	}
	for _, tt := range tests {
		if got := SameName(tt.a, tt.b); got != tt.want {
			t.Errorf("SameName(%q, %q): got %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestKeysMeet checks that a query and the record it means share a pair
// key, the selective key candidates are found by.
func TestKeysMeet(t *testing.T) {
	tests := []struct{ query, name string }{
		{"Muhammad Khan", "Mohammed Khan"},
		{"Bill Smith", "William Smith"},
		{"Smith John", "John Smith"},
		{"Sean O Neil", "Seán O'Neill"},
		{"Zoe Brown", "Zoë Browne"},
		{"Jose Garcia", "José García"},
		{"J Smith", "John Smith"},
		{"Kathryn Jones", "Katherine Jones"},
		{"Shivaun Murphy", "Siobhan Murphy"},
		{"Jon Smithjones", "John Smith-Jones"},
	}
	for _, tt := range tests {
		q := NewQuery(tt.query, nil).Keys()
		rec := Keys([]string{tt.name}, nil, nil)
		shared := false
		for _, k := range append(q.Pair, q.Initial...) {
			shared = shared || slices.Contains(rec, k)
		}
		if !shared {
			t.Errorf("%q and %q share no pair key: query %q, record %q", tt.query, tt.name, q.Pair, rec)
		}
	}
}

func TestScore(t *testing.T) {
	dob := time.Date(1990, 11, 22, 0, 0, 0, 0, time.UTC)
	other := time.Date(1985, 3, 4, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		query   string
		dob     *time.Time
		names   []string
		ids     []string
		cdob    *time.Time
		atLeast float64
		atMost  float64
	}{
		{"John Smith", nil, []string{"John Smith"}, nil, nil, 1, 1.02},
		{"Smith John", nil, []string{"John Smith"}, nil, nil, 0.99, 1},
		{"Muhammad Khan", nil, []string{"Mohammed Khan"}, nil, nil, 0.95, 1.01},
		{"Bill Smith", nil, []string{"William Smith"}, nil, nil, 0.95, 1.01},
		{"John Smith", nil, []string{"John Paul Smith"}, nil, nil, 0.95, 0.99},
		{"Jon Smyth", nil, []string{"John Smith"}, nil, nil, 0.9, 1},
		{"ONeill", nil, []string{"Sean O'Neill"}, nil, nil, MinScore, 1},
		{"O Neil Sean", nil, []string{"Seán O'Neill"}, nil, nil, 0.9, 1},
		{"John Smith", nil, []string{"Mary Jones"}, nil, nil, 0, MinScore - 0.01},
		{"John Smith", nil, []string{"Jane Smith"}, nil, nil, 0, 0.95},
		{"John Smith", &dob, []string{"John Smith"}, nil, &dob, 1.25, 1.3},
		{"John Smith", &dob, []string{"John Smith"}, nil, &other, 0.7, 0.8},
		{"", &dob, nil, nil, &dob, 1.25, 1.25},
		{"", &dob, nil, nil, &other, -1, 0.8},
		{"ab12 cde", nil, []string{"AB12 CDE"}, []string{"V-000001", "AB12CDE"}, nil, ScoreIdentifier, ScoreIdentifier},
		{"P-000123", nil, []string{"John Smith"}, []string{"P-000123"}, nil, ScoreIdentifier, ScoreIdentifier},
		{"+44 7700 900123", nil, []string{"07700 900123"}, []string{"07700900123"}, nil, ScoreIdentifier, ScoreIdentifier},
	}
	for _, tt := range tests {
		m := NewQuery(tt.query, tt.dob).Score(Candidate{Names: tt.names, Identifiers: tt.ids, DOB: tt.cdob})
		if m.Score < tt.atLeast || m.Score > tt.atMost {
			t.Errorf("Score(%q, %q): got %.3f, want %.3f to %.3f", tt.query, tt.names, m.Score, tt.atLeast, tt.atMost)
		}
	}
}

func TestRankOrder(t *testing.T) {
	// For each query, the names in the order they must rank.
	tests := []struct {
		query string
		names []string
	}{
		{"John Smith", []string{"John Smith", "Smith John", "Jon Smyth", "Jane Smith"}},
		{"Mohammed Khan", []string{"Mohammed Khan", "Muhammad Khan", "Mohammed Kahn"}},
		{"Kate Jones", []string{"Kate Jones", "Katherine Jones", "Kate Johnson"}},
	}
	for _, tt := range tests {
		q := NewQuery(tt.query, nil)
		prev := 2.0
		for _, n := range tt.names {
			s := q.Score(Candidate{Names: []string{n}}).Score
			if s > prev {
				t.Errorf("%q: %q scores %.3f, above the name before it (%.3f)", tt.query, n, s, prev)
			}
			prev = s
		}
	}
}
