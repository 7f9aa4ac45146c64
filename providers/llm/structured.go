package llm

import (
	"encoding/json"
	"fmt"
	"strings"

	openai "github.com/sashabaranov/go-openai"
)

// Structured is how a provider is asked for JSON of a given shape (LLM_<NAME>_STRUCTURED).
type Structured string

// The three ways an OpenAI-compatible API can be asked for structured output.
const (
	// StructuredJSONSchema sends the schema as response_format json_schema with strict
	// set: the server constrains the answer to it.
	StructuredJSONSchema Structured = "json_schema"
	// StructuredTools sends the schema as the parameters of the one function the model
	// must call (tool_choice names it); the answer is that call's arguments.
	StructuredTools Structured = "tools"
	// StructuredJSONObject asks only for a JSON object; the shape is in the prompt.
	StructuredJSONObject Structured = "json_object"
)

// ParseStructured reads a mode as written in the configuration.
func ParseStructured(s string) (Structured, error) {
	switch m := Structured(strings.ToLower(strings.TrimSpace(s))); m {
	case StructuredJSONSchema, StructuredTools, StructuredJSONObject:
		return m, nil
	}
	return "", fmt.Errorf("structured output mode %q: want json_schema, tools or json_object", s)
}

// shape is one kind of answer: its name (the schema's or the function's) and its schema.
type shape struct {
	name        string
	description string
	schema      json.RawMessage
}

// The schemas follow the subset strict mode accepts: every property required, no
// additional properties, optional values as a union with null.
var (
	planShape = shape{
		name:        "travel_plan",
		description: "Three itinerary options for the trip, one per budget level.",
		schema: json.RawMessage(`{"type":"object","properties":{"options":{"type":"array","items":{"type":"object","properties":{` +
			`"tier":{"type":"string","enum":["luxury","economical","backpacker"]},` +
			`"title":{"type":"string"},` +
			`"budget":{"type":"object","properties":{"low":{"type":"number"},"high":{"type":"number"},"currency":{"type":"string"}},"required":["low","high","currency"],"additionalProperties":false},` +
			`"naturalLandscape":{"type":"string"},"socialLandscape":{"type":"string"},"cuisine":{"type":"string"},` +
			`"days":{"type":"array","items":{"type":"object","properties":{"date":{"type":"string","description":"YYYY-MM-DD"},"morning":{"type":"string"},"afternoon":{"type":"string"},"evening":{"type":"string"},"notes":{"type":"string"}},"required":["date","morning","afternoon","evening","notes"],"additionalProperties":false}},` +
			`"food":{"type":"array","items":{"type":"string"}},"tips":{"type":"array","items":{"type":"string"}}},` +
			`"required":["tier","title","budget","naturalLandscape","socialLandscape","cuisine","days","food","tips"],"additionalProperties":false}}},` +
			`"required":["options"],"additionalProperties":false}`),
	}
	extractShape = shape{
		name:        "trip_fields",
		description: "What one traveller message says about the trip; null for what it does not say.",
		schema: json.RawMessage(`{"type":"object","properties":{` +
			`"destination":{"type":["string","null"]},` +
			`"startDate":{"type":["string","null"],"description":"YYYY-MM-DD"},` +
			`"endDate":{"type":["string","null"],"description":"YYYY-MM-DD"},` +
			`"budget":{"type":["number","null"],"description":"per person"},` +
			`"currency":{"type":["string","null"],"description":"ISO 4217"},` +
			`"partySize":{"type":["integer","null"]},` +
			`"accessibility":{"type":["boolean","null"]},"kidFriendly":{"type":["boolean","null"]},"petFriendly":{"type":["boolean","null"]},` +
			`"naturalLandscape":{"type":["string","null"]},"socialLandscape":{"type":["string","null"]},` +
			`"cuisine":{"type":["string","null"]},"otherNeeds":{"type":["string","null"]}},` +
			`"required":["destination","startDate","endDate","budget","currency","partySize","accessibility","kidFriendly","petFriendly","naturalLandscape","socialLandscape","cuisine","otherNeeds"],` +
			`"additionalProperties":false}`),
	}
)

// ask fills in the part of a request that asks for the shape, as the provider's mode says.
func (p *provider) ask(req *openai.ChatCompletionRequest, s shape) {
	switch p.cfg.Structured {
	case StructuredJSONSchema:
		req.ResponseFormat = &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name: s.name, Description: s.description, Schema: s.schema, Strict: true,
			},
		}
	case StructuredTools:
		req.Tools = []openai.Tool{{Type: openai.ToolTypeFunction, Function: &openai.FunctionDefinition{
			Name: s.name, Description: s.description, Parameters: s.schema,
		}}}
		req.ToolChoice = openai.ToolChoice{Type: openai.ToolTypeFunction, Function: openai.ToolFunction{Name: s.name}}
	default:
		req.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	}
}

// answerText is the JSON a reply carries: the arguments of the function called, or the
// content. A model asked for a tool call sometimes answers in content instead, and its
// JSON is as good there.
func answerText(content string, calls []openai.ToolCall) string {
	var args strings.Builder
	for _, c := range calls {
		args.WriteString(c.Function.Arguments)
	}
	if strings.TrimSpace(args.String()) != "" {
		return args.String()
	}
	return content
}
