// Package discovery answers the documents clients read to learn what the server serves:
// /api and /api/v1 for the core group, /apis, /apis/<group> and /apis/<group>/<version> for
// the others (upstream's "legacy" discovery, one request per group version). kubectl
// builds its resource list (and its short names like "po" and categories like "all") from
// them; client-go's RESTMapper too.
//
// Promise: the documents are derived from the registry alone, with upstream's field names,
// kinds and orderings (groups by upstream's priority, versions newest stable first,
// resources by name with subresources such as "pods/status" after their parent).
package discovery

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/apiserver/registry"
)

// Handler serves the discovery documents for a fixed set of resources.
type Handler struct {
	resources []*registry.Resource
	// Aggregated, when set, answers the clients whose Accept header asks for aggregated
	// discovery (apidiscovery.k8s.io/v2) at /api (core true) and /apis; it reports whether
	// it answered. Without it those clients get the legacy documents, which they accept too.
	Aggregated func(w http.ResponseWriter, r *http.Request, core bool) bool
}

// New returns a Handler for resources.
func New(resources []*registry.Resource) *Handler {
	return &Handler{resources: resources}
}

// Resources returns the resources the documents describe.
func (h *Handler) Resources() []*registry.Resource { return h.resources }

// ServeAPI answers /api: the versions of the core group.
func (h *Handler) ServeAPI(w http.ResponseWriter, r *http.Request) {
	if h.Aggregated != nil && h.Aggregated(w, r, true) {
		return
	}
	writeDocument(w, http.StatusOK, APIVersions(h.resources, r.Host))
}

// ServeAPIGroupList answers /apis: every named group.
func (h *Handler) ServeAPIGroupList(w http.ResponseWriter, r *http.Request) {
	if h.Aggregated != nil && h.Aggregated(w, r, false) {
		return
	}
	writeDocument(w, http.StatusOK, GroupList(h.resources))
}

// ServeAPIGroup answers /apis/<group>.
func (h *Handler) ServeAPIGroup(w http.ResponseWriter, r *http.Request, group string) {
	g, ok := Group(h.resources, group)
	if !ok {
		writeNotFound(w)
		return
	}
	writeDocument(w, http.StatusOK, g)
}

// ServeResourceList answers /api/v1 (group "") and /apis/<group>/<version>.
func (h *Handler) ServeResourceList(w http.ResponseWriter, r *http.Request, group, version string) {
	l, ok := ResourceList(h.resources, group, version)
	if !ok {
		writeNotFound(w)
		return
	}
	writeDocument(w, http.StatusOK, l)
}

// APIVersions is the /api document. serverAddress is where clients reach the server.
func APIVersions(resources []*registry.Resource, serverAddress string) metav1.APIVersions {
	versions := groupVersions(resources, "")
	if versions == nil {
		versions = []string{}
	}
	return metav1.APIVersions{
		TypeMeta: metav1.TypeMeta{Kind: "APIVersions"},
		Versions: versions,
		ServerAddressByClientCIDRs: []metav1.ServerAddressByClientCIDR{
			{ClientCIDR: "0.0.0.0/0", ServerAddress: serverAddress},
		},
	}
}

// GroupList is the /apis document.
func GroupList(resources []*registry.Resource) metav1.APIGroupList {
	l := metav1.APIGroupList{TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"}, Groups: []metav1.APIGroup{}}
	for _, name := range groupNames(resources) {
		g, _ := Group(resources, name)
		g.TypeMeta = metav1.TypeMeta{}
		l.Groups = append(l.Groups, g)
	}
	return l
}

// Group is the /apis/<group> document.
func Group(resources []*registry.Resource, name string) (metav1.APIGroup, bool) {
	if name == "" {
		return metav1.APIGroup{}, false
	}
	versions := groupVersions(resources, name)
	if len(versions) == 0 {
		return metav1.APIGroup{}, false
	}
	g := metav1.APIGroup{TypeMeta: metav1.TypeMeta{Kind: "APIGroup", APIVersion: "v1"}, Name: name}
	for _, v := range versions {
		g.Versions = append(g.Versions, metav1.GroupVersionForDiscovery{GroupVersion: name + "/" + v, Version: v})
	}
	g.PreferredVersion = g.Versions[0]
	return g, true
}

// ResourceList is the document of one group version: each resource with its verbs and
// names, and its subresources as separate "<resource>/<sub>" entries.
func ResourceList(resources []*registry.Resource, group, version string) (metav1.APIResourceList, bool) {
	gv := version
	tm := metav1.TypeMeta{Kind: "APIResourceList"}
	if group != "" {
		gv = group + "/" + version
		tm.APIVersion = "v1"
	}
	l := metav1.APIResourceList{TypeMeta: tm, GroupVersion: gv, APIResources: []metav1.APIResource{}}
	found := false
	for _, r := range resources {
		if r.Group != group || r.Version != version {
			continue
		}
		found = true
		l.APIResources = append(l.APIResources, apiResources(r)...)
	}
	if !found {
		return l, false
	}
	slices.SortStableFunc(l.APIResources, func(a, b metav1.APIResource) int { return strings.Compare(a.Name, b.Name) })
	return l, true
}

// apiResources describes r and its subresources.
func apiResources(r *registry.Resource) []metav1.APIResource {
	verbs := r.Verbs
	if verbs == nil {
		verbs = []string{}
	}
	out := []metav1.APIResource{{
		Name:               r.Name,
		SingularName:       r.SingularName,
		Namespaced:         r.Namespaced,
		Kind:               r.Kind,
		Verbs:              verbs,
		ShortNames:         r.ShortNames,
		Categories:         r.Categories,
		StorageVersionHash: r.StorageVersionHash(),
	}}
	sub := func(name, group, version, kind string, verbs ...string) {
		out = append(out, metav1.APIResource{
			Name: r.Name + "/" + name, Namespaced: r.Namespaced,
			Group: group, Version: version, Kind: kind, Verbs: verbs,
		})
	}
	if r.Status {
		sub("status", "", "", r.Kind, "get", "patch", "update")
	}
	if r.Scale != nil {
		sub("scale", "autoscaling", "v1", "Scale", "get", "patch", "update")
	}
	if r.Group == "" && r.Name == "pods" {
		sub("binding", "", "", "Binding", "create")
		sub("eviction", "policy", "v1", "Eviction", "create")
	}
	if r.Group == "" && r.Name == "namespaces" {
		sub("finalize", "", "", "Namespace", "update")
	}
	out = append(out, kubeletSubresources(r)...)
	return out
}

// groupVersions lists a group's versions, preferred first.
func groupVersions(resources []*registry.Resource, group string) []string {
	var versions []string
	for _, r := range resources {
		if r.Group == group && !slices.Contains(versions, r.Version) {
			versions = append(versions, r.Version)
		}
	}
	sort.SliceStable(versions, func(i, j int) bool { return VersionPriority(versions[i]) > VersionPriority(versions[j]) })
	return versions
}

// groupOrder is upstream's priority order of the built-in groups in /apis; other groups
// follow alphabetically.
var groupOrder = []string{
	"apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io",
	"authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io",
	"networking.k8s.io", "policy", "rbac.authorization.k8s.io", "storage.k8s.io",
	"admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io",
	"coordination.k8s.io", "node.k8s.io", "discovery.k8s.io", "flowcontrol.apiserver.k8s.io",
	"resource.k8s.io",
}

func groupNames(resources []*registry.Resource) []string {
	var names []string
	for _, r := range resources {
		if r.Group != "" && !slices.Contains(names, r.Group) {
			names = append(names, r.Group)
		}
	}
	rank := func(g string) int {
		if i := slices.Index(groupOrder, g); i >= 0 {
			return i
		}
		return len(groupOrder)
	}
	sort.SliceStable(names, func(i, j int) bool {
		ri, rj := rank(names[i]), rank(names[j])
		if ri != rj {
			return ri < rj
		}
		return names[i] < names[j]
	})
	return names
}

var versionRE = regexp.MustCompile(`^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$`)

// VersionPriority orders API versions as upstream does: stable before beta before alpha,
// and within each, higher numbers first (v2 > v1 > v2beta1 > v1beta2 > v1alpha1). Versions
// not in that form sort last.
func VersionPriority(v string) int {
	m := versionRE.FindStringSubmatch(v)
	if m == nil {
		return 0
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[3])
	level := 3
	switch m[2] {
	case "beta":
		level = 2
	case "alpha":
		level = 1
	}
	return level*1_000_000 + major*1000 + minor
}

func writeDocument(w http.ResponseWriter, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// writeNotFound is upstream's 404 for a group or version that does not exist.
func writeNotFound(w http.ResponseWriter) {
	writeDocument(w, http.StatusNotFound, metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure,
		Message:  "the server could not find the requested resource",
		Reason:   metav1.StatusReasonNotFound,
		Details:  &metav1.StatusDetails{},
		Code:     http.StatusNotFound,
	})
}
