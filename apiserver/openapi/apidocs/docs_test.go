package apidocs

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/apiserver/openapi/apidocs/gen/extract"
)

// TestGeneratedIsCurrent fails when a comment in api/ changed without `go generate`.
func TestGeneratedIsCurrent(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	want, err := extract.Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("zz_generated_docs.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("zz_generated_docs.go is stale: run go generate ./apiserver/openapi/apidocs")
	}
}

func TestLookups(t *testing.T) {
	if got := Type(reflect.TypeOf(corev1.Pod{})); got == "" {
		t.Error("Pod has no doc")
	}
	// Pointers are looked through.
	if Type(reflect.TypeOf(&corev1.Pod{})) != Type(reflect.TypeOf(corev1.Pod{})) {
		t.Error("pointer lookup differs")
	}
	if got := Field(reflect.TypeOf(metav1.ObjectMeta{}), "resourceVersion"); got == "" {
		t.Error("ObjectMeta.resourceVersion has no doc")
	}
	if got := Field(reflect.TypeOf(corev1.Pod{}), "nope"); got != "" {
		t.Errorf("unknown field has doc %q", got)
	}
}
