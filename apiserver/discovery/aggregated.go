package discovery

import (
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/apiserver/registry"
)

// Aggregated discovery (apidiscovery.k8s.io/v2): the whole of /api, or of /apis, in one
// document, so a client learns every group, version and resource in one round trip instead
// of one request per group version. kubectl 1.30+ and client-go ask for it first:
//
//	Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json
//
// The documents say exactly what the legacy ones say (they are built from ResourceList),
// reshaped: subresources nest under their resource, scope replaces namespaced.
// Upstream 1.37 no longer serves v2beta1 (kubectl 1.27 to 1.29 ask for it, then fall back
// to the legacy documents through their "application/json" alternative), nor does Skiff.

// AggregatedMediaType is the Content-Type of aggregated discovery documents.
const AggregatedMediaType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

// APIGroupDiscoveryList is apidiscovery.k8s.io/v2's list of groups.
type APIGroupDiscoveryList struct {
	metav1.TypeMeta `json:",inline"`
	// ListMeta is always written, as an empty object.
	metav1.ListMeta `json:"metadata"`
	Items           []APIGroupDiscovery `json:"items"`
}

// APIGroupDiscovery is one group with its versions, preferred first. The core group has no
// name.
type APIGroupDiscovery struct {
	ObjectMeta GroupMeta             `json:"metadata"`
	Versions   []APIVersionDiscovery `json:"versions,omitempty"`
}

// GroupMeta is the metadata of a group entry: only its name.
type GroupMeta struct {
	Name string `json:"name,omitempty"`
}

// APIVersionDiscovery is one version of a group and its resources, sorted by name.
type APIVersionDiscovery struct {
	Version   string                 `json:"version"`
	Resources []APIResourceDiscovery `json:"resources,omitempty"`
	// Freshness is "Current" for resources served by this server (aggregated API servers
	// can be "Stale").
	Freshness string `json:"freshness,omitempty"`
}

// APIResourceDiscovery is one resource.
type APIResourceDiscovery struct {
	Resource string `json:"resource"`
	// ResponseKind is the kind the resource's endpoints answer with; for a resource its
	// group and version are those of the enclosing entry, so they are left empty.
	ResponseKind     *GroupVersionKind         `json:"responseKind,omitempty"`
	Scope            string                    `json:"scope"` // "Namespaced" or "Cluster"
	SingularResource string                    `json:"singularResource"`
	Verbs            []string                  `json:"verbs"`
	ShortNames       []string                  `json:"shortNames,omitempty"`
	Categories       []string                  `json:"categories,omitempty"`
	Subresources     []APISubresourceDiscovery `json:"subresources,omitempty"`
}

// APISubresourceDiscovery is one subresource (status, scale, binding ...).
type APISubresourceDiscovery struct {
	Subresource  string            `json:"subresource"`
	ResponseKind *GroupVersionKind `json:"responseKind,omitempty"`
	Verbs        []string          `json:"verbs"`
}

// GroupVersionKind names a kind; all three fields are always written.
type GroupVersionKind struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

// AggregatedGroups returns the document of /api (core true: the core group alone) or of
// /apis (every named group, in /apis order).
func AggregatedGroups(resources []*registry.Resource, core bool) APIGroupDiscoveryList {
	l := APIGroupDiscoveryList{
		TypeMeta: metav1.TypeMeta{Kind: "APIGroupDiscoveryList", APIVersion: "apidiscovery.k8s.io/v2"},
		Items:    []APIGroupDiscovery{},
	}
	names := groupNames(resources)
	if core {
		names = nil
		if len(groupVersions(resources, "")) > 0 {
			names = []string{""}
		}
	}
	for _, g := range names {
		entry := APIGroupDiscovery{ObjectMeta: GroupMeta{Name: g}}
		for _, v := range groupVersions(resources, g) {
			rl, _ := ResourceList(resources, g, v)
			entry.Versions = append(entry.Versions, APIVersionDiscovery{
				Version:   v,
				Resources: nestSubresources(rl.APIResources),
				Freshness: "Current",
			})
		}
		l.Items = append(l.Items, entry)
	}
	return l
}

// nestSubresources turns a legacy resource list (subresources as "pods/status" entries,
// sorted by name) into aggregated entries.
func nestSubresources(list []metav1.APIResource) []APIResourceDiscovery {
	var out []APIResourceDiscovery
	index := map[string]int{}
	for _, r := range list {
		parent, sub, isSub := strings.Cut(r.Name, "/")
		if !isSub {
			scope := "Cluster"
			if r.Namespaced {
				scope = "Namespaced"
			}
			index[r.Name] = len(out)
			out = append(out, APIResourceDiscovery{
				Resource:         r.Name,
				ResponseKind:     &GroupVersionKind{Kind: r.Kind},
				Scope:            scope,
				SingularResource: r.SingularName,
				Verbs:            nonNil(r.Verbs),
				ShortNames:       r.ShortNames,
				Categories:       r.Categories,
			})
			continue
		}
		i, ok := index[parent]
		if !ok {
			continue // a subresource of a resource not listed: nothing to attach it to
		}
		out[i].Subresources = append(out[i].Subresources, APISubresourceDiscovery{
			Subresource:  sub,
			ResponseKind: &GroupVersionKind{Group: r.Group, Version: r.Version, Kind: r.Kind},
			Verbs:        nonNil(r.Verbs),
		})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// EnableAggregated makes h answer aggregated discovery requests at /api and /apis. The
// documents are rendered once, as the resources never change while the server runs.
func (h *Handler) EnableAggregated() error {
	var docs [2]aggregatedDoc
	for i, core := range []bool{true, false} {
		body, err := json.Marshal(AggregatedGroups(h.resources, core))
		if err != nil {
			return err
		}
		sum := sha512.Sum512(body)
		docs[i] = aggregatedDoc{body: body, etag: `"` + strings.ToUpper(hex.EncodeToString(sum[:])) + `"`}
	}
	h.Aggregated = func(w http.ResponseWriter, r *http.Request, core bool) bool {
		if !wantsAggregated(r.Header.Get("Accept")) {
			return false
		}
		d := docs[1]
		if core {
			d = docs[0]
		}
		d.serve(w, r)
		return true
	}
	return nil
}

// aggregatedDoc is a rendered document and its entity tag.
type aggregatedDoc struct {
	body []byte
	etag string
}

// serve answers with the document, or 304 Not Modified when the client's cached copy (sent
// back in If-None-Match) is current. Like upstream, clients may cache it (public) per
// Accept header.
func (d aggregatedDoc) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "public")
	h.Set("ETag", d.etag)
	h.Set("Vary", "Accept")
	if r.Header.Get("If-None-Match") == d.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", AggregatedMediaType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(d.body)
}

// wantsAggregated reports whether the first media type of accept that Skiff can serve is
// aggregated discovery (v2, JSON) rather than the legacy document.
func wantsAggregated(accept string) bool {
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "application/json":
			if params["g"] == "" && params["as"] == "" {
				return false // plain JSON first: the legacy document
			}
			if params["g"] == "apidiscovery.k8s.io" && params["v"] == "v2" && params["as"] == "APIGroupDiscoveryList" {
				return true
			}
		case "*/*", "application/*":
			return false
		}
	}
	return false
}
