// Package table renders objects as the meta.k8s.io/v1 Table that `kubectl get` asks for
// (Accept: application/json;as=Table;v=v1;g=meta.k8s.io): for each kind, upstream's columns
// (name, type, format, priority: 1 means "only with -o wide") and, for each object, one row
// of cells computed the way upstream's printers compute them (a pod's READY "1/1" and STATUS
// "CrashLoopBackOff", a node's "Ready,SchedulingDisabled", an autoscaler's
// "cpu: 42%/50%"), plus the object itself, its metadata or nothing as includeObject asks.
//
// Promise: cells are exactly upstream's for the same object at the same moment (ages are
// relative to the time of rendering); every column is always filled, the wide ones too, as
// upstream's server does (kubectl hides priority-1 columns unless -o wide). Kinds without a
// printer get upstream's generic "Name" and "Created At" columns.
package table

import (
	"encoding/json"
	"reflect"
	"time"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// The includeObject values (TableOptions.includeObject).
const (
	IncludeMetadata = "Metadata" // the row carries a PartialObjectMetadata (the default)
	IncludeObject   = "Object"   // the row carries the whole object
	IncludeNone     = "None"     // the row carries null
)

// Render is the apiserver's TableRenderer: a Table of objs, all of the resource named
// resource. With noHeaders (watch events after the first) the column definitions are left
// out, as upstream leaves them null. Kind and apiVersion of the Table are the caller's.
func Render(resource string, objs []metav1.Object, includeObject string, noHeaders bool) metav1.Table {
	return render(time.Now(), resource, objs, includeObject, noHeaders)
}

func render(now time.Time, resource string, objs []metav1.Object, includeObject string, noHeaders bool) metav1.Table {
	var t metav1.Table
	if !noHeaders {
		// By resource, so that an empty list has its kind's columns too.
		p := byResource[resource]
		if p == nil && len(objs) > 0 {
			p = byType[reflect.TypeOf(objs[0])]
		}
		if p != nil {
			t.ColumnDefinitions = p.columns()
		} else {
			t.ColumnDefinitions = defaultColumns()
		}
	}
	t.Rows = make([]metav1.TableRow, 0, len(objs))
	for _, obj := range objs {
		var row metav1.TableRow
		if p := byType[reflect.TypeOf(obj)]; p != nil {
			row = p.row(now, obj)
		} else {
			row = defaultRow(obj)
		}
		row.Object = rowObject(obj, includeObject)
		t.Rows = append(t.Rows, row)
	}
	return t
}

// printer renders one kind.
type printer struct {
	columns func() []metav1.TableColumnDefinition
	row     func(now time.Time, obj metav1.Object) metav1.TableRow
}

// The printers by resource name (for the columns) and by Go type (for the rows); each file
// of this package registers its kinds in init. A resource served in two versions (the
// autoscalers) registers a printer for each version's type.
var (
	byResource = map[string]*printer{}
	byType     = map[reflect.Type]*printer{}
)

func register[T any](resource string, columns func() []metav1.TableColumnDefinition, row func(now time.Time, obj *T) metav1.TableRow) {
	p := &printer{
		columns: columns,
		row: func(now time.Time, obj metav1.Object) metav1.TableRow {
			return row(now, any(obj).(*T))
		},
	}
	byResource[resource] = p
	byType[reflect.TypeFor[*T]()] = p
}

// rowObject is what a row carries besides its cells.
func rowObject(obj metav1.Object, includeObject string) json.RawMessage {
	var v any
	switch includeObject {
	case IncludeNone:
		return json.RawMessage("null")
	case IncludeObject:
		v = obj
	default:
		v = &metav1.PartialObjectMetadata{
			TypeMeta:   metav1.TypeMeta{Kind: "PartialObjectMetadata", APIVersion: "meta.k8s.io/v1"},
			ObjectMeta: *obj.GetObjectMeta(),
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		// API objects always marshal; a broken one shows as null rather than failing the list.
		return json.RawMessage("null")
	}
	return b
}

// defaultColumns are upstream's columns for kinds without a printer.
func defaultColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		nameColumn(),
		{Name: "Created At", Type: "date", Description: metaDoc("creationTimestamp", "When the object was created.")},
	}
}

func defaultRow(obj metav1.Object) metav1.TableRow {
	m := obj.GetObjectMeta()
	return metav1.TableRow{Cells: []any{m.Name, m.CreationTimestamp.Time.UTC().Format(time.RFC3339)}}
}
