package scheduler

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/testenv"
)

// These tests run the scheduler against a real Skiff apiserver (testenv) with fake Node
// objects: no kubelet, so pods are bound but never run.

// integrationClient starts an apiserver and returns a clientset for it.
func integrationClient(t *testing.T) *client.Clientset {
	t.Helper()
	if testing.Short() {
		t.Skip("starts an apiserver")
	}
	env := testenv.Start(t)
	cfg, err := rest.LoadKubeconfig(env.KubeconfigPath)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := client.NewForConfig(cfg, "scheduler-integration-test")
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// createNode registers a fake node the way a kubelet would (the object, then its status),
// then does what the node lifecycle controller would: the API server taints every new node
// node.kubernetes.io/not-ready:NoSchedule (as upstream's TaintNodesByCondition admission),
// and the controller lifts the taint once the node reports Ready.
func createNode(t *testing.T, cs *client.Clientset, node *corev1.Node) {
	t.Helper()
	ctx := context.Background()
	created, err := cs.Nodes().Create(ctx, node)
	if err != nil {
		t.Fatalf("create node %s: %v", node.Name, err)
	}
	created.Status = node.Status
	updated, err := cs.Nodes().UpdateStatus(ctx, created)
	if err != nil {
		t.Fatalf("update status of node %s: %v", node.Name, err)
	}
	if nodeReadyStatus(updated) != corev1.ConditionTrue {
		return
	}
	var taints []corev1.Taint
	for _, taint := range updated.Spec.Taints {
		if taint.Key != taintNodeNotReady {
			taints = append(taints, taint)
		}
	}
	updated.Spec.Taints = taints
	if _, err := cs.Nodes().Update(ctx, updated); err != nil {
		t.Fatalf("untaint node %s: %v", node.Name, err)
	}
}

func createPod(t *testing.T, cs *client.Clientset, pod *corev1.Pod) {
	t.Helper()
	pod.UID = "" // the server assigns it
	if _, err := cs.Pods(pod.Namespace).Create(context.Background(), pod); err != nil {
		t.Fatalf("create pod %s: %v", pod.Name, err)
	}
}

func TestIntegrationPodsLandWhereResourcesAndTaintsAllow(t *testing.T) {
	cs := integrationClient(t)
	tainted := testNode("gpu", "8", "32Gi")
	tainted.Spec.Taints = []corev1.Taint{{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule}}
	notReady := testNode("broken", "64", "256Gi")
	notReady.Status.Conditions[0].Status = corev1.ConditionFalse
	for _, n := range []*corev1.Node{testNode("small", "1", "2Gi"), testNode("big", "4", "8Gi"), tainted, notReady} {
		createNode(t, cs, n)
	}
	startScheduler(t, Config{Clientset: cs})

	// Only "big" has 2 free cpus and no taint; the second such pod no longer fits there.
	createPod(t, cs, testPod("needs-two-cpus", "2", "1Gi"))
	train := testPod("train", "6", "16Gi")
	train.Spec.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "gpu", Effect: corev1.TaintEffectNoSchedule}}
	createPod(t, cs, train)
	createPod(t, cs, testPod("tiny", "100m", "64Mi"))

	want := map[string][]string{"needs-two-cpus": {"big"}, "train": {"gpu"}, "tiny": {"small", "big"}}
	for name, nodes := range want {
		eventually(t, name+" bound", func() bool { return getPod(t, cs, name).Spec.NodeName != "" })
		got := getPod(t, cs, name).Spec.NodeName
		if !contains(nodes, got) {
			t.Errorf("pod %s bound to %s, want one of %v", name, got, nodes)
		}
		eventually(t, "Scheduled event of "+name, func() bool {
			return hasEvent(t, cs, name, fmt.Sprintf("Normal Scheduled: Successfully assigned default/%s to %s", name, got))
		})
	}
}

func TestIntegrationUnschedulablePodWaitsForAFittingNode(t *testing.T) {
	cs := integrationClient(t)
	tainted := testNode("control-plane", "8", "16Gi")
	tainted.Spec.Taints = []corev1.Taint{{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}}
	createNode(t, cs, testNode("worker-1", "2", "4Gi"))
	createNode(t, cs, testNode("worker-2", "2", "4Gi"))
	createNode(t, cs, tainted)
	startScheduler(t, Config{Clientset: cs})

	createPod(t, cs, testPod("big", "4", "1Gi"))
	message := "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. " +
		"no new claims to deallocate, preemption: 0/3 nodes are available: " +
		"1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
	eventually(t, "PodScheduled=False", func() bool {
		for _, c := range getPod(t, cs, "big").Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == "Unschedulable" && c.Message == message {
				return true
			}
		}
		return false
	})
	eventually(t, "FailedScheduling event", func() bool {
		return hasEvent(t, cs, "big", "Warning FailedScheduling: "+message)
	})

	createNode(t, cs, testNode("worker-3", "8", "16Gi"))
	eventually(t, "big bound to worker-3", func() bool { return getPod(t, cs, "big").Spec.NodeName == "worker-3" })
	eventually(t, "Scheduled event", func() bool {
		return hasEvent(t, cs, "big", "Normal Scheduled: Successfully assigned default/big to worker-3")
	})
}

func TestIntegrationLeaderElectionNeverDoubleBinds(t *testing.T) {
	cs := integrationClient(t)
	createNode(t, cs, testNode("worker-1", "64", "256Gi"))
	createNode(t, cs, testNode("worker-2", "64", "256Gi"))
	cfg := func(id string) Config {
		return Config{Clientset: cs, LeaderElect: true, Identity: id,
			LeaseDuration: 2 * time.Second, RenewDeadline: 1500 * time.Millisecond, RetryPeriod: 200 * time.Millisecond}
	}
	first, err := New(cfg("first"))
	if err != nil {
		t.Fatal(err)
	}
	firstCtx, stopFirst := context.WithCancel(context.Background())
	defer stopFirst()
	firstDone := make(chan error, 1)
	go func() { firstDone <- first.Run(firstCtx) }()
	eventually(t, "first to lead", func() bool {
		lease, err := cs.Leases("kube-system").Get(context.Background(), "kube-scheduler")
		return err == nil && lease.Spec.HolderIdentity != nil && *lease.Spec.HolderIdentity == "first"
	})
	startScheduler(t, cfg("second"))

	var names []string
	for i := range 30 {
		name := fmt.Sprintf("web-%d", i)
		names = append(names, name)
		createPod(t, cs, testPod(name, "100m", "64Mi"))
		if i == 14 {
			// Halfway through, the leader steps down and the other takes over.
			stopFirst()
			if err := <-firstDone; err != nil {
				t.Fatalf("first scheduler: %v", err)
			}
		}
	}
	for _, name := range names {
		eventually(t, name+" bound", func() bool { return getPod(t, cs, name).Spec.NodeName != "" })
	}
	// Every pod has exactly one Scheduled event and no failed binding: a second scheduler
	// binding it again would have been rejected by the API server and reported.
	for _, name := range names {
		var scheduled int
		for _, e := range eventsFor(t, cs, name) {
			switch {
			case len(e) > len("Normal Scheduled:") && e[:len("Normal Scheduled:")] == "Normal Scheduled:":
				scheduled++
			default:
				t.Errorf("pod %s: unexpected event %q", name, e)
			}
		}
		if scheduled > 1 {
			t.Errorf("pod %s: %d Scheduled events, want 1", name, scheduled)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
