package scheduler

import (
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// fakeClock is a settable clock for the queue and the cache.
type fakeClock struct{ t time.Time }

func newFakeClock() *fakeClock                        { return &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} }
func (c *fakeClock) now() time.Time                   { return c.t }
func (c *fakeClock) advance(d time.Duration)          { c.t = c.t.Add(d) }
func withPriority(p *corev1.Pod, v int32) *corev1.Pod { p.Spec.Priority = &v; return p }

// where reports which of the queue's places holds the pod.
func where(q *SchedulingQueue, pod *corev1.Pod) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	key := podKey(pod)
	switch {
	case q.active.has(key):
		return "active"
	case q.backoff[key] != nil:
		return "backoff"
	case q.unschedulable[key] != nil:
		return "unschedulable"
	case q.gated[key] != nil:
		return "gated"
	case q.inFlight[key] != nil:
		return "in flight"
	}
	return "nowhere"
}

// failAttempt pops the given pod and reports its attempt as failed.
func failAttempt(t *testing.T, q *SchedulingQueue, pod *corev1.Pod, unschedulable bool) *QueuedPod {
	t.Helper()
	cycle := q.SchedulingCycle() + 1
	qp := q.Pop()
	if qp == nil || qp.Pod.Name != pod.Name {
		t.Fatalf("popped %v, want %s", qp, pod.Name)
	}
	q.AddUnschedulableIfNotPresent(qp, qp.Pod, cycle, unschedulable, nil)
	return qp
}

func TestQueuePopsByPriorityThenAge(t *testing.T) {
	clock := newFakeClock()
	q := NewSchedulingQueue(clock.now)
	q.Add(testPod("old-low", "1", "1Gi"))
	clock.advance(time.Second)
	q.Add(withPriority(testPod("high", "1", "1Gi"), 1000))
	clock.advance(time.Second)
	q.Add(testPod("new-low", "1", "1Gi"))
	for _, want := range []string{"high", "old-low", "new-low"} {
		if got := q.Pop().Pod.Name; got != want {
			t.Fatalf("popped %s, want %s", got, want)
		}
	}
}

func TestBackoffDoublesUpToTenSeconds(t *testing.T) {
	want := []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for i, w := range want {
		if got := backoffDuration(i + 1); got != w {
			t.Errorf("attempt %d: backoff %v, want %v", i+1, got, w)
		}
	}
}

// An unschedulable pod waits for a cluster event, then for the rest of its backoff, and
// is never retried in a loop meanwhile.
func TestUnschedulablePodWaitsForClusterEventAndBackoff(t *testing.T) {
	clock := newFakeClock()
	q := NewSchedulingQueue(clock.now)
	pod := testPod("web", "1", "1Gi")
	q.Add(pod)
	failAttempt(t, q, pod, true)
	if got := where(q, pod); got != "unschedulable" {
		t.Fatalf("after a failed attempt the pod is %s, want unschedulable", got)
	}

	// Time alone (short of 5 minutes) does not retry it.
	clock.advance(time.Minute)
	q.flushBackoffCompleted()
	q.flushUnschedulableLeftover()
	if got := where(q, pod); got != "unschedulable" {
		t.Fatalf("a minute later the pod is %s, want unschedulable", got)
	}

	// A cluster event makes it schedulable; its 1 s backoff is long over.
	q.MoveAllToActiveOrBackoff(EventNodeAdd)
	if got := where(q, pod); got != "active" {
		t.Fatalf("after a cluster event the pod is %s, want active", got)
	}

	// Second failure: a cluster event right after it leaves the pod in backoff for 2 s.
	failAttempt(t, q, pod, true)
	q.MoveAllToActiveOrBackoff(EventNodeAdd)
	if got := where(q, pod); got != "backoff" {
		t.Fatalf("event right after the 2nd failure: pod is %s, want backoff", got)
	}
	clock.advance(1500 * time.Millisecond)
	q.flushBackoffCompleted()
	if got := where(q, pod); got != "backoff" {
		t.Fatalf("1.5 s into a 2 s backoff the pod is %s, want backoff", got)
	}
	clock.advance(600 * time.Millisecond)
	q.flushBackoffCompleted()
	if got := where(q, pod); got != "active" {
		t.Fatalf("after its 2 s backoff the pod is %s, want active", got)
	}
}

// Pods nobody's events woke up are retried after five minutes anyway.
func TestUnschedulablePodsAreFlushedAfterFiveMinutes(t *testing.T) {
	clock := newFakeClock()
	q := NewSchedulingQueue(clock.now)
	pod := testPod("web", "1", "1Gi")
	q.Add(pod)
	failAttempt(t, q, pod, true)
	clock.advance(5 * time.Minute)
	q.flushUnschedulableLeftover()
	if got := where(q, pod); got != "unschedulable" {
		t.Fatalf("at exactly 5 minutes the pod is %s, want unschedulable", got)
	}
	clock.advance(time.Second)
	q.flushUnschedulableLeftover()
	if got := where(q, pod); got != "active" {
		t.Fatalf("after 5 minutes the pod is %s, want active", got)
	}
}

// A cluster event that happens while a pod is being scheduled is not lost: the attempt may
// have used the old state, so the pod only backs off instead of waiting for another event.
func TestEventDuringAttemptIsNotLost(t *testing.T) {
	clock := newFakeClock()
	q := NewSchedulingQueue(clock.now)
	pod := testPod("web", "1", "1Gi")
	q.Add(pod)
	cycle := q.SchedulingCycle() + 1
	qp := q.Pop()
	q.MoveAllToActiveOrBackoff(EventNodeAdd) // e.g. a node was added while filtering
	q.AddUnschedulableIfNotPresent(qp, qp.Pod, cycle, true, nil)
	if got := where(q, pod); got != "backoff" {
		t.Fatalf("pod is %s, want backoff", got)
	}
}

// Errors (an API call failed) back off and retry without waiting for an event.
func TestErrorsBackOff(t *testing.T) {
	clock := newFakeClock()
	q := NewSchedulingQueue(clock.now)
	pod := testPod("web", "1", "1Gi")
	q.Add(pod)
	failAttempt(t, q, pod, false)
	if got := where(q, pod); got != "backoff" {
		t.Fatalf("pod is %s, want backoff", got)
	}
	clock.advance(time.Second)
	q.flushBackoffCompleted()
	if got := where(q, pod); got != "active" {
		t.Fatalf("pod is %s, want active", got)
	}
}

// The scheduler's own status write (PodScheduled=False) must not retry the pod, or every
// failure would cause the next; a change to the spec or labels does.
func TestOnlyRealPodChangesRequeue(t *testing.T) {
	clock := newFakeClock()
	q := NewSchedulingQueue(clock.now)
	pod := testPod("web", "1", "1Gi")
	q.Add(pod)
	failAttempt(t, q, pod, true)
	clock.advance(time.Minute)

	withCondition := *pod
	withCondition.ResourceVersion = "2"
	withCondition.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable"}}
	q.Update(pod, &withCondition)
	if got := where(q, pod); got != "unschedulable" {
		t.Fatalf("after a status-only update the pod is %s, want unschedulable", got)
	}

	relaxed := withCondition
	relaxed.Spec.NodeSelector = map[string]string{"zone": "b"}
	q.Update(&withCondition, &relaxed)
	if got := where(q, pod); got != "active" {
		t.Fatalf("after a spec update the pod is %s, want active", got)
	}
}

func TestGatedPodsWaitForTheirGates(t *testing.T) {
	clock := newFakeClock()
	q := NewSchedulingQueue(clock.now)
	pod := testPod("web", "1", "1Gi")
	pod.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/quota"}}
	q.Add(pod)
	if got := where(q, pod); got != "gated" {
		t.Fatalf("pod is %s, want gated", got)
	}
	q.MoveAllToActiveOrBackoff(EventNodeAdd)
	if got := where(q, pod); got != "gated" {
		t.Fatalf("after a cluster event the pod is %s, want gated", got)
	}
	ungated := *pod
	ungated.Spec.SchedulingGates = nil
	q.Update(pod, &ungated)
	if got := where(q, pod); got != "active" {
		t.Fatalf("after ungating the pod is %s, want active", got)
	}
}

func TestDeletedPodsLeaveTheQueue(t *testing.T) {
	clock := newFakeClock()
	q := NewSchedulingQueue(clock.now)
	a, b := testPod("a", "1", "1Gi"), testPod("b", "1", "1Gi")
	q.Add(a)
	q.Add(b)
	q.Delete(a)
	if got := q.Pop().Pod.Name; got != "b" {
		t.Fatalf("popped %s, want b", got)
	}
	// Deleted while in flight: the failed attempt does not bring it back.
	cycle := q.SchedulingCycle()
	q.Add(a)
	qp := q.Pop()
	q.Delete(a)
	q.AddUnschedulableIfNotPresent(qp, qp.Pod, cycle+1, true, nil)
	if got := where(q, a); got != "nowhere" {
		t.Fatalf("deleted pod is %s, want nowhere", got)
	}
}

func TestCloseReleasesPop(t *testing.T) {
	q := NewSchedulingQueue(time.Now)
	done := make(chan *QueuedPod)
	go func() { done <- q.Pop() }()
	q.Close()
	select {
	case qp := <-done:
		if qp != nil {
			t.Fatalf("Pop returned %v after Close, want nil", qp)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Pop still blocked after Close")
	}
}

func TestPendingCounts(t *testing.T) {
	clock := newFakeClock()
	q := NewSchedulingQueue(clock.now)
	gated := testPod("gated", "1", "1Gi")
	gated.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "g"}}
	q.Add(gated)
	failing := testPod("failing", "1", "1Gi")
	q.Add(failing)
	failAttempt(t, q, failing, true)
	q.Add(testPod("ready", "1", "1Gi"))
	active, backoff, unschedulable, gatedCount := q.PendingCounts()
	if active != 1 || backoff != 0 || unschedulable != 1 || gatedCount != 1 {
		t.Fatalf("counts %d %d %d %d, want 1 0 1 1", active, backoff, unschedulable, gatedCount)
	}
}

// A cluster event wakes only the pods it may help: a pod arriving cannot give room to a pod
// that lacked cpu, but it can satisfy one waiting for company (pod affinity).
func TestEventsWakeOnlyThePodsTheyMayHelp(t *testing.T) {
	clock := newFakeClock()
	q := NewSchedulingQueue(clock.now)
	needsRoom, needsCompany, unknown := testPod("needs-room", "1", "1Gi"), testPod("needs-company", "1", "1Gi"), testPod("unknown", "1", "1Gi")
	for _, p := range []struct {
		pod        *corev1.Pod
		rejectedBy map[string]bool
	}{{needsRoom, map[string]bool{NodeResourcesFit: true}}, {needsCompany, map[string]bool{InterPodAffinity: true}}, {unknown, nil}} {
		q.Add(p.pod)
		cycle := q.SchedulingCycle() + 1
		qp := q.Pop()
		q.AddUnschedulableIfNotPresent(qp, qp.Pod, cycle, true, p.rejectedBy)
	}
	clock.advance(time.Minute)
	q.MoveAllToActiveOrBackoff(EventAssignedPodAdd)
	for pod, want := range map[*corev1.Pod]string{needsRoom: "unschedulable", needsCompany: "active", unknown: "active"} {
		if got := where(q, pod); got != want {
			t.Errorf("after a pod was added, %s is %s, want %s", pod.Name, got, want)
		}
	}
	q.MoveAllToActiveOrBackoff(EventAssignedPodDelete)
	if got := where(q, needsRoom); got != "active" {
		t.Errorf("after a pod was deleted, needs-room is %s, want active", got)
	}
}
