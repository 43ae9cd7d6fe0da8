package v1

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestDeepCopySharesNothing(t *testing.T) {
	ctrl := true
	in := &Table{
		ListMeta: ListMeta{ResourceVersion: "5"},
		Rows: []TableRow{{
			Cells:  []any{"a", int64(1), map[string]any{"k": []any{"v"}}},
			Object: json.RawMessage(`{"x":1}`),
		}},
	}
	out := DeepCopy(in)
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("copy differs: %#v", out)
	}
	out.Rows[0].Cells[2].(map[string]any)["k"].([]any)[0] = "changed"
	out.Rows[0].Object[2] = 'y'
	if in.Rows[0].Cells[2].(map[string]any)["k"].([]any)[0] != "v" || string(in.Rows[0].Object) != `{"x":1}` {
		t.Fatal("copy shares memory with the original")
	}

	m := &PartialObjectMetadata{ObjectMeta: ObjectMeta{
		Name:              "a",
		Labels:            map[string]string{"a": "b"},
		CreationTimestamp: NewTime(time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)),
		OwnerReferences:   []OwnerReference{{Name: "o", Controller: &ctrl}},
	}}
	mc := DeepCopy(m)
	if !reflect.DeepEqual(m, mc) {
		t.Fatalf("copy differs: %#v", mc)
	}
	*mc.OwnerReferences[0].Controller = false
	mc.Labels["a"] = "c"
	if !*m.OwnerReferences[0].Controller || m.Labels["a"] != "b" {
		t.Fatal("copy shares memory with the original")
	}
	if DeepCopy[ObjectMeta](nil) != nil {
		t.Fatal("nil copy is not nil")
	}
}
