package labels

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/names"
)

// Set is a map of labels, as found in ObjectMeta.Labels.
type Set = map[string]string

// Selector decides which label sets an object must have to be selected.
type Selector interface {
	// Matches reports whether the labels satisfy every requirement.
	Matches(labels Set) bool
	// Empty reports whether the selector selects everything.
	Empty() bool
	// String renders the selector in the syntax Parse reads; "" for Everything and Nothing.
	String() string
	// Requirements returns the requirements, ordered by key. selectable is false for the
	// selector that selects nothing, whose (empty) requirement list must not be mistaken for
	// "everything".
	Requirements() (requirements []Requirement, selectable bool)
	// RequiresExactMatch reports whether the selector pins label to one value (with =, == or
	// an in with a single value) and which one; caches use it to pick an index.
	RequiresExactMatch(label string) (value string, found bool)
	// Add returns a new selector with the extra requirements.
	Add(requirements ...Requirement) Selector
}

// requirements is the ordinary selector: the AND of its requirements, kept sorted by key so
// String is deterministic.
type requirements []Requirement

// Everything returns the selector that selects every object.
func Everything() Selector { return requirements(nil) }

// Nothing returns the selector that selects no object (a nil metav1.LabelSelector).
func Nothing() Selector { return nothing{} }

func (rs requirements) Matches(ls Set) bool {
	for i := range rs {
		if !rs[i].Matches(ls) {
			return false
		}
	}
	return true
}

func (rs requirements) Empty() bool { return len(rs) == 0 }

func (rs requirements) String() string {
	parts := make([]string, len(rs))
	for i := range rs {
		parts[i] = rs[i].String()
	}
	return strings.Join(parts, ",")
}

func (rs requirements) Requirements() ([]Requirement, bool) { return slices.Clone(rs), true }

func (rs requirements) RequiresExactMatch(label string) (string, bool) {
	for _, r := range rs {
		if r.Key != label {
			continue
		}
		switch r.Operator {
		case Equals, DoubleEquals, In:
			if len(r.Values) == 1 {
				return r.Values[0], true
			}
		}
		return "", false
	}
	return "", false
}

func (rs requirements) Add(more ...Requirement) Selector {
	out := make(requirements, 0, len(rs)+len(more))
	out = append(out, rs...)
	out = append(out, more...)
	sortByKey(out)
	return out
}

func sortByKey(rs []Requirement) {
	slices.SortStableFunc(rs, func(a, b Requirement) int { return cmp.Compare(a.Key, b.Key) })
}

// nothing is the selector that matches no labels at all.
type nothing struct{}

func (nothing) Matches(Set) bool                         { return false }
func (nothing) Empty() bool                              { return false }
func (nothing) String() string                           { return "" }
func (nothing) Requirements() ([]Requirement, bool)      { return nil, false }
func (nothing) RequiresExactMatch(string) (string, bool) { return "", false }
func (n nothing) Add(...Requirement) Selector            { return n }

// SelectorFromSet returns the selector requiring exactly these labels (key=value for each).
// An empty set selects everything. The set is not validated: it comes from objects that were.
func SelectorFromSet(set Set) Selector {
	if len(set) == 0 {
		return Everything()
	}
	rs := make(requirements, 0, len(set))
	for _, k := range slices.Sorted(maps.Keys(set)) {
		rs = append(rs, Requirement{Key: k, Operator: Equals, Values: []string{set[k]}})
	}
	return rs
}

// FromLabelSelector converts the API's LabelSelector (matchLabels and matchExpressions) into a
// Selector: nil selects nothing, an empty one selects everything. Bad operators, keys or
// values are errors worded as upstream's.
func FromLabelSelector(ps *metav1.LabelSelector) (Selector, error) {
	if ps == nil {
		return Nothing(), nil
	}
	if len(ps.MatchLabels)+len(ps.MatchExpressions) == 0 {
		return Everything(), nil
	}
	rs := make(requirements, 0, len(ps.MatchLabels)+len(ps.MatchExpressions))
	for _, k := range slices.Sorted(maps.Keys(ps.MatchLabels)) {
		r, err := NewRequirement(k, Equals, []string{ps.MatchLabels[k]})
		if err != nil {
			return nil, err
		}
		rs = append(rs, *r)
	}
	for _, expr := range ps.MatchExpressions {
		var op Operator
		switch expr.Operator {
		case metav1.LabelSelectorOpIn:
			op = In
		case metav1.LabelSelectorOpNotIn:
			op = NotIn
		case metav1.LabelSelectorOpExists:
			op = Exists
		case metav1.LabelSelectorOpDoesNotExist:
			op = DoesNotExist
		default:
			return nil, fmt.Errorf("%q is not a valid label selector operator", expr.Operator)
		}
		r, err := NewRequirement(expr.Key, op, slices.Clone(expr.Values))
		if err != nil {
			return nil, err
		}
		rs = append(rs, *r)
	}
	sortByKey(rs)
	return rs, nil
}

// FormatLabelSelector renders a LabelSelector as kubectl's SELECTOR columns and the HPA's
// status.selector show it: "app=nginx,tier in (a,b)", "<none>" when it selects everything or
// nothing, "<error>" when it is invalid.
func FormatLabelSelector(ps *metav1.LabelSelector) string {
	sel, err := FromLabelSelector(ps)
	if err != nil {
		return "<error>"
	}
	if s := sel.String(); s != "" {
		return s
	}
	return "<none>"
}

// FormatLabels renders a label map as kubectl's LABELS column does: sorted "k=v" pairs joined
// by commas, or "<none>".
func FormatLabels(set Set) string {
	pairs := make([]string, 0, len(set))
	for k, v := range set {
		pairs = append(pairs, k+"="+v)
	}
	if len(pairs) == 0 {
		return "<none>"
	}
	slices.Sort(pairs)
	return strings.Join(pairs, ",")
}

// ValidateLabelKey checks a label key (a qualified name) and returns upstream's messages, nil
// when valid.
func ValidateLabelKey(k string) []string { return names.IsQualifiedName(k) }

// ValidateLabelValue checks a label value and returns upstream's messages, nil when valid.
func ValidateLabelValue(v string) []string { return names.IsLabelValue(v) }
