package patch

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
)

// mergeListField merges a patch list into an original list according to the field's
// strategy: merged for patchStrategy "merge" (and always for $deleteFromPrimitiveList),
// replaced otherwise.
func mergeListField(original, patch []any, elem schema, strategy, mergeKey string, isDeleteList bool) ([]any, error) {
	if strategy == "merge" || isDeleteList {
		return mergeList(original, patch, elem, mergeKey, isDeleteList)
	}
	return stripDirectives(patch).([]any), nil
}

// mergeList merges two lists element by element. Scalars merge as a set (or, for a
// $deleteFromPrimitiveList, are removed); objects merge by mergeKey, honouring "$patch"
// elements. The result keeps the patch's order for the elements it names and the original's
// order for the others, interleaved as upstream interleaves them.
func mergeList(original, patch []any, elem schema, mergeKey string, isDeleteList bool) ([]any, error) {
	if len(original) == 0 && len(patch) == 0 {
		return original, nil
	}
	kind, err := elementKind(original, patch)
	if err != nil {
		return nil, err
	}
	var merged []any
	if kind != reflect.Map {
		if isDeleteList {
			return deleteValues(original, patch), nil
		}
		merged = uniqueValues(append(slices.Clone(original), patch...))
		mergeKey = "" // scalars are their own key
	} else {
		if mergeKey == "" {
			return nil, fmt.Errorf("cannot merge lists without merge key for %s", elem.name())
		}
		original, patch, err = applyListDirectives(original, patch, mergeKey)
		if err != nil {
			return nil, err
		}
		merged, err = mergeByKey(original, patch, elem, mergeKey)
		if err != nil {
			return nil, err
		}
	}
	patchItems, serverOnly, err := partitionByPresence(merged, patch, mergeKey)
	if err != nil {
		return nil, err
	}
	return orderMerged(patchItems, serverOnly, patch, original, mergeKey, kind)
}

// applyListDirectives handles the "$patch" elements of a patch list of objects: "delete"
// removes every original element with that merge key, "replace" makes the patch (minus its
// directive elements) the whole list. It returns the original and patch lists to merge.
func applyListDirectives(original, patch []any, mergeKey string) ([]any, []any, error) {
	plain := []any{}
	replace := false
	deleted := map[string]bool{}
	for _, v := range patch {
		m := v.(map[string]any) // elementKind checked that all elements are objects
		directive, ok := m[directiveMarker]
		if !ok {
			plain = append(plain, v)
			continue
		}
		switch directive {
		case "delete":
			key, ok := m[mergeKey]
			if !ok {
				return nil, nil, errNoMergeKey(m, mergeKey)
			}
			deleted[identity(key)] = true
		case "replace":
			replace = true // the other directive elements are still dropped
		case "merge":
			return nil, nil, errors.New("merging lists cannot yet be specified in the patch")
		default:
			return nil, nil, errBadPatchType(directive, m)
		}
	}
	if len(deleted) > 0 {
		var err error
		if original, err = deleteByKey(original, mergeKey, deleted); err != nil {
			return nil, nil, err
		}
	}
	if replace {
		return stripDirectives(plain).([]any), nil, nil
	}
	return original, plain, nil
}

// mergeByKey merges each patch object into the original object with the same merge key, or
// appends it.
func mergeByKey(original, patch []any, elem schema, mergeKey string) ([]any, error) {
	byKey, err := indexByKey(original, mergeKey)
	if err != nil {
		return nil, err
	}
	for _, v := range patch {
		m := v.(map[string]any)
		key, ok := m[mergeKey]
		if !ok {
			return nil, errNoMergeKey(m, mergeKey)
		}
		i, found := byKey[identity(key)]
		if !found {
			// Appended in place, like deletions (see applySetElementOrders).
			byKey[identity(key)] = len(original)
			original = append(original, stripDirectives(v))
			continue
		}
		merged, err := mergeMap(original[i].(map[string]any), m, elem)
		if err != nil {
			return nil, err
		}
		original[i] = merged
	}
	return original, nil
}

// indexByKey maps the merge key values of a list of objects (by identity) to the position
// of their first object. Every element must be an object.
func indexByKey(list []any, mergeKey string) (map[string]int, error) {
	out := make(map[string]int, len(list))
	for i, v := range list {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("value for key %v is not a map", i)
		}
		if k, ok := m[mergeKey]; ok {
			if _, seen := out[identity(k)]; !seen {
				out[identity(k)] = i
			}
		}
	}
	return out, nil
}

// deleteByKey removes the objects whose merge key is in deleted (by identity), in place: the
// remaining elements shift left inside the same backing array. See applySetElementOrders for
// why the in-place editing matters.
func deleteByKey(list []any, mergeKey string, deleted map[string]bool) ([]any, error) {
	if _, err := indexByKey(list, mergeKey); err != nil {
		return nil, err
	}
	kept := list[:0]
	for _, v := range list {
		if k, ok := v.(map[string]any)[mergeKey]; ok && deleted[identity(k)] {
			continue
		}
		kept = append(kept, v)
	}
	return kept, nil
}

// deleteValues removes every occurrence of the given scalars, keeping the order of the rest.
func deleteValues(list, remove []any) []any {
	removed := newPositions(remove, "")
	out := make([]any, 0, len(list))
	for _, v := range list {
		if removed.of(v) < 0 {
			out = append(out, v)
		}
	}
	return out
}

func uniqueValues(list []any) []any {
	seen := map[string]bool{}
	out := make([]any, 0, len(list))
	for _, v := range list {
		if id := identity(v); !seen[id] {
			seen[id] = true
			out = append(out, v)
		}
	}
	return out
}

// identity is a string equal for two JSON values exactly when jsonEqual holds, so that lists
// can be indexed by map instead of searched: a large list must not make a patch quadratic.
func identity(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		if t {
			return "true"
		}
		return "false"
	case string:
		return "s" + t
	case json.Number:
		return "n" + string(t)
	}
	// Objects and lists: encoding/json sorts object keys, so equal values encode alike.
	out, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("?%v", v)
	}
	return "j" + string(out)
}

// elementKind returns the common kind of the elements of the lists: reflect.Map for objects,
// another kind for scalars. Mixed lists (a string and a number, say), nulls in lists and lists
// of lists are errors, as upstream has them.
func elementKind(lists ...[]any) (reflect.Kind, error) {
	var first reflect.Type
	for _, list := range lists {
		for _, v := range list {
			t := reflect.TypeOf(v)
			switch {
			case t == nil:
				return 0, errMixedList(lists)
			case first == nil:
				first = t
				if t.Kind() == reflect.Slice {
					return 0, ErrNoListOfLists
				}
			case t != first:
				return 0, errMixedList(lists)
			}
		}
	}
	if first == nil {
		return 0, errors.New("no elements in any of the given slices")
	}
	return first.Kind(), nil
}

// errMixedList is upstream's message, with the lists printed as upstream prints them.
func errMixedList(lists [][]any) error {
	printable := make([]any, len(lists))
	for i, l := range lists {
		printable[i] = asUpstream(l)
	}
	return fmt.Errorf("list element types are not identical: %v", fmt.Sprint(printable))
}
