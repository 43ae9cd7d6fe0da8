package patch

import "net/http"

// MergePatch applies an RFC 7386 JSON merge patch (Content-Type
// application/merge-patch+json) to a JSON document: objects merge key by key, null deletes a
// key, and anything else (lists included) replaces what was there.
//
// A malformed patch, or one that is null or a scalar, is a 400 ErrInvalidJSONPatch; a patch
// that is a list replaces the whole document, as upstream's library lets it (the apiserver
// then fails to decode the result into the kind).
func MergePatch(original, patch []byte) ([]byte, error) {
	doc, err := decodeJSON(original)
	if err != nil || doc == nil {
		return nil, newError(http.StatusInternalServerError, ErrInvalidJSONDocument)
	}
	p, err := decodeJSON(patch)
	if err != nil {
		return nil, newError(http.StatusBadRequest, ErrInvalidJSONPatch)
	}
	switch p.(type) {
	case map[string]any, []any:
	default:
		return nil, newError(http.StatusBadRequest, ErrInvalidJSONPatch)
	}
	var merged any
	if _, isList := p.([]any); isList {
		merged = pruneNulls(p)
	} else {
		merged = mergeValue(doc, p)
	}
	out, err := encodeJSON(merged)
	if err != nil {
		return nil, newError(http.StatusInternalServerError, err)
	}
	return out, nil
}

// mergeValue is RFC 7386's MergePatch(Target, Patch), reusing target's maps (they belong to a
// freshly decoded document). Where the patch brings new content, its nulls are dropped as
// the RFC says, also inside objects in lists, as upstream's library does; the one place that
// library keeps them is a list that replaces an object.
func mergeValue(target, patch any) any {
	t, ok := target.(map[string]any)
	if !ok {
		return pruneNulls(patch)
	}
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergeValue(t[k], v)
	}
	return t
}

// pruneNulls removes null members from objects, recursively, also in objects inside lists
// (null list elements stay).
func pruneNulls(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if x == nil {
				delete(t, k)
			} else {
				pruneNulls(x)
			}
		}
	case []any:
		for _, x := range t {
			pruneNulls(x)
		}
	}
	return v
}
