package cache

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// KeyFunc names an object in a store.
type KeyFunc[T any] func(obj *T) (string, error)

// MetaNamespaceKeyFunc is the standard key: "namespace/name", or "name" for cluster-scoped
// objects. Work queues carry these keys.
func MetaNamespaceKeyFunc[T any](obj *T) (string, error) {
	o, ok := any(obj).(metav1.Object)
	if !ok {
		return "", fmt.Errorf("%T is not an API object", obj)
	}
	return metav1.KeyOf(o), nil
}

// SplitMetaNamespaceKey splits a key back into namespace and name.
func SplitMetaNamespaceKey(key string) (namespace, name string, err error) {
	parts := strings.Split(key, "/")
	switch {
	case len(parts) == 1 && parts[0] != "":
		return "", parts[0], nil
	case len(parts) == 2 && parts[1] != "":
		return parts[0], parts[1], nil
	}
	return "", "", fmt.Errorf("unexpected key format: %q", key)
}

// IndexFunc computes the values under which an object is indexed (several are allowed:
// a pod could be indexed by each of its volumes' claims).
type IndexFunc[T any] func(obj *T) ([]string, error)

// Indexers names index functions.
type Indexers[T any] map[string]IndexFunc[T]

// NamespaceIndex is the name of the built-in index by namespace.
const NamespaceIndex = "namespace"

// MetaNamespaceIndexFunc indexes objects by their namespace.
func MetaNamespaceIndexFunc[T any](obj *T) ([]string, error) {
	o, ok := any(obj).(metav1.Object)
	if !ok {
		return nil, fmt.Errorf("%T is not an API object", obj)
	}
	return []string{o.GetObjectMeta().Namespace}, nil
}

// Indexer is a thread-safe store of objects by key, with secondary indexes. Objects are
// stored as given and returned as stored: callers must not modify them.
type Indexer[T any] struct {
	mu       sync.RWMutex
	keyFunc  KeyFunc[T]
	items    map[string]*T
	indexers Indexers[T]
	// indices maps index name -> indexed value -> set of keys.
	indices map[string]map[string]map[string]struct{}
}

// NewIndexer returns an empty Indexer keyed by keyFunc, with the namespace index and any
// extra indexers.
func NewIndexer[T any](keyFunc KeyFunc[T], indexers Indexers[T]) *Indexer[T] {
	s := &Indexer[T]{
		keyFunc:  keyFunc,
		items:    map[string]*T{},
		indexers: Indexers[T]{NamespaceIndex: MetaNamespaceIndexFunc[T]},
		indices:  map[string]map[string]map[string]struct{}{},
	}
	for name, f := range indexers {
		s.indexers[name] = f
	}
	return s
}

// AddIndexers adds index functions and indexes the objects already stored.
func (s *Indexer[T]) AddIndexers(more Indexers[T]) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name := range more {
		if _, dup := s.indexers[name]; dup {
			return fmt.Errorf("indexer %q already exists", name)
		}
	}
	for name, f := range more {
		s.indexers[name] = f
		for key, obj := range s.items {
			if err := s.indexOne(name, f, key, obj); err != nil {
				return err
			}
		}
	}
	return nil
}

// Add stores obj, replacing any object with the same key.
func (s *Indexer[T]) Add(obj *T) error {
	key, err := s.keyFunc(obj)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.put(key, obj)
}

// Update is Add: the store does not distinguish them.
func (s *Indexer[T]) Update(obj *T) error { return s.Add(obj) }

// Delete removes the object with obj's key, if present.
func (s *Indexer[T]) Delete(obj *T) error {
	key, err := s.keyFunc(obj)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remove(key)
	return nil
}

// Replace makes the store hold exactly objs.
func (s *Indexer[T]) Replace(objs []*T) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = map[string]*T{}
	s.indices = map[string]map[string]map[string]struct{}{}
	for _, obj := range objs {
		key, err := s.keyFunc(obj)
		if err != nil {
			return err
		}
		if err := s.put(key, obj); err != nil {
			return err
		}
	}
	return nil
}

// GetByKey returns the object stored under key.
func (s *Indexer[T]) GetByKey(key string) (*T, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	obj, ok := s.items[key]
	return obj, ok
}

// Get returns the stored object with obj's key.
func (s *Indexer[T]) Get(obj *T) (*T, bool, error) {
	key, err := s.keyFunc(obj)
	if err != nil {
		return nil, false, err
	}
	got, ok := s.GetByKey(key)
	return got, ok, nil
}

// List returns every stored object, in no particular order.
func (s *Indexer[T]) List() []*T {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*T, 0, len(s.items))
	for _, obj := range s.items {
		out = append(out, obj)
	}
	return out
}

// ListKeys returns every key, sorted.
func (s *Indexer[T]) ListKeys() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.items))
	for k := range s.items {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Len is the number of stored objects.
func (s *Indexer[T]) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.items)
}

// ByIndex returns the objects whose index function produced value.
func (s *Indexer[T]) ByIndex(indexName, value string) ([]*T, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.indexers[indexName]; !ok {
		return nil, fmt.Errorf("index %q does not exist", indexName)
	}
	keys := s.indices[indexName][value]
	out := make([]*T, 0, len(keys))
	for k := range keys {
		out = append(out, s.items[k])
	}
	return out, nil
}

// IndexKeys returns the keys of the objects whose index function produced value, sorted.
func (s *Indexer[T]) IndexKeys(indexName, value string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.indexers[indexName]; !ok {
		return nil, fmt.Errorf("index %q does not exist", indexName)
	}
	out := make([]string, 0, len(s.indices[indexName][value]))
	for k := range s.indices[indexName][value] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}

// put stores obj under key and re-indexes it; the caller holds the write lock.
func (s *Indexer[T]) put(key string, obj *T) error {
	s.remove(key)
	s.items[key] = obj
	for name, f := range s.indexers {
		if err := s.indexOne(name, f, key, obj); err != nil {
			return err
		}
	}
	return nil
}

// remove drops key from items and from every index; the caller holds the write lock.
func (s *Indexer[T]) remove(key string) {
	old, ok := s.items[key]
	if !ok {
		return
	}
	delete(s.items, key)
	for name, f := range s.indexers {
		values, err := f(old)
		if err != nil {
			continue // it could not have been indexed either
		}
		for _, v := range values {
			set := s.indices[name][v]
			delete(set, key)
			if len(set) == 0 {
				delete(s.indices[name], v)
			}
		}
	}
}

func (s *Indexer[T]) indexOne(name string, f IndexFunc[T], key string, obj *T) error {
	values, err := f(obj)
	if err != nil {
		return fmt.Errorf("index %q of %s: %w", name, key, err)
	}
	idx := s.indices[name]
	if idx == nil {
		idx = map[string]map[string]struct{}{}
		s.indices[name] = idx
	}
	for _, v := range values {
		if idx[v] == nil {
			idx[v] = map[string]struct{}{}
		}
		idx[v][key] = struct{}{}
	}
	return nil
}
