package patch

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// schema is what the Go type of a kind says about one position of a document. Strategic merge
// patch needs two facts per field, both read from struct tags as upstream reads them:
//
//	patchStrategy:"merge"              lists merge by element instead of being replaced
//	patchStrategy:"retainKeys"         (informational: the patch carries $retainKeys)
//	patchStrategy:"merge,retainKeys"   both
//	patchStrategy:"replace"            maps and lists are replaced whole
//	patchMergeKey:"name"               the field identifying elements of a merged list
//
// A nil type means "unknown": a field the Go type does not have. Unknown positions merge as in
// a JSON merge patch (objects merge, lists are replaced) where upstream would fail, because
// the kind's decoder drops such fields anyway.
type schema struct{ t reflect.Type }

// fieldMeta is the patch metadata of one struct field.
type fieldMeta struct {
	strategies []string
	mergeKey   string
}

// strategy returns the strategy other than retainKeys ("merge", "replace" or ""), failing on
// tags upstream rejects too.
func (m fieldMeta) strategy() (string, error) {
	var other []string
	for _, s := range m.strategies {
		if s != "retainKeys" {
			other = append(other, s)
		}
	}
	switch {
	case len(m.strategies) > 2 || len(other) > 1:
		return "", fmt.Errorf("unexpected patch strategy: %v", m.strategies)
	case len(other) == 1:
		return other[0], nil
	}
	return "", nil
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// field describes the member key of an object at this position: for a struct the field with
// that JSON name (embedded structs flattened, names matched exactly, then case-insensitively
// as upstream does), for a map its value type.
func (s schema) field(key string) (schema, fieldMeta) {
	t := deref(s.t)
	if t == nil {
		return schema{}, fieldMeta{}
	}
	switch t.Kind() {
	case reflect.Map:
		return schema{t.Elem()}, fieldMeta{}
	case reflect.Struct:
		f, ok := lookupJSONField(t, key)
		if !ok {
			return schema{}, fieldMeta{}
		}
		meta := fieldMeta{mergeKey: f.Tag.Get("patchMergeKey")}
		if st := f.Tag.Get("patchStrategy"); st != "" {
			meta.strategies = strings.Split(st, ",")
		}
		return schema{f.Type}, meta
	}
	return schema{}, fieldMeta{}
}

// listField describes member key when it holds a list: the metadata of the field and the
// schema of the list's elements.
func (s schema) listField(key string) (schema, fieldMeta) {
	sub, meta := s.field(key)
	t := deref(sub.t)
	if t == nil || (t.Kind() != reflect.Slice && t.Kind() != reflect.Array) {
		// Not a list in the Go type: nothing to merge by.
		return schema{}, fieldMeta{}
	}
	return schema{t.Elem()}, meta
}

// name is what upstream's messages call the schema: the kind of the type.
func (s schema) name() string {
	if t := deref(s.t); t != nil {
		return t.Kind().String()
	}
	return "struct"
}

// jsonField is a struct field reachable under a JSON name.
type jsonField struct {
	name string
	reflect.StructField
}

var jsonFieldsCache sync.Map // reflect.Type -> []jsonField

func lookupJSONField(t reflect.Type, key string) (jsonField, bool) {
	fields := jsonFieldsOf(t)
	for _, f := range fields {
		if f.name == key {
			return f, true
		}
	}
	for _, f := range fields {
		if strings.EqualFold(f.name, key) {
			return f, true
		}
	}
	return jsonField{}, false
}

// jsonFieldsOf lists the fields encoding/json would use for t, in declaration order, with
// encoding/json's rules: embedded structs without a JSON name are flattened, a shallower field
// hides deeper ones of the same name, and among equally deep ones a tagged field wins (if the
// tie remains, the name is dropped).
func jsonFieldsOf(t reflect.Type) []jsonField {
	if cached, ok := jsonFieldsCache.Load(t); ok {
		return cached.([]jsonField)
	}
	type candidate struct {
		jsonField
		depth  int
		tagged bool
	}
	var all []candidate
	type level struct {
		t     reflect.Type
		depth int
	}
	queue := []level{{t, 0}}
	seen := map[reflect.Type]bool{}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if seen[cur.t] {
			continue
		}
		seen[cur.t] = true
		for i := range cur.t.NumField() {
			sf := cur.t.Field(i)
			ft := deref(sf.Type)
			if sf.Anonymous {
				if !sf.IsExported() && ft.Kind() != reflect.Struct {
					continue
				}
			} else if !sf.IsExported() {
				continue
			}
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
				queue = append(queue, level{ft, cur.depth + 1})
				continue
			}
			tagged := name != ""
			if !tagged {
				name = sf.Name
			}
			all = append(all, candidate{jsonField{name, sf}, cur.depth, tagged})
		}
	}
	var out []jsonField
	for i, c := range all {
		dominant := true
		for j, o := range all {
			if i == j || o.name != c.name {
				continue
			}
			if o.depth < c.depth || (o.depth == c.depth && (o.tagged == c.tagged || o.tagged)) {
				dominant = false
				break
			}
		}
		if dominant {
			out = append(out, c.jsonField)
		}
	}
	jsonFieldsCache.Store(t, out)
	return out
}
