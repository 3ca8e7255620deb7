package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/match"
)

// The demo's OCG register reproduces the seed slide's OCG picture: 28
// groups scored and mapped at 31 March 2024 (24 drugs or county lines, 1
// fraud, 2 modern slavery and human trafficking, 1 burglary), all still
// active, and 19 dismantled in 2023/24 (9 county lines, 7 drugs, 1 fraud, 1
// burglary, 1 money laundering). Around them are groups the figures must
// not count: proposed and under assessment, archived as merged, inactive or
// not an OCG, dismantled the year before, mapped or dismantled since. Every
// group has a lifecycle history with meeting references, an OCGM
// assessment (model version, inputs, result) when it was scored, 8 to 12
// members with their addresses, vehicles, phones and businesses, and 4P
// plans owned by several agencies. Everything is drawn from its own fixed
// seed, so loads agree whatever the other steps draw.

// registerSeed seeds the register's random choices.
const registerSeed = 20240331

// groupSpec is one demo group before it is written.
type groupSpec struct {
	name, op, threat string
	also             []string // further threats
	district         string   // home district (2013 LAD name)
	ownership        domain.OwnershipLevel
	class            domain.Classification
	handlingC        bool // handling C, shared with councils and housing
	restricted       bool // need to know: the police and the ROCU only
	origin           string
	proposed         time.Time
	// fate: "active" (mapped by 31 March 2024, still active), "dismantled"
	// (in 2023/24), or one of the extras below.
	fate       string
	final      domain.OCGStatus // for active groups: mapped, adopted or managed
	archiveOn  time.Time
	reason     domain.ArchiveReason
	rationale  string
	noPlan     bool // adopted or managed without a 4P plan
	noLRO      bool // the LRO has moved on and no one has replaced them
	overdue    bool // the plan's review date has passed
	lateReview bool // the group's review date has passed
	reassessed bool // scored again in 2025
	lro, sro   string
}

// regBuilder writes the register inside the demo's transaction.
type regBuilder struct {
	*builder
	rng      *rand.Rand
	today    time.Time
	pid      string
	wards    map[string][]string // district → ward unit IDs (town wards first)
	district map[string]string   // district name → unit ID
	model    domain.ScoringModel
	people   map[string][]string
	// carried for cross-links: principals of each group, in order.
	principals []struct{ group, person string }
	groupIDs   []string
	groups     []demoGroup
	// Written together at the end: entities and links, assessments,
	// lifecycle steps and plan actions.
	ents        []domain.Entity
	links       []domain.Link
	assessments []domain.Assessment
	steps       []domain.Transition
	actions     []domain.PlanAction
}

// flush writes the records gathered, a table at a time.
func (r *regBuilder) flush(ctx context.Context) error {
	if err := r.s.InsertEntities(ctx, r.tx, r.ents); err != nil {
		return err
	}
	if err := r.s.InsertLinks(ctx, r.tx, r.pid, r.links); err != nil {
		return err
	}
	if err := r.s.InsertAssessments(ctx, r.tx, r.pid, r.assessments); err != nil {
		return err
	}
	if err := r.s.InsertTransitions(ctx, r.tx, r.pid, r.steps); err != nil {
		return err
	}
	return r.s.InsertPlanActions(ctx, r.tx, r.pid, r.actions)
}

// townWards are the wards each district's groups operate in: the towns
// where street supply and exploitation concentrate.
var townWards = map[string][]string{
	"York":          {"Acomb", "Westfield", "Guildhall", "Heworth", "Clifton", "Holgate", "Micklegate", "Hull Road"},
	"Scarborough":   {"Castle", "Eastfield", "Central", "North Bay", "Falsgrave Park", "Woodlands", "Northstead", "Streonshalh", "Whitby West Cliff"},
	"Harrogate":     {"Bilton", "Woodfield", "Starbeck", "Knaresborough Scriven Park", "Low Harrogate", "New Park", "Ripon Moorside"},
	"Selby":         {"Selby North", "Selby South", "Selby West", "Sherburn in Elmet", "Tadcaster East", "Barlby"},
	"Craven":        {"Skipton East", "Skipton South", "Skipton West", "Aire Valley with Lothersdale", "Glusburn"},
	"Hambleton":     {"Northallerton North", "Northallerton Central", "Thirsk", "Romanby", "Bedale", "Stokesley"},
	"Richmondshire": {"Catterick", "Hipswell", "Colburn", "Richmond East", "Richmond Central", "Scotton"},
	"Ryedale":       {"Malton", "Norton East", "Norton West", "Pickering East", "Pickering West", "Kirkbymoorside"},
}

// districtTown is each district's main town and its postcode districts,
// for the demo's synthetic addresses.
var districtTown = map[string]struct {
	town      string
	postcodes []string
}{
	"York":          {"York", []string{"YO24", "YO26", "YO30", "YO31", "YO10"}},
	"Scarborough":   {"Scarborough", []string{"YO11", "YO12"}},
	"Harrogate":     {"Harrogate", []string{"HG1", "HG2", "HG5"}},
	"Selby":         {"Selby", []string{"YO8"}},
	"Craven":        {"Skipton", []string{"BD23"}},
	"Hambleton":     {"Northallerton", []string{"DL6", "DL7"}},
	"Richmondshire": {"Catterick Garrison", []string{"DL9", "DL10"}},
	"Ryedale":       {"Malton", []string{"YO17"}},
}

var districts = []string{"Scarborough", "York", "Harrogate", "Selby", "Craven", "Hambleton", "Richmondshire", "Ryedale"}

// Source cities of county lines into North Yorkshire.
var lineOrigins = []string{"Leeds", "Bradford", "Middlesbrough", "Liverpool", "Manchester", "Hull", "Teesside", "Sheffield", "West London"}

var operations = []string{"Alder", "Bracken", "Cairn", "Dunlin", "Elder", "Fieldfare", "Gorse", "Heron", "Ibex", "Juniper", "Kittiwake", "Larch",
	"Merlin", "Nightjar", "Osprey", "Plover", "Quartz", "Rowan", "Sandpiper", "Tern", "Umber", "Vole", "Wagtail", "Yarrow", "Avocet",
	"Bittern", "Curlew", "Dipper", "Eider", "Fulmar", "Gannet", "Harrier", "Ivy", "Jackdaw", "Kingfisher", "Lapwing", "Mallard", "Nuthatch",
	"Oriole", "Puffin", "Redshank", "Skylark", "Teal", "Wren", "Hawthorn", "Heather", "Limestone", "Millstone", "Granite", "Slate",
	"Cobble", "Pennine", "Swale", "Wharfe", "Nidd", "Esk", "Derwent", "Rye", "Ouse", "Cover", "Aire"}

var lineNames = []string{"Tommo", "Benz", "Dizzy", "K2", "Mikey", "Shotta", "Kash", "Ricky", "Blue", "Bando", "Zee", "Deano", "Nitro", "Lucky",
	"Spider", "Rocco", "Wavey", "Jet", "Bossman", "Dubz", "Snowy", "Polo", "Ghost", "Flash"}

// Synthetic people: none is meant to be a real person.
var (
	maleNames = []string{"Aaron", "Adam", "Ali", "Billy", "Bradley", "Callum", "Connor", "Craig", "Darren", "Dean", "Declan", "Dylan",
		"Ethan", "Gary", "Harvey", "Imran", "Jamal", "Jamie", "Jason", "Jordan", "Josh", "Kane", "Karl", "Kieran", "Kyle", "Lee", "Leon",
		"Liam", "Luke", "Marcus", "Mason", "Michael", "Nathan", "Paul", "Reece", "Ricky", "Ryan", "Scott", "Sean", "Shane", "Stuart",
		"Tariq", "Tyler", "Wayne", "Zain", "Arben", "Klodian", "Tomasz", "Marius", "Andrei", "Kwame", "Tyrone", "Danny", "Lewis", "Owen"}
	femaleNames = []string{"Amy", "Chantelle", "Charlotte", "Chloe", "Courtney", "Danielle", "Demi", "Emma", "Gemma", "Hayley", "Jade",
		"Jasmine", "Kayleigh", "Kirsty", "Leanne", "Lauren", "Megan", "Nadia", "Natalie", "Paige", "Rebecca", "Sadia", "Shannon", "Stacey",
		"Tanya", "Toni", "Vicky", "Zoe", "Elira", "Agnieszka"}
	surnames = []string{"Atkinson", "Barker", "Bell", "Binns", "Boyes", "Brown", "Carr", "Clarkson", "Collier", "Cooper", "Dale", "Dobson",
		"Duffy", "Fawcett", "Foster", "Gill", "Goodall", "Green", "Hall", "Harker", "Hick", "Holmes", "Hudson", "Hussain", "Jackson",
		"Kelly", "Khan", "Knowles", "Lambert", "Leake", "Lowther", "Malik", "Marshall", "McCann", "Moss", "Naylor", "Nicholson", "Owens",
		"Parkin", "Pearson", "Pratt", "Priestley", "Quinn", "Raine", "Rhodes", "Robson", "Rowe", "Scaife", "Shaw", "Simpson", "Stead",
		"Stockdale", "Swales", "Tasker", "Thackray", "Thompson", "Towler", "Varley", "Walker", "Ward", "Whitaker", "Wilson", "Wright",
		"Young", "Hoxha", "Krasniqi", "Nowak", "Popescu", "Mensah", "Campbell", "O'Neill", "Doherty", "Ahmed", "Begum"}
	nicknames = []string{"Smudge", "Tank", "Little J", "Mouse", "Bubbles", "Rizzla", "Spud", "Chops", "Wiggy", "Nips", "Tiny", "Big Man",
		"Fizz", "Gaz", "Macca", "Nudge", "Scrappy", "Tricky", "Yardie", "Red", "Ginge", "Skinny", "Monkey", "Boz"}
	streets = []string{"Victoria Road", "Castle Road", "Albert Street", "Gladstone Road", "Westbourne Grove", "Falsgrave Road", "Moorland Road",
		"Station Road", "Queen Street", "Mill Lane", "Chapel Street", "Park Avenue", "Church Lane", "North Street", "Prospect Road",
		"Melrose Street", "Tennyson Avenue", "Raleigh Street", "Beech Grove", "Hawthorn Close", "Fern Bank", "Bright Street", "Union Road",
		"Garden Street", "Jubilee Terrace", "Oak Road", "Cedar Drive", "Eastway", "Westway", "Hollins Road"}
	businessKinds = []struct{ name, detail string }{
		{"Hand Car Wash", "Cash-only hand car wash; workers paid below minimum wage"},
		{"Nails & Beauty", "Nail bar; staff housed by the owner"},
		{"Vape & Phone Shop", "Sells vapes and unlocked phones; high cash turnover"},
		{"Pizza & Kebab", "Takeaway with late-night deliveries"},
		{"Scrap & Salvage", "Scrap metal dealer; licence under review"},
		{"Car Hire", "Short-term car hire, vehicles hired to group members"},
		{"Barbers", "Barber shop with cash turnover inconsistent with trade"},
		{"Lettings", "Letting agent for houses in multiple occupation"},
		{"Property Maintenance Ltd", "Building and roofing company used for doorstep jobs"},
		{"Mini Market", "Convenience store; cash deposits inconsistent with turnover"},
	}
	carModels = []string{"black Audi A3", "white Mercedes A-Class", "grey BMW 1 Series", "silver VW Golf", "black Range Rover Evoque",
		"blue Ford Fiesta", "white Toyota Prius (private hire)", "red Seat Leon", "grey Vauxhall Corsa", "black Ford Transit van"}
)

// register writes the demo's OCG register.
func (b *builder) register(ctx context.Context) error {
	n := b.s.Now()
	r := &regBuilder{builder: b, rng: rand.New(rand.NewPCG(registerSeed, registerSeed)), pid: b.res.Partnership.ID,
		today: time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC), people: map[string][]string{}}
	if err := r.loadAreas(); err != nil {
		return err
	}
	if err := r.loadModels(ctx); err != nil {
		return err
	}
	specs := r.specs()
	slices.SortStableFunc(specs, func(a, b groupSpec) int { return a.proposed.Compare(b.proposed) })
	for i := range specs {
		if err := r.group(ctx, &specs[i]); err != nil {
			return fmt.Errorf("demo: group %s: %w", specs[i].name, err)
		}
	}
	if err := r.crossLinks(ctx); err != nil {
		return err
	}
	if err := r.flush(ctx); err != nil {
		return err
	}
	if err := r.disruptions(ctx); err != nil {
		return err
	}
	return r.intelligence(ctx)
}

// loadAreas finds the unit ids of the districts and town wards among the
// units the areas step wrote.
func (r *regBuilder) loadAreas() error {
	wards := r.builder.wards
	r.wards, r.district = map[string][]string{}, map[string]string{}
	for _, d := range districts {
		for _, name := range townWards[d] {
			code := ""
			for _, w := range wards {
				if w.Properties.LADName == d && w.Properties.WardName == name {
					code = w.Properties.WardCode
					if r.district[d] == "" {
						id, ok := r.unitIDs[w.Properties.LADCode]
						if !ok {
							return fmt.Errorf("demo: district %s: no unit %s", d, w.Properties.LADCode)
						}
						r.district[d] = id
					}
				}
			}
			if code == "" {
				return fmt.Errorf("demo: no ward %q in %s", name, d)
			}
			id, ok := r.unitIDs[code]
			if !ok {
				return fmt.Errorf("demo: ward %s: no unit %s", name, code)
			}
			r.wards[d] = append(r.wards[d], id)
		}
	}
	return nil
}

// loadModels stores the shipped default scoring models (unless a model is
// already stored) and takes the current OCGM-style one to score with.
func (r *regBuilder) loadModels(ctx context.Context) error {
	for _, method := range domain.ScoringMethods {
		def := domain.DefaultScoringDefinition(method)
		text, err := domain.MarshalScoringDefinition(def)
		if err != nil {
			return err
		}
		m := domain.ScoringModel{Method: method, Name: def.Title(), Definition: text, IsDefault: true}
		if _, err := r.s.InsertFirstScoringModel(ctx, r.tx, &m); err != nil {
			return err
		}
	}
	m, err := r.s.CurrentScoringModel(ctx, r.tx, domain.MethodOCGM)
	if err != nil {
		return err
	}
	r.model = m
	return nil
}

func (r *regBuilder) pick(list []string) string { return list[r.rng.IntN(len(list))] }

// between returns a day from a to b inclusive.
func (r *regBuilder) between(a, b time.Time) time.Time {
	days := int(b.Sub(a).Hours() / 24)
	return a.AddDate(0, 0, r.rng.IntN(days+1))
}

// meeting returns the first OCG management meeting (second Wednesday of
// the month) on or after day.
func meeting(day time.Time) time.Time {
	for m := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC); ; m = m.AddDate(0, 1, 0) {
		d := m
		for d.Weekday() != time.Wednesday {
			d = d.AddDate(0, 0, 1)
		}
		d = d.AddDate(0, 0, 7)
		if !d.Before(day) {
			return d
		}
	}
}

// tasking returns the first tactical tasking and coordination group (every
// other Tuesday, from a fixed Tuesday) on or after day.
func tasking(day time.Time) time.Time {
	base := time.Date(2020, 1, 7, 0, 0, 0, 0, time.UTC)
	n := int(day.Sub(base).Hours()/24+13) / 14
	return base.AddDate(0, 0, 14*n)
}

func ukDate(t time.Time) string { return t.Format("02/01/2006") }

// specs lays out every demo group.
// specMaker draws the demo groups' names, operation names, districts and
// officers, in order.
type specMaker struct {
	r        *regBuilder
	op, line int // operation and line names used so far
	used     map[string]bool
	out      []groupSpec
}

// nextOp is the next operation name.
func (m *specMaker) nextOp() string {
	o := operations[m.op%len(operations)]
	m.op++
	return "Operation " + o
}

// name draws a group name for threat in district, and the further threats
// that go with it.
func (m *specMaker) name(threat, district string) (string, []string) {
	r := m.r
	town := districtTown[district].town
	switch threat {
	case "county_lines":
		l := lineNames[m.line%len(lineNames)]
		m.line++
		return fmt.Sprintf("'%s' line (%s into %s)", l, r.pick(lineOrigins), town), []string{"drugs", "gangs_violence"}
	case "drugs":
		switch r.rng.IntN(3) {
		case 0:
			return r.pick(surnames) + " family network", []string{"money_laundering"}
		case 1:
			return town + " cocaine supply network", nil
		default:
			return r.pick(surnames) + "–" + r.pick(surnames) + " network", []string{"acquisitive_crime"}
		}
	case "modern_slavery":
		return r.pick(surnames) + " labour exploitation network (" + town + ")", []string{"immigration_crime", "money_laundering"}
	case "fraud":
		return r.pick(surnames) + " doorstep fraud network", []string{"money_laundering"}
	case "burglary":
		return town + " travelling burglary team", []string{"acquisitive_crime"}
	case "money_laundering":
		return r.pick(surnames) + " cash-handling network", []string{"fraud"}
	case "gangs_violence":
		return town + " street group", []string{"drugs"}
	}
	return town + " network", nil
}

// unique is name, drawn again until no other group has it.
func (m *specMaker) unique(threat, district string) (string, []string) {
	n, also := m.name(threat, district)
	for i := 0; m.used[n]; i++ {
		if i < 5 {
			n, also = m.name(threat, district)
		} else {
			n = m.r.pick(surnames) + " group (" + districtTown[district].town + ")"
		}
	}
	m.used[n] = true
	return n, also
}

// add completes s, a group of threat with fate, and adds it.
func (m *specMaker) add(threat, fate string, s groupSpec) {
	r := m.r
	lros := []string{"lro@nyp.example", "lro@york.example", "lro@nyc.example", "lro@nyp.example", "officer@nyfrs.example", "officer@broadacres.example"}
	sros := []string{"board@nyp.example", "board@nyp.example", "board@nyc.example", "board@york.example"}
	s.threat, s.fate = threat, fate
	if s.district == "" {
		s.district = districts[r.rng.IntN(len(districts))]
		if threat == "county_lines" && r.rng.IntN(3) > 0 {
			s.district = r.pick([]string{"Scarborough", "York", "Harrogate", "Selby"})
		}
	}
	s.name, s.also = m.unique(threat, s.district)
	s.op = m.nextOp()
	if s.ownership == "" {
		s.ownership = domain.OwnLocal
	}
	if s.class == "" {
		s.class = domain.Official
	}
	if s.origin == "" {
		s.origin = "analyst@nyp.example"
	}
	if s.lro == "" {
		s.lro = lros[r.rng.IntN(len(lros))]
	}
	s.sro = sros[r.rng.IntN(len(sros))]
	m.out = append(m.out, s)
}

// specs are the demo's groups, in the order they are drawn.
func (r *regBuilder) specs() []groupSpec {
	m := &specMaker{r: r, used: map[string]bool{}}
	m.active()
	m.dismantled()
	m.uncounted()
	return m.out
}

// active adds the 28 groups scored and mapped at 31 March 2024 and still
// active.
func (m *specMaker) active() {
	r := m.r
	// The 28 scored and mapped at 31 March 2024, still active: 15 drugs, 9
	// county lines, 2 modern slavery, 1 fraud, 1 burglary.
	active := []string{"drugs", "county_lines", "drugs", "county_lines", "drugs", "modern_slavery", "drugs", "county_lines", "drugs",
		"drugs", "county_lines", "fraud", "drugs", "county_lines", "drugs", "burglary", "drugs", "county_lines", "drugs", "modern_slavery",
		"drugs", "county_lines", "drugs", "drugs", "county_lines", "drugs", "county_lines", "drugs"}
	finals := []domain.OCGStatus{domain.StatusManaged, domain.StatusAdopted, domain.StatusManaged, domain.StatusMapped, domain.StatusAdopted}
	for i, threat := range active {
		s := groupSpec{proposed: r.between(day("2021-05-01"), day("2023-11-20")), final: finals[i%len(finals)], reassessed: i%3 == 0}
		switch i {
		case 0: // the partnership's top group, shared only with the police and the ROCU
			s.restricted, s.class, s.ownership = true, domain.OfficialSensitive, domain.OwnRegional
		case 2, 7, 13, 19:
			s.class = domain.OfficialSensitive
		case 5:
			s.class, s.origin = domain.OfficialSensitive, "analyst@rocu.example"
		case 4, 9:
			s.class, s.handlingC = domain.OfficialSensitive, true
		}
		switch i {
		case 1, 16: // adopted without a 4P plan yet
			s.final, s.noPlan = domain.StatusAdopted, true
		case 6: // LRO moved on
			s.final, s.noLRO = domain.StatusManaged, true
		case 10, 22, 25:
			s.final, s.overdue = domain.StatusManaged, true
		case 11, 17:
			s.final, s.lateReview = domain.StatusAdopted, true
		}
		m.add(threat, "active", s)
	}
}

// dismantled adds the 19 groups dismantled in 2023/24.
func (m *specMaker) dismantled() {
	r := m.r
	// The 19 dismantled in 2023/24: 9 county lines, 7 drugs, 1 fraud, 1
	// burglary, 1 money laundering, one at each month's meeting or so.
	gone := []string{"county_lines", "drugs", "county_lines", "county_lines", "drugs", "fraud", "county_lines", "drugs", "county_lines",
		"burglary", "drugs", "county_lines", "money_laundering", "drugs", "county_lines", "drugs", "county_lines", "drugs", "county_lines"}
	for i, threat := range gone {
		month := domain.FiscalYear(2023).Start().AddDate(0, i*12/len(gone), 0)
		s := groupSpec{proposed: r.between(day("2020-06-01"), day("2022-06-30")), archiveOn: meeting(month), reason: domain.ArchiveDismantled}
		if i%5 == 2 {
			s.class = domain.OfficialSensitive
		}
		s.rationale = dismantledWhy[i%len(dismantledWhy)]
		m.add(threat, "dismantled", s)
	}
}

// uncounted adds the groups the figures must not count for 2023/24.
func (m *specMaker) uncounted() {
	r, add := m.r, m.add
	add("drugs", "dismantled", groupSpec{proposed: day("2020-09-14"), archiveOn: meeting(day("2023-02-01")), reason: domain.ArchiveDismantled,
		rationale: "Principal and both significant members sentenced at York Crown Court; no further intelligence of supply."})
	add("drugs", "archived", groupSpec{proposed: day("2021-10-04"), archiveOn: meeting(day("2023-11-01")), reason: domain.ArchiveMerged,
		rationale: "Intelligence shows the same principal and supply chain as another mapped group; merged into it."})
	add("county_lines", "archived", groupSpec{proposed: day("2022-02-21"), archiveOn: meeting(day("2023-08-01")), reason: domain.ArchiveInactive,
		rationale: "No intelligence of the line operating for nine months; line phone inactive."})
	add("drugs", "archived", groupSpec{proposed: day("2023-06-05"), reason: domain.ArchiveNotAnOCG,
		rationale: "Assessment found two individuals dealing independently, not a group meeting the OCG definition."})
	add("gangs_violence", "later", groupSpec{proposed: day("2024-04-15"), final: domain.StatusAdopted})
	add("county_lines", "gone lately", groupSpec{proposed: day("2024-05-07"), archiveOn: meeting(r.today.AddDate(0, -4, 0)), reason: domain.ArchiveDismantled,
		rationale: "Line holder and runners charged; line phone seized and number disconnected."})
	add("drugs", "proposed", groupSpec{proposed: r.today.AddDate(0, 0, -12)})
	add("county_lines", "assessing", groupSpec{proposed: r.today.AddDate(0, -2, -3)})
	add("fraud", "assessing", groupSpec{proposed: r.today.AddDate(0, -3, -9), class: domain.OfficialSensitive})
}

var dismantledWhy = []string{
	"Principal and two significant members convicted at Teesside Crown Court; line phone seized and no further intelligence of activity.",
	"Warrants executed at three addresses; principal remanded and later sentenced to nine years. Tasking found no successor group.",
	"Cuckooed addresses closed by closure orders; key members convicted of conspiracy to supply Class A. No current intelligence.",
	"Principal deported following sentence; remaining peripheral members safeguarded or diverted. Network no longer operating.",
	"Confiscation order granted and businesses closed by HMRC and licensing action; no further intelligence of offending.",
	"All principal and significant members in custody; partners report no continuing activity at the group's addresses.",
}

// stepAt is one lifecycle step with its decision.
type stepAt struct {
	to       domain.OCGStatus
	on       time.Time
	decision string
}

// lifecycle works out the steps of s, with the meetings that decided them.
func (r *regBuilder) lifecycle(s *groupSpec) ([]stepAt, time.Time) {
	p := s.proposed
	steps := []stepAt{{domain.StatusProposed, p, ""}}
	ua := tasking(p.AddDate(0, 0, 7+r.rng.IntN(21)))
	steps = append(steps, stepAt{domain.StatusUnderAssessment, ua, "Tactical Tasking and Coordination Group " + ukDate(ua)})
	assessed := ua.AddDate(0, 0, 7+r.rng.IntN(21))
	switch s.fate {
	case "proposed":
		return steps[:1], time.Time{}
	case "assessing":
		if ua.After(r.today) {
			ua = r.today.AddDate(0, 0, -1)
			steps[1].on, steps[1].decision = ua, "Tactical Tasking and Coordination Group "+ukDate(ua)
		}
		if assessed.After(r.today) {
			return steps, time.Time{}
		}
		return steps, assessed
	}
	if s.reason == domain.ArchiveNotAnOCG { // never scored: closed at tasking
		s.archiveOn = tasking(ua.AddDate(0, 0, 21))
		return append(steps, stepAt{domain.StatusArchived, s.archiveOn, "Tactical Tasking and Coordination Group " + ukDate(s.archiveOn)}), time.Time{}
	}
	mapped := meeting(assessed.AddDate(0, 0, 1))
	steps = append(steps, stepAt{domain.StatusMapped, mapped, "OCG Management Meeting " + ukDate(mapped)})
	adopted := meeting(mapped.AddDate(0, 0, 1+28*r.rng.IntN(2)))
	managed := meeting(adopted.AddDate(0, 2+r.rng.IntN(4), 0))
	end := s.final
	if s.fate != "active" && s.fate != "later" {
		end = domain.StatusManaged
	}
	if end == domain.StatusAdopted || end == domain.StatusManaged {
		steps = append(steps, stepAt{domain.StatusAdopted, adopted, "OCG Management Meeting " + ukDate(adopted)})
	}
	if end == domain.StatusManaged {
		steps = append(steps, stepAt{domain.StatusManaged, managed, "OCG Management Meeting " + ukDate(managed)})
	}
	if !s.archiveOn.IsZero() {
		for len(steps) > 1 && !steps[len(steps)-1].on.Before(s.archiveOn) {
			steps = steps[:len(steps)-1]
		}
		steps = append(steps, stepAt{domain.StatusArchived, s.archiveOn, "OCG Management Meeting " + ukDate(s.archiveOn)})
	}
	return steps, assessed
}

// inputs chooses OCGM-style values for a group of threat, in code order of
// the default model's attributes: criminality, violence, vulnerability,
// capability, geography, finance, corruption, network.
func (r *regBuilder) inputs(threat string, strong bool) domain.ScoringInputs {
	scales := map[string][]string{
		"criminality":   {"none_known", "volume", "acquisitive", "serious", "most_serious"},
		"violence":      {"none_known", "threats", "violence", "weapons", "firearms"},
		"vulnerability": {"none_known", "suspected", "adults", "children", "systematic"},
		"capability":    {"none_known", "basic", "organised", "sophisticated", "expert"},
		"geography":     {"neighbourhood", "district", "force", "regional", "national"},
		"finance":       {"none_known", "cash", "laundering", "businesses", "professional"},
		"corruption":    {"none_known", "suspected", "attempted", "insider", "established"},
		"network":       {"small", "medium", "large", "linked", "hub"},
	}
	// Typical levels by threat, then a little spread.
	base := map[string][8]int{
		"county_lines":     {3, 3, 3, 2, 3, 1, 0, 2},
		"drugs":            {3, 2, 1, 2, 2, 2, 1, 2},
		"modern_slavery":   {4, 2, 4, 2, 3, 3, 1, 2},
		"fraud":            {2, 1, 2, 2, 2, 3, 0, 1},
		"burglary":         {2, 1, 0, 1, 3, 1, 0, 1},
		"money_laundering": {3, 0, 0, 3, 3, 4, 2, 2},
		"gangs_violence":   {3, 4, 2, 1, 1, 1, 0, 2},
	}[threat]
	codes := []string{"criminality", "violence", "vulnerability", "capability", "geography", "finance", "corruption", "network"}
	in := domain.ScoringInputs{Values: map[string]string{}}
	for i, c := range codes {
		v := base[i] + r.rng.IntN(3) - 1
		if strong {
			v++
		}
		v = min(max(v, 0), 4)
		in.Values[c] = scales[c][v]
	}
	return in
}

// assess records an OCGM-style assessment of o on day.
func (r *regBuilder) assess(ctx context.Context, o *domain.OCG, threat string, on time.Time, by domain.Actor, strong bool) (domain.Assessment, error) {
	in := r.inputs(threat, strong)
	res, err := r.model.Def.Compute(in)
	if err != nil {
		return domain.Assessment{}, fmt.Errorf("the current OCGM-style model does not take the demo's inputs: %w", err)
	}
	as := domain.Assessment{ID: r.s.NewID(), OCGID: o.ID, Method: domain.MethodOCGM, ModelID: r.model.ID, AssessedOn: on, Inputs: in, Result: res,
		Score: res.Score, Band: res.Band, Priority: res.Priority, Confidence: 2 + r.rng.IntN(2), AssessedBy: by.UserID,
		Rationale: "Assessed from the intelligence picture at the time: " + strings.ToLower(assessWhy[threat]),
		CreatedAt: on.Add(14 * time.Hour)}
	r.assessments = append(r.assessments, as)
	err = r.record(ctx, by, audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindOCG),
		RecordIDs: []string{o.ID}, Label: fmt.Sprintf("%s: %s assessment (model version %d)", o.Reference, domain.MethodOCGM.Label(), r.model.Version),
		Fields: []string{"assessment", "score", "band", "priority", "scored_on"}})
	return as, err
}

var assessWhy = map[string]string{
	"county_lines":     "Deal line into the area with runners under 18 and cuckooed addresses; knives recovered from runners.",
	"drugs":            "Class A and B supply to street dealers; cash laundered through local businesses.",
	"modern_slavery":   "Workers housed in overcrowded properties and paid in cash below minimum wage; documents held by the principal.",
	"fraud":            "Doorstep rogue trading against elderly residents across the county.",
	"burglary":         "Dwelling burglaries across the county with stolen vehicles; goods moved through a scrap dealer.",
	"money_laundering": "Cash from supply laundered through car washes and property; links to other groups' finances.",
	"gangs_violence":   "Street group with repeated serious violence and weapons, linked to local supply.",
}

// group writes one group with its history, score, members, network and plans.
func (r *regBuilder) group(ctx context.Context, s *groupSpec) error {
	by := r.actor(s.origin)
	steps, assessed := r.lifecycle(s)
	o := r.newOCG(s, by, steps)
	// Scores: the first assessment before mapping, a reassessment in 2025
	// for some; the group mirrors the latest.
	var scores []time.Time
	if !assessed.IsZero() {
		scores = append(scores, assessed)
	}
	if s.reassessed && o.Status != domain.StatusArchived {
		scores = append(scores, r.between(day("2025-04-01"), day("2025-10-31")))
	}
	// Reference and first write, then the assessments, so the group exists.
	if err := r.s.InsertOCG(ctx, r.tx, &o); err != nil {
		return err
	}
	if err := r.record(ctx, by, audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindOCG),
		RecordIDs: []string{o.ID}, Label: o.Reference}); err != nil {
		return err
	}
	strong := s.restricted || s.ownership == domain.OwnRegional
	for _, on := range scores {
		as, err := r.assess(ctx, &o, s.threat, on, by, strong)
		if err != nil {
			return err
		}
		score, scoredOn := as.Score, as.AssessedOn
		o.Score, o.Band, o.Priority, o.ScoredOn = &score, as.Band, as.Priority, &scoredOn
	}
	if len(scores) > 0 {
		if err := r.s.SetOCGScore(ctx, r.tx, o.ID, *o.Score, o.Band, o.Priority, *o.ScoredOn); err != nil {
			return err
		}
	}
	if err := r.transitions(ctx, s, &o, steps, by); err != nil {
		return err
	}
	if err := r.network(ctx, s, &o, by); err != nil {
		return err
	}
	return r.plans(ctx, s, &o)
}

// newOCG draws the group s describes, as its lifecycle steps leave it,
// recorded by by.
func (r *regBuilder) newOCG(s *groupSpec, by domain.Actor, steps []stepAt) domain.OCG {
	last := steps[len(steps)-1]
	d := s.district
	areas := []string{r.wards[d][0]}
	for _, w := range r.wards[d][1:] {
		if len(areas) < 4 && r.rng.IntN(3) == 0 {
			areas = append(areas, w)
		}
	}
	if s.threat == "county_lines" || s.ownership == domain.OwnRegional {
		other := districts[r.rng.IntN(len(districts))]
		areas = append(areas, r.wards[other][r.rng.IntN(len(r.wards[other]))])
	}
	o := domain.OCG{ID: r.s.NewID(), Name: s.name, OperationName: s.op, Status: last.to, Ownership: s.ownership, PrimaryThreat: s.threat,
		Threats: s.also, HomeUnitID: r.district[d], LeadAgencyID: r.agency["NYP"].ID, AreaIDs: areas, CreatedBy: by.UserID,
		CreatedAt: s.proposed.Add(9*time.Hour + time.Duration(r.rng.IntN(480))*time.Minute),
		Summary:   summaryFor(s.threat, d, s.name)}
	o.UpdatedAt = o.CreatedAt
	o.Marking = domain.Marking{PartnershipID: r.pid, OriginAgencyID: by.AgencyID, Classification: s.class, Handling: domain.HandlingP}
	if s.handlingC {
		o.Marking.Handling = domain.HandlingC
		o.Marking.ConditionTypes = []domain.AgencyType{domain.AgencyLocalAuthority, domain.AgencyHousing}
		o.HandlingNote = "Share with councils and housing providers for enforcement and safeguarding only; no onward disclosure"
	}
	if s.restricted {
		o.Marking.Restricted = true
		o.Marking.NamedAgencies = []string{r.agency["NYP"].ID, r.agency["YHROCU"].ID}
		o.HandlingNote = "Need to know: North Yorkshire Police and the ROCU only. Live covert tactics"
	}
	if s.ownership == domain.OwnRegional {
		o.LeadAgencyID = r.agency["YHROCU"].ID
	}
	for _, st := range steps {
		switch st.to {
		case domain.StatusAdopted:
			on := st.on
			o.AdoptedOn = &on
			o.LROUserID, o.SROUserID = r.byEmail[s.lro].ID, r.byEmail[s.sro].ID
		case domain.StatusArchived:
			on := st.on
			o.ArchivedOn, o.ArchiveReason, o.ArchiveWhy, o.ArchiveBy = &on, s.reason, s.rationale, st.decision
		}
	}
	if o.Status == domain.StatusAdopted || o.Status == domain.StatusManaged {
		review := r.today.AddDate(0, 0, 20+r.rng.IntN(120))
		if s.lateReview {
			review = r.today.AddDate(0, 0, -(7 + r.rng.IntN(40)))
		}
		o.ReviewDue = &review
		if s.noLRO {
			o.LROUserID = ""
		}
	}
	return o
}

// transitions writes o's lifecycle steps, each with its audit entry after
// the proposal.
func (r *regBuilder) transitions(ctx context.Context, s *groupSpec, o *domain.OCG, steps []stepAt, by domain.Actor) error {
	var from domain.OCGStatus
	for i, st := range steps {
		note := ""
		switch st.to {
		case domain.StatusProposed:
			note = "Proposed"
		case domain.StatusArchived:
			note = s.reason.Label() + ". " + s.rationale
		case domain.StatusAdopted:
			note = "LRO and SRO appointed; 4P plan to be agreed"
		}
		actor := by
		if st.to != domain.StatusProposed {
			actor = r.actor("analyst2@nyp.example")
			if s.origin != "analyst@nyp.example" {
				actor = by
			}
		}
		r.steps = append(r.steps, domain.Transition{ID: r.s.NewID(), OCGID: o.ID, From: from, To: st.to, DecidedOn: st.on, Decision: st.decision,
			Note: note, ActorID: actor.UserID, At: st.on.Add(time.Duration(15+i) * time.Hour)})
		if st.to != domain.StatusProposed {
			if err := r.record(ctx, actor, audit.Entry{Operation: audit.Alteration,
				RecordType: string(domain.KindOCG), RecordIDs: []string{o.ID}, Label: o.Reference + ": " + from.Label() + " to " + st.to.Label(),
				Fields: []string{"status"}}); err != nil {
				return err
			}
		}
		from = st.to
	}
	return nil
}

func summaryFor(threat, district, name string) string {
	town := districtTown[district].town
	switch threat {
	case "county_lines":
		return "Deal line supplying crack cocaine and heroin in " + town + ", run from outside the county; runners include children, and vulnerable adults' homes are taken over (cuckooing)."
	case "drugs":
		return "Supplies cocaine and cannabis to street dealers in and around " + town + "; proceeds laundered through cash businesses."
	case "modern_slavery":
		return "Recruits workers from abroad with promises of jobs, houses them in overcrowded properties in " + town + " and takes most of their wages."
	case "fraud":
		return "Targets elderly residents with doorstep rogue trading (roofing and driveways) across the county, working out of " + town + "."
	case "burglary":
		return "Travelling team committing dwelling burglaries across the county, moving goods through a scrap dealer near " + town + "."
	case "money_laundering":
		return "Launders cash for several supply groups through car washes, property and cash-intensive businesses in " + town + "."
	}
	return name + ", based in " + town + "."
}

// person is a generated person and their role.
type person struct {
	e    domain.Entity
	role domain.MemberRole
}

// newPerson draws a synthetic person of role, born in a plausible range.
func (r *regBuilder) newPerson(role domain.MemberRole, surname string) domain.Entity {
	female := r.rng.IntN(5) == 0
	given := r.pick(maleNames)
	gender := "male"
	if female {
		given, gender = r.pick(femaleNames), "female"
	}
	if surname == "" {
		surname = r.pick(surnames)
	}
	lo, hi := 1998, 2007 // peripherals: often young
	switch role {
	case domain.RolePrincipal:
		lo, hi = 1968, 1992
	case domain.RoleSignificant:
		lo, hi = 1980, 2001
	}
	dob := time.Date(lo+r.rng.IntN(hi-lo+1), time.Month(1+r.rng.IntN(12)), 1+r.rng.IntN(28), 0, 0, 0, 0, time.UTC)
	e := domain.Entity{Kind: domain.EntityPerson, Name: given + " " + surname, DOB: &dob, Gender: gender}
	if r.rng.IntN(3) == 0 {
		e.Nicknames = []string{r.pick(nicknames)}
	}
	if r.rng.IntN(5) == 0 {
		// A misspelt or former name, as other systems record it.
		alias := given + " " + r.pick(surnames)
		if r.rng.IntN(2) == 0 {
			alias = strings.ToUpper(given[:1]) + ". " + surname + "-" + r.pick(surnames)
		}
		e.Aliases = []string{alias}
	}
	switch role {
	case domain.RolePrincipal:
		e.Flags = []string{"drugs_supply"}
		if r.rng.IntN(2) == 0 {
			e.Flags = append(e.Flags, "violence")
		}
	case domain.RoleSignificant:
		e.Flags = []string{"drugs_supply"}
		if r.rng.IntN(3) == 0 {
			e.Flags = append(e.Flags, "weapons")
		}
	default:
		if dob.Year() >= 2006 {
			e.Flags = []string{"exploited_child"}
			if r.rng.IntN(2) == 0 {
				e.Flags = append(e.Flags, "missing_person")
			}
		} else if r.rng.IntN(4) == 0 {
			e.Flags = []string{"vulnerable"}
		}
	}
	return e
}

// network writes the group's members, their addresses, vehicles, phones
// and businesses, and the links among them.
func (r *regBuilder) network(ctx context.Context, s *groupSpec, o *domain.OCG, by domain.Actor) error {
	nb := &netBuilder{regBuilder: r, s: s, o: o, by: by, town: districtTown[s.district]}
	members := nb.members()
	r.principals = append(r.principals, struct{ group, person string }{o.ID, members[0].e.ID})
	r.groupIDs = append(r.groupIDs, o.ID)
	r.groups = append(r.groups, demoGroup{id: o.ID, name: o.Name, threat: s.threat, district: s.district, proposed: s.proposed, fate: s.fate, archiveOn: s.archiveOn})
	r.people[o.ID] = nil
	for _, m := range members {
		r.people[o.ID] = append(r.people[o.ID], m.e.ID)
	}
	nb.memberLinks(members)
	nb.addresses(members)
	nb.phones(members)
	nb.vehicles(members)
	nb.business(members)
	if err := r.record(ctx, by, audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindEntity),
		RecordIDs: nb.created, Label: fmt.Sprintf("%d people and other records of %s", len(nb.created), o.Reference)}); err != nil {
		return err
	}
	return r.record(ctx, by, audit.Entry{Operation: audit.Combination, RecordType: string(domain.KindOCG),
		RecordIDs: uniq(nb.linkEnds), Label: "Members and network of " + o.Reference})
}

// netBuilder draws one group's network: its records go to the register's
// entities and links, written together at the end of the step.
type netBuilder struct {
	*regBuilder
	s    *groupSpec
	o    *domain.OCG
	by   domain.Actor
	town struct {
		town      string
		postcodes []string
	}
	principals, significant int      // how many of each the members open with
	created, linkEnds       []string // records made, and the ends of links made
}

// mk completes e as a record of the group, made by by, and adds it.
func (nb *netBuilder) mk(e *domain.Entity) {
	r, o := nb.regBuilder, nb.o
	e.Marking = domain.Marking{PartnershipID: r.pid, OriginAgencyID: o.Marking.OriginAgencyID, Classification: o.Marking.Classification,
		Handling: o.Marking.Handling, ConditionTypes: o.Marking.ConditionTypes, Restricted: o.Marking.Restricted, NamedAgencies: o.Marking.NamedAgencies}
	e.CreatedBy, e.CreatedAt = nb.by.UserID, o.CreatedAt.Add(time.Duration(1+r.rng.IntN(600))*time.Minute)
	switch e.Kind {
	case domain.EntityVehicle:
		e.Identifier = match.Compact(e.Name)
	case domain.EntityPhone:
		e.Identifier = match.Phone(e.Name)
	default:
		e.Identifier = match.Compact(e.Identifier)
	}
	e.ID = r.s.NewID()
	r.ents = append(r.ents, *e)
}

// link adds a link of typ from one record to another; a membership of an
// archived group ends when it was archived.
func (nb *netBuilder) link(from, to string, fromKind, toKind domain.NodeKind, typ domain.LinkType, role domain.MemberRole, note string) {
	r, o := nb.regBuilder, nb.o
	vf := o.CreatedAt.AddDate(0, 0, -r.rng.IntN(200))
	vf = time.Date(vf.Year(), vf.Month(), vf.Day(), 0, 0, 0, 0, time.UTC)
	l := domain.Link{FromKind: fromKind, FromID: from, ToKind: toKind, ToID: to, Type: typ, Role: role, ValidFrom: &vf,
		SourceRef: fmt.Sprintf("NYP-INT-%d-%05d", o.CreatedAt.Year(), 100+r.rng.IntN(90000)), Confidence: []domain.Confidence{domain.ConfidenceHigh, domain.ConfidenceMedium, domain.ConfidenceMedium, domain.ConfidenceLow}[r.rng.IntN(4)],
		Note: note, CreatedBy: nb.by.UserID, CreatedAt: o.CreatedAt.Add(time.Hour)}
	if o.ArchivedOn != nil && typ == domain.LinkMemberOf {
		vt := *o.ArchivedOn
		l.ValidTo = &vt
	}
	nb.linkEnds = append(nb.linkEnds, from, to)
	r.links = append(r.links, l)
}

// entityLink links two of the group's records.
func (nb *netBuilder) entityLink(from, to string, typ domain.LinkType, note string) {
	nb.link(from, to, domain.NodeEntity, domain.NodeEntity, typ, "", note)
}

// members draws the group's members: one or two principals, three or four
// significant, the rest peripheral; 8 to 12 in all. A family name runs
// through some groups.
func (nb *netBuilder) members() []person {
	r, o := nb.regBuilder, nb.o
	n := 8 + r.rng.IntN(5)
	nb.principals = 1 + r.rng.IntN(2)
	nb.significant = 3 + r.rng.IntN(2)
	family := ""
	if strings.HasSuffix(nb.s.name, "family network") {
		family = strings.TrimSuffix(nb.s.name, " family network")
	}
	var members []person
	for i := range n {
		role := domain.RolePeripheral
		switch {
		case i < nb.principals:
			role = domain.RolePrincipal
		case i < nb.principals+nb.significant:
			role = domain.RoleSignificant
		}
		sur := ""
		if family != "" && (i < nb.principals+1 || r.rng.IntN(4) == 0) {
			sur = family
		}
		e := r.newPerson(role, sur)
		nb.mk(&e)
		nb.created = append(nb.created, e.ID)
		members = append(members, person{e, role})
		nb.link(e.ID, o.ID, domain.NodeEntity, domain.NodeOCG, domain.LinkMemberOf, role, "")
	}
	return members
}

// memberLinks links the members: principals with their lieutenants,
// peripherals with the significant member who runs them, family with
// family.
func (nb *netBuilder) memberLinks(members []person) {
	for i, m := range members {
		switch m.role {
		case domain.RoleSignificant:
			nb.entityLink(members[0].e.ID, m.e.ID, domain.LinkAssociate, "Seen together; regular phone contact")
		case domain.RolePeripheral:
			boss := members[nb.principals+nb.rng.IntN(nb.significant)]
			nb.entityLink(boss.e.ID, m.e.ID, domain.LinkAssociate, "Runs errands and deals for")
		}
		if i > 0 && strings.HasSuffix(m.e.Name, " "+lastWord(members[0].e.Name)) {
			nb.entityLink(members[0].e.ID, m.e.ID, domain.LinkFamily, "Relative")
		}
	}
}

// address draws an address in the group's town, its name starting with
// prefix.
func (nb *netBuilder) address(prefix string) domain.Entity {
	r, town := nb.regBuilder, nb.town
	pc := fmt.Sprintf("%s %d%c%c", r.pick(town.postcodes), 1+r.rng.IntN(9), 'A'+rune(r.rng.IntN(26)), 'A'+rune(r.rng.IntN(26)))
	return domain.Entity{Kind: domain.EntityLocation, Name: fmt.Sprintf("%s%d %s, %s %s", prefix, 1+r.rng.IntN(140), r.pick(streets), town.town, pc),
		Identifier: pc}
}

// addresses adds the principal's home, a significant member's, and for
// county lines a cuckooed flat with its tenant.
func (nb *netBuilder) addresses(members []person) {
	r, o := nb.regBuilder, nb.o
	home := nb.address("")
	nb.mk(&home)
	second := nb.address("")
	nb.mk(&second)
	nb.created = append(nb.created, home.ID, second.ID)
	for i, m := range members {
		at := home.ID
		if i >= nb.principals {
			if i > nb.principals+nb.significant && r.rng.IntN(2) == 0 {
				continue
			}
			at = second.ID
		}
		nb.entityLink(m.e.ID, at, domain.LinkLivesAt, "")
	}
	if nb.s.threat != "county_lines" {
		return
	}
	flat := nb.address("Flat " + fmt.Sprint(1+r.rng.IntN(6)) + ", ")
	flat.Detail = "Cuckooed: the tenant's home is used to store and sell drugs"
	nb.mk(&flat)
	tenant := r.newPerson(domain.RolePeripheral, "")
	dob := time.Date(1962+r.rng.IntN(25), time.Month(1+r.rng.IntN(12)), 1+r.rng.IntN(28), 0, 0, 0, 0, time.UTC)
	tenant.DOB, tenant.Flags = &dob, []string{"cuckooing_victim", "vulnerable"}
	tenant.Detail = "Tenant of a cuckooed address; known to adult social care"
	nb.mk(&tenant)
	nb.created = append(nb.created, flat.ID, tenant.ID)
	nb.entityLink(tenant.ID, flat.ID, domain.LinkLivesAt, "")
	nb.link(o.ID, flat.ID, domain.NodeOCG, domain.NodeEntity, domain.LinkControls, "", "Used to store and deal from")
}

// phones adds the line phone, held by a significant member, and the
// principal's own. Numbers are in Ofcom's range for drama (07700 900xxx).
func (nb *netBuilder) phones(members []person) {
	for i, holder := range []person{members[nb.principals], members[0]} {
		ph := domain.Entity{Kind: domain.EntityPhone, Name: fmt.Sprintf("07700 900%03d", nb.rng.IntN(1000))}
		if i == 0 && nb.s.threat == "county_lines" {
			ph.Detail = "Deal line: bulk marketing texts sent to users"
		}
		nb.mk(&ph)
		nb.created = append(nb.created, ph.ID)
		nb.entityLink(holder.e.ID, ph.ID, domain.LinkUses, "")
	}
}

// vehicles adds one or two vehicles, used by significant members.
func (nb *netBuilder) vehicles(members []person) {
	r := nb.regBuilder
	for range 1 + r.rng.IntN(2) {
		reg := fmt.Sprintf("%c%c%02d %c%c%c", 'A'+rune(r.rng.IntN(23)), 'A'+rune(r.rng.IntN(26)), []int{15, 65, 16, 66, 17, 67, 18, 68, 19, 69, 20, 70, 21, 71}[r.rng.IntN(14)],
			'A'+rune(r.rng.IntN(26)), 'A'+rune(r.rng.IntN(26)), 'A'+rune(r.rng.IntN(26)))
		v := domain.Entity{Kind: domain.EntityVehicle, Name: reg, Detail: r.pick(carModels)}
		nb.mk(&v)
		nb.created = append(nb.created, v.ID)
		nb.entityLink(members[nb.principals+r.rng.IntN(nb.significant)].e.ID, v.ID, domain.LinkUses, "Seen driving")
	}
}

// business adds a business owned by the principal, for most groups.
func (nb *netBuilder) business(members []person) {
	r, s, o := nb.regBuilder, nb.s, nb.o
	if s.threat == "county_lines" && r.rng.IntN(3) != 0 {
		return
	}
	k := businessKinds[r.rng.IntN(len(businessKinds))]
	switch s.threat {
	case "modern_slavery":
		k = businessKinds[r.rng.IntN(2)]
	case "fraud":
		k = businessKinds[8]
	case "burglary":
		k = businessKinds[4]
	}
	biz := domain.Entity{Kind: domain.EntityBusiness, Name: nb.town.town + " " + k.name, Detail: k.detail,
		Identifier: fmt.Sprintf("%08d", 10000000+r.rng.IntN(89999999))}
	nb.mk(&biz)
	nb.created = append(nb.created, biz.ID)
	nb.entityLink(members[0].e.ID, biz.ID, domain.LinkOwns, "Director (Companies House)")
	nb.link(o.ID, biz.ID, domain.NodeOCG, domain.NodeEntity, domain.LinkControls, "", "Used to launder cash")
}

func lastWord(s string) string { return s[strings.LastIndexByte(s, ' ')+1:] }

func uniq(ids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// actionSpec is a 4P action template: strand, owning agency, owner, what.
type actionSpec struct {
	strand      domain.FourP
	agency      string
	owner, what string
}

var actionPool = []actionSpec{
	{domain.Pursue, "NYP", "DS Hartley", "Intelligence development on the principal's supply chain and finances"},
	{domain.Pursue, "NYP", "DI Wainwright", "Warrants at the group's addresses and arrest of principal members"},
	{domain.Pursue, "YHROCU", "DS Iqbal", "Financial investigation and restraint of assets under POCA"},
	{domain.Pursue, "HMRC", "Officer Jowett", "Tax investigation of the group's cash businesses"},
	{domain.Pursue, "DWP", "Investigator Lister", "Review of benefit claims by members with unexplained income"},
	{domain.Prevent, "StGiles", "SOS+ caseworker", "Intervention sessions with young people linked to the group"},
	{domain.Prevent, "PS", "Probation officer Okafor", "Licence conditions (non-association, exclusion zones) for members on licence"},
	{domain.Prevent, "NYC", "Youth Justice Service", "Referral of children at risk of exploitation to the exploitation panel"},
	{domain.Prevent, "CYC", "Early Help coordinator", "Early help for siblings of peripheral members"},
	{domain.Protect, "Broadacres", "Tenancy enforcement officer", "Tenancy enforcement at addresses used by the group"},
	{domain.Protect, "NYFRS", "Fire safety officer", "Safe and well visits to cuckooed and vulnerable addresses"},
	{domain.Protect, "NYC", "Licensing manager", "Licence review of businesses linked to the group"},
	{domain.Protect, "HNY ICB", "Safeguarding lead", "Health safeguarding for vulnerable adults exploited by the group"},
	{domain.Prepare, "NYP", "Neighbourhood inspector", "Community impact assessment and reassurance patrols after enforcement"},
	{domain.Prepare, "NYCSP", "Community safety officer", "Communications plan for residents in the affected wards"},
	{domain.Prepare, "TEWV", "Mental health liaison", "Support for victims and witnesses after arrests"},
}

// plans writes the 4P plans of adopted, managed and archived groups.
func (r *regBuilder) plans(ctx context.Context, s *groupSpec, o *domain.OCG) error {
	if o.AdoptedOn == nil || s.noPlan {
		return nil
	}
	author := r.actor("lro@nyp.example")
	if s.lro != "" && !s.noLRO {
		author = r.actor(s.lro)
	}
	versions := 1
	if o.Status == domain.StatusManaged && r.rng.IntN(2) == 0 {
		versions = 2
	}
	start := *o.AdoptedOn
	var plan domain.Plan
	for v := 1; v <= versions; v++ {
		created := start.AddDate(0, 0, 14+(v-1)*180)
		if created.After(r.today) {
			created = r.today
		}
		review := created.AddDate(0, 6, 0)
		status := domain.PlanActive
		switch {
		case o.Status == domain.StatusArchived:
			status = domain.PlanClosed
		case v < versions:
		case s.overdue:
			review = r.today.AddDate(0, 0, -(5 + r.rng.IntN(50)))
		default:
			review = r.today.AddDate(0, 0, 15+r.rng.IntN(150))
			if r.rng.IntN(6) == 0 {
				status = domain.PlanUnderReview
			}
		}
		plan = domain.Plan{OCGID: o.ID, Status: status, ReviewDue: review, CreatedBy: author.UserID, CreatedAt: created.Add(11 * time.Hour),
			Objectives: objectives[s.threat]}
		if plan.Objectives == "" {
			plan.Objectives = objectives["drugs"]
		}
		if err := r.s.InsertPlan(ctx, r.tx, r.pid, &plan); err != nil {
			return err
		}
		if err := r.planActions(ctx, o, &plan, created); err != nil {
			return err
		}
		if err := r.record(ctx, author, audit.Entry{Operation: audit.Alteration,
			RecordType: string(domain.KindOCG), RecordIDs: []string{o.ID}, Label: fmt.Sprintf("%s 4P plan version %d", o.Reference, plan.Version)}); err != nil {
			return err
		}
	}
	return nil
}

// planActions writes plan's actions across the four strands, owned by
// several agencies, due from created.
func (r *regBuilder) planActions(ctx context.Context, o *domain.OCG, plan *domain.Plan, created time.Time) error {
	// Actions across the four strands, owned by several agencies.
	picks := r.rng.Perm(len(actionPool))[:5+r.rng.IntN(4)]
	strands := map[domain.FourP]bool{}
	for _, i := range picks {
		strands[actionPool[i].strand] = true
	}
	for _, st := range domain.FourPs { // every strand at least once
		if !strands[st] {
			for i, a := range actionPool {
				if a.strand == st {
					picks = append(picks, i)
					break
				}
			}
		}
	}
	slices.Sort(picks)
	for _, i := range picks {
		a := actionPool[i]
		due := created.AddDate(0, 1+r.rng.IntN(8), 0)
		st, outcome := domain.ActionInProgress, ""
		switch {
		case o.Status == domain.StatusArchived || due.Before(r.today.AddDate(0, -6, 0)):
			st, outcome = domain.ActionDone, "Completed: "+strings.ToLower(a.what[:1])+a.what[1:]
		case r.rng.IntN(4) == 0:
			st = domain.ActionNotStarted
		}
		r.actions = append(r.actions, domain.PlanAction{ID: r.s.NewID(), PlanID: plan.ID, Strand: a.strand, Description: a.what,
			OwnerAgencyID: r.agency[a.agency].ID, OwnerName: a.owner, DueOn: due, Status: st, Outcome: outcome, CreatedAt: plan.CreatedAt})
	}
	// A plan still in force has work in hand: its actions alternate
	// between done and under way, due from three weeks ago to a few months
	// ahead, so the LRO's and the agencies' home pages have real actions to
	// show. (No random draw here: the rest of the demo stays as it was.)
	if plan.Status != domain.PlanClosed && o.Status != domain.StatusArchived {
		open := 0
		for i := len(r.actions) - len(picks); i < len(r.actions); i++ {
			if x := &r.actions[i]; x.Status == domain.ActionDone && (i%2 == 0) {
				x.Status, x.Outcome = domain.ActionInProgress, ""
				x.DueOn = r.today.AddDate(0, 0, 17*open-20)
				open++
			}
		}
	}
	return nil
}

var objectives = map[string]string{
	"county_lines":     "Dismantle the line: identify and arrest the line holder, close cuckooed addresses, safeguard the children and vulnerable adults it exploits.",
	"drugs":            "Disrupt supply into the area: arrest and prosecute principal members, take their assets, close the businesses used to launder cash.",
	"modern_slavery":   "Identify and safeguard victims, prosecute the controllers for modern slavery offences, close the premises used to house workers.",
	"fraud":            "Stop the doorstep fraud: arrest the principals, recover victims' money, protect residents with trading standards and call blocking.",
	"burglary":         "Disrupt the team: arrest and prosecute members, close the outlet for stolen goods, target-harden repeat victims.",
	"money_laundering": "Take the profit out of crime: restrain and confiscate assets, close laundering businesses, disrupt professional enablers.",
	"gangs_violence":   "Reduce serious violence: enforce against members carrying weapons, divert young people, protect the communities affected.",
}

// crossLinks ties the network together: some principals associate across
// groups (supply relationships), and a few peripheral members of
// dismantled groups reappear in active ones.
func (r *regBuilder) crossLinks(ctx context.Context) error {
	analyst := r.actor("analyst@nyp.example")
	var ends []string
	for i := 3; i < len(r.principals); i += 4 {
		a, b := r.principals[i-3], r.principals[i]
		l := domain.Link{FromKind: domain.NodeOCG, FromID: a.group, ToKind: domain.NodeOCG, ToID: b.group, Type: domain.LinkAssociate,
			SourceRef: fmt.Sprintf("NYP-INT-2024-%05d", 100+r.rng.IntN(90000)), Confidence: domain.ConfidenceMedium,
			Note: "Supplies the other group with wholesale quantities", CreatedBy: analyst.UserID}
		p := domain.Link{FromKind: domain.NodeEntity, FromID: a.person, ToKind: domain.NodeEntity, ToID: b.person, Type: domain.LinkAssociate,
			SourceRef: l.SourceRef, Confidence: domain.ConfidenceMedium, Note: "Met at the same address on several occasions", CreatedBy: analyst.UserID}
		r.links = append(r.links, l, p)
		ends = append(ends, a.group, b.group, a.person, b.person)
	}
	if len(ends) == 0 {
		return nil
	}
	err := r.record(ctx, analyst, audit.Entry{Operation: audit.Combination, RecordType: string(domain.KindOCG),
		RecordIDs: uniq(ends), Label: "Links between groups"})
	return err
}
