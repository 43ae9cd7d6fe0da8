package labels

import (
	"testing"
)

// FuzzParseSelector checks that parsing never panics and that a parsed selector survives
// String and Parse again: same canonical text, same decisions on sample label sets.
func FuzzParseSelector(f *testing.F) {
	for _, seed := range []string{
		"", "x", "!x", "x=a", "x==a", "x!=a", "x=", "x in (a,b)", "x notin ()", "x in (,a,,b)",
		"in in (notin)", "x>1,y<2", "a.b/c=d,!e", "x in (a b)", "!x=a", "x,", ",", "a\x00=b",
	} {
		f.Add(seed)
	}
	samples := []Set{
		nil,
		{"x": "a"},
		{"x": "", "y": "1"},
		{"x": "b", "in": "notin", "a.b/c": "d"},
		{"x": "5", "y": "-3", "e": "1"},
	}
	f.Fuzz(func(t *testing.T, in string) {
		sel, err := Parse(in)
		if err != nil {
			return
		}
		text := sel.String()
		again, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(%q) printed %q, which does not parse: %v", in, text, err)
		}
		if again.String() != text {
			t.Fatalf("Parse(%q) printed %q, re-parsed prints %q", in, text, again.String())
		}
		for _, ls := range samples {
			if sel.Matches(ls) != again.Matches(ls) {
				t.Fatalf("Parse(%q) and Parse(%q) disagree on %v", in, text, ls)
			}
		}
	})
}
