package importexport

import "testing"

func TestSafeCell(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"plain text", "Kyle Brennan", "Kyle Brennan"},
		{"empty", "", ""},
		{"spaces only", "   ", "   "},
		{"formula", "=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"plus", "+447700900123", "'+447700900123"},
		{"minus", "-1+1", "'-1+1"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab", "\t=1", "'\t=1"},
		{"carriage return", "\r=1", "'\r=1"},
		{"line feed", "\n=1", "'\n=1"},
		{"spaces before a formula", "  =1+1", "'  =1+1"},
		{"no-break space before a formula", "\u00a0=1", "'\u00a0=1"},
		{"full-width equals", "＝1+1", "'＝1+1"},
		{"equals later on", "a=b", "a=b"},
		{"a date", "22/11/2026", "22/11/2026"},
	}
	for _, c := range cases {
		if got := SafeCell(c.in); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func FuzzSafeCell(f *testing.F) {
	for _, s := range []string{"=1", " +1", "plain", "", "＠x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SafeCell(s)
		if got != s && got != "'"+s {
			t.Fatalf("SafeCell(%q) = %q: it may only add a leading apostrophe", s, got)
		}
		// What a spreadsheet would parse never starts a formula.
		for _, r := range got {
			if r == ' ' || r == '\u00a0' {
				continue
			}
			if r == '=' || r == '+' || r == '-' || r == '@' || r == '\t' || r == '\r' || r == '\n' {
				t.Fatalf("SafeCell(%q) = %q still starts a formula", s, got)
			}
			break
		}
	})
}
