package patch

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
)

// Strategic merge patch directives, as they appear in patches.
const (
	directiveMarker     = "$patch" // "$patch": "replace" | "delete" (maps and list elements)
	retainKeysDirective = "$retainKeys"
	deleteFromPrefix    = "$deleteFromPrimitiveList" // "$deleteFromPrimitiveList/<list>": [...]
	setOrderPrefix      = "$setElementOrder"         // "$setElementOrder/<list>": [...]
)

// StrategicMergePatch applies a Kubernetes strategic merge patch (Content-Type
// application/strategic-merge-patch+json), the format kubectl apply, edit and patch send.
// It is a JSON merge patch whose list handling comes from the Go type of the kind (t, a struct
// or pointer to struct; nil means no type information):
//
//   - lists tagged patchStrategy:"merge" merge instead of being replaced: lists of objects by
//     their patchMergeKey (a patch element updates the element with the same key or is added),
//     lists of scalars as a set;
//   - "$patch": "replace" replaces a whole object or (as a list element) list, "$patch":
//     "delete" empties an object or deletes the list elements with that merge key;
//   - "$deleteFromPrimitiveList/<list>" removes values from a merged list of scalars;
//   - "$setElementOrder/<list>" fixes the order of a merged list;
//   - "$retainKeys" clears every key of an object it does not list (switching a Deployment's
//     strategy from RollingUpdate to Recreate drops rollingUpdate);
//   - null deletes a key.
//
// The merge, the resulting list orders and the error texts follow upstream's implementation.
// Errors are *Error with upstream's status codes.
func StrategicMergePatch(original, patch []byte, t reflect.Type) ([]byte, error) {
	if original == nil {
		original = []byte("{}")
	}
	orig, err := decodeJSON(original)
	if err != nil {
		return nil, newError(http.StatusBadRequest, ErrBadJSONDoc)
	}
	origMap, ok := orig.(map[string]any)
	if !ok && orig != nil {
		return nil, newError(http.StatusBadRequest, ErrBadJSONDoc)
	}
	p, err := decodeJSON(patch)
	if err != nil {
		return nil, badRequest("%s", err.Error())
	}
	patchMap, ok := p.(map[string]any)
	if !ok && p != nil {
		return nil, badRequest("json: cannot unmarshal %s into Go value of type map[string]interface {}", jsonKindName(p))
	}
	merged, err := mergeMap(origMap, patchMap, schema{t})
	if err != nil {
		return nil, smpError(err)
	}
	out, err := encodeJSON(merged)
	if err != nil {
		return nil, newError(http.StatusInternalServerError, err)
	}
	return out, nil
}

func jsonKindName(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "bool"
	}
	return "number"
}

// mergeMap merges the patch object into the original object (both may be modified) and
// returns the result.
func mergeMap(original, patch map[string]any, s schema) (map[string]any, error) {
	if directive, ok := patch[directiveMarker]; ok {
		switch directive {
		case "replace":
			delete(patch, directiveMarker)
			return stripDirectives(patch).(map[string]any), nil
		case "delete":
			return map[string]any{}, nil
		}
		return nil, errBadPatchType(directive, patch)
	}
	if original == nil {
		original = map[string]any{}
	}
	if err := applyRetainKeys(original, patch); err != nil {
		return nil, err
	}
	if err := applySetElementOrders(original, patch, s); err != nil {
		return nil, err
	}
	for _, key := range patchKeyOrder(patch) {
		if err := mergeField(original, key, patch[key], s); err != nil {
			return nil, err
		}
	}
	return original, nil
}

// patchKeyOrder fixes the order in which a patch's keys apply (upstream's is random): fields
// first, then $deleteFromPrimitiveList lists, so that when a patch both adds to and deletes
// from a list the deletions win, as they do when $setElementOrder merges the list first.
func patchKeyOrder(patch map[string]any) []string {
	keys := slices.Collect(maps.Keys(patch))
	slices.SortFunc(keys, func(a, b string) int {
		da, db := strings.HasPrefix(a, deleteFromPrefix), strings.HasPrefix(b, deleteFromPrefix)
		if da != db {
			if da {
				return 1
			}
			return -1
		}
		return cmp.Compare(a, b)
	})
	return keys
}

// mergeField applies one member of a patch object to the original object.
func mergeField(original map[string]any, key string, patchV any, s schema) error {
	isDeleteList := false
	if strings.HasPrefix(key, deleteFromPrefix) {
		name, err := directiveTarget(key, deleteFromPrefix)
		if err != nil {
			return err
		}
		key, isDeleteList = name, true
	}
	if patchV == nil {
		delete(original, key)
		return nil
	}
	origV, found := original[key]
	if !found || reflect.TypeOf(origV) != reflect.TypeOf(patchV) {
		// Nothing to merge with: the patch value is the new value, minus its nulls and
		// directives. Deletions from a list that is not there have nothing to do.
		if !isDeleteList {
			setNewValue(original, key, patchV)
		}
		return nil
	}
	switch o := origV.(type) {
	case map[string]any:
		sub, meta := s.field(key)
		strategy, err := meta.strategy()
		if err != nil {
			return err
		}
		if strategy == "replace" {
			original[key] = stripDirectives(patchV)
			return nil
		}
		merged, err := mergeMap(o, patchV.(map[string]any), sub)
		if err != nil {
			return err
		}
		original[key] = merged
	case []any:
		elem, meta := s.listField(key)
		strategy, err := meta.strategy()
		if err != nil {
			return err
		}
		merged, err := mergeListField(o, patchV.([]any), elem, strategy, meta.mergeKey, isDeleteList)
		if err != nil {
			return err
		}
		original[key] = merged
	default:
		original[key] = patchV
	}
	return nil
}

// setNewValue stores a patch value where the original has nothing to merge it with.
func setNewValue(original map[string]any, key string, patchV any) {
	discardNulls(patchV)
	if v, keep := removeDirectiveElements(patchV); keep {
		original[key] = stripDirectives(v)
	} else {
		delete(original, key)
	}
}

// directiveTarget returns the list name after "<prefix>/".
func directiveTarget(key, prefix string) (string, error) {
	before, after, ok := strings.Cut(key, "/")
	if !ok || before != prefix {
		if prefix == deleteFromPrefix {
			return "", ErrBadPatchFormatForPrimitiveList
		}
		return "", ErrBadPatchFormatForSetOrder
	}
	return after, nil
}

// applyRetainKeys handles "$retainKeys": every key of the patch must be listed, and the
// original loses every key that is not.
func applyRetainKeys(original, patch map[string]any) error {
	raw, ok := patch[retainKeysDirective]
	if !ok {
		return nil
	}
	delete(patch, retainKeysDirective)
	list, ok := raw.([]any)
	if !ok {
		return ErrBadPatchFormatForRetainKeys
	}
	retain := map[string]bool{}
	for _, v := range list {
		if k, ok := v.(string); ok {
			retain[k] = true
		}
	}
	for k, v := range patch {
		if v == nil || strings.HasPrefix(k, deleteFromPrefix) || strings.HasPrefix(k, setOrderPrefix) {
			continue
		}
		if !retain[k] {
			return ErrBadPatchFormatForRetainKeys
		}
	}
	for k := range original {
		if !retain[k] {
			delete(original, k)
		}
	}
	return nil
}

// discardNulls removes null members from objects in a value that is being added whole: there
// is nothing for them to delete.
func discardNulls(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if x == nil {
				delete(t, k)
			} else {
				discardNulls(x)
			}
		}
	case []any:
		for _, x := range t {
			discardNulls(x)
		}
	}
}

// removeDirectiveElements drops, from a value being added whole, every object that carries a
// "$patch" directive (a deletion or replacement of something that does not exist); keep is
// false when v itself is such an object.
func removeDirectiveElements(v any) (out any, keep bool) {
	switch t := v.(type) {
	case map[string]any:
		if _, ok := t[directiveMarker]; ok {
			return nil, false
		}
		for k, x := range t {
			if nx, keep := removeDirectiveElements(x); keep {
				t[k] = nx
			} else {
				delete(t, k)
			}
		}
		return t, true
	case []any:
		res := []any{}
		for _, x := range t {
			if nx, keep := removeDirectiveElements(x); keep {
				res = append(res, nx)
			}
		}
		return res, true
	}
	return v, true
}

// stripDirectives removes directive keys from a value the result takes as it is. Upstream
// leaves them in its intermediate map and relies on decoding into the kind to drop them;
// removing them here gives the same object and a clean document.
func stripDirectives(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if isDirectiveKey(k) {
				delete(t, k)
			} else {
				stripDirectives(x)
			}
		}
	case []any:
		for _, x := range t {
			stripDirectives(x)
		}
	}
	return v
}

func isDirectiveKey(k string) bool {
	return k == directiveMarker || k == retainKeysDirective ||
		strings.HasPrefix(k, deleteFromPrefix+"/") || strings.HasPrefix(k, setOrderPrefix+"/")
}

// errNoMergeKey, errBadArgType and errBadPatchType are upstream's mergepatch messages.
func errNoMergeKey(m map[string]any, key string) error {
	return fmt.Errorf("map: %v does not contain declared merge key: %s", asUpstream(m), key)
}

func errBadArgType(expected, actual any) error {
	return fmt.Errorf("expected a %s, but received a %s", reflect.TypeOf(expected), reflect.TypeOf(asUpstream(actual)))
}

func errBadPatchType(directive any, m map[string]any) error {
	return fmt.Errorf("unknown patch type: %s in map: %v", asUpstream(directive), asUpstream(m))
}

// asUpstream converts numbers to the types upstream decodes them to (int64, or float64 when
// not integral), so that values printed in error messages read exactly as upstream's do
// ("%!s(int64=1)" included). It copies.
func asUpstream(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		if f, err := t.Float64(); err == nil {
			return f
		}
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = asUpstream(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = asUpstream(x)
		}
		return out
	}
	return v
}
