package dialog

import (
	"regexp"
	"strings"
)

// Case states, as the store keeps them.
const (
	CaseOpen         = "open"
	CaseAcknowledged = "acknowledged"
	CaseInProgress   = "in_progress"
	CaseResolved     = "resolved"
)

// CaseView is what a traveller may know about their case: the bot fills it from the
// store and the dialog words it.
type CaseView struct {
	Number   int64
	Kind     string // "emergency" or "human"
	Status   string // CaseOpen ... CaseResolved
	Agent    string // who holds it; "" while nobody does
	LastNote string // the agent's last note, else the last word on it
	Safe     bool   // the traveller said they are safe
}

// CaseStatusText answers "/case" and its equivalents: the case's status, who has it and
// the last note; nil means the traveller has no case.
func CaseStatusText(lang string, v *CaseView) string {
	if v == nil {
		return T(lang, "case_none")
	}
	kind := T(lang, "case_kind_human")
	if v.Kind == "emergency" {
		kind = T(lang, "case_kind_emergency")
	}
	var state string
	switch v.Status {
	case CaseAcknowledged:
		state = T(lang, "case_acknowledged_nn")
		if v.Agent != "" {
			state = T(lang, "case_acknowledged", v.Agent)
		}
	case CaseInProgress:
		state = T(lang, "case_in_progress", agentName(lang, v.Agent))
	case CaseResolved:
		state = T(lang, "case_resolved")
	default:
		state = T(lang, "case_open")
	}
	lines := []string{T(lang, "case_status_line", kind, v.Number, state)}
	if v.LastNote != "" {
		lines = append(lines, T(lang, "case_last_note", v.LastNote))
	}
	if v.Safe && v.Status != CaseResolved {
		lines = append(lines, T(lang, "case_safe_noted"))
	}
	return strings.Join(lines, "\n")
}

// CaseEvent is a change to a case that the traveller is told about.
type CaseEvent string

// The case events.
const (
	CaseEvAcknowledged CaseEvent = "acknowledged"
	CaseEvAssigned     CaseEvent = "assigned"
	CaseEvNote         CaseEvent = "note"
	CaseEvResolved     CaseEvent = "resolved"
	CaseEvSafe         CaseEvent = "safe" // the traveller said they are safe
)

// CaseUpdateText tells the traveller what changed on their case; note is the agent's
// words for CaseEvNote and CaseEvResolved ("" for none).
func CaseUpdateText(lang string, ev CaseEvent, v CaseView, note string) string {
	agent := agentName(lang, v.Agent)
	switch ev {
	case CaseEvAcknowledged, CaseEvAssigned, CaseEvNote:
		return T(lang, "case_ev_"+string(ev), agent, v.Number, note)
	case CaseEvResolved:
		s := T(lang, "case_ev_resolved", agent, v.Number)
		if note != "" {
			s += "\n" + T(lang, "case_last_note", note)
		}
		return s
	case CaseEvSafe:
		return T(lang, "case_ev_safe", v.Number)
	}
	return CaseStatusText(lang, &v)
}

func agentName(lang, name string) string {
	if name == "" {
		return T(lang, "case_agent_default")
	}
	return name
}

var reCaseQuery = regexp.MustCompile(`^/case\b|求助(?:的)?(?:进度|进展|状态|怎么样了?|处理得怎么样|有(?:什么)?进展)|(?:我的)?(?:求助|工单|案件|报案)(?:进度|进展|状态)|有人(?:在)?(?:处理|管|看)(?:我的)?(?:求助|问题|事)吗|客服(?:来了|到了|处理了)吗` +
	`|\b(?:any )?(?:news|update|updates|progress|word) (?:on|about|of|for|with) (?:my|our) (?:case|request|emergency|ticket|report)\b|\b(?:status|progress) of (?:my|our) (?:case|request|emergency|ticket)\b` +
	`|\bmy (?:case|ticket)(?:'s)? (?:status|progress)\b|\bcase (?:status|number)\b|\bwhat'?s happening with (?:my|our) (?:case|request|emergency)\b|\b(?:has|is) (?:anyone|someone|anybody) (?:picked up|looking at|seen|handling|dealing with) (?:my|our) (?:case|request|message|emergency)\b` +
	`|\bwhere is my (?:case|request)\b|\bis (?:my|our) (?:case|request) (?:being handled|open|resolved|closed)\b`)

// ReadCaseQuery reports whether text asks about the traveller's case ("/case", "我的求助
// 进度", "any news on my case?"). "Any news?" alone asks about the plan, not a case.
func ReadCaseQuery(text string) bool {
	s := emergencyNormalize(text)
	for _, w := range caseQueryWords {
		if strings.Contains(s, w) {
			return reCaseQuery.MatchString(s)
		}
	}
	return false
}

// caseQueryWords are the words every question about a case contains: the rule runs on
// every message, and most messages have none of them.
var caseQueryWords = []string{"case", "request", "emergency", "ticket", "report", "message", "求助", "工单", "案件", "报案", "有人", "客服"}

var (
	reSafe = regexp.MustCompile(`\b(?:i'?m|we'?re|i am|we are|everyone is|everybody is|all|he'?s|she'?s|they'?re) (?:now )?(?:safe|out of danger)\b|\bfalse alarm\b|\bfound (?:him|her|them|my (?:son|daughter|child|kid|kids|wife|husband|mother|mum|mom|father|dad|friend|partner|passport))\b` +
		`|(?:我|我们|孩子|他|她|大家)(?:现在)?(?:已经)?(?:没事了|安全了|脱险了|平安了?)|虚惊一场|(?:孩子|人|护照)?找到了|误报`)
	// reSafeShort is "I'm OK" and the like, which count only as the whole message: "I'm
	// fine with either hotel" is not news about an emergency.
	reSafeShort = regexp.MustCompile(`^(?:i'?m|we'?re|i am|we are)\s+(?:ok|okay|fine|alright|all right|good)(?:\s+now)?[.! ]*$|^(?:没事了?|没事儿|好了|我没事了?)[。!！ ]*$`)
)

// ReadSafe reports whether the traveller says the emergency is over ("I'm safe now",
// "我没事了", "found my son"). The case stays open: it tells the agent, who resolves it.
func ReadSafe(text string) bool {
	s := emergencyNormalize(text)
	return reSafe.MatchString(s) || reSafeShort.MatchString(s)
}

// EventCaseUpdate says an agent changed the traveller's case: Inbound.CaseEvent is the
// change, Inbound.Case the case after it and Inbound.Text the agent's note.
const EventCaseUpdate EventKind = "case_update"

// caseUpdate tells the traveller what an agent did about their case. Once it is
// resolved the conversation leaves the agents' queue (unless an agent holds it) and an
// emergency in progress is over: the trip carries on where it was.
func (t *turn) caseUpdate() {
	c, in := t.c, t.in
	if in.Case == nil {
		return
	}
	r := Reply{Kind: ReplyText, Text: CaseUpdateText(c.Lang, in.CaseEvent, *in.Case, in.Text)}
	if c.State == StateEmergency && in.CaseEvent != CaseEvResolved {
		r.Choices = t.emergencyChoices()
	}
	t.res.Replies = append(t.res.Replies, r)
	if in.CaseEvent != CaseEvResolved {
		return
	}
	if c.Status == StatusWaiting {
		c.Status, c.Priority = StatusBot, 0
	}
	if c.State == StateEmergency || c.State == StateHuman && c.Status != StatusHuman {
		if care := c.Memo.Care; care != nil {
			care.Emergency, care.Here, care.Told = "", nil, ""
		}
		t.resume()
		t.reask()
		t.remember()
	}
}
