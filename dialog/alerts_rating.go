package dialog

import (
	"regexp"
	"strconv"
	"strings"
)

// Weather warnings switched off and on in chat, and the rating asked after a plan is
// delivered or chosen and after an agent hands the conversation back.

// Effects of the weather warnings command: the caller records the traveller's choice.
const (
	EffectAlertsOn  EffectKind = "alerts_on"
	EffectAlertsOff EffectKind = "alerts_off"
)

var (
	reAlertsOff = regexp.MustCompile(`^(?:/alerts(?:@[a-z0-9_]+)?\s+off|(?:关闭|关掉|停止|取消|不要|别发|不用)(?:了)?(?:天气)?(?:预警|提醒|警报|通知)(?:了)?|(?:关闭|关掉|停止|取消|不要|别发|不用)天气(?:预警|提醒|警报|通知)?|(?:turn|switch)\s+off\s+(?:the\s+)?weather\s+(?:alerts|warnings)|(?:stop|no\s+more|disable)\s+(?:the\s+)?weather\s+(?:alerts|warnings)|weather\s+(?:alerts|warnings)\s+off)$`)
	reAlertsOn  = regexp.MustCompile(`^(?:/alerts(?:@[a-z0-9_]+)?\s+on|(?:开启|打开|恢复|重新开启)(?:天气)?(?:预警|提醒|警报)|(?:turn|switch)\s+on\s+(?:the\s+)?weather\s+(?:alerts|warnings)|(?:enable|resume)\s+(?:the\s+)?weather\s+(?:alerts|warnings)|weather\s+(?:alerts|warnings)\s+on)$`)
	reAlertsAsk = regexp.MustCompile(`^(?:/alerts(?:@[a-z0-9_]+)?|天气预警|天气提醒|weather alerts|weather warnings)$`)
)

// alertsCommand switches the traveller's weather warnings off or on; it reports whether
// the message was such a command.
func (t *turn) alertsCommand(text string) bool {
	core := strings.Trim(strings.TrimSpace(asciiLower(normalizeText(text))), " .,!?;:~…\"'。！？")
	var key string
	switch {
	case reAlertsOff.MatchString(core):
		t.effect(Effect{Kind: EffectAlertsOff})
		key = "alerts_off"
	case reAlertsOn.MatchString(core):
		t.effect(Effect{Kind: EffectAlertsOn})
		key = "alerts_on"
	case reAlertsAsk.MatchString(core):
		key = "alerts_how"
	default:
		return false
	}
	t.res.Intent = "alerts"
	t.say(key)
	if t.c.State != StateEmergency {
		t.reask()
	}
	return true
}

// promptRating asks for a 1-5 rating, at most once a day in the conversation (the
// traveller's current one) and never during an emergency: the traveller may ignore it.
func (t *turn) promptRating() {
	c := t.c
	today := DateOf(t.now).String()
	if c.State == StateEmergency || c.State == StateFeedback || c.Priority >= EmergencyPriority || c.Memo.RatingAskedOn == today {
		return
	}
	if care := c.Memo.Care; care != nil && care.Emergency != "" {
		return
	}
	c.Memo.RatingAskedOn = today
	r := t.say("rating_prompt")
	for i := 5; i >= 1; i-- {
		r.Choices = append(r.Choices, Choice{Label: strings.Repeat("⭐", i), Action: "rate:" + strconv.Itoa(i)})
	}
}

func init() {
	for k, v := range map[string][2]string{
		"alerts_off":    {"好的，已关闭天气预警。想重新开启时说「开启天气预警」或发送 /alerts on。", "Done — weather warnings are off. Say \"turn on weather alerts\" or send /alerts on to get them again."},
		"alerts_on":     {"好的，已开启天气预警：出发前5天内和旅途中，如遇恶劣天气我会提醒你。", "Done — weather warnings are on: I'll warn you about severe weather from 5 days before your trip until it ends."},
		"alerts_how":    {"天气预警默认开启。发送 /alerts off 或说「关闭天气预警」即可关闭，/alerts on 重新开启。", "Weather warnings are on unless you turn them off: send /alerts off (or say \"turn off weather alerts\"), and /alerts on to turn them back on."},
		"rating_prompt": {"顺便问一下：到目前为止你对行趣满意吗？点星星打个分（1-5），不想打分可以直接继续。", "By the way, how are we doing so far? Tap 1-5 stars — or just carry on."},
	} {
		catalogue[k] = v
	}
}
