package replicaset

import (
	"math"
	"sort"
	"strconv"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// This file decides which pods go first when a ReplicaSet has too many: the least useful
// ones, so that scaling down costs as little capacity as possible. The order is upstream's
// (ActivePodsWithRanks); each rule only breaks the ties left by the rules before it:
//
//  1. not scheduled to a node before scheduled (it does no work yet);
//  2. Pending before Unknown before Running;
//  3. not ready before ready;
//  4. lower controller.kubernetes.io/pod-deletion-cost before higher (a user's hint);
//  5. more pods of the same owner on its node before fewer (spreads what stays);
//  6. both ready: ready for a shorter time before longer;
//  7. more container restarts before fewer (then more sidecar restarts);
//  8. created more recently before earlier (an empty creation time first).
//
// Rules 6 and 8 compare times on a logarithmic scale relative to now (1s, 2s, 4s ... ago
// land in the same bucket), and pods in the same bucket are ordered by uid: a pseudo-random
// but stable choice among pods of about the same age, so that scaling down does not always
// hit the very newest pod.

// podDeletionCostAnnotation lets users say which pods are cheaper to delete.
const podDeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost"

// podsToDelete returns the n pods of active to delete first. related are all pods of the
// ReplicaSets sharing this one's owner (for a Deployment: old and new ReplicaSets), used
// to rank pods by how crowded their node is. active is not modified.
func podsToDelete(active, related []*corev1.Pod, n int, now time.Time) []*corev1.Pod {
	if n >= len(active) {
		return append([]*corev1.Pod(nil), active...)
	}
	order := rankedPods{pods: append([]*corev1.Pod(nil), active...), now: now}
	onNode := map[string]int{}
	for _, p := range related {
		if isPodActive(p) {
			onNode[p.Spec.NodeName]++
		}
	}
	order.rank = make([]int, len(order.pods))
	for i, p := range order.pods {
		order.rank[i] = onNode[p.Spec.NodeName]
	}
	sort.Sort(order)
	return order.pods[:n]
}

// rankedPods sorts pods in deletion order (sort.Interface). rank[i] is the number of
// related active pods on pods[i]'s node; now anchors the logarithmic time comparisons.
type rankedPods struct {
	pods []*corev1.Pod
	rank []int
	now  time.Time
}

func (r rankedPods) Len() int { return len(r.pods) }

func (r rankedPods) Swap(i, j int) {
	r.pods[i], r.pods[j] = r.pods[j], r.pods[i]
	r.rank[i], r.rank[j] = r.rank[j], r.rank[i]
}

// phaseOrdinal orders phases for rule 2; phases not listed count as Pending.
var phaseOrdinal = map[corev1.PodPhase]int{corev1.PodPending: 0, corev1.PodUnknown: 1, corev1.PodRunning: 2}

// Less reports whether pods[i] should be deleted before pods[j].
func (r rankedPods) Less(i, j int) bool {
	a, b := r.pods[i], r.pods[j]
	// 1. Unscheduled first.
	if a.Spec.NodeName != b.Spec.NodeName && (a.Spec.NodeName == "" || b.Spec.NodeName == "") {
		return a.Spec.NodeName == ""
	}
	// 2. Earlier phase first.
	if pa, pb := phaseOrdinal[a.Status.Phase], phaseOrdinal[b.Status.Phase]; pa != pb {
		return pa < pb
	}
	// 3. Not ready first.
	readyA, readyB := isPodReady(a), isPodReady(b)
	if readyA != readyB {
		return !readyA
	}
	// 4. Cheaper first.
	if ca, cb := deletionCost(a), deletionCost(b); ca != cb {
		return ca < cb
	}
	// 5. More crowded node first.
	if r.rank[i] != r.rank[j] {
		return r.rank[i] > r.rank[j]
	}
	// 6. Ready more recently first.
	if readyA && readyB {
		ta, tb := podReadyCondition(a).LastTransitionTime.Time, podReadyCondition(b).LastTransitionTime.Time
		if !ta.Equal(tb) {
			if ta.IsZero() || tb.IsZero() {
				return newerOrZero(ta, tb)
			}
			if d := logRankDiff(ta, tb, r.now); d != 0 {
				return d < 0
			}
			return a.UID < b.UID
		}
	}
	// 7. More restarts first.
	ra, sa := maxRestarts(a)
	rb, sb := maxRestarts(b)
	if ra != rb {
		return ra > rb
	}
	if sa != sb {
		return sa > sb
	}
	// 8. Newer first.
	ca, cb := a.CreationTimestamp.Time, b.CreationTimestamp.Time
	if !ca.Equal(cb) {
		if ca.IsZero() || cb.IsZero() {
			return newerOrZero(ca, cb)
		}
		if d := logRankDiff(ca, cb, r.now); d != 0 {
			return d < 0
		}
		return a.UID < b.UID
	}
	return false
}

// newerOrZero: t1 is after t2, a zero time counting as the newest of all.
func newerOrZero(t1, t2 time.Time) bool {
	if t1.IsZero() || t2.IsZero() {
		return t1.IsZero()
	}
	return t1.After(t2)
}

// logRankDiff compares how long ago t1 and t2 were on a base-2 logarithmic scale (of
// nanoseconds): negative when t1 is in a more recent bucket than t2, zero when both share
// one. Times not in the past fall in the most recent bucket.
func logRankDiff(t1, t2, now time.Time) int64 {
	bucket := func(t time.Time) int64 {
		if d := now.Sub(t); d > 0 {
			return int64(math.Log2(float64(d)))
		}
		return -1
	}
	return bucket(t1) - bucket(t2)
}

// deletionCost reads the pod-deletion-cost annotation; absent or malformed values cost 0.
// Like upstream, only plain decimal int32 values count ("+1" and "01" do not).
func deletionCost(p *corev1.Pod) int32 {
	v, ok := p.Annotations[podDeletionCostAnnotation]
	if !ok || v == "" {
		return 0
	}
	if first := v[0]; !(first == '-' || (first >= '1' && first <= '9') || v == "0") {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0
	}
	return int32(n)
}

// maxRestarts returns the highest restart count among the regular containers, and among
// the sidecars (init containers with restartPolicy Always).
func maxRestarts(p *corev1.Pod) (regular, sidecar int32) {
	for _, c := range p.Status.ContainerStatuses {
		regular = max(regular, c.RestartCount)
	}
	sidecars := map[string]bool{}
	for _, c := range p.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			sidecars[c.Name] = true
		}
	}
	for _, c := range p.Status.InitContainerStatuses {
		if sidecars[c.Name] {
			sidecar = max(sidecar, c.RestartCount)
		}
	}
	return regular, sidecar
}
