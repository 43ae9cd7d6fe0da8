package fields

import (
	"fmt"
	"slices"
	"strings"
)

// ParseSelector reads a field selector: comma-separated terms "field=value", "field==value"
// or "field!=value". The field is everything before the first operator; the value may contain
// ',' '=' and '\' only escaped with a backslash. Terms are sorted, as upstream sorts them, and
// a term with neither field nor value ("=") selects everything and is dropped.
func ParseSelector(selector string) (Selector, error) {
	parts := splitTerms(selector)
	slices.Sort(parts)
	var ts terms
	for _, part := range parts {
		if part == "" {
			continue
		}
		field, op, rawValue, ok := splitTerm(part)
		if !ok {
			return nil, fmt.Errorf("invalid selector: '%s'; can't understand '%s'", selector, part)
		}
		value, err := UnescapeValue(rawValue)
		if err != nil {
			return nil, err
		}
		if field == "" && value == "" {
			continue
		}
		if op == DoubleEquals {
			op = Equals
		}
		ts = append(ts, Requirement{Field: field, Operator: op, Value: value})
	}
	return ts, nil
}

// splitTerms cuts the selector at the commas that are not escaped; escapes stay in the terms
// for UnescapeValue to handle.
func splitTerms(selector string) []string {
	if selector == "" {
		return nil
	}
	var parts []string
	start, escaped := 0, false
	for i := 0; i < len(selector); i++ {
		switch {
		case escaped:
			escaped = false
		case selector[i] == '\\':
			escaped = true
		case selector[i] == ',':
			parts = append(parts, selector[start:i])
			start = i + 1
		}
	}
	return append(parts, selector[start:])
}

// splitTerm cuts a term at its first operator. Operators are tried longest first at each
// position, so "a==b" is field a and value b, not value "=b"; field names cannot be escaped.
func splitTerm(term string) (field string, op Operator, value string, ok bool) {
	for i := range len(term) {
		for _, candidate := range []Operator{NotEquals, DoubleEquals, Equals} {
			if strings.HasPrefix(term[i:], string(candidate)) {
				return term[:i], candidate, term[i+len(candidate):], true
			}
		}
	}
	return "", "", "", false
}

// EscapeValue escapes a literal value for use in a field selector.
func EscapeValue(s string) string {
	return valueEscaper.Replace(s)
}

var valueEscaper = strings.NewReplacer(`\`, `\\`, `,`, `\,`, `=`, `\=`)

// UnescapeValue turns an escaped selector value back into the literal value. Upstream's
// messages report an unescaped ',' or '=' by its character code (61 for '=').
func UnescapeValue(s string) (string, error) {
	if !strings.ContainsAny(s, `\,=`) {
		return s, nil
	}
	var b strings.Builder
	escaped := false
	for _, c := range s {
		if escaped {
			switch c {
			case '\\', ',', '=':
				b.WriteRune(c)
			default:
				return "", fmt.Errorf("invalid field selector: invalid escape sequence: %s", string([]rune{'\\', c}))
			}
			escaped = false
			continue
		}
		switch c {
		case '\\':
			escaped = true
		case ',', '=':
			return "", fmt.Errorf("invalid field selector: unescaped character in value: %v", c)
		default:
			b.WriteRune(c)
		}
	}
	if escaped {
		return "", fmt.Errorf("invalid field selector: invalid escape sequence: %s", `\`)
	}
	return b.String(), nil
}
