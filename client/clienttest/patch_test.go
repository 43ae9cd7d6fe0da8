package clienttest

import (
	"encoding/json"
	"reflect"
	"testing"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}

func TestJSONPatchOperations(t *testing.T) {
	for _, tc := range []struct{ name, doc, patch, want string }{
		{"add to object", `{"a":1}`, `[{"op":"add","path":"/b","value":2}]`, `{"a":1,"b":2}`},
		{"insert into list", `{"l":[1,3]}`, `[{"op":"add","path":"/l/1","value":2}]`, `{"l":[1,2,3]}`},
		{"append to list", `{"l":[1]}`, `[{"op":"add","path":"/l/-","value":2}]`, `{"l":[1,2]}`},
		{"remove from list", `{"l":[1,2,3]}`, `[{"op":"remove","path":"/l/1"}]`, `{"l":[1,3]}`},
		{"escaped key", `{"a/b":{"c~d":1}}`, `[{"op":"replace","path":"/a~1b/c~0d","value":2}]`, `{"a/b":{"c~d":2}}`},
		{"move", `{"a":{"x":1},"b":{}}`, `[{"op":"move","from":"/a/x","path":"/b/y"}]`, `{"a":{},"b":{"y":1}}`},
		{"copy", `{"a":[1]}`, `[{"op":"copy","from":"/a","path":"/b"}]`, `{"a":[1],"b":[1]}`},
		{"test then replace", `{"a":"x"}`, `[{"op":"test","path":"/a","value":"x"},{"op":"replace","path":"/a","value":"y"}]`, `{"a":"y"}`},
		{"failed test", `{"a":"x"}`, `[{"op":"test","path":"/a","value":"z"}]`, `error`},
		{"replace missing", `{}`, `[{"op":"replace","path":"/a","value":1}]`, `error`},
		{"remove missing", `{}`, `[{"op":"remove","path":"/a"}]`, `error`},
	} {
		got, err := jsonPatch(decode(t, tc.doc), decode(t, tc.patch).([]any))
		if tc.want == "error" {
			if err == nil {
				t.Errorf("%s: want an error, got %v", tc.name, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, decode(t, tc.want)) {
			t.Errorf("%s: got %v (%v), want %s", tc.name, got, err, tc.want)
		}
	}
}

func TestMergePatch(t *testing.T) {
	got := mergePatch(decode(t, `{"a":{"b":1,"c":2},"l":[1,2]}`), decode(t, `{"a":{"b":null,"d":3},"l":[3]}`))
	if want := decode(t, `{"a":{"c":2,"d":3},"l":[3]}`); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
}

func TestStrategicMergeDirectives(t *testing.T) {
	typ := reflect.TypeFor[gadget]()
	for _, tc := range []struct{ name, doc, patch, want string }{
		{"delete from primitive list",
			`{"spec":{"tags":["a","b","c"]}}`, `{"spec":{"$deleteFromPrimitiveList/tags":["b"]}}`, `{"spec":{"tags":["a","c"]}}`},
		{"replace a merged list",
			`{"spec":{"parts":[{"name":"a"},{"name":"b"}]}}`, `{"spec":{"parts":[{"name":"c"},{"$patch":"replace"}]}}`, `{"spec":{"parts":[{"name":"c"}]}}`},
		{"replace an object",
			`{"spec":{"node":"n","tags":["x"]}}`, `{"spec":{"$patch":"replace","node":"m"}}`, `{"spec":{"node":"m"}}`},
		{"retain keys",
			`{"spec":{"node":"n","tags":["x"]}}`, `{"spec":{"$retainKeys":["node"],"node":"m"}}`, `{"spec":{"node":"m"}}`},
		{"set element order is ignored",
			`{"spec":{"parts":[{"name":"a","size":1}]}}`, `{"spec":{"$setElementOrder/parts":[{"name":"a"}],"parts":[{"name":"a","size":2}]}}`, `{"spec":{"parts":[{"name":"a","size":2}]}}`},
	} {
		got, err := strategicMerge(decode(t, tc.doc).(object), decode(t, tc.patch).(object), typ)
		if err != nil || !reflect.DeepEqual(any(got), decode(t, tc.want)) {
			t.Errorf("%s: got %v (%v), want %s", tc.name, got, err, tc.want)
		}
	}
}
