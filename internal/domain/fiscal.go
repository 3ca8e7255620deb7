package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FiscalYear is a UK public-sector financial year, 1 April to 31 March,
// named by the calendar year it starts in: FiscalYear(2023) is 2023/24,
// 1 April 2023 to 31 March 2024. Partnership figures (the OCG picture,
// quarterly returns) are reported by financial year.
type FiscalYear int

// Financial years outside this range are refused as typing mistakes.
const (
	minFiscalYear = 1900
	maxFiscalYear = 9998
)

// FiscalYearOf returns the financial year day falls in.
func FiscalYearOf(day time.Time) FiscalYear {
	if day.Month() < time.April {
		return FiscalYear(day.Year() - 1)
	}
	return FiscalYear(day.Year())
}

// ParseFiscalYear accepts a financial year as people write it: "2023/24",
// "2023-24", "2023/2024" or "2023-2024" (spaces around the separator are
// ignored). The second year must follow the first: "2023/25" is refused.
func ParseFiscalYear(s string) (FiscalYear, error) {
	raw := s
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	sep := strings.IndexAny(s, "/-")
	if sep < 0 {
		return 0, fmt.Errorf("%q is not a financial year: write it like 2023/24", raw)
	}
	first, second := s[:sep], s[sep+1:]
	if len(first) != 4 || (len(second) != 2 && len(second) != 4) || !digits(first) || !digits(second) {
		return 0, fmt.Errorf("%q is not a financial year: write it like 2023/24", raw)
	}
	start, _ := strconv.Atoi(first)
	end, _ := strconv.Atoi(second)
	if start < minFiscalYear || start > maxFiscalYear {
		return 0, fmt.Errorf("%q is not a financial year: the year must be between %d and %d", raw, minFiscalYear, maxFiscalYear)
	}
	want := start + 1
	if len(second) == 2 {
		want %= 100
	}
	if end != want {
		return 0, fmt.Errorf("%q is not a financial year: a financial year runs from April one year to March the next, like %s", raw, FiscalYear(start))
	}
	return FiscalYear(start), nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// String is the year as reports write it: "2023/24".
func (y FiscalYear) String() string {
	return fmt.Sprintf("%d/%02d", int(y), (int(y)+1)%100)
}

// Start is the first day of the year, 1 April, at midnight UTC.
func (y FiscalYear) Start() time.Time { return time.Date(int(y), time.April, 1, 0, 0, 0, 0, time.UTC) }

// End is the last day of the year, 31 March, at midnight UTC.
func (y FiscalYear) End() time.Time { return time.Date(int(y)+1, time.March, 31, 0, 0, 0, 0, time.UTC) }

// Contains reports whether day falls in the year.
func (y FiscalYear) Contains(day time.Time) bool { return FiscalYearOf(day) == y }

// Period returns the year as a period of days.
func (y FiscalYear) Period() Period {
	return Period{From: y.Start(), To: y.End(), Label: y.String()}
}

// Quarter returns quarter n (1 to 4) of the year: Q1 is April to June, Q4
// January to March. It panics on another n, a programming error.
func (y FiscalYear) Quarter(n int) FiscalQuarter {
	if n < 1 || n > 4 {
		panic(fmt.Sprintf("domain: quarter %d of a financial year", n))
	}
	return FiscalQuarter{Year: y, N: n}
}

// Quarters returns the year's four quarters in order.
func (y FiscalYear) Quarters() [4]FiscalQuarter {
	return [4]FiscalQuarter{{y, 1}, {y, 2}, {y, 3}, {y, 4}}
}

// FiscalQuarter is a quarter of a financial year: Q1 April to June, Q2 July
// to September, Q3 October to December, Q4 January to March.
type FiscalQuarter struct {
	Year FiscalYear
	N    int // 1 to 4
}

// FiscalQuarterOf returns the quarter day falls in.
func FiscalQuarterOf(day time.Time) FiscalQuarter {
	m := int(day.Month()) - int(time.April) // 0 for April … -3 for January
	if m < 0 {
		m += 12
	}
	return FiscalQuarter{Year: FiscalYearOf(day), N: m/3 + 1}
}

// ParseFiscalQuarter accepts "Q1 2023/24" or "2023/24 Q1" (any case, the
// year as ParseFiscalYear takes it).
func ParseFiscalQuarter(s string) (FiscalQuarter, error) {
	f := strings.Fields(strings.ToUpper(strings.TrimSpace(s)))
	if len(f) == 2 {
		q, y := f[0], f[1]
		if !strings.HasPrefix(q, "Q") {
			q, y = y, q
		}
		if len(q) == 2 && q[0] == 'Q' && q[1] >= '1' && q[1] <= '4' {
			fy, err := ParseFiscalYear(y)
			if err != nil {
				return FiscalQuarter{}, err
			}
			return FiscalQuarter{Year: fy, N: int(q[1] - '0')}, nil
		}
	}
	return FiscalQuarter{}, fmt.Errorf("%q is not a quarter: write it like Q1 2023/24", s)
}

// Start is the quarter's first day at midnight UTC.
func (q FiscalQuarter) Start() time.Time { return q.Year.Start().AddDate(0, 3*(q.N-1), 0) }

// End is the quarter's last day at midnight UTC.
func (q FiscalQuarter) End() time.Time { return q.Year.Start().AddDate(0, 3*q.N, -1) }

// String is the quarter as reports write it: "Q1 2023/24".
func (q FiscalQuarter) String() string { return fmt.Sprintf("Q%d %s", q.N, q.Year) }

// Period returns the quarter as a period of days.
func (q FiscalQuarter) Period() Period {
	return Period{From: q.Start(), To: q.End(), Label: q.String()}
}

// Period is a run of whole days, From and To both included, with the label
// pages show for it ("2023/24", "the 12 months to 22 November 2026").
type Period struct {
	From, To time.Time
	Label    string
}

// Contains reports whether day falls in the period (by calendar day).
func (p Period) Contains(day time.Time) bool {
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	return !d.Before(p.From) && !d.After(p.To)
}

// TwelveMonthsTo is the year of days ending on today: from the day after
// the same date a year before, to today.
func TwelveMonthsTo(today time.Time) Period {
	to := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	back := time.Date(to.Year()-1, to.Month(), to.Day(), 0, 0, 0, 0, time.UTC)
	if back.Month() != to.Month() { // 29 February: a year before is 28 February
		back = time.Date(to.Year()-1, to.Month()+1, 0, 0, 0, 0, 0, time.UTC)
	}
	return Period{From: back.AddDate(0, 0, 1), To: to, Label: "the 12 months to " + FormatUK(to)}
}
