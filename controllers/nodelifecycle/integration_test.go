package nodelifecycle_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	coordinationv1 "github.com/skiff-k8s/skiff/api/coordination/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/controllers/manager"
	"github.com/skiff-k8s/skiff/controllers/nodelifecycle"
	"github.com/skiff-k8s/skiff/testenv"
)

// TestAgainstAPIServer runs the node lifecycle and taint eviction controllers (through the
// manager, with short periods) against an in-process API server. The test plays two
// kubelets: it posts their status once and renews their Leases until one "dies".
func TestAgainstAPIServer(t *testing.T) {
	env := testenv.Start(t)
	cs, err := client.NewForConfig(&rest.Config{Host: env.URL}, "nodelifecycle-test")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Two nodes, Ready, with Leases.
	for _, name := range []string{"n1", "n2"} {
		n, err := cs.Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}})
		if err != nil {
			t.Fatal(err)
		}
		now := metav1.Now()
		n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
			Message: "kubelet is posting ready status", LastHeartbeatTime: now, LastTransitionTime: now}}
		if _, err := cs.Nodes().UpdateStatus(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	kubelets := newLeaseRenewer(ctx, t, cs, "n1", "n2")

	cfg := nodelifecycle.DefaultConfig()
	cfg.NodeMonitorPeriod = 200 * time.Millisecond
	cfg.NodeMonitorGracePeriod = 2 * time.Second
	cfg.NodeStartupGracePeriod = 2 * time.Second
	cfg.NodeEvictionRate = 100
	done := make(chan error, 1)
	go func() {
		done <- manager.Run(ctx, manager.Config{Clientset: cs, NodeLifecycle: cfg,
			Controllers: []string{"nodelifecycle", "taint-eviction-controller"}})
	}()
	defer func() { cancel(); <-done }()

	taintsOf := func(name string) []string {
		n, err := cs.Nodes().Get(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tt := range n.Spec.Taints {
			out = append(out, tt.Key+":"+string(tt.Effect))
		}
		slices.Sort(out)
		return out
	}
	eventually(t, "ready nodes without the not-ready taint", 10*time.Second, func() bool {
		return len(taintsOf("n1")) == 0 && len(taintsOf("n2")) == 0
	})

	// A pod on n1 that tolerates its loss for one second.
	one := int64(1)
	pod, err := cs.Pods("default").Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "c", Image: "nginx"}},
			Tolerations: []corev1.Toleration{{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists,
				Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &one}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	pod.Status.Phase = corev1.PodRunning
	pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	if _, err := cs.Pods("default").UpdateStatus(ctx, pod); err != nil {
		t.Fatal(err)
	}

	kubelets.stop("n1")
	eventually(t, "n1 unreachable", 10*time.Second, func() bool {
		return slices.Equal(taintsOf("n1"), []string{"node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule"})
	})
	n1, _ := cs.Nodes().Get(ctx, "n1")
	for _, c := range n1.Status.Conditions {
		if c.Status != corev1.ConditionUnknown {
			t.Errorf("condition %s is %s, want Unknown", c.Type, c.Status)
		}
	}
	if len(taintsOf("n2")) != 0 {
		t.Errorf("the live node got taints: %v", taintsOf("n2"))
	}
	eventually(t, "the pod evicted", 10*time.Second, func() bool {
		p, err := cs.Pods("default").Get(ctx, "web")
		if rest.IsNotFound(err) {
			return true
		}
		if err != nil || p.DeletionTimestamp == nil {
			return false
		}
		var ready, target bool
		for _, c := range p.Status.Conditions {
			ready = ready || (c.Type == corev1.PodReady && c.Status == corev1.ConditionFalse)
			target = target || (c.Type == corev1.DisruptionTarget && c.Reason == "DeletionByTaintManager")
		}
		return ready && target
	})

	kubelets.start("n1")
	eventually(t, "n1's taints removed once it is back", 10*time.Second, func() bool {
		n, _ := cs.Nodes().Get(ctx, "n1")
		// The kubelet reports Ready again with its next status.
		if n.Status.Conditions[0].Status != corev1.ConditionTrue {
			now := metav1.Now()
			n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
				LastHeartbeatTime: now, LastTransitionTime: now}}
			_, _ = cs.Nodes().UpdateStatus(ctx, n)
			return false
		}
		return len(taintsOf("n1")) == 0
	})
}

// leaseRenewer renews nodes' Leases every 200 ms, as their kubelets would.
type leaseRenewer struct {
	mu      sync.Mutex
	stopped map[string]bool
}

func newLeaseRenewer(ctx context.Context, t *testing.T, cs *client.Clientset, nodes ...string) *leaseRenewer {
	r := &leaseRenewer{stopped: map[string]bool{}}
	leases := cs.Leases(corev1.NamespaceNodeLease)
	renew := func(name string) {
		now := metav1.MicroTime{Time: time.Now()}
		l, err := leases.Get(ctx, name)
		if rest.IsNotFound(err) {
			holder, dur := name, int32(40)
			_, err = leases.Create(ctx, &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: name},
				Spec: coordinationv1.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: &dur, RenewTime: &now}})
		} else if err == nil {
			l.Spec.RenewTime = &now
			_, err = leases.Update(ctx, l)
		}
		if err != nil && ctx.Err() == nil {
			t.Logf("renew lease %s: %v", name, err)
		}
	}
	for _, n := range nodes {
		renew(n)
	}
	go func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			for _, n := range nodes {
				r.mu.Lock()
				off := r.stopped[n]
				r.mu.Unlock()
				if !off {
					renew(n)
				}
			}
		}
	}()
	return r
}

func (r *leaseRenewer) stop(node string)  { r.mu.Lock(); r.stopped[node] = true; r.mu.Unlock() }
func (r *leaseRenewer) start(node string) { r.mu.Lock(); r.stopped[node] = false; r.mu.Unlock() }

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
