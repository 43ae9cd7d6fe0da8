package table

import (
	"reflect"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/apiserver/openapi/apidocs"
)

// Column descriptions: like upstream, a column that shows a field is described by that
// field's documentation (Skiff's own doc comments, from apidocs); where the field has no
// comment, or the column is computed, the description is the short text given here.

// fieldDoc returns the documentation of the field json of the type of v, or fallback.
func fieldDoc(v any, json, fallback string) string {
	if d := apidocs.Field(reflect.TypeOf(v), json); d != "" {
		return d
	}
	return fallback
}

func metaDoc(json, fallback string) string { return fieldDoc(metav1.ObjectMeta{}, json, fallback) }

// nameColumn is the first column of almost every table.
func nameColumn() metav1.TableColumnDefinition {
	return metav1.TableColumnDefinition{Name: "Name", Type: "string", Format: "name",
		Description: metaDoc("name", "The name of the object, unique within its namespace (or the cluster).")}
}

// ageColumn shows how long ago the object was created.
func ageColumn() metav1.TableColumnDefinition {
	return metav1.TableColumnDefinition{Name: "Age", Type: "string",
		Description: metaDoc("creationTimestamp", "How long ago the object was created (creationTimestamp).")}
}

// col is a column shown by default; wide one shown only with -o wide.
func col(name, typ, desc string) metav1.TableColumnDefinition {
	return metav1.TableColumnDefinition{Name: name, Type: typ, Description: desc}
}

func wide(name, typ, desc string) metav1.TableColumnDefinition {
	return metav1.TableColumnDefinition{Name: name, Type: typ, Priority: 1, Description: desc}
}
