// Package apidocs holds the doc comments of Skiff's API types (api/...), extracted at
// generate time (see gen/) so that nothing parses Go source while the server runs. The
// OpenAPI documents use them as schema descriptions (what `kubectl explain` prints) and the
// Table renderer as column descriptions, as upstream uses its types' swagger docs.
//
// Promise: Type and Field return the comment exactly as written in api/, reflowed into
// paragraphs, or "" when the type or field has none.
package apidocs

//go:generate go run ./gen

import "reflect"

// typeDoc is one type's comment and its fields' comments by JSON name.
type typeDoc struct {
	doc    string
	fields map[string]string
}

// Type returns the comment of the named type t.
func Type(t reflect.Type) string {
	return generated[key(t)].doc
}

// Field returns the comment of t's field with JSON name name.
func Field(t reflect.Type, name string) string {
	return generated[key(t)].fields[name]
}

func key(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath() + "." + t.Name()
}
