// Package replicaset is the ReplicaSet controller: for every ReplicaSet it keeps
// spec.replicas pods running, creating them from the pod template and deleting the surplus,
// and reports what it sees in the ReplicaSet's status.
//
// The loop is sample-controller's: informer handlers (handlers.go) turn ReplicaSet and pod
// changes into ReplicaSet keys on a rate-limited queue; workers take a key and run
// syncHandler, which reads from the listers, decides with pure functions (decide.go,
// deletion_order.go) and writes through the API (manage.go, claim.go).
//
// Promises, as upstream's controller:
//   - One sync creates or deletes at most BurstReplicas (500) pods. Creations go in batches
//     of 1, 2, 4, ... and stop at the first failure, so a template the API refuses costs one
//     request per sync, not hundreds.
//   - Expectations (expectations.go): after creating or deleting pods, the controller does
//     not manage the ReplicaSet's replicas again until its informer has seen those changes
//     (or 5 minutes passed), so a cache that lags behind never makes it create twice.
//   - Ownership (claim.go): only pods whose controller ownerReference names the ReplicaSet
//     count; matching orphans are adopted, owned pods whose labels stopped matching are
//     released, pods of other controllers are never touched.
//   - Surplus pods are deleted in upstream's order (deletion_order.go).
//   - Status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas,
//     terminatingReplicas, observedGeneration, the ReplicaFailure condition) is written
//     through the status subresource, only when it changed; a ReplicaSet with
//     minReadySeconds is re-synced when its next pod becomes available.
//   - Events: SuccessfulCreate "Created pod: x", SuccessfulDelete "Deleted pod: x",
//     FailedCreate "Error creating: ...", FailedDelete "Error deleting: ...".
//
// terminatingReplicas is reported as upstream does since 1.35 (feature
// DeploymentReplicaSetTerminatingReplicas, on by default there).
package replicaset

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/labels"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/events"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/client/workqueue"
)

// Controller is the ReplicaSet controller. Create it with NewController, start the
// informer factory, then call Run.
type Controller struct {
	// client writes pods and ReplicaSet status, and re-reads a ReplicaSet before adoption.
	client *client.Clientset
	// The listers read the informers' caches: what the controller acts on.
	rsLister  cache.Lister[appsv1.ReplicaSet]
	podLister cache.Lister[corev1.Pod]
	// The indexers answer "pods owned by X or orphaned" and "ReplicaSets owned by Y"
	// without scanning everything.
	rsIndexer  *cache.Indexer[appsv1.ReplicaSet]
	podIndexer *cache.Indexer[corev1.Pod]
	// synced report that the handlers saw the informers' initial lists.
	synced []func() bool

	recorder events.EventRecorder
	// queue holds "namespace/name" keys of ReplicaSets to sync.
	queue *workqueue.RateLimitingQueue[string]
	// expectations hold back a sync until its previous creations/deletions are seen.
	expectations *expectations
	// burstReplicas bounds the pods created or deleted per sync.
	burstReplicas int
	// now is the clock (a fixed one in tests).
	now func() time.Time
	// syncHandler is syncReplicaSet; a field so tests can replace it.
	syncHandler func(ctx context.Context, key string) error
}

// Index names on the shared informers; prefixed with the package so that other controllers
// sharing the informers cannot collide with them.
const (
	// podByOwnerIndex files pods under "ns/Kind/name/uid" of their controller, orphans
	// under "ns".
	podByOwnerIndex = "replicaset.pod-by-controller"
	// rsByOwnerIndex files ReplicaSets under their controller's uid.
	rsByOwnerIndex = "replicaset.rs-by-controller-uid"
)

// NewController wires the controller to the factory's ReplicaSet and pod informers. recorder
// should report as component "replicaset-controller".
func NewController(cs *client.Clientset, factory *cache.SharedInformerFactory, recorder events.EventRecorder) *Controller {
	rsInformer, podInformer := factory.ReplicaSets(), factory.Pods()
	c := &Controller{
		client:        cs,
		rsLister:      rsInformer.Lister(),
		podLister:     podInformer.Lister(),
		rsIndexer:     rsInformer.Indexer(),
		podIndexer:    podInformer.Indexer(),
		recorder:      recorder,
		queue:         workqueue.NewRateLimiting(workqueue.DefaultControllerRateLimiter[string]()),
		burstReplicas: BurstReplicas,
		now:           time.Now,
	}
	c.expectations = newExpectations(func() time.Time { return c.now() })
	c.syncHandler = c.syncReplicaSet

	// AddIndexers only fails when the index exists: another instance of this controller on
	// the same factory (tests) already added the same function.
	_ = podInformer.AddIndexers(cache.Indexers[corev1.Pod]{podByOwnerIndex: func(p *corev1.Pod) ([]string, error) {
		return []string{ownerIndexKey(p.Namespace, metav1.GetControllerOf(&p.ObjectMeta))}, nil
	}})
	_ = rsInformer.AddIndexers(cache.Indexers[appsv1.ReplicaSet]{rsByOwnerIndex: func(rs *appsv1.ReplicaSet) ([]string, error) {
		if ref := metav1.GetControllerOf(&rs.ObjectMeta); ref != nil {
			return []string{ref.UID}, nil
		}
		return nil, nil
	}})

	rsReg, _ := rsInformer.AddEventHandler(cache.ResourceEventHandlerFuncs[appsv1.ReplicaSet]{
		AddFunc: c.addReplicaSet, UpdateFunc: c.updateReplicaSet, DeleteFunc: c.deleteReplicaSet,
	})
	podReg, _ := podInformer.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Pod]{
		AddFunc: c.addPod, UpdateFunc: c.updatePod, DeleteFunc: c.deletePod,
	})
	for _, r := range []cache.Registration{rsReg, podReg} {
		if r != nil {
			c.synced = append(c.synced, r.HasSynced)
		}
	}
	return c
}

// Run waits for the caches, then syncs ReplicaSets with the given number of workers until
// ctx is done.
func (c *Controller) Run(ctx context.Context, workers int) {
	defer c.queue.ShutDown()
	slog.Info("starting controller", "controller", "replicaset")
	defer slog.Info("shutting down controller", "controller", "replicaset")
	if !cache.WaitForCacheSync(ctx, c.synced...) {
		return
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() { c.runWorker(ctx) })
	}
	<-ctx.Done()
	c.queue.ShutDown()
	wg.Wait()
}

// runWorker processes keys until the queue shuts down.
func (c *Controller) runWorker(ctx context.Context) {
	for c.processNextWorkItem(ctx) {
	}
}

// processNextWorkItem syncs one key: success forgets its failure history, failure queues it
// again with a growing delay.
func (c *Controller) processNextWorkItem(ctx context.Context) bool {
	key, shutdown := c.queue.Get()
	if shutdown {
		return false
	}
	defer c.queue.Done(key)
	if err := c.syncHandler(ctx, key); err != nil {
		slog.Error("sync failed, requeued", "controller", "replicaset", "key", key, "err", err)
		c.queue.AddRateLimited(key)
		return true
	}
	c.queue.Forget(key)
	return true
}

// syncReplicaSet brings one ReplicaSet's pods and status in line: read it and its pods from
// the caches, claim the pods, create or delete pods unless earlier changes are still
// unobserved, and write the status.
func (c *Controller) syncReplicaSet(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return err
	}
	cached, err := c.rsLister.ByNamespace(namespace).Get(name)
	if rest.IsNotFound(err) {
		c.expectations.forget(key)
		return nil
	}
	if err != nil {
		return err
	}
	rs := cached.DeepCopy()

	// Read the expectations before listing pods: a pod observed in between is then in the
	// list, never counted missing twice.
	needsSync := c.expectations.satisfied(key)
	selector, err := labels.FromLabelSelector(rs.Spec.Selector)
	if err != nil {
		// Validation refuses such selectors; retrying cannot help.
		slog.Error("invalid selector", "namespace", namespace, "replicaset", name, "err", err)
		return nil
	}

	// Candidates: the pods it controls and the orphans of its namespace.
	candidates, err := c.podIndexer.ByIndex(podByOwnerIndex, ownerIndexKey(namespace, ptrTo(controllerRef(rs))))
	if err != nil {
		return err
	}
	orphans, err := c.podIndexer.ByIndex(podByOwnerIndex, ownerIndexKey(namespace, nil))
	if err != nil {
		return err
	}
	candidates = append(candidates, orphans...)

	var activeCandidates, terminating []*corev1.Pod
	for _, p := range candidates {
		switch {
		case isPodActive(p):
			activeCandidates = append(activeCandidates, p)
		case isPodTerminating(p) && metav1.IsControlledBy(&p.ObjectMeta, rs.UID) && selector.Matches(p.Labels):
			terminating = append(terminating, p)
		}
	}
	if terminating == nil {
		terminating = []*corev1.Pod{} // reported as 0, not omitted
	}
	active, err := c.claimPods(ctx, rs, selector, activeCandidates)
	if err != nil {
		return err
	}

	var manageErr error
	if needsSync && rs.DeletionTimestamp == nil {
		manageErr = c.manageReplicas(ctx, active, rs)
	}

	now := c.now()
	updated, err := c.updateStatus(ctx, rs, calculateStatus(rs, active, terminating, manageErr, now))
	if err != nil {
		return err
	}
	if manageErr != nil {
		return manageErr
	}
	// Pods that are ready but not yet available become available by the clock alone:
	// no event will tell us. Check again when the first of them gets there.
	if updated.Spec.MinReadySeconds > 0 && updated.Status.ReadyReplicas != updated.Status.AvailableReplicas {
		wait := time.Duration(updated.Spec.MinReadySeconds) * time.Second
		if next := nextAvailabilityCheck(active, updated.Spec.MinReadySeconds, c.now()); next != nil {
			wait = *next
		}
		c.queue.AddAfter(key, wait)
	}
	return nil
}

// statusUpdateRetries is how often a conflicting status write is retried at once (after
// re-reading the ReplicaSet) before the key goes back to the queue.
const statusUpdateRetries = 1

// updateStatus writes next as the ReplicaSet's status (with observedGeneration set to the
// generation acted on) unless nothing would change.
func (c *Controller) updateStatus(ctx context.Context, rs *appsv1.ReplicaSet, next appsv1.ReplicaSetStatus) (*appsv1.ReplicaSet, error) {
	if statusUnchanged(rs, next) {
		return rs, nil
	}
	next.ObservedGeneration = rs.Generation
	namespace, name := rs.Namespace, rs.Name
	rsClient := c.client.ReplicaSets(namespace)
	for attempt := 0; ; attempt++ {
		rs.Status = next
		updated, err := rsClient.UpdateStatus(ctx, rs)
		if err == nil {
			return updated, nil
		}
		if attempt >= statusUpdateRetries {
			return nil, fmt.Errorf("update status of ReplicaSet %s/%s: %w", namespace, name, err)
		}
		if rs, err = rsClient.Get(ctx, name); err != nil {
			return nil, fmt.Errorf("re-read ReplicaSet %s/%s for its status: %w", namespace, name, err)
		}
	}
}

// ownerIndexKey is the podByOwnerIndex value of pods controlled by ref, or of orphans
// (ref nil) in namespace.
func ownerIndexKey(namespace string, ref *metav1.OwnerReference) string {
	if ref == nil {
		return namespace
	}
	return namespace + "/" + ref.Kind + "/" + ref.Name + "/" + ref.UID
}

func ptrTo[T any](v T) *T { return &v }
