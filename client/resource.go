package client

import (
	"fmt"
	"reflect"
	"sync"
)

// ResourceInfo says where a kind lives in the API: its group and version, the plural
// resource name in URLs, the Kind in bodies, and whether objects live in namespaces.
type ResourceInfo struct {
	Group      string
	Version    string
	Resource   string
	Kind       string
	Namespaced bool
}

// APIVersion is the apiVersion field of the kind's objects: "v1" or "apps/v1".
func (r ResourceInfo) APIVersion() string {
	if r.Group == "" {
		return r.Version
	}
	return r.Group + "/" + r.Version
}

// GroupResource is the resource as upstream's messages name it: "pods", "deployments.apps".
func (r ResourceInfo) GroupResource() string {
	if r.Group == "" {
		return r.Resource
	}
	return r.Resource + "." + r.Group
}

// Resource ties a ResourceInfo to the Go type that holds the kind, so a typed client can
// only be built for the type that really lives at that URL.
type Resource[T any] struct {
	ResourceInfo
}

// NewResource declares where the kind T lives and remembers it, so code holding only an
// object (the event recorder, the fake API) can find its kind and resource.
func NewResource[T any](info ResourceInfo) Resource[T] {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	typ := reflect.TypeFor[T]()
	if old, ok := registry.byType[typ]; ok && old != info {
		panic(fmt.Sprintf("client: %v declared twice, as %+v and %+v", typ, old, info))
	}
	registry.byType[typ] = info
	registry.byKind[info.APIVersion()+"/"+info.Kind] = info
	registry.byResource[info.GroupResource()] = info
	registry.typeOf[info.GroupResource()] = typ
	return Resource[T]{info}
}

// registry indexes every declared Resource three ways.
var registry = struct {
	mu         sync.RWMutex
	byType     map[reflect.Type]ResourceInfo
	byKind     map[string]ResourceInfo // "apps/v1/Deployment"
	byResource map[string]ResourceInfo // "deployments.apps"
	typeOf     map[string]reflect.Type // "deployments.apps" -> appsv1.Deployment
}{
	typeOf:     map[string]reflect.Type{},
	byType:     map[reflect.Type]ResourceInfo{},
	byKind:     map[string]ResourceInfo{},
	byResource: map[string]ResourceInfo{},
}

// ResourceInfoFor finds the resource of an object (a *T or T of a declared kind).
func ResourceInfoFor(obj any) (ResourceInfo, bool) {
	typ := reflect.TypeOf(obj)
	if typ != nil && typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	info, ok := registry.byType[typ]
	return info, ok
}

// ResourceInfoForKind finds the resource serving a kind: ("apps/v1", "Deployment") ->
// deployments. The HPA uses it to resolve a scaleTargetRef.
func ResourceInfoForKind(apiVersion, kind string) (ResourceInfo, bool) {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	info, ok := registry.byKind[apiVersion+"/"+kind]
	return info, ok
}

// ResourceInfoForResource finds a declared resource by its group-qualified name ("pods",
// "deployments.apps").
func ResourceInfoForResource(groupResource string) (ResourceInfo, bool) {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	info, ok := registry.byResource[groupResource]
	return info, ok
}

// GoTypeForResource returns the Go type declared for a resource ("deployments.apps"). The
// fake API uses it to read the kinds' patchStrategy tags.
func GoTypeForResource(groupResource string) (reflect.Type, bool) {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	typ, ok := registry.typeOf[groupResource]
	return typ, ok
}
