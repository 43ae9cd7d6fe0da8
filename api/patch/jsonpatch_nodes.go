package patch

import (
	"fmt"
	"strconv"
)

// A JSON patch edits the document in place, and inserting into or removing from a list
// changes the list's length. So while a JSON patch runs, every list is an *arrayNode, which
// its parent can keep pointing at while the items change; objects stay map[string]any.

type arrayNode struct{ items []any }

// container is what a JSON pointer's parent can be: an object or a list. Keys are the
// unescaped last token of the pointer.
type container interface {
	// get returns the member, or nil (not an error) for a missing object key.
	get(key string) (any, error)
	// add inserts (lists) or sets (objects).
	add(key string, v any) error
	// set overwrites an existing list element, or sets an object key.
	set(key string, v any) error
	remove(key string) error
	// value is the container as a JSON value in working form.
	value() any
}

type objectNode map[string]any

func (o objectNode) get(key string) (any, error) { return o[key], nil }

func (o objectNode) add(key string, v any) error { o[key] = v; return nil }

func (o objectNode) set(key string, v any) error { o[key] = v; return nil }

func (o objectNode) remove(key string) error {
	if _, ok := o[key]; !ok {
		return fmt.Errorf("Unable to remove nonexistent key: %s: %w", key, ErrMissing)
	}
	delete(o, key)
	return nil
}

func (o objectNode) value() any { return map[string]any(o) }

func invalidIndex(idx int) error {
	return fmt.Errorf("Unable to access invalid index: %d: %w", idx, ErrInvalidIndex)
}

// index turns a token into a position in a list of length n; negative positions count from
// the end (upstream's library allows that, beyond RFC 6902).
func index(key string, n int) (int, error) {
	idx, err := strconv.Atoi(key)
	if err != nil {
		return 0, err
	}
	if idx < 0 {
		if idx < -n {
			return 0, invalidIndex(idx)
		}
		idx += n
	}
	if idx >= n {
		return 0, invalidIndex(idx)
	}
	return idx, nil
}

func (a *arrayNode) get(key string) (any, error) {
	idx, err := index(key, len(a.items))
	if err != nil {
		return nil, err
	}
	return a.items[idx], nil
}

func (a *arrayNode) add(key string, v any) error {
	if key == "-" {
		a.items = append(a.items, v)
		return nil
	}
	idx, err := strconv.Atoi(key)
	if err != nil {
		return fmt.Errorf("value was not a proper array index: '%s': %w", key, err)
	}
	// Inserting may also target the position just past the end.
	if idx, err = index(key, len(a.items)+1); err != nil {
		return err
	}
	a.items = append(a.items, nil)
	copy(a.items[idx+1:], a.items[idx:])
	a.items[idx] = v
	return nil
}

func (a *arrayNode) set(key string, v any) error {
	idx, err := index(key, len(a.items))
	if err != nil {
		return err
	}
	a.items[idx] = v
	return nil
}

func (a *arrayNode) remove(key string) error {
	idx, err := index(key, len(a.items))
	if err != nil {
		return err
	}
	a.items = append(a.items[:idx], a.items[idx+1:]...)
	return nil
}

func (a *arrayNode) value() any { return a }

// toWorking converts a decoded value to working form, reusing its maps.
func toWorking(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = toWorking(x)
		}
		return t
	case []any:
		for i, x := range t {
			t[i] = toWorking(x)
		}
		return &arrayNode{items: t}
	}
	return v
}

// fromWorking converts a working-form value back to plain decoded JSON. It copies, so the
// working document stays intact (copy measures sizes with it).
func fromWorking(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = fromWorking(x)
		}
		return out
	case *arrayNode:
		out := make([]any, len(t.items))
		for i, x := range t.items {
			out[i] = fromWorking(x)
		}
		return out
	}
	return v
}

// copyWorking deep-copies a working-form value.
func copyWorking(v any) any { return toWorking(fromWorking(v)) }
