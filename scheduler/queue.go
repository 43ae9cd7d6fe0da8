package scheduler

import (
	"container/heap"
	"context"
	"reflect"
	"sync"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// Timing of the scheduling queue, upstream's defaults.
const (
	// A pod that failed waits 1 s, then 2, 4, 8, and at most 10 s before its next attempt.
	podInitialBackoff = 1 * time.Second
	podMaxBackoff     = 10 * time.Second
	// A pod left waiting for a cluster change this long is retried anyway, in case the
	// change that would help it was one the scheduler does not watch.
	podMaxInUnschedulable = 5 * time.Minute
	// How often the queue looks for pods whose backoff ended, and for pods waiting too long.
	backoffFlushInterval       = 1 * time.Second
	unschedulableFlushInterval = 30 * time.Second
)

// QueuedPod is a pending pod and its scheduling history.
type QueuedPod struct {
	Pod *corev1.Pod
	// Attempts counts scheduling attempts; it sets the backoff.
	Attempts int
	// Timestamp is when the pod last entered the queue: it orders pods of equal priority
	// and starts the backoff clock.
	Timestamp time.Time
	// InitialAttemptTimestamp is when the pod was first seen, for the e2e latency metric.
	InitialAttemptTimestamp time.Time
	// RejectedBy names the filters that rejected the pod last time; only cluster events
	// that may change their verdict wake it (none known: any event does).
	RejectedBy map[string]bool

	// heapIndex is the pod's position in the active heap (-1 when not there).
	heapIndex int
	// updatedInFlight records that the pod changed while being scheduled: a failed attempt
	// then saw a stale pod, so it must not wait for a cluster change.
	updatedInFlight bool
}

// SchedulingQueue holds pods waiting for a node, in three places as upstream's
// PriorityQueue:
//
//   - active: ready now, highest spec.priority first, then oldest;
//   - backoff: failed recently and waiting out their backoff, then back to active;
//   - unschedulable: fit nowhere last time and wait for the cluster to change (a node
//     added or updated, a pod deleted ...), or for podMaxInUnschedulable to pass.
//
// A fourth set holds gated pods (spec.schedulingGates), never tried until ungated.
//
// Promises: a pod is in at most one place; Pop hands a pod to one caller at a time; a pod
// that failed is not retried before its backoff ends, so nothing loops hot; a cluster event
// during an attempt is not lost (the failed pod then goes to backoff, not unschedulable).
// All methods are safe for concurrent use.
type SchedulingQueue struct {
	mu   sync.Mutex
	cond *sync.Cond
	now  func() time.Time

	active        activeHeap
	backoff       map[string]*QueuedPod
	unschedulable map[string]*QueuedPod
	gated         map[string]*QueuedPod
	// inFlight are the pods popped and not yet Done, by key.
	inFlight map[string]*QueuedPod

	// schedulingCycle counts Pops; moveRequestCycle is its value at the last cluster
	// event. A pod whose attempt started at or before moveRequestCycle may have missed
	// the event, so it is not parked as unschedulable.
	schedulingCycle  int64
	moveRequestCycle int64

	closed bool
}

// NewSchedulingQueue builds an empty queue; now is the clock (time.Now outside tests).
func NewSchedulingQueue(now func() time.Time) *SchedulingQueue {
	q := &SchedulingQueue{
		now:           now,
		backoff:       map[string]*QueuedPod{},
		unschedulable: map[string]*QueuedPod{},
		gated:         map[string]*QueuedPod{},
		inFlight:      map[string]*QueuedPod{},
	}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// podKey is the queue's identity for a pod: namespace/name, as upstream.
func podKey(pod *corev1.Pod) string { return pod.Namespace + "/" + pod.Name }

// Add queues a new pending pod.
func (q *SchedulingQueue) Add(pod *corev1.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.addLocked(pod)
}

func (q *SchedulingQueue) addLocked(pod *corev1.Pod) {
	key := podKey(pod)
	q.removeLocked(key)
	now := q.now()
	qp := &QueuedPod{Pod: pod, Timestamp: now, InitialAttemptTimestamp: now, heapIndex: -1}
	if isGated(pod) {
		q.gated[key] = qp
		return
	}
	q.pushActiveLocked(qp)
}

// Update replaces a queued pod with its new version. A pod waiting for a cluster change
// is retried if its spec or metadata changed (its own status writes do not count, or every
// FailedScheduling condition would trigger a retry).
func (q *SchedulingQueue) Update(oldPod, newPod *corev1.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	key := podKey(newPod)
	changed := oldPod == nil || podChanged(oldPod, newPod)
	switch {
	case q.active.has(key):
		qp := q.active.get(key)
		qp.Pod = newPod
		heap.Fix(&q.active, qp.heapIndex)
	case q.backoff[key] != nil:
		q.backoff[key].Pod = newPod
	case q.gated[key] != nil:
		qp := q.gated[key]
		qp.Pod = newPod
		if !isGated(newPod) {
			// Never tried, so no backoff: straight to active.
			delete(q.gated, key)
			q.pushActiveLocked(qp)
		}
	case q.unschedulable[key] != nil:
		qp := q.unschedulable[key]
		qp.Pod = newPod
		if changed {
			delete(q.unschedulable, key)
			q.requeueLocked(qp)
		}
	case q.inFlight[key] != nil:
		// The scheduler owns the QueuedPod until it hands it back; it takes the newest
		// version from its informer then. Just remember the attempt saw a stale pod.
		if changed {
			q.inFlight[key].updatedInFlight = true
		}
	default:
		// Not known yet (its add was missed, or it is new to this scheduler): queue it.
		q.addLocked(newPod)
	}
}

// Delete forgets a pod that was deleted or got a node.
func (q *SchedulingQueue) Delete(pod *corev1.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.removeLocked(podKey(pod))
}

// Pop blocks until a pod is active and returns it, or returns nil once the queue is
// closed. The pod stays "in flight" until Done.
func (q *SchedulingQueue) Pop() *QueuedPod {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.active.Len() == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return nil
	}
	qp := heap.Pop(&q.active).(*QueuedPod)
	qp.Attempts++
	qp.updatedInFlight = false
	q.schedulingCycle++
	q.inFlight[podKey(qp.Pod)] = qp
	return qp
}

// SchedulingCycle is the number of Pops so far; the scheduler notes it when it pops a pod
// and hands it back with AddUnschedulableIfNotPresent.
func (q *SchedulingQueue) SchedulingCycle() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.schedulingCycle
}

// Done ends a pod's attempt, successful or not.
func (q *SchedulingQueue) Done(pod *corev1.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.inFlight, podKey(pod))
}

// AddUnschedulableIfNotPresent puts back a pod whose attempt failed, as its newest version
// pod, remembering which filters rejected it (rejectedBy). A pod that fit
// nowhere (unschedulable) waits for a cluster change, unless one happened since its attempt
// began (podCycle) or the pod itself changed, in which case it only waits out its backoff.
// A pod that failed for another reason (an API error) always just backs off. Nothing happens
// if the pod was queued again meanwhile (an update re-added it) or deleted.
func (q *SchedulingQueue) AddUnschedulableIfNotPresent(qp *QueuedPod, pod *corev1.Pod, podCycle int64, unschedulable bool, rejectedBy map[string]bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	qp.Pod, qp.RejectedBy = pod, rejectedBy
	key := podKey(pod)
	wasInFlight := q.inFlight[key] != nil
	delete(q.inFlight, key)
	if !wasInFlight || q.locatedLocked(key) {
		return // deleted while in flight, or already queued again
	}
	qp.Timestamp = q.now()
	if unschedulable && !qp.updatedInFlight && q.moveRequestCycle < podCycle {
		q.unschedulable[key] = qp
		return
	}
	q.backoff[key] = qp
}

// ClusterEvent is a change in the cluster that may let waiting pods fit, with the filters
// whose verdict it can change (upstream's cluster events and queueing hints, simplified).
type ClusterEvent struct {
	Name string
	// Plugins are the filters the event may now satisfy; nil means any.
	Plugins map[string]bool
}

// The events the scheduler reacts to.
var (
	// A new or changed node can satisfy any filter (the scheduler ignores heartbeats).
	EventNodeAdd    = ClusterEvent{Name: "NodeAdd"}
	EventNodeUpdate = ClusterEvent{Name: "NodeUpdate"}
	// A pod leaving frees room and ports, and changes spreading and affinity.
	EventAssignedPodDelete = ClusterEvent{Name: "AssignedPodDelete", Plugins: map[string]bool{
		NodeResourcesFit: true, NodePorts: true, PodTopologySpread: true, InterPodAffinity: true}}
	// A pod arriving, or changing labels, changes only spreading and affinity.
	EventAssignedPodAdd    = ClusterEvent{Name: "AssignedPodAdd", Plugins: map[string]bool{PodTopologySpread: true, InterPodAffinity: true}}
	EventAssignedPodUpdate = ClusterEvent{Name: "AssignedPodUpdate", Plugins: map[string]bool{PodTopologySpread: true, InterPodAffinity: true}}
	// Namespace labels only matter to pod affinity namespaceSelectors.
	EventNamespaceUpdate = ClusterEvent{Name: "NamespaceUpdate", Plugins: map[string]bool{InterPodAffinity: true}}
)

// mayHelp reports whether the event can change the verdict that rejected qp.
func (e ClusterEvent) mayHelp(qp *QueuedPod) bool {
	if e.Plugins == nil || len(qp.RejectedBy) == 0 {
		return true
	}
	for plugin := range qp.RejectedBy {
		if e.Plugins[plugin] {
			return true
		}
	}
	return false
}

// MoveAllToActiveOrBackoff is called on cluster events: each unschedulable pod the event
// may help goes to active, or to backoff if its backoff has not ended.
func (q *SchedulingQueue) MoveAllToActiveOrBackoff(event ClusterEvent) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for key, qp := range q.unschedulable {
		if event.mayHelp(qp) {
			delete(q.unschedulable, key)
			q.requeueLocked(qp)
		}
	}
	q.moveRequestCycle = q.schedulingCycle
}

// Run flushes the backoff and unschedulable sets periodically until ctx ends, then closes
// the queue so that Pop returns nil.
func (q *SchedulingQueue) Run(ctx context.Context) {
	backoffTick := time.NewTicker(backoffFlushInterval)
	defer backoffTick.Stop()
	leftoverTick := time.NewTicker(unschedulableFlushInterval)
	defer leftoverTick.Stop()
	for {
		select {
		case <-ctx.Done():
			q.Close()
			return
		case <-backoffTick.C:
			q.flushBackoffCompleted()
		case <-leftoverTick.C:
			q.flushUnschedulableLeftover()
		}
	}
}

// Close wakes every Pop, which then returns nil.
func (q *SchedulingQueue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.cond.Broadcast()
}

// flushBackoffCompleted moves pods whose backoff has ended to active.
func (q *SchedulingQueue) flushBackoffCompleted() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for key, qp := range q.backoff {
		if !q.isBackingOffLocked(qp) {
			delete(q.backoff, key)
			q.pushActiveLocked(qp)
		}
	}
}

// flushUnschedulableLeftover retries pods that have waited podMaxInUnschedulable.
func (q *SchedulingQueue) flushUnschedulableLeftover() {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	for key, qp := range q.unschedulable {
		if now.Sub(qp.Timestamp) > podMaxInUnschedulable {
			delete(q.unschedulable, key)
			q.requeueLocked(qp)
		}
	}
}

// PendingCounts reports how many pods wait where, for the scheduler_pending_pods metric.
func (q *SchedulingQueue) PendingCounts() (active, backoff, unschedulable, gated int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.active.Len(), len(q.backoff), len(q.unschedulable), len(q.gated)
}

// backoffDuration doubles from podInitialBackoff per attempt, capped at podMaxBackoff.
func backoffDuration(attempts int) time.Duration {
	d := podInitialBackoff
	for i := 1; i < attempts; i++ {
		if d > podMaxBackoff-d {
			return podMaxBackoff
		}
		d += d
	}
	return d
}

func (q *SchedulingQueue) isBackingOffLocked(qp *QueuedPod) bool {
	return qp.Timestamp.Add(backoffDuration(qp.Attempts)).After(q.now())
}

// requeueLocked sends a pod leaving the unschedulable set to backoff or active.
func (q *SchedulingQueue) requeueLocked(qp *QueuedPod) {
	if q.isBackingOffLocked(qp) {
		q.backoff[podKey(qp.Pod)] = qp
		return
	}
	q.pushActiveLocked(qp)
}

func (q *SchedulingQueue) pushActiveLocked(qp *QueuedPod) {
	heap.Push(&q.active, qp)
	q.cond.Signal()
}

// locatedLocked reports whether the pod sits in any of the queue's places.
func (q *SchedulingQueue) locatedLocked(key string) bool {
	return q.active.has(key) || q.backoff[key] != nil || q.unschedulable[key] != nil || q.gated[key] != nil
}

// removeLocked takes a pod out of every place, including in flight.
func (q *SchedulingQueue) removeLocked(key string) {
	if qp := q.active.get(key); qp != nil {
		heap.Remove(&q.active, qp.heapIndex)
	}
	delete(q.backoff, key)
	delete(q.unschedulable, key)
	delete(q.gated, key)
	delete(q.inFlight, key)
}

// isGated reports whether a pod waits for its scheduling gates to be removed.
func isGated(pod *corev1.Pod) bool { return len(pod.Spec.SchedulingGates) > 0 }

// podChanged reports whether an update could change the pod's placement: anything but its
// status and bookkeeping fields, as upstream's isPodUpdated.
func podChanged(oldPod, newPod *corev1.Pod) bool {
	strip := func(p *corev1.Pod) corev1.Pod {
		c := *p
		c.ResourceVersion = ""
		c.Generation = 0
		c.ManagedFields = nil
		c.Finalizers = nil
		c.Status = corev1.PodStatus{}
		return c
	}
	a, b := strip(oldPod), strip(newPod)
	return !reflect.DeepEqual(a, b)
}

// podPriority is spec.priority, 0 when unset (no PriorityClass admission ran).
func podPriority(pod *corev1.Pod) int32 {
	if pod.Spec.Priority != nil {
		return *pod.Spec.Priority
	}
	return 0
}

// activeHeap orders active pods: higher priority first, then earlier Timestamp (upstream's
// PrioritySort). It also indexes pods by key for updates and removals.
type activeHeap struct {
	items []*QueuedPod
	byKey map[string]*QueuedPod
}

func (h *activeHeap) Len() int { return len(h.items) }

func (h *activeHeap) Less(i, j int) bool {
	pi, pj := podPriority(h.items[i].Pod), podPriority(h.items[j].Pod)
	if pi != pj {
		return pi > pj
	}
	return h.items[i].Timestamp.Before(h.items[j].Timestamp)
}

func (h *activeHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].heapIndex = i
	h.items[j].heapIndex = j
}

func (h *activeHeap) Push(x any) {
	qp := x.(*QueuedPod)
	if h.byKey == nil {
		h.byKey = map[string]*QueuedPod{}
	}
	qp.heapIndex = len(h.items)
	h.items = append(h.items, qp)
	h.byKey[podKey(qp.Pod)] = qp
}

func (h *activeHeap) Pop() any {
	last := len(h.items) - 1
	qp := h.items[last]
	h.items[last] = nil
	h.items = h.items[:last]
	qp.heapIndex = -1
	delete(h.byKey, podKey(qp.Pod))
	return qp
}

func (h *activeHeap) has(key string) bool { return h.byKey[key] != nil }

func (h *activeHeap) get(key string) *QueuedPod { return h.byKey[key] }
