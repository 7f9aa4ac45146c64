package main

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // XINGQU_DEFAULT_TZ must load on machines without a zoneinfo database

	"xingqu/providers/llm"
)

// config is the environment of SPEC section 5, parsed once and validated.
type config struct {
	DatabaseURL    string
	HTTPAddr       string
	MetricsAddr    string // a listener of its own for /metrics; empty: on HTTPAddr
	PublicURL      string
	WidgetOrigins  []string
	DefaultTZ      *time.Location
	SessionRate    int           // new widget sessions per client IP per hour
	MessageRate    int           // messages per traveller per minute
	Retention      time.Duration // travellers inactive this long are deleted
	TrustedProxies []netip.Prefix

	TelegramToken         string
	TelegramEndpoint      string
	TelegramMode          string
	TelegramWebhookSecret string
	TelegramRate          float64

	LLMProviders  []llmProvider
	LLMHedgeAfter time.Duration

	OpenWeatherKey     string
	OpenWeatherBaseURL string
	OpenMeteoBaseURL   string
	LocationIQKey      string
	LocationIQBaseURL  string
	NominatimBaseURL   string

	ops opsConfig // backups and the direct database connection: config_ops.go
}

type llmProvider struct {
	Name, BaseURL, APIKey, Model string
	Timeout                      time.Duration
	Structured                   llm.Structured // "" means the preset's mode
}

// envParser reads variables and remembers every bad one, so that one start-up attempt
// reports all of them.
type envParser struct {
	getenv func(string) string
	errs   []error
}

func (p *envParser) fail(name, value, want string) {
	p.errs = append(p.errs, fmt.Errorf("%s=%q: want %s", name, value, want))
}

func (p *envParser) str(name, def string) string {
	if v := strings.TrimSpace(p.getenv(name)); v != "" {
		return v
	}
	return def
}

func (p *envParser) int(name string, def, min int) int {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min {
		p.fail(name, v, fmt.Sprintf("a whole number of at least %d", min))
		return def
	}
	return n
}

func (p *envParser) float(name string, def, min float64) float64 {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < min {
		p.fail(name, v, fmt.Sprintf("a number of at least %g", min))
		return def
	}
	return f
}

func (p *envParser) duration(name string, def time.Duration) time.Duration {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		p.fail(name, v, "a positive duration such as 4s or 1m30s")
		return def
	}
	return d
}

// days reads a length of time in days ("365d") or as a duration ("8760h"), at least a day.
func (p *envParser) days(name string, def time.Duration) time.Duration {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if n, ok := strings.CutSuffix(v, "d"); ok {
		var days int
		days, err = strconv.Atoi(n)
		d = time.Duration(days) * 24 * time.Hour
	}
	if err != nil || d < 24*time.Hour {
		p.fail(name, v, "a number of days such as 365d, at least 1d")
		return def
	}
	return d
}

func (p *envParser) baseURL(name, def string) string {
	v := p.str(name, def)
	if v == "" || v == "off" {
		return v
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.fail(name, redactURL(v), "an http:// or https:// URL")
		return def
	}
	return strings.TrimRight(v, "/")
}

func parseConfig(getenv func(string) string) (config, error) {
	p := &envParser{getenv: getenv}
	var c config

	c.DatabaseURL = p.str("DATABASE_URL", "")
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			p.errs = append(p.errs, errors.New("DATABASE_URL: want a postgres:// URL"))
		}
	}

	c.HTTPAddr = p.str("XINGQU_HTTP_ADDR", "127.0.0.1:8080")
	if host, port, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		p.fail("XINGQU_HTTP_ADDR", c.HTTPAddr, "host:port, such as 127.0.0.1:8080 or :8080")
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		p.fail("XINGQU_HTTP_ADDR", c.HTTPAddr, "a port number from 0 to 65535")
	} else if host != "" && net.ParseIP(host) == nil && strings.ContainsAny(host, " /") {
		p.fail("XINGQU_HTTP_ADDR", c.HTTPAddr, "a host name or IP address before the port")
	}

	if c.MetricsAddr = p.str("XINGQU_METRICS_ADDR", ""); c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			p.fail("XINGQU_METRICS_ADDR", c.MetricsAddr, "host:port, such as 127.0.0.1:9090")
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			p.fail("XINGQU_METRICS_ADDR", c.MetricsAddr, "a port number from 0 to 65535")
		}
	}

	defPublic := "http://" + c.HTTPAddr
	if strings.HasPrefix(c.HTTPAddr, ":") {
		defPublic = "http://localhost" + c.HTTPAddr
	}
	c.PublicURL = p.baseURL("XINGQU_PUBLIC_URL", defPublic)

	if v := p.str("XINGQU_WIDGET_ORIGINS", ""); v != "" {
		for _, o := range strings.Split(v, ",") {
			o = strings.TrimRight(strings.TrimSpace(o), "/")
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
				p.fail("XINGQU_WIDGET_ORIGINS", v, "a comma list of origins such as https://example.com")
				break
			}
			c.WidgetOrigins = append(c.WidgetOrigins, o)
		}
	} else if u, err := url.Parse(c.PublicURL); err == nil {
		c.WidgetOrigins = []string{u.Scheme + "://" + u.Host}
	}

	tz := p.str("XINGQU_DEFAULT_TZ", "Asia/Shanghai")
	loc, err := time.LoadLocation(tz)
	if err != nil {
		p.fail("XINGQU_DEFAULT_TZ", tz, "an IANA time zone such as Asia/Shanghai")
		loc = time.UTC
	}
	c.DefaultTZ = loc
	c.SessionRate = p.int("XINGQU_SESSION_RATE", 60, 1)
	c.MessageRate = p.int("XINGQU_MESSAGE_RATE", 30, 1)
	c.Retention = p.days("XINGQU_RETENTION", 365*24*time.Hour)
	if v := p.str("XINGQU_TRUSTED_PROXIES", ""); v != "" {
		for _, s := range strings.Split(v, ",") {
			pr, err := netip.ParsePrefix(strings.TrimSpace(s))
			if err != nil {
				p.fail("XINGQU_TRUSTED_PROXIES", v, "a comma list of CIDRs such as 10.0.0.0/8")
				break
			}
			c.TrustedProxies = append(c.TrustedProxies, pr)
		}
	}

	c.TelegramToken = p.str("TELEGRAM_BOT_TOKEN", "")
	c.TelegramEndpoint = p.str("TELEGRAM_API_ENDPOINT", "https://api.telegram.org/bot%s/%s")
	if strings.Count(c.TelegramEndpoint, "%s") != 2 {
		p.fail("TELEGRAM_API_ENDPOINT", c.TelegramEndpoint, "a URL with two %s, such as http://127.0.0.1:8081/bot%s/%s")
	}
	c.TelegramMode = p.str("TELEGRAM_MODE", "polling")
	if c.TelegramMode != "polling" && c.TelegramMode != "webhook" {
		p.fail("TELEGRAM_MODE", c.TelegramMode, "polling or webhook")
	}
	c.TelegramWebhookSecret = p.str("TELEGRAM_WEBHOOK_SECRET", "")
	if c.TelegramToken != "" && c.TelegramMode == "webhook" {
		if c.TelegramWebhookSecret == "" {
			p.errs = append(p.errs, errors.New("TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_MODE=webhook"))
		} else if !validSecretToken(c.TelegramWebhookSecret) {
			p.fail("TELEGRAM_WEBHOOK_SECRET", "(hidden)", "1-256 characters of A-Z, a-z, 0-9, _ and -")
		}
		// setWebhook refuses any other scheme, and the bot would then never hear a thing.
		if u, err := url.Parse(c.PublicURL); err == nil && u.Scheme != "https" {
			p.fail("XINGQU_PUBLIC_URL", c.PublicURL, "an https:// URL when TELEGRAM_MODE=webhook: Telegram calls only https webhooks")
		}
	}
	c.TelegramRate = p.float("TELEGRAM_RATE", 25, 0.1)

	if v := p.str("LLM_PROVIDERS", ""); v != "" {
		for _, name := range strings.Split(v, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" || name == "offline" {
				continue // the offline planner always ends the chain
			}
			if strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
				p.fail("LLM_PROVIDERS", v, "a comma list of provider names (letters, digits, _)")
				continue
			}
			up := "LLM_" + strings.ToUpper(name) + "_"
			pc := llmProvider{
				Name:    name,
				BaseURL: p.baseURL(up+"BASE_URL", ""),
				APIKey:  p.str(up+"API_KEY", ""),
				Model:   p.str(up+"MODEL", ""),
				Timeout: p.duration(up+"TIMEOUT", 20*time.Second),
			}
			if v := p.str(up+"STRUCTURED", ""); v != "" {
				if m, err := llm.ParseStructured(v); err != nil {
					p.fail(up+"STRUCTURED", v, "json_schema, tools or json_object")
				} else {
					pc.Structured = m
				}
			}
			if pc.BaseURL == "" && !knownLLMPreset(name) {
				p.errs = append(p.errs, fmt.Errorf("%sBASE_URL: required for provider %q, which has no preset (presets: openai, deepseek, qwen, ernie, ollama)", up, name))
			}
			c.LLMProviders = append(c.LLMProviders, pc)
		}
	}
	c.LLMHedgeAfter = p.duration("LLM_HEDGE_AFTER", 4*time.Second)

	c.OpenWeatherKey = p.str("OPENWEATHER_API_KEY", "")
	c.OpenWeatherBaseURL = p.baseURL("OPENWEATHER_BASE_URL", "https://api.openweathermap.org")
	c.OpenMeteoBaseURL = p.baseURL("OPENMETEO_BASE_URL", "https://api.open-meteo.com")
	c.LocationIQKey = p.str("LOCATIONIQ_API_KEY", "")
	c.LocationIQBaseURL = p.baseURL("LOCATIONIQ_BASE_URL", "https://us1.locationiq.com")
	c.NominatimBaseURL = p.baseURL("NOMINATIM_BASE_URL", "https://nominatim.openstreetmap.org")
	c.ops = parseOpsConfig(p)

	if len(p.errs) > 0 {
		return c, fmt.Errorf("configuration: %w", errors.Join(p.errs...))
	}
	return c, nil
}

func knownLLMPreset(name string) bool {
	switch name {
	case "openai", "deepseek", "qwen", "ernie", "ollama":
		return true
	}
	return false
}

// validSecretToken follows setWebhook's rule for secret_token.
func validSecretToken(s string) bool {
	if len(s) == 0 || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// redactURL hides what may be a secret in a URL shown in an error: its user information
// and query string.
func redactURL(v string) string {
	u, err := url.Parse(v)
	if err != nil {
		if len(v) > 12 {
			return v[:12] + "…"
		}
		return v
	}
	if u.User != nil {
		u.User = url.User("…")
	}
	if u.RawQuery != "" {
		u.RawQuery = "…"
	}
	return u.String()
}
