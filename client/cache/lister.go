package cache

import (
	"context"
	"time"

	"github.com/skiff-k8s/skiff/api/labels"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

// Lister reads objects of one kind from an informer's store, without calling the API.
// Everything it returns is shared with the cache: never modify it; DeepCopy first.
type Lister[T any] struct {
	indexer *Indexer[T]
	res     client.ResourceInfo
}

// NewLister reads indexer; res names the resource in NotFound errors.
func NewLister[T any](indexer *Indexer[T], res client.ResourceInfo) Lister[T] {
	return Lister[T]{indexer: indexer, res: res}
}

// List returns the objects (in all namespaces) whose labels match selector; pass
// labels.Everything() for all.
func (l Lister[T]) List(selector labels.Selector) ([]*T, error) {
	return filterByLabels(l.indexer.List(), selector), nil
}

// Get returns the object with key "namespace/name" (or "name" for cluster-scoped kinds),
// or a NotFound error exactly like the API server's, so callers test it with
// rest.IsNotFound.
func (l Lister[T]) Get(key string) (*T, error) {
	obj, ok := l.indexer.GetByKey(key)
	if !ok {
		_, name, _ := SplitMetaNamespaceKey(key)
		return nil, rest.NewNotFound(l.res.Group, l.res.Resource, name)
	}
	return obj, nil
}

// ByNamespace narrows the lister to one namespace.
func (l Lister[T]) ByNamespace(namespace string) NamespaceLister[T] {
	return NamespaceLister[T]{lister: l, namespace: namespace}
}

// NamespaceLister reads one namespace of a Lister.
type NamespaceLister[T any] struct {
	lister    Lister[T]
	namespace string
}

// List returns the namespace's objects whose labels match selector.
func (n NamespaceLister[T]) List(selector labels.Selector) ([]*T, error) {
	objs, err := n.lister.indexer.ByIndex(NamespaceIndex, n.namespace)
	if err != nil {
		return nil, err
	}
	return filterByLabels(objs, selector), nil
}

// Get returns the named object of the namespace, or a NotFound error.
func (n NamespaceLister[T]) Get(name string) (*T, error) {
	return n.lister.Get(n.namespace + "/" + name)
}

func filterByLabels[T any](objs []*T, selector labels.Selector) []*T {
	if selector == nil {
		return objs
	}
	out := objs[:0:0]
	for _, obj := range objs {
		if o, ok := any(obj).(metav1.Object); ok && selector.Matches(o.GetObjectMeta().Labels) {
			out = append(out, obj)
		}
	}
	return out
}

// WaitForCacheSync waits until every hasSynced reports true (polling every 100 ms), or ctx
// ends; it reports whether all synced. Controllers call it before starting workers.
func WaitForCacheSync(ctx context.Context, hasSynced ...func() bool) bool {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		all := true
		for _, f := range hasSynced {
			if !f() {
				all = false
				break
			}
		}
		if all {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
}
