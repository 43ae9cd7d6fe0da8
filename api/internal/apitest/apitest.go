// Package apitest holds helpers for the API packages' tests: reading YAML or JSON test data,
// strict decoding (unknown fields are errors, so a field missing from a Go type shows up),
// and comparing JSON documents by meaning rather than by bytes.
package apitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// ReadJSON reads a .yaml or .json file and returns it as JSON.
func ReadJSON(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if strings.HasSuffix(path, ".json") {
		return b
	}
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		t.Fatalf("convert %s to JSON: %v", path, err)
	}
	return j
}

// DecodeStrict decodes JSON into out, failing on fields out's type does not have.
func DecodeStrict(t testing.TB, data []byte, out any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		t.Fatalf("decode into %T: %v", out, err)
	}
}

// Items splits a "kind: List" document into its items' JSON.
func Items(t testing.TB, list []byte) []json.RawMessage {
	t.Helper()
	var l struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(list, &l); err != nil {
		t.Fatalf("decode list: %v", err)
	}
	return l.Items
}

// Generic decodes JSON into maps and slices.
func Generic(t testing.TB, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return v
}

// Marshal encodes v or fails the test.
func Marshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %T: %v", v, err)
	}
	return b
}

// AssertJSONEqual reports every path where got differs from want. Both are compared as
// generic JSON, so key order and spacing do not matter.
//
// One difference is forgiven: "creationTimestamp": null. Kubernetes 1.37 stopped writing a
// zero creationTimestamp; older versions, and Skiff's metav1.ObjectMeta, write null. Either
// way the field is unset.
func AssertJSONEqual(t testing.TB, want, got []byte) {
	t.Helper()
	w, g := Generic(t, want), Generic(t, got)
	dropNullCreationTimestamp(w)
	dropNullCreationTimestamp(g)
	var diffs []string
	diff("", w, g, &diffs)
	if len(diffs) > 0 {
		sort.Strings(diffs)
		t.Errorf("JSON differs:\n  %s", strings.Join(diffs, "\n  "))
	}
}

func dropNullCreationTimestamp(v any) {
	switch x := v.(type) {
	case map[string]any:
		if ts, ok := x["creationTimestamp"]; ok && ts == nil {
			delete(x, "creationTimestamp")
		}
		for _, e := range x {
			dropNullCreationTimestamp(e)
		}
	case []any:
		for _, e := range x {
			dropNullCreationTimestamp(e)
		}
	}
}

func diff(path string, want, got any, out *[]string) {
	wm, wok := want.(map[string]any)
	gm, gok := got.(map[string]any)
	if wok && gok {
		for k, wv := range wm {
			gv, ok := gm[k]
			if !ok {
				*out = append(*out, fmt.Sprintf("%s.%s: missing (want %s)", path, k, short(wv)))
				continue
			}
			diff(path+"."+k, wv, gv, out)
		}
		for k, gv := range gm {
			if _, ok := wm[k]; !ok {
				*out = append(*out, fmt.Sprintf("%s.%s: unexpected %s", path, k, short(gv)))
			}
		}
		return
	}
	wl, wok := want.([]any)
	gl, gok := got.([]any)
	if wok && gok && len(wl) == len(gl) {
		for i := range wl {
			diff(fmt.Sprintf("%s[%d]", path, i), wl[i], gl[i], out)
		}
		return
	}
	if !reflect.DeepEqual(want, got) {
		*out = append(*out, fmt.Sprintf("%s: want %s, got %s", path, short(want), short(got)))
	}
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}

// Delete removes the value at a dotted path ("spec.clusterIP") from a generic JSON document,
// for fields that another component (allocator, admission) sets upstream.
func Delete(doc any, path string) {
	parts := strings.Split(path, ".")
	m, ok := doc.(map[string]any)
	for i, p := range parts {
		if !ok {
			return
		}
		if i == len(parts)-1 {
			delete(m, p)
			return
		}
		m, ok = m[p].(map[string]any)
	}
}
