package dialog

import "strings"

// Self-corrections inside one message ("去杭州，不对，去苏州", "Rome, actually
// Florence"): the message is read on both sides of the last correction word, and what the
// second part says wins over what the first said.

var selfCorrectionMarks = []string{
	"不对不对", "不对", "哦不", "噢不", "说错了", "写错了", "搞错了", "算了还是", "算了", "不，", "不,", "，不", ",不", "呃不", "嗯…还是", "嗯...还是", "还是改成", "改成",
	"no wait", "wait no", "wait, no", "scratch that", "sorry i mean", "sorry, i mean", "sorry i meant", "i mean", "i meant", "oops", "correction:", "correction",
	"make that", "no make that", "actually", "hmm actually", "sorry", ", no ", ", no, ", " - no,", "- no", ". wait no", "wait no",
}

// lastCorrection returns where the last correction word starts and ends, or -1.
func lastCorrection(low string) (int, int) {
	best, bestEnd := -1, -1
	// Most messages hold no correction word at all: one pass over a few stems says so.
	if !has(low, "不", "错", "算了", "还是", "改成", "no", "wait", "scratch", "mean", "oops", "correction", "make that", "actually", "sorry", "呃", "嗯") {
		return best, bestEnd
	}
	// "不是20号，是21号", "不是5天 是4天": what follows the 是 replaces what was denied.
	// (A place denied, 不是福州，是厦门, is read by the destination's own correction.)
	if strings.HasPrefix(low, "不是") && strings.ContainsAny(low, "0123456789一二两三四五六七八九十") {
		for _, w := range []string{"，而是", ",而是", "，是", ",是", " 是"} {
			if i := strings.Index(low, w); i > 0 {
				return i, i + len(w)
			}
		}
	}
	for _, w := range selfCorrectionMarks {
		i := strings.LastIndex(low, w)
		if i < 0 {
			continue
		}
		j := i + len(w)
		if isASCIILetter(w[0]) && (i > 0 && wordByte(low[i-1]) || j < len(low) && wordByte(low[j])) {
			continue
		}
		// "，不，去苏州" corrects; "，不要三亚", "，不吃辣" say what is not wanted.
		if (w == "，不" || w == ",不") && j < len(low) && !strings.ContainsAny(low[j:j+1], " ,.!，。！") && !strings.HasPrefix(low[j:], "是") && !strings.HasPrefix(low[j:], "对") &&
			!strings.HasPrefix(low[j:], "，") && !strings.HasPrefix(low[j:], "。") && !strings.HasPrefix(low[j:], "！") {
			continue
		}
		// ", no special needs" is an answer; ", no 6" corrects a figure.
		if strings.HasPrefix(w, ", no") && (j >= len(low) || !isDigit(low[skipSpace(low, j)%len(low)])) {
			continue
		}
		if i > best || i == best && j > bestEnd {
			best, bestEnd = i, j
		}
	}
	return best, bestEnd
}

// extractCorrected reads a message with a self-correction in it; ok is false when the
// two sides do not say the same slot twice, and the message is read whole instead.
func extractCorrected(text string, c ParseContext) (Extraction, bool) {
	n := normalizeText(text)
	low := asciiLower(n)
	i, j := lastCorrection(low)
	if i <= 0 || j >= len(low) {
		return Extraction{}, false
	}
	first := Extract(n[:i], withoutCorrections(c))
	second := Extract(n[j:], withoutCorrections(c))
	// "1500 usd, sorry euros": a currency alone corrects the figure's currency.
	if second.Budget == nil && first.Budget != nil {
		if cur := currencyWord(asciiLower(n[j:])); cur != "" {
			b := *first.Budget
			b.Currency = cur
			second.Budget = &b
		}
	}
	// "5 days, no 6", "3 of us, actually 4": a bare figure corrects the same slot.
	if bare := bareFigure(n[j:]); !second.fills() && isNumber(bare) {
		v := atoiWord(bare)
		switch {
		case first.Days > 0 && first.Start == nil:
			second.Days = v
		case first.PartySize > 0:
			second.PartySize = v
		}
	}
	if !conflicts(first, second) {
		return Extraction{}, false
	}
	out := first
	over := func(set bool, f func()) {
		if set {
			f()
		}
	}
	over(second.Destination != "" || second.ProposedDestination != "", func() {
		out.Destination, out.ProposedDestination, out.Misspelt, out.PlaceOptions = second.Destination, second.ProposedDestination, second.Misspelt, nil
	})
	if second.Destination != "" && len(first.PlaceOptions) > 0 {
		out.PlaceOptions = nil
	}
	over(second.Start != nil || second.End != nil, func() { out.Start, out.End = second.Start, second.End })
	over(second.Days > 0, func() {
		out.Days = second.Days
		if out.Start != nil && second.End == nil {
			e := out.Start.AddDays(second.Days - 1)
			out.End = &e
		}
	})
	over(second.Budget != nil, func() { out.Budget = second.Budget })
	over(second.PartySize > 0, func() { out.PartySize = second.PartySize })
	over(second.Accessibility != nil, func() { out.Accessibility = second.Accessibility })
	over(second.KidFriendly != nil, func() { out.KidFriendly = second.KidFriendly })
	over(second.PetFriendly != nil, func() { out.PetFriendly = second.PetFriendly })
	over(second.NaturalLandscape != "", func() { out.NaturalLandscape = second.NaturalLandscape })
	over(second.SocialLandscape != "", func() { out.SocialLandscape = second.SocialLandscape })
	over(second.Cuisine != "", func() { out.Cuisine = second.Cuisine })
	out.DateProblem = second.DateProblem
	if out.Start != nil || out.Days > 0 {
		out.DateProblem = ""
	}
	out.SelfCorrected = true
	out.Correction = true
	return out, true
}

// bareFigure is what is left of a correction once the words around a figure are set
// aside: "是3个" and "4个人吧" are 3 and 4 of the same thing as before.
func bareFigure(s string) string {
	s = strings.Trim(strings.TrimSpace(convertChineseNumerals(s)), " ,.!?吧啦了")
	for _, w := range []string{"是", "就", "要", "应该是", "其实是"} {
		s = strings.TrimPrefix(s, w)
	}
	for _, w := range []string{"个人", "个", "位", "人", "口"} {
		if t := strings.TrimSuffix(s, w); t != s && isNumber(strings.TrimSpace(t)) {
			return strings.TrimSpace(t)
		}
	}
	return strings.TrimSpace(s)
}

func withoutCorrections(c ParseContext) ParseContext { c.noSplit = true; return c }

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	if atoiWord(s) > 0 {
		return true
	}
	return false
}

func currencyWord(s string) string {
	for _, w := range strings.Fields(s) {
		if c, ok := currencies[strings.Trim(w, ".,!")]; ok {
			return c
		}
	}
	for _, w := range []string{"美元", "欧元", "英镑", "日元", "人民币", "港币"} {
		if strings.Contains(s, w) {
			return currencies[w]
		}
	}
	return ""
}

// conflicts reports whether both parts set one slot: only then is the second a correction.
func conflicts(a, b Extraction) bool {
	return (a.Destination != "" || a.ProposedDestination != "" || len(a.PlaceOptions) > 0) && (b.Destination != "" || b.ProposedDestination != "") ||
		(a.Start != nil || a.End != nil) && (b.Start != nil || b.End != nil) ||
		a.Days > 0 && b.Days > 0 ||
		a.Budget != nil && b.Budget != nil ||
		a.PartySize > 0 && b.PartySize > 0
}
