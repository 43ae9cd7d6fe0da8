package patch

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"sigs.k8s.io/yaml"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// patchCase is one YAML test case: a patch applied to an original document gives the
// expected document, or fails with error and HTTP code.
type patchCase struct {
	Description string          `json:"description"`
	Schema      string          `json:"schema"`
	Original    json.RawMessage `json:"original"`
	Patch       json.RawMessage `json:"patch"`
	Expected    json.RawMessage `json:"expected"`
	Error       string          `json:"error"`
	Code        int             `json:"code"`
}

func loadCases(t *testing.T, pattern string) map[string][]patchCase {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no test data matches %s: %v", pattern, err)
	}
	out := map[string][]patchCase{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cases []patchCase
		if err := yaml.Unmarshal(data, &cases); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[filepath.Base(f)] = cases
	}
	return out
}

// checkResult compares a patch function's outcome with a case's expectation.
func checkResult(t *testing.T, c patchCase, got []byte, err error) {
	t.Helper()
	if c.Error != "" {
		if err == nil {
			t.Fatalf("expected error %q, got result %s", c.Error, got)
		}
		if err.Error() != c.Error {
			t.Errorf("error = %q\nwant    %q", err.Error(), c.Error)
		}
		var pe *Error
		if !errors.As(err, &pe) {
			t.Fatalf("error %v is not a *patch.Error", err)
		}
		if c.Code != 0 && pe.Code != c.Code {
			t.Errorf("code = %d, want %d", pe.Code, c.Code)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	gotV, err := decodeJSON(got)
	if err != nil {
		t.Fatalf("result is not JSON: %v: %s", err, got)
	}
	wantV, err := decodeJSON(c.Expected)
	if err != nil {
		t.Fatalf("expected is not JSON: %v", err)
	}
	if !jsonEqual(gotV, wantV) {
		t.Errorf("result:\n  %s\nwant:\n  %s", got, c.Expected)
	}
}

func TestStrategicMergePatch(t *testing.T) {
	for file, cases := range loadCases(t, "testdata/strategic/*.yaml") {
		for _, c := range cases {
			t.Run(file+"/"+c.Description, func(t *testing.T) {
				schemaType, ok := testSchemas[c.Schema]
				if !ok {
					t.Fatalf("unknown schema %q", c.Schema)
				}
				got, err := StrategicMergePatch(c.Original, c.Patch, schemaType)
				checkResult(t, c, got, err)
			})
		}
	}
}

func TestStrategicMergePatchBadInput(t *testing.T) {
	podType := reflect.TypeOf(testPod{})
	if _, err := StrategicMergePatch([]byte(`{`), []byte(`{}`), podType); err == nil || err.Error() != "invalid JSON document" {
		t.Errorf("bad original: %v", err)
	}
	_, err := StrategicMergePatch([]byte(`{}`), []byte(`{"a":`), podType)
	var pe *Error
	if !errors.As(err, &pe) || pe.Code != 400 {
		t.Errorf("bad patch: %v", err)
	}
	// An empty original is an empty object.
	out, err := StrategicMergePatch(nil, []byte(`{"a":1}`), podType)
	if err != nil || string(out) != `{"a":1}` {
		t.Errorf("nil original: %s %v", out, err)
	}
}

// Large integers must survive a patch exactly, not through float64.
func TestStrategicMergePatchKeepsNumbers(t *testing.T) {
	out, err := StrategicMergePatch([]byte(`{"a":9007199254740993,"b":1.50}`), []byte(`{"c":12345678901234567890}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":9007199254740993,"b":1.50,"c":12345678901234567890}`; string(out) != want {
		t.Errorf("got %s, want %s", out, want)
	}
}

func TestSchemaLookup(t *testing.T) {
	type inner struct {
		Shadowed string `json:"shadowed"`
		Deep     string `json:"deep"`
	}
	type withEmbedded struct {
		*inner   `json:",inline"`
		Shadowed []string `json:"shadowed" patchStrategy:"merge"`
		Items    []inner  `json:"items,omitempty" patchStrategy:"merge,retainKeys" patchMergeKey:"deep"`
		Named    inner    `json:"named"`
		NoTag    string
		Skipped  string `json:"-"`
		Bad      []int  `json:"bad" patchStrategy:"merge,replace"`
		Pointers *[]*inner
	}
	s := schema{reflect.TypeOf(&withEmbedded{})}

	if sub, _ := s.field("deep"); sub.t != reflect.TypeOf("") {
		t.Errorf("embedded field not flattened: %v", sub.t)
	}
	if _, meta := s.field("shadowed"); len(meta.strategies) != 1 || meta.strategies[0] != "merge" {
		t.Errorf("shallower field must win: %+v", meta)
	}
	elem, meta := s.listField("items")
	if elem.t != reflect.TypeOf(inner{}) || meta.mergeKey != "deep" {
		t.Errorf("items: %v %+v", elem.t, meta)
	}
	if st, err := meta.strategy(); err != nil || st != "merge" {
		t.Errorf("items strategy = %q %v", st, err)
	}
	if sub, _ := s.field("NoTag"); sub.t == nil {
		t.Errorf("untagged field missing")
	}
	if sub, _ := s.field("notag"); sub.t == nil {
		t.Errorf("case-insensitive match missing")
	}
	if sub, _ := s.field("Skipped"); sub.t != nil {
		t.Errorf(`json:"-" field found`)
	}
	if sub, _ := s.field("missing"); sub.t != nil {
		t.Errorf("missing field found")
	}
	if elem, _ := s.listField("Pointers"); deref(elem.t) != reflect.TypeOf(inner{}) {
		t.Errorf("pointer to slice of pointers: %v", elem.t)
	}
	if _, meta := s.field("bad"); true {
		if _, err := meta.strategy(); err == nil || err.Error() != "unexpected patch strategy: [merge replace]" {
			t.Errorf("bad strategy error = %v", err)
		}
	}
	// Map values are described by the map's element type.
	m := schema{reflect.TypeOf(map[string]inner{})}
	if sub, _ := m.field("anything"); sub.t != reflect.TypeOf(inner{}) {
		t.Errorf("map element: %v", sub.t)
	}
}

// The real ObjectMeta carries upstream's tags: owner references merge by uid and finalizers
// merge as a set.
func TestStrategicMergePatchObjectMeta(t *testing.T) {
	type kind struct {
		metav1.TypeMeta   `json:",inline"`
		metav1.ObjectMeta `json:"metadata,omitempty"`
	}
	original := `{"kind":"Thing","metadata":{"name":"a","finalizers":["x","y"],
		"ownerReferences":[{"apiVersion":"v1","kind":"A","name":"a","uid":"1"}]}}`
	patch := `{"metadata":{"finalizers":["z"],"$deleteFromPrimitiveList/finalizers":["x"],
		"ownerReferences":[{"apiVersion":"v1","kind":"B","name":"b","uid":"2"}]}}`
	got, err := StrategicMergePatch([]byte(original), []byte(patch), reflect.TypeOf(kind{}))
	if err != nil {
		t.Fatal(err)
	}
	var obj kind
	if err := json.Unmarshal(got, &obj); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(obj.Finalizers, []string{"z", "y"}) {
		t.Errorf("finalizers = %v", obj.Finalizers)
	}
	// Elements new to a merged list go before the ones only the server had, as upstream's do.
	if len(obj.OwnerReferences) != 2 || obj.OwnerReferences[0].UID != "2" || obj.OwnerReferences[1].UID != "1" {
		t.Errorf("ownerReferences = %+v", obj.OwnerReferences)
	}
	if obj.Kind != "Thing" || obj.Name != "a" {
		t.Errorf("kind/name lost: %s", got)
	}
}
