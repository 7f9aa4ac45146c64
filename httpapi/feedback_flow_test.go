package httpapi

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"xingqu/pipeline"
	"xingqu/store"
)

// A complaint said in passing starts feedback with its words kept; the rating and
// comment that follow complete the same item, classified with its priority; the report
// lists it among the open high-priority items; a person's reply reaches the traveller.
func TestComplaintBecomesClassifiedFeedback(t *testing.T) {
	t.Parallel()
	e, admin, agent := noticeEnv(t)
	ctx := context.Background()
	p := e.pipe
	n := 0
	send := func(who string, in pipeline.Inbound) int64 {
		t.Helper()
		n++
		in.Channel, in.ExternalID, in.InboundID, in.LangHint = "web", who, fmt.Sprint("f", n), "en"
		convID, _, err := p.Handle(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return convID
	}
	convID := send("ana", pipeline.Inbound{Text: "I want to go to Paris"})
	send("ana", pipeline.Inbound{Text: "this bot is useless and so slow"})
	if told := lastBotWords(t, e.db, convID); !strings.Contains(told, "passed your words on") {
		t.Errorf("complaint answered %q", told)
	}
	send("ana", pipeline.Inbound{Action: "rate:1"})
	send("ana", pipeline.Inbound{Text: "it asked me the dates three times"})

	// A second traveller complains and leaves without rating: the complaint is kept.
	other := send("bo", pipeline.Inbound{Text: "你们的服务太差了，浪费时间"})
	send("bo", pipeline.Inbound{Text: "/new"})

	var rep store.FeedbackReport
	if code := e.do("GET", "/api/admin/feedback", admin, nil, &rep); code != 200 {
		t.Fatalf("report: %d", code)
	}
	if rep.Total != 2 {
		t.Fatalf("report total %d, want 2 (one item per complaint): %+v", rep.Total, rep.Items)
	}
	byConv := map[int64]store.FeedbackItem{}
	for _, it := range rep.Items {
		byConv[it.ConversationID] = it
	}
	ana := byConv[convID]
	if ana.Opening != "this bot is useless and so slow" || ana.Comment != "it asked me the dates three times" ||
		ana.Rating == nil || *ana.Rating != 1 || ana.Priority != "high" || (ana.Category != "complaint" && ana.Category != "bug") {
		t.Errorf("ana's feedback %+v", ana)
	}
	bo := byConv[other]
	if bo.Opening != "你们的服务太差了，浪费时间" || bo.Category != "complaint" || bo.Rating != nil {
		t.Errorf("bo's feedback %+v", bo)
	}
	found := false
	for _, it := range rep.OpenHigh {
		found = found || it.ID == ana.ID
	}
	if !found {
		t.Errorf("ana's low rating with a complaint is not among the open high-priority items: %+v", rep.OpenHigh)
	}

	var handled store.FeedbackItem
	if code := e.do("POST", fmt.Sprintf("/api/admin/feedback/%d/handle", ana.ID), agent, map[string]string{"reply": "Fixed: dates are asked once now."}, &handled); code != 200 || handled.Status != "handled" {
		t.Fatalf("handle: %d %+v", code, handled)
	}
	if told := lastBotWords(t, e.db, convID); !strings.Contains(told, "Fixed: dates are asked once now.") || !strings.Contains(told, "this bot is useless") {
		t.Errorf("the reply the traveller got: %q", told)
	}
	if code := e.do("POST", fmt.Sprintf("/api/admin/feedback/%d/handle", ana.ID), admin, map[string]string{"reply": "again"}, nil); code != 409 {
		t.Errorf("handled twice: %d, want 409", code)
	}
	if code := e.do("POST", fmt.Sprintf("/api/admin/feedback/%d/handle", ana.ID), "", map[string]string{"reply": "x"}, nil); code != 401 {
		t.Errorf("without a token: %d, want 401", code)
	}
}
