package garbagecollector

import (
	"slices"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// objectRef identifies an object of any kind: what an ownerReference says plus the
// namespace (an owner lives in its dependent's namespace unless it is cluster-scoped).
type objectRef struct {
	APIVersion, Kind, Namespace, Name, UID string
}

func (r objectRef) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name + " (" + r.UID + ")"
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name + " (" + r.UID + ")"
}

// node is one object in the ownership graph.
type node struct {
	identity objectRef
	// owners are the object's ownerReferences as last observed.
	owners []metav1.OwnerReference
	// dependents are the nodes whose ownerReferences name this one.
	dependents map[*node]struct{}
	// beingDeleted: the object has a deletionTimestamp. deletingDependents: and the
	// foregroundDeletion finalizer, so it waits for its blocking dependents to go.
	beingDeleted, deletingDependents bool
	// virtual: known only from a dependent's ownerReference, not (yet) observed through
	// an informer. It may not exist at all; the collector checks with the API server.
	virtual bool
}

// blockingDependents are the dependents whose reference to n sets blockOwnerDeletion: a
// foreground deletion of n waits for exactly these.
func (n *node) blockingDependents() []*node {
	var out []*node
	for dep := range n.dependents {
		for _, ref := range dep.owners {
			if ref.UID == n.identity.UID && ref.BlockOwnerDeletion != nil && *ref.BlockOwnerDeletion {
				out = append(out, dep)
				break
			}
		}
	}
	return out
}

// graph is the ownership graph, keyed by uid. It is not safe for concurrent use: the
// collector guards it with a mutex.
type graph struct {
	nodes map[string]*node
	// absent remembers owners confirmed missing, so that a hundred pods of a deleted
	// ReplicaSet cost one GET of it, not a hundred.
	absent *absentCache
}

func newGraph() *graph {
	return &graph{nodes: map[string]*node{}, absent: newAbsentCache(absentCacheSize)}
}

// eventType says what an informer (or the collector itself) saw happen to an object.
type eventType int

const (
	addEvent eventType = iota
	updateEvent
	deleteEvent
)

// event is one change to apply to the graph. virtual marks a deletion the collector
// concluded itself (the API server said the object does not exist) rather than one an
// informer reported.
type event struct {
	typ     eventType
	virtual bool
	// apiVersion and kind are the resource's (metadata from lists often lacks them).
	apiVersion, kind string
	obj, old         *metav1.PartialObjectMetadata
}

// work is what applying an event asks the collector to look at: uids to consider for
// deletion (attemptToDelete) and owners whose dependents must be orphaned.
type work struct {
	attemptToDelete, attemptToOrphan []string
}

func (w *work) delete(uids ...string) { w.attemptToDelete = append(w.attemptToDelete, uids...) }

// apply folds one event into the graph and returns the work it creates. This is the
// garbage collector's graph builder: the whole decision of who to look at when.
func (g *graph) apply(ev event) work {
	var w work
	m := &ev.obj.ObjectMeta
	identity := objectRef{APIVersion: ev.apiVersion, Kind: ev.kind, Namespace: m.Namespace, Name: m.Name, UID: m.UID}
	existing, found := g.nodes[m.UID]
	if found && !ev.virtual && existing.virtual {
		// The informer caught up with an owner known so far only from references.
		existing.virtual = false
		existing.identity = identity
	}
	switch {
	case ev.typ != deleteEvent && !found:
		n := &node{
			identity:           identity,
			owners:             slices.Clone(m.OwnerReferences),
			dependents:         map[*node]struct{}{},
			beingDeleted:       m.DeletionTimestamp != nil,
			deletingDependents: m.DeletionTimestamp != nil && metav1.HasFinalizer(m, metav1.FinalizerDeleteDependents),
		}
		g.nodes[m.UID] = n
		g.addToOwners(n, n.owners, &w)
		g.processTransitions(ev.old, m, n, &w)

	case ev.typ != deleteEvent:
		added, removed, changed := referencesDiff(existing.owners, m.OwnerReferences)
		if len(added) > 0 || len(removed) > 0 || len(changed) > 0 {
			// An owner waiting for its blocking dependents may have just lost one.
			for _, ref := range unblockedOwners(removed, changed) {
				if _, ok := g.nodes[ref]; ok {
					w.delete(ref)
				}
			}
			existing.owners = slices.Clone(m.OwnerReferences)
			g.addToOwners(existing, added, &w)
			g.removeFromOwners(existing, removed)
		}
		if m.DeletionTimestamp != nil {
			existing.beingDeleted = true
		}
		g.processTransitions(ev.old, m, existing, &w)

	case found:
		g.removeFromOwners(existing, existing.owners)
		delete(g.nodes, m.UID)
		if len(existing.dependents) > 0 {
			g.absent.add(existing.identity)
		}
		for dep := range existing.dependents {
			w.delete(dep.identity.UID)
		}
		// An owner in foreground deletion may have been waiting for this one.
		for _, ref := range existing.owners {
			if owner, ok := g.nodes[ref.UID]; ok && owner.deletingDependents {
				w.delete(ref.UID)
			}
		}
	}
	return w
}

// addToOwners records n as a dependent of each owner in refs, creating virtual nodes for
// owners never seen; those are queued so that the collector checks they exist.
func (g *graph) addToOwners(n *node, refs []metav1.OwnerReference, w *work) {
	for _, ref := range refs {
		owner, ok := g.nodes[ref.UID]
		if !ok {
			owner = &node{
				identity:   objectRef{APIVersion: ref.APIVersion, Kind: ref.Kind, Namespace: n.identity.Namespace, Name: ref.Name, UID: ref.UID},
				dependents: map[*node]struct{}{},
				virtual:    true,
			}
			g.nodes[ref.UID] = owner
			w.delete(ref.UID)
		}
		owner.dependents[n] = struct{}{}
	}
}

func (g *graph) removeFromOwners(n *node, refs []metav1.OwnerReference) {
	for _, ref := range refs {
		if owner, ok := g.nodes[ref.UID]; ok {
			delete(owner.dependents, n)
		}
	}
}

// processTransitions reacts to an object starting a deletion that waits for the collector:
// the orphan finalizer (strip the dependents' references) or the foregroundDeletion one
// (delete the dependents first).
func (g *graph) processTransitions(old *metav1.PartialObjectMetadata, m *metav1.ObjectMeta, n *node, w *work) {
	if startsDeletionWith(old, m, metav1.FinalizerOrphanDependents) {
		w.attemptToOrphan = append(w.attemptToOrphan, m.UID)
		return
	}
	if startsDeletionWith(old, m, metav1.FinalizerDeleteDependents) {
		n.deletingDependents = true
		for dep := range n.dependents {
			w.delete(dep.identity.UID)
		}
		w.delete(m.UID)
	}
}

// startsDeletionWith reports whether the object is being deleted with the finalizer now
// and was not before (or there is no before: first sight).
func startsDeletionWith(old *metav1.PartialObjectMetadata, m *metav1.ObjectMeta, finalizer string) bool {
	if m.DeletionTimestamp == nil || !metav1.HasFinalizer(m, finalizer) {
		return false
	}
	return old == nil || old.DeletionTimestamp == nil || !metav1.HasFinalizer(&old.ObjectMeta, finalizer)
}

// referencesDiff compares two ownerReference lists by owner uid.
func referencesDiff(old, cur []metav1.OwnerReference) (added, removed []metav1.OwnerReference, changed [][2]metav1.OwnerReference) {
	for _, c := range cur {
		i := slices.IndexFunc(old, func(o metav1.OwnerReference) bool { return o.UID == c.UID })
		switch {
		case i < 0:
			added = append(added, c)
		case !sameRef(old[i], c):
			changed = append(changed, [2]metav1.OwnerReference{old[i], c})
		}
	}
	for _, o := range old {
		if !slices.ContainsFunc(cur, func(c metav1.OwnerReference) bool { return c.UID == o.UID }) {
			removed = append(removed, o)
		}
	}
	return added, removed, changed
}

func sameRef(a, b metav1.OwnerReference) bool {
	return a.APIVersion == b.APIVersion && a.Kind == b.Kind && a.Name == b.Name && a.UID == b.UID &&
		boolValue(a.Controller) == boolValue(b.Controller) && boolValue(a.BlockOwnerDeletion) == boolValue(b.BlockOwnerDeletion)
}

// unblockedOwners are the owners a dependent stopped blocking: their reference was removed
// while blocking, or changed from blocking to not.
func unblockedOwners(removed []metav1.OwnerReference, changed [][2]metav1.OwnerReference) []string {
	var out []string
	for _, r := range removed {
		if boolValue(r.BlockOwnerDeletion) {
			out = append(out, r.UID)
		}
	}
	for _, c := range changed {
		if boolValue(c[0].BlockOwnerDeletion) && !boolValue(c[1].BlockOwnerDeletion) {
			out = append(out, c[1].UID)
		}
	}
	return out
}

func boolValue(b *bool) bool { return b != nil && *b }

// absentCacheSize bounds the memory of confirmed-missing owners (upstream's size).
const absentCacheSize = 500

// absentCache is a bounded set of owners known not to exist; the oldest entries go first.
// Keys carry the namespace, so a namespaced owner missing in one namespace says nothing
// about another.
type absentCache struct {
	max   int
	set   map[objectRef]struct{}
	order []objectRef
}

func newAbsentCache(max int) *absentCache {
	return &absentCache{max: max, set: map[objectRef]struct{}{}}
}

func (c *absentCache) add(r objectRef) {
	if _, ok := c.set[r]; ok {
		return
	}
	if len(c.order) >= c.max {
		delete(c.set, c.order[0])
		c.order = c.order[1:]
	}
	c.set[r] = struct{}{}
	c.order = append(c.order, r)
}

func (c *absentCache) has(r objectRef) bool {
	_, ok := c.set[r]
	return ok
}
