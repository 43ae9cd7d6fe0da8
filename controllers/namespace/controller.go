// Package namespace is the namespace controller: it empties a namespace being deleted and
// then lets it go.
//
// Deleting a namespace only marks it (deletionTimestamp, phase Terminating); it keeps the
// "kubernetes" entry of spec.finalizers until this controller has deleted everything in
// it: every namespaced resource the API server serves, discovered from /api and /apis,
// pods first (they may take their grace period to go). When nothing is left the controller
// removes its finalizer with PUT /api/v1/namespaces/<name>/finalize, and the API server
// deletes the namespace once no finalizer remains.
//
// Promises, as upstream's namespace-controller:
//   - content is deleted with propagationPolicy Background, by collection where the
//     resource supports deletecollection, one object at a time otherwise;
//   - while content remains (pods terminating, objects held by finalizers) the namespace
//     is looked at again after half the estimated wait plus one second;
//   - the namespace's status reports progress in the conditions NamespaceDeletionDiscovery
//     Failure, NamespaceDeletionGroupVersionParsingFailure, NamespaceDeletionContentFailure,
//     NamespaceContentRemaining and NamespaceFinalizersRemaining, with upstream's reasons
//     and messages ("Some resources are remaining: pods. has 2 resource instances");
//   - discovery failing for some groups does not stop the deletion of the rest, but the
//     namespace is not finalized until a pass succeeds completely.
package namespace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/client/workqueue"
)

// DiscoverFunc returns the discovery documents of the resources the API server serves (one
// per group version, the preferred version of each group). On partial failure it returns
// what it found and an error.
type DiscoverFunc func(ctx context.Context) ([]metav1.APIResourceList, error)

// Controller deletes the content of terminating namespaces.
type Controller struct {
	clientset *client.Clientset
	// rest reaches resources this process has no Go type for (any discovered resource).
	rest     rest.Interface
	discover DiscoverFunc
	// now is the clock; tests replace it.
	now func() time.Time

	namespaces cache.Lister[corev1.Namespace]
	synced     []func() bool

	// queue holds names of terminating namespaces.
	queue *workqueue.RateLimitingQueue[string]
	ops   opCache
}

// NewController wires the controller to the factory's namespace informer. discover lists
// the served resources (the manager passes its discovery client).
func NewController(cs *client.Clientset, factory *cache.SharedInformerFactory, discover DiscoverFunc) *Controller {
	c := &Controller{
		clientset: cs,
		rest:      cs.REST(),
		discover:  discover,
		now:       time.Now,
		queue:     workqueue.NewRateLimiting(workqueue.DefaultControllerRateLimiter[string]()),
	}
	inf := factory.Namespaces()
	c.namespaces = inf.Lister()
	enqueue := func(ns *corev1.Namespace) {
		if ns.DeletionTimestamp != nil {
			c.queue.Add(ns.Name)
		}
	}
	reg, _ := inf.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Namespace]{
		AddFunc:    enqueue,
		UpdateFunc: func(_, ns *corev1.Namespace) { enqueue(ns) },
	})
	c.synced = []func() bool{reg.HasSynced}
	return c
}

// Run waits for the cache, then empties namespaces with workers goroutines until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	defer c.queue.ShutDown()
	slog.Info("starting controller", "controller", "namespace")
	defer slog.Info("shutting down controller", "controller", "namespace")
	if !cache.WaitForCacheSync(ctx, c.synced...) {
		return
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() { defer wg.Done(); c.runWorker(ctx) }()
	}
	<-ctx.Done()
	c.queue.ShutDown()
	wg.Wait()
}

// QueueLen reports the queue's depth, for the manager's metrics.
func (c *Controller) QueueLen() int { return c.queue.Len() }

func (c *Controller) runWorker(ctx context.Context) {
	for c.processNextWorkItem(ctx) {
	}
}

// contentRemaining says content is still going away; it is not a failure, the namespace is
// simply looked at again after a while.
type contentRemaining struct{ estimate int64 }

func (e *contentRemaining) Error() string {
	return fmt.Sprintf("some content remains in the namespace, estimate %d seconds before it is removed", e.estimate)
}

func (c *Controller) processNextWorkItem(ctx context.Context) bool {
	key, shutdown := c.queue.Get()
	if shutdown {
		return false
	}
	defer c.queue.Done(key)
	err := c.syncHandler(ctx, key)
	var remaining *contentRemaining
	switch {
	case err == nil:
		c.queue.Forget(key)
	case errors.As(err, &remaining):
		c.queue.Forget(key)
		c.queue.AddAfter(key, time.Duration(remaining.estimate/2+1)*time.Second)
	default:
		slog.Error("deleting namespace content failed, will retry", "namespace", key, "err", err)
		c.queue.AddRateLimited(key)
	}
	return true
}

// syncHandler takes one terminating namespace a step further: mark it Terminating, delete
// its content, and once it is empty remove the "kubernetes" finalizer.
func (c *Controller) syncHandler(ctx context.Context, name string) error {
	if _, err := c.namespaces.Get(name); rest.IsNotFound(err) {
		return nil
	}
	// Several parties edit a terminating namespace: work from its latest state.
	ns, err := c.clientset.Namespaces().Get(ctx, name)
	if rest.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if ns.DeletionTimestamp == nil {
		return nil
	}
	if ns.Status.Phase != corev1.NamespaceTerminating {
		upd := metav1.DeepCopy(ns)
		upd.Status.Phase = corev1.NamespaceTerminating
		if ns, err = c.clientset.Namespaces().UpdateStatus(ctx, upd); err != nil {
			return fmt.Errorf("mark namespace %s terminating: %w", name, err)
		}
	}
	if len(ns.Spec.Finalizers) == 0 {
		return nil // finalized: the API server deletes it
	}
	estimate, ns, err := c.deleteAllContent(ctx, ns)
	if err != nil {
		return err
	}
	if estimate > 0 {
		return &contentRemaining{estimate: estimate}
	}
	return c.finalize(ctx, ns)
}

// deleteAllContent deletes the namespace's content, pods first, records the outcome in the
// namespace's conditions and returns how long to wait for what is left, and the namespace
// as last written.
func (c *Controller) deleteAllContent(ctx context.Context, ns *corev1.Namespace) (int64, *corev1.Namespace, error) {
	var report deletionReport
	lists, err := c.discover(ctx)
	var errs []error
	if err != nil {
		report.discoveryErr = err
		errs = append(errs, err)
	}
	resources, err := deletableResources(lists)
	if err != nil {
		report.parseErr = err
		errs = append(errs, err)
	}
	report.remaining, report.finalizers = map[string]int{}, map[string]int{}

	var estimate int64
	visit := func(r resource) {
		out, err := c.deleteContent(ctx, ns, r)
		if err != nil {
			report.contentErrs = append(report.contentErrs, err)
			errs = append(errs, err)
		}
		estimate = max(estimate, out.estimate)
		if out.remaining > 0 {
			report.remaining[r.String()] = out.remaining
			for f, n := range out.finalizers {
				report.finalizers[f] += n
			}
		}
	}
	// Pods go first: deleting what they use (secrets, configmaps, service accounts) while
	// they still run would break them on the way out.
	podsFirst := slices.IndexFunc(resources, func(r resource) bool { return r.group == "" && r.name == "pods" })
	if podsFirst >= 0 {
		visit(resources[podsFirst])
		resources = slices.Delete(resources, podsFirst, podsFirst+1)
	}
	if report.remaining["pods."] == 0 {
		for _, r := range resources {
			visit(r)
		}
	}

	// Always write the conditions: a condition that went back to "all well" must say so.
	if conditions, changed := updateConditions(ns.Status.Conditions, report, c.now()); changed {
		upd := metav1.DeepCopy(ns)
		upd.Status.Conditions = conditions
		if written, err := c.clientset.Namespaces().UpdateStatus(ctx, upd); err != nil {
			slog.Warn("could not update namespace conditions", "namespace", ns.Name, "err", err)
		} else {
			ns = written
		}
	}
	if len(errs) > 0 {
		return estimate, ns, fmt.Errorf("delete content of namespace %s: %w", ns.Name, errors.Join(errs...))
	}
	return estimate, ns, nil
}

// finalize removes the "kubernetes" finalizer through the finalize subresource, retrying
// on conflicts with the namespace's latest state.
func (c *Controller) finalize(ctx context.Context, ns *corev1.Namespace) error {
	for {
		upd := metav1.DeepCopy(ns)
		upd.Spec.Finalizers = finalizersWithout(ns.Spec.Finalizers, corev1.FinalizerKubernetes)
		body, err := json.Marshal(withKind(upd))
		if err != nil {
			return err
		}
		_, err = c.rest.Do(ctx, &rest.Request{
			Verb: rest.VerbUpdate, Version: "v1", Resource: "namespaces", Name: ns.Name, Subresource: "finalize", Body: body,
		})
		switch {
		case err == nil:
			slog.Info("namespace emptied and finalized", "namespace", ns.Name)
			return nil
		case rest.IsNotFound(err):
			return nil
		case !rest.IsConflict(err):
			return fmt.Errorf("finalize namespace %s: %w", ns.Name, err)
		}
		latest, err := c.clientset.Namespaces().Get(ctx, ns.Name)
		if rest.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if latest.UID != ns.UID {
			return fmt.Errorf("finalize namespace %s: its uid changed across retries", ns.Name)
		}
		ns = latest
	}
}

// finalizersWithout returns the finalizers minus token, sorted and without duplicates.
func finalizersWithout(finalizers []corev1.FinalizerName, token corev1.FinalizerName) []corev1.FinalizerName {
	out := []corev1.FinalizerName{}
	for _, f := range finalizers {
		if f != token && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

// withKind fills the TypeMeta a raw request body needs.
func withKind(ns *corev1.Namespace) *corev1.Namespace {
	ns.Kind, ns.APIVersion = "Namespace", "v1"
	return ns
}
