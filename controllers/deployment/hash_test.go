package deployment

import (
	"strings"
	"testing"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

func nginxTemplate() *corev1.PodTemplateSpec {
	return &corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "nginx", Image: "nginx:1.27"}}},
	}
}

func TestComputeHashIsStable(t *testing.T) {
	// Pinned: a Skiff upgrade that changed this would give every Deployment a new
	// ReplicaSet name for an unchanged template. (FindNewReplicaSet compares templates, so
	// rollouts would still be right; names in `kubectl get rs` would not be.)
	const want = "f6ddfccd"
	if got := computeHash(nginxTemplate(), nil); got != want {
		t.Errorf("computeHash = %q, want %q", got, want)
	}
	for _, r := range computeHash(nginxTemplate(), nil) {
		if !strings.ContainsRune(safeAlphabet, r) {
			t.Errorf("hash has %q, outside the safe alphabet", r)
		}
	}
}

func TestComputeHashChangesWithTemplateAndCollisions(t *testing.T) {
	base := computeHash(nginxTemplate(), nil)
	other := nginxTemplate()
	other.Spec.Containers[0].Image = "nginx:1.28"
	if computeHash(other, nil) == base {
		t.Error("a different image gives the same hash")
	}
	zero, one := int32(0), int32(1)
	h0, h1 := computeHash(nginxTemplate(), &zero), computeHash(nginxTemplate(), &one)
	if h0 == base || h1 == h0 {
		t.Errorf("collision counts do not change the hash: %s %s %s", base, h0, h1)
	}
}

func TestSafeEncodeString(t *testing.T) {
	// '0' is byte 48, 48 % 27 = 21 -> '4'; '9' is 57 % 27 = 3 -> 'f'.
	if got := safeEncodeString("09"); got != "4f" {
		t.Errorf("safeEncodeString(09) = %q", got)
	}
}

func TestEqualIgnoreHash(t *testing.T) {
	a := nginxTemplate()
	b := nginxTemplate()
	b.Labels[appsv1.DefaultDeploymentUniqueLabelKey] = "abc"
	if !equalIgnoreHash(a, b) {
		t.Error("templates differing only in the hash label are not equal")
	}
	if _, ok := b.Labels[appsv1.DefaultDeploymentUniqueLabelKey]; !ok {
		t.Error("equalIgnoreHash modified its argument")
	}
	// Missing and empty are the same.
	b.Annotations = map[string]string{}
	b.Spec.Volumes = []corev1.Volume{}
	if !equalIgnoreHash(a, b) {
		t.Error("empty annotations or volumes make templates differ")
	}
	b.Annotations["kubectl.kubernetes.io/restartedAt"] = "2025-01-01T00:00:00Z"
	if equalIgnoreHash(a, b) {
		t.Error("a restartedAt annotation does not make a new template")
	}
}

func TestReplicaSetName(t *testing.T) {
	if got := replicaSetName("web", "5d4f8"); got != "web-5d4f8" {
		t.Errorf("name %q", got)
	}
	long := strings.Repeat("a", 253)
	if got := replicaSetName(long, "5d4f8"); len(got) != 253 || !strings.HasSuffix(got, "-5d4f8") {
		t.Errorf("long name %q (%d)", got, len(got))
	}
}
