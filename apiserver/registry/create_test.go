package registry

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"sigs.k8s.io/yaml"
)

// TestCreateMatchesUpstream runs every testdata/<case>.yaml through what the handlers do on
// create (Default, Admit, Reserve, PrepareForCreate, Validate, conversion to storage and
// back) and compares the result with testdata/<case>.json: what a real kube-apiserver
// v1.37.2 answered to `kubectl create -f <case>.yaml -o json`, minus uid, timestamps,
// resourceVersion and managedFields.
func TestCreateMatchesUpstream(t *testing.T) {
	useTestAllocators(t)
	inputs, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no test cases: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".yaml")
		t.Run(name, func(t *testing.T) {
			got := createLikeTheHandler(t, readFile(t, in))
			want := readFile(t, strings.TrimSuffix(in, ".yaml")+".json")
			compareJSON(t, normalize(t, got), withoutKnownDeviations(t, normalize(t, want)))
		})
	}
}

// useTestAllocators installs fresh service allocators over the peer's ranges.
func useTestAllocators(t *testing.T) (*IPRange, *PortRange) {
	t.Helper()
	ips, err := NewIPRange("10.0.0.0/24")
	if err != nil {
		t.Fatal(err)
	}
	ports, err := NewPortRange("30000-32767")
	if err != nil {
		t.Fatal(err)
	}
	UseServiceAllocators(ips, ports)
	t.Cleanup(func() { UseServiceAllocators(nil, nil) })
	return ips, ports
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// resourceFor finds the served resource of a manifest's apiVersion and kind.
func resourceFor(t *testing.T, manifest []byte) *Resource {
	t.Helper()
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(manifest, &tm); err != nil {
		t.Fatal(err)
	}
	for _, r := range All() {
		if r.GroupVersion() == tm.APIVersion && r.Kind == tm.Kind {
			return r
		}
	}
	t.Fatalf("no resource serves %s %s", tm.APIVersion, tm.Kind)
	return nil
}

// createLikeTheHandler decodes a manifest and applies the create path of the hooks.
func createLikeTheHandler(t *testing.T, manifest []byte) []byte {
	t.Helper()
	r := resourceFor(t, manifest)
	obj := r.New()
	if err := yaml.UnmarshalStrict(manifest, obj); err != nil {
		t.Fatalf("decode: %v", err)
	}
	s := r.Strategy
	s.Default(obj)
	if a, ok := s.(Admitter); ok {
		if err := a.Admit(obj, nil); err != nil {
			t.Fatalf("Admit: %v", err)
		}
	}
	if rs, ok := s.(Reserver); ok {
		done, err := rs.Reserve(obj, nil)
		if err != nil {
			t.Fatalf("Reserve: %v", err)
		}
		defer done(true)
	}
	s.PrepareForCreate(obj)
	if errs := s.Validate(obj); len(errs) > 0 {
		t.Fatalf("Validate: %s", errs.String())
	}
	if r.ToStorage != nil {
		stored, err := r.ToStorage(obj)
		if err != nil {
			t.Fatalf("ToStorage: %v", err)
		}
		if obj, err = r.FromStorage(stored); err != nil {
			t.Fatalf("FromStorage: %v", err)
		}
	}
	tm := obj.GetTypeMeta()
	tm.APIVersion, tm.Kind = r.GroupVersion(), r.Kind
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// normalize drops what differs between any two servers (identity, times, versions).
func normalize(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if meta, ok := m["metadata"].(map[string]any); ok {
		for _, k := range []string{"uid", "creationTimestamp", "resourceVersion", "managedFields"} {
			delete(meta, k)
		}
	}
	if status, ok := m["status"].(map[string]any); ok {
		if conds, ok := status["conditions"].([]any); ok {
			for _, c := range conds {
				delete(c.(map[string]any), "lastTransitionTime")
			}
		}
	}
	return m
}

// withoutKnownDeviations removes from upstream's answer what Skiff deliberately does not
// do: the ServiceAccount admission plugin's projected token volume ("kube-api-access-*")
// and its mounts, since Skiff issues no service account tokens.
func withoutKnownDeviations(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	if m["kind"] != "Pod" {
		return m
	}
	spec := m["spec"].(map[string]any)
	isToken := func(name any) bool { return strings.HasPrefix(name.(string), "kube-api-access-") }
	if vols, ok := spec["volumes"].([]any); ok {
		var keep []any
		for _, v := range vols {
			if !isToken(v.(map[string]any)["name"]) {
				keep = append(keep, v)
			}
		}
		if keep == nil {
			delete(spec, "volumes")
		} else {
			spec["volumes"] = keep
		}
	}
	for _, c := range spec["containers"].([]any) {
		c := c.(map[string]any)
		mounts, _ := c["volumeMounts"].([]any)
		var keep []any
		for _, vm := range mounts {
			if !isToken(vm.(map[string]any)["name"]) {
				keep = append(keep, vm)
			}
		}
		if keep == nil {
			delete(c, "volumeMounts")
		} else {
			c["volumeMounts"] = keep
		}
	}
	return m
}

func compareJSON(t *testing.T, got, want map[string]any) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	g, _ := json.MarshalIndent(got, "", "  ")
	w, _ := json.MarshalIndent(want, "", "  ")
	t.Errorf("differs from upstream\n--- got:\n%s\n--- want (upstream):\n%s", g, w)
}
