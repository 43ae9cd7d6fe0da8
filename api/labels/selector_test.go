package labels

import (
	"strings"
	"testing"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

const keyNameMsg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"

const valueMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

// The expected strings and errors below were checked against upstream's labels.Parse.
func TestParse(t *testing.T) {
	cases := []struct {
		in      string
		want    string // canonical String() of the parsed selector
		wantErr string
	}{
		{in: "", want: ""},
		{in: "  ", want: ""},
		{in: "x", want: "x"},
		{in: "!x", want: "!x"},
		{in: "x=a", want: "x=a"},
		{in: "x==a", want: "x==a"},
		{in: "x!=a", want: "x!=a"},
		{in: "x=", want: "x="},
		{in: "x>1", want: "x>1"},
		{in: "x<10", want: "x<10"},
		{in: "x in (a,b),!y,z", want: "x in (a,b),!y,z"},
		{in: "z,y,x", want: "x,y,z"},
		{in: "x notin (c, b ,a)", want: "x notin (a,b,c)"},
		{in: "x in (b,a,b)", want: "x in (a,b)"},
		{in: "x in ()", want: "x in ()"},
		{in: "x in (,a)", want: "x in (,a)"},
		{in: "x in (a,,b)", want: "x in (,a,b)"},
		{in: "x in (a,,)", want: "x in (,a)"},
		{in: "x in (,,)", want: "x in ()"},
		{in: "x in (in)", want: "x in (in)"},
		{in: "in in (notin)", want: "in in (notin)"},
		{in: "x = in", want: "x=in"},
		{in: "key.with.dots=v,example.com/k!=v2", want: "example.com/k!=v2,key.with.dots=v"},
		{in: "x\ty ", wantErr: "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"},
		{in: "x=a,,", wantErr: "found ',', expected: identifier after ','"},
		{in: "x,", wantErr: "found '', expected: identifier after ','"},
		{in: ",x", wantErr: "found ',', expected: !, identifier, or 'end of string'"},
		{in: "!x=a", wantErr: "found '=', expected: ',' or 'end of string'"},
		{in: "x in (a b)", wantErr: "unable to parse requirement: found 'b', expected: ',' or ')'"},
		{in: "x (a)", wantErr: "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"},
		{in: "x in a", wantErr: "unable to parse requirement: found 'a' expected: '('"},
		{in: "x in ((a))", wantErr: "unable to parse requirement: found '(', expected: ',', ')' or identifier"},
		{in: "x in (a", wantErr: "unable to parse requirement: found '', expected: ',' or ')'"},
		{in: "x=(", wantErr: "unable to parse requirement: found '(', expected: identifier"},
		{in: "a$b", wantErr: `unable to parse requirement: <nil>: Invalid value: "a$b": ` + keyNameMsg},
		{in: "a=b$c", wantErr: `unable to parse requirement: values[0][a]: Invalid value: "b$c": ` + valueMsg},
		{in: "x<-1", wantErr: `unable to parse requirement: values[0][x]: Invalid value: "-1": ` + valueMsg},
		{in: "x>a", wantErr: `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`},
	}
	for _, c := range cases {
		sel, err := Parse(c.in)
		if c.wantErr != "" {
			if err == nil || err.Error() != c.wantErr {
				t.Errorf("Parse(%q) error = %v\nwant %s", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got := sel.String(); got != c.want {
			t.Errorf("Parse(%q).String() = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMatches(t *testing.T) {
	labels := Set{"app": "web", "tier": "front", "n": "5", "empty": ""}
	cases := []struct {
		sel  string
		want bool
	}{
		{"", true},
		{"app", true},
		{"!app", false},
		{"missing", false},
		{"!missing", true},
		{"app=web", true},
		{"app==web", true},
		{"app=db", false},
		{"app!=db", true},
		{"missing!=db", true},
		{"app in (web,db)", true},
		{"app in (db)", false},
		{"missing in (db)", false},
		{"app notin (db)", true},
		{"app notin (web)", false},
		{"missing notin (web)", true},
		{"empty=", true},
		{"empty in ()", true},
		{"missing=", false},
		{"n>4", true},
		{"n>5", false},
		{"n<6", true},
		{"app>1", false},
		{"missing<1", false},
		{"app=web,tier=front", true},
		{"app=web,tier=back", false},
	}
	for _, c := range cases {
		sel, err := Parse(c.sel)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.sel, err)
		}
		if got := sel.Matches(labels); got != c.want {
			t.Errorf("%q.Matches(%v) = %v, want %v", c.sel, labels, got, c.want)
		}
	}
}

func TestEverythingNothing(t *testing.T) {
	if !Everything().Empty() || !Everything().Matches(nil) || Everything().String() != "" {
		t.Errorf("Everything misbehaves")
	}
	if Nothing().Empty() || Nothing().Matches(Set{"a": "b"}) || Nothing().String() != "" {
		t.Errorf("Nothing misbehaves")
	}
	if _, selectable := Nothing().Requirements(); selectable {
		t.Errorf("Nothing must not be selectable")
	}
	if reqs, selectable := Everything().Requirements(); !selectable || len(reqs) != 0 {
		t.Errorf("Everything.Requirements = %v, %v", reqs, selectable)
	}
}

func TestSelectorFromSet(t *testing.T) {
	sel := SelectorFromSet(Set{"b": "2", "a": "1"})
	if got := sel.String(); got != "a=1,b=2" {
		t.Errorf("String = %q", got)
	}
	if !sel.Matches(Set{"a": "1", "b": "2", "c": "3"}) || sel.Matches(Set{"a": "1"}) {
		t.Errorf("Matches wrong")
	}
	if !SelectorFromSet(nil).Empty() {
		t.Errorf("empty set must select everything")
	}
	if v, ok := sel.RequiresExactMatch("b"); !ok || v != "2" {
		t.Errorf("RequiresExactMatch(b) = %q, %v", v, ok)
	}
	if _, ok := sel.RequiresExactMatch("c"); ok {
		t.Errorf("RequiresExactMatch(c) found")
	}
	added := sel.Add(Requirement{Key: "0", Operator: Exists})
	if got := added.String(); got != "0,a=1,b=2" {
		t.Errorf("Add = %q", got)
	}
	if got := sel.String(); got != "a=1,b=2" {
		t.Errorf("Add modified the original: %q", got)
	}
}

func TestFromLabelSelector(t *testing.T) {
	cases := []struct {
		name    string
		sel     *metav1.LabelSelector
		want    string
		format  string
		wantErr string
	}{
		{name: "nil selects nothing", sel: nil, want: "", format: "<none>"},
		{name: "empty selects everything", sel: &metav1.LabelSelector{}, want: "", format: "<none>"},
		{name: "match labels", sel: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "nginx"}},
			want: "app=nginx", format: "app=nginx"},
		{name: "sorted by key", sel: &metav1.LabelSelector{
			MatchLabels: map[string]string{"b": "1", "a": "2"},
			MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "tier", Operator: "In", Values: []string{"b", "a"}},
				{Key: "canary", Operator: "DoesNotExist"},
				{Key: "env", Operator: "Exists"},
				{Key: "zone", Operator: "NotIn", Values: []string{"z1"}},
			}},
			want: "a=2,b=1,!canary,env,tier in (a,b),zone notin (z1)", format: "a=2,b=1,!canary,env,tier in (a,b),zone notin (z1)"},
		{name: "bad operator", sel: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "x", Operator: "Gt", Values: []string{"1"}}}},
			wantErr: `"Gt" is not a valid label selector operator`, format: "<error>"},
		{name: "in without values", sel: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "x", Operator: "In"}}},
			wantErr: `values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty`, format: "<error>"},
		{name: "exists with values", sel: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "x", Operator: "Exists", Values: []string{"a"}}}},
			wantErr: `values: Invalid value: ["a"]: values set must be empty for exists and does not exist`, format: "<error>"},
		{name: "several problems", sel: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "x y", Operator: "NotIn", Values: []string{"a b", "c"}}}},
			wantErr: `[key: Invalid value: "x y": ` + keyNameMsg + `, values[0][x y]: Invalid value: "a b": ` + valueMsg + `]`, format: "<error>"},
		{name: "bad match label value", sel: &metav1.LabelSelector{MatchLabels: map[string]string{"a": "b c"}},
			wantErr: `values[0][a]: Invalid value: "b c": ` + valueMsg, format: "<error>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := FormatLabelSelector(c.sel); got != c.format {
				t.Errorf("FormatLabelSelector = %q, want %q", got, c.format)
			}
			sel, err := FromLabelSelector(c.sel)
			if c.wantErr != "" {
				if err == nil || err.Error() != c.wantErr {
					t.Errorf("error = %v\nwant %s", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := sel.String(); got != c.want {
				t.Errorf("String = %q, want %q", got, c.want)
			}
		})
	}
	// nil selects nothing even though it prints like everything.
	if sel, _ := FromLabelSelector(nil); sel.Matches(Set{}) {
		t.Errorf("nil selector matched")
	}
	if sel, _ := FromLabelSelector(&metav1.LabelSelector{}); !sel.Matches(Set{"a": "b"}) {
		t.Errorf("empty selector did not match")
	}
}

func TestNewRequirementOperators(t *testing.T) {
	if _, err := NewRequirement("x", "~", []string{"a"}); err == nil ||
		err.Error() != `operator: Unsupported value: "~": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"` {
		t.Errorf("bad operator error = %v", err)
	}
	if _, err := NewRequirement("x", Equals, []string{"a", "b"}); err == nil ||
		err.Error() != `values: Invalid value: ["a","b"]: exact-match compatibility requires one single value` {
		t.Errorf("equals error = %v", err)
	}
	if _, err := NewRequirement("x", GreaterThan, []string{"1", "2"}); err == nil ||
		err.Error() != `values: Invalid value: ["1","2"]: for 'Gt', 'Lt' operators, exactly one value is required` {
		t.Errorf("gt error = %v", err)
	}
}

func TestFormatLabels(t *testing.T) {
	if got := FormatLabels(nil); got != "<none>" {
		t.Errorf("FormatLabels(nil) = %q", got)
	}
	if got := FormatLabels(Set{"b": "2", "a": "1"}); got != "a=1,b=2" {
		t.Errorf("FormatLabels = %q", got)
	}
}

func TestValidateLabel(t *testing.T) {
	if errs := ValidateLabelKey("app.kubernetes.io/name"); errs != nil {
		t.Errorf("key: %v", errs)
	}
	if errs := ValidateLabelKey("-bad"); len(errs) != 1 || errs[0] != keyNameMsg {
		t.Errorf("bad key: %q", errs)
	}
	if errs := ValidateLabelValue(strings.Repeat("v", 64)); len(errs) != 1 || errs[0] != "must be no more than 63 bytes" {
		t.Errorf("long value: %q", errs)
	}
}
