package deployment

import (
	"testing"
	"time"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

func TestCalculateStatus(t *testing.T) {
	d := rollingDeployment(4, "1", "1")
	d.Generation = 7
	old := sizedRS("old", 2, 2, 60)
	old.Status.ReadyReplicas = 2
	old.Status.TerminatingReplicas = ptrTo(int32(1))
	old.Status.ObservedGeneration = 1
	newRS := sizedRS("new", 3, 1, 1)
	newRS.Status.ReadyReplicas = 2
	s := calculateStatus([]*appsv1.ReplicaSet{old, newRS}, newRS, d, testNow)
	if s.ObservedGeneration != 7 || s.Replicas != 5 || s.UpdatedReplicas != 3 || s.ReadyReplicas != 4 ||
		s.AvailableReplicas != 3 || s.UnavailableReplicas != 2 || s.TerminatingReplicas == nil || *s.TerminatingReplicas != 1 {
		t.Errorf("status %+v", s)
	}
	c := getCondition(s, appsv1.DeploymentAvailable)
	if c == nil || c.Status != corev1.ConditionTrue || c.Reason != "MinimumReplicasAvailable" || c.Message != "Deployment has minimum availability." {
		t.Errorf("Available %+v", c)
	}

	// 2 available of 4 with maxUnavailable 1: not enough.
	newRS.Status.AvailableReplicas = 0
	d.Status = s
	s = calculateStatus([]*appsv1.ReplicaSet{old, newRS, nil}, newRS, d, testNow.Add(time.Minute))
	c = getCondition(s, appsv1.DeploymentAvailable)
	if c.Status != corev1.ConditionFalse || c.Reason != "MinimumReplicasUnavailable" || c.Message != "Deployment does not have minimum availability." ||
		!c.LastTransitionTime.Equal(testNow.Add(time.Minute)) {
		t.Errorf("Available %+v", c)
	}

	// A ReplicaSet the ReplicaSet controller synced without terminatingReplicas makes it unknown.
	old.Status.TerminatingReplicas = nil
	if s := calculateStatus([]*appsv1.ReplicaSet{old, newRS}, newRS, d, testNow); s.TerminatingReplicas != nil {
		t.Errorf("terminatingReplicas %d, want unknown", *s.TerminatingReplicas)
	}
}

func TestSetConditionKeepsTransitionTime(t *testing.T) {
	var s appsv1.DeploymentStatus
	setCondition(&s, newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue, "A", "a", testNow))
	setCondition(&s, newCondition(appsv1.DeploymentAvailable, corev1.ConditionTrue, "X", "x", testNow))
	// Same status and reason: nothing changes, not even the update time.
	setCondition(&s, newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue, "A", "a2", testNow.Add(time.Hour)))
	if c := s.Conditions[0]; c.Message != "a" || !c.LastUpdateTime.Equal(testNow) {
		t.Errorf("same reason changed the condition: %+v", c)
	}
	// New reason, same status: moved to the end, transition time kept.
	setCondition(&s, newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue, "B", "b", testNow.Add(time.Hour)))
	c := s.Conditions[1]
	if s.Conditions[0].Type != appsv1.DeploymentAvailable || c.Reason != "B" || !c.LastTransitionTime.Equal(testNow) ||
		!c.LastUpdateTime.Equal(testNow.Add(time.Hour)) {
		t.Errorf("conditions %+v", s.Conditions)
	}
}

// progressingAt returns a Deployment whose Progressing condition has this reason and was
// last updated at `at`.
func progressingAt(reason string, at time.Time) *appsv1.Deployment {
	d := rollingDeployment(3, "1", "0")
	d.Spec.ProgressDeadlineSeconds = ptrTo(int32(600))
	d.Generation = 2
	d.Status = appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 4, UpdatedReplicas: 1, ReadyReplicas: 3, AvailableReplicas: 3,
		Conditions: []appsv1.DeploymentCondition{newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue, reason, "x", at)}}
	return d
}

func TestRolloutStatusProgressing(t *testing.T) {
	old := sizedRS("old", 3, 3, 60)
	newRS := sizedRS("web-abc", 1, 0, 1)
	all := []*appsv1.ReplicaSet{old, newRS}

	// Nothing moved, deadline not reached: the condition stays as it was.
	d := progressingAt(appsv1.ReplicaSetUpdatedReason, testNow.Add(-5*time.Minute))
	s := rolloutStatus(all, newRS, d, testNow)
	if c := getCondition(s, appsv1.DeploymentProgressing); c.Reason != appsv1.ReplicaSetUpdatedReason || !c.LastUpdateTime.Equal(testNow.Add(-5*time.Minute)) {
		t.Errorf("no progress changed the condition: %+v", c)
	}
	if after := progressCheckAfter(d, &s, testNow); after != 5*time.Minute+time.Second {
		t.Errorf("progress check after %v, want 5m1s", after)
	}

	// A new pod became ready: progress, lastUpdateTime refreshed, transition time kept.
	newRS.Status.ReadyReplicas = 1
	s = rolloutStatus(all, newRS, d, testNow)
	c := getCondition(s, appsv1.DeploymentProgressing)
	if c.Reason != appsv1.ReplicaSetUpdatedReason || c.Message != `ReplicaSet "web-abc" is progressing.` ||
		!c.LastUpdateTime.Equal(testNow) || !c.LastTransitionTime.Equal(testNow.Add(-5*time.Minute)) {
		t.Errorf("progress: %+v", c)
	}

	// No progress for longer than the deadline: timed out.
	newRS.Status.ReadyReplicas = 0
	d = progressingAt(appsv1.ReplicaSetUpdatedReason, testNow.Add(-11*time.Minute))
	s = rolloutStatus(all, newRS, d, testNow)
	c = getCondition(s, appsv1.DeploymentProgressing)
	if c.Status != corev1.ConditionFalse || c.Reason != "ProgressDeadlineExceeded" || c.Message != `ReplicaSet "web-abc" has timed out progressing.` {
		t.Errorf("deadline: %+v", c)
	}
	if after := progressCheckAfter(d, &s, testNow); after != 0 {
		t.Errorf("progress check after %v, want now", after)
	}

	// Complete: every pod updated and available.
	newRS = sizedRS("web-abc", 3, 3, 1)
	newRS.Status.ReadyReplicas = 3
	all = []*appsv1.ReplicaSet{sizedRS("old", 0, 0, 60), newRS}
	s = rolloutStatus(all, newRS, d, testNow)
	c = getCondition(s, appsv1.DeploymentProgressing)
	if c.Status != corev1.ConditionTrue || c.Reason != "NewReplicaSetAvailable" || c.Message != `ReplicaSet "web-abc" has successfully progressed.` {
		t.Errorf("complete: %+v", c)
	}
	if after := progressCheckAfter(d, &s, testNow); after != -1 {
		t.Errorf("complete rollout checked again after %v", after)
	}

	// No deadline: no Progressing condition at all.
	d.Spec.ProgressDeadlineSeconds = ptrTo(int32(maxInt32))
	if s := rolloutStatus(all, newRS, d, testNow); getCondition(s, appsv1.DeploymentProgressing) != nil {
		t.Error("Progressing condition without a deadline")
	}
}

func TestReplicaFailureSurfacesOnDeployment(t *testing.T) {
	old := sizedRS("old", 1, 1, 60)
	newRS := sizedRS("new", 3, 0, 1)
	failure := appsv1.ReplicaSetCondition{Type: appsv1.ReplicaSetReplicaFailure, Status: corev1.ConditionTrue,
		Reason: "FailedCreate", Message: "quota", LastTransitionTime: metav1.NewTime(testNow)}
	old.Status.Conditions = []appsv1.ReplicaSetCondition{failure}
	d := progressingAt(appsv1.ReplicaSetUpdatedReason, testNow)
	s := rolloutStatus([]*appsv1.ReplicaSet{old, newRS}, newRS, d, testNow)
	c := getCondition(s, appsv1.DeploymentReplicaFailure)
	if c == nil || c.Reason != "FailedCreate" || c.Message != "quota" || !c.LastUpdateTime.Equal(testNow) {
		t.Errorf("ReplicaFailure %+v", c)
	}
	old.Status.Conditions = nil
	d.Status = s
	if s := rolloutStatus([]*appsv1.ReplicaSet{old, newRS}, newRS, d, testNow); getCondition(s, appsv1.DeploymentReplicaFailure) != nil {
		t.Error("ReplicaFailure kept after the ReplicaSet recovered")
	}
}

func TestOldPodsRunning(t *testing.T) {
	old := sizedRS("old", 0, 0, 60)
	newRS := sizedRS("new", 0, 0, 1)
	pod := func(phase corev1.PodPhase) *corev1.Pod {
		p := &corev1.Pod{}
		p.Status.Phase = phase
		return p
	}
	pods := map[string][]*corev1.Pod{old.UID: {pod(corev1.PodSucceeded), pod(corev1.PodFailed)}, newRS.UID: {pod(corev1.PodRunning)}}
	if oldPodsRunning(newRS, []*appsv1.ReplicaSet{old}, pods) {
		t.Error("finished old pods and running new ones count as old pods running")
	}
	pods[old.UID] = append(pods[old.UID], pod(corev1.PodUnknown))
	if !oldPodsRunning(newRS, []*appsv1.ReplicaSet{old}, pods) {
		t.Error("an old pod in Unknown phase may run")
	}
	old.Status.Replicas = 1
	if !oldPodsRunning(newRS, []*appsv1.ReplicaSet{old}, nil) {
		t.Error("an old ReplicaSet reporting pods has pods")
	}
}
