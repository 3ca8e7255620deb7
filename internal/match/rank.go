package match

import (
	"strings"
	"time"
	"unicode"
)

// Ranking thresholds and weights. A query token and a name token score
// from 0 to 1; a name scores the weighted mean of its query tokens' best
// partners, less a little for name tokens the query did not mention (a
// missing middle name costs little). Dates of birth and identifiers then
// move the score up or down.
const (
	// ScoreVariant is the similarity of two tokens that are nicknames or
	// spelling variants of one name (Bill and William, Mohamed and
	// Muhammad).
	ScoreVariant = 0.95
	// ScorePhonetic pulls up two tokens that share a Double Metaphone code
	// (Smith and Smyth): they score halfway between their Jaro-Winkler
	// similarity and this. Halfway, because short names share codes too
	// readily (John and Jane are both JN).
	ScorePhonetic = 0.98
	// ScorePrefix is the similarity of a query token of three letters or
	// more that begins a name token (Moha for Mohammed).
	ScorePrefix = 0.88
	// ScoreInitial is the similarity of an initial to a name starting
	// with that letter (J for John).
	ScoreInitial = 0.85
	// InitialWeight is how much an initial counts against a whole word.
	InitialWeight = 0.5
	// PenaltyUnmatchedToken is taken off for each token of the name the
	// query does not match, up to MaxUnmatchedPenalty.
	PenaltyUnmatchedToken = 0.03
	// MaxUnmatchedPenalty caps PenaltyUnmatchedToken.
	MaxUnmatchedPenalty = 0.09
	// BonusOrder is added when the query's words match the name's in
	// order, so "John Smith" ranks above "Smith John" for "John Smith".
	BonusOrder = 0.01
	// ConcatFactor scales the similarity of the whole query and the whole
	// name run together ("oneil" and "o neill"), used when the words do
	// not line up.
	ConcatFactor = 0.95
	// BonusDOB is added when the date of birth asked for is the record's.
	BonusDOB = 0.25
	// BonusDOBSwapped is added when it is the record's with day and month
	// swapped, a common slip.
	BonusDOBSwapped = 0.10
	// PenaltyDOB is taken off when the record has another date of birth.
	PenaltyDOB = 0.25
	// ScoreIdentifier is the score of a record whose reference,
	// registration, number or other identifier is the query.
	ScoreIdentifier = 1.5
	// ScoreIdentifierPrefix is the score of one whose identifier starts
	// with the query (four characters or more).
	ScoreIdentifierPrefix = 0.9
	// MinScore is the least score shown: below it a record is not a match.
	MinScore = 0.75
)

// Query is a prepared search: the text split every way it may be meant,
// its identifier form, and an optional date of birth.
type Query struct {
	Text     string
	DOB      *time.Time
	variants [][]string
	codes    [][][]string // the Double Metaphone codes of variants' tokens
	compact  string
	phone    string
}

// NewQuery prepares text (names, a reference, a registration or a number)
// and an optional date of birth.
func NewQuery(text string, dob *time.Time) Query {
	q := Query{Text: strings.TrimSpace(text), DOB: dob}
	for _, v := range TokenVariants(q.Text) {
		if len(v) > 0 {
			q.variants = append(q.variants, v)
			q.codes = append(q.codes, phonetics(v))
		}
	}
	q.compact = Compact(q.Text)
	if looksLikePhone(q.Text) {
		q.phone = Phone(q.Text)
	}
	return q
}

func looksLikePhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' || r == ' ' || r == '-' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 6
}

// Empty reports whether there is nothing to search for.
func (q Query) Empty() bool { return len(q.variants) == 0 && q.DOB == nil }

// Tokens returns the query's words as written, normalised.
func (q Query) Tokens() []string {
	if len(q.variants) == 0 {
		return nil
	}
	return q.variants[0]
}

// QueryKeys are the search keys of a query, grouped by how many records
// each is likely to find: Exact and Pair keys find few, Initial and Token
// keys more, Fuzzy keys (phonetic codes) many.
type QueryKeys struct {
	Exact   []string // identifiers, references, dates of birth
	Pair    []string // "q:" pair keys: two words by sound
	Initial []string // "n:" pair keys: one word by sound, one by initial
	Token   []string // whole words and their canonical names
	Fuzzy   []string // phonetic codes of single words
}

// Keys returns the keys to look candidates up by.
func (q Query) Keys() QueryKeys {
	var k QueryKeys
	seen := map[string]bool{}
	add := func(list *[]string, key string) {
		if key != "" && !seen[key] {
			seen[key] = true
			*list = append(*list, key)
		}
	}
	if len(q.compact) >= 2 {
		add(&k.Exact, "i:"+q.compact)
	}
	if q.phone != "" {
		add(&k.Exact, "i:"+q.phone)
	}
	if q.DOB != nil {
		add(&k.Exact, DOBKey(*q.DOB))
		if sw, ok := swapDayMonth(*q.DOB); ok {
			add(&k.Exact, DOBKey(sw))
		}
	}
	for _, ts := range q.variants {
		for _, p := range PairKeys(ts) {
			if strings.HasPrefix(p, "q:") {
				add(&k.Pair, p)
			} else {
				add(&k.Initial, p)
			}
		}
		for _, t := range ts {
			for _, tk := range TokenKeys(t) {
				switch {
				case strings.HasPrefix(tk, "t:") && len([]rune(t)) < 2:
					// A lone initial finds too much on its own.
				case strings.HasPrefix(tk, "t:"), strings.HasPrefix(tk, "c:"):
					add(&k.Token, tk)
				default:
					add(&k.Fuzzy, tk)
				}
			}
		}
	}
	return k
}

// FullText returns the query's words for a full-text prefix search: those
// of three characters or more with a letter in them (a short or numeric
// prefix matches too much; references and numbers have identifier keys).
func (q Query) FullText() []string {
	var out []string
	for _, t := range q.Tokens() {
		if len([]rune(t)) >= 3 && strings.IndexFunc(t, unicode.IsLetter) >= 0 {
			out = append(out, t)
		}
	}
	return out
}

func swapDayMonth(d time.Time) (time.Time, bool) {
	if d.Day() > 12 || d.Day() == int(d.Month()) {
		return time.Time{}, false
	}
	return time.Date(d.Year(), time.Month(d.Day()), int(d.Month()), 0, 0, 0, 0, time.UTC), true
}

// Candidate is what the ranker needs of a record.
type Candidate struct {
	// Names are the record's names: the primary name first, then aliases,
	// nicknames and (for a group) the operation name.
	Names []string
	// Identifiers are its reference, registration, number and the like.
	Identifiers []string
	DOB         *time.Time
}

// Match is how well a candidate matches a query.
type Match struct {
	Score float64
	// Name is the index in Candidate.Names of the name that matched best,
	// or -1 when no name matched (an identifier or date of birth did).
	Name       int
	Identifier bool // the reference or an identifier matched
	DOB        bool // the date of birth matched exactly
}

// OK reports whether the match is good enough to show.
func (m Match) OK() bool { return m.Score >= MinScore }

// Score rates candidate c against q.
func (q Query) Score(c Candidate) Match {
	m := Match{Name: -1}
	for i, n := range c.Names {
		for _, nts := range TokenVariants(n) {
			if len(nts) == 0 {
				continue
			}
			ncodes := phonetics(nts)
			for vi, qts := range q.variants {
				if s := nameScore(qts, q.codes[vi], nts, ncodes); s > m.Score {
					m.Score, m.Name = s, i
				}
			}
		}
	}
	if len(q.compact) >= 2 {
		for _, id := range c.Identifiers {
			cid := Compact(id)
			switch {
			case cid == "":
			case cid == q.compact || (q.phone != "" && Phone(id) == q.phone):
				m.Score, m.Identifier = ScoreIdentifier, true
			case len(q.compact) >= 4 && strings.HasPrefix(cid, q.compact) && m.Score < ScoreIdentifierPrefix:
				m.Score, m.Identifier = ScoreIdentifierPrefix, true
			}
		}
	}
	if q.DOB != nil {
		if len(q.variants) == 0 && q.compact == "" {
			m.Score = 1 // a search by date of birth alone
		}
		if c.DOB != nil {
			switch sw, ok := swapDayMonth(*q.DOB); {
			case c.DOB.Equal(*q.DOB):
				m.Score += BonusDOB
				m.DOB = true
			case ok && c.DOB.Equal(sw):
				m.Score += BonusDOBSwapped
			default:
				m.Score -= PenaltyDOB
			}
		} else if len(q.variants) == 0 && q.compact == "" {
			m.Score = 0
		}
	}
	return m
}

// TokenScore is the similarity of a query token q to a name token n, from
// 0 to 1.
func TokenScore(q, n string) float64 { return tokenScore(q, n, Phonetic(q), Phonetic(n)) }

// phonetics returns the Double Metaphone codes of each of tokens.
func phonetics(tokens []string) [][]string {
	out := make([][]string, len(tokens))
	for i, t := range tokens {
		out[i] = Phonetic(t)
	}
	return out
}

// tokenScore is TokenScore with the tokens' phonetic codes (qc, nc)
// already worked out: a search ranks each name against the same query.
func tokenScore(q, n string, qc, nc []string) float64 {
	if q == n {
		return 1
	}
	rq := []rune(q)
	if len(rq) == 1 {
		if r := []rune(n); len(r) > 0 && r[0] == rq[0] {
			return ScoreInitial
		}
		return 0
	}
	if len([]rune(n)) == 1 {
		if rq[0] == []rune(n)[0] {
			return ScoreInitial * 0.9
		}
		return 0
	}
	s := Similarity(q, n)
	if SameName(q, n) {
		s = max(s, ScoreVariant)
	}
	if len(rq) >= 3 && strings.HasPrefix(n, q) {
		s = max(s, ScorePrefix)
	}
	if s < ScorePhonetic && samePhonetic(qc, nc) {
		s = (s + ScorePhonetic) / 2
	}
	return s
}

// samePhonetic reports whether two tokens' codes (pa, pb) share one.
func samePhonetic(pa, pb []string) bool {
	for _, x := range pa {
		if containsStr(pb, x) {
			return true
		}
	}
	return false
}

// NameScore rates query tokens qts against one name's tokens nts: each
// query token is paired with the name token it matches best (each name
// token used once, so swapped forename and surname still pair up), the
// pairs are averaged, initials counting half, and name tokens left over
// cost a little.
func NameScore(qts, nts []string) float64 {
	return nameScore(qts, phonetics(qts), nts, phonetics(nts))
}

// nameScore is NameScore with the tokens' phonetic codes (qcodes, ncodes)
// already worked out.
func nameScore(qts []string, qcodes [][]string, nts []string, ncodes [][]string) float64 {
	if len(qts) == 0 || len(nts) == 0 {
		return 0
	}
	type pair struct {
		i, j int
		s    float64
	}
	pairs := make([]pair, 0, len(qts)*len(nts))
	for i, q := range qts {
		for j, n := range nts {
			if s := tokenScore(q, n, qcodes[i], ncodes[j]); s > 0 {
				pairs = append(pairs, pair{i, j, s})
			}
		}
	}
	// Greedy best-first assignment: names have few tokens.
	usedQ := make([]int, len(qts))
	usedN := make([]bool, len(nts))
	for i := range usedQ {
		usedQ[i] = -1
	}
	var sum float64
	for range min(len(qts), len(nts)) {
		best := -1
		for k, p := range pairs {
			if usedQ[p.i] >= 0 || usedN[p.j] {
				continue
			}
			if best < 0 || p.s > pairs[best].s {
				best = k
			}
		}
		if best < 0 {
			break
		}
		p := pairs[best]
		usedQ[p.i], usedN[p.j] = p.j, true
		sum += weight(qts[p.i]) * p.s
	}
	var total float64
	for _, q := range qts {
		total += weight(q)
	}
	score := sum / total
	unmatched := 0
	for _, u := range usedN {
		if !u {
			unmatched++
		}
	}
	score -= min(float64(unmatched)*PenaltyUnmatchedToken, MaxUnmatchedPenalty)
	inOrder, last := true, -1
	for _, j := range usedQ {
		if j >= 0 {
			if j < last {
				inOrder = false
			}
			last = j
		}
	}
	if inOrder && len(qts) > 1 {
		score += BonusOrder
	}
	if len(qts) != len(nts) {
		cq, cn := strings.Join(qts, ""), strings.Join(nts, "")
		score = max(score, ConcatFactor*Similarity(cq, cn))
	}
	return min(score, 1+BonusOrder)
}

func weight(t string) float64 {
	if len([]rune(t)) == 1 && unicode.IsLetter([]rune(t)[0]) {
		return InitialWeight
	}
	return 1
}
