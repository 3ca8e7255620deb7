package match

import "strings"

// variantGroups are names people treat as the same name: nicknames and
// short forms (Bill, Billy, Will for William), spelling and
// transliteration variants (Mohammed, Muhammad, Mohamed), and Irish,
// Welsh and Scottish forms that sound alike but spell apart. The first
// name of each group is its canonical form; a name may be in several
// groups (Alex is Alexander or Alexandra, Pat is Patrick or Patricia).
// All entries are folded (lower case, no accents).
var variantGroups = [][]string{
	// Men's names.
	{"william", "bill", "billy", "will", "willie", "willy", "liam", "wills"},
	{"robert", "bob", "bobby", "rob", "robbie", "robby", "bert", "rab", "rabbie"},
	{"james", "jim", "jimmy", "jimmie", "jamie", "jay", "seamus", "shamus", "hamish"},
	{"john", "jon", "johnny", "johnnie", "jonny", "jack", "jackie", "johno"},
	{"sean", "shaun", "shawn", "shane", "sean"},
	{"ian", "iain", "ean"},
	{"ewan", "euan", "ewen", "evan"},
	{"jonathan", "jon", "jonny", "jonathon", "johnathan", "jonathen"},
	{"michael", "mike", "mikey", "mick", "micky", "mickey", "mikhail", "michal", "micheal", "mihail", "miguel"},
	{"richard", "rick", "ricky", "rich", "richie", "dick", "dicky", "ricardo"},
	{"anthony", "tony", "antony", "anton", "antonio", "ant"},
	{"thomas", "tom", "tommy", "tommie", "thom", "tomas", "tomasz"},
	{"christopher", "chris", "kit", "kris", "christoph", "krzysztof", "cristopher", "kristopher"},
	{"daniel", "dan", "danny", "dani", "dane"},
	{"david", "dave", "davey", "davie", "dai", "dafydd", "dawid", "daud", "dawood", "dawud"},
	{"edward", "ed", "eddie", "eddy", "ted", "teddy", "ned", "edd"},
	{"joseph", "joe", "joey", "josef", "jozef"},
	{"yusuf", "yousef", "youssef", "yousuf", "yusef", "yosef", "yousif"},
	{"matthew", "matt", "matty", "mathew", "matteo", "mateusz", "matthias"},
	{"nicholas", "nick", "nicky", "nico", "nicolas", "nikolai", "nikola", "mikolaj", "klaus"},
	{"patrick", "pat", "paddy", "padraig", "patryk", "patrice"},
	{"samuel", "sam", "sammy", "sami"},
	{"stephen", "steve", "steven", "stevie", "stefan", "steffan", "stephan", "esteban", "stefano"},
	{"alexander", "alex", "alec", "alexandre", "aleksander", "aleksandr", "alessandro", "sandy", "xander"},
	{"alistair", "alastair", "alasdair", "alister"},
	{"andrew", "andy", "drew", "andrzej", "andre", "andreas", "andrei", "aindrea"},
	{"benjamin", "ben", "benny", "benji", "bennie"},
	{"charles", "charlie", "chas", "chuck", "karol"},
	{"carl", "karl"},
	{"frederick", "fred", "freddie", "freddy", "fredrick", "frederik", "fryderyk"},
	{"henry", "harry", "hal", "hank", "henryk", "henri", "enrique"},
	{"gerald", "gerry", "jerry", "gerard", "ger"},
	{"terence", "terry", "terrence", "tel"},
	{"lawrence", "larry", "laurence", "laurie", "lorenzo", "wawrzyniec"},
	{"leonard", "len", "lenny", "leo", "leon"},
	{"ronald", "ron", "ronnie", "ronny"},
	{"donald", "don", "donny", "donnie"},
	{"kenneth", "ken", "kenny"},
	{"timothy", "tim", "timmy"},
	{"peter", "pete", "piotr", "petr"},
	{"philip", "phil", "phillip", "filip", "felipe", "pip"},
	{"gregory", "greg", "grzegorz"},
	{"raymond", "ray"},
	{"stuart", "stu", "stewart"},
	{"nathaniel", "nate", "nat", "nathan"},
	{"mohammed", "muhammad", "mohamed", "mohammad", "muhammed", "mohamad", "muhamad", "mohammod", "mohamud", "mahomed", "mehmet", "mehmed", "mo", "moe", "mohd", "mhd", "mohmed"},
	{"ahmed", "ahmad", "ahmet", "ahmat", "ahmedou"},
	{"hussein", "hussain", "husain", "husein", "hossein", "hussien", "husayn"},
	{"abdul", "abdel", "abdool", "abdoul", "abdullah", "abdallah"},
	{"osman", "usman", "othman", "uthman", "osmane"},
	{"omar", "umar", "omer", "umer"},
	{"ibrahim", "ebrahim", "ibraheem", "brahim"},
	{"hassan", "hasan", "hasaan"},
	{"mustafa", "mustapha", "mostafa", "moustafa"},
	{"ali", "aly"},
	{"imran", "imraan"},
	{"tariq", "tarik", "tarek", "tareq"},
	{"khalid", "khaled", "khaleed"},
	{"karim", "kareem", "kerim"},
	{"rahim", "raheem"},
	{"yasin", "yaseen", "yassin", "yassine"},
	{"ismail", "ismael", "esmail"},
	{"suleiman", "sulaiman", "suleyman", "soliman", "solomon"},
	{"wojciech", "wojtek"},
	{"lukasz", "luke", "lucas", "luka", "luca"},
	{"jakub", "kuba", "jacob", "jake", "jakob", "yakub", "yaqub"},
	{"aleksy", "alexei", "alexey", "aleksei"},
	{"dmitri", "dmitry", "dimitri", "dima"},
	{"sergei", "sergey", "serge", "sergiu"},
	{"vladimir", "vlad", "volodymyr"},
	{"gheorghe", "george", "georg", "jorge", "georgi", "jerzy", "geordie", "georgie"},
	{"ionut", "ion", "ioan"},
	{"niall", "neil", "neal", "niel", "nial"},
	{"kieran", "ciaran", "kieron", "keiran"},
	{"declan", "deklan"},
	{"connor", "conor", "conner", "konnor"},
	{"aidan", "aiden", "aden", "ayden", "aodhan"},
	{"owen", "eoin", "owain"},
	{"rhys", "reece", "rees", "reese", "rhyss"},
	{"dylan", "dillon", "dilan"},
	{"lewis", "louis", "luis", "lewys", "ludwik"},
	{"mark", "marc", "marek", "marco", "marko"},
	{"marcus", "markus"},
	{"kevin", "kev"},
	{"craig", "kraig"},
	{"callum", "calum", "kallum"},
	{"jayden", "jaden", "jaiden", "jaydon"},
	{"tyrone", "ty"},
	{"darren", "daz", "darran"},
	{"wayne", "wain"},
	{"lee", "leigh"},
	// Women's names.
	{"katherine", "catherine", "kathryn", "katharine", "kathrine", "cathryn", "katherina", "katarzyna", "kate", "katie", "katy", "kathy", "cathy", "kat", "kasia", "kitty", "kay"},
	{"elizabeth", "liz", "lizzie", "lizzy", "beth", "betty", "eliza", "elisabeth", "libby", "elzbieta", "bess", "bessie"},
	{"margaret", "maggie", "meg", "peggy", "marge", "margie", "greta", "malgorzata", "margarita", "mairead"},
	{"jennifer", "jen", "jenny", "jenni", "jennie"},
	{"rebecca", "becky", "becca", "rebekah", "rebeca"},
	{"susan", "sue", "susie", "suzy", "suzanne", "susanne", "suzanna", "zuzanna"},
	{"victoria", "vicky", "vicki", "tori", "wiktoria"},
	{"alexandra", "alex", "lexi", "alexa", "aleksandra", "alessandra"},
	{"deborah", "debbie", "deb", "debra", "debora"},
	{"patricia", "pat", "trish", "patsy", "tricia", "patrycja"},
	{"jacqueline", "jackie", "jacky", "jacquelyn"},
	{"christine", "chris", "christina", "kristina", "krystyna", "tina"},
	{"kirsty", "kirstie", "kirsten", "kirstin"},
	{"samantha", "sam", "sammy", "sammie"},
	{"jessica", "jess", "jessie"},
	{"rachel", "rachael", "raquel"},
	{"sarah", "sara", "sally", "sarrah"},
	{"hannah", "hanna", "hana"},
	{"anne", "ann", "anna", "annie", "ana", "anya", "ania"},
	{"joanne", "joanna", "jo", "joan", "johanna", "joann"},
	{"siobhan", "shivaun", "chevonne", "shevaun", "shivon"},
	{"jane", "jayne"},
	{"mary", "maria", "marie", "molly", "polly", "mairi", "maire", "marija"},
	{"maryam", "mariam", "miriam", "meryem"},
	{"helen", "helena", "ellen", "nell", "nellie", "elena"},
	{"eleanor", "elinor", "ella", "nell"},
	{"zoe", "zoey", "zoi"},
	{"chloe", "khloe", "cloe"},
	{"natalie", "natalia", "natasha", "tasha", "nat", "nathalie"},
	{"amanda", "mandy"},
	{"louise", "louisa", "lou", "luisa"},
	{"niamh", "neve", "neave", "nieve"},
	{"eva", "ewa"},
	{"fatima", "fatimah", "fatma", "fatema"},
	{"aisha", "ayesha", "aysha", "aishah", "ayse"},
	{"yasmin", "yasmine", "jasmine", "jasmin", "yasmeen"},
	{"zainab", "zaynab", "zeinab"},
	{"khadija", "khadijah", "hadiza"},
	{"leanne", "lianne", "leann", "leanna"},
	{"kayleigh", "kayley", "kaylee", "kaley", "kayla", "caley"},
	{"stacey", "stacy", "staci"},
	{"tracey", "tracy"},
	{"shannon", "shanon"},
	{"megan", "meghan", "meagan", "meg"},
	{"agnieszka", "agnes", "aga"},
}

// variantIndex maps each folded name to the canonical forms of the groups
// it belongs to.
var variantIndex = func() map[string][]string {
	idx := map[string][]string{}
	for _, g := range variantGroups {
		canon := g[0]
		for _, n := range g {
			if !containsStr(idx[n], canon) {
				idx[n] = append(idx[n], canon)
			}
		}
	}
	return idx
}()

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Canonical returns the canonical forms of the variant groups a folded
// token belongs to ("bill" → ["william"], "mohamed" → ["mohammed"]), or
// nil when it is in none.
func Canonical(token string) []string { return variantIndex[token] }

// SameName reports whether two folded tokens are variants of one name
// (Bill and William, Mohammed and Muhammad).
func SameName(a, b string) bool {
	if a == b {
		return true
	}
	for _, x := range variantIndex[a] {
		if containsStr(variantIndex[b], x) {
			return true
		}
	}
	return false
}

// particles are short words people write joined to the next word or apart
// from it: O'Neill or O Neill, McDonald or Mc Donald, Abdul Rahman or
// Abdulrahman.
var particles = map[string]bool{
	"o": true, "d": true, "mc": true, "mac": true, "de": true, "da": true, "di": true, "le": true, "la": true,
	"van": true, "von": true, "al": true, "el": true, "abd": true, "abdul": true, "abu": true, "bin": true, "ibn": true, "st": true,
}

// TokenVariants returns the ways a name may be split into tokens: as
// written, with particles joined to the next word ("o neil" → "oneil"),
// and with hyphenated parts joined ("smith-jones" → "smithjones"). The
// first is always the name as written.
func TokenVariants(name string) [][]string {
	base := Tokens(name)
	out := [][]string{base}
	add := func(ts []string) {
		if len(ts) == 0 {
			return
		}
		j := strings.Join(ts, " ")
		for _, o := range out {
			if strings.Join(o, " ") == j {
				return
			}
		}
		out = append(out, ts)
	}
	var joined []string
	for i := 0; i < len(base); i++ {
		if particles[base[i]] && i+1 < len(base) {
			joined = append(joined, base[i]+base[i+1])
			i++
			continue
		}
		joined = append(joined, base[i])
	}
	add(joined)
	if strings.ContainsAny(name, "-‐–") {
		add(Tokens(strings.NewReplacer("-", "", "‐", "", "–", "").Replace(name)))
	}
	return out
}
