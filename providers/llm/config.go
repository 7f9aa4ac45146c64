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
}

// Config is the whole chain.
type Config struct {
	Providers        []ProviderConfig // in fallback order; the offline planner always follows
	HedgeAfter       time.Duration    // 0 means DefaultHedgeAfter
	Deadline         time.Duration    // for a whole plan; 0 means DefaultDeadline
	DailyTokenBudget int              // per traveller; 0 means unlimited
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

type preset struct{ baseURL, model string }

var presets = map[string]preset{
	"openai":   {"https://api.openai.com/v1", "gpt-4o-mini"},
	"deepseek": {"https://api.deepseek.com/v1", "deepseek-chat"},
	"qwen":     {"https://dashscope.aliyuncs.com/compatible-mode/v1", "qwen-plus"},
	"ernie":    {"https://qianfan.baidubce.com/v2", "ernie-4.0-turbo-8k"},
	"ollama":   {"http://127.0.0.1:11434/v1", "qwen2.5:7b"},
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
	if base, model, ok := Preset(pc.Name); ok {
		if pc.BaseURL == "" {
			pc.BaseURL = base
		}
		if pc.Model == "" {
			pc.Model = model
		}
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
