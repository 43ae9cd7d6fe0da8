package scheduler

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/clienttest"
)

// These tests run the whole Scheduler (informers, queue, cache, binding, events, leader
// election) against client/clienttest's in-memory API.

// startScheduler runs a scheduler until the test ends.
func startScheduler(t *testing.T, cfg Config) *Scheduler {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("Run did not return after its context ended")
		}
	})
	return s
}

// eventually polls cond until it holds or ten seconds pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func getPod(t *testing.T, cs *client.Clientset, name string) *corev1.Pod {
	t.Helper()
	pod, err := cs.Pods("default").Get(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return pod
}

// eventsFor lists "Type Reason: message" of the events about a pod.
func eventsFor(t *testing.T, cs *client.Clientset, pod string) []string {
	t.Helper()
	list, err := cs.Events("default").List(context.Background(), client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list.Items {
		if e.InvolvedObject.Name == pod {
			out = append(out, e.Type+" "+e.Reason+": "+e.Message)
		}
	}
	return out
}

func hasEvent(t *testing.T, cs *client.Clientset, pod, want string) bool {
	for _, e := range eventsFor(t, cs, pod) {
		if e == want {
			return true
		}
	}
	return false
}

func TestSchedulerPlacesPodsAndReportsFailures(t *testing.T) {
	tainted := testNode("control-plane", "8", "16Gi")
	tainted.Spec.Taints = []corev1.Taint{{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}}
	fake := clienttest.New(testNode("worker-1", "2", "4Gi"), tainted,
		testPod("a", "1", "1Gi"), testPod("b", "1", "1Gi"), testPod("c", "1", "1Gi"))
	cs := client.NewClientset(fake)
	startScheduler(t, Config{Clientset: cs})

	// Two of the three fit on the worker; the burst must not over-commit it.
	eventually(t, "two pods bound", func() bool {
		bound := 0
		for _, name := range []string{"a", "b", "c"} {
			if getPod(t, cs, name).Spec.NodeName != "" {
				bound++
			}
		}
		return bound == 2
	})
	var pending string
	for _, name := range []string{"a", "b", "c"} {
		pod := getPod(t, cs, name)
		if pod.Spec.NodeName == "" {
			pending = name
			continue
		}
		if pod.Spec.NodeName != "worker-1" {
			t.Errorf("pod %s bound to %s, want worker-1", name, pod.Spec.NodeName)
		}
		want := fmt.Sprintf("Normal Scheduled: Successfully assigned default/%s to worker-1", name)
		eventually(t, "Scheduled event of "+name, func() bool { return hasEvent(t, cs, name, want) })
	}

	message := "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint(s). " +
		"no new claims to deallocate, preemption: 0/2 nodes are available: " +
		"1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling."
	eventually(t, "PodScheduled=False on "+pending, func() bool {
		for _, c := range getPod(t, cs, pending).Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse &&
				c.Reason == "Unschedulable" && c.Message == message {
				return true
			}
		}
		return false
	})
	eventually(t, "FailedScheduling event", func() bool {
		return hasEvent(t, cs, pending, "Warning FailedScheduling: "+message)
	})

	// A node that fits appears: the waiting pod is retried and lands there.
	if _, err := cs.Nodes().Create(context.Background(), testNode("worker-2", "2", "4Gi")); err != nil {
		t.Fatal(err)
	}
	eventually(t, pending+" bound to worker-2", func() bool { return getPod(t, cs, pending).Spec.NodeName == "worker-2" })
}

// A pod another scheduler is responsible for, or that someone bound meanwhile, is not
// touched.
func TestSchedulerLeavesOtherPodsAlone(t *testing.T) {
	other := testPod("other", "100m", "100Mi")
	other.Spec.SchedulerName = "my-scheduler"
	fake := clienttest.New(testNode("worker-1", "2", "4Gi"), other, testPod("mine", "100m", "100Mi"))
	cs := client.NewClientset(fake)
	startScheduler(t, Config{Clientset: cs})
	eventually(t, "mine bound", func() bool { return getPod(t, cs, "mine").Spec.NodeName != "" })
	time.Sleep(200 * time.Millisecond)
	if node := getPod(t, cs, "other").Spec.NodeName; node != "" {
		t.Fatalf("pod of another scheduler bound to %s", node)
	}
}

// A failed binding is retried and does not leave the pod's room counted.
func TestFailedBindingIsRetried(t *testing.T) {
	fake := clienttest.New(testNode("worker-1", "2", "4Gi"), testPod("web", "1500m", "1Gi"))
	var mu sync.Mutex
	failures := 1
	fake.PrependReactor("create", "pods/binding", func(a clienttest.Action) (bool, any, error) {
		mu.Lock()
		defer mu.Unlock()
		if failures > 0 {
			failures--
			return true, nil, fmt.Errorf("etcd is having a bad day")
		}
		return false, nil, nil
	})
	cs := client.NewClientset(fake)
	startScheduler(t, Config{Clientset: cs})
	eventually(t, "web bound after a failed binding", func() bool { return getPod(t, cs, "web").Spec.NodeName == "worker-1" })
}

func TestMetricsAndHealthz(t *testing.T) {
	fake := clienttest.New(testNode("worker-1", "2", "4Gi"), testPod("web", "100m", "100Mi"))
	cs := client.NewClientset(fake)
	s := startScheduler(t, Config{Clientset: cs, ServeAddress: "127.0.0.1:0"})
	eventually(t, "web bound", func() bool { return getPod(t, cs, "web").Spec.NodeName != "" })

	get := func(path string) string {
		resp, err := http.Get("http://" + s.Addr() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", path, resp.Status)
		}
		return string(body)
	}
	if got := get("/healthz"); got != "ok" {
		t.Fatalf("/healthz answered %q", got)
	}
	metrics := get("/metrics")
	for _, want := range []string{
		`scheduler_schedule_attempts_total{profile="default-scheduler",result="scheduled"} 1`,
		`scheduler_pending_pods{queue="active"} 0`,
		`scheduler_pending_pods{queue="unschedulable"} 0`,
		`scheduler_scheduling_attempt_duration_seconds_count{profile="default-scheduler",result="scheduled"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// Two schedulers with leader election: one schedules, and every pod is bound exactly once,
// also after the leader stops and the other takes over.
func TestLeaderElectionNeverDoubleBinds(t *testing.T) {
	fake := clienttest.New(testNode("worker-1", "32", "64Gi"))
	cs := client.NewClientset(fake)
	cfg := func(id string) Config {
		return Config{Clientset: cs, LeaderElect: true, Identity: id,
			LeaseDuration: 2 * time.Second, RenewDeadline: 1500 * time.Millisecond, RetryPeriod: 200 * time.Millisecond}
	}
	first, err := New(cfg("first"))
	if err != nil {
		t.Fatal(err)
	}
	firstCtx, stopFirst := context.WithCancel(context.Background())
	firstDone := make(chan error, 1)
	go func() { firstDone <- first.Run(firstCtx) }()
	defer stopFirst()
	eventually(t, "first to lead", func() bool {
		lease, err := cs.Leases("kube-system").Get(context.Background(), "kube-scheduler")
		return err == nil && lease.Spec.HolderIdentity != nil && *lease.Spec.HolderIdentity == "first"
	})
	startScheduler(t, cfg("second"))

	create := func(names ...string) {
		for _, name := range names {
			if _, err := cs.Pods("default").Create(context.Background(), testPod(name, "100m", "100Mi")); err != nil {
				t.Fatal(err)
			}
		}
	}
	allBound := func(names ...string) func() bool {
		return func() bool {
			for _, name := range names {
				if getPod(t, cs, name).Spec.NodeName == "" {
					return false
				}
			}
			return true
		}
	}
	var batch1, batch2 []string
	for i := range 10 {
		batch1 = append(batch1, fmt.Sprintf("one-%d", i))
		batch2 = append(batch2, fmt.Sprintf("two-%d", i))
	}
	create(batch1...)
	eventually(t, "first batch bound", allBound(batch1...))

	// The leader steps down (releasing the lease); the other takes over.
	stopFirst()
	if err := <-firstDone; err != nil {
		t.Fatalf("first scheduler: %v", err)
	}
	create(batch2...)
	eventually(t, "second batch bound", allBound(batch2...))

	bindings := map[string]int{}
	for _, a := range fake.Actions() {
		if a.Matches("create", "pods/binding") {
			bindings[a.Name]++
		}
	}
	for _, name := range append(batch1, batch2...) {
		if bindings[name] != 1 {
			t.Errorf("pod %s got %d binding calls, want 1", name, bindings[name])
		}
	}
}

// Binding objects carry the pod's identity and the node.
func TestBindingObject(t *testing.T) {
	fake := clienttest.New(testNode("worker-1", "2", "4Gi"), testPod("web", "100m", "100Mi"))
	cs := client.NewClientset(fake)
	startScheduler(t, Config{Clientset: cs})
	eventually(t, "web bound", func() bool { return getPod(t, cs, "web").Spec.NodeName != "" })
	for _, a := range fake.Actions() {
		if !a.Matches("create", "pods/binding") {
			continue
		}
		b, err := clienttest.ActionObject[corev1.Binding](a)
		if err != nil {
			t.Fatal(err)
		}
		want := corev1.Binding{
			TypeMeta:   metav1.TypeMeta{Kind: "Binding", APIVersion: "v1"},
			ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", UID: b.UID},
			Target:     corev1.ObjectReference{Kind: "Node", Name: "worker-1"},
		}
		if b.UID == "" || b.Name != want.Name || b.Namespace != want.Namespace || b.Target != want.Target || b.Kind != "Binding" {
			t.Fatalf("binding %+v, want %+v", b, want)
		}
	}
}
