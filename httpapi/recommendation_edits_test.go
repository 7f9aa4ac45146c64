package httpapi

import (
	"strings"
	"testing"
)

// The recommendations API takes the same edits in words: each answers with the new
// version in the recommendation's shape and what changed, GET returns the latest, an
// edit that cannot be made is E-808 with the plan unchanged, and another caller's plan
// cannot be edited.
func TestRecommendationEdits(t *testing.T) {
	t.Parallel()
	s, ts := recommendServer(t)
	tok := widgetToken(t, s, "api-edits")
	code, body := call(t, "POST", ts.URL+"/api/recommendations", tok, seedRequest)
	if code != 200 {
		t.Fatalf("create: %d %v", code, body)
	}
	id := body["metadata"].(map[string]any)["requestId"].(string)
	edits := ts.URL + "/api/recommendations/" + id + "/edits"

	code, body = call(t, "POST", edits, tok, `{"text":"第二天换成博物馆"}`)
	if code != 200 || body["version"] != 2.0 || !strings.Contains(body["changes"].(string), "第2天：") {
		t.Fatalf("edit: %d version %v changes %v", code, body["version"], body["changes"])
	}
	data := body["data"].([]any)
	if len(data) != 3 {
		t.Fatalf("%d options, want 3", len(data))
	}
	for _, o := range data {
		days := o.(map[string]any)["days"].([]any)
		if days[1].(map[string]any)["morning"] != "博物馆" || days[0].(map[string]any)["morning"] == "博物馆" {
			t.Errorf("%v: day 2 not a museum, or day 1 changed", o.(map[string]any)["tier"])
		}
	}
	code, body = call(t, "POST", edits, tok, `{"text":"全部往后推一天"}`)
	if code != 200 || body["version"] != 3.0 || body["data"].([]any)[0].(map[string]any)["startDate"] != "2024-10-26" {
		t.Fatalf("shift: %d %v", code, body["version"])
	}
	code, body = call(t, "GET", ts.URL+"/api/recommendations/"+id, tok, "")
	if code != 200 || body["data"].([]any)[0].(map[string]any)["startDate"] != "2024-10-26" {
		t.Fatalf("GET after edits: %d, start %v", code, body["data"].([]any)[0].(map[string]any)["startDate"])
	}
	// Not in the plan: E-808, the plan as it was.
	code, body = call(t, "POST", edits, tok, `{"text":"不要去迪士尼"}`)
	if code != 422 || body["error_code"] != "E-808" || body["field"] != "text" {
		t.Fatalf("impossible edit: %d %v", code, body)
	}
	code, body = call(t, "POST", edits, tok, `{"text":"你好"}`)
	if code != 400 || body["error_code"] != "E-808" {
		t.Fatalf("not an edit: %d %v", code, body)
	}
	code, body = call(t, "GET", ts.URL+"/api/recommendations/"+id, tok, "")
	if code != 200 || body["data"].([]any)[0].(map[string]any)["startDate"] != "2024-10-26" {
		t.Fatalf("plan changed by failed edits: %v", body["data"].([]any)[0].(map[string]any)["startDate"])
	}
	other := widgetToken(t, s, "someone-else")
	if code, _ := call(t, "POST", edits, other, `{"text":"多玩一天"}`); code != 404 {
		t.Fatalf("another visitor's edit: %d, want 404", code)
	}
}
