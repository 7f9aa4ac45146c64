package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	openai "github.com/sashabaranov/go-openai"
)

var update = flag.Bool("update", false, "rewrite the recorded request bodies in testdata")

// modeFake answers as a provider in the given mode does: a plan streamed as content or as
// a function call's arguments, an extraction the same way without streaming. The bodies
// are recorded in testdata.
func modeFake(t *testing.T, mode Structured) *fakeLLM {
	events := sseEvents(readTestdata(t, "stream_plan_"+string(mode)+".txt"))
	extraction := readTestdata(t, "completion_extract_"+string(mode)+".json")
	return newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int, req openai.ChatCompletionRequest) {
		if req.Stream {
			writeStream(w, events, -1, false)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(extraction)
	})
}

// requestMode says which mode a request used, and checks it asked for the right shape.
func requestMode(t *testing.T, req openai.ChatCompletionRequest, want shape) Structured {
	t.Helper()
	switch {
	case len(req.Tools) > 0:
		tc, _ := json.Marshal(req.ToolChoice)
		var choice openai.ToolChoice
		json.Unmarshal(tc, &choice)
		if len(req.Tools) != 1 || req.Tools[0].Function == nil || req.Tools[0].Function.Name != want.name ||
			choice.Type != openai.ToolTypeFunction || choice.Function.Name != want.name || req.ResponseFormat != nil {
			t.Errorf("tools request: tools %+v, tool_choice %s, response_format %+v; want one function %s, named in tool_choice", req.Tools, tc, req.ResponseFormat, want.name)
		}
		params, _ := json.Marshal(req.Tools[0].Function.Parameters)
		if !jsonEqual(params, want.schema) {
			t.Errorf("tools request: parameters %s, want the %s schema", params, want.name)
		}
		return StructuredTools
	case req.ResponseFormat == nil:
		t.Errorf("request asks for no structured output")
		return ""
	case req.ResponseFormat.Type == openai.ChatCompletionResponseFormatTypeJSONSchema:
		js := req.ResponseFormat.JSONSchema
		if js == nil || js.Name != want.name || !js.Strict {
			t.Fatalf("json_schema request: %+v, want strict %s", js, want.name)
		}
		schema, _ := json.Marshal(js.Schema)
		if !jsonEqual(schema, want.schema) {
			t.Errorf("json_schema request: schema %s, want the %s schema", schema, want.name)
		}
		return StructuredJSONSchema
	}
	return Structured(req.ResponseFormat.Type)
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return bytes.Equal(ja, jb)
}

// Every preset sends its mode, an explicit mode overrides a preset, and a name without a
// preset gets json_object; in each mode the recorded answer gives a real plan and an
// extraction.
func TestStructuredModeByPreset(t *testing.T) {
	for _, tc := range []struct {
		name     string
		override Structured
		want     Structured
	}{
		{"openai", "", StructuredJSONSchema},
		{"deepseek", "", StructuredTools},
		{"qwen", "", StructuredJSONSchema},
		{"ernie", "", StructuredJSONSchema},
		{"ollama", "", StructuredJSONSchema},
		{"mylocal", "", StructuredJSONObject},
		{"deepseek", StructuredJSONObject, StructuredJSONObject},
		{"openai", StructuredTools, StructuredTools},
		{"mylocal", StructuredJSONSchema, StructuredJSONSchema},
	} {
		t.Run(tc.name+"/"+string(tc.want), func(t *testing.T) {
			f := modeFake(t, tc.want)
			pc := ProviderConfig{Name: tc.name, BaseURL: f.srv.URL + "/v1", APIKey: "sk-test", Structured: tc.override}
			c := newTestChain(t, Config{Providers: []ProviderConfig{pc}})
			plan, rep, err := c.PlanWithReport(context.Background(), PlanRequest{Trip: testTrip(), Lang: "zh"})
			if err != nil {
				t.Fatal(err)
			}
			if plan.Draft || plan.Source != tc.name || len(plan.Options) != 3 || plan.Options[0].BudgetHigh != 4500 {
				t.Errorf("plan draft %v source %q options %d; want the recorded plan from %s (attempts %+v)", plan.Draft, plan.Source, len(plan.Options), tc.name, rep.Attempts)
			}
			fields, err := c.Extract(context.Background(), "福州, 10月25日到11月4日, 每人2000, 带孩子, 想吃闽菜", "zh", testNow)
			if err != nil {
				t.Fatal(err)
			}
			if fields.Destination == nil || *fields.Destination != "福州" || fields.Budget == nil || *fields.Budget != 2000 {
				t.Errorf("extraction = %+v, want the recorded one", fields)
			}
			reqs := f.requests()
			if len(reqs) != 2 {
				t.Fatalf("requests = %d, want a plan and an extraction", len(reqs))
			}
			if got := requestMode(t, reqs[0].req, planShape); got != tc.want {
				t.Errorf("plan request mode = %s, want %s", got, tc.want)
			}
			if got := requestMode(t, reqs[1].req, extractShape); got != tc.want {
				t.Errorf("extraction request mode = %s, want %s", got, tc.want)
			}
		})
	}
}

// The request bodies of each mode, as they go on the wire, are recorded in testdata; a
// change to them shows up here (go test -run TestRecordedRequestBodies -update rewrites).
func TestRecordedRequestBodies(t *testing.T) {
	for _, mode := range []Structured{StructuredJSONSchema, StructuredTools, StructuredJSONObject} {
		f := modeFake(t, mode)
		pc := f.config("recorded")
		pc.Structured = mode
		c := newTestChain(t, Config{Providers: []ProviderConfig{pc}})
		if _, err := c.Plan(context.Background(), PlanRequest{Trip: testTrip(), Lang: "zh"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Extract(context.Background(), "下周五去厦门", "zh", testNow); err != nil {
			t.Fatal(err)
		}
		for i, kind := range []string{"plan", "extract"} {
			file := filepath.Join("testdata", "request_"+kind+"_"+string(mode)+".json")
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, f.requests()[i].body, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			if *update {
				if err := os.WriteFile(file, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("%s: the request body differs from the recorded one:\n%s", file, pretty.Bytes())
			}
		}
	}
}

func TestParseStructured(t *testing.T) {
	for in, want := range map[string]Structured{"json_schema": StructuredJSONSchema, " Tools ": StructuredTools, "JSON_OBJECT": StructuredJSONObject} {
		if got, err := ParseStructured(in); err != nil || got != want {
			t.Errorf("ParseStructured(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseStructured("xml"); err == nil {
		t.Error("ParseStructured(xml): want an error")
	}
}
