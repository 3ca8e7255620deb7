package domain

// The models Alliance ships as version 1 of each method. They are local
// defaults written for this system, NOT the national OCGM or MoRiLE
// schemes, whose attribute lists, weights, scales and thresholds are not
// published (DOMAIN.md §1.1, §1.2, §12). Administrators replace them with
// their force's or region's own figures; every edit is a new version.

// DefaultNoticeOCGM is the caveat carried by the default OCGM-style model.
const DefaultNoticeOCGM = "Alliance default OCGM-style model v1 — not the national OCGM weights, which are not published; edit to match your force"

// DefaultNoticeMoRiLE is the caveat carried by the default MoRiLE-style model.
const DefaultNoticeMoRiLE = "Alliance default MoRiLE-style model v1 — not the national MoRiLE scales or thresholds, which are not published; edit to match your force"

func ordinal(pairs ...any) []ScaleValue {
	out := make([]ScaleValue, 0, len(pairs)/3)
	for i := 0; i+2 < len(pairs); i += 3 {
		out = append(out, ScaleValue{Code: pairs[i].(string), Label: pairs[i+1].(string), Points: toFloat(pairs[i+2])})
	}
	return out
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	panic("scoring defaults: points must be int or float64")
}

// DefaultOCGM returns the default OCGM-style model: eight attributes drawn
// from what HMICFRS says OCG mapping considers (criminal activity,
// geographic range, network, capability and sophistication), each scored
// 0–4 and weighted, and nine bands 1A (highest) to 3C. The band labels
// echo local practice only; they are not the national bands.
func DefaultOCGM() *OCGMDefinition {
	five := func(c0, l0, c1, l1, c2, l2, c3, l3, c4, l4 string) []ScaleValue {
		return ordinal(c0, l0, 0, c1, l1, 1, c2, l2, 2, c3, l3, 3, c4, l4, 4)
	}
	return &OCGMDefinition{
		Name:            "Alliance default OCGM-style model",
		Notice:          DefaultNoticeOCGM,
		ReviewThreshold: DefaultReviewThreshold,
		Attributes: []Attribute{
			{Code: "criminality", Name: "Seriousness of criminal activity", Weight: 3,
				Description: "The most serious criminality the group is assessed to be involved in",
				Scale: five("none_known", "None known", "volume", "Volume or low-level crime", "acquisitive", "Organised acquisitive crime or fraud",
					"serious", "Class A supply, county lines or money laundering", "most_serious", "Firearms supply, trafficking or child sexual exploitation")},
			{Code: "violence", Name: "Use of violence and weapons", Weight: 3,
				Description: "Violence, intimidation and access to weapons",
				Scale: five("none_known", "None known", "threats", "Threats or intimidation", "violence", "Violence used",
					"weapons", "Bladed or other weapons used", "firearms", "Firearms used or held")},
			{Code: "vulnerability", Name: "Exploitation of vulnerable people", Weight: 3,
				Description: "Children, vulnerable adults, victims of modern slavery or cuckooing",
				Scale: five("none_known", "None known", "suspected", "Suspected", "adults", "Vulnerable adults exploited",
					"children", "Children exploited", "systematic", "Systematic exploitation of children or trafficked people")},
			{Code: "capability", Name: "Capability and sophistication", Weight: 2,
				Description: "Planning, counter-surveillance, encrypted communications, specialist skills",
				Scale: five("none_known", "None known", "basic", "Basic", "organised", "Organised with some security",
					"sophisticated", "Sophisticated counter-measures", "expert", "Expert, resilient to disruption")},
			{Code: "geography", Name: "Range of geographical impact", Weight: 2,
				Description: "How far the group's activity reaches",
				Scale: five("neighbourhood", "One neighbourhood", "district", "One district", "force", "Across the force area",
					"regional", "Across forces in the region", "national", "National or international")},
			{Code: "finance", Name: "Criminal finances", Weight: 2,
				Description: "Money laundering and use of legitimate businesses",
				Scale: five("none_known", "None known", "cash", "Cash-based, little laundering", "laundering", "Some laundering",
					"businesses", "Legitimate businesses used to launder", "professional", "Professional enablers or international laundering")},
			{Code: "corruption", Name: "Corruption and infiltration", Weight: 2,
				Description: "Corruption of, or access to, public bodies and businesses",
				Scale: five("none_known", "None known", "suspected", "Suspected", "attempted", "Attempted corruption",
					"insider", "An insider in a business or public body", "established", "Established corruption of public officials")},
			{Code: "network", Name: "Network size and links", Weight: 1,
				Description: "Members, associates and links to other groups",
				Scale: five("small", "Fewer than 5 members", "medium", "5 to 10 members", "large", "11 to 20 members",
					"linked", "More than 20 members or linked to other groups", "hub", "A hub linking several groups")},
		},
		Bands: []Band{
			{Name: "1A", Min: 54, Priority: "P1", Description: "Local default band: highest threat"},
			{Name: "1B", Min: 45, Priority: "P1", Description: "Local default band"},
			{Name: "1C", Min: 38, Priority: "P1", Description: "Local default band"},
			{Name: "2A", Min: 31, Priority: "P2", Description: "Local default band"},
			{Name: "2B", Min: 25, Priority: "P2", Description: "Local default band"},
			{Name: "2C", Min: 19, Priority: "P2", Description: "Local default band"},
			{Name: "3A", Min: 13, Priority: "P3", Description: "Local default band"},
			{Name: "3B", Min: 7, Priority: "P3", Description: "Local default band"},
			{Name: "3C", Min: 0, Priority: "P3", Description: "Local default band: lowest threat"},
		},
	}
}

// DefaultMoRiLE returns the default MoRiLE-style model: four harm types
// scored 0–4, multiplied by geographic scope; frequency and trend, multiplied
// by victim vulnerability; risk = harm × likelihood (at most 288); and
// priorities P1 to P3 that rise when the partnership lacks the capacity or
// capability to respond.
func DefaultMoRiLE() *MoRiLEDefinition {
	harm := func(code, name, desc string) Dimension {
		return Dimension{Code: code, Name: name, Description: desc,
			Scale: ordinal("none", "None", 0, "low", "Low", 1, "moderate", "Moderate", 2, "substantial", "Substantial", 3, "critical", "Critical", 4)}
	}
	return &MoRiLEDefinition{
		Name:            "Alliance default MoRiLE-style model",
		Notice:          DefaultNoticeMoRiLE,
		ReviewThreshold: DefaultReviewThreshold,
		Harm: []Dimension{
			harm("physical", "Physical harm", "The physical impact suffered by victims and others"),
			harm("psychological", "Psychological harm", "Fear, trauma and lasting psychological impact"),
			harm("financial", "Financial harm", "Losses to victims, businesses and the public purse"),
			harm("community", "Community and environment", "Harm to communities, public confidence and the environment"),
		},
		Geography: Adjustment{Code: "geography", Name: "Geographic scope", Mode: AdjustMultiply,
			Description: "Multiplies total harm",
			Scale: ordinal("local", "Local (×1)", 1, "regional", "Regional (×1.25)", 1.25, "national", "National (×1.5)", 1.5,
				"international", "International (×2)", 2)},
		Likelihood: []Dimension{
			{Code: "frequency", Name: "Frequency", Description: "How often the harm occurs",
				Scale: ordinal("isolated", "Isolated", 1, "occasional", "Occasional", 2, "frequent", "Frequent", 3, "persistent", "Persistent", 4)},
			{Code: "trend", Name: "Trend", Description: "Whether the activity is growing",
				Scale: ordinal("decreasing", "Decreasing", 0, "stable", "Stable", 1, "increasing", "Increasing", 2)},
		},
		Vulnerability: Adjustment{Code: "victim_vulnerability", Name: "Victim vulnerability", Mode: AdjustMultiply,
			Description: "Multiplies likelihood",
			Scale: ordinal("none_known", "None known (×1)", 1, "some", "Some vulnerable victims (×1.25)", 1.25,
				"high", "Children or highly vulnerable adults (×1.5)", 1.5)},
		Risk: RiskProduct,
		Position: Dimension{Code: "org_position", Name: "Organisational position",
			Description: "The partnership's capacity and capability to respond",
			Scale: ordinal("strong", "Capacity and capability in place", 1, "partial", "Some gaps in capacity or capability", 2,
				"limited", "Little capacity or capability", 3, "none", "No capacity or capability to respond", 4)},
		Priorities: []PriorityRule{
			{Priority: "P1", MinRisk: 144, Note: "Very high risk"},
			{Priority: "P1", MinRisk: 72, Positions: []string{"limited", "none"}, Note: "High risk the partnership cannot yet meet"},
			{Priority: "P2", MinRisk: 72, Note: "High risk"},
			{Priority: "P2", MinRisk: 36, Positions: []string{"limited", "none"}, Note: "Moderate risk the partnership cannot yet meet"},
			{Priority: "P3", MinRisk: 0, Note: "Everything else"},
		},
	}
}

// DefaultScoringDefinition returns the shipped default for method, or nil.
func DefaultScoringDefinition(method ScoringMethod) ScoringDefinition {
	switch method {
	case MethodOCGM:
		return DefaultOCGM()
	case MethodMoRiLE:
		return DefaultMoRiLE()
	}
	return nil
}
