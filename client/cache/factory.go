package cache

import (
	"context"
	"reflect"
	"sync"
	"time"

	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

// SharedInformerFactory gives every controller of a process the same informer per kind,
// so that ten controllers watching pods cost one watch and one cache, not ten.
type SharedInformerFactory struct {
	rest rest.Interface
	opts FactoryOptions

	mu        sync.Mutex
	informers map[reflect.Type]runnable
	started   map[reflect.Type]bool
	wg        sync.WaitGroup
}

// FactoryOptions apply to every informer of a factory.
type FactoryOptions struct {
	// ResyncPeriod: see InformerOptions. Zero disables resync.
	ResyncPeriod time.Duration
	// Namespace limits namespaced informers to one namespace ("" = all).
	Namespace string
	// TweakListOptions adjusts the list/watch options (selectors) of every informer.
	TweakListOptions func(*client.ListOptions)
	// UseWatchList: see InformerOptions.
	UseWatchList bool
}

// runnable is a SharedInformer of any kind, as the factory stores them.
type runnable interface {
	Run(ctx context.Context)
	HasSynced() bool
}

// NewSharedInformerFactory returns a factory whose informers reach the API through r.
func NewSharedInformerFactory(r rest.Interface, opts FactoryOptions) *SharedInformerFactory {
	return &SharedInformerFactory{
		rest:      r,
		opts:      opts,
		informers: map[reflect.Type]runnable{},
		started:   map[reflect.Type]bool{},
	}
}

// InformerFor returns the factory's informer for kind T, creating it on first use. (A
// function, not a method, because Go methods cannot take type parameters.)
func InformerFor[T any](f *SharedInformerFactory, res client.Resource[T]) *SharedInformer[T] {
	f.mu.Lock()
	defer f.mu.Unlock()
	typ := reflect.TypeFor[T]()
	if inf, ok := f.informers[typ]; ok {
		return inf.(*SharedInformer[T])
	}
	var listOpts client.ListOptions
	if f.opts.TweakListOptions != nil {
		f.opts.TweakListOptions(&listOpts)
	}
	inf := NewSharedInformer[T](client.New(f.rest, res, f.opts.Namespace), InformerOptions{
		ResyncPeriod: f.opts.ResyncPeriod,
		ListOptions:  listOpts,
		UseWatchList: f.opts.UseWatchList,
	})
	f.informers[typ] = inf
	return inf
}

// Start runs every informer requested so far that is not running yet, until ctx is done.
// Call it after all controllers have asked for their informers; calling it again later
// starts the ones asked for since.
func (f *SharedInformerFactory) Start(ctx context.Context) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for typ, inf := range f.informers {
		if f.started[typ] {
			continue
		}
		f.started[typ] = true
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			inf.Run(ctx)
		}()
	}
}

// WaitForCacheSync waits until every started informer has synced, or ctx ends.
func (f *SharedInformerFactory) WaitForCacheSync(ctx context.Context) bool {
	f.mu.Lock()
	var synced []func() bool
	for typ, inf := range f.informers {
		if f.started[typ] {
			synced = append(synced, inf.HasSynced)
		}
	}
	f.mu.Unlock()
	return WaitForCacheSync(ctx, synced...)
}

// Wait blocks until every started informer has stopped (after its context ended).
func (f *SharedInformerFactory) Wait() { f.wg.Wait() }
