package garbagecollector

import (
	"context"
	"log/slog"
	"slices"
	"strings"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
)

// DiscoverFunc returns the discovery documents of the resources the API server serves (one
// per group version, the preferred version of each group). On partial failure it returns
// what it found and an error.
type DiscoverFunc func(ctx context.Context) ([]metav1.APIResourceList, error)

// apiResource is one served resource, as discovery describes it.
type apiResource struct {
	client.ResourceInfo
	verbs []string
}

// ignoredResources are never watched: events are many, short-lived and own nothing
// (upstream ignores them too).
var ignoredResources = map[string]bool{"events": true, "events.events.k8s.io": true}

// resourceSet is what discovery told the collector: the resources it watches, and every
// served kind by group and kind (to find an owner from its reference).
type resourceSet struct {
	monitored []apiResource
	byKind    map[string]apiResource // "apps/Deployment", "/Pod"
}

// collectableResources reads discovery documents: a resource is monitored when the
// collector can list, watch and delete it. Subresources are skipped.
func collectableResources(lists []metav1.APIResourceList) resourceSet {
	set := resourceSet{byKind: map[string]apiResource{}}
	for _, l := range lists {
		group, version, ok := strings.Cut(l.GroupVersion, "/")
		if !ok {
			group, version = "", l.GroupVersion
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") {
				continue
			}
			res := apiResource{
				ResourceInfo: client.ResourceInfo{Group: group, Version: version, Resource: r.Name, Kind: r.Kind, Namespaced: r.Namespaced},
				verbs:        r.Verbs,
			}
			set.byKind[group+"/"+r.Kind] = res
			if ignoredResources[res.GroupResource()] {
				continue
			}
			if slices.Contains(r.Verbs, "list") && slices.Contains(r.Verbs, "watch") && slices.Contains(r.Verbs, "delete") {
				set.monitored = append(set.monitored, res)
			}
		}
	}
	return set
}

// resourceFor finds the served resource of an owner reference's kind. The version of the
// reference does not matter: any served version reaches the same object.
func (s resourceSet) resourceFor(apiVersion, kind string) (apiResource, bool) {
	group, _, ok := strings.Cut(apiVersion, "/")
	if !ok {
		group = ""
	}
	r, found := s.byKind[group+"/"+kind]
	return r, found
}

// monitor watches one resource's metadata and feeds the graph.
type monitor struct {
	res      apiResource
	informer *cache.SharedInformer[metav1.PartialObjectMetadata]
	// synced reports that the graph has seen the resource's initial list.
	synced func() bool
	cancel context.CancelFunc
}

// newMonitor builds (but does not start) an informer over the metadata of res, whose
// changes become graph events.
func (c *Controller) newMonitor(res apiResource) *monitor {
	// A Resource value made on the spot: the collector reads every kind through the same
	// metadata-only type, so these are not declared in client's registry.
	lw := client.New(c.rest, client.Resource[metav1.PartialObjectMetadata]{ResourceInfo: res.ResourceInfo}, "")
	inf := cache.NewSharedInformer[metav1.PartialObjectMetadata](lw, cache.InformerOptions{})
	apiVersion, kind := res.APIVersion(), res.Kind
	reg, _ := inf.AddEventHandler(cache.ResourceEventHandlerFuncs[metav1.PartialObjectMetadata]{
		AddFunc: func(obj *metav1.PartialObjectMetadata) {
			c.applyEvent(event{typ: addEvent, apiVersion: apiVersion, kind: kind, obj: obj})
		},
		UpdateFunc: func(old, obj *metav1.PartialObjectMetadata) {
			c.applyEvent(event{typ: updateEvent, apiVersion: apiVersion, kind: kind, obj: obj, old: old})
		},
		DeleteFunc: func(o any) {
			if obj, ok := cache.DeletedObject[metav1.PartialObjectMetadata](o); ok {
				c.applyEvent(event{typ: deleteEvent, apiVersion: apiVersion, kind: kind, obj: obj})
			}
		},
	})
	return &monitor{res: res, informer: inf, synced: reg.HasSynced}
}

// syncMonitors starts monitors for newly served resources and stops those of resources
// no longer served. It reports the monitors now running.
func (c *Controller) syncMonitors(ctx context.Context, set resourceSet) []*monitor {
	c.monitorsMu.Lock()
	defer c.monitorsMu.Unlock()
	keep := map[string]*monitor{}
	for _, res := range set.monitored {
		key := res.GroupResource()
		if m, ok := c.monitors[key]; ok && m.res.Version == res.Version {
			keep[key] = m
			continue
		}
		m := c.newMonitor(res)
		mctx, cancel := context.WithCancel(ctx)
		m.cancel = cancel
		go m.informer.Run(mctx)
		keep[key] = m
		slog.Debug("garbage collector watching resource", "resource", key, "version", res.Version)
	}
	for key, m := range c.monitors {
		if keep[key] != m {
			m.cancel()
			slog.Info("garbage collector stopped watching resource", "resource", key)
		}
	}
	c.monitors = keep
	out := make([]*monitor, 0, len(keep))
	for _, m := range keep {
		out = append(out, m)
	}
	return out
}

// monitorsSynced reports whether every monitor has listed its resource.
func (c *Controller) monitorsSynced() bool {
	c.monitorsMu.Lock()
	defer c.monitorsMu.Unlock()
	for _, m := range c.monitors {
		if !m.synced() {
			return false
		}
	}
	return true
}
