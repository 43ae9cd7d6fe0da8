package labels

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/skiff-k8s/skiff/api/names"
)

// Operator relates a label key to a requirement's values. The strings are upstream's
// selection.Operator values; they appear in error messages.
type Operator string

// The operators a Requirement can use.
const (
	DoesNotExist Operator = "!"
	Equals       Operator = "="
	DoubleEquals Operator = "=="
	In           Operator = "in"
	NotEquals    Operator = "!="
	NotIn        Operator = "notin"
	Exists       Operator = "exists"
	GreaterThan  Operator = "gt"
	LessThan     Operator = "lt"
)

// binaryOperators are the operators that take values, in the order upstream lists them in
// "expected: ..." parse errors.
var binaryOperators = []Operator{In, NotIn, Equals, DoubleEquals, NotEquals, GreaterThan, LessThan}

// Requirement is one condition of a selector: Key, Operator and (depending on the operator)
// Values. Build it with NewRequirement, which validates it; a selector is the AND of its
// requirements.
type Requirement struct {
	Key      string
	Operator Operator
	// Values has one element for =, ==, !=, gt and lt, at least one for in and notin, and
	// none for exists and !. The empty string is a valid value.
	Values []string
}

// NewRequirement validates and builds a Requirement. The error lists every problem, worded as
// upstream's field errors ("key: Invalid value: ...", "values[0][tier]: Invalid value: ...").
func NewRequirement(key string, op Operator, values []string) (*Requirement, error) {
	var errs []string
	if err := validateKey(key, "key"); err != "" {
		errs = append(errs, err)
	}
	switch op {
	case In, NotIn:
		if len(values) == 0 {
			errs = append(errs, invalidValue("values", values, "for 'in', 'notin' operators, values set can't be empty"))
		}
	case Equals, DoubleEquals, NotEquals:
		if len(values) != 1 {
			errs = append(errs, invalidValue("values", values, "exact-match compatibility requires one single value"))
		}
	case Exists, DoesNotExist:
		if len(values) != 0 {
			errs = append(errs, invalidValue("values", values, "values set must be empty for exists and does not exist"))
		}
	case GreaterThan, LessThan:
		if len(values) != 1 {
			errs = append(errs, invalidValue("values", values, "for 'Gt', 'Lt' operators, exactly one value is required"))
		}
		for i, v := range values {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				errs = append(errs, invalidValue(fmt.Sprintf("values[%d]", i), v, "for 'Gt', 'Lt' operators, the value must be an integer"))
			}
		}
	default:
		errs = append(errs, unsupportedOperator(op))
	}
	for i, v := range values {
		if msgs := names.IsLabelValue(v); len(msgs) > 0 {
			errs = append(errs, invalidValue(fmt.Sprintf("values[%d][%s]", i, key), v, strings.Join(msgs, "; ")))
		}
	}
	r := &Requirement{Key: key, Operator: op, Values: values}
	if len(errs) > 0 {
		return r, aggregate(errs)
	}
	return r, nil
}

// Matches reports whether the labels satisfy the requirement. A missing key satisfies only
// notin, != and !; gt and lt compare the label value as a decimal integer.
func (r *Requirement) Matches(ls Set) bool {
	value, has := ls[r.Key]
	switch r.Operator {
	case In, Equals, DoubleEquals:
		return has && slices.Contains(r.Values, value)
	case NotIn, NotEquals:
		return !has || !slices.Contains(r.Values, value)
	case Exists:
		return has
	case DoesNotExist:
		return !has
	case GreaterThan, LessThan:
		if !has || len(r.Values) != 1 {
			return false
		}
		have, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return false
		}
		want, err := strconv.ParseInt(r.Values[0], 10, 64)
		if err != nil {
			return false
		}
		if r.Operator == GreaterThan {
			return have > want
		}
		return have < want
	}
	return false
}

// String renders the requirement in selector syntax ("tier in (a,b)", "!canary", "app=web"),
// with set values sorted so equal requirements print alike.
func (r *Requirement) String() string {
	var b strings.Builder
	if r.Operator == DoesNotExist {
		b.WriteString("!")
	}
	b.WriteString(r.Key)
	switch r.Operator {
	case Exists, DoesNotExist:
		return b.String()
	case In, NotIn:
		b.WriteString(" " + string(r.Operator) + " (")
	case GreaterThan:
		b.WriteString(">")
	case LessThan:
		b.WriteString("<")
	default: // =, == and != print as themselves
		b.WriteString(string(r.Operator))
	}
	values := r.Values
	if !slices.IsSorted(values) {
		values = slices.Sorted(slices.Values(values))
	}
	b.WriteString(strings.Join(values, ","))
	if r.Operator == In || r.Operator == NotIn {
		b.WriteString(")")
	}
	return b.String()
}

// validateKey checks a label key; path is the field path upstream reports it under ("key"
// from NewRequirement, "<nil>" from the parser, which has no path). It returns "" if valid.
func validateKey(key, path string) string {
	if msgs := names.IsQualifiedName(key); len(msgs) > 0 {
		return invalidValue(path, key, strings.Join(msgs, "; "))
	}
	return ""
}

// invalidValue renders one upstream "Invalid value" field error. Strings are quoted Go-style,
// anything else (value lists) as JSON, as upstream's field.Error does.
func invalidValue(path string, value any, detail string) string {
	return path + ": Invalid value: " + renderValue(value) + ": " + detail
}

func unsupportedOperator(op Operator) string {
	supported := make([]string, 0, 9)
	for _, o := range append(slices.Clone(binaryOperators), Exists, DoesNotExist) {
		supported = append(supported, strconv.Quote(string(o)))
	}
	return "operator: Unsupported value: " + renderValue(string(op)) + ": supported values: " + strings.Join(supported, ", ")
}

func renderValue(value any) string {
	switch v := value.(type) {
	case string:
		return strconv.Quote(v)
	case []string:
		// The value lists upstream reports are built by appending to a nil slice, so an
		// empty list prints as null.
		if len(v) == 0 {
			return "null"
		}
	}
	out, err := json.Marshal(value)
	if err != nil {
		return fmt.Sprintf("%#v", value)
	}
	return string(out)
}

// aggregate joins several error messages the way upstream's utilerrors.Aggregate prints them:
// one message alone, several de-duplicated inside brackets.
func aggregate(msgs []string) error {
	var unique []string
	for _, m := range msgs {
		if !slices.Contains(unique, m) {
			unique = append(unique, m)
		}
	}
	if len(unique) == 1 {
		return fmt.Errorf("%s", unique[0])
	}
	return fmt.Errorf("[%s]", strings.Join(unique, ", "))
}
