package kubelet

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/kubelet/status"
)

// podWorkers runs one goroutine per pod. Everything the kubelet does to a pod's sandbox and
// containers happens on that goroutine, so two syncs of one pod never overlap, while
// different pods proceed in parallel. Events (the pod changed in the API, the runtime saw
// a container die, a probe result flipped) only "kick" the worker: kicks coalesce, and the
// worker always syncs against the latest pod it has been given.
type podWorkers struct {
	k *Kubelet

	mu      sync.Mutex
	ctx     context.Context
	workers map[string]*podWorker
	// finished remembers pods whose worker completed (terminated and deleted), so that a
	// late update for them does not start a new worker.
	finished map[string]time.Time
	wg       sync.WaitGroup
}

// podWorker is the state of one pod's worker.
type podWorker struct {
	uid  string
	kick chan struct{}

	mu      sync.Mutex
	pod     *corev1.Pod // latest known pod (informer or our own status write)
	removed bool        // the pod is gone from the API

	// Owned by the worker goroutine.
	waiting  map[string]status.Waiting // last start failure per container
	override *status.PhaseOverride     // a terminal phase decided by the kubelet
	admitted bool
	terminal bool            // stopped for good; waiting for deletion
	volFails int             // consecutive volume setup failures, for retry pacing
	warned   map[string]bool // unsupported features already reported
}

func newPodWorkers(k *Kubelet) *podWorkers {
	return &podWorkers{k: k, ctx: context.Background(), workers: map[string]*podWorker{}, finished: map[string]time.Time{}}
}

// start sets the context workers run under (the kubelet's Run context).
func (pw *podWorkers) start(ctx context.Context) {
	pw.mu.Lock()
	pw.ctx = ctx
	pw.mu.Unlock()
}

func rvOf(p *corev1.Pod) uint64 {
	n, _ := strconv.ParseUint(p.ResourceVersion, 10, 64)
	return n
}

// update hands the worker of pod its latest state, starting the worker if needed.
func (pw *podWorkers) update(pod *corev1.Pod, kick bool) {
	pw.mu.Lock()
	if _, done := pw.finished[pod.UID]; done {
		pw.mu.Unlock()
		return
	}
	w, ok := pw.workers[pod.UID]
	if !ok {
		w = &podWorker{uid: pod.UID, kick: make(chan struct{}, 1), pod: pod, waiting: map[string]status.Waiting{}, warned: map[string]bool{}}
		pw.workers[pod.UID] = w
		pw.wg.Add(1)
		go pw.run(pw.ctx, w)
		kick = true
	}
	pw.mu.Unlock()
	w.setPod(pod)
	if kick {
		w.wake()
	}
}

// removed tells the pod's worker the pod is gone from the API: it kills what is left.
func (pw *podWorkers) removed(pod *corev1.Pod) {
	pw.update(pod, false)
	pw.mu.Lock()
	w := pw.workers[pod.UID]
	pw.mu.Unlock()
	if w != nil {
		w.mu.Lock()
		w.removed = true
		w.mu.Unlock()
		w.wake()
	}
}

// kick wakes the worker of uid, if there is one.
func (pw *podWorkers) kick(uid string) {
	pw.mu.Lock()
	w := pw.workers[uid]
	pw.mu.Unlock()
	if w != nil {
		w.wake()
	}
}

// has reports whether uid has a worker.
func (pw *podWorkers) has(uid string) bool {
	pw.mu.Lock()
	defer pw.mu.Unlock()
	_, ok := pw.workers[uid]
	return ok
}

// admittedPods lists the pods admitted and not finished, for admission accounting.
func (pw *podWorkers) admittedPods(except string) []*corev1.Pod {
	pw.mu.Lock()
	defer pw.mu.Unlock()
	var out []*corev1.Pod
	for uid, w := range pw.workers {
		if uid == except {
			continue
		}
		w.mu.Lock()
		if w.admitted && !w.terminal && !w.removed {
			out = append(out, w.pod)
		}
		w.mu.Unlock()
	}
	return out
}

// byName returns the pod namespace/name a live worker holds (nil if none). While a pod is
// replaced by a new one of the same name, the new one (not being deleted) wins.
func (pw *podWorkers) byName(namespace, name string) *corev1.Pod {
	pw.mu.Lock()
	defer pw.mu.Unlock()
	var found *corev1.Pod
	for _, w := range pw.workers {
		w.mu.Lock()
		p, removed := w.pod, w.removed
		w.mu.Unlock()
		if p == nil || removed || p.Namespace != namespace || p.Name != name {
			continue
		}
		if found == nil || found.DeletionTimestamp != nil {
			found = p
		}
	}
	return found
}

// wait blocks until every worker has returned (after the context ended).
func (pw *podWorkers) wait() { pw.wg.Wait() }

// forgetFinished drops tombstones older than a few minutes.
func (pw *podWorkers) forgetFinished() {
	pw.mu.Lock()
	defer pw.mu.Unlock()
	for uid, t := range pw.finished {
		if time.Since(t) > 5*time.Minute {
			delete(pw.finished, uid)
		}
	}
}

func (w *podWorker) wake() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// setPod keeps the newest version of the pod: an informer event older than our own status
// write is ignored for the object (its kick still counts).
func (w *podWorker) setPod(pod *corev1.Pod) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pod == nil || rvOf(pod) >= rvOf(w.pod) || pod.UID != w.pod.UID {
		w.pod = pod
	}
}

func (w *podWorker) snapshot() (*corev1.Pod, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pod, w.removed
}

// run is the worker loop: sync when kicked or when the previous sync asked to be called
// back, until the pod is finished or the kubelet stops.
func (pw *podWorkers) run(ctx context.Context, w *podWorker) {
	defer pw.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		case <-timer.C:
		}
		pod, removed := w.snapshot()
		next, done := pw.k.syncWorker(ctx, w, pod, removed)
		if done {
			pw.mu.Lock()
			delete(pw.workers, w.uid)
			pw.finished[w.uid] = time.Now()
			pw.mu.Unlock()
			slog.Debug("pod worker finished", "namespace", pod.Namespace, "name", pod.Name)
			return
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(next)
	}
}
