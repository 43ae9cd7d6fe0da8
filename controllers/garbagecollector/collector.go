// Package garbagecollector is the garbage collector: it deletes objects whose owners are
// gone, following metadata.ownerReferences across every kind the API server serves.
//
// It watches the metadata of every served resource it can list, watch and delete
// (discovered from /api and /apis at start and every 30 s; events excluded) and keeps an
// ownership graph: a node per object, edges from owners to dependents. Graph changes queue
// objects to look at; workers decide with a live GET, never from the cache alone:
//
//   - an object all of whose owners are gone (not found, or another uid under the name) is
//     deleted, with propagation Background, or as its own orphan/foregroundDeletion
//     finalizer asks; an object that still has a live owner only loses its references to
//     the missing ones;
//   - Background: an owner deleted outright leaves dependents with dangling references,
//     which the collector then deletes;
//   - Foreground: an owner deleted with propagationPolicy=Foreground stays, with the
//     foregroundDeletion finalizer, until its dependents whose reference sets
//     blockOwnerDeletion=true are gone; the collector deletes its dependents (those with
//     dependents of their own in the foreground too), then removes the finalizer;
//   - Orphan: an owner with the orphan finalizer keeps its dependents: the collector strips
//     the owner's reference from each, then removes the finalizer.
//
// Deletions carry uid and resourceVersion preconditions, so an object that changed owners
// meanwhile is not deleted by mistake. Owners confirmed missing are remembered (500 at
// most) to spare repeated GETs.
//
// Simplified from upstream: owner references whose coordinates disagree with the owner's
// observed identity (same uid, other kind or namespace) are not reconciled specially, and
// workers keep running while new resources' monitors start after a discovery change.
package garbagecollector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/client/workqueue"
)

// resyncPeriod is how often discovery is read again to watch newly served resources.
const resyncPeriod = 30 * time.Second

// Controller is the garbage collector.
type Controller struct {
	rest     rest.Interface
	discover DiscoverFunc

	// mu guards the graph, which informer handlers (through applyEvent) and workers share.
	mu    sync.Mutex
	graph *graph

	// resMu guards resources: what discovery last said.
	resMu     sync.RWMutex
	resources resourceSet

	monitorsMu sync.Mutex
	monitors   map[string]*monitor // by group-qualified resource

	// attemptToDelete holds uids of objects whose owners must be checked; attemptToOrphan
	// uids of owners whose dependents must be orphaned.
	attemptToDelete *workqueue.RateLimitingQueue[string]
	attemptToOrphan *workqueue.RateLimitingQueue[string]
}

// NewController returns a collector reaching the API through cs, discovering resources
// with discover.
func NewController(cs *client.Clientset, discover DiscoverFunc) *Controller {
	return &Controller{
		rest:            cs.REST(),
		discover:        discover,
		graph:           newGraph(),
		monitors:        map[string]*monitor{},
		attemptToDelete: workqueue.NewRateLimiting(workqueue.DefaultControllerRateLimiter[string]()),
		attemptToOrphan: workqueue.NewRateLimiting(workqueue.DefaultControllerRateLimiter[string]()),
	}
}

// Run discovers the resources, builds the graph from their initial lists, then collects
// with workers goroutines per queue until ctx ends, rediscovering every 30 s.
func (c *Controller) Run(ctx context.Context, workers int) {
	defer c.attemptToDelete.ShutDown()
	defer c.attemptToOrphan.ShutDown()
	slog.Info("starting controller", "controller", "garbagecollector")
	defer slog.Info("shutting down controller", "controller", "garbagecollector")

	c.resync(ctx)
	if !cache.WaitForCacheSync(ctx, c.monitorsSynced) {
		return
	}
	slog.Info("garbage collector: all resource monitors have synced")
	var wg sync.WaitGroup
	for range workers {
		wg.Add(2)
		go func() { defer wg.Done(); c.runWorker(ctx, c.attemptToDelete, c.attemptToDeleteItem) }()
		go func() { defer wg.Done(); c.runWorker(ctx, c.attemptToOrphan, c.attemptToOrphanItem) }()
	}
	t := time.NewTicker(resyncPeriod)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			c.attemptToDelete.ShutDown()
			c.attemptToOrphan.ShutDown()
			wg.Wait()
			return
		case <-t.C:
			c.resync(ctx)
		}
	}
}

// QueueLen reports the depth of the attemptToDelete queue, for the manager's metrics.
func (c *Controller) QueueLen() int { return c.attemptToDelete.Len() }

// resync reads discovery and adjusts the monitors. A partial discovery failure keeps the
// resources found: the rest is retried at the next resync.
func (c *Controller) resync(ctx context.Context) {
	lists, err := c.discover(ctx)
	if err != nil {
		slog.Warn("garbage collector: discovery incomplete", "err", err)
		if len(lists) == 0 {
			return
		}
	}
	set := collectableResources(lists)
	c.resMu.Lock()
	if err != nil {
		// Keep what an incomplete answer left out.
		for k, r := range c.resources.byKind {
			if _, ok := set.byKind[k]; !ok {
				set.byKind[k] = r
			}
		}
	}
	c.resources = set
	c.resMu.Unlock()
	c.syncMonitors(ctx, set)
}

// applyEvent updates the graph and queues the work it calls for.
func (c *Controller) applyEvent(ev event) {
	c.mu.Lock()
	w := c.graph.apply(ev)
	c.mu.Unlock()
	for _, uid := range w.attemptToDelete {
		c.attemptToDelete.Add(uid)
	}
	for _, uid := range w.attemptToOrphan {
		c.attemptToOrphan.Add(uid)
	}
}

func (c *Controller) runWorker(ctx context.Context, q *workqueue.RateLimitingQueue[string], sync func(context.Context, string) error) {
	for c.processNextWorkItem(ctx, q, sync) {
	}
}

// Outcomes of attemptToDeleteItem that are not failures.
var (
	// errVirtualDelete: the object does not exist; a deletion was fed to the graph.
	errVirtualDelete = errors.New("object not found, removed from the graph")
	// errClusterScopedOwnedByNamespaced: an invalid reference that retrying cannot fix.
	errClusterScopedOwnedByNamespaced = errors.New("cluster-scoped object refers to a namespaced owner")
)

func (c *Controller) processNextWorkItem(ctx context.Context, q *workqueue.RateLimitingQueue[string], sync func(context.Context, string) error) bool {
	uid, shutdown := q.Get()
	if shutdown {
		return false
	}
	defer q.Done(uid)
	err := sync(ctx, uid)
	switch {
	case err == nil && c.isVirtual(uid):
		// Not observed through an informer yet: look again later, or a virtual node for
		// an object created and deleted while a watch was down would stay forever.
		q.AddRateLimited(uid)
	case err == nil, errors.Is(err, errVirtualDelete):
		q.Forget(uid)
	case errors.Is(err, errClusterScopedOwnedByNamespaced):
		slog.Warn("garbage collector: invalid owner reference ignored", "uid", uid, "err", err)
		q.Forget(uid)
	default:
		slog.Warn("garbage collector: will retry", "uid", uid, "err", err)
		q.AddRateLimited(uid)
	}
	return true
}

func (c *Controller) isVirtual(uid string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.graph.nodes[uid]
	return ok && n.virtual
}

// snapshot is a copy of what a worker needs from a node, taken under the graph's lock.
type snapshot struct {
	identity                          objectRef
	beingDeleted, deletingDependents  bool
	hasDependents, depDeletingDepends bool
}

func (c *Controller) snapshot(uid string) (snapshot, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.graph.nodes[uid]
	if !ok {
		return snapshot{}, false
	}
	s := snapshot{identity: n.identity, beingDeleted: n.beingDeleted, deletingDependents: n.deletingDependents, hasDependents: len(n.dependents) > 0}
	for dep := range n.dependents {
		if dep.deletingDependents {
			s.depDeletingDepends = true
		}
	}
	return s, true
}

// attemptToDeleteItem looks at one object: is it still wanted by an owner?
func (c *Controller) attemptToDeleteItem(ctx context.Context, uid string) error {
	item, ok := c.snapshot(uid)
	if !ok {
		return nil
	}
	// Being deleted is a one-way trip: wait for the deletion, then handle the dependents.
	if item.beingDeleted && !item.deletingDependents {
		return nil
	}
	latest, err := c.getObject(ctx, item.identity)
	if err != nil {
		return err
	}
	if latest == nil || latest.UID != uid {
		c.applyEvent(event{typ: deleteEvent, virtual: true, apiVersion: item.identity.APIVersion, kind: item.identity.Kind,
			obj: &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: item.identity.Namespace, Name: item.identity.Name, UID: uid}}})
		return errVirtualDelete
	}
	if item.deletingDependents {
		return c.processDeletingDependents(ctx, item.identity)
	}
	if len(latest.OwnerReferences) == 0 {
		return nil
	}
	refs, err := c.classifyReferences(ctx, item.identity, latest.OwnerReferences)
	if err != nil {
		return err
	}
	act := decide(latest, refs, item.hasDependents, item.depDeletingDepends)
	switch act.kind {
	case removeRefs:
		slog.Info("garbage collector: removing references to missing or deleting owners", "object", item.identity, "owners", act.removeUIDs)
		return c.patchOwnerRefs(ctx, item.identity, latest.ResourceVersion, withoutOwners(latest.OwnerReferences, act.removeUIDs))
	case deleteObject:
		if act.unblockFirst {
			if refs, changed := unblocked(latest.OwnerReferences); changed {
				if err := c.patchOwnerRefs(ctx, item.identity, latest.ResourceVersion, refs); err != nil {
					return err
				}
				latest.ResourceVersion = "" // the patch moved it on; rely on the uid
			}
		}
		slog.Info("garbage collector: deleting object, its owners are gone", "object", item.identity, "propagationPolicy", act.policy)
		return c.deleteObject(ctx, item.identity, latest, act.policy)
	}
	return nil
}

// classifyReferences finds out, with the absent-owner cache or a live GET, what each owner
// of the object is doing.
func (c *Controller) classifyReferences(ctx context.Context, item objectRef, refs []metav1.OwnerReference) (classifiedRefs, error) {
	var out classifiedRefs
	for _, ref := range refs {
		owner, err := c.lookupOwner(ctx, item, ref)
		if err != nil {
			return classifiedRefs{}, err
		}
		out.add(ref, ownerStateOf(ref, owner))
	}
	return out, nil
}

// lookupOwner returns an owner's live metadata, nil if it does not exist.
func (c *Controller) lookupOwner(ctx context.Context, item objectRef, ref metav1.OwnerReference) (*metav1.PartialObjectMetadata, error) {
	key := objectRef{APIVersion: ref.APIVersion, Kind: ref.Kind, Name: ref.Name, UID: ref.UID}
	nsKey := key
	nsKey.Namespace = item.Namespace
	c.mu.Lock()
	known := c.graph.absent.has(key) || c.graph.absent.has(nsKey)
	c.mu.Unlock()
	if known {
		return nil, nil
	}
	res, ok := c.resourceFor(ref.APIVersion, ref.Kind)
	if !ok {
		return nil, fmt.Errorf("owner %s/%s %s of %s: no served resource has this kind", ref.APIVersion, ref.Kind, ref.Name, item)
	}
	if res.Namespaced {
		if item.Namespace == "" {
			return nil, fmt.Errorf("%s: owner %s %s: %w", item, ref.Kind, ref.Name, errClusterScopedOwnedByNamespaced)
		}
		key = nsKey
	}
	owner, err := c.get(ctx, res, key.Namespace, ref.Name)
	if err != nil {
		return nil, fmt.Errorf("look up owner %s %s of %s: %w", ref.Kind, ref.Name, item, err)
	}
	if owner == nil || owner.UID != ref.UID {
		c.mu.Lock()
		c.graph.absent.add(key)
		c.mu.Unlock()
		return nil, nil
	}
	return owner, nil
}

// processDeletingDependents handles an owner in foreground deletion: once no blocking
// dependent is left its finalizer goes; until then its blocking dependents are looked at.
func (c *Controller) processDeletingDependents(ctx context.Context, owner objectRef) error {
	c.mu.Lock()
	var waitFor []string
	n, ok := c.graph.nodes[owner.UID]
	if ok {
		for _, dep := range n.blockingDependents() {
			if !dep.deletingDependents {
				waitFor = append(waitFor, dep.identity.UID)
			}
		}
	}
	blocked := ok && len(n.blockingDependents()) > 0
	c.mu.Unlock()
	if !blocked {
		slog.Info("garbage collector: dependents gone, removing the foregroundDeletion finalizer", "object", owner)
		return c.removeFinalizer(ctx, owner, metav1.FinalizerDeleteDependents)
	}
	for _, uid := range waitFor {
		c.attemptToDelete.Add(uid)
	}
	return nil
}

// attemptToOrphanItem strips an owner's references from its dependents, then removes its
// orphan finalizer.
func (c *Controller) attemptToOrphanItem(ctx context.Context, uid string) error {
	c.mu.Lock()
	n, ok := c.graph.nodes[uid]
	var owner objectRef
	var dependents []objectRef
	if ok {
		owner = n.identity
		for dep := range n.dependents {
			dependents = append(dependents, dep.identity)
		}
	}
	c.mu.Unlock()
	if !ok {
		return nil
	}
	var errs []error
	for _, dep := range dependents {
		if err := c.removeOwnerRef(ctx, dep, uid); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("orphan dependents of %s: %w", owner, errors.Join(errs...))
	}
	slog.Info("garbage collector: dependents orphaned, removing the orphan finalizer", "object", owner, "dependents", len(dependents))
	return c.removeFinalizer(ctx, owner, metav1.FinalizerOrphanDependents)
}

// conflictRetries bounds the read-modify-write retries of one change.
const conflictRetries = 5

// removeOwnerRef drops the reference to owner uid from a dependent (gone dependents and
// missing references are fine).
func (c *Controller) removeOwnerRef(ctx context.Context, dep objectRef, ownerUID string) error {
	for range conflictRetries {
		latest, err := c.getObject(ctx, dep)
		if err != nil || latest == nil || latest.UID != dep.UID {
			return err
		}
		refs := withoutOwners(latest.OwnerReferences, []string{ownerUID})
		if len(refs) == len(latest.OwnerReferences) {
			return nil
		}
		err = c.patchOwnerRefs(ctx, dep, latest.ResourceVersion, refs)
		if !rest.IsConflict(err) {
			return err
		}
	}
	return fmt.Errorf("remove owner %s from %s: conflicts persisted", ownerUID, dep)
}

// removeFinalizer removes one finalizer from an object, re-reading it on conflicts.
func (c *Controller) removeFinalizer(ctx context.Context, obj objectRef, finalizer string) error {
	for range conflictRetries {
		latest, err := c.getObject(ctx, obj)
		if err != nil || latest == nil || latest.UID != obj.UID {
			return err
		}
		if !slices.Contains(latest.Finalizers, finalizer) {
			return nil
		}
		err = c.patchMetadata(ctx, obj, map[string]any{
			"finalizers": withoutFinalizer(latest.Finalizers, finalizer), "resourceVersion": latest.ResourceVersion,
		})
		if rest.IsNotFound(err) {
			return nil
		}
		if !rest.IsConflict(err) {
			return err
		}
	}
	return fmt.Errorf("remove finalizer %s from %s: conflicts persisted", finalizer, obj)
}

// patchOwnerRefs replaces an object's ownerReferences, conditional on resourceVersion (when
// given).
func (c *Controller) patchOwnerRefs(ctx context.Context, obj objectRef, resourceVersion string, refs []metav1.OwnerReference) error {
	meta := map[string]any{"ownerReferences": refs}
	if len(refs) == 0 {
		meta["ownerReferences"] = nil
	}
	if resourceVersion != "" {
		meta["resourceVersion"] = resourceVersion
	}
	err := c.patchMetadata(ctx, obj, meta)
	if rest.IsNotFound(err) {
		return nil
	}
	return err
}

// patchMetadata sends a JSON merge patch of the object's metadata.
func (c *Controller) patchMetadata(ctx context.Context, obj objectRef, meta map[string]any) error {
	res, ok := c.resourceFor(obj.APIVersion, obj.Kind)
	if !ok {
		return fmt.Errorf("patch %s: no served resource has this kind", obj)
	}
	body, err := json.Marshal(map[string]any{"metadata": meta})
	if err != nil {
		return err
	}
	_, err = c.rest.Do(ctx, &rest.Request{
		Verb: rest.VerbPatch, Group: res.Group, Version: res.Version, Resource: res.Resource,
		Namespace: namespaceOf(res, obj.Namespace), Name: obj.Name, Body: body, ContentType: string(client.MergePatchType),
	})
	if err != nil {
		return fmt.Errorf("patch %s: %w", obj, err)
	}
	return nil
}

// deleteObject deletes an object with uid and resourceVersion preconditions. A conflict
// caused only by unrelated changes (the ownerReferences are as decided on) is retried with
// the uid precondition alone; one caused by new owners is returned, to decide again.
func (c *Controller) deleteObject(ctx context.Context, obj objectRef, latest *metav1.PartialObjectMetadata, policy string) error {
	res, ok := c.resourceFor(obj.APIVersion, obj.Kind)
	if !ok {
		return fmt.Errorf("delete %s: no served resource has this kind", obj)
	}
	del := func(rv string) error {
		pre := &metav1.Preconditions{UID: &obj.UID}
		if rv != "" {
			pre.ResourceVersion = &rv
		}
		body, _ := json.Marshal(metav1.DeleteOptions{Preconditions: pre, PropagationPolicy: &policy})
		_, err := c.rest.Do(ctx, &rest.Request{
			Verb: rest.VerbDelete, Group: res.Group, Version: res.Version, Resource: res.Resource,
			Namespace: namespaceOf(res, obj.Namespace), Name: obj.Name, Body: body,
		})
		if rest.IsNotFound(err) {
			return nil
		}
		return err
	}
	err := del(latest.ResourceVersion)
	if !rest.IsConflict(err) || latest.ResourceVersion == "" {
		if err != nil {
			return fmt.Errorf("delete %s: %w", obj, err)
		}
		return nil
	}
	live, getErr := c.getObject(ctx, obj)
	switch {
	case getErr != nil:
		return fmt.Errorf("delete %s: %w", obj, err)
	case live == nil || live.UID != obj.UID:
		return nil // gone already
	case slices.EqualFunc(live.OwnerReferences, latest.OwnerReferences, sameRef):
		if err := del(""); err != nil {
			return fmt.Errorf("delete %s: %w", obj, err)
		}
		return nil
	}
	return fmt.Errorf("delete %s: its owners changed: %w", obj, err)
}

// getObject reads an object's live metadata; nil (no error) when it does not exist.
func (c *Controller) getObject(ctx context.Context, obj objectRef) (*metav1.PartialObjectMetadata, error) {
	res, ok := c.resourceFor(obj.APIVersion, obj.Kind)
	if !ok {
		return nil, fmt.Errorf("get %s: no served resource has this kind", obj)
	}
	return c.get(ctx, res, obj.Namespace, obj.Name)
}

func (c *Controller) get(ctx context.Context, res apiResource, namespace, name string) (*metav1.PartialObjectMetadata, error) {
	body, err := c.rest.Do(ctx, &rest.Request{
		Verb: rest.VerbGet, Group: res.Group, Version: res.Version, Resource: res.Resource,
		Namespace: namespaceOf(res, namespace), Name: name,
	})
	if rest.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := &metav1.PartialObjectMetadata{}
	if err := json.Unmarshal(body, out); err != nil {
		return nil, fmt.Errorf("decode %s %s: %w", res.GroupResource(), name, err)
	}
	return out, nil
}

func (c *Controller) resourceFor(apiVersion, kind string) (apiResource, bool) {
	c.resMu.RLock()
	defer c.resMu.RUnlock()
	return c.resources.resourceFor(apiVersion, kind)
}

func namespaceOf(res apiResource, namespace string) string {
	if !res.Namespaced {
		return ""
	}
	return namespace
}
