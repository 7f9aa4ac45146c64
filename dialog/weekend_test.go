package dialog

import (
	"testing"
	"time"
)

// Weekends are counted from the day the message is sent: each phrase is read on a
// weekday, a Saturday and a Sunday of the same week (Mon 2026-12-07 .. Sun 12-13).
func TestWeekendsFromEachDay(t *testing.T) {
	const (
		wed = 9
		sat = 12
		sun = 13
	)
	type span struct{ from, to int } // days of December 2026; 0 asks which days
	tests := []struct {
		in   string
		want map[int]span
	}{
		{"this weekend", map[int]span{wed: {12, 13}, sat: {12, 13}, sun: {13, 13}}},
		{"this coming weekend", map[int]span{wed: {12, 13}, sat: {19, 20}, sun: {19, 20}}},
		{"next weekend", map[int]span{wed: {19, 20}, sat: {19, 20}, sun: {19, 20}}},
		{"the weekend after next", map[int]span{wed: {26, 27}, sat: {26, 27}, sun: {26, 27}}},
		{"not next weekend, the one after", map[int]span{wed: {26, 27}, sat: {26, 27}, sun: {26, 27}}},
		{"next weekend or the one after", map[int]span{wed: {}, sat: {}, sun: {}}},
		{"周末", map[int]span{wed: {12, 13}, sat: {12, 13}, sun: {}}},
		{"周末两天", map[int]span{wed: {12, 13}, sat: {12, 13}, sun: {}}},
		{"这周末", map[int]span{wed: {12, 13}, sat: {12, 13}, sun: {13, 13}}},
		{"下周末", map[int]span{wed: {19, 20}, sat: {19, 20}, sun: {19, 20}}},
		{"下下周末", map[int]span{wed: {26, 27}, sat: {26, 27}, sun: {26, 27}}},
	}
	for _, tc := range tests {
		for day, want := range tc.want {
			now := time.Date(2026, 12, day, 9, 0, 0, 0, pxShanghai)
			e := Extract(tc.in, ParseContext{Now: now, Loc: pxShanghai})
			if want.from == 0 {
				if e.Start != nil || e.DateProblem != "ambiguous" {
					t.Errorf("%q on Dec %d: start %v, problem %q; want a question", tc.in, day, e.Start, e.DateProblem)
				}
				continue
			}
			if e.Start == nil || e.End == nil || *e.Start != (Date{2026, 12, want.from}) || *e.End != (Date{2026, 12, want.to}) {
				t.Errorf("%q on Dec %d: %v to %v, want Dec %d to Dec %d", tc.in, day, e.Start, e.End, want.from, want.to)
			}
		}
	}
	// A month's first and last weekend, said in December.
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, pxShanghai)
	for in, want := range map[string][2]Date{
		"first weekend of january": {{2027, 1, 2}, {2027, 1, 3}},
		"1月第一个周末":                  {{2027, 1, 2}, {2027, 1, 3}},
		"last weekend of january":  {{2027, 1, 30}, {2027, 1, 31}},
		"1月最后一个周末":                 {{2027, 1, 30}, {2027, 1, 31}},
		"first weekend in march":   {{2027, 3, 6}, {2027, 3, 7}},
	} {
		e := Extract(in, ParseContext{Now: now, Loc: pxShanghai})
		if e.Start == nil || e.End == nil || *e.Start != want[0] || *e.End != want[1] {
			t.Errorf("%q: %v to %v, want %v to %v", in, e.Start, e.End, want[0], want[1])
		}
	}
}
