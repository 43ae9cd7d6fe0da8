package clientgo_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

var dryRunAll = []string{metav1.DryRunAll}

// TestDryRun: with dryRun=All every verb answers as if it had happened, and nothing is
// stored.
func TestDryRun(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)
	pods := cs.CoreV1().Pods(ns)

	t.Run("create", func(t *testing.T) {
		p := simplePod("dry", nil)
		p.Spec.SchedulerName = ""
		got, err := pods.Create(ctx, p, metav1.CreateOptions{DryRun: dryRunAll})
		if err != nil {
			t.Fatalf("dry-run create: %v", err)
		}
		checkPodDefaults(t, got)
		expectEqual(t, "spec.schedulerName", got.Spec.SchedulerName, corev1.DefaultSchedulerName)
		if got.UID == "" || got.CreationTimestamp.IsZero() {
			t.Errorf("dry-run create answered uid %q creationTimestamp %v, want both filled in", got.UID, got.CreationTimestamp)
		}
		expectEqual(t, "resourceVersion of a dry-run create", got.ResourceVersion, "")
		if _, err := pods.Get(ctx, "dry", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("get after a dry-run create: %v, want NotFound", err)
		}
	})

	t.Run("create service", func(t *testing.T) {
		svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "dry"}, Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}}}
		got, err := cs.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{DryRun: dryRunAll})
		if err != nil {
			t.Fatalf("dry-run create service: %v", err)
		}
		expectEqual(t, "spec.type", got.Spec.Type, corev1.ServiceTypeClusterIP)
		expectEqual(t, "spec.ports[0].protocol", got.Spec.Ports[0].Protocol, corev1.ProtocolTCP)
		if _, err := cs.CoreV1().Services(ns).Get(ctx, "dry", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("get after a dry-run create: %v, want NotFound", err)
		}
	})

	real, err := pods.Create(ctx, simplePod("real", map[string]string{"v": "1"}), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("create of an existing name", func(t *testing.T) {
		_, err := pods.Create(ctx, simplePod("real", nil), metav1.CreateOptions{DryRun: dryRunAll})
		if !apierrors.IsAlreadyExists(err) {
			t.Errorf("dry-run create of an existing pod: %v, want AlreadyExists", err)
		}
	})

	t.Run("update", func(t *testing.T) {
		p := real.DeepCopy()
		p.Labels["v"] = "2"
		got, err := pods.Update(ctx, p, metav1.UpdateOptions{DryRun: dryRunAll})
		if err != nil {
			t.Fatalf("dry-run update: %v", err)
		}
		expectEqual(t, "answered label v", got.Labels["v"], "2")
		cur, err := pods.Get(ctx, "real", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		expectEqual(t, "stored label v", cur.Labels["v"], "1")
		expectEqual(t, "stored resourceVersion", cur.ResourceVersion, real.ResourceVersion)
	})

	t.Run("patch", func(t *testing.T) {
		got, err := pods.Patch(ctx, "real", types.MergePatchType, []byte(`{"metadata":{"labels":{"v":"3"}}}`), metav1.PatchOptions{DryRun: dryRunAll})
		if err != nil {
			t.Fatalf("dry-run patch: %v", err)
		}
		expectEqual(t, "answered label v", got.Labels["v"], "3")
		cur, err := pods.Get(ctx, "real", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		expectEqual(t, "stored label v", cur.Labels["v"], "1")
	})

	t.Run("delete", func(t *testing.T) {
		if err := pods.Delete(ctx, "real", metav1.DeleteOptions{DryRun: dryRunAll}); err != nil {
			t.Fatalf("dry-run delete: %v", err)
		}
		if _, err := pods.Get(ctx, "real", metav1.GetOptions{}); err != nil {
			t.Errorf("get after a dry-run delete: %v, want the pod still there", err)
		}
		err := cs.CoreV1().ConfigMaps(ns).DeleteCollection(ctx, metav1.DeleteOptions{DryRun: dryRunAll}, metav1.ListOptions{})
		if err != nil {
			t.Errorf("dry-run deletecollection: %v", err)
		}
	})

	t.Run("unknown dryRun value is Invalid", func(t *testing.T) {
		_, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{DryRun: []string{"foo"}})
		if !apierrors.IsInvalid(err) {
			t.Fatalf("create with dryRun=foo: %v, want Invalid", err)
		}
		expectEqual(t, "message", statusOf(t, err).Message, `CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["foo"]: supported values: "All"`)
	})
}
