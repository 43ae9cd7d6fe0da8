package patch

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// The fuzz targets check the promises that matter for a server taking patches from anyone:
// no input panics, every failure is a *Error with a status code, and every success is JSON.

func checkOutcome(t *testing.T, out []byte, err error) {
	t.Helper()
	if err != nil {
		var pe *Error
		if !errors.As(err, &pe) || pe.Code < 400 || pe.Code > 599 {
			t.Fatalf("error %v is not a *patch.Error with an HTTP status", err)
		}
		return
	}
	if len(out) > 0 && !json.Valid(out) {
		t.Fatalf("result is not JSON: %q", out)
	}
}

var fuzzDocs = []string{
	`{"a":{"b":[1,2,{"c":"x"}],"n":null,"s":"str"},"k~/":1,"":{"e":2}}`,
	`{"metadata":{"name":"web","labels":{"app":"web"},"finalizers":["a","b"]},"spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80}]}]}}`,
	`[1,[2,3],{"a":null}]`,
	`{}`,
}

func FuzzJSONPatch(f *testing.F) {
	patches := []string{
		`[{"op":"add","path":"/a/b/-","value":3}]`,
		`[{"op":"remove","path":"/a/b/-1"},{"op":"replace","path":"","value":[1]}]`,
		`[{"op":"move","from":"/a","path":"/a/b"},{"op":"copy","from":"/a/b","path":"/x"}]`,
		`[{"op":"test","path":"/a/n","value":null},{"op":"test","path":""}]`,
		`[{"op":"add","path":"/metadata/labels/app.kubernetes.io~1name","value":"x"}]`,
		`[{"op":"copy","from":"","path":"/z"},{"op":"move","from":"/0","path":"/-"}]`,
		`[null,5,{"op":1}]`,
		`{"op":"add"}`,
	}
	for _, d := range fuzzDocs {
		for _, p := range patches {
			f.Add([]byte(d), []byte(p))
		}
	}
	f.Fuzz(func(t *testing.T, doc, patch []byte) {
		out, err := JSONPatch(doc, patch)
		checkOutcome(t, out, err)
	})
}

func FuzzMergePatch(f *testing.F) {
	patches := []string{
		`{"a":null,"b":{"c":[{"x":null}]}}`,
		`{"metadata":{"labels":{"app":null,"tier":"x"}}}`,
		`[1,{"a":null}]`,
		`null`, `5`, `{"a":{"b":{"c":{}}}}`,
	}
	for _, d := range fuzzDocs {
		for _, p := range patches {
			f.Add([]byte(d), []byte(p))
		}
	}
	f.Fuzz(func(t *testing.T, doc, patch []byte) {
		out, err := MergePatch(doc, patch)
		checkOutcome(t, out, err)
	})
}

func FuzzStrategicMergePatch(f *testing.F) {
	patches := []string{
		`{"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"d"}],"containers":[{"name":"d","image":"x"}]}}`,
		`{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"],"$setElementOrder/finalizers":["b","z"],"finalizers":["z"]}}`,
		`{"spec":{"containers":[{"name":"c","$patch":"delete"},{"$patch":"replace"}]}}`,
		`{"spec":{"containers":[{"name":"c","ports":[{"containerPort":80,"$patch":"delete"},{"containerPort":443}]}]}}`,
		`{"metadata":{"$retainKeys":["name"],"labels":null},"$patch":"merge"}`,
		`{"spec":{"volumes":[{"name":"v","$retainKeys":["name","emptyDir"],"emptyDir":{}}]}}`,
		`{"metadata":{"finalizers":[[1]],"labels":[null]}}`,
	}
	for _, d := range fuzzDocs {
		for _, p := range patches {
			f.Add([]byte(d), []byte(p), true)
		}
	}
	podType := reflect.TypeOf(testPod{})
	f.Fuzz(func(t *testing.T, doc, patch []byte, typed bool) {
		var schemaType reflect.Type
		if typed {
			schemaType = podType
		}
		out, err := StrategicMergePatch(doc, patch, schemaType)
		checkOutcome(t, out, err)
	})
}
