package validation

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// Path is the location of a field, built up as validation descends: spec.containers[0].name.
type Path struct {
	name   string // a field name, or "" when this step is an index or key
	index  string // "[0]" or "[key]"
	parent *Path
}

// NewPath starts a path at a root field name.
func NewPath(name string, more ...string) *Path {
	p := &Path{name: name}
	for _, m := range more {
		p = p.Child(m)
	}
	return p
}

// Child descends into a field.
func (p *Path) Child(name string, more ...string) *Path {
	c := &Path{name: name, parent: p}
	for _, m := range more {
		c = c.Child(m)
	}
	return c
}

// Index descends into a list element.
func (p *Path) Index(i int) *Path { return &Path{index: "[" + strconv.Itoa(i) + "]", parent: p} }

// Key descends into a map entry.
func (p *Path) Key(k string) *Path { return &Path{index: "[" + k + "]", parent: p} }

// String renders the path as upstream does: "spec.containers[0].name".
func (p *Path) String() string {
	if p == nil {
		return "<nil>"
	}
	var steps []*Path
	for q := p; q != nil; q = q.parent {
		steps = append(steps, q)
	}
	var b strings.Builder
	for i := len(steps) - 1; i >= 0; i-- {
		s := steps[i]
		if s.index != "" {
			b.WriteString(s.index)
			continue
		}
		if s.name == "" {
			// An unnamed step prints as an empty index, as upstream's does: NewPath("") is "[]".
			b.WriteString("[]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.name)
	}
	return b.String()
}

// ErrorType is the kind of a field error; its value is the StatusCause reason upstream sends.
type ErrorType string

// The error types, with the reason strings of upstream's StatusCause.
const (
	ErrorTypeNotFound     ErrorType = metav1.CauseTypeFieldValueNotFound
	ErrorTypeRequired     ErrorType = metav1.CauseTypeFieldValueRequired
	ErrorTypeDuplicate    ErrorType = metav1.CauseTypeFieldValueDuplicate
	ErrorTypeInvalid      ErrorType = metav1.CauseTypeFieldValueInvalid
	ErrorTypeNotSupported ErrorType = metav1.CauseTypeFieldValueNotSupported
	ErrorTypeForbidden    ErrorType = metav1.CauseTypeFieldValueForbidden
	ErrorTypeTooLong      ErrorType = metav1.CauseTypeFieldValueTooLong
	ErrorTypeTooMany      ErrorType = "FieldValueTooMany"
	ErrorTypeInternal     ErrorType = "InternalError"
)

// describe is the human phrase upstream prints for each type.
func (t ErrorType) describe() string {
	switch t {
	case ErrorTypeNotFound:
		return "Not found"
	case ErrorTypeRequired:
		return "Required value"
	case ErrorTypeDuplicate:
		return "Duplicate value"
	case ErrorTypeInvalid:
		return "Invalid value"
	case ErrorTypeNotSupported:
		return "Unsupported value"
	case ErrorTypeForbidden:
		return "Forbidden"
	case ErrorTypeTooLong:
		return "Too long"
	case ErrorTypeTooMany:
		return "Too many"
	case ErrorTypeInternal:
		return "Internal error"
	}
	return string(t)
}

// Error is one invalid field.
type Error struct {
	Type     ErrorType
	Field    string
	BadValue any
	Detail   string
	// omitValue is set for types whose message never shows the value (Required, Forbidden...).
	omitValue bool
}

// Error renders "field: Type: value: detail" as upstream does.
func (e *Error) Error() string {
	return e.Field + ": " + e.ErrorBody()
}

// ErrorBody is the message without the field path (used as the StatusCause message).
func (e *Error) ErrorBody() string {
	s := e.Type.describe()
	if !e.omitValue {
		s += ": " + formatValue(e.BadValue)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// formatValue prints a bad value the way upstream's field errors do: 32/64-bit integers,
// floats and booleans bare, strings quoted Go-style, anything else as JSON (so a pointer
// prints what it points at, a nil one "null", and a selector or a list its JSON form).
func formatValue(v any) string {
	switch x := v.(type) {
	case int64, int32, float64, float32, bool:
		return fmt.Sprint(x)
	case string:
		return strconv.Quote(x)
	}
	b, err := json.Marshal(v)
	if err == nil {
		return string(b)
	}
	if s, ok := v.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%#v", v)
}

// ErrorList is every problem found in one object.
type ErrorList []*Error

// ToAggregate joins the messages with ", " inside brackets when there are several, as
// upstream's aggregate error prints.
func (l ErrorList) String() string {
	if len(l) == 1 {
		return l[0].Error()
	}
	msgs := make([]string, 0, len(l))
	seen := map[string]bool{}
	for _, e := range l {
		m := e.Error()
		if !seen[m] {
			seen[m] = true
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 1 {
		return msgs[0]
	}
	return "[" + strings.Join(msgs, ", ") + "]"
}

// Causes turns the list into StatusCauses for a 422 response.
func (l ErrorList) Causes() []metav1.StatusCause {
	out := make([]metav1.StatusCause, 0, len(l))
	for _, e := range l {
		out = append(out, metav1.StatusCause{Type: string(e.Type), Message: e.ErrorBody(), Field: e.Field})
	}
	return out
}

// Required says a field must be set.
func Required(p *Path, detail string) *Error {
	return &Error{Type: ErrorTypeRequired, Field: p.String(), Detail: detail, omitValue: true}
}

// Invalid says a field's value is wrong.
func Invalid(p *Path, value any, detail string) *Error {
	return &Error{Type: ErrorTypeInvalid, Field: p.String(), BadValue: value, Detail: detail}
}

// Duplicate says a value appears twice where it must be unique.
func Duplicate(p *Path, value any) *Error {
	return &Error{Type: ErrorTypeDuplicate, Field: p.String(), BadValue: value}
}

// NotFound says a referenced value does not exist.
func NotFound(p *Path, value any) *Error {
	return &Error{Type: ErrorTypeNotFound, Field: p.String(), BadValue: value}
}

// Forbidden says a field may not be set (or changed) here.
func Forbidden(p *Path, detail string) *Error {
	return &Error{Type: ErrorTypeForbidden, Field: p.String(), Detail: detail, omitValue: true}
}

// TooLong says a value exceeds its maximum length in bytes. The value itself is never shown
// (it may be huge); a negative max leaves the limit out of the message.
func TooLong(p *Path, value any, max int) *Error {
	detail := "value is too long"
	if max >= 0 {
		detail = fmt.Sprintf("may not be more than %d %s", max, plural(max, "byte", "bytes"))
	}
	return &Error{Type: ErrorTypeTooLong, Field: p.String(), BadValue: value, Detail: detail, omitValue: true}
}

// TooMany says a list has more items than allowed; actual is shown when known (>= 0).
func TooMany(p *Path, actual, max int) *Error {
	detail := "has too many items"
	if max >= 0 {
		detail = fmt.Sprintf("must have at most %d %s", max, plural(max, "item", "items"))
	}
	e := &Error{Type: ErrorTypeTooMany, Field: p.String(), BadValue: actual, Detail: detail}
	if actual < 0 {
		e.omitValue = true
	}
	return e
}

// plural picks the singular for exactly one, as upstream's messages do ("1 byte").
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// NotSupported says a value is not one of the allowed ones, listing them as upstream does.
func NotSupported(p *Path, value any, valid []string) *Error {
	detail := ""
	if len(valid) > 0 {
		q := make([]string, len(valid))
		for i, v := range valid {
			q[i] = strconv.Quote(v)
		}
		detail = "supported values: " + strings.Join(q, ", ")
	}
	return &Error{Type: ErrorTypeNotSupported, Field: p.String(), BadValue: value, Detail: detail}
}

// Internal reports a server-side bug found while validating.
func Internal(p *Path, err error) *Error {
	return &Error{Type: ErrorTypeInternal, Field: p.String(), Detail: err.Error(), omitValue: true}
}
