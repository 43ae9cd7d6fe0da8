package patch

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// The patch functions work on decoded JSON: nil, bool, json.Number, string, []any and
// map[string]any. Numbers stay json.Number (their literal text) so that large integers such as
// resourceVersion-like counters survive a patch exactly, and so that 1 and 1.0 stay distinct
// as they are in upstream's byte-level comparisons.

// decodeJSON decodes exactly one JSON value.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("invalid character after top-level value")
	}
	return v, nil
}

// encodeJSON encodes a decoded value; map keys come out sorted, as upstream's do.
func encodeJSON(v any) ([]byte, error) {
	return json.Marshal(v)
}

// deepCopy copies a decoded value so that two places in a document never share a map or list.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}

// jsonEqual compares decoded values structurally; numbers compare by their literal text.
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !jsonEqual(xv, yv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}
