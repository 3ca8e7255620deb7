package importexport

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

func testDocument(rows int) Document {
	d := Document{Title: "Test partnership board pack 2023/24", Subtitle: "Validated disruptions", Marking: "OFFICIAL-SENSITIVE",
		Author: "Zoë Ó Súilleabháin", Produced: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	s := Section{Heading: "Disruptions", Figures: []Figure{{"257", "Disruptions"}, {"fewer than 5", "Guns seized"}, {"hidden", "Warrants"}}}
	t := Table{Caption: "By area", Header: []string{"Area", "Disruptions"}, Numeric: []bool{false, true}, Half: true}
	for i := range rows {
		t.Rows = append(t.Rows, []string{fmt.Sprintf("Ward %d – Łódź “quoted” %s", i, strings.Repeat("long name ", i%7)), fmt.Sprint(i)})
	}
	s.Tables = append(s.Tables, t, t)
	d.Sections = append(d.Sections, s, Section{Heading: "Next", NewPage: true, Tables: []Table{t}})
	return d
}

func TestWritePDF(t *testing.T) {
	tests := []struct {
		name    string
		doc     Document
		wantErr bool
	}{
		{"a short pack", testDocument(5), false},
		{"tables running over several pages, text outside Windows-1252, long cells", testDocument(200), false},
		{"no marking is refused", func() Document { d := testDocument(1); d.Marking = ""; return d }(), true},
		{"no sections", Document{Title: "Empty", Marking: "OFFICIAL"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WritePDF(&buf, tc.doc)
			if (err != nil) != tc.wantErr {
				t.Fatalf("got error %v, want error %t", err, tc.wantErr)
			}
			if tc.wantErr {
				if buf.Len() != 0 {
					t.Errorf("got %d bytes written with the error, want none", buf.Len())
				}
				return
			}
			if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) || !bytes.Contains(buf.Bytes(), []byte("%%EOF")) {
				t.Errorf("got %q…, want a whole PDF", buf.Bytes()[:min(buf.Len(), 20)])
			}
		})
	}
}

// BenchmarkWritePDF makes a three-page pack like the demo's 2023/24.
func BenchmarkWritePDF(b *testing.B) {
	doc := testDocument(40)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := WritePDF(&buf, doc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/pdf")
}
