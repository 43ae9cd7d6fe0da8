package namespace_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/controllers/manager"
	"github.com/skiff-k8s/skiff/testenv"
)

// TestAgainstAPIServer runs the controller (through the manager, which gives it the
// server's discovery) against an in-process API server.
func TestAgainstAPIServer(t *testing.T) {
	env := testenv.Start(t)
	cs, err := client.NewForConfig(&rest.Config{Host: env.URL}, "namespace-test")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- manager.Run(ctx, manager.Config{Clientset: cs, Controllers: []string{"namespace"}}) }()
	defer func() { cancel(); <-done }()

	t.Run("emptied and deleted", func(t *testing.T) {
		ns := createNamespace(t, cs, "doomed")
		check(t)(cs.ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings"}}))
		check(t)(cs.Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "token"}}))
		check(t)(cs.Pods(ns).Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "pending"},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}))
		replicas := int32(0)
		check(t)(cs.Deployments(ns).Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"},
			Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
					Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}}}))

		if err := cs.Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the namespace gone", 10*time.Second, func() bool {
			_, err := cs.Namespaces().Get(ctx, ns)
			return rest.IsNotFound(err)
		})
	})

	t.Run("held by a finalizer", func(t *testing.T) {
		ns := createNamespace(t, cs, "held")
		check(t)(cs.ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "held", Finalizers: []string{"test.skiff.dev/hold"}}}))
		if err := cs.Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		eventually(t, "conditions reporting what remains", 10*time.Second, func() bool {
			n, err := cs.Namespaces().Get(ctx, ns)
			if err != nil || n.Status.Phase != corev1.NamespaceTerminating {
				return false
			}
			found := 0
			for _, c := range n.Status.Conditions {
				switch {
				case c.Type == corev1.NamespaceContentRemaining && c.Status == corev1.ConditionTrue &&
					c.Reason == "SomeResourcesRemain" && c.Message == "Some resources are remaining: configmaps. has 1 resource instances":
					found++
				case c.Type == corev1.NamespaceFinalizersRemaining && c.Status == corev1.ConditionTrue &&
					c.Reason == "SomeFinalizerRemain" && c.Message == "Some finalizers are remaining: test.skiff.dev/hold in 1 resource instances":
					found++
				case c.Type == corev1.NamespaceDeletionDiscoveryFailure && c.Status == corev1.ConditionFalse && c.Reason == "ResourcesDiscovered":
					found++
				}
			}
			return found == 3
		})
		patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"finalizers": nil}})
		if _, err := cs.ConfigMaps(ns).Patch(ctx, "held", client.MergePatchType, patch); err != nil {
			t.Fatal(err)
		}
		// The controller looks again after half its 15 s estimate plus a second.
		eventually(t, "the namespace gone", 15*time.Second, func() bool {
			_, err := cs.Namespaces().Get(ctx, ns)
			return rest.IsNotFound(err)
		})
	})
}

func createNamespace(t *testing.T, cs *client.Clientset, name string) string {
	t.Helper()
	if _, err := cs.Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
		t.Fatal(err)
	}
	return name
}

// check returns a function failing the test on a create's error: check(t)(cs.X().Create(...)).
func check(t *testing.T) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

func eventually(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
