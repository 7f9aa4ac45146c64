package dialog

import (
	"regexp"
	"strconv"
	"strings"
)

// Party size from the people a traveller names: "my parents and I" is three, 带上两个
// 同学 three, 我和老婆，外婆外公也去 four. The speaker counts once a companion is named.

type companion struct {
	word string
	n    int  // people the word stands for
	kid  bool // a child
	// counted: the word may take a number before it ("两个同学", "3 friends").
	counted bool
}

var companionsZh = []companion{
	{"爸爸妈妈", 2, false, false}, {"爸妈", 2, false, false}, {"父母", 2, false, false}, {"公婆", 2, false, false}, {"岳父岳母", 2, false, false},
	{"外婆外公", 2, false, false}, {"外公外婆", 2, false, false}, {"爷爷奶奶", 2, false, false}, {"姥姥姥爷", 2, false, false}, {"老人家", 1, false, false},
	{"夫妻", 2, false, true},
	{"爸爸", 1, false, false}, {"妈妈", 1, false, false}, {"老爸", 1, false, false}, {"老妈", 1, false, false}, {"我爸", 1, false, false}, {"我妈", 1, false, false},
	{"外婆", 1, false, false}, {"外公", 1, false, false}, {"爷爷", 1, false, false}, {"奶奶", 1, false, false}, {"姥姥", 1, false, false}, {"姥爷", 1, false, false},
	{"老婆", 1, false, false}, {"老公", 1, false, false}, {"媳妇儿", 1, false, false}, {"媳妇", 1, false, false}, {"对象", 1, false, false}, {"爱人", 1, false, false},
	{"女朋友", 1, false, false}, {"男朋友", 1, false, false}, {"女友", 1, false, false}, {"男友", 1, false, false}, {"妻子", 1, false, false}, {"丈夫", 1, false, false},
	{"闺蜜", 1, false, true}, {"朋友", 1, false, true}, {"同学", 1, false, true}, {"同事", 1, false, true}, {"室友", 1, false, true}, {"哥哥", 1, false, true}, {"姐姐", 1, false, true},
	{"弟弟", 1, false, true}, {"妹妹", 1, false, true}, {"兄弟", 1, false, true}, {"姐妹", 1, false, true},
	{"孩子", 1, true, true}, {"小孩", 1, true, true}, {"娃", 1, true, true}, {"宝宝", 1, true, true}, {"儿子", 1, true, true}, {"女儿", 1, true, true}, {"闺女", 1, true, true}, {"小朋友", 1, true, true},
}

var companionsEn = []companion{
	{"parents", 2, false, false}, {"grandparents", 2, false, false}, {"in-laws", 2, false, false}, {"in laws", 2, false, false},
	{"mother in law", 1, false, false}, {"mother-in-law", 1, false, false}, {"father in law", 1, false, false}, {"father-in-law", 1, false, false},
	{"mom", 1, false, false}, {"mum", 1, false, false}, {"mother", 1, false, false}, {"dad", 1, false, false}, {"father", 1, false, false},
	{"grandma", 1, false, false}, {"grandpa", 1, false, false}, {"grandmother", 1, false, false}, {"grandfather", 1, false, false},
	{"wife", 1, false, false}, {"husband", 1, false, false}, {"partner", 1, false, false}, {"girlfriend", 1, false, false}, {"boyfriend", 1, false, false},
	{"gf", 1, false, false}, {"bf", 1, false, false}, {"fiance", 1, false, false}, {"fiancee", 1, false, false}, {"spouse", 1, false, false},
	{"friends", 1, false, true}, {"friend", 1, false, true}, {"colleagues", 1, false, true}, {"colleague", 1, false, true}, {"coworkers", 1, false, true},
	{"roommates", 1, false, true}, {"college roommates", 1, false, true}, {"sisters", 1, false, true}, {"sister", 1, false, true}, {"brothers", 1, false, true}, {"brother", 1, false, true},
	{"cousins", 1, false, true}, {"cousin", 1, false, true}, {"mates", 1, false, true}, {"mate", 1, false, true},
	{"missus", 1, false, false}, {"missis", 1, false, false}, {"hubby", 1, false, false}, {"wifey", 1, false, false}, {"other half", 1, false, false}, {"better half", 1, false, false},
	{"buddies", 1, false, true}, {"buddy", 1, false, true}, {"pals", 1, false, true},
	{"kids", 1, true, true}, {"kid", 1, true, true}, {"children", 1, true, true}, {"child", 1, true, true}, {"baby", 1, true, true}, {"son", 1, true, true}, {"daughter", 1, true, true},
	{"sons", 1, true, true}, {"daughters", 1, true, true}, {"toddler", 1, true, true},
}

var zhCountWords = map[string]int{"一": 1, "两": 2, "二": 2, "俩": 2, "三": 3, "仨": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

// companionsIn counts the people named besides the speaker, and whether a child is
// among them; n is 0 when nobody is named. 夫妻 ("夫妻俩带俩孩子", "我们夫妻") counts the
// speaker as one of the two: n is then one less.
func companionsIn(s string) (n int, kids bool) {
	low := asciiLower(s)
	// Children named without a number ("带孩子", "with kids") say a need, not how many.
	definite := false
	adults := false
	defer func() {
		self := has(" "+low+" ", "我", " me ", " me,", " i ", " i'")
		if !definite || !adults && !self {
			n = 0
		}
	}()
	used := make([]bool, len(low))
	plural := func(w string) bool { return strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") }
	take := func(list []companion, latin bool) {
		for _, c := range list {
			if !strings.Contains(low, c.word) {
				continue
			}
			for off := 0; off < len(low); {
				i := strings.Index(low[off:], c.word)
				if i < 0 {
					break
				}
				i += off
				j := i + len(c.word)
				off = j
				if latin && (i > 0 && wordByte(low[i-1]) || j < len(low) && wordByte(low[j])) {
					continue
				}
				if used[i] || used[j-1] {
					continue
				}
				// Not a companion: "别带孩子", "no kids", "孩子们不去", 老公出差了.
				before := low[max(0, i-12):i]
				if has(before, "不带", "没有", "不", "没", "别", "no ", "without", "not ") {
					continue
				}
				if after := low[j:min(len(low), j+15)]; !latin && has(after, "出差", "加班", "有事", "不去", "不来", "来不了", "去不了", "不能去", "不跟") {
					continue
				}
				for k := i; k < j; k++ {
					used[k] = true
				}
				// "我和爸妈…爸爸腿脚不好", "my parents and I… mum can't walk far": one of a
				// pair named before is the same person again.
				if named := pairOf[c.word]; named != nil && anyNamed(low, named) {
					continue
				}
				count := c.n
				if !c.kid {
					definite, adults = true, true
				}
				if c.counted {
					if k, ok := countBefore(low, i, latin); ok {
						count = k
						definite = true
					} else if latin && plural(c.word) {
						count = 2
						if has(before, "our ", "my ") && !has(before, "two", "2") {
							count = 2
						}
					}
				}
				if c.kid && has(before, "the ", "our ", "my ", "的", "我家") && !plural(c.word) {
					definite = true // "the baby", "my daughter"
				}
				if c.word == "夫妻" {
					count-- // the speaker is one of them, counted once by the caller
				}
				n += count
				kids = kids || c.kid
			}
		}
	}
	latin, other := scriptsOf(low)
	if other {
		take(companionsZh, false)
	}
	if latin {
		take(companionsEn, true)
	}
	return n, kids
}

// pairOf lists, for a person, the words for a pair that includes them.
var pairOf = func() map[string][]string {
	parents := []string{"爸妈", "父母", "爸爸妈妈", "parents"}
	grand := []string{"爷爷奶奶", "外婆外公", "外公外婆", "姥姥姥爷", "grandparents"}
	m := map[string][]string{}
	for _, w := range []string{"爸爸", "妈妈", "老爸", "老妈", "我爸", "我妈", "mom", "mum", "mother", "dad", "father"} {
		m[w] = parents
	}
	for _, w := range []string{"爷爷", "奶奶", "外婆", "外公", "姥姥", "姥爷", "grandma", "grandpa", "grandmother", "grandfather"} {
		m[w] = grand
	}
	return m
}()

func anyNamed(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// countBefore reads a number right before i: "两个同学", "3 friends", "two colleagues".
func countBefore(s string, i int, latin bool) (int, bool) {
	b := strings.TrimRight(s[:i], " ")
	if latin {
		for _, w := range []string{"my ", "our ", "his ", "her ", "the "} {
			b = strings.TrimSuffix(b, strings.TrimSpace(w))
			b = strings.TrimRight(b, " ")
		}
		fields := strings.Fields(b)
		if len(fields) == 0 {
			return 0, false
		}
		last := fields[len(fields)-1]
		if len(fields) >= 2 && (last == "college" || last == "little" || last == "young") {
			last = fields[len(fields)-2]
		}
		if n := atoiWord(last); n > 0 && n < 50 {
			return n, true
		}
		return 0, false
	}
	b = strings.TrimSuffix(b, "的")
	b = strings.TrimSuffix(b, "个")
	b = strings.TrimSuffix(b, "只")
	b = strings.TrimSuffix(b, "位")
	// digits
	k := len(b)
	for k > 0 && isDigit(b[k-1]) {
		k--
	}
	if k < len(b) {
		if n, err := strconv.Atoi(b[k:]); err == nil && n > 0 && n < 50 {
			return n, true
		}
	}
	for w, n := range zhCountWords {
		if strings.HasSuffix(b, w) {
			return n, true
		}
	}
	return 0, false
}

// bigSmall reads "三大两小", "2大1小": the adults and the children, or zeros.
func bigSmall(low string) (int, int) {
	if !strings.Contains(low, "大") {
		return 0, 0
	}
	if loc := reBigSmall.FindStringSubmatch(low); loc != nil {
		return zhNum(loc[1]), zhNum(loc[2])
	}
	return 0, 0
}

// partyFromPeople returns the party size said through the people named, or 0.
func partyFromPeople(s string) (int, bool) {
	low := asciiLower(s)
	// "三大两小", "2大1小": adults and children by count.
	if loc := reBigSmall.FindStringSubmatch(low); loc != nil {
		a, k := zhNum(loc[1]), zhNum(loc[2])
		if a > 0 && k > 0 {
			return a + k, true
		}
	}
	if strings.Contains(low, "两对夫妻") || strings.Contains(low, "2对夫妻") {
		return 4, false
	}

	if has(low, "你有", "你的", "do you have", "are you", "your ") {
		return 0, false
	}
	// People are counted where the message says they come along, not where it says
	// what they need ("我妈坐轮椅", "my dad uses a wheelchair") or that they stay home.
	if !rePeopleTogether.MatchString(" "+low+" ") || reNegAfter.MatchString(low) || has(low, "staying", "stay home", "stay at home", "stays home", "stays at home", "not coming", "not to come", "不去", "不带", "留给", "在家", "放奶奶家", "放姥姥家", "放外婆家", "放爷爷奶奶家", "放家里", "dropped out") {
		return 0, false
	}
	n, kids := companionsIn(s)
	if n == 0 {
		return 0, false
	}
	return n + 1, kids
}

var rePeopleTogether = pat(`和|跟|带|还有|也去|也要去|一起|同行|陪|\+|、|，|我们|咱们|\bwith\b|\bw/|\btaking\b|\bme\b|\band i\b|\bbringing\b|\bplus\b|\bcoming too\b|\bcoming along\b|\bjoining\b|,`,
	"和", "跟", "带", "还有", "也", "一起", "同行", "陪", "+", "、", "，", "我们", "咱们", "with", "w/", "taking", "me", "and i", "bringing", "plus", "coming", "joining", ",")

var reBigSmall = pat(`([0-9一两二三四五六七八九十])\s*(?:个)?大\s*([0-9一两二三四五六七八九十])\s*(?:个)?小`, "大")

func zhNum(s string) int {
	if n, ok := zhCountWords[s]; ok {
		return n
	}
	n, _ := strconv.Atoi(s)
	return n
}

// reCouples counts couples: "2 couples", "two couples", 三对夫妻.
var reCouples = regexp.MustCompile(`\b(\d{1,2}|two|three|four|five)\s+couples\b|([0-9两二三四五])\s*对(?:夫妻|夫妇|情侣)`)

// reJoining says the people named join the party rather than make it up.
var reJoining = pat(`\bcoming too\b|\bcoming as well\b|\balso coming\b|\bare joining\b|\bis joining\b|\bjoining us\b|\bwill join\b|\bcoming along\b|也去|也要去|也来|也一起`,
	"coming", "joining", "join", "也")

// selfNamed reports whether the speaker counts themself in what they say ("me and", "我和").
func selfNamed(low string) bool {
	return has(" "+low+" ", " me ", " me,", " i ", " i'", " we ", "咱") || reSelfZh.MatchString(low)
}

// reSelfZh is the speaker in Chinese: 我和, 我们, 和我; not 我妈 or 我家 (someone else).
var reSelfZh = regexp.MustCompile(`我(?:和|跟|与|带|自己|们|俩|一个)|(?:和|跟|与|带上|还有)我|^我(?:想|要|也)`)
