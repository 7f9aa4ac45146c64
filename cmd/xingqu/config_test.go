package main

import (
	"strings"
	"testing"
	"time"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestParseConfigDefaults(t *testing.T) {
	c, err := parseConfig(env())
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.PublicURL != "http://127.0.0.1:8080" {
		t.Errorf("addr, public = %q, %q", c.HTTPAddr, c.PublicURL)
	}
	if len(c.WidgetOrigins) != 1 || c.WidgetOrigins[0] != "http://127.0.0.1:8080" {
		t.Errorf("widget origins = %v, want the public URL's origin", c.WidgetOrigins)
	}
	if c.TelegramMode != "polling" || c.TelegramRate != 25 || c.LLMHedgeAfter != 4*time.Second {
		t.Errorf("telegram mode/rate, hedge = %q %v %v", c.TelegramMode, c.TelegramRate, c.LLMHedgeAfter)
	}
	if c.DefaultTZ.String() != "Asia/Shanghai" || c.SessionRate != 60 || c.MessageRate != 30 {
		t.Errorf("tz, rates = %v %d %d", c.DefaultTZ, c.SessionRate, c.MessageRate)
	}
	if len(c.LLMProviders) != 0 {
		t.Errorf("providers = %v, want none (offline only)", c.LLMProviders)
	}
}

func TestParseConfigProviders(t *testing.T) {
	c, err := parseConfig(env("LLM_PROVIDERS", "deepseek, myllm ,offline",
		"LLM_MYLLM_BASE_URL", "http://127.0.0.1:9000/v1", "LLM_MYLLM_MODEL", "m1", "LLM_MYLLM_TIMEOUT", "7s",
		"LLM_DEEPSEEK_API_KEY", "k", "LLM_MYLLM_STRUCTURED", "json_schema"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.LLMProviders) != 2 {
		t.Fatalf("providers = %+v, want deepseek and myllm", c.LLMProviders)
	}
	if p := c.LLMProviders[1]; p.Name != "myllm" || p.BaseURL != "http://127.0.0.1:9000/v1" || p.Model != "m1" || p.Timeout != 7*time.Second || p.Structured != "json_schema" {
		t.Errorf("myllm = %+v", p)
	}
	if p := c.LLMProviders[0]; p.Name != "deepseek" || p.APIKey != "k" {
		t.Errorf("deepseek = %+v", p)
	}
}

// Every bad value stops start-up with a message that names the variable.
func TestParseConfigRejects(t *testing.T) {
	cases := []struct{ name, value, extra string }{
		{"XINGQU_HTTP_ADDR", "nonsense", ""},
		{"XINGQU_HTTP_ADDR", "127.0.0.1:99999", ""},
		{"DATABASE_URL", "mysql://x", ""},
		{"XINGQU_PUBLIC_URL", "ftp://x", ""},
		{"XINGQU_WIDGET_ORIGINS", "example.com", ""},
		{"XINGQU_DEFAULT_TZ", "Mars/Olympus", ""},
		{"XINGQU_SESSION_RATE", "lots", ""},
		{"XINGQU_MESSAGE_RATE", "0", ""},
		{"XINGQU_TRUSTED_PROXIES", "10.0.0.0/33", ""},
		{"TELEGRAM_MODE", "carrier-pigeon", ""},
		{"TELEGRAM_RATE", "-1", ""},
		{"TELEGRAM_API_ENDPOINT", "http://x/bot", ""},
		{"LLM_HEDGE_AFTER", "soon", ""},
		{"LLM_PROVIDERS", "my-llm!", ""},
		{"LLM_MYLLM_BASE_URL", "", "myllm"}, // no preset, no base URL
		{"LLM_OPENAI_TIMEOUT", "fast", "openai"},
		{"LLM_OPENAI_STRUCTURED", "xml", "openai"},
		{"TELEGRAM_WEBHOOK_SECRET", "", "webhook"},
		{"XINGQU_PUBLIC_URL", "http://bot.example", "webhook+secret"}, // Telegram calls only https webhooks
		{"OPENWEATHER_BASE_URL", "api.openweathermap.org", ""},
	}
	for _, c := range cases {
		t.Run(c.name+"="+c.value, func(t *testing.T) {
			kv := []string{c.name, c.value}
			switch c.extra {
			case "webhook":
				kv = append(kv, "TELEGRAM_BOT_TOKEN", "1:x", "TELEGRAM_MODE", "webhook")
			case "webhook+secret":
				kv = append(kv, "TELEGRAM_BOT_TOKEN", "1:x", "TELEGRAM_MODE", "webhook", "TELEGRAM_WEBHOOK_SECRET", "s3cret")
			case "":
			default:
				kv = append(kv, "LLM_PROVIDERS", c.extra)
			}
			_, err := parseConfig(env(kv...))
			if err == nil {
				t.Fatalf("%s=%q accepted", c.name, c.value)
			}
			if !strings.Contains(err.Error(), c.name) {
				t.Fatalf("error %q does not name %s", err, c.name)
			}
		})
	}
}

// A bad URL is named in the error without what may be a secret in it.
func TestParseConfigHidesSecretsInBadURLs(t *testing.T) {
	_, err := parseConfig(env("LLM_PROVIDERS", "myllm", "LLM_MYLLM_BASE_URL", "ftp://user:hunter2@llm.example/v1?api_key=sk-abc"))
	if err == nil || !strings.Contains(err.Error(), "LLM_MYLLM_BASE_URL") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "sk-abc") {
		t.Fatalf("error shows a secret: %v", err)
	}
}

func TestParseConfigRetentionAndMetrics(t *testing.T) {
	c, err := parseConfig(env())
	if err != nil || c.Retention != 365*24*time.Hour || c.MetricsAddr != "" {
		t.Errorf("defaults: retention %v, metrics %q, %v; want 365 days and none", c.Retention, c.MetricsAddr, err)
	}
	c, err = parseConfig(env("XINGQU_RETENTION", "30d", "XINGQU_METRICS_ADDR", "127.0.0.1:9090"))
	if err != nil || c.Retention != 30*24*time.Hour || c.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("30d, 127.0.0.1:9090: %v %q %v", c.Retention, c.MetricsAddr, err)
	}
	if c, err := parseConfig(env("XINGQU_RETENTION", "2160h")); err != nil || c.Retention != 90*24*time.Hour {
		t.Errorf("2160h: %v %v", c.Retention, err)
	}
	for _, kv := range [][2]string{{"XINGQU_RETENTION", "forever"}, {"XINGQU_RETENTION", "2h"}, {"XINGQU_RETENTION", "-3d"}, {"XINGQU_METRICS_ADDR", "9090"}} {
		if _, err := parseConfig(env(kv[0], kv[1])); err == nil || !strings.Contains(err.Error(), kv[0]) {
			t.Errorf("%s=%s: %v, want an error naming it", kv[0], kv[1], err)
		}
	}
}
