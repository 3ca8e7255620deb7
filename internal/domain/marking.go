package domain

import (
	"fmt"
	"strings"
	"time"
)

// Classification is a Government Security Classifications marking. Alliance
// holds OFFICIAL information only; SECRET and above are refused at input.
type Classification string

// Classifications Alliance accepts.
const (
	Official          Classification = "OFFICIAL"
	OfficialSensitive Classification = "OFFICIAL-SENSITIVE"
)

// ParseClassification accepts OFFICIAL and OFFICIAL-SENSITIVE (any case,
// spaces or hyphen) and refuses everything else, naming SECRET and TOP SECRET
// explicitly.
func ParseClassification(s string) (Classification, error) {
	n := strings.ToUpper(strings.Join(strings.Fields(strings.ReplaceAll(s, "-", " ")), " "))
	switch n {
	case "OFFICIAL":
		return Official, nil
	case "OFFICIAL SENSITIVE":
		return OfficialSensitive, nil
	case "SECRET", "TOP SECRET":
		return "", fmt.Errorf("%s material must not be put on Alliance: record where it is held instead", n)
	case "":
		return "", fmt.Errorf("choose OFFICIAL or OFFICIAL-SENSITIVE")
	}
	return "", fmt.Errorf("%q is not a classification Alliance holds: choose OFFICIAL or OFFICIAL-SENSITIVE", s)
}

// HandlingCode is the "2" of 3x5x2: P, lawful sharing permitted; C, lawful
// sharing permitted with conditions.
type HandlingCode string

// Handling codes.
const (
	HandlingP HandlingCode = "P"
	HandlingC HandlingCode = "C"
)

// Marking is the protective metadata every protected record carries. The
// access policy reads nothing else about a record.
type Marking struct {
	PartnershipID  string
	OriginAgencyID string
	Classification Classification
	Handling       HandlingCode
	// ConditionAgencies and ConditionTypes are who handling code C allows.
	ConditionAgencies []string
	ConditionTypes    []AgencyType
	// Restricted records are visible only to the users and agencies named.
	Restricted    bool
	NamedUsers    []string
	NamedAgencies []string
	// For information reports, filled by reads: the originating agency is
	// police, a ROCU or the NCA; the report is a sanitised version of
	// another, written for partners. A police original never reaches a user
	// outside law enforcement (but its own agency's), whatever its handling.
	OriginLawEnforcement bool
	Sanitised            bool
}

// RecordKind names a kind of protected record, the unit role permissions
// are granted on.
type RecordKind string

// Protected record kinds.
const (
	KindInfoReport RecordKind = "info_report"
)

// ParseDay reads a date as people in the UK write it: 22/11/2026 (or
// 22/11/26), or the ISO form 2026-11-22. A day before MinDayYear is not a
// real date for anything Alliance records (1/1/0001 is a slip of the
// keyboard), so it is refused like 31/2/2026.
func ParseDay(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2/1/2006", "02/01/2006", "2/1/06", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < MinDayYear {
				return time.Time{}, false
			}
			return t, true
		}
	}
	return time.Time{}, false
}

// MinDayYear is the earliest year ParseDay accepts.
const MinDayYear = 1900
