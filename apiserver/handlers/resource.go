package handlers

import (
	"fmt"
	"slices"
	"strconv"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/apiserver/discovery"
	"github.com/skiff-k8s/skiff/apiserver/registry"
)

// Resource serves one registry.Resource in one group version; each verb is a method on it.
type Resource struct {
	api  *API
	info *registry.Resource
	gr   groupResource
	gk   groupKind
	// typeMeta is what objects of this resource say they are on the wire.
	typeMeta metav1.TypeMeta
	listKind string
	// keyPrefix is "<prefix>/<storage name>/": every object's key starts with it.
	keyPrefix string
	// typePrefix is `{"kind":"Pod","apiVersion":"v1",`: prepended to a stored object (which
	// has no kind or apiVersion) to serve it without decoding.
	typePrefix []byte
}

func newResource(a *API, info *registry.Resource) (*Resource, error) {
	if info.Name == "" || info.Kind == "" || info.Version == "" || info.New == nil || info.Strategy == nil {
		return nil, fmt.Errorf("handlers: resource %q/%q is missing its name, kind, version, New or Strategy", info.Group, info.Name)
	}
	storageName := info.StorageName
	if storageName == "" {
		storageName = info.Name
	}
	apiVersion := info.Version
	if info.Group != "" {
		apiVersion = info.Group + "/" + info.Version
	}
	listKind := info.ListKind
	if listKind == "" {
		listKind = info.Kind + "List"
	}
	r := &Resource{
		api:       a,
		info:      info,
		gr:        groupResource{info.Group, info.Name},
		gk:        groupKind{info.Group, info.Kind},
		typeMeta:  metav1.TypeMeta{Kind: info.Kind, APIVersion: apiVersion},
		listKind:  listKind,
		keyPrefix: a.cfg.Prefix + "/" + storageName + "/",
	}
	r.typePrefix = []byte(`{"kind":` + strconv.Quote(info.Kind) + `,"apiVersion":` + strconv.Quote(apiVersion) + `,`)
	return r, nil
}

// key is the etcd key of one object.
func (r *Resource) key(namespace, name string) string {
	if r.info.Namespaced {
		return r.keyPrefix + namespace + "/" + name
	}
	return r.keyPrefix + name
}

// collectionPrefix is the key prefix of a list: one namespace's objects, or all of them.
func (r *Resource) collectionPrefix(namespace string) string {
	if r.info.Namespaced && namespace != "" {
		return r.keyPrefix + namespace + "/"
	}
	return r.keyPrefix
}

// allows reports whether the resource serves verb (as listed in discovery).
func (r *Resource) allows(verb string) bool {
	return slices.Contains(r.info.Verbs, verb)
}

// versionPriority orders API versions as upstream prefers them: GA over beta over alpha,
// higher numbers first (v2 > v1 > v1beta2 > v1beta1 > v1alpha1).
func versionPriority(v string) int { return discovery.VersionPriority(v) }
