// Package deployment is the Deployment controller: it rolls a Deployment's pod template out
// through ReplicaSets, one per template, and reports the rollout in the Deployment's status.
//
// The loop is sample-controller's: informer handlers (handlers.go) turn Deployment,
// ReplicaSet and pod changes into Deployment keys on a rate-limited queue; workers run
// syncHandler for each key. A sync reads the Deployment and its ReplicaSets from the caches,
// decides with pure functions and writes through the API (sync.go):
//
//	hash.go      which ReplicaSet runs the current template; new ReplicaSets' names
//	rolling.go   RollingUpdate: how far the new ReplicaSet grows and old ones shrink now
//	recreate.go  Recreate: old pods gone before new ones start
//	scale.go     spreading a replicas change over the ReplicaSets of a rollout
//	history.go   revisions, inherited annotations, pruning old ReplicaSets
//	progress.go  status counts and the Available / Progressing conditions
//
// Promises, as upstream's controller (1.37):
//   - One ReplicaSet per template, "<deployment>-<pod-template-hash>", with the hash
//     label added to its selector, template and pods; revisions in the
//     deployment.kubernetes.io/revision annotation (a rollback re-uses the old ReplicaSet
//     with the next revision), desired-replicas and max-replicas annotations, the
//     Deployment's other annotations (kubernetes.io/change-cause) copied to the new one.
//   - RollingUpdate never exceeds replicas+maxSurge pods nor drops below
//     replicas-maxUnavailable available ones; Recreate never runs old and new pods together.
//   - A change of replicas during a rollout (or while paused) is spread proportionally.
//   - spec.paused stops rollouts (scaling still works); revisionHistoryLimit prunes old,
//     empty ReplicaSets; progressDeadlineSeconds marks stuck rollouts.
//   - Events: ScalingReplicaSet "Scaled up replica set x from 0 to 3", ReplicaSetCreateError,
//     SelectingAll, and the rollback events of the deprecated rollback annotation.
//
// Differences from upstream: the pod-template-hash values are Skiff's own (see hash.go).
package deployment

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

// maxRetries is how often a failing Deployment is retried (with growing delays) before
// its key is dropped until the next change.
const maxRetries = 15

// Controller is the Deployment controller. Create it with NewController, start the
// informer factory, then call Run.
type Controller struct {
	// client writes ReplicaSets and Deployment status.
	client *client.Clientset
	// The listers read the informers' caches: what the controller acts on.
	dLister   cache.Lister[appsv1.Deployment]
	rsLister  cache.Lister[appsv1.ReplicaSet]
	podLister cache.Lister[corev1.Pod]
	// synced report that the handlers saw the informers' initial lists.
	synced []func() bool

	recorder events.EventRecorder
	// queue holds "namespace/name" keys of Deployments to sync.
	queue *workqueue.RateLimitingQueue[string]
	// now is the clock (a fixed one in tests).
	now func() time.Time
	// syncHandler is syncDeployment; a field so tests can replace it.
	syncHandler func(ctx context.Context, key string) error
}

// NewController wires the controller to the factory's Deployment, ReplicaSet and pod
// informers. recorder should report as component "deployment-controller".
func NewController(cs *client.Clientset, factory *cache.SharedInformerFactory, recorder events.EventRecorder) *Controller {
	dInformer, rsInformer, podInformer := factory.Deployments(), factory.ReplicaSets(), factory.Pods()
	c := &Controller{
		client:    cs,
		dLister:   dInformer.Lister(),
		rsLister:  rsInformer.Lister(),
		podLister: podInformer.Lister(),
		recorder:  recorder,
		queue:     workqueue.NewRateLimiting(workqueue.DefaultControllerRateLimiter[string]()),
		now:       time.Now,
	}
	c.syncHandler = c.syncDeployment
	regs := []cache.Registration{}
	if r, err := dInformer.AddEventHandler(cache.ResourceEventHandlerFuncs[appsv1.Deployment]{
		AddFunc: c.addDeployment, UpdateFunc: c.updateDeployment, DeleteFunc: c.deleteDeployment,
	}); err == nil {
		regs = append(regs, r)
	}
	if r, err := rsInformer.AddEventHandler(cache.ResourceEventHandlerFuncs[appsv1.ReplicaSet]{
		AddFunc: c.addReplicaSet, UpdateFunc: c.updateReplicaSet, DeleteFunc: c.deleteReplicaSet,
	}); err == nil {
		regs = append(regs, r)
	}
	// Pods matter only to Recreate, which waits for old pods to be gone.
	if r, err := podInformer.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Pod]{
		DeleteFunc: c.deletePod,
	}); err == nil {
		regs = append(regs, r)
	}
	for _, r := range regs {
		c.synced = append(c.synced, r.HasSynced)
	}
	return c
}

// Run waits for the caches, then syncs Deployments with the given number of workers until
// ctx is done.
func (c *Controller) Run(ctx context.Context, workers int) {
	defer c.queue.ShutDown()
	slog.Info("starting controller", "controller", "deployment")
	defer slog.Info("shutting down controller", "controller", "deployment")
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

// processNextWorkItem syncs one key. Failures are retried with growing delays, maxRetries
// times; a namespace being deleted is not a failure worth retrying.
func (c *Controller) processNextWorkItem(ctx context.Context) bool {
	key, shutdown := c.queue.Get()
	if shutdown {
		return false
	}
	defer c.queue.Done(key)
	err := c.syncHandler(ctx, key)
	switch {
	case err == nil || hasStatusCause(err, corev1.NamespaceTerminatingCause):
		c.queue.Forget(key)
	case c.queue.NumRequeues(key) < maxRetries:
		slog.Info("error syncing deployment, requeued", "key", key, "err", err)
		c.queue.AddRateLimited(key)
	default:
		slog.Error("dropping deployment out of the queue", "key", key, "err", err)
		c.queue.Forget(key)
	}
	return true
}

// syncDeployment brings one Deployment a step closer to its spec: claim its ReplicaSets,
// then, depending on its state, only report status (being deleted), scale (paused, or
// replicas changed), roll back (deprecated annotation), or take a rollout step of its
// strategy.
func (c *Controller) syncDeployment(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return err
	}
	cached, err := c.dLister.ByNamespace(namespace).Get(name)
	if rest.IsNotFound(err) {
		return nil // deleted; the garbage collector removes its ReplicaSets
	}
	if err != nil {
		return err
	}
	d := cached.DeepCopy()

	if d.Spec.Selector != nil && len(d.Spec.Selector.MatchLabels) == 0 && len(d.Spec.Selector.MatchExpressions) == 0 {
		// Validation forbids it; a selector matching every pod of the namespace would adopt
		// them all.
		c.recorder.Event(d, corev1.EventTypeWarning, appsv1.SelectingAllReason,
			"This deployment is selecting all pods. A non-empty selector is required.")
		if d.Status.ObservedGeneration < d.Generation {
			d.Status.ObservedGeneration = d.Generation
			_ = c.writeStatus(ctx, d)
		}
		return nil
	}

	rsList, err := c.replicaSetsOf(ctx, d)
	if err != nil {
		return err
	}
	if d.DeletionTimestamp != nil {
		newRS, oldRSs, err := c.newAndOldReplicaSets(ctx, d, rsList, false)
		if err != nil {
			return err
		}
		return c.syncStatus(ctx, d, append(oldRSs, newRS), newRS)
	}
	if err := c.checkPausedConditions(ctx, d); err != nil {
		return err
	}
	if d.Spec.Paused {
		return c.syncScaling(ctx, d, rsList)
	}
	if rollbackTo(d) != nil {
		return c.rollback(ctx, d, rsList)
	}
	newRS, oldRSs, err := c.newAndOldReplicaSets(ctx, d, rsList, false)
	if err != nil {
		return err
	}
	if isScalingEvent(d, newRS, oldRSs) {
		return c.syncScaling(ctx, d, rsList)
	}
	switch d.Spec.Strategy.Type {
	case appsv1.RecreateDeploymentStrategyType:
		return c.rolloutRecreate(ctx, d, rsList, c.podsByReplicaSet(d, rsList))
	case appsv1.RollingUpdateDeploymentStrategyType:
		return c.rolloutRolling(ctx, d, rsList)
	}
	return fmt.Errorf("unexpected deployment strategy type: %s", d.Spec.Strategy.Type)
}

// replicaSetsOf returns the Deployment's ReplicaSets after adoption and release; all
// ReplicaSets of the namespace are candidates, so that owned ones that stopped matching are
// found and released.
func (c *Controller) replicaSetsOf(ctx context.Context, d *appsv1.Deployment) ([]*appsv1.ReplicaSet, error) {
	all, err := c.rsLister.ByNamespace(d.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	selector, err := labels.FromLabelSelector(d.Spec.Selector)
	if err != nil {
		return nil, fmt.Errorf("deployment %s/%s has invalid label selector: %w", d.Namespace, d.Name, err)
	}
	return c.claimReplicaSets(ctx, d, selector, all)
}

// podsByReplicaSet maps each ReplicaSet's uid to the pods it controls, finished ones
// included (Recreate must know no old pod runs).
func (c *Controller) podsByReplicaSet(d *appsv1.Deployment, rsList []*appsv1.ReplicaSet) map[string][]*corev1.Pod {
	out := make(map[string][]*corev1.Pod, len(rsList))
	for _, rs := range rsList {
		out[rs.UID] = nil
	}
	pods, err := c.podLister.ByNamespace(d.Namespace).List(labels.Everything())
	if err != nil {
		return out
	}
	for _, p := range pods {
		ref := metav1.GetControllerOf(&p.ObjectMeta)
		if ref == nil || ref.Kind != "ReplicaSet" {
			continue
		}
		if _, ours := out[ref.UID]; ours {
			out[ref.UID] = append(out[ref.UID], p)
		}
	}
	return out
}

// rollback serves the deprecated deprecated.deployment.rollback.to annotation (0 means the
// previous revision): copy that revision's template into the Deployment and clear the
// annotation. kubectl's rollout undo does not use it: it patches the template itself.
func (c *Controller) rollback(ctx context.Context, d *appsv1.Deployment, rsList []*appsv1.ReplicaSet) error {
	newRS, oldRSs, err := c.newAndOldReplicaSets(ctx, d, rsList, true)
	if err != nil {
		return err
	}
	allRSs := append(oldRSs, newRS)
	revision := *rollbackTo(d)
	if revision == 0 {
		if revision = lastRevision(allRSs); revision == 0 {
			c.recorder.Event(d, corev1.EventTypeWarning, appsv1.RollbackRevisionNotFound, "Unable to find last revision.")
			return c.clearRollbackTo(ctx, d)
		}
	}
	for _, rs := range allRSs {
		if v, err := revisionOf(rs); err != nil || v != revision {
			continue
		}
		if equalIgnoreHash(&d.Spec.Template, &rs.Spec.Template) {
			c.recorder.Event(d, corev1.EventTypeWarning, appsv1.RollbackTemplateUnchanged,
				fmt.Sprintf("The rollback revision contains the same template as current deployment %q", d.Name))
			return c.clearRollbackTo(ctx, d)
		}
		setTemplateFrom(d, rs)
		if err := c.clearRollbackTo(ctx, d); err != nil {
			return err
		}
		c.recorder.Event(d, corev1.EventTypeNormal, appsv1.RollbackDone,
			fmt.Sprintf("Rolled back deployment %q to revision %d", d.Name, revision))
		return nil
	}
	c.recorder.Event(d, corev1.EventTypeWarning, appsv1.RollbackRevisionNotFound, "Unable to find the revision to rollback to.")
	return c.clearRollbackTo(ctx, d)
}

// clearRollbackTo removes the rollback annotation, writing the Deployment (and whatever
// template change the rollback made).
func (c *Controller) clearRollbackTo(ctx context.Context, d *appsv1.Deployment) error {
	delete(d.Annotations, appsv1.DeprecatedRollbackTo)
	if _, err := c.client.Deployments(d.Namespace).Update(ctx, d); err != nil {
		return fmt.Errorf("update Deployment %s/%s after rollback: %w", d.Namespace, d.Name, err)
	}
	return nil
}
