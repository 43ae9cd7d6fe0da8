package nodelifecycle

import (
	"testing"
	"time"

	coordinationv1 "github.com/skiff-k8s/skiff/api/coordination/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

var t0 = time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

func mtime(sec int) metav1.Time { return metav1.NewTime(at(sec)) }

// testNode builds a node created at t0 with the given Ready condition (status "" = none),
// whose heartbeat was at heartbeat seconds.
func testNode(name string, ready corev1.ConditionStatus, heartbeat int) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, UID: "uid-" + name, ResourceVersion: "10", CreationTimestamp: mtime(0)}}
	if ready != "" {
		n.Status.Conditions = []corev1.NodeCondition{{
			Type: corev1.NodeReady, Status: ready, Reason: "KubeletReady",
			LastHeartbeatTime: mtime(heartbeat), LastTransitionTime: mtime(0),
		}}
	}
	return n
}

func testLease(name string, renew int) *coordinationv1.Lease {
	rt := metav1.MicroTime{Time: at(renew)}
	return &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: corev1.NamespaceNodeLease},
		Spec:       coordinationv1.LeaseSpec{RenewTime: &rt},
	}
}

func TestObserveHealth(t *testing.T) {
	seen := &healthRecord{probeTime: at(10), hasReady: true, heartbeat: mtime(10), leaseRenew: at(12)}
	tests := []struct {
		name      string
		prev      *healthRecord
		node      *corev1.Node
		lease     *coordinationv1.Lease
		now       int
		wantProbe time.Time
	}{
		{"first sight without status counts from creation", nil, testNode("n", "", 0), nil, 30, at(0)},
		{"first sight with status counts from now", nil, testNode("n", corev1.ConditionTrue, 5), nil, 30, at(30)},
		{"unchanged heartbeat keeps the probe time", seen, testNode("n", corev1.ConditionTrue, 10), nil, 30, at(10)},
		{"new heartbeat is a sign of life", seen, testNode("n", corev1.ConditionTrue, 20), nil, 30, at(30)},
		{"renewed lease is a sign of life", seen, testNode("n", corev1.ConditionTrue, 10), testLease("n", 25), 30, at(30)},
		{"same lease is not", seen, testNode("n", corev1.ConditionTrue, 10), testLease("n", 12), 30, at(10)},
		{"lease of a node that never posted status", nil, testNode("n", "", 0), testLease("n", 3), 30, at(30)},
		{"ready condition appearing", &healthRecord{probeTime: at(0)}, testNode("n", corev1.ConditionTrue, 8), nil, 9, at(9)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := observeHealth(tt.prev, tt.node, tt.lease, at(tt.now))
			if !got.probeTime.Equal(tt.wantProbe) {
				t.Errorf("probeTime = %v, want %v", got.probeTime, tt.wantProbe)
			}
		})
	}
}

func TestGracePeriod(t *testing.T) {
	if got := gracePeriod(testNode("n", "", 0), 40*time.Second, 60*time.Second); got != 60*time.Second {
		t.Errorf("never-posted node: %v, want the startup grace", got)
	}
	if got := gracePeriod(testNode("n", corev1.ConditionTrue, 0), 40*time.Second, 60*time.Second); got != 40*time.Second {
		t.Errorf("posting node: %v, want the monitor grace", got)
	}
}

func TestSilentNodeConditions(t *testing.T) {
	node := testNode("n", corev1.ConditionTrue, 10)
	node.Status.Conditions = append(node.Status.Conditions, corev1.NodeCondition{
		Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientMemory",
		LastHeartbeatTime: mtime(10), LastTransitionTime: mtime(0),
	}, corev1.NodeCondition{Type: corev1.NodeNetworkUnavailable, Status: corev1.ConditionFalse})
	got, changed := silentNodeConditions(node, at(60))
	if !changed {
		t.Fatal("changed = false")
	}
	want := map[corev1.NodeConditionType]corev1.NodeCondition{
		corev1.NodeReady: {Type: corev1.NodeReady, Status: corev1.ConditionUnknown, Reason: "NodeStatusUnknown",
			Message: "Kubelet stopped posting node status.", LastHeartbeatTime: mtime(10), LastTransitionTime: mtime(60)},
		corev1.NodeMemoryPressure: {Type: corev1.NodeMemoryPressure, Status: corev1.ConditionUnknown, Reason: "NodeStatusUnknown",
			Message: "Kubelet stopped posting node status.", LastHeartbeatTime: mtime(10), LastTransitionTime: mtime(60)},
		corev1.NodeDiskPressure: {Type: corev1.NodeDiskPressure, Status: corev1.ConditionUnknown, Reason: "NodeStatusNeverUpdated",
			Message: "Kubelet never posted node status.", LastHeartbeatTime: mtime(0), LastTransitionTime: mtime(60)},
		corev1.NodePIDPressure: {Type: corev1.NodePIDPressure, Status: corev1.ConditionUnknown, Reason: "NodeStatusNeverUpdated",
			Message: "Kubelet never posted node status.", LastHeartbeatTime: mtime(0), LastTransitionTime: mtime(60)},
		corev1.NodeNetworkUnavailable: {Type: corev1.NodeNetworkUnavailable, Status: corev1.ConditionFalse},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d conditions, want %d: %+v", len(got), len(want), got)
	}
	for _, c := range got {
		if w := want[c.Type]; c != w {
			t.Errorf("%s:\n got %+v\nwant %+v", c.Type, c, w)
		}
	}
	if node.Status.Conditions[0].Status != corev1.ConditionTrue {
		t.Error("input modified")
	}
	// Once Unknown, nothing changes any more (and transition times stay).
	node.Status.Conditions = got
	if again, changed := silentNodeConditions(node, at(90)); changed || again[0].LastTransitionTime != mtime(60) {
		t.Errorf("second pass changed = %v, %+v", changed, again[0])
	}
}
