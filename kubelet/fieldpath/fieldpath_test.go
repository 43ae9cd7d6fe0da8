package fieldpath

import (
	"testing"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/resource"
)

func TestFields(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "u",
		Labels: map[string]string{"z": "last", "a": `say "hi"`}, Annotations: map[string]string{"note": "x"}},
		Spec: corev1.PodSpec{NodeName: "n1", ServiceAccountName: "sa"}}
	cases := map[string]string{
		"metadata.name":                "p",
		"metadata.namespace":           "ns",
		"metadata.uid":                 "u",
		"metadata.labels":              "a=\"say \\\"hi\\\"\"\nz=\"last\"",
		"metadata.labels['z']":         "last",
		"metadata.annotations['note']": "x",
		"spec.nodeName":                "n1",
		"spec.serviceAccountName":      "sa",
		"status.podIP":                 "10.0.0.1",
		"status.hostIPs":               "192.0.2.1",
	}
	for path, want := range cases {
		got, err := EnvField(pod, path, "192.0.2.1", "10.0.0.1", []string{"192.0.2.1"}, []string{"10.0.0.1"})
		if err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", path, got, err, want)
		}
	}
	if _, err := PodField(pod, "spec.nodeName"); err == nil {
		t.Error("volumes only expose metadata")
	}
}

func TestContainerResource(t *testing.T) {
	c := &corev1.Container{Resources: corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
	}}
	alloc := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("8Gi")}
	cases := []struct {
		res, divisor, want string
	}{
		{"requests.cpu", "", "1"},
		{"requests.cpu", "1m", "250"},
		{"requests.memory", "1Mi", "64"},
		{"limits.cpu", "", "4"},
		{"limits.memory", "1Gi", "8"},
	}
	for _, tc := range cases {
		ref := &corev1.ResourceFieldSelector{Resource: tc.res}
		if tc.divisor != "" {
			ref.Divisor = resource.MustParse(tc.divisor)
		}
		got, err := ContainerResource(c, ref, alloc)
		if err != nil || got != tc.want {
			t.Errorf("%s/%s = %q (%v), want %q", tc.res, tc.divisor, got, err, tc.want)
		}
	}
}
