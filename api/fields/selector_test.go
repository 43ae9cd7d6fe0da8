package fields

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Expected strings and errors were checked against upstream's fields.ParseSelector.
func TestParseSelector(t *testing.T) {
	cases := []struct {
		in      string
		want    string
		reqs    []Requirement
		wantErr string
	}{
		{in: "", want: ""},
		{in: "a=b", want: "a=b", reqs: []Requirement{{"a", Equals, "b"}}},
		{in: "a==b", want: "a=b", reqs: []Requirement{{"a", Equals, "b"}}},
		{in: "a!=b", want: "a!=b", reqs: []Requirement{{"a", NotEquals, "b"}}},
		{in: "spec.nodeName=,metadata.name=x", want: "metadata.name=x,spec.nodeName=",
			reqs: []Requirement{{"metadata.name", Equals, "x"}, {"spec.nodeName", Equals, ""}}},
		{in: `a=b\,c`, want: `a=b\,c`, reqs: []Requirement{{"a", Equals, "b,c"}}},
		{in: `a=x\=y\\z`, want: `a=x\=y\\z`, reqs: []Requirement{{"a", Equals, `x=y\z`}}},
		{in: "a=b,,c=d", want: "a=b,c=d"},
		{in: "=", want: ""},
		{in: "=b", want: "=b"},
		{in: "a==b==c", wantErr: "invalid field selector: unescaped character in value: 61"},
		{in: "a=b=c", wantErr: "invalid field selector: unescaped character in value: 61"},
		{in: "a", wantErr: "invalid selector: 'a'; can't understand 'a'"},
		{in: "x=y,a", wantErr: "invalid selector: 'x=y,a'; can't understand 'a'"},
		{in: `a=\`, wantErr: `invalid field selector: invalid escape sequence: \`},
		{in: `a=\x`, wantErr: `invalid field selector: invalid escape sequence: \x`},
	}
	for _, c := range cases {
		sel, err := ParseSelector(c.in)
		if c.wantErr != "" {
			if err == nil || err.Error() != c.wantErr {
				t.Errorf("ParseSelector(%q) error = %v, want %s", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseSelector(%q): %v", c.in, err)
			continue
		}
		if got := sel.String(); got != c.want {
			t.Errorf("ParseSelector(%q).String() = %q, want %q", c.in, got, c.want)
		}
		if c.reqs != nil && !reflect.DeepEqual(sel.Requirements(), c.reqs) {
			t.Errorf("ParseSelector(%q).Requirements() = %v, want %v", c.in, sel.Requirements(), c.reqs)
		}
	}
}

func TestMatches(t *testing.T) {
	pod := Set{"metadata.name": "web", "spec.nodeName": "", "status.phase": "Running"}
	cases := []struct {
		sel  string
		want bool
	}{
		{"", true},
		{"metadata.name=web", true},
		{"metadata.name==web", true},
		{"metadata.name!=web", false},
		{"metadata.name=db", false},
		{"spec.nodeName=", true},
		{"spec.nodeName!=", false},
		{"status.podIP=", true}, // missing fields read as ""
		{"metadata.name=web,status.phase!=Failed", true},
		{"metadata.name=web,status.phase=Failed", false},
	}
	for _, c := range cases {
		sel, err := ParseSelector(c.sel)
		if err != nil {
			t.Fatalf("ParseSelector(%q): %v", c.sel, err)
		}
		if got := sel.Matches(pod); got != c.want {
			t.Errorf("%q.Matches = %v, want %v", c.sel, got, c.want)
		}
	}
}

func TestHelpers(t *testing.T) {
	if !Everything().Empty() || !Everything().Matches(nil) {
		t.Errorf("Everything misbehaves")
	}
	sel := OneTermEqualSelector("metadata.name", "a,b")
	if got := sel.String(); got != `metadata.name=a\,b` {
		t.Errorf("String = %q", got)
	}
	again, err := ParseSelector(sel.String())
	if err != nil || !reflect.DeepEqual(again.Requirements(), sel.Requirements()) {
		t.Errorf("round trip: %v %v", again, err)
	}
	if v, ok := sel.RequiresExactMatch("metadata.name"); !ok || v != "a,b" {
		t.Errorf("RequiresExactMatch = %q %v", v, ok)
	}
	if _, ok := OneTermNotEqualSelector("a", "b").RequiresExactMatch("a"); ok {
		t.Errorf("!= must not be an exact match")
	}
	if got := SelectorFromSet(Set{"b": "2", "a": "1"}).String(); got != "a=1,b=2" {
		t.Errorf("SelectorFromSet = %q", got)
	}
	and := AndSelectors(OneTermEqualSelector("a", "1"), OneTermNotEqualSelector("b", "2"))
	if got := and.String(); got != "a=1,b!=2" {
		t.Errorf("AndSelectors = %q", got)
	}
}

func TestCheckSupported(t *testing.T) {
	sel, _ := ParseSelector("metadata.name=a,foo=b")
	err := CheckSupported(sel, "metadata.name", "metadata.namespace")
	if err == nil || err.Error() != "field label not supported: foo" {
		t.Errorf("CheckSupported = %v", err)
	}
	if err := CheckSupported(sel, "metadata.name", "foo"); err != nil {
		t.Errorf("CheckSupported = %v", err)
	}
}

func FuzzParseFieldSelector(f *testing.F) {
	for _, seed := range []string{"", "a=b", "a==b,c!=d", `a=b\,c`, `a=\`, "=", "a=b=c", "x=é,y=\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		sel, err := ParseSelector(in)
		if err != nil {
			return
		}
		text := sel.String()
		again, err := ParseSelector(text)
		if err != nil {
			t.Fatalf("ParseSelector(%q) printed %q, which does not parse: %v", in, text, err)
		}
		// Parsing sorts the raw terms, so "a==z,a=b" may print in another order than its
		// re-parse: compare the terms as sets.
		sortTerms := func(rs []Requirement) []Requirement {
			slices.SortFunc(rs, func(a, b Requirement) int {
				return strings.Compare(a.Field+"\x00"+string(a.Operator)+"\x00"+a.Value, b.Field+"\x00"+string(b.Operator)+"\x00"+b.Value)
			})
			return rs
		}
		if !reflect.DeepEqual(sortTerms(sel.Requirements()), sortTerms(again.Requirements())) {
			t.Fatalf("ParseSelector(%q) = %v, re-parsing %q gives %v", in, sel.Requirements(), text, again.Requirements())
		}
	})
}
