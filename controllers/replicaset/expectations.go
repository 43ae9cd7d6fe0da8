package replicaset

import (
	"sync"
	"time"
)

// expectationsTimeout is how long the controller trusts that creations and deletions it
// made will show up in the informer. After that it syncs anyway: a watch event can be lost
// (a pod created and deleted before the informer saw it), and a controller must not wait
// forever for it.
const expectationsTimeout = 5 * time.Minute

// expectations remember, per ReplicaSet key, the pod creations and deletions the controller
// made and has not yet seen in its informer.
//
// Why: the informer's cache lags behind the API. Right after creating 3 pods, the cache
// still shows the old count; a sync now would create 3 more. So a sync that created or
// deleted pods records what it expects, the pod event handlers count each observed
// creation or deletion down, and syncHandler only manages replicas again once the counts
// reach zero (or the expectation is older than expectationsTimeout). Status is still
// updated meanwhile.
type expectations struct {
	mu     sync.Mutex
	byKey  map[string]*expectation
	now    func() time.Time
	expiry time.Duration
}

// expectation is what one ReplicaSet waits for.
type expectation struct {
	// add and del count creations and deletions not yet observed; <= 0 means none.
	add, del int
	// deleting holds the "namespace/name" keys of the pods being deleted, so that a pod's
	// deletion is counted once whether the informer reports it as an update (deletion
	// timestamp set) or as a delete, and pods deleted by someone else are not counted.
	deleting map[string]bool
	// set is when the expectation was recorded.
	set time.Time
}

func newExpectations(now func() time.Time) *expectations {
	return &expectations{byKey: map[string]*expectation{}, now: now, expiry: expectationsTimeout}
}

// satisfied reports whether the ReplicaSet key may manage its replicas: nothing is expected,
// everything expected was observed, or the expectation expired.
func (e *expectations) satisfied(key string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	exp, ok := e.byKey[key]
	if !ok {
		return true
	}
	if exp.add <= 0 && exp.del <= 0 {
		return true
	}
	return e.now().Sub(exp.set) > e.expiry
}

// expectCreations records that n pods are being created (replacing any earlier
// expectation: the caller only sets one when the previous one was satisfied).
func (e *expectations) expectCreations(key string, n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.byKey[key] = &expectation{add: n, set: e.now()}
}

// expectDeletions records that the pods with these keys are being deleted.
func (e *expectations) expectDeletions(key string, podKeys []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	exp := &expectation{del: len(podKeys), deleting: make(map[string]bool, len(podKeys)), set: e.now()}
	for _, k := range podKeys {
		exp.deleting[k] = true
	}
	e.byKey[key] = exp
}

// creationObserved counts one expected creation as seen (or as never going to happen: a
// creation that failed or was skipped).
func (e *expectations) creationObserved(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if exp, ok := e.byKey[key]; ok {
		exp.add--
	}
}

// deletionObserved counts the deletion of pod podKey as seen, if it was one the controller
// made and it was not counted before.
func (e *expectations) deletionObserved(key, podKey string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if exp, ok := e.byKey[key]; ok && exp.deleting[podKey] {
		delete(exp.deleting, podKey)
		exp.del--
	}
}

// forget drops the ReplicaSet's expectations (it was deleted; a new one with the same name
// must start clean).
func (e *expectations) forget(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.byKey, key)
}
