// Package match turns names, registrations, numbers and dates into search
// keys and scores how well a query matches a record. It is pure: no
// database, no clock. The store writes the keys Keys returns into the
// search_key table; search reads candidates by key and ranks them with
// Score.
//
// Names are normalised (accents removed, apostrophes dropped, case
// folded), split into tokens, and each token is keyed: the token itself
// ("t:oneill"), its Double Metaphone codes ("m:ANL"), and for nicknames and
// spelling variants the canonical name of their group ("c:william" for
// Bill). Pairs of tokens in one name get pair keys, which find a person on
// a short list: "q:" with the two tokens' primary phonetic codes in sorted
// order ("q:JN/SM0" for John Smith or Jon Smyth, in either order), and
// "n:" with the code of one and the initial of the other ("n:SM0/j"), so
// one word may be misspelt beyond recognition as long as its first letter
// is right. Prefixes of what is typed are found by full-text search.
package match

import (
	"strings"
	"time"
	"unicode"

	"github.com/antzucaro/matchr"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold removes accents and folds case: "Zoë Ó Néill" → "zoe o neill".
// Letters with no decomposition (ø, ł, ß, æ) are mapped by hand.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	out = strings.NewReplacer("ø", "o", "Ø", "o", "ł", "l", "Ł", "l", "ß", "ss", "æ", "ae", "Æ", "ae", "œ", "oe", "Œ", "oe", "đ", "d", "Đ", "d").Replace(out)
	return strings.ToLower(out)
}

// Tokens normalises a name and splits it into words. Apostrophes are
// dropped inside words (O'Neill → oneill) and hyphens split them
// (Smith-Jones → smith, jones); anything not a letter or digit separates.
func Tokens(name string) []string {
	f := Fold(name)
	f = strings.NewReplacer("'", "", "’", "", "‘", "", "`", "").Replace(f)
	return strings.FieldsFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// Normalise returns the name's tokens joined by single spaces.
func Normalise(name string) string { return strings.Join(Tokens(name), " ") }

// Compact normalises an identifier such as a registration, phone number or
// postcode: letters and digits only, upper case ("ab12 cde" → "AB12CDE").
func Compact(s string) string {
	var b strings.Builder
	for _, r := range Fold(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// Phone normalises a UK phone number: digits only, with a leading +44 or
// 44 turned into 0 ("+44 7700 900123" → "07700900123").
func Phone(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(strings.TrimSpace(s), "+44") || (strings.HasPrefix(d, "44") && len(d) == 12) {
		d = "0" + strings.TrimPrefix(d, "44")
	}
	return d
}

// Phonetic returns the distinct Double Metaphone codes of a token.
func Phonetic(token string) []string {
	if token == "" {
		return nil
	}
	a, b := matchr.DoubleMetaphone(token)
	switch {
	case a == "" && b == "":
		return nil
	case b == "" || a == b:
		return []string{a}
	case a == "":
		return []string{b}
	}
	return []string{a, b}
}

// NameKeys returns the search keys of one name: the keys of each of its
// tokens and its pair keys, for every way of splitting it (see
// TokenVariants). Keys may repeat; Keys removes duplicates.
func NameKeys(name string) []string {
	var keys []string
	for _, ts := range TokenVariants(name) {
		for _, t := range ts {
			keys = append(keys, TokenKeys(t)...)
		}
		keys = append(keys, PairKeys(ts)...)
	}
	return keys
}

// TokenKeys returns the keys of one normalised token.
func TokenKeys(t string) []string {
	keys := []string{"t:" + t}
	for _, p := range Phonetic(t) {
		keys = append(keys, "m:"+p)
	}
	for _, c := range Canonical(t) {
		keys = append(keys, "c:"+c)
	}
	return keys
}

// maxPairTokens bounds the tokens of one name that get pair keys, so a
// long business name or address does not make hundreds of keys.
const maxPairTokens = 5

// primaries returns the primary Double Metaphone codes of a token and of
// its canonical names.
func primaries(t string) []string {
	var codes []string
	for _, f := range append([]string{t}, Canonical(t)...) {
		if p := Phonetic(f); len(p) > 0 && !containsStr(codes, p[0]) {
			codes = append(codes, p[0])
		}
	}
	return codes
}

// initials returns the first letters of a token and of its canonical
// names.
func initials(t string) []string {
	var out []string
	for _, f := range append([]string{t}, Canonical(t)...) {
		if r := []rune(f); len(r) > 0 && !containsStr(out, string(r[0])) {
			out = append(out, string(r[0]))
		}
	}
	return out
}

// PairKeys returns the pair keys of one tokenised name (see the package
// comment): "q:" keys for each unordered pair of words of two letters or
// more, and "n:" keys for each ordered pair (a, b) with a of two letters
// or more, b possibly an initial.
func PairKeys(tokens []string) []string {
	if len(tokens) > maxPairTokens {
		tokens = tokens[:maxPairTokens]
	}
	var keys []string
	for i, a := range tokens {
		if len([]rune(a)) < 2 {
			continue
		}
		ca := primaries(a)
		for j, b := range tokens {
			if i == j || b == a {
				continue
			}
			for _, in := range initials(b) {
				for _, c := range ca {
					keys = append(keys, "n:"+c+"/"+in)
				}
			}
			if j < i || len([]rune(b)) < 2 {
				continue
			}
			for _, x := range ca {
				for _, y := range primaries(b) {
					if x > y {
						x, y = y, x
					}
					keys = append(keys, "q:"+x+"/"+y)
				}
			}
		}
	}
	return keys
}

// IdentifierKey is the key of an identifier (registration, phone number,
// company number, postcode, reference).
func IdentifierKey(s string) string {
	c := Compact(s)
	if c == "" {
		return ""
	}
	return "i:" + c
}

// DOBKey is the key of a date of birth.
func DOBKey(d time.Time) string { return "d:" + d.Format("2006-01-02") }

// Keys returns the distinct search keys of a record with names (the
// primary name first, then aliases and nicknames), identifiers and an
// optional date of birth.
func Keys(names []string, identifiers []string, dob *time.Time) []string {
	seen := map[string]bool{}
	var out []string
	add := func(k string) {
		if k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, n := range names {
		for _, k := range NameKeys(n) {
			add(k)
		}
	}
	for _, id := range identifiers {
		add(IdentifierKey(id))
	}
	if dob != nil {
		add(DOBKey(*dob))
	}
	return out
}

// Similarity is the Jaro-Winkler similarity of two normalised strings,
// from 0 (nothing alike) to 1 (the same).
func Similarity(a, b string) float64 {
	if a == b {
		return 1
	}
	if a == "" || b == "" {
		return 0
	}
	return matchr.JaroWinkler(a, b, true)
}
