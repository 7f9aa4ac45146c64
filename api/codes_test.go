package api

import (
	"regexp"
	"testing"
)

// Every code has its text in both languages, and reads like the seed's codes.
func TestCodesTable(t *testing.T) {
	shape := regexp.MustCompile(`^(E-[1-9][0-9]{2}|LLM-10[1-5])$`)
	for _, c := range []Code{Network, Location, Weather, Login, Sync, PlaceLookup, EditFailed,
		LLMTimeout, LLMMalformed, LLMAuth, LLMUnavailable, LLMRateLimited,
		BadRequest, Unauthorized, Forbidden, NotFound, Conflict, TooLarge, TooMany, Internal} {
		if !shape.MatchString(string(c)) {
			t.Errorf("%q is not shaped like a code", c)
		}
		if c.Text("zh") == "" || c.Text("en") == "" {
			t.Errorf("%s: zh %q, en %q: want both", c, c.Text("zh"), c.Text("en"))
		}
	}
	if got, want := len(Codes), 20; got != want {
		t.Errorf("%d codes in the table, want %d (add the new one to this test)", got, want)
	}
}
