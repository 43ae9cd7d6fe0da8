package cache

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/skiff-k8s/skiff/client"
)

// SharedInformer watches one resource, keeps its Indexer current and notifies handlers.
// Create it through a SharedInformerFactory so that a process has one per kind.
type SharedInformer[T any] struct {
	res       client.ResourceInfo
	reflector *Reflector[T]
	indexer   *Indexer[T]
	resync    time.Duration

	// mu serializes changes to the indexer with their fan-out to listeners, and the
	// registration of new listeners: a handler added late sees a snapshot of the store
	// followed by exactly the changes after it, nothing twice, nothing missed.
	mu        sync.Mutex
	listeners []*listener[T]
	started   bool
	synced    atomic.Bool
	done      chan struct{}
}

// InformerOptions tune a SharedInformer.
type InformerOptions struct {
	// ResyncPeriod, when not zero, re-delivers every cached object to OnUpdate(obj, obj) at
	// this interval: a safety net for controllers whose effects can drift outside the API.
	ResyncPeriod time.Duration
	// ListOptions filters what the informer lists and watches (label or field selectors).
	// Limit, Continue and ResourceVersion are the reflector's own and are ignored here.
	ListOptions client.ListOptions
	// UseWatchList gets the initial state from one watch with sendInitialEvents=true
	// (ending at the bookmark annotated k8s.io/initial-events-end) instead of a list. It
	// saves the API server from building large list responses; off by default, as upstream.
	UseWatchList bool
}

// NewSharedInformer builds an informer over lw. It does nothing until Run.
func NewSharedInformer[T any](lw ListerWatcher[T], opts InformerOptions) *SharedInformer[T] {
	res, ok := client.ResourceInfoFor(new(T))
	if !ok {
		res = client.ResourceInfo{Resource: reflect.TypeFor[T]().Name()}
	}
	s := &SharedInformer[T]{
		res:     res,
		indexer: NewIndexer[T](MetaNamespaceKeyFunc[T], nil),
		resync:  opts.ResyncPeriod,
		done:    make(chan struct{}),
	}
	listOpts := opts.ListOptions
	listOpts.Limit, listOpts.Continue, listOpts.ResourceVersion, listOpts.ResourceVersionMatch = 0, "", "", ""
	s.reflector = &Reflector[T]{
		name: res.GroupResource(), lw: lw, sink: (*informerSink[T])(s),
		opts: listOpts, useWatchList: opts.UseWatchList,
	}
	return s
}

// AddEventHandler registers a handler. Added after the informer started, the handler first
// gets an OnAdd for every object already cached.
func (s *SharedInformer[T]) AddEventHandler(h ResourceEventHandler[T]) (Registration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.done:
		return nil, fmt.Errorf("informer for %s has stopped; handler not added", s.res.GroupResource())
	default:
	}
	l := newListener(h, s.synced.Load)
	for _, obj := range s.indexer.List() {
		l.enqueue(notification[T]{kind: notifyAdd, new: obj, initial: true})
	}
	s.listeners = append(s.listeners, l)
	if s.started {
		go l.run()
	}
	return l, nil
}

// AddIndexers adds indexes to the informer's store (before or after it started).
func (s *SharedInformer[T]) AddIndexers(indexers Indexers[T]) error {
	return s.indexer.AddIndexers(indexers)
}

// Indexer is the informer's store. Read-only for callers.
func (s *SharedInformer[T]) Indexer() *Indexer[T] { return s.indexer }

// Lister reads the informer's store.
func (s *SharedInformer[T]) Lister() Lister[T] { return NewLister(s.indexer, s.res) }

// HasSynced reports that the initial list has been stored.
func (s *SharedInformer[T]) HasSynced() bool { return s.synced.Load() }

// LastSyncResourceVersion is the resourceVersion of the newest state the store reflects.
func (s *SharedInformer[T]) LastSyncResourceVersion() string {
	return s.reflector.LastSyncResourceVersion()
}

// Run starts the handlers' goroutines and the reflector, and blocks until ctx is done.
// An informer runs once.
func (s *SharedInformer[T]) Run(ctx context.Context) {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return
	}
	s.started = true
	for _, l := range s.listeners {
		go l.run()
	}
	s.mu.Unlock()

	if s.resync > 0 {
		go s.resyncLoop(ctx)
	}
	s.reflector.Run(ctx)

	s.mu.Lock()
	close(s.done)
	for _, l := range s.listeners {
		l.stop()
	}
	s.mu.Unlock()
}

// resyncLoop re-delivers the store to every handler each resync period.
func (s *SharedInformer[T]) resyncLoop(ctx context.Context) {
	t := time.NewTicker(s.resync)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !s.synced.Load() {
			continue
		}
		s.mu.Lock()
		for _, obj := range s.indexer.List() {
			s.distribute(notification[T]{kind: notifyUpdate, old: obj, new: obj})
		}
		s.mu.Unlock()
	}
}

// distribute hands a notification to every listener; the caller holds s.mu.
func (s *SharedInformer[T]) distribute(n notification[T]) {
	for _, l := range s.listeners {
		l.enqueue(n)
	}
}

// informerSink is the informer seen from its reflector: it applies changes to the indexer
// and fans them out.
type informerSink[T any] SharedInformer[T]

func (k *informerSink[T]) Replace(items []*T, resourceVersion string) {
	s := (*SharedInformer[T])(k)
	s.mu.Lock()
	defer s.mu.Unlock()

	// Last one wins should a key repeat (a watch-list may send an object twice).
	next := make(map[string]*T, len(items))
	order := make([]string, 0, len(items))
	for _, obj := range items {
		key, err := s.indexer.keyFunc(obj)
		if err != nil {
			continue
		}
		if _, seen := next[key]; !seen {
			order = append(order, key)
		}
		next[key] = obj
	}
	// Objects cached but absent from the new state were deleted while we were not
	// watching: their final state is unknown, so handlers get a tombstone.
	var gone []notification[T]
	for _, key := range s.indexer.ListKeys() {
		if _, ok := next[key]; !ok {
			old, _ := s.indexer.GetByKey(key)
			gone = append(gone, notification[T]{kind: notifyDelete, deleted: DeletedFinalStateUnknown[T]{Key: key, Obj: old}})
		}
	}
	var changes []notification[T]
	first := !s.synced.Load()
	for _, key := range order {
		if old, ok := s.indexer.GetByKey(key); ok {
			changes = append(changes, notification[T]{kind: notifyUpdate, old: old, new: next[key]})
		} else {
			changes = append(changes, notification[T]{kind: notifyAdd, new: next[key], initial: first})
		}
	}
	list := make([]*T, 0, len(order))
	for _, key := range order {
		list = append(list, next[key])
	}
	if err := s.indexer.Replace(list); err != nil {
		panic(fmt.Sprintf("informer %s: %v", s.res.GroupResource(), err)) // keys were computed above
	}
	for _, n := range gone {
		s.distribute(n)
	}
	for _, n := range changes {
		s.distribute(n)
	}
	s.synced.Store(true)
}

func (k *informerSink[T]) Upsert(obj *T) {
	s := (*SharedInformer[T])(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	old, exists, err := s.indexer.Get(obj)
	if err != nil {
		return
	}
	if err := s.indexer.Add(obj); err != nil {
		return
	}
	if exists {
		s.distribute(notification[T]{kind: notifyUpdate, old: old, new: obj})
	} else {
		s.distribute(notification[T]{kind: notifyAdd, new: obj})
	}
}

func (k *informerSink[T]) Remove(obj *T) {
	s := (*SharedInformer[T])(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.indexer.Delete(obj); err != nil {
		return
	}
	s.distribute(notification[T]{kind: notifyDelete, deleted: obj})
}
