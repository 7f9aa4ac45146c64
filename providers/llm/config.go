// Package llm plans trips with OpenAI-compatible chat models: a chain of providers tried in
// the configured order, with a per-provider circuit breaker, retries only where they help,
// a hedge that starts the next provider when the current one is slow to answer, streamed
// progress, and answers validated against the plan schema. When every provider fails, or
// the traveller has spent the day's token budget, the chain returns the offline draft, so
// planning itself never fails; only the caller cancelling does.
package llm

import (
	"strings"
	"time"
)

// ProviderConfig is one OpenAI-compatible endpoint, as parsed from LLM_<NAME>_* variables.
type ProviderConfig struct {
	Name      string
	BaseURL   string // with the API version path, as go-openai expects ("https://api.openai.com/v1")
	APIKey    string
	Model     string
	Timeout   time.Duration // per HTTP call; 0 means DefaultProviderTimeout
	MaxTokens int           // output cap; 0 means DefaultMaxTokens
	// Structured is how the provider is asked for JSON; "" means the preset's mode, and
	// json_object for a name without a preset.
	Structured Structured
}

// Config is the whole chain.
type Config struct {
	Providers        []ProviderConfig // in fallback order; the offline planner always follows
	HedgeAfter       time.Duration    // 0 means DefaultHedgeAfter
	Deadline         time.Duration    // for a whole plan; 0 means DefaultDeadline
	DailyTokenBudget int              // per traveller; 0 means unlimited
	// AddressDailyTokenBudget bounds what everyone from one network address spends in a
	// day, so that new sessions are not new budgets; 0 means unlimited.
	AddressDailyTokenBudget int
	// MaxInFlight caps the model calls this instance has open at once; 0 means no cap.
	MaxInFlight int
}

// Defaults of the zero values in Config and ProviderConfig.
const (
	DefaultHedgeAfter      = 4 * time.Second
	DefaultDeadline        = 25 * time.Second
	DefaultProviderTimeout = 20 * time.Second
	DefaultMaxTokens       = 3000
	// DefaultMaxResponseBytes caps what is read from one response: 3,000 tokens of JSON
	// stream to well under this, so more means a misbehaving endpoint.
	DefaultMaxResponseBytes = 1 << 20
	extractTimeout          = 5 * time.Second
)

type preset struct {
	baseURL, model string
	structured     Structured
}

// The presets' modes are what each API documents for its default model: OpenAI, Ollama
// (0.5 and later), DashScope's compatible mode (qwen-plus) and Qianfan v2 (ERNIE 4.0
// Turbo) accept response_format json_schema; DeepSeek accepts only json_object there but
// takes function calls with a named tool_choice, which carry the schema.
var presets = map[string]preset{
	"openai":   {"https://api.openai.com/v1", "gpt-4o-mini", StructuredJSONSchema},
	"deepseek": {"https://api.deepseek.com/v1", "deepseek-chat", StructuredTools},
	"qwen":     {"https://dashscope.aliyuncs.com/compatible-mode/v1", "qwen-plus", StructuredJSONSchema},
	"ernie":    {"https://qianfan.baidubce.com/v2", "ernie-4.0-turbo-8k", StructuredJSONSchema},
	"ollama":   {"http://127.0.0.1:11434/v1", "qwen2.5:7b", StructuredJSONSchema},
}

// Preset returns the base URL and default model of a known provider name (case does not
// matter); ok is false for any other name, which then needs an explicit base URL.
func Preset(name string) (baseURL, model string, ok bool) {
	p, ok := presets[strings.ToLower(strings.TrimSpace(name))]
	return p.baseURL, p.model, ok
}

// withDefaults fills what the configuration left out, presets included, so the rest of
// the package never checks for zero values.
func (pc ProviderConfig) withDefaults() ProviderConfig {
	if p, ok := presets[strings.ToLower(strings.TrimSpace(pc.Name))]; ok {
		if pc.BaseURL == "" {
			pc.BaseURL = p.baseURL
		}
		if pc.Model == "" {
			pc.Model = p.model
		}
		if pc.Structured == "" {
			pc.Structured = p.structured
		}
	}
	if pc.Structured == "" {
		pc.Structured = StructuredJSONObject
	}
	pc.BaseURL = strings.TrimRight(pc.BaseURL, "/")
	if pc.Timeout <= 0 {
		pc.Timeout = DefaultProviderTimeout
	}
	if pc.MaxTokens <= 0 {
		pc.MaxTokens = DefaultMaxTokens
	}
	return pc
}

func (c Config) withDefaults() Config {
	if c.HedgeAfter <= 0 {
		c.HedgeAfter = DefaultHedgeAfter
	}
	if c.Deadline <= 0 {
		c.Deadline = DefaultDeadline
	}
	return c
}
