package v1

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/skiff-k8s/skiff/api/internal/apitest"
)

// newObject returns an empty object of a core kind, for decoding test data.
func newObject(t *testing.T, data []byte) any {
	t.Helper()
	var tm struct{ Kind string }
	if err := json.Unmarshal(data, &tm); err != nil {
		t.Fatal(err)
	}
	switch tm.Kind {
	case "Pod":
		return &Pod{}
	case "PodTemplate":
		return &PodTemplate{}
	case "Service":
		return &Service{}
	case "Endpoints":
		return &Endpoints{}
	case "Node":
		return &Node{}
	case "Namespace":
		return &Namespace{}
	case "Event":
		return &Event{}
	case "ConfigMap":
		return &ConfigMap{}
	case "Secret":
		return &Secret{}
	case "ServiceAccount":
		return &ServiceAccount{}
	case "Binding":
		return &Binding{}
	}
	t.Fatalf("no Go type for kind %q", tm.Kind)
	return nil
}

// documents returns the objects of a test file (a List is split into its items).
func documents(t *testing.T, path string) [][]byte {
	data := apitest.ReadJSON(t, path)
	var tm struct{ Kind string }
	_ = json.Unmarshal(data, &tm)
	if tm.Kind != "List" {
		return [][]byte{data}
	}
	var out [][]byte
	for _, item := range apitest.Items(t, data) {
		out = append(out, item)
	}
	return out
}

// TestRoundTrip decodes real objects (hand-written in apiserver shape, and captured from an
// upstream v1.37 apiserver) strictly and encodes them again: no field may be unknown, lost
// or changed.
func TestRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/roundtrip/*.yaml")
	upstream, _ := filepath.Glob("testdata/*.upstream.json")
	files = append(files, upstream...)
	if len(files) < 4 {
		t.Fatalf("test data missing: %v", files)
	}
	for _, f := range files {
		for i, doc := range documents(t, f) {
			obj := newObject(t, doc)
			apitest.DecodeStrict(t, doc, obj)
			t.Run(filepath.Base(f)+"#"+strconv.Itoa(i), func(t *testing.T) {
				apitest.AssertJSONEqual(t, doc, apitest.Marshal(t, obj))
			})
		}
	}
}

// TestDeepCopyIsEqualAndIndependent checks the generated DeepCopy methods on a full pod.
func TestDeepCopyIsEqualAndIndependent(t *testing.T) {
	data := apitest.ReadJSON(t, "testdata/roundtrip/pod-running.yaml")
	var pod Pod
	apitest.DecodeStrict(t, data, &pod)
	cp := pod.DeepCopy()
	apitest.AssertJSONEqual(t, apitest.Marshal(t, &pod), apitest.Marshal(t, cp))
	cp.Spec.Containers[0].Env[0].ValueFrom.FieldRef.FieldPath = "changed"
	cp.Labels["app"] = "changed"
	q := cp.Spec.Containers[0].Resources.Limits[ResourceCPU]
	q.Add(q)
	cp.Spec.Containers[0].Resources.Limits[ResourceCPU] = q
	if pod.Spec.Containers[0].Env[0].ValueFrom.FieldRef.FieldPath != "spec.nodeName" ||
		pod.Labels["app"] != "web" || pod.Spec.Containers[0].Resources.Limits.Cpu().String() != "500m" {
		t.Fatal("DeepCopy shares memory with the original")
	}
	var into Pod
	pod.DeepCopyInto(&into)
	apitest.AssertJSONEqual(t, apitest.Marshal(t, &pod), apitest.Marshal(t, &into))
}
