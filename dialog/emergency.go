package dialog

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
)

// EmergencyCategory is what kind of help a traveller in trouble needs. It picks the
// advice and the service (police, ambulance, fire) the first reply leads with.
type EmergencyCategory string

// The emergency categories, in the order ReadEmergency prefers them when a message
// names several troubles: a missing person or a body in danger comes before property.
const (
	EmergencyLostPerson EmergencyCategory = "lost_person" // someone missing, or the traveller lost
	EmergencyInjury     EmergencyCategory = "injury"      // accident, fall, fracture, bleeding
	EmergencyMedical    EmergencyCategory = "medical"     // illness, allergy, breathing, heart
	EmergencyDisaster   EmergencyCategory = "disaster"    // earthquake, flood, typhoon, fire, severe weather
	EmergencyDocuments  EmergencyCategory = "documents"   // passport or ID lost or stolen, consular help
	EmergencyCrime      EmergencyCategory = "crime"       // theft, robbery, assault, fraud
	EmergencyTransport  EmergencyCategory = "transport"   // cancelled flight or train, missed connection, lost luggage
	EmergencyOther      EmergencyCategory = "other"       // SOS, "emergency", "救命" without more
)

// EmergencyCategories lists every category, in ReadEmergency's order of preference.
var EmergencyCategories = []EmergencyCategory{EmergencyLostPerson, EmergencyInjury, EmergencyMedical,
	EmergencyDisaster, EmergencyDocuments, EmergencyCrime, EmergencyTransport, EmergencyOther}

// emergencyRule recognises one category: a message matches when one of the category's
// phrases occurs in a clause that is not vetoed (a plan, a question about the past or a
// hypothetical, a museum...).
type emergencyRule struct {
	cat    EmergencyCategory
	phrase *gatedRegexp
	veto   *regexp.Regexp // clause-level, on top of emergencyVeto; nil for none
}

// emergencyRules are tried in order; the first category that matches wins. Phrases name
// a trouble that is happening, not a word that merely occurs in travel talk: "hospital"
// alone is a landmark, "need a hospital" is an emergency.
var emergencyRules = []emergencyRule{
	{EmergencyLostPerson, gated(`走丢|走失|走散|迷路|失踪|找不到(?:我的?)?(?:孩子|儿子|女儿|妈妈|妈|爸爸|爸|老公|老婆|妻子|丈夫|朋友|同伴|家人|老人|爷爷|奶奶|外婆|外公)|(?:孩子|儿子|女儿|妈妈|爸爸|老公|老婆|老人|朋友|家人|同伴|爷爷|奶奶)[^，。？！,?!]{0,12}(?:不见了|联系不上|一直没回来|还没回来|打不通)|不知道(?:我们|我)?(?:现在)?在哪` +
		`|(?:孩子|小孩|儿子|女儿|宝宝|娃|老人|老人家|妈妈|我妈|爸爸|我爸|奶奶|爷爷|外婆|外公|老公|老婆)[^，。？！,?!]{0,4}(?:找不到了|丢了|走丢了|找不着了|不见了)` +
		`|\b(?:don'?t|do not) know where (?:we|i) are\b` +
		`|\b(?:i'?m|i am|we'?re|we are) (?:completely |totally |really |so )?lost\b` +
		`|\b(?:son|daughter|child|kid|kids|children|boy|girl|baby|wife|husband|mother|mum|mom|father|dad|friend|partner|grandma|grandpa|grandmother|grandfather|brother|sister|he|she)\b[^.?!,]{0,20}\b(?:is|are|went|has gone|have gone|goes) missing\b` +
		`|\b(?:son|daughter|child|kid|boy|girl|baby|wife|husband|mother|mum|mom|father|dad|friend|partner|brother|sister|he|she|they)\b (?:has |have )?(?:disappeared|wandered off|vanished)\b` +
		`|\bcan'?t find my (?:son|daughter|child|kid|kids|children|boy|girl|baby|wife|husband|mother|mum|mom|father|dad|friend|partner|grandma|grandpa|brother|sister)\b` +
		`|\blost my (?:son|daughter|child|kid|kids|children|boy|girl|baby|wife|husband|friend|partner|group|tour group|party)\b|\bwandered (?:off|away)\b` +
		`|\b(?:don'?t|do not|can'?t|cannot) (?:know|find) (?:the|our|my) way back\b|找不到回(?:去|酒店)的路|失散|\bseparated from\b` +
		`|\b(?:son|daughter|child|kid|boy|girl|wife|husband|mother|mum|mom|father|dad|friend|partner|brother|sister|he|she)\b[^.?!]{0,15}\b(?:didn'?t|hasn'?t|never) (?:come|came) back\b`),
		regexp.MustCompile(`容易|怕|担心|经常|总是|方向感|\boften\b|\balways\b|\bafraid\b|\bworried\b|\btend to\b`)},
	{EmergencyInjury, gated(`被(?:车|汽车|摩托车?|电动车|公交车?|出租车|大巴)?撞|撞了|撞到|车祸|撞车|翻车|车翻了|骨折|摔(?:倒|伤|断|下来|下去|了)|扭伤|动不了|被捅|被刺|撞倒|撞伤|烫到|划破|被[^，。？！,?!]{0,4}划了|被门夹|流了[^，。？！,?!]{0,3}血|流血|出血|受伤|被(?:狗|猫|猴子?|蛇)咬|烫伤|烧伤|溺水|割伤|划伤|事故` +
		`|\bhit by (?:a |an )?(?:car|bus|truck|taxi|cab|motorbike|motorcycle|scooter|bike)\b` +
		`|\b(?:car|bus|taxi|cab|coach|motorcycle|motorbike|scooter|bike|traffic|road)s? (?:accident|crash(?:ed)?)\b|\bcrash(?:ed)? into\b|\b(?:we|i|they|he|she) crashed\b|\bcrashed (?:the|our|my|a) (?:\w+ )?(?:car|bike|scooter|motorbike|motorcycle|van)\b|\baccident\b|\bstabbed\b|\b(?:got|been|was) shot\b|\bburn(?:ed|t) by\b|\bscald(?:ed)?\b|\btwist(?:ed)? (?:my|his|her|their) \w+|\bcan'?t walk\b` +
		`|\bbroke(?:n)? (?:my |his |her |their |our |a )?(?:leg|arm|wrist|ankle|hand|foot|nose|rib|back|neck|hip|finger|toe|collarbone)s?\b|\bfractured?\b|\bsprain(?:ed)?\b` +
		`|\bbleeding\b|\binjur(?:ed|y|ies)\b|\bhurt (?:my|his|her|their|our|him|myself|himself|herself)\b|\bfell (?:down|off|over|from)\b|\bslipped\b` +
		`|\bcut (?:my|his|her|their) \w+|\bbit (?:me|him|her|us|my)\b|\bbitten\b|\bburn(?:ed|t) (?:my|his|her|their)\b|\bdrowning\b|\bcan'?t move\b`),
		regexp.MustCompile(`怀孕|\bpregnan`)},
	{EmergencyMedical, gated(`晕倒|昏倒|昏迷|晕过去|不省人事|发烧|高烧|呕吐|想吐|拉肚子|腹泻|中毒|肚子(?:很|好|特别)?(?:疼|痛)|胸口(?:很|好)?(?:痛|疼)|胸痛|喘不过气|呼吸困难|过敏了|过敏反应|心脏病|中风|哮喘(?:发作|犯了)|高原反应|生病|病了|看医生|叫医生|急救|救护车|(?:去|送|到|找)(?:最近的)?医院|医院在哪|抽搐|休克|蜇|蛰|起疹子|说不出话|药物过量|吃错药|叫不醒|喘不上气|呼吸不(?:上来|了|过来)|中暑|出冷汗|手抖|低血糖|嘴唇肿|肿了|(?:疼|痛)得(?:厉害|受不了)|心口(?:疼|痛)|脸歪|没(?:有)?知觉|失去知觉|怀孕[^，。？！,?!]{0,10}(?:出血|流血)|血压(?:很|太|特别|突然)(?:高|低)|头晕得|站不起来` +
		`|\bheart attack\b|\bpanic attack\b|\bfaint(?:ed)?\b|\bpassed out\b|\bcollapsed?\b|\bunconscious\b|\bunresponsive\b|\bfever\b|\bvomit(?:ing|ed)?\b|\bthrowing up\b|\bdiarrh?o?ea\b` +
		`|\bfood poisoning\b|\bpoison(?:ed|ing)\b|\ballergic reaction\b|\banaphyla\w*|\bcan'?t breathe\b|\b(?:trouble|difficulty|problems?) breathing\b|\bchest pains?\b|\bstroke\b|\bseizures?\b` +
		`|\basthma attack\b|\bwheezing\b|\baltitude sickness\b|\b(?:very|really|so|seriously|feel|feeling|got|am|i'?m|is|are) sick\b|\bneed (?:a|to see a) doctor\b|\bsee a doctor\b|\bambulance\b` +
		`|\b(?:need|go|get|take \w+) (?:to )?(?:a |the )?hospital\b|\bnearest hospital\b|\bi'?m dying\b|\bblood sugar (?:is )?(?:very |too |really )?(?:low|high)\b|\bstung\b|\boverdos(?:e|ed|ing)\b|\bcan'?t feel (?:his|her|my|their) \w+|\bdrooping\b|\bnumb\b|\bswollen\b|\b(?:won'?t|doesn'?t|isn'?t|not) wak(?:e|ing) up\b|\bnot breathing\b|\b(?:sun|heat) ?stroke\b|\bappendicitis\b|\b(?:belly|stomach|tummy) (?:hurts|pain|ache)\b|\bsevere pain\b|\bhurts a lot\b|\bpregnant\b[^.?!]{0,20}\bbleeding\b` +
		`|\bfeel(?:ing|s)? (?:really |very |so |quite |a bit |terribly |extremely )?(?:ill|unwell|dizzy|faint)\b|\bnot feeling (?:well|good|great|ok|okay)\b|\b(?:stomach|tummy) bug\b|\bhigh (?:temp|temperature)\b|\bunwell\b` +
		`|高反了|高反(?:很|太|特别)?(?:严重|厉害)|出现了?高反|(?:身体|肚子|胃|头|孩子|我|他|她|老婆|老公|妈妈|爸爸|老人)[^，。？！,?!]{0,3}不舒服|头晕|头疼得|头痛得`),
		regexp.MustCompile(`会不会|会有|容易|预防|防止|担心|怕|顾虑|\bprevent\b|\bavoid\b|\bis it safe\b|\bgets\b|\bprone to\b|\busually\b|\bworried\b|\bafraid\b|\bconcerned\b`)},
	{EmergencyDisaster, gated(`地震|台风|洪水|发大水|水灾|海啸|滑坡|泥石流|雪崩|暴雪|暴雨|龙卷风|火山(?:喷发|爆发)|着火|火灾|起火|失火|山火|浓烟|冒烟` +
		`|\bearthquakes?\b|\btyphoons?\b|\bhurricanes?\b|\bcyclones?\b|\btornado(?:es)?\b|\btsunami\b|\bflood(?:s|ed|ing)?\b|\blandslides?\b|\bmudslides?\b|\bavalanche\b|\bblizzard\b` +
		`|\bvolcano (?:erupted|is erupting)\b|\beruption\b|\bwildfires?\b|\bbush ?fires?\b|\bforest fires?\b|\bon fire\b|\bthere(?:'s| is| was) a fire\b|\ba fire (?:in|at|on|near)\b|\bsevere (?:storm|weather)\b|\b(?:huge|big|violent|terrible) storm\b|\bsmoke everywhere\b|\bfull of smoke\b|\bsmell (?:of )?smoke\b|\bflash flood\b`),
		regexp.MustCompile(`季节|台风季|雨季|过后|风险|会不会|会遇到|会有|容易|常见|多吗|什么时候|遗址|想去|去看|想看|\bwill there be\b|\bvisit\b|\bsee the\b` +
			`|(?:导致|造成|由于|因为|\bbecause of\b|\bdue to\b)[^，。？！,?!]*(?:取消|停运|停飞|cancel)|(?:取消|停运|停飞|cancell?ed)[^，。？！,?!]*(?:由于|因为|\bbecause of\b|\bdue to\b)|\bseasons?\b|\brisk\b|\bsafe to\b|\bafter the\b|\busually\b|\boften\b|\bmovies?\b|\bchasers?\b|proof\b|\btours?\b|prone\b|\bavoid\b`)},
	{EmergencyDocuments, gated(`(?:护照|身份证|通行证|签证|证件)[^，。？！,?!]{0,6}(?:丢|被偷|被抢|被盗|被扒|扒了|掉了|掉进|不见|找不到|没了)|(?:丢|丢失|弄丢|被偷|被抢|被盗)了?(?:我的|我们的)?(?:护照|身份证|通行证|证件)|(?:联系|找|去)(?:中国|我们的|本国)?(?:大使馆|领事馆|使馆|使领馆)|(?:护照|证件)(?:落在|忘在|丢在)` +
		`|\bpassports?\b[^.?!,]{0,25}\b(?:lost|stolen|missing|gone|taken)\b|\b(?:lost|stole|lose|misplaced|can'?t find)\b[^.?!,]{0,25}\b(?:passports?|id cards?|identity cards?|visas?)\b` +
		`|\b(?:id card|identity card|visa)s?\b[^.?!,]{0,15}\b(?:lost|stolen|missing)\b|\b(?:left|forgot) (?:my|our|his|her) passports?\b|\bpassports?\b[^.?!,]{0,25}\b(?:fell|dropped|washed|burned|damaged|ruined)\b|\blost (?:all )?(?:my|our) (?:documents|papers|id)\b|\b(?:need|contact|call|get to|reach|find) (?:the |my |our )?(?:\w+ )?(?:embassy|consulate)\b`), nil},
	{EmergencyCrime, gated(`被偷|偷了|被抢|抢劫|抢走|偷走|被扒|敲诈|勒索|不让我们?走|下药|被盗|被骗|诈骗|被打|袭击|跟踪|扒手|小偷|报警|警察|不让我下车|威胁|骚扰|被绑` +
		`|\brobbed\b|\brobbery\b|\bmugged\b|\bstole\b|\bstolen\b|\bpick-?pocket(?:ed|s)?\b|\bscammed\b|\bfraud\b|\battack(?:ed)?\b|\bassault(?:ed)?\b|\bbeaten up\b` +
		`|\bfollowing me\b|\bstalking\b|\bthreaten(?:ing|ed)?\b|\bharass(?:ed|ing)\b|\bbroken into\b|\bbroke into\b|\bsnatched\b|\bthief\b|\bthieves\b` +
		`|\b(?:need|call|get|contact|phone|report (?:it |this )?to) (?:the )?police\b|\bpolice (?:now|please)\b|\bgrabbed my\b|\bran off with\b|\bdrugged\b|\bspiked\b|\b(?:tried|trying|try) to rob\b|\brob(?:bing)? (?:us|me|him|her|them)\b` +
		`|\btook (?:my |our |the )?(?:money|cash|wallet|phone|bag|purse|camera|laptop|passport)\b` +
		`|\b(?:got|was|were|been|has been|have been)\s+(?:nicked|pinched|skimmed|cloned)\b|\b(?:nicked|pinched|swiped|snatched)\s+(?:my|our|his|her)\b|(?:钱包|手机|包包|背包|银行卡|信用卡|现金|相机|电脑)[^，。？！,?!]{0,4}(?:丢了|掉了|不见了|找不到了|被偷)` +
		`|\b(?:lost|left) (?:my|our|his|her) (?:phone|wallet|purse|bag|handbag|backpack|cards?|credit cards?|bank cards?|money|cash|camera|laptop)\b|\b(?:my|our) (?:phone|wallet|purse|bag|handbag|backpack|cards?)\b[^.?!,]{0,12}\b(?:is|was|got|has been) (?:lost|gone|missing|taken)\b`),
		regexp.MustCompile(`\btips?\b|\bavoid\b|\bagainst\b|\bbeware\b|\bwatch out\b|\bcommon\b|多吗|注意|防范|小心|常见|\bsafe\b|\bdangerous\b`)},
	{EmergencyTransport, gated(`(?:航班|班机|飞机|火车|高铁|动车|列车|大巴|巴士|轮渡|渡轮)[^，。？！,?!]{0,6}(?:取消|停运|停飞)|误机|误车|错过了?(?:航班|飞机|转机|火车|高铁|末班|最后一班|班车|轮渡|邮轮)|取消了?转机|转机(?:被)?取消|延误了?(?:\d+|[一二三四五六七八九十几]+)个?(?:多)?小时|(?:行李|箱子)[^，。？！,?!]{0,6}(?:丢|不见|没到|找不到)|丢了?(?:我的)?行李|滞留|抛锚|行李(?:箱)?(?:没有|没)出来` +
		`|\b(?:flight|train|bus|ferry|connection|plane)s?\b[^.?!]{0,20}\b(?:was|got|has been|is|were|have been) (?:cancell?ed|grounded|suspended)\b|\bcancell?ed (?:my|our|the) (?:flight|train|ferry)\b` +
		`|\bmissed (?:my|our|the) (?:\w+ )?(?:flight|train|connection|plane|ferry|bus|cruise|ship|boat)\b|\b(?:ship|boat|bus|train|ferry|coach) left without (?:us|me)\b|\b(?:lost|lose) (?:my|our|the) (?:luggage|baggage|suitcase|bags?)\b|\blost (?:luggage|baggage)\b` +
		`|\b(?:luggage|baggage|suitcase|bag)s? (?:was |were |is |has been |got )?(?:lost|missing|didn'?t arrive|did not arrive|never arrived|hasn'?t arrived)\b|\bstranded\b|\bbroke down\b|\bbroken down\b` +
		`|\b(?:train|bus|ferry|flight|taxi|driver|transfer|pickup|shuttle)\b[^.?!]{0,25}\b(?:never came|didn'?t come|never showed up|didn'?t show up|no-?show)\b`), nil},
	{EmergencyOther, gated(selfHarm + `|^/sos\b|\bsos\b|被困|\b(?:we'?re|i'?m|we are|i am) trapped\b|救命|救救我|紧急|出事了|(?:我|我们)有危险|处境危险|急!|\bemergency\b|\bin danger\b|\bhelp me please\b|\bplease help me\b|\bhelp\b[^.?!]{0,10}\burgent\b|\burgent\b[^.?!]{0,10}\bhelp\b|^help!+$|出了点事|出大事了|很急|特别急|非常急|马上帮我|快帮帮我|帮帮我|\bsomething (?:bad|terrible|awful|serious) (?:has )?happened\b`), nil},
}

// selfHarm is a traveller saying they want to die or hurt themself: an emergency
// whatever else the message says, answered with care and a person.
const selfHarm = `想去死(?:[^海]|$)|想死(?:了)?$|我想死(?:[^海你]|$)|不想活|活着没意思|活着没有意思|活不下去|想自杀|要自杀|自杀|轻生|跳楼(?:[^价]|$)|跳下去(?:算了)?$|结束(?:我的|自己的)?生命|` +
	`\b(?:want|going|wanna) to (?:die|kill myself|end it all|end my life)\b|\bkill myself\b|\bsuicid\w*|\bend my life\b|\b(?:don'?t|do not) want to (?:live|be alive)\b|\bself[- ]harm\b`

// reSelfHarm finds selfHarm in a message.
var reSelfHarm = regexp.MustCompile(selfHarm)

var (
	// emergencyIdioms are figures of speech and landmarks, blanked out before reading:
	// "dying to see", "a hotel near the hospital", "by accident".
	emergencyIdioms = gated(`dying (?:to|for)|to die for|killer (?:views?|deals?)|could murder|nearly killed me|killing (?:me|us)|sick (?:of|and tired)|break a leg|broke the bank|fell in love|lost track of time` +
		`|lost in (?:the )?(?:beauty|moment|thoughts?|music|views?)|(?:is|was|looks|so) fire\b|(?:looks?|sounds?|that'?s)\s+(?:so\s+|really\s+|pretty\s+)?sick\b|救命[啊呀]?[，,！!\s]*(?:帮我|帮忙|我想|想去|怎么|这个|规划|安排|推荐|给我)|(?:行程|计划|方案|安排|预算|价格)[^，。！？,.!?]{0,6}救命|(?:not\s+)?feeling\s+(?:great|good|sure|happy|confident|bad)\s+about|你们(?:这)?(?:是)?(?:诈骗|骗子|骗人)|是不是(?:诈骗|骗子)|daylight robbery|highway robbery|(?:price|prices|cost)s?\s+(?:is|are)\s+(?:a\s+)?(?:robbery|a steal|criminal)|my phone died|phone (?:is|was) dead|battery died|by accident|accidentally|can'?t walk (?:far|long|much|for long|very far|a lot)|stroke of|flood of|crash course|emergency (?:exits?|contacts?|numbers?)|not urgent` +
		`|(?:near|close to|next to|by|opposite|around) (?:a |the )?(?:\w+ )?(?:hospital|embassy|consulate|police station)s?|(?:医院|大使馆|领事馆|使馆|派出所)\s*(?:附近|旁边|周边|对面)|(?:离|靠近|近|住在|挨着)\s*(?:医院|大使馆|领事馆|派出所)|不紧急|紧急联系人|紧急(?:改|修改|调整|更改|换|订|预订)|doctor-\w+` +
		`|救命(?:啊)?\s*(?:爱了|好美|太美|太好看|太好吃|笑死|哈哈|绝了)|(?:太棒|太美|好美|太好看|太好吃|笑死|哈哈|绝了|爱了)\S{0,6}\s*救命`)
	// emergencyVeto marks clauses that talk about a trouble without having it: what if,
	// last year, a museum.
	emergencyVeto = regexp.MustCompile(serviceEvent + `|\bwhat if\b|\bin case\b|\bif (?:i|we|my|our|you|someone|somebody)\b|\bhow much\b|\binsurance\b|保险|多少钱|\bjust in case\b|如果|万一|假如|要是|去年|上次|上回|\blast (?:year|month|time|summer|winter|spring|autumn)\b|\bmuseums?\b|博物馆|纪念馆|\bexhibitions?\b|展览`)
	// emergencyAsking marks a whole message as asking ahead ("在机场丢了行李怎么办？提前问一下").
	emergencyAsking = regexp.MustCompile(`提前问|先问一下|问一下而已|假设|\bjust asking\b|\bin advance\b|\bhypothetical(?:ly)?\b|\bjust curious\b`)
	emergencyClause = regexp.MustCompile(`[.?!;,，。？！；\n]`)
)

// ReadEmergency reports whether text asks for emergency help and of which kind, in
// Chinese or English. It prefers the ordinary reading where the words are a figure of
// speech ("I'm dying to see the Great Wall"), a landmark ("我想去医院附近的酒店"), a
// hypothetical ("what if my flight is cancelled?") or a plan ("急着订票"). It does no
// I/O and is meant to run first on every message, in any state.
func ReadEmergency(text string) (EmergencyCategory, bool) {
	s := emergencyNormalize(text)
	if s == "" {
		return "", false
	}
	if emergencyAsking.MatchString(s) {
		return "", false
	}
	s = emergencyIdioms.blank(s)
	for _, r := range emergencyRules {
		found := r.phrase.any(s, func(i, j int) bool {
			clause := emergencyClauseAt(s, i, j)
			return !emergencyVeto.MatchString(clause) && !reAsksAhead.MatchString(clause) && !saysFine(s, i) && (r.veto == nil || !r.veto.MatchString(clause))
		})
		if found {
			return r.cat, true
		}
	}
	return "", false
}

// saysFine reports that the words about the trouble at i say the traveller is fine ("我没事
// 就是问问"); what follows a "but" is read on its own ("we're ok but my wife was hit").
func saysFine(s string, i int) bool {
	clause := emergencyClauseAt(s, i, i)
	start := strings.Index(s, clause)
	before := s[max(start, 0):i]
	for _, w := range []string{" but ", "但是", "但", "可是", "不过"} {
		if k := strings.LastIndex(before, w); k >= 0 {
			before = before[k+len(w):]
		}
	}
	return reAllWell.MatchString(before)
}

// emergencyClauseAt returns the clause of s around [i, j): up to the punctuation on
// either side.
func emergencyClauseAt(s string, i, j int) string {
	start := 0
	if locs := emergencyClause.FindAllStringIndex(s[:i], -1); len(locs) > 0 {
		start = locs[len(locs)-1][1]
	}
	end := len(s)
	if loc := emergencyClause.FindStringIndex(s[j:]); loc != nil {
		end = j + loc[0]
	}
	return s[start:end]
}

// emergencyNormalize lower-cases text, folds full-width forms and typographic
// apostrophes to ASCII and collapses white space, so that the rules see one spelling.
func emergencyNormalize(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	space := false
	for _, r := range strings.TrimSpace(text) {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == '\u2019' || r == '\u2018' || r == '`':
			r = '\''
		case r == 0x3000:
			r = ' '
		case r >= 0x4E00:
			if v, ok := simplifiedOf[r]; ok {
				r = v // 護照丟了 is 护照丢了
			}
		}
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// gatedRegexp is an alternation split into its alternatives, each tried only when the
// text holds a literal that any of its matches must contain. Go's regexp engine has no
// such prefilter: one large alternation walks every position of every message, which
// made reading an ordinary message cost half a millisecond.
type gatedRegexp struct {
	alts []gatedAlt
}

type gatedAlt struct {
	literal string // "" when the alternative has no literal of its own: always tried
	re      *regexp.Regexp
}

func gated(expr string) *gatedRegexp {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		panic(fmt.Sprintf("gated %q: %v", expr, err))
	}
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpAlternate {
		subs = re.Sub
	}
	g := &gatedRegexp{}
	for _, sub := range subs {
		g.alts = append(g.alts, gatedAlt{literal: requiredLiteral(sub), re: regexp.MustCompile(sub.String())})
	}
	return g
}

// requiredLiteral returns the longest literal that every match of re contains, looking
// only at re itself or the direct parts of a concatenation.
func requiredLiteral(re *syntax.Regexp) string {
	lit := func(r *syntax.Regexp) string {
		if r.Op == syntax.OpLiteral && r.Flags&syntax.FoldCase == 0 {
			return string(r.Rune)
		}
		return ""
	}
	if re.Op != syntax.OpConcat {
		return lit(re)
	}
	best := ""
	for _, sub := range re.Sub {
		if l := lit(sub); len(l) > len(best) {
			best = l
		}
	}
	return best
}

// any reports whether some match of the alternation in s is accepted by ok.
func (g *gatedRegexp) any(s string, ok func(i, j int) bool) bool {
	for _, a := range g.alts {
		if a.literal != "" && !strings.Contains(s, a.literal) {
			continue
		}
		for _, m := range a.re.FindAllStringIndex(s, -1) {
			if ok(m[0], m[1]) {
				return true
			}
		}
	}
	return false
}

// blank replaces every match in s with as many spaces, keeping the other offsets.
func (g *gatedRegexp) blank(s string) string {
	for _, a := range g.alts {
		if a.literal != "" && !strings.Contains(s, a.literal) {
			continue
		}
		s = a.re.ReplaceAllStringFunc(s, func(m string) string { return strings.Repeat(" ", len(m)) })
	}
	return s
}

// EmergencyHelp words the first answer to an emergency of category cat for a traveller
// in country (ISO 3166-1 alpha-2, "" when unknown), in lang: the local emergency
// numbers, what to do and, for lost documents, whom to call. It runs inside the turn, so
// it must answer from memory, with no network and no database.
type EmergencyHelp func(country string, cat EmergencyCategory, lang string) string

// Care is what the engine keeps about an emergency in progress and about feedback being
// collected, stored with the conversation's memo.
type Care struct {
	Emergency EmergencyCategory `json:"emergency,omitempty"` // the trouble being handled
	Here      *Place            `json:"here,omitempty"`      // where the traveller said they are
	Told      string            `json:"told,omitempty"`      // the country whose numbers they were given
	Opening   string            `json:"opening,omitempty"`   // the complaint that started the feedback being collected
}

func (t *turn) careMemo() *Care {
	if t.c.Memo.Care == nil {
		t.c.Memo.Care = &Care{}
	}
	return t.c.Memo.Care
}

// IsEmergency reports whether a message or a pressed button raises an emergency: what
// must reach a person at once, even while the service is down for maintenance.
func IsEmergency(text, action string) bool {
	if name, _, _ := strings.Cut(action, ":"); name == "sos" {
		return true
	}
	if _, ok := ReadEmergency(text); ok {
		return true
	}
	intent, _ := DetectIntent(text)
	return intent == IntentEmergency
}

// care answers, before the message is read for a trip, what belongs to the traveller's
// safety: a question about their case, "I'm safe now", or, during an emergency, where
// they are. It reports whether it answered.
func (t *turn) care(text string) bool {
	if ReadCaseQuery(text) {
		t.res.Intent = "case"
		r := Reply{Kind: ReplyText, Text: CaseStatusText(t.c.Lang, t.in.Case)}
		if t.c.State == StateEmergency {
			r.Choices = t.emergencyChoices()
		}
		t.res.Replies = append(t.res.Replies, r)
		if t.c.State != StateEmergency {
			t.reask()
		}
		return true
	}
	if t.c.State != StateEmergency {
		return false
	}
	if _, ok := ReadEmergency(text); ok {
		return false
	}
	if ReadSafe(text) {
		t.res.Intent = "safe"
		t.safe(text)
		return true
	}
	if p := t.placeNamed(text); p != nil {
		t.res.Intent = "location"
		t.emergencyAt(p, text)
		return true
	}
	return false
}

// emergency answers a traveller in trouble: the conversation goes to the head of the
// agents' queue, a case is opened, and the first reply gives the numbers of the country
// they are in and what to do, with no I/O.
func (t *turn) emergency(text string) {
	c := t.c
	cat, ok := ReadEmergency(text)
	if !ok {
		cat = EmergencyOther
	}
	care := t.careMemo()
	if c.State == StateEmergency {
		near := t.whereabouts(text)
		t.effect(Effect{Kind: EffectEmergency, Text: text, Category: string(cat), Country: t.country()})
		t.helpNear(near)
		if care.Emergency == "" || cat != EmergencyOther && cat != care.Emergency {
			// A new trouble, or the first one named: its own advice.
			care.Emergency = cat
			t.emergencyHelp()
			return
		}
		t.emergencyMore()
		return
	}
	t.interrupt(evEmerg)
	if c.Status != StatusHuman {
		c.Status = StatusWaiting
	}
	c.Priority = EmergencyPriority
	care.Emergency = cat
	near := t.whereabouts(text)
	t.effect(Effect{Kind: EffectEmergency, Text: text, Category: string(cat), Country: t.country()})
	t.helpNear(near)
	t.effect(Effect{Kind: EffectCallHuman})
	if reSelfHarm.MatchString(emergencyNormalize(text)) {
		t.say("emergency_care") // before the numbers: someone is listening
	}
	t.emergencyHelp()
}

// EmergencyPriority is a conversation's priority in the agents' queue during an
// emergency: above every other request.
const EmergencyPriority = 100

// emergencyNote passes on what the traveller adds during an emergency.
func (t *turn) emergencyNote(text string) {
	cat := string(t.careMemo().Emergency)
	t.effect(Effect{Kind: EffectEmergency, Text: text, Category: cat, Country: t.country()})
	t.emergencyMore()
}

// emergencyHelp gives the numbers, the advice for the trouble and the buttons.
func (t *turn) emergencyHelp() {
	care := t.careMemo()
	country := t.country()
	care.Told = country
	text := T(t.c.Lang, "emergency")
	if t.e.EmergencyHelp != nil {
		text = t.e.EmergencyHelp(country, care.Emergency, t.c.Lang)
	}
	t.res.Replies = append(t.res.Replies, Reply{Kind: ReplyText, Text: text, Choices: t.emergencyChoices()})
}

func (t *turn) emergencyMore() {
	r := t.say("emergency_noted")
	r.Choices = t.emergencyChoices()
}

// emergencyChoices offers to share the traveller's location until they have, and the
// way to say they are safe.
func (t *turn) emergencyChoices() []Choice {
	var ch []Choice
	if t.careMemo().Here == nil {
		ch = append(ch, t.choice("btn_share_location", "location"))
	}
	return append(ch, t.choice("btn_safe", "resume"))
}

// emergencyAt notes where the traveller is, shared or typed; a country other than the
// one whose numbers they were given gets the numbers again.
func (t *turn) emergencyAt(p *Place, words string) {
	care := t.careMemo()
	care.Here = p
	if words == "" {
		words = fmt.Sprintf("location: %s (%.5f, %.5f)", p.Name, p.Lat, p.Lon)
	}
	t.effect(Effect{Kind: EffectEmergency, Text: words, Category: string(care.Emergency), Country: p.CountryCode})
	// Hospitals or police near the point come from a geocoder, after the turn.
	t.helpNear(p)
	if p.CountryCode != "" && p.CountryCode != care.Told {
		t.say("emergency_here", p.Name)
		t.emergencyHelp()
		return
	}
	t.emergencyMore()
}

// whereabouts notes the place an emergency's message says the traveller is in ("lost my
// passport in Paris", "我在东京，护照丢了"), so that its numbers are that country's; it
// returns the place, nil for none.
func (t *turn) whereabouts(text string) *Place {
	p := t.placeNamed(text)
	if p != nil {
		t.careMemo().Here = p
	}
	return p
}

// helpNear looks up hospitals or police near p, after the turn (nil: none).
func (t *turn) helpNear(p *Place) {
	if p != nil && (p.Lat != 0 || p.Lon != 0) {
		t.effect(Effect{Kind: EffectNearby, Category: string(t.careMemo().Emergency), Place: p, Lang: t.c.Lang})
	}
}

// placeNamed is the place a message names ("I'm in Lisbon", "东京"), looked up in
// memory; nil when it names none with a country.
func (t *turn) placeNamed(text string) *Place {
	if t.e.Places == nil {
		return nil
	}
	names := []string{strings.TrimSpace(text)}
	ex := Extract(text, t.parseContext())
	for _, n := range []string{ex.Destination, ex.Here} {
		if n != "" {
			names = append([]string{n}, names...)
		}
	}
	// "我在曼谷钱包被偷了": the name after 在 runs into the trouble, with nothing between.
	names = append(names, namesAfterZai(text)...)
	// "I'm in Tokyo and I lost my passport": the words after "in" or "at", longest first.
	names = append(names, namesAfterIn(text)...)
	for _, n := range names {
		if m := t.e.Places.Lookup(n, t.c.Lang); m.Place != nil && m.Place.CountryCode != "" {
			p := *m.Place
			return &p
		}
	}
	return nil
}

// namesAfterIn returns the runs of one to three words after each "in", "at" or "near" of
// text, longest first: "in hong kong and i lost" gives "hong kong and", "hong kong",
// "hong".
func namesAfterIn(text string) []string {
	words := strings.FieldsFunc(asciiLower(text), func(r rune) bool {
		return !(unicode.IsLetter(r) || r == '-' || r == '\'')
	})
	var out []string
	for i, w := range words {
		if w != "in" && w != "at" && w != "near" {
			continue
		}
		for n := min(3, len(words)-i-1); n >= 1; n-- {
			out = append(out, strings.Join(words[i+1:i+1+n], " "))
		}
	}
	return out
}

// namesAfterZai returns what may be a place's name after each 在 of text, longest first:
// "我在罗马护照丢了" gives 罗马护照, 罗马护, 罗马.
func namesAfterZai(text string) []string {
	var out []string
	for rest := text; ; {
		i := strings.Index(rest, "在")
		if i < 0 {
			return out
		}
		rest = rest[i+len("在"):]
		rs := []rune(rest)
		n := 0
		for n < len(rs) && n < 5 && isHan(rs[n]) {
			n++
		}
		for k := n; k >= 2; k-- {
			out = append(out, string(rs[:k]))
		}
	}
}

// country is where the traveller is, as far as the conversation knows without asking:
// the place they shared or named during the emergency, else their trip's destination:
// the chosen plan's once there is one, whatever trip is being talked about since.
func (t *turn) country() string {
	c := t.c
	if care := c.Memo.Care; care != nil && care.Here != nil && care.Here.CountryCode != "" {
		return care.Here.CountryCode
	}
	trips := []*TripRequest{&c.Trip, c.Memo.PlannedTrip}
	if c.Memo.Chosen != "" {
		trips[0], trips[1] = trips[1], trips[0]
	}
	for _, tr := range trips {
		if tr == nil {
			continue
		}
		if tr.Place != nil && tr.Place.CountryCode != "" {
			return tr.Place.CountryCode
		}
		if tr.Destination != "" && t.e.Places != nil {
			if m := t.e.Places.Lookup(tr.Destination, c.Lang); m.Place != nil && m.Place.CountryCode != "" {
				return m.Place.CountryCode
			}
		}
	}
	return ""
}

// safe records that the traveller says they are safe. The conversation stays in the
// agents' queue and the case open: only an agent, who has checked, closes an emergency.
func (t *turn) safe(words string) {
	t.effect(Effect{Kind: EffectSafe, Text: words})
	if care := t.c.Memo.Care; care != nil {
		care.Emergency, care.Here, care.Told = "", nil, ""
	}
	t.resume()
	t.say("safe_noted")
	t.reask()
}

// askLocation answers the share-location button where the channel could not share one:
// "denied" when the traveller or their browser refused (E-202).
func (t *turn) askLocation(arg string) {
	key := "ask_location"
	if arg == "denied" {
		key = "err_location"
	}
	r := t.say(key)
	if t.c.State == StateEmergency {
		r.Choices = []Choice{t.choice("btn_safe", "resume")}
	}
}
