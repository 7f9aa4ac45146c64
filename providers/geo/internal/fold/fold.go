// Package fold reduces place names to the keys the gazetteer is indexed by, so that
// "São Paulo", "SAO PAULO" and "sao-paulo" meet. The generator and the look-up must fold
// the same way, which is why this lives apart from both.
package fold

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Latin letters with diacritics and their base letter, from Unicode's canonical
// decompositions of the Latin-1 Supplement, Latin Extended-A/B and Latin Extended
// Additional blocks (the last one carries Vietnamese).
const (
	accented = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïðñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĴĵĶķĸĹĺĻļĽľĿŀŁłŃńŅņŇňŊŋŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƁƆƊƎƏƐƒƘƙƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǝǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹɓɗəɛɔ"
	bases    = "aaaaaaceeeeiiiidnoooooouuuuyaaaaaaceeeeiiiidnoooooouuuuyyaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiijjkkkllllllllllnnnnnnnnoooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzbodeeefkkoouuaaiioouuuuuuuuuueaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyybdeeo"
)

var table = func() map[rune]string {
	m := make(map[rune]string, 533)
	b := 0
	for _, r := range accented {
		m[r] = bases[b : b+1]
		b++
	}
	for r, s := range map[rune]string{'Æ': "ae", 'Þ': "th", 'ß': "ss", 'æ': "ae", 'þ': "th", 'Œ': "oe", 'œ': "oe", 'ẞ': "ss", 'ʻ': "", 'ʼ': "", 'ʿ': "", 'ʾ': ""} {
		m[r] = s
	}
	return m
}()

// Key folds s: lower case, diacritics dropped, apostrophes removed, every other run of
// punctuation or space made one space, trimmed. Scripts other than Latin pass through
// lower-cased, so Chinese names are their own keys.
func Key(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		var out string
		switch {
		case r < utf8.RuneSelf:
			switch {
			case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
				out = string(r)
			case 'A' <= r && r <= 'Z':
				out = string(r + 'a' - 'A')
			case r == '\'' || r == '`':
				continue
			default:
				space = b.Len() > 0
				continue
			}
		case r == '’' || r == '‘':
			continue
		case unicode.Is(unicode.Mn, r):
			continue
		default:
			if s, ok := table[r]; ok {
				if s == "" {
					continue
				}
				out = s
			} else if unicode.IsLetter(r) || unicode.IsNumber(r) {
				out = string(unicode.ToLower(r))
			} else {
				space = b.Len() > 0
				continue
			}
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteString(out)
	}
	return b.String()
}

// IsHan reports whether s is written in Chinese characters only (ignoring spaces and
// the middle dot of transcribed foreign names).
func IsHan(s string) bool {
	n := 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			n++
		case r == ' ' || r == '·' || r == '・':
		default:
			return false
		}
	}
	return n > 0
}
