package dialog

import (
	"strings"
	"testing"
)

func TestReadCaseQuery(t *testing.T) {
	for _, text := range []string{
		"/case", "/case@xingqu_bot", "我的求助进度", "求助进度怎么样", "我的求助有进展吗", "求助处理得怎么样了", "有人处理我的求助吗",
		"工单状态", "any news on my case?", "Any update on my request?", "what's the status of my case", "what's happening with my case?",
		"has anyone picked up my case?", "is my case being handled?", "progress on our emergency?", "my case status",
	} {
		if !ReadCaseQuery(text) {
			t.Errorf("not read as a case query: %q", text)
		}
	}
	for _, text := range []string{
		"any news", "any news?", "is my plan ready", "进度", "in case of rain", "a phone case", "my suitcase is heavy",
		"the case for visiting Kyoto in winter", "求助", "/sos", "I need help", "what's the weather", "showcase of local crafts",
	} {
		if ReadCaseQuery(text) {
			t.Errorf("read as a case query: %q", text)
		}
	}
}

// "/case" answers at each step of a case, in both languages, and "I'm safe now" leaves
// it open.
func TestCaseStatusTextAtEachStep(t *testing.T) {
	v := CaseView{Number: 42, Kind: "emergency", Status: CaseOpen, LastNote: "I was hit by a car"}
	steps := []struct {
		change func()
		zh, en []string
		notZH  []string
	}{
		{func() {}, []string{"紧急求助", "#42", "等待接手", "I was hit by a car"}, []string{"emergency", "#42", "alerted"}, nil},
		{func() { v.Status, v.Agent = CaseAcknowledged, "mei" }, []string{"mei 已收到"}, []string{"mei has seen it"}, nil},
		{func() { v.LastNote = "救护车已出发" }, []string{"最新进展：救护车已出发"}, []string{"Latest: 救护车已出发"}, nil},
		{func() { v.Safe = true }, []string{"安全", "确认后会结案"}, []string{"you are safe", "close the case"}, []string{"已解决"}},
		{func() { v.Status, v.Agent = CaseInProgress, "li" }, []string{"li 正在处理"}, []string{"li is working on it"}, nil},
		{func() { v.Status = CaseResolved }, []string{"已解决"}, []string{"resolved"}, []string{"确认后会结案"}},
	}
	for i, s := range steps {
		s.change()
		zh, en := CaseStatusText(LangZH, &v), CaseStatusText(LangEN, &v)
		for _, w := range s.zh {
			if !strings.Contains(zh, w) {
				t.Errorf("step %d zh lacks %q: %s", i, w, zh)
			}
		}
		for _, w := range s.en {
			if !strings.Contains(en, w) {
				t.Errorf("step %d en lacks %q: %s", i, w, en)
			}
		}
		for _, w := range s.notZH {
			if strings.Contains(zh, w) {
				t.Errorf("step %d zh has %q: %s", i, w, zh)
			}
		}
	}
	if got := CaseStatusText(LangEN, nil); !strings.Contains(got, "no open request") {
		t.Errorf("no case: %q", got)
	}
}

func TestCaseUpdateText(t *testing.T) {
	v := CaseView{Number: 7, Agent: "mei"}
	for _, c := range []struct {
		ev     CaseEvent
		note   string
		zh, en string
	}{
		{CaseEvAcknowledged, "", "客服 mei 已经接手你的求助（#7）", "mei has picked up your case (#7)"},
		{CaseEvAssigned, "", "现在由客服 mei 处理", "Your case (#7) is now with mei."},
		{CaseEvNote, "警察已到", "客服 mei 更新了你的求助（#7）：警察已到", "Update on your case (#7) from mei: 警察已到"},
		{CaseEvResolved, "all sorted", "已由客服 mei 结案", "mei has closed your case (#7)"},
		{CaseEvSafe, "", "（#7）会由客服确认后结案", "close your case (#7) once"},
	} {
		zh, en := CaseUpdateText(LangZH, c.ev, v, c.note), CaseUpdateText(LangEN, c.ev, v, c.note)
		if !strings.Contains(zh, c.zh) || !strings.Contains(en, c.en) || strings.Contains(zh+en, "%!") {
			t.Errorf("%s:\n zh %q\n en %q", c.ev, zh, en)
		}
	}
	if got := CaseUpdateText(LangEN, CaseEvResolved, v, "all sorted"); !strings.Contains(got, "Latest: all sorted") {
		t.Errorf("resolved with a note: %q", got)
	}
	if got := CaseUpdateText(LangEN, CaseEvAcknowledged, CaseView{Number: 1}, ""); !strings.HasPrefix(got, "An agent has picked up") {
		t.Errorf("nobody named: %q", got)
	}
}

func TestReadSafe(t *testing.T) {
	for _, text := range []string{"I'm safe now", "we're safe", "Everyone is safe!", "false alarm, sorry", "found my son", "I'm OK now",
		"i'm fine", "我没事了", "我们安全了", "孩子找到了", "虚惊一场", "没事了", "she's out of danger"} {
		if !ReadSafe(text) {
			t.Errorf("not read as safe: %q", text)
		}
	}
	for _, text := range []string{"I'm fine with either hotel", "is it safe to swim?", "a safe neighbourhood please", "没事的时候想去逛街",
		"I'm OK with a longer flight", "safe travels!", "I found my hotel on the map", "I'm lost"} {
		if ReadSafe(text) {
			t.Errorf("read as safe: %q", text)
		}
	}
}
