package clienttest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

// patch serves PATCH: apply the patch to the stored object, then store the result under
// the same rules as an update (status ignored on the main resource, and so on).
func (t *tracker) patch(info client.ResourceInfo, req *rest.Request) ([]byte, error) {
	if req.Subresource != "" && req.Subresource != "status" {
		return nil, fmt.Errorf("clienttest: patch %s/%s is not implemented", info.Resource, req.Subresource)
	}
	_, old, err := t.lookup(info, req.Namespace, req.Name)
	if err != nil {
		return nil, err
	}
	var p any
	if err := json.Unmarshal(req.Body, &p); err != nil {
		return nil, rest.NewBadRequest(fmt.Sprintf("decode patch: %v", err))
	}
	var next any
	switch client.PatchType(req.ContentType) {
	case client.MergePatchType:
		next = mergePatch(deepCopy(old), p)
	case client.JSONPatchType:
		ops, ok := p.([]any)
		if !ok {
			return nil, rest.NewBadRequest("a JSON patch must be a list of operations")
		}
		if next, err = jsonPatch(deepCopy(old), ops); err != nil {
			return nil, rest.NewStatus(422, metav1.StatusReasonInvalid, err.Error())
		}
	case client.StrategicMergePatchType:
		typ, ok := client.GoTypeForResource(info.GroupResource())
		if !ok {
			// As the API server answers for kinds without Go struct tags (custom resources).
			return nil, rest.NewStatus(415, metav1.StatusReasonUnsupportedMediaType, fmt.Sprintf(
				"the body of the request was in an unknown format - accepted media types include: %s, %s",
				client.JSONPatchType, client.MergePatchType))
		}
		pm, ok := p.(object)
		if !ok {
			return nil, rest.NewBadRequest("a strategic merge patch must be an object")
		}
		if next, err = strategicMerge(deepCopy(old), pm, typ); err != nil {
			return nil, rest.NewBadRequest(err.Error())
		}
	default:
		return nil, fmt.Errorf("clienttest: patch type %q is not implemented", req.ContentType)
	}
	obj, ok := next.(object)
	if !ok {
		return nil, rest.NewBadRequest("the patch did not produce an object")
	}
	return t.store(info, req.Namespace, req.Name, req.Subresource, obj)
}

// mergePatch is RFC 7386 JSON merge patch: objects merge recursively, null deletes,
// everything else (lists included) replaces.
func mergePatch(target, patch any) any {
	pm, ok := patch.(object)
	if !ok {
		return patch
	}
	tm, ok := target.(object)
	if !ok {
		tm = object{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
		} else {
			tm[k] = mergePatch(tm[k], v)
		}
	}
	return tm
}

// strategicMerge applies a strategic merge patch to orig, guided by the Go type of the
// kind: a list field tagged patchStrategy:"merge" merges element-wise (by patchMergeKey for
// objects, as a set for primitives); other lists are replaced. Directives handled:
// "$patch": "delete" / "replace" on objects and list elements, "$deleteFromPrimitiveList/x",
// "$retainKeys"; "$setElementOrder/x" is accepted and ignored (order does not matter here).
func strategicMerge(orig, patch object, typ reflect.Type) (object, error) {
	typ = deref(typ)
	switch patch["$patch"] {
	case "replace":
		return stripDirectives(patch).(object), nil
	case "delete":
		return nil, nil
	}
	for k, pv := range patch {
		switch {
		case strings.HasPrefix(k, "$deleteFromPrimitiveList/"):
			field := strings.TrimPrefix(k, "$deleteFromPrimitiveList/")
			drop, _ := pv.([]any)
			cur, _ := orig[field].([]any)
			var kept []any
			for _, v := range cur {
				if !containsValue(drop, v) {
					kept = append(kept, v)
				}
			}
			orig[field] = kept
			continue
		case strings.HasPrefix(k, "$"):
			continue
		}
		if pv == nil {
			delete(orig, k)
			continue
		}
		field, ok := jsonField(typ, k)
		if !ok {
			// Unknown to the Go type (a map key, or a field Skiff does not model): plain merge.
			orig[k] = mergePatch(orig[k], stripDirectives(pv))
			continue
		}
		ftype := deref(field.Type)
		switch p := pv.(type) {
		case object:
			cur, _ := orig[k].(object)
			if cur == nil {
				cur = object{}
			}
			var merged object
			var err error
			if ftype.Kind() == reflect.Map {
				merged, err = strategicMergeMap(cur, p, ftype.Elem())
			} else {
				merged, err = strategicMerge(cur, p, ftype)
			}
			if err != nil {
				return nil, err
			}
			if merged == nil {
				delete(orig, k)
			} else {
				orig[k] = merged
			}
		case []any:
			merged, err := strategicMergeList(orig[k], p, field, ftype)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			orig[k] = merged
		default:
			orig[k] = pv
		}
	}
	if keys, ok := patch["$retainKeys"].([]any); ok {
		for k := range orig {
			if !containsValue(keys, k) {
				delete(orig, k)
			}
		}
	}
	return orig, nil
}

// strategicMergeMap merges a Go map field (labels, resource lists): values of struct type
// merge strategically, others replace.
func strategicMergeMap(orig, patch object, elem reflect.Type) (object, error) {
	elem = deref(elem)
	for k, pv := range patch {
		if strings.HasPrefix(k, "$") {
			continue
		}
		pm, isObj := pv.(object)
		switch {
		case pv == nil:
			delete(orig, k)
		case isObj && elem.Kind() == reflect.Struct:
			cur, _ := orig[k].(object)
			if cur == nil {
				cur = object{}
			}
			merged, err := strategicMerge(cur, pm, elem)
			if err != nil {
				return nil, err
			}
			orig[k] = merged
		default:
			orig[k] = stripDirectives(pv)
		}
	}
	return orig, nil
}

// strategicMergeList merges one list field.
func strategicMergeList(cur any, patch []any, field reflect.StructField, ftype reflect.Type) ([]any, error) {
	orig, _ := cur.([]any)
	strategy := field.Tag.Get("patchStrategy")
	mergeKey := field.Tag.Get("patchMergeKey")
	for _, e := range patch {
		if m, ok := e.(object); ok && m["$patch"] == "replace" {
			strategy = "replace" // {"$patch": "replace"} in a list replaces the whole list
		}
	}
	if !strings.Contains(strategy, "merge") || ftype.Kind() != reflect.Slice {
		return stripDirectives(withoutReplaceMarkers(patch)).([]any), nil
	}
	elem := deref(ftype.Elem())
	if elem.Kind() != reflect.Struct {
		// A set of primitives (finalizers): add what is missing.
		out := append([]any(nil), orig...)
		for _, v := range patch {
			if !containsValue(out, v) {
				out = append(out, v)
			}
		}
		return out, nil
	}
	if mergeKey == "" {
		return nil, fmt.Errorf("list of objects with merge strategy has no patchMergeKey")
	}
	out := append([]any(nil), orig...)
	for _, e := range patch {
		pm, ok := e.(object)
		if !ok {
			return nil, fmt.Errorf("element %v is not an object", e)
		}
		idx := -1
		for i, o := range out {
			if om, ok := o.(object); ok && reflect.DeepEqual(om[mergeKey], pm[mergeKey]) {
				idx = i
				break
			}
		}
		switch {
		case pm["$patch"] == "delete":
			if idx >= 0 {
				out = append(out[:idx], out[idx+1:]...)
			}
		case idx >= 0:
			merged, err := strategicMerge(out[idx].(object), pm, elem)
			if err != nil {
				return nil, err
			}
			out[idx] = merged
		default:
			out = append(out, stripDirectives(pm))
		}
	}
	return out, nil
}

// jsonField finds the struct field serialized under name, looking through inlined
// embedded structs (TypeMeta).
func jsonField(typ reflect.Type, name string) (reflect.StructField, bool) {
	if typ.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		tag := strings.Split(f.Tag.Get("json"), ",")[0]
		if tag == name {
			return f, true
		}
		if tag == "" && f.Anonymous {
			if inner, ok := jsonField(deref(f.Type), name); ok {
				return inner, true
			}
		}
	}
	return reflect.StructField{}, false
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// stripDirectives removes "$..." keys from a value about to be stored as is.
func stripDirectives(v any) any {
	switch x := v.(type) {
	case object:
		out := object{}
		for k, e := range x {
			if !strings.HasPrefix(k, "$") {
				out[k] = stripDirectives(e)
			}
		}
		return out
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			out = append(out, stripDirectives(e))
		}
		return out
	}
	return v
}

func withoutReplaceMarkers(list []any) []any {
	out := make([]any, 0, len(list))
	for _, e := range list {
		if m, ok := e.(object); ok && len(m) == 1 && m["$patch"] == "replace" {
			continue
		}
		out = append(out, e)
	}
	return out
}

func containsValue(list []any, v any) bool {
	for _, e := range list {
		if reflect.DeepEqual(e, v) {
			return true
		}
	}
	return false
}
