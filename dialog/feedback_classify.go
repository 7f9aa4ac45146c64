package dialog

import "regexp"

// FeedbackCategory is what a piece of feedback is about (seed 001: 对用户的反馈进行分类).
type FeedbackCategory string

// The feedback categories. When a comment is several things at once, the first in this
// order wins: a reported fault is worth fixing before a wish.
const (
	FeedbackBug        FeedbackCategory = "bug"        // something did not work
	FeedbackComplaint  FeedbackCategory = "complaint"  // it worked, badly or slowly, or someone was unhelpful
	FeedbackSuggestion FeedbackCategory = "suggestion" // a wish for something new or different
	FeedbackQuestion   FeedbackCategory = "question"   // the traveller asks something
	FeedbackPraise     FeedbackCategory = "praise"     // thanks and compliments
)

// FeedbackPriority says how soon someone should look at the feedback (seed 001: 优先级排序).
type FeedbackPriority string

// The feedback priorities.
const (
	FeedbackHigh   FeedbackPriority = "high"
	FeedbackNormal FeedbackPriority = "normal"
	FeedbackLow    FeedbackPriority = "low"
)

// FeedbackCategories lists every category, in ClassifyFeedback's order of preference.
var FeedbackCategories = []FeedbackCategory{FeedbackBug, FeedbackComplaint, FeedbackSuggestion, FeedbackQuestion, FeedbackPraise}

var feedbackRules = []struct {
	cat FeedbackCategory
	re  *gatedRegexp
}{
	{FeedbackBug, gated(`报错|出错|错误|崩溃|闪退|打不开|没反应|没有反应|卡住|卡死|不能用|用不了|无法(?:使用|打开|加载|发送|登录)|故障|不显示|显示不出|乱码|发了两遍|重复发|一直转圈|加载不出|没收到|收不到|算错|搞错|弄错|写错|显示错|显示不全|被截断|显示的是昨天|过期的|一直问|反复问|重复问` +
		`|(?:日期|方案|行程|计划|天气|地点|城市|货币|语言)[^，。！？,.!?]{0,8}(?:错了|不对|对不上|错)` +
		`|\bbugs?\b|\bcrash(?:ed|es|ing)?\b|\berrors?\b|\bbroken\b|\bdoesn'?t work\b|\bdidn'?t work\b|\bnot working\b|\bstopped working\b|\bfroze\b|\bfreez(?:es|ing)\b|\bstuck\b` +
		`|\bno response\b|\bnot respond(?:ing)?\b|\bnever (?:replied|answered|arrived|got (?:a|any) (?:reply|answer|response))\b|\bglitch(?:es|y)?\b|\bwon'?t (?:load|open)\b|\bdoesn'?t (?:load|open)\b` +
		`|\bwrong (?:dates?|city|place|weather|currency|day|days|language|prices?|destination)\b|\b(?:dates?|city|currency|weather|days?) (?:are|were|is|was) wrong\b|\bcan'?t (?:log ?in|open|load|click|tap|send)\b|\bsent (?:me )?(?:the same (?:message|thing) )?twice\b|\bsame \w+ twice\b|\bkeeps? (?:asking|saying|sending|repeating)\b|\bagain and again\b|\bover and over\b|\bcut off\b|\btruncated\b`)},
	{FeedbackComplaint, gated(`(?:太|很|有点|好|比较|特别|非常)慢|慢死|垃圾|差劲|太差|很差|失望|不满意|投诉|浪费(?:时间|钱)?|太贵|不好用|难用|没用|没什么用|一点用都没有|不靠谱|不准|敷衍|态度(?:差|不好)|不专业` +
		`|坑|烂|糟糕|气死|离谱|不推荐|不值|后悔|骗|退款|扣费|不方便|不喜欢|不实用|太乱|很乱|乱七八糟|白跑|关门了|没开门|太满|太赶|太累|走不完|不合理|太远|太机械|等了(?:好久|半天|很久|半个小时|一个小时|\d+分钟)` +
		`|\bslow\b|\bterrible\b|\bawful\b|\bhorrible\b|\bworst\b|\buseless\b|\bdisappoint(?:ed|ing)\b|\bwaste of (?:time|money)\b|\bunhelpful\b|\btoo expensive\b|\boverpriced\b|\brude\b` +
		`|\bannoying\b|\bfrustrat(?:ed|ing)\b|\bpoor\b|\bbad\b|\bcomplain(?:t|ts)?\b|\bunacceptable\b|\bridiculous\b|\bunhappy\b|\bdissatisfied\b|\brefund\b|\bscam\b|\bmisleading\b` +
		`|\b(?:was|were) closed\b|\bfar from\b|\btook (?:ages|forever)\b|\btoo (?:far|long|busy|packed|rushed)\b|\bgeneric\b|\bboring\b|\bconfusing\b|\ba mess\b|\bwaited\b|\bnot (?:very |really |that |so |at all )?(?:good|great|helpful|useful|easy|accurate|satisfied|happy|worth)\b|\bno good\b`)},
	{FeedbackSuggestion, gated(`建议|希望(?:能|可以|你们|以后|将来|增加|有)|能不能(?:加|增加|支持|提供|多)|可不可以(?:加|增加|支持)|如果能|要是能|最好(?:能|可以)|应该(?:加|增加|支持|提供)|增加|添加|加个|加一个|多一些|多点|期待` +
		`|\b(?:i|we) suggest\b|\b(?:a|my|one|small) suggestion\b|\bsuggestion:|\blet (?:me|us)\b|让我|\bit would be (?:nice|great|good|better|helpful|cool)\b|\b(?:it'?d|that'?d|would) be (?:nice|great|good|better|helpful|cool)\b|\bi wish\b|\bplease add\b` +
		`|\b(?:could|can|would) you (?:please )?(?:add|include|support|show|make|let)\b|\bshould (?:add|include|support|show|have|let)\b|\bfeature request\b` +
		`|\bwould love (?:to see|if|a|an|more)\b|\badd (?:a|an|more|the option)\b|\boptions? to\b|\bmore options\b|\bhow about\b|\bmaybe (?:add|include|show|let)\b`)},
	{FeedbackQuestion, gated(`怎么|如何|为什么|为啥|是不是|能否|请问|哪里|什么时候|多久|几点|吗$|[?？]$` +
		`|^(?:how|what|why|when|where|which|who|can i|could i|is there|are there|do you|does it|does the|is it|is the|will)\b`)},
	{FeedbackPraise, gated(`好|不错|棒|喜欢|谢|满意|赞|方便|贴心|专业|完美|给力|靠谱|厉害|推荐|实用|有用|开心` +
		`|\bgreat\b|\bgood\b|\blove[ds]?\b|\bthanks?\b|\bthank you\b|\bhelpful\b|\bawesome\b|\bamazing\b|\bperfect\b|\bexcellent\b|\bnice\b|\buseful\b|\beasy\b` +
		`|\bfantastic\b|\bwonderful\b|\bbrilliant\b|\bimpress(?:ed|ive)\b|\bwow\b|\bwell done\b|\bspot on\b|\bsatisfied\b|\bhappy\b|\bquick\b|\bsaved\b`)},
}

var (
	// feedbackNotBad is praise in the words of a complaint.
	feedbackNotBad = regexp.MustCompile(`\bnot (?:too |that |so )?bad\b|不差|没毛病|还不错`)
	// feedbackSevere marks feedback that touches money, safety or data, or that says the
	// service cannot be used at all: high priority whatever the rating.
	feedbackSevere = gated(`退款|扣费|扣钱|骗|危险|不安全|隐私|个人信息|泄露|再也不用|最差|最烂|完全用不了|根本用不了|完全不能用` +
		`|\brefund\b|\bscam\b|\bunsafe\b|\bdangerous\b|\bprivacy\b|\bpersonal data\b|\bleak(?:ed|s)?\b|\bnever again\b|\bworst\b` +
		`|\blost (?:all )?my (?:plans?|data|messages)\b|\bcan'?t use (?:it|the app|the bot|this) at all\b`)
)

// ClassifyFeedback sorts a rating (1-5, 0 when none was given) and its comment into a
// category and a priority, the same way every time, in Chinese and English:
//   - the comment decides the category (bug, complaint, suggestion, question, praise,
//     the first that applies); without a comment the rating does: 4-5 praise, 3 a
//     suggestion (there is room to do better), 1-2 a complaint; a comment that fits
//     none and has no rating counts as a question, so that a person reads it;
//   - a bug or a complaint with a low rating (1-2), or one about money, safety, data or a
//     service that cannot be used at all, is high; other bugs, complaints and questions
//     are normal; suggestions and praise are low, unless the rating is low (normal).
func ClassifyFeedback(rating int, comment string) (FeedbackCategory, FeedbackPriority) {
	s := emergencyNormalize(comment)
	low := rating >= 1 && rating <= 2
	cat := feedbackCategory(rating, s)
	switch cat {
	case FeedbackBug, FeedbackComplaint:
		if s != "" && (low || feedbackSevere.any(s, anyMatch)) {
			return cat, FeedbackHigh
		}
		return cat, FeedbackNormal
	case FeedbackQuestion:
		return cat, FeedbackNormal
	default:
		if low {
			return cat, FeedbackNormal
		}
		return cat, FeedbackLow
	}
}

func anyMatch(int, int) bool { return true }

func feedbackCategory(rating int, s string) FeedbackCategory {
	if s != "" {
		masked := feedbackNotBad.ReplaceAllString(s, " fine ")
		for _, r := range feedbackRules {
			text := s
			if r.cat == FeedbackComplaint {
				text = masked
			}
			if r.re.any(text, anyMatch) {
				return r.cat
			}
		}
	}
	switch {
	case rating >= 4:
		return FeedbackPraise
	case rating == 3:
		return FeedbackSuggestion
	case rating >= 1:
		return FeedbackComplaint
	}
	return FeedbackQuestion
}
