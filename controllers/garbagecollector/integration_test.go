package garbagecollector_test

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

// TestAgainstAPIServer runs the garbage collector with the ReplicaSet and Deployment
// controllers (through the manager) against an in-process API server, and deletes their
// objects with each propagation policy.
func TestAgainstAPIServer(t *testing.T) {
	env := testenv.Start(t)
	cs, err := client.NewForConfig(&rest.Config{Host: env.URL}, "gc-test")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- manager.Run(ctx, manager.Config{Clientset: cs, Controllers: []string{"garbagecollector", "replicaset", "deployment"}})
	}()
	defer func() { cancel(); <-done }()
	rss, pods := cs.ReplicaSets("default"), cs.Pods("default")

	podsOf := func(app string) []corev1.Pod {
		l, err := pods.List(ctx, client.ListOptions{LabelSelector: "app=" + app})
		if err != nil {
			t.Fatal(err)
		}
		return l.Items
	}
	newReplicaSet := func(name string) {
		t.Helper()
		if _, err := rss.Create(ctx, replicaSet(name, 2)); err != nil {
			t.Fatal(err)
		}
		eventually(t, name+"'s pods", 10*time.Second, func() bool { return len(podsOf(name)) == 2 })
	}
	deleteWith := func(name, policy string) {
		t.Helper()
		if err := rss.Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &policy}); err != nil {
			t.Fatal(err)
		}
	}
	gone := func(name string) func() bool {
		return func() bool { _, err := rss.Get(ctx, name); return rest.IsNotFound(err) }
	}

	t.Run("background", func(t *testing.T) {
		newReplicaSet("bg")
		deleteWith("bg", metav1.DeletePropagationBackground)
		eventually(t, "the pods collected", 10*time.Second, func() bool { return len(podsOf("bg")) == 0 })
	})

	t.Run("orphan", func(t *testing.T) {
		newReplicaSet("orphan")
		deleteWith("orphan", metav1.DeletePropagationOrphan)
		eventually(t, "the ReplicaSet gone", 10*time.Second, gone("orphan"))
		left := podsOf("orphan")
		if len(left) != 2 {
			t.Fatalf("%d pods left, want 2", len(left))
		}
		for _, p := range left {
			if len(p.OwnerReferences) != 0 {
				t.Errorf("pod %s still owned: %+v", p.Name, p.OwnerReferences)
			}
		}
	})

	t.Run("foreground", func(t *testing.T) {
		newReplicaSet("fg")
		held := podsOf("fg")[0].Name
		hold, _ := json.Marshal(map[string]any{"metadata": map[string]any{"finalizers": []string{"test.skiff.dev/hold"}}})
		if _, err := pods.Patch(ctx, held, client.MergePatchType, hold); err != nil {
			t.Fatal(err)
		}
		deleteWith("fg", metav1.DeletePropagationForeground)
		eventually(t, "the free pod collected", 10*time.Second, func() bool {
			for _, p := range podsOf("fg") {
				if p.Name != held || p.DeletionTimestamp == nil {
					return false
				}
			}
			return true
		})
		// The owner waits for its blocking dependent.
		time.Sleep(time.Second)
		rs, err := rss.Get(ctx, "fg")
		if err != nil || rs.DeletionTimestamp == nil || !metav1.HasFinalizer(&rs.ObjectMeta, metav1.FinalizerDeleteDependents) {
			t.Fatalf("owner while a dependent remains: %+v, %v", rs, err)
		}
		release, _ := json.Marshal(map[string]any{"metadata": map[string]any{"finalizers": nil}})
		if _, err := pods.Patch(ctx, held, client.MergePatchType, release); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the owner gone after its last dependent", 10*time.Second, gone("fg"))
	})

	t.Run("deployment", func(t *testing.T) {
		replicas := int32(2)
		d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: appsv1.DeploymentSpec{
			Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: podTemplate("web")}}
		if _, err := cs.Deployments("default").Create(ctx, d); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the deployment's pods", 10*time.Second, func() bool { return len(podsOf("web")) == 2 })
		policy := metav1.DeletePropagationBackground // what kubectl delete sends
		if err := cs.Deployments("default").Delete(ctx, "web", metav1.DeleteOptions{PropagationPolicy: &policy}); err != nil {
			t.Fatal(err)
		}
		eventually(t, "ReplicaSets and pods collected", 10*time.Second, func() bool {
			l, err := rss.List(ctx, client.ListOptions{LabelSelector: "app=web"})
			return err == nil && len(l.Items) == 0 && len(podsOf("web")) == 0
		})
	})
}

func podTemplate(app string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": app}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
}

func replicaSet(name string, replicas int32) *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: appsv1.ReplicaSetSpec{
		Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
		Template: podTemplate(name)}}
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
