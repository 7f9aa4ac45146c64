package llm

import (
	"context"
	"errors"
	"net/http"
	"testing"
	stdtime "time"

	openai "github.com/sashabaranov/go-openai"

	"xingqu/dialog"
)

func TestChineseNumbers(t *testing.T) {
	for in, want := range map[string]float64{"五": 5, "十五": 15, "二十五": 25, "两千": 2000, "三千五": 3500, "一千零五": 1005, "一万": 10000, "三万五": 35000, "两": 2} {
		if got, ok := chineseNumber(in); !ok || got != want {
			t.Errorf("chineseNumber(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	nums := numbersIn(foldText("预算3千5，或者2k，或者１２００元, 10月25日"))
	for _, want := range []float64{3500, 2000, 1200, 10, 25} {
		if !slicesContain(nums, want) {
			t.Errorf("numbersIn: %v lacks %v", nums, want)
		}
	}
}

func TestGround(t *testing.T) {
	d := func(y int, m int, day int) *dialog.Date { v := dialog.NewDate(y, stdtime.Month(m), day); return &v }
	names := func(n string) []string {
		if n == "Fuzhou" || n == "福州" {
			return []string{"福州", "Fuzhou"}
		}
		return nil
	}
	type want struct{ dest, start, end, budget, party bool }
	for _, tc := range []struct {
		name, text string
		f          Fields
		want       want
	}{
		{"zh nothing said", "帮我安排一下吧，随便哪里都行",
			Fields{Destination: ptr("三亚"), StartDate: d(2025, 10, 20), EndDate: d(2025, 10, 23), Budget: ptr(5000.0), PartySize: ptr(2)}, want{}},
		{"zh all said", "下周五去厦门，三个人，预算两千，玩五天",
			Fields{Destination: ptr("厦门"), StartDate: d(2025, 10, 31), EndDate: d(2025, 11, 4), Budget: ptr(2000.0), PartySize: ptr(3)}, want{true, true, true, true, true}},
		{"zh total over people", "我们4个人一共8000块，十月二十五号出发",
			Fields{StartDate: d(2025, 10, 25), Budget: ptr(2000.0), PartySize: ptr(4)}, want{false, true, false, true, true}},
		{"en nothing said", "somewhere warm with my wife, cheap please",
			Fields{Destination: ptr("Bali"), StartDate: d(2025, 10, 20), Budget: ptr(800.0), PartySize: ptr(2)}, want{}},
		{"en dates said", "Lisbon from Nov 3 to Nov 7, about $1.2k each",
			Fields{Destination: ptr("lisbon"), StartDate: d(2025, 11, 3), EndDate: d(2025, 11, 7), Budget: ptr(1200.0)}, want{true, true, true, true, false}},
		{"en other name of the place", "fly me to 福州 next weekend",
			Fields{Destination: ptr("Fuzhou"), StartDate: d(2025, 10, 25), EndDate: d(2025, 10, 26)}, want{true, true, true, false, false}},
		{"invented end", "going to Kyoto on the 5th",
			Fields{Destination: ptr("Kyoto"), StartDate: d(2025, 11, 5), EndDate: d(2025, 11, 9)}, want{true, true, false, false, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			ground(&f, tc.text, names)
			got := want{f.Destination != nil, f.StartDate != nil, f.EndDate != nil, f.Budget != nil, f.PartySize != nil}
			if got != tc.want {
				t.Errorf("kept %+v, want %+v", got, tc.want)
			}
		})
	}
}

// An answer shaped like a plan is not an extraction: LLM-102, and nothing of it is used.
func TestExtractRefusesAPlanShapedAnswer(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int, _ openai.ChatCompletionRequest) {
		writeCompletion(w, string(readTestdata(t, "plan_content.json")))
	})
	c := newTestChain(t, Config{Providers: []ProviderConfig{f.config("a")}})
	got, err := c.Extract(context.Background(), "that old capital with all the temples", "en", testNow)
	if !errors.Is(err, ErrInvalidExtraction) || got.Destination != nil || got.StartDate != nil {
		t.Fatalf("Extract = %+v, %v; want nothing and ErrInvalidExtraction", got, err)
	}
	if h := c.Health()[0]; h.Errors[CodeMalformed] != 1 {
		t.Errorf("errors = %v, want one LLM-102", h.Errors)
	}
}
