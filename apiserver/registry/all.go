package registry

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"
)

// All returns every resource the apiserver serves, in discovery order: the core group
// ("" v1, resources sorted by name as upstream lists them), then apps/v1, autoscaling/v2
// (the preferred version) and autoscaling/v1, then coordination.k8s.io/v1. Each call
// returns fresh values, so callers may keep and modify them.
func All() []*Resource {
	return []*Resource{
		configMaps(),
		endpoints(),
		events(),
		namespaces(),
		nodes(),
		pods(),
		secrets(),
		serviceAccounts(),
		services(),

		deployments(),
		replicaSets(),

		horizontalPodAutoscalersV2(),
		horizontalPodAutoscalersV1(),

		leases(),
	}
}

// GroupVersion is "v1" for the core group and "group/version" otherwise, as apiVersion
// fields and discovery spell it.
func (r *Resource) GroupVersion() string {
	if r.Group == "" {
		return r.Version
	}
	return r.Group + "/" + r.Version
}

// StorageVersionHash is the discovery field of the same name: upstream's hash of the
// group/version/kind the resource is stored as (the first 8 bytes of SHA-256, in base64).
// Clients only compare it for equality, to notice storage migrations; both HPA versions
// report the hash of the stored autoscaling/v2 kind.
func (r *Resource) StorageVersionHash() string {
	version := r.Version
	if v, ok := storageVersions[r.Group+"/"+r.Name]; ok {
		version = v
	}
	sum := sha256.Sum256([]byte(r.Group + "/" + version + "/" + r.Kind))
	return base64.StdEncoding.EncodeToString(sum[:8])
}

// storageVersions names the stored version of resources served in several versions.
var storageVersions = map[string]string{
	"autoscaling/horizontalpodautoscalers": "v2",
}

// Verbs of the main resource, in upstream's discovery order.
var (
	verbsAll = []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}
	// Namespaces cannot be deleted as a collection upstream.
	verbsNoDeleteCollection = []string{"create", "delete", "get", "list", "patch", "update", "watch"}
)

func standardVerbs() []string { return slices.Clone(verbsAll) }

// specChanged reports whether two values (usually specs) differ, compared as the JSON the
// API would show. Like upstream's semantic equality, it treats nil and empty as equal where
// the field is omitempty and compares quantities by their canonical form.
func specChanged(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	if errA != nil || errB != nil {
		// Cannot happen for API types; err on the side of "changed" so generation moves.
		return true
	}
	return string(ja) != string(jb)
}
