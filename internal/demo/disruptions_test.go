package demo_test

import (
	"context"
	"fmt"
	"testing"

	"alliance/internal/audit"
	"alliance/internal/demo"
	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// TestDemoPerformance: the demo partnership's disruptions give the seed
// slide "23/24 SOC Disruptions", computed from the records through the
// performance service, for the police analyst and for the police board
// member (whose view suppresses only small counts); a council board member,
// who may not see the police's OFFICIAL-SENSITIVE groups and people, counts
// fewer; and the years either side are not empty.
func TestDemoPerformance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		alog := audit.NewLog(s.Now, s.NewID, audit.SigningKey([]byte("test")))
		if _, err := demo.Load(ctx, s, demo.Options{Audit: alog}); err != nil {
			t.Fatal(err)
		}
		perf := service.NewPerformance(s, alog, 0)
		for _, email := range []string{"analyst@nyp.example", "board@nyp.example"} {
			p, err := perf.Compute(ctx, demoActor(t, s, email), service.PerformanceInput{FY: "2023/24"})
			if err != nil {
				t.Fatalf("%s: %v", email, err)
			}
			seizure := func(agency, typ string) string {
				for _, c := range p.Seizures {
					if c.Agency == agency && c.Type == typ {
						return fmt.Sprintf("%d %s", c.Count.N, domain.FormatPounds(c.ValuePence))
					}
				}
				return "none"
			}
			for _, c := range []struct{ what, got, want string }{
				{"disruptions", fmt.Sprint(p.Disruptions), "{257 false}"},
				{"adults safeguarded", fmt.Sprint(p.AdultsSafeguarded), "{111 false}"},
				{"children safeguarded", fmt.Sprint(p.ChildrenSafeguarded), "{23 false}"},
				{"open activity records", fmt.Sprint(p.OpenActivities), "{5 false}"},
				{"warrants", fmt.Sprint(p.Warrants), "{136 false}"},
				{"sentence length in years", p.SentenceYears(), "52"},
				{"NYP Non-POCA", seizure("North Yorkshire Police", "Cash Seizure (Non-POCA)"), "7 £68,765"},
				{"NYP PACE", seizure("North Yorkshire Police", "Other Seizures – Cash (PACE)"), "21 £118,741"},
			} {
				if c.got != c.want {
					t.Errorf("%s, 2023/24 %s: got %s, want %s", email, c.what, c.got, c.want)
				}
			}
			sum := int64(0)
			for _, c := range p.ByFourP {
				sum += c.Cell.N
			}
			if sum != 257 {
				t.Errorf("%s: the 4P breakdown adds up to %d, want 257", email, sum)
			}
		}
		council, err := perf.Compute(ctx, demoActor(t, s, "board@nyc.example"), service.PerformanceInput{FY: "2023/24"})
		if err != nil {
			t.Fatal(err)
		}
		if n := council.Disruptions.N; n >= 257 || n == 0 {
			t.Errorf("council board member counts %d disruptions in 2023/24, want fewer than 257 but some", n)
		}
		for _, fy := range []string{"2024/25", "2025/26"} {
			p, err := perf.Compute(ctx, demoActor(t, s, "analyst@nyp.example"), service.PerformanceInput{FY: fy})
			if err != nil {
				t.Fatal(err)
			}
			if p.Disruptions.N < 150 {
				t.Errorf("%s: got %d disruptions, want a plausible year (150 or more)", fy, p.Disruptions.N)
			}
		}
	})
}
