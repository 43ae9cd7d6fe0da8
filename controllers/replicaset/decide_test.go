package replicaset

import (
	"errors"
	"slices"
	"testing"
	"time"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

func TestReplicaDiff(t *testing.T) {
	for _, tc := range []struct{ active, want, burst, diff int }{
		{0, 3, 500, 3},
		{5, 3, 500, -2},
		{3, 3, 500, 0},
		{0, 2000, 500, 500},    // a big scale-up goes in bursts
		{1200, 0, 500, -500},   // and so does a big scale-down
		{10, 12, 1, 1},         // burst bounds small diffs too
		{499, 999, 500, 500},   // exactly burst
		{1000, 501, 500, -499}, // under burst
	} {
		if got := replicaDiff(tc.active, tc.want, tc.burst); got != tc.diff {
			t.Errorf("replicaDiff(%d active, want %d, burst %d) = %d, want %d", tc.active, tc.want, tc.burst, got, tc.diff)
		}
	}
}

func TestSlowStartBatches(t *testing.T) {
	for _, tc := range []struct {
		count, initial int
		want           []int
	}{
		{0, 1, nil},
		{1, 1, []int{1}},
		{3, 1, []int{1, 2}},
		{10, 1, []int{1, 2, 4, 3}},
		{500, 1, []int{1, 2, 4, 8, 16, 32, 64, 128, 245}},
		{5, 2, []int{2, 3}},
	} {
		if got := slowStartBatches(tc.count, tc.initial); !slices.Equal(got, tc.want) {
			t.Errorf("slowStartBatches(%d, %d) = %v, want %v", tc.count, tc.initial, got, tc.want)
		}
	}
}

// statusPod is a pod for the status tests: labels, readiness since some seconds ago.
func statusPod(lbls map[string]string, readyFor int) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Labels: lbls}}
	if readyFor >= 0 {
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue,
			LastTransitionTime: metav1.NewTime(testNow.Add(-time.Duration(readyFor) * time.Second))}}
	}
	return p
}

func TestCalculateStatus(t *testing.T) {
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "web", Generation: 3}}
	rs.Spec.Replicas = ptrTo(int32(4))
	rs.Spec.MinReadySeconds = 10
	rs.Spec.Template.Labels = map[string]string{"app": "web", "tier": "front"}
	full := map[string]string{"app": "web", "tier": "front", "extra": "x"}
	partial := map[string]string{"app": "web"}
	active := []*corev1.Pod{
		statusPod(full, 60),    // ready, available
		statusPod(full, 5),     // ready, not yet available
		statusPod(partial, -1), // not ready, not fully labeled
	}
	terminating := []*corev1.Pod{statusPod(full, -1)}

	got := calculateStatus(rs, active, terminating, nil, testNow)
	want := appsv1.ReplicaSetStatus{Replicas: 3, FullyLabeledReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 1, TerminatingReplicas: ptrTo(int32(1))}
	if got.Replicas != want.Replicas || got.FullyLabeledReplicas != want.FullyLabeledReplicas ||
		got.ReadyReplicas != want.ReadyReplicas || got.AvailableReplicas != want.AvailableReplicas ||
		!equalInt32Ptr(got.TerminatingReplicas, want.TerminatingReplicas) || len(got.Conditions) != 0 {
		t.Fatalf("status = %+v, want %+v", got, want)
	}
	if calculateStatus(rs, active, nil, nil, testNow).TerminatingReplicas != nil {
		t.Error("terminatingReplicas set although not counted")
	}

	// Too few pods and a failed creation: FailedCreate with the API's message.
	failed := calculateStatus(rs, active, terminating, errors.New(`pods "web-x" is forbidden: exceeded quota`), testNow)
	if len(failed.Conditions) != 1 {
		t.Fatalf("conditions = %+v", failed.Conditions)
	}
	c := failed.Conditions[0]
	if c.Type != appsv1.ReplicaSetReplicaFailure || c.Status != corev1.ConditionTrue || c.Reason != "FailedCreate" ||
		c.Message != `pods "web-x" is forbidden: exceeded quota` || !c.LastTransitionTime.Equal(testNow) {
		t.Errorf("condition = %+v", c)
	}

	// A failure while it exists keeps the first one (its time and message).
	rs.Status.Conditions = failed.Conditions
	again := calculateStatus(rs, active, terminating, errors.New("other"), testNow.Add(time.Minute))
	if !equalConditions(again.Conditions, failed.Conditions) {
		t.Errorf("repeated failure changed the condition: %+v", again.Conditions)
	}
	// Success removes it, without touching the cached slice.
	ok := calculateStatus(rs, active, terminating, nil, testNow)
	if len(ok.Conditions) != 0 || len(rs.Status.Conditions) != 1 {
		t.Errorf("conditions after success = %+v (input %+v)", ok.Conditions, rs.Status.Conditions)
	}

	// Too many pods: FailedDelete.
	rs.Status.Conditions = nil
	rs.Spec.Replicas = ptrTo(int32(1))
	if c := calculateStatus(rs, active, nil, errors.New("boom"), testNow).Conditions; len(c) != 1 || c[0].Reason != "FailedDelete" {
		t.Errorf("conditions = %+v, want FailedDelete", c)
	}
}

func TestStatusUnchanged(t *testing.T) {
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Generation: 2}}
	rs.Status = appsv1.ReplicaSetStatus{Replicas: 3, ReadyReplicas: 3, ObservedGeneration: 2, TerminatingReplicas: ptrTo(int32(0))}
	same := *rs.Status.DeepCopy()
	if !statusUnchanged(rs, same) {
		t.Error("identical status reported as changed")
	}
	next := same
	next.TerminatingReplicas = ptrTo(int32(1))
	if statusUnchanged(rs, next) {
		t.Error("terminatingReplicas change not seen")
	}
	rs.Generation = 3 // a new spec to acknowledge
	if statusUnchanged(rs, same) {
		t.Error("new generation not seen")
	}
}

func TestAvailability(t *testing.T) {
	p := statusPod(nil, 10)
	for _, tc := range []struct {
		minReady int32
		want     bool
	}{{0, true}, {5, true}, {10, true}, {11, false}} {
		if got := isPodAvailable(p, tc.minReady, testNow); got != tc.want {
			t.Errorf("ready 10s, minReadySeconds %d: available = %v", tc.minReady, got)
		}
	}
	if isPodAvailable(statusPod(nil, -1), 0, testNow) {
		t.Error("a pod that is not ready is available")
	}

	pods := []*corev1.Pod{statusPod(nil, 3), statusPod(nil, 8), statusPod(nil, 100), statusPod(nil, -1)}
	if got := nextAvailabilityCheck(pods, 10, testNow); got == nil || *got != 2*time.Second {
		t.Errorf("next check = %v, want 2s (the pod ready for 8s)", got)
	}
	if got := nextAvailabilityCheck(pods[2:], 10, testNow); got != nil {
		t.Errorf("next check = %v, want none", *got)
	}
	if got := nextAvailabilityCheck(pods, 0, testNow); got != nil {
		t.Errorf("next check without minReadySeconds = %v", *got)
	}
}

func TestExpectations(t *testing.T) {
	now := testNow
	e := newExpectations(func() time.Time { return now })
	const key = "default/web"
	if !e.satisfied(key) {
		t.Fatal("nothing expected yet, but not satisfied")
	}
	e.expectCreations(key, 2)
	if e.satisfied(key) {
		t.Fatal("satisfied before any creation was observed")
	}
	e.creationObserved(key)
	e.creationObserved(key)
	if !e.satisfied(key) {
		t.Fatal("not satisfied after both creations")
	}

	e.expectDeletions(key, []string{"default/a", "default/b"})
	e.deletionObserved(key, "default/a")
	e.deletionObserved(key, "default/a") // seen again (update, then delete): counted once
	e.deletionObserved(key, "default/c") // someone else's deletion
	if e.satisfied(key) {
		t.Fatal("satisfied with default/b still expected")
	}
	now = now.Add(expectationsTimeout + time.Second)
	if !e.satisfied(key) {
		t.Fatal("expired expectation still holds the ReplicaSet back")
	}
	now = testNow
	e.forget(key)
	if !e.satisfied(key) {
		t.Fatal("forgotten expectation still holds the ReplicaSet back")
	}
}
