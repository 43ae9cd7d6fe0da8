// Package intstr holds IntOrString, the field type that accepts either a number or a string
// (a Service's targetPort, a Deployment's maxSurge "25%" ...).
//
// Promise: the JSON form is exactly upstream's: a bare number for Int, a JSON string for
// String; GetScaledValueFromIntOrPercent computes percentages with upstream's rounding and
// error texts.
package intstr

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Type says which of the two values an IntOrString holds.
type Type int64

// The two kinds of IntOrString.
const (
	Int    Type = iota // IntVal is meaningful
	String             // StrVal is meaningful
)

// IntOrString holds an int32 or a string.
type IntOrString struct {
	Type   Type
	IntVal int32
	StrVal string
}

// FromInt32 returns an Int IntOrString.
func FromInt32(v int32) IntOrString { return IntOrString{Type: Int, IntVal: v} }

// FromInt returns an Int IntOrString; values outside int32 are truncated as upstream does.
//
// Deprecated: use FromInt32.
func FromInt(v int) IntOrString { return FromInt32(int32(v)) }

// FromString returns a String IntOrString.
func FromString(v string) IntOrString { return IntOrString{Type: String, StrVal: v} }

// Parse returns an Int if v is a decimal integer, else a String.
func Parse(v string) IntOrString {
	i, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return FromString(v)
	}
	return FromInt32(int32(i))
}

// String renders the value (nil prints "<nil>").
func (v *IntOrString) String() string {
	if v == nil {
		return "<nil>"
	}
	if v.Type == String {
		return v.StrVal
	}
	return strconv.Itoa(int(v.IntVal))
}

// IntValue returns IntVal, or StrVal converted to an int (0 if it is not a number).
func (v *IntOrString) IntValue() int {
	if v.Type == String {
		i, _ := strconv.Atoi(v.StrVal)
		return i
	}
	return int(v.IntVal)
}

// MarshalJSON writes a number or a string.
func (v IntOrString) MarshalJSON() ([]byte, error) {
	switch v.Type {
	case Int:
		return json.Marshal(v.IntVal)
	case String:
		return json.Marshal(v.StrVal)
	}
	return nil, fmt.Errorf("impossible IntOrString.Type")
}

// UnmarshalJSON reads a number or a string.
func (v *IntOrString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		v.Type = String
		return json.Unmarshal(b, &v.StrVal)
	}
	v.Type = Int
	return json.Unmarshal(b, &v.IntVal)
}

// ValueOrDefault returns v, or def when v is nil.
func ValueOrDefault(v *IntOrString, def IntOrString) *IntOrString {
	if v == nil {
		return &def
	}
	return v
}

// GetScaledValueFromIntOrPercent resolves v against total: an Int is returned as is, a
// percentage "N%" becomes N% of total, rounded up or down as asked.
func GetScaledValueFromIntOrPercent(v *IntOrString, total int, roundUp bool) (int, error) {
	if v == nil {
		return 0, errors.New("nil value for IntOrString")
	}
	value, isPercent, err := intOrPercent(v)
	if err != nil {
		return 0, fmt.Errorf("invalid value for IntOrString: %v", err)
	}
	if !isPercent {
		return value, nil
	}
	scaled := float64(value) * float64(total) / 100
	if roundUp {
		return int(math.Ceil(scaled)), nil
	}
	return int(math.Floor(scaled)), nil
}

// intOrPercent returns the number and whether it was a percentage.
func intOrPercent(v *IntOrString) (int, bool, error) {
	switch v.Type {
	case Int:
		return v.IntValue(), false, nil
	case String:
		s, ok := strings.CutSuffix(v.StrVal, "%")
		if !ok {
			return 0, false, fmt.Errorf("invalid type: string is not a percentage")
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, false, fmt.Errorf("invalid value %q: %v", v.StrVal, err)
		}
		return n, true, nil
	}
	return 0, false, fmt.Errorf("invalid type: neither int nor percentage")
}
