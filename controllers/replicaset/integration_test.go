package replicaset

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/events"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/controllers/replicaset/fakenodes"
	"github.com/skiff-k8s/skiff/testenv"
)

// These tests run the controller against a real Skiff apiserver (testenv), with fake nodes
// that bind pods and mark them Running and Ready at once.

// startCluster runs an apiserver, fake nodes and the ReplicaSet controller until the test
// ends, and returns a clientset.
func startCluster(tb testing.TB) *client.Clientset {
	tb.Helper()
	if testing.Short() {
		tb.Skip("starts an apiserver")
	}
	env := testenv.Start(tb)
	cfg, err := rest.LoadKubeconfig(env.KubeconfigPath)
	if err != nil {
		tb.Fatal(err)
	}
	cs, err := client.NewForConfig(cfg, "replicaset-integration-test")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	nodes, err := fakenodes.Start(ctx, cs, fakenodes.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	factory := cache.NewSharedInformerFactory(cs.REST(), cache.FactoryOptions{})
	recorder := events.NewRecorder(events.ClientsetSink(cs), "replicaset-controller", "test")
	c := NewController(cs, factory, recorder)
	factory.Start(ctx)
	done := make(chan struct{})
	go recorder.Run(ctx)
	go func() { c.Run(ctx, 5); close(done) }()
	tb.Cleanup(func() {
		cancel()
		<-done
		factory.Wait()
		nodes.Wait()
	})
	return cs
}

func integrationReplicaSet(name string, replicas int32) *appsv1.ReplicaSet {
	rs := newReplicaSet(name, replicas)
	rs.UID, rs.Generation, rs.CreationTimestamp = "", 0, metav1.Time{}
	return rs
}

// eventually polls cond until it holds or the timeout passes.
func eventually(tb testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s: %s", what, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// readyReplicaSet waits until the ReplicaSet reports want ready and available replicas
// for its current generation, and exactly that many active pods exist.
func readyReplicaSet(tb testing.TB, cs *client.Clientset, name string, want int32) *appsv1.ReplicaSet {
	tb.Helper()
	var rs *appsv1.ReplicaSet
	eventually(tb, 30*time.Second, fmt.Sprintf("ReplicaSet %s with %d ready pods", name, want), func() (bool, string) {
		var err error
		rs, err = cs.ReplicaSets("default").Get(context.Background(), name)
		if err != nil {
			return false, err.Error()
		}
		s := rs.Status
		active := len(activePodsOf(tb, cs, rs))
		return s.ObservedGeneration == rs.Generation && s.Replicas == want && s.ReadyReplicas == want &&
				s.AvailableReplicas == want && s.FullyLabeledReplicas == want && active == int(want),
			fmt.Sprintf("status %+v, %d active pods", s, active)
	})
	return rs
}

// anyVersion lets polls read the apiserver's watch cache without waiting for it to catch
// up with etcd (resourceVersion "0"): a later poll sees later state anyway.
var anyVersion = client.ListOptions{ResourceVersion: "0"}

// activePodsOf lists the active pods the ReplicaSet controls.
func activePodsOf(tb testing.TB, cs *client.Clientset, rs *appsv1.ReplicaSet) []corev1.Pod {
	tb.Helper()
	list, err := cs.Pods("default").List(context.Background(), anyVersion)
	if err != nil {
		tb.Fatal(err)
	}
	var out []corev1.Pod
	for _, p := range list.Items {
		if metav1.IsControlledBy(&p.ObjectMeta, rs.UID) && isPodActive(&p) {
			out = append(out, p)
		}
	}
	return out
}

func TestIntegrationReplicaSetConvergesAndHeals(t *testing.T) {
	cs := startCluster(t)
	ctx := context.Background()
	created, err := cs.ReplicaSets("default").Create(ctx, integrationReplicaSet("web", 5))
	if err != nil {
		t.Fatal(err)
	}
	rs := readyReplicaSet(t, cs, "web", 5)
	pods := activePodsOf(t, cs, rs)
	for _, p := range pods {
		ref := metav1.GetControllerOf(&p.ObjectMeta)
		if ref == nil || ref.UID != created.UID || p.GenerateName != "web-" || p.Labels["tier"] != "web" {
			t.Errorf("pod %s: owner %+v, generateName %q, labels %v", p.Name, ref, p.GenerateName, p.Labels)
		}
	}

	// A deleted pod is replaced.
	victim := pods[0].Name
	if err := cs.Pods("default").Delete(ctx, victim, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "replacement pod", func() (bool, string) {
		var names []string
		for _, p := range activePodsOf(t, cs, rs) {
			names = append(names, p.Name)
		}
		return len(names) == 5 && !slices.Contains(names, victim), fmt.Sprint(names)
	})
	readyReplicaSet(t, cs, "web", 5)

	// Scaling through the scale subresource (kubectl scale rs) reaches the controller.
	// Like any client, read-modify-write again when the controller wrote status between
	// our read and our write (409 Conflict).
	for attempt := 0; ; attempt++ {
		scale, err := cs.ReplicaSets("default").GetScale(ctx, "web")
		if err != nil {
			t.Fatal(err)
		}
		scale.Spec.Replicas = 2
		_, err = cs.ReplicaSets("default").UpdateScale(ctx, "web", scale)
		if err == nil {
			break
		}
		if !rest.IsConflict(err) || attempt == 10 {
			t.Fatal(err)
		}
	}
	readyReplicaSet(t, cs, "web", 2)

	// Events as upstream writes them.
	eventually(t, 10*time.Second, "SuccessfulCreate and SuccessfulDelete events", func() (bool, string) {
		list, err := cs.Events("default").List(ctx, anyVersion)
		if err != nil {
			return false, err.Error()
		}
		var creates, deletes int
		for _, e := range list.Items {
			if e.InvolvedObject.Kind != "ReplicaSet" || e.InvolvedObject.Name != "web" {
				continue
			}
			switch e.Reason {
			case "SuccessfulCreate":
				creates += int(e.Count)
			case "SuccessfulDelete":
				deletes += int(e.Count)
			}
		}
		return creates >= 6 && deletes >= 3, fmt.Sprintf("%d creates, %d deletes", creates, deletes)
	})
}

func TestIntegrationOrphanIsAdoptedAndCounted(t *testing.T) {
	cs := startCluster(t)
	ctx := context.Background()
	template := integrationReplicaSet("api", 3).Spec.Template
	orphan := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "hand-made", Namespace: "default", Labels: template.Labels},
		Spec: template.Spec}
	if _, err := cs.Pods("default").Create(ctx, orphan); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the orphan running", func() (bool, string) {
		p, err := cs.Pods("default").Get(ctx, "hand-made")
		return err == nil && isPodReady(p), fmt.Sprint(err)
	})
	if _, err := cs.ReplicaSets("default").Create(ctx, integrationReplicaSet("api", 3)); err != nil {
		t.Fatal(err)
	}
	rs := readyReplicaSet(t, cs, "api", 3)
	adopted, err := cs.Pods("default").Get(ctx, "hand-made")
	if err != nil {
		t.Fatal(err)
	}
	if !metav1.IsControlledBy(&adopted.ObjectMeta, rs.UID) {
		t.Errorf("orphan not adopted: %+v", adopted.OwnerReferences)
	}

	// Relabeled, it is released and replaced.
	adopted.Labels = map[string]string{"app": "elsewhere"}
	if _, err := cs.Pods("default").Update(ctx, adopted); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the relabeled pod released", func() (bool, string) {
		p, err := cs.Pods("default").Get(ctx, "hand-made")
		return err == nil && metav1.GetControllerOf(&p.ObjectMeta) == nil, fmt.Sprint(err)
	})
	readyReplicaSet(t, cs, "api", 3)
}

func TestIntegrationFailedCreationSetsReplicaFailure(t *testing.T) {
	cs := startCluster(t)
	ctx := context.Background()
	rs := integrationReplicaSet("bad", 2)
	// The API accepts the ReplicaSet but refuses its pods: priority classes are only
	// checked when a pod is created.
	rs.Spec.Template.Spec.PriorityClassName = "no-such-class"
	if _, err := cs.ReplicaSets("default").Create(ctx, rs); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "ReplicaFailure condition", func() (bool, string) {
		got, err := cs.ReplicaSets("default").Get(ctx, "bad")
		if err != nil {
			return false, err.Error()
		}
		c := replicaSetCondition(got.Status, appsv1.ReplicaSetReplicaFailure)
		return c != nil && c.Reason == "FailedCreate" && c.Status == corev1.ConditionTrue,
			fmt.Sprintf("%+v", got.Status.Conditions)
	})
	// Fixed template: the pods come, and the condition goes.
	eventually(t, 10*time.Second, "template fixed", func() (bool, string) {
		got, err := cs.ReplicaSets("default").Get(ctx, "bad")
		if err != nil {
			return false, err.Error()
		}
		got.Spec.Template.Spec.PriorityClassName = ""
		_, err = cs.ReplicaSets("default").Update(ctx, got)
		return err == nil, fmt.Sprint(err)
	})
	got := readyReplicaSet(t, cs, "bad", 2)
	if len(got.Status.Conditions) != 0 {
		t.Errorf("conditions after recovery: %+v", got.Status.Conditions)
	}
}

func TestIntegrationMinReadySecondsDelaysAvailability(t *testing.T) {
	cs := startCluster(t)
	ctx := context.Background()
	rs := integrationReplicaSet("slow", 2)
	rs.Spec.MinReadySeconds = 2
	if _, err := cs.ReplicaSets("default").Create(ctx, rs); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "2 ready, not yet available", func() (bool, string) {
		got, err := cs.ReplicaSets("default").Get(ctx, "slow")
		if err != nil {
			return false, err.Error()
		}
		return got.Status.ReadyReplicas == 2 && got.Status.AvailableReplicas == 0, fmt.Sprintf("%+v", got.Status)
	})
	// Nothing else happens to the pods: only the controller's own requeue can notice.
	eventually(t, 10*time.Second, "2 available", func() (bool, string) {
		got, err := cs.ReplicaSets("default").Get(ctx, "slow")
		if err != nil {
			return false, err.Error()
		}
		return got.Status.AvailableReplicas == 2, fmt.Sprintf("%+v", got.Status)
	})
}

// BenchmarkReplicaSet1000 measures how long a ReplicaSet of 1,000 replicas takes from
// creation to 1,000 ready pods (fake nodes make pods ready as soon as they are bound).
func BenchmarkReplicaSet1000(b *testing.B) {
	cs := startCluster(b)
	ctx := context.Background()
	for i := range b.N {
		name := fmt.Sprintf("big-%d", i)
		start := time.Now()
		if _, err := cs.ReplicaSets("default").Create(ctx, integrationReplicaSet(name, 1000)); err != nil {
			b.Fatal(err)
		}
		eventuallyReady(b, cs, name, 1000)
		b.ReportMetric(time.Since(start).Seconds(), "s/1000-ready")
		b.StopTimer()
		zero := int64(0)
		if err := cs.ReplicaSets("default").Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
			b.Fatal(err)
		}
		_ = cs.Pods("default").DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &zero}, client.ListOptions{LabelSelector: "app=" + name})
		b.StartTimer()
	}
}

// eventuallyReady waits for the status only (listing 1,000 pods at every poll would
// measure the poll).
func eventuallyReady(tb testing.TB, cs *client.Clientset, name string, want int32) {
	tb.Helper()
	eventually(tb, 5*time.Minute, fmt.Sprintf("%d ready", want), func() (bool, string) {
		rs, err := cs.ReplicaSets("default").Get(context.Background(), name)
		if err != nil {
			return false, err.Error()
		}
		return rs.Status.ReadyReplicas == want && rs.Status.Replicas == want, fmt.Sprintf("%+v", rs.Status)
	})
}
