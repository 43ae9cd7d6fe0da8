package handlers

import (
	"fmt"
	"sync"
	"time"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/apiserver/registry"
	"github.com/skiff-k8s/skiff/apiserver/storage"
)

// TableRenderer renders objects as the meta.k8s.io/v1 Table kubectl asks for with
// "Accept: application/json;as=Table;v=v1;g=meta.k8s.io". includeObject is None, Metadata or
// Object (kubectl's includeObject parameter).
type TableRenderer func(resource string, objs []metav1.Object, includeObject string, noHeaders bool) metav1.Table

// Config is what the handlers need from the server.
type Config struct {
	Store storage.Store
	// Prefix is the root of every key in etcd ("/registry").
	Prefix string
	// Resources are the served resources; each gets its routes.
	Resources []*registry.Resource
	// RenderTable serves Table requests; when nil they are answered with plain JSON, which
	// kubectl also accepts.
	RenderTable TableRenderer
	// WatchCacheCapacity is how many recent events each resource's watch cache keeps.
	WatchCacheCapacity int
	// WatchObserver, when set, is told when a watch starts (+1) and ends (-1), for metrics.
	WatchObserver func(res *registry.Resource, delta int)
}

// API serves every configured resource. It owns one watch cache per stored resource,
// started the first time something needs it.
type API struct {
	cfg       Config
	resources []*Resource
	// byName finds a served resource by group and plural name (the preferred version when
	// a resource is served in several).
	byName map[groupResource]*Resource

	mu     sync.Mutex
	caches map[string]*storage.WatchCache // by key prefix
	closed bool
}

// New prepares the handlers for cfg.Resources.
func New(cfg Config) (*API, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("handlers: no store")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "/registry"
	}
	a := &API{cfg: cfg, byName: map[groupResource]*Resource{}, caches: map[string]*storage.WatchCache{}}
	for _, info := range cfg.Resources {
		res, err := newResource(a, info)
		if err != nil {
			return nil, err
		}
		a.resources = append(a.resources, res)
		gr := groupResource{info.Group, info.Name}
		if prev, ok := a.byName[gr]; !ok || versionPriority(info.Version) > versionPriority(prev.info.Version) {
			a.byName[gr] = res
		}
	}
	return a, nil
}

// Resources returns the served resources in configuration order.
func (a *API) Resources() []*registry.Resource {
	out := make([]*registry.Resource, len(a.resources))
	for i, r := range a.resources {
		out[i] = r.info
	}
	return out
}

// resource returns the served resource group/name, or nil.
func (a *API) resource(group, name string) *Resource {
	return a.byName[groupResource{group, name}]
}

// Store returns the storage the handlers write to.
func (a *API) Store() storage.Store { return a.cfg.Store }

// watchCache returns the cache of the keys under prefix, starting it on first use. Every
// client watching (or listing at resourceVersion=0) a resource shares it, so etcd sees one
// watch per resource however many clients there are.
func (a *API) watchCache(prefix string) (*storage.WatchCache, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil, fmt.Errorf("apiserver is shutting down")
	}
	c := a.caches[prefix]
	if c == nil {
		c = storage.NewWatchCache(a.cfg.Store, prefix, a.cfg.WatchCacheCapacity)
		a.caches[prefix] = c
	}
	return c, nil
}

// WarmCaches starts the watch caches of the named resources (group/name pairs as
// "group/resource", core resources as "resource") so their first reads need not wait.
func (a *API) WarmCaches(names ...string) {
	for _, res := range a.resources {
		for _, n := range names {
			if n == res.gr.String() || (res.info.Group != "" && n == res.info.Group+"/"+res.info.Name) {
				_, _ = a.watchCache(res.keyPrefix)
			}
		}
	}
}

// Close stops every watch cache, which ends the watches served from them.
func (a *API) Close() {
	a.mu.Lock()
	a.closed = true
	caches := a.caches
	a.caches = map[string]*storage.WatchCache{}
	a.mu.Unlock()
	for _, c := range caches {
		c.Stop()
	}
}

// storageTimeout bounds each etcd call a request makes, so a wedged etcd produces errors
// instead of hung clients.
const storageTimeout = 30 * time.Second
