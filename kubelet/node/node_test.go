package node

import (
	"errors"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

func TestConditions(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	healthy := Health{RuntimeReady: true, NetworkReady: true}
	first := Conditions(nil, healthy, t0)
	want := []struct {
		typ             corev1.NodeConditionType
		status          corev1.ConditionStatus
		reason, message string
	}{
		{corev1.NodeMemoryPressure, corev1.ConditionFalse, "KubeletHasSufficientMemory", "kubelet has sufficient memory available"},
		{corev1.NodeDiskPressure, corev1.ConditionFalse, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"},
		{corev1.NodePIDPressure, corev1.ConditionFalse, "KubeletHasSufficientPID", "kubelet has sufficient PID available"},
		{corev1.NodeReady, corev1.ConditionTrue, "KubeletReady", "kubelet is posting ready status"},
	}
	for i, w := range want {
		c := first[i]
		if c.Type != w.typ || c.Status != w.status || c.Reason != w.reason || c.Message != w.message || !c.LastHeartbeatTime.Time.Equal(t0) {
			t.Errorf("condition %d: %+v", i, c)
		}
	}

	// Later: same status keeps its transition time, the heartbeat moves.
	t1 := t0.Add(time.Minute)
	later := Conditions(append(first, corev1.NodeCondition{Type: corev1.NodeNetworkUnavailable, Status: corev1.ConditionFalse}), healthy, t1)
	if !later[3].LastTransitionTime.Time.Equal(t0) || !later[3].LastHeartbeatTime.Time.Equal(t1) {
		t.Errorf("ready %+v", later[3])
	}
	if len(later) != 5 || later[4].Type != corev1.NodeNetworkUnavailable {
		t.Errorf("conditions owned by others are kept: %+v", later)
	}
	if statusChanged(corev1.NodeStatus{Conditions: first}, corev1.NodeStatus{Conditions: Conditions(first, healthy, t1)}) {
		t.Error("a heartbeat alone is not a change")
	}

	down := Conditions(first, Health{RuntimeErr: errors.New("unavailable")}, t1)
	if r := down[3]; r.Status != corev1.ConditionFalse || r.Reason != "KubeletNotReady" || r.Message != "container runtime is down" || !r.LastTransitionTime.Time.Equal(t1) {
		t.Errorf("runtime down: %+v", r)
	}
	if !statusChanged(corev1.NodeStatus{Conditions: first}, corev1.NodeStatus{Conditions: down}) {
		t.Error("Ready going False is a change")
	}
	_ = metav1.Time{}
}

func TestResources(t *testing.T) {
	m := &Machine{CPUs: 2, MemoryBytes: 4 << 30, EphemeralBytes: 100 << 30, HugePageSizes: []string{"2Mi"}}
	capacity, alloc := m.Resources(110, nil, nil)
	if c := capacity[corev1.ResourceCPU]; c.String() != "2" {
		t.Errorf("cpu %s", c.String())
	}
	if c := capacity[corev1.ResourceMemory]; c.String() != "4Gi" {
		t.Errorf("memory %s", c.String())
	}
	if a := alloc[corev1.ResourceMemory]; a.Value() != 4<<30-100<<20 {
		t.Errorf("allocatable memory %s", a.String())
	}
	if p := capacity[corev1.ResourcePods]; p.String() != "110" {
		t.Errorf("pods %s", p.String())
	}
	if _, ok := capacity["hugepages-2Mi"]; !ok {
		t.Error("hugepages capacity missing")
	}
}
