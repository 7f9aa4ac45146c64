package llm

import (
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// normalizePlan maps the near-misses models commonly make of the plan's shape onto it,
// so that validation judges what the model meant rather than how it spelled it: the
// options under another key, an option's level under another key or by its Chinese name,
// a budget as min/max, a single figure or a "budgetRange" string, days keyed by number
// and times of day under their Chinese names. What it cannot map it leaves alone for
// validation to report. A text that is not JSON comes back unchanged.
func normalizePlan(text string, dates []string) string {
	var root any
	if err := json.Unmarshal([]byte(jsonObject(text)), &root); err != nil {
		return text
	}
	var opts []any
	switch r := root.(type) {
	case []any:
		opts = r
	case map[string]any:
		opts = asList(first(r, "options", "plans", "recommendations", "itineraries", "data"))
	}
	if opts == nil {
		return text
	}
	out := make([]any, 0, len(opts))
	for _, o := range opts {
		m, ok := o.(map[string]any)
		if !ok {
			out = append(out, o)
			continue
		}
		out = append(out, normalizeOption(m, dates))
	}
	b, err := json.Marshal(map[string]any{"options": out})
	if err != nil {
		return text
	}
	return string(b)
}

func normalizeOption(m map[string]any, dates []string) map[string]any {
	o := map[string]any{}
	for _, k := range []string{"title", "naturalLandscape", "socialLandscape", "cuisine", "food", "tips"} {
		if v, ok := m[k]; ok {
			o[k] = v
		}
	}
	if _, ok := o["title"]; !ok {
		if v := first(m, "name", "名称", "标题"); v != nil {
			o["title"] = v
		}
	}
	tier := first(m, "tier", "level", "type", "category", "budgetLevel", "budgetTier", "档次", "类型")
	if s, ok := tier.(string); ok {
		o["tier"] = tierOf(s)
	} else if tier != nil {
		o["tier"] = tier
	}
	if _, ok := o["tier"]; !ok {
		// A level said only in the title ("豪华尊享游·福州") is still the level.
		if s, ok := o["title"].(string); ok {
			if t := tierOf(s); t != s {
				o["tier"] = t
			}
		}
	}
	o["budget"] = budgetOf(m)
	days := asDays(first(m, "days", "itinerary", "schedule", "dailyPlan", "行程"))
	for i, d := range days {
		dm, ok := d.(map[string]any)
		if !ok {
			continue
		}
		days[i] = normalizeDay(dm, i, dates)
	}
	if days != nil {
		o["days"] = days
	}
	return o
}

func normalizeDay(m map[string]any, i int, dates []string) map[string]any {
	d := map[string]any{}
	put := func(key string, alts ...string) {
		if v := first(m, append([]string{key}, alts...)...); v != nil {
			d[key] = v
		}
	}
	put("date", "日期", "day_date")
	put("morning", "上午", "am", "早上")
	put("afternoon", "下午", "pm", "中午")
	put("evening", "晚上", "night", "夜晚")
	put("notes", "note", "tips", "备注", "提示")
	if n, ok := d["notes"].([]any); ok {
		d["notes"] = joinStrings(n)
	}
	// A day without its date, in a list of the right length, is the date in that place.
	if _, ok := d["date"]; !ok && i < len(dates) {
		d["date"] = dates[i]
	}
	return d
}

// first returns the value of the first key present (and not null), matching keys without
// regard to case.
func first(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok && v != nil {
			return v
		}
	}
	for _, k := range keys {
		for mk, v := range m {
			if strings.EqualFold(mk, k) && v != nil {
				return v
			}
		}
	}
	return nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

var leadingNumber = regexp.MustCompile(`\d+`)

// asDays takes days as a list, or as an object keyed by day number ("1", "day2", "第3天")
// or by date, in that order.
func asDays(v any) []any {
	switch d := v.(type) {
	case []any:
		return d
	case map[string]any:
		type kv struct {
			key   string
			order int
			val   any
		}
		var items []kv
		for k, val := range d {
			n := -1
			if s := leadingNumber.FindString(k); s != "" && !strings.Contains(k, "-") {
				n, _ = strconv.Atoi(s)
			}
			if dm, ok := val.(map[string]any); ok && strings.Count(k, "-") == 2 {
				if _, has := dm["date"]; !has {
					dm["date"] = k
				}
			}
			items = append(items, kv{k, n, val})
		}
		sort.Slice(items, func(i, j int) bool {
			if items[i].order != items[j].order {
				return items[i].order < items[j].order
			}
			return items[i].key < items[j].key
		})
		out := make([]any, len(items))
		for i, it := range items {
			out[i] = it.val
		}
		return out
	}
	return nil
}

// tierOf reads a level however it was named; anything unknown is returned as it was.
func tierOf(s string) string {
	l := strings.ToLower(strings.TrimSpace(s))
	switch {
	case l == "luxury" || strings.Contains(l, "luxur") || strings.Contains(l, "premium") || strings.Contains(l, "豪华") || strings.Contains(l, "奢华") || strings.Contains(l, "尊享") || l == "high":
		return "luxury"
	case l == "economical" || strings.Contains(l, "econom") || strings.Contains(l, "standard") || strings.Contains(l, "经济") || strings.Contains(l, "舒适") || l == "mid" || l == "medium":
		return "economical"
	case l == "backpacker" || strings.Contains(l, "backpack") || strings.Contains(l, "budget") || strings.Contains(l, "穷游") || strings.Contains(l, "特种兵") || strings.Contains(l, "背包") || l == "low":
		return "backpacker"
	}
	return s
}

var figures = regexp.MustCompile(`\d[\d,]*(?:\.\d+)?`)

// budgetOf reads the budget as {low, high, currency}, {min, max}, one figure, a range
// string ("3000-4500元/人"), or separate budgetLow / budgetHigh keys.
func budgetOf(m map[string]any) any {
	b := map[string]any{}
	raw := first(m, "budget", "budgetRange", "price", "priceRange", "cost", "预算")
	switch v := raw.(type) {
	case map[string]any:
		if x := first(v, "low", "min", "from", "lower"); x != nil {
			b["low"] = x
		}
		if x := first(v, "high", "max", "to", "upper"); x != nil {
			b["high"] = x
		}
		if x := first(v, "currency", "unit"); x != nil {
			b["currency"] = x
		}
	case float64:
		b["low"], b["high"] = v, v
	case string:
		rangeInto(b, v)
	}
	if s, ok := first(m, "budgetRange", "priceRange").(string); ok && b["low"] == nil {
		rangeInto(b, s)
	}
	if x := first(m, "budgetLow", "minBudget", "budgetMin"); x != nil && b["low"] == nil {
		b["low"] = x
	}
	if x := first(m, "budgetHigh", "maxBudget", "budgetMax"); x != nil && b["high"] == nil {
		b["high"] = x
	}
	if x := first(m, "currency"); x != nil && b["currency"] == nil {
		b["currency"] = x
	}
	if c, ok := b["currency"].(string); ok {
		b["currency"] = currencyOf(c)
	}
	return b
}

func rangeInto(b map[string]any, s string) {
	nums := figures.FindAllString(s, 2)
	if len(nums) == 0 {
		return
	}
	mult := 1.0
	if strings.Contains(s, "万") {
		mult = 10000
	} else if strings.Contains(s, "千") || strings.Contains(strings.ToLower(s), "k") {
		mult = 1000
	}
	vals := make([]float64, len(nums))
	for i, n := range nums {
		v, _ := strconv.ParseFloat(strings.ReplaceAll(n, ",", ""), 64)
		vals[i] = v * mult
	}
	b["low"], b["high"] = vals[0], vals[len(vals)-1]
	if c := currencyIn(s); c != "" {
		b["currency"] = c
	}
}

// currencyIn finds a currency said in a budget string by its symbol or word.
func currencyIn(s string) string {
	switch {
	case strings.Contains(s, "元") || strings.Contains(s, "¥") || strings.Contains(s, "￥") || strings.Contains(strings.ToUpper(s), "CNY") || strings.Contains(strings.ToUpper(s), "RMB"):
		return "CNY"
	case strings.Contains(s, "€") || strings.Contains(strings.ToUpper(s), "EUR"):
		return "EUR"
	case strings.Contains(s, "$") || strings.Contains(strings.ToUpper(s), "USD"):
		return "USD"
	}
	return ""
}

func currencyOf(s string) string {
	if c := currencyIn(s); c != "" && len(strings.TrimSpace(s)) != 3 {
		return c
	}
	return s
}

func joinStrings(l []any) string {
	var parts []string
	for _, v := range l {
		if s, ok := v.(string); ok {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}
