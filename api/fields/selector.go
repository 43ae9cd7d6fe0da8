// Package fields selects objects by a few of their fields: it parses field selectors in
// upstream's string syntax ("metadata.name=web,spec.nodeName!=", as the fieldSelector query
// parameter and kubectl's --field-selector carry them) and matches them against the field
// values an object exposes.
//
// Promise: ParseSelector accepts what upstream's fields.ParseSelector accepts, with the same
// escaping rules (a value may contain '\,', '\=' and '\\') and the same error messages; String
// prints values escaped so that it parses back to an equal selector. Which field names a kind
// supports is the apiserver's decision: it inspects Requirements and rejects unknown names
// with UnsupportedFieldError. Everything here is pure.
package fields

import (
	"fmt"
	"slices"
	"strings"
)

// Set holds the selectable fields of one object, name to value ("metadata.name": "web").
// A field missing from the set has the value "".
type Set = map[string]string

// Operator relates a field to a value; the strings are upstream's selection operators.
type Operator string

// The operators a field selector term can use.
const (
	Equals       Operator = "="
	DoubleEquals Operator = "=="
	NotEquals    Operator = "!="
)

// Requirement is one term of a field selector: Field Operator Value. Parsing normalizes "=="
// to Equals.
type Requirement struct {
	Field    string
	Operator Operator
	Value    string
}

// Selector is the AND of its terms.
type Selector interface {
	// Matches reports whether the object's fields satisfy every term.
	Matches(fields Set) bool
	// Empty reports whether the selector selects everything.
	Empty() bool
	// String renders the selector in the syntax ParseSelector reads, values escaped.
	String() string
	// Requirements lists the terms, so the apiserver can check the field names it supports.
	Requirements() []Requirement
	// RequiresExactMatch reports whether some term pins field to one value with "=", and
	// which value; storage uses it to narrow a list (pods by spec.nodeName, for example).
	RequiresExactMatch(field string) (value string, found bool)
}

// terms is the only Selector implementation: a list of terms that must all hold.
type terms []Requirement

// Everything returns the selector that selects every object.
func Everything() Selector { return terms(nil) }

// OneTermEqualSelector returns the selector "k=v".
func OneTermEqualSelector(k, v string) Selector {
	return terms{{Field: k, Operator: Equals, Value: v}}
}

// OneTermNotEqualSelector returns the selector "k!=v".
func OneTermNotEqualSelector(k, v string) Selector {
	return terms{{Field: k, Operator: NotEquals, Value: v}}
}

// SelectorFromSet returns the selector requiring every field of the set to have its value.
func SelectorFromSet(set Set) Selector {
	ts := make(terms, 0, len(set))
	for k, v := range set {
		ts = append(ts, Requirement{Field: k, Operator: Equals, Value: v})
	}
	slices.SortFunc(ts, func(a, b Requirement) int { return strings.Compare(a.Field, b.Field) })
	return ts
}

// AndSelectors returns the selector requiring all of the given ones.
func AndSelectors(selectors ...Selector) Selector {
	var ts terms
	for _, s := range selectors {
		ts = append(ts, s.Requirements()...)
	}
	return ts
}

func (ts terms) Matches(fields Set) bool {
	for _, t := range ts {
		// A missing field reads as "": "spec.nodeName=" selects unscheduled pods.
		equal := fields[t.Field] == t.Value
		if equal == (t.Operator == NotEquals) {
			return false
		}
	}
	return true
}

func (ts terms) Empty() bool { return len(ts) == 0 }

func (ts terms) String() string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		op := "="
		if t.Operator == NotEquals {
			op = "!="
		}
		parts[i] = t.Field + op + EscapeValue(t.Value)
	}
	return strings.Join(parts, ",")
}

func (ts terms) Requirements() []Requirement { return slices.Clone(ts) }

func (ts terms) RequiresExactMatch(field string) (string, bool) {
	for _, t := range ts {
		if t.Field == field && t.Operator != NotEquals {
			return t.Value, true
		}
	}
	return "", false
}

// UnsupportedFieldError is the error for a field name a kind does not let clients select on;
// upstream words it "field label not supported: <name>" and answers 400 Bad Request.
func UnsupportedFieldError(field string) error {
	return fmt.Errorf("field label not supported: %s", field)
}

// CheckSupported returns UnsupportedFieldError for the first term whose field is not in
// supported, or nil.
func CheckSupported(sel Selector, supported ...string) error {
	for _, r := range sel.Requirements() {
		if !slices.Contains(supported, r.Field) {
			return UnsupportedFieldError(r.Field)
		}
	}
	return nil
}
