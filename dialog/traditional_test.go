package dialog

import (
	"testing"
	"unicode/utf8"
)

// Every pair of the table keeps the byte length (so offsets into a normalized message
// stay valid), maps to a character that is not itself mapped, and changes it.
func TestSimplifiedTable(t *testing.T) {
	if len(simplifiedOf) < 800 {
		t.Fatalf("%d characters", len(simplifiedOf))
	}
	for tr, s := range simplifiedOf {
		if tr == s || utf8.RuneLen(tr) != utf8.RuneLen(s) {
			t.Errorf("%c -> %c", tr, s)
		}
		if _, again := simplifiedOf[s]; again {
			t.Errorf("%c -> %c is mapped again", tr, s)
		}
	}
	for _, keep := range "著乾藉瞭甚" {
		if _, ok := simplifiedOf[keep]; ok {
			t.Errorf("%c is an ordinary simplified character, mapped", keep)
		}
	}
}

// A message in traditional characters is read as the same message in simplified.
func TestTraditionalReadAsSimplified(t *testing.T) {
	c := ParseContext{Now: pxNow, Loc: pxShanghai}
	for _, pair := range [][2]string{
		{"兩千五百", "两千五百"},
		{"想去東京 一月中旬 預算一萬人民幣", "想去东京 一月中旬 预算一万人民币"},
		{"下週六出發", "下周六出发"},
		{"聖誕節", "圣诞节"},
		{"兩個大人一個小孩", "两个大人一个小孩"},
		{"三千港幣", "三千港币"},
	} {
		got, want := Extract(pair[0], c), Extract(pair[1], c)
		if got.Budget == nil != (want.Budget == nil) || got.Budget != nil && *got.Budget != *want.Budget ||
			got.Destination != want.Destination || got.PartySize != want.PartySize || (got.Start == nil) != (want.Start == nil) ||
			got.Start != nil && *got.Start != *want.Start {
			t.Errorf("%q read as %+v, %q as %+v", pair[0], got, pair[1], want)
		}
	}
	for _, text := range []string{"我在東京護照丟了", "在曼谷被搶了"} {
		if _, ok := ReadEmergency(text); !ok {
			t.Errorf("%q: no emergency", text)
		}
	}
	if got := Simplified("綿陽一日游"); got != "绵阳一日游" {
		t.Errorf("Simplified: %q", got)
	}
}

// A place the gazetteer names in traditional characters, written in either, is no typo.
func TestTraditionalPlaceNameIsNoTypo(t *testing.T) {
	e := Extract("去花蓮", ParseContext{Now: pxNow, Loc: pxShanghai})
	if e.Destination == "" || e.Misspelt != "" {
		t.Errorf("去花蓮: %+v", e)
	}
}
