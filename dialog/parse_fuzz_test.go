package dialog

import (
	"testing"
	"time"
	"unicode/utf8"
)

// The fuzz targets check that no input panics and that every parser answers in bounded
// time; outputs are checked for internal consistency where it is cheap to do so.

const fuzzBound = 500 * time.Millisecond

// slow reports whether f takes longer than fuzzBound twice in a row: one slow run can
// be the scheduler on a busy machine, two are the input.
func slow(f func()) (time.Duration, bool) {
	var d time.Duration
	for range 2 {
		start := time.Now()
		f()
		if d = time.Since(start); d <= fuzzBound {
			return d, false
		}
	}
	return d, true
}

func fuzzSeeds(f *testing.F) {
	for _, s := range []string{
		"福州, 10月25日到11月4日, 每人2000, 带孩子",
		"Lisbon Dec 20-27, 2 of us, around €1500 each, we love seafood and museums",
		"预算改成5000", "not Fuzhou, Xiamen", "不是福州，是厦门", "actually from Nov 1",
		"一万五", "3千5", "2月30日", "13/45", "Dec 28 - Jan 3", "下周五", "/lang zh",
		"'; DROP TABLE users;--", "<script>", "😀😀😀", "\xff\xfe", "１２月２０日－２７日",
		"昨天", "上周五", "last Friday", "12月30日到12月25日", "Dec 30-25", "下个月", "in May", "7月份",
		"Tokyo Dec 20-23 $2000 none, food", "change budget to $3000", "us$ 1,500.5 k元", "Dec 20,2026, 2 of us",
	} {
		f.Add(s)
	}
}

func FuzzExtract(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		for _, exp := range []Slot{SlotNone, SlotDestination, SlotBudget, SlotNeeds} {
			c := ParseContext{Now: pxNow, Loc: pxShanghai, Expecting: exp}
			e := Extract(s, c)
			if d, bad := slow(func() { Extract(s, c) }); bad {
				t.Fatalf("Extract(%q) took %v", s, d)
			}
			if e.Start != nil && e.Days > 0 && e.End == nil {
				t.Fatalf("Extract(%q): start and days without an end", s)
			}
			if e.Budget != nil && (e.Budget.Low > e.Budget.High && e.Budget.High > 0 || e.Budget.Low < 0) {
				// A range said backwards is kept as said; only negative figures are wrong.
				if e.Budget.Low < 0 {
					t.Fatalf("Extract(%q): negative budget %+v", s, *e.Budget)
				}
			}
			if !utf8.ValidString(e.Destination) || !utf8.ValidString(e.OtherNeeds) {
				t.Fatalf("Extract(%q): invalid UTF-8 in output", s)
			}
			if e.DateProblem != "" && (e.Start != nil || e.End != nil) {
				t.Fatalf("Extract(%q): dates set despite %s", s, e.DateProblem)
			}
		}
	})
}

func FuzzParseDates(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		c := ParseContext{Now: pxNow, Loc: pxShanghai}
		st, end, days, ok := ParseDates(s, c)
		if d, bad := slow(func() { ParseDates(s, c) }); bad {
			t.Fatalf("ParseDates(%q) took %v", s, d)
		}
		if ok != (st != nil || end != nil || days > 0) {
			t.Fatalf("ParseDates(%q) = %v, %v, %d, %v: ok disagrees", s, st, end, days, ok)
		}
		for _, d := range []*Date{st, end} {
			if d != nil && !validDate(d.Year, d.Month, d.Day) {
				t.Fatalf("ParseDates(%q) returned an impossible date %+v", s, *d)
			}
		}
	})
}

func FuzzParseBudget(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		m, ok := ParseBudget(s)
		if d, bad := slow(func() { ParseBudget(s) }); bad {
			t.Fatalf("ParseBudget(%q) took %v", s, d)
		}
		if ok && (m.High <= 0 || m.Low < 0) {
			t.Fatalf("ParseBudget(%q) = %+v: ok with a figure that is not positive", s, m)
		}
	})
}

func FuzzParseYesNo(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		if d, bad := slow(func() { ParseYesNo(s) }); bad {
			t.Fatalf("ParseYesNo(%q) took %v", s, d)
		}
	})
}

func FuzzDetectIntent(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		in, lang := DetectIntent(s)
		if d, bad := slow(func() { DetectIntent(s) }); bad {
			t.Fatalf("DetectIntent(%q) took %v", s, d)
		}
		if lang != "" && in != IntentLanguage {
			t.Fatalf("DetectIntent(%q) = %q with language %q", s, in, lang)
		}
	})
}
