package handlers

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	apirequest "github.com/skiff-k8s/skiff/apiserver/request"
)

// handlerFunc serves one verb. Returned errors are answered as a Status.
type handlerFunc func(w http.ResponseWriter, r *http.Request, q *request) error

// Install registers every resource's routes on r.
func (a *API) Install(r chi.Router) {
	for _, res := range a.resources {
		res.install(r)
	}
}

// install registers the URLs of one resource, upstream's layout:
//
//	GET    /api/v1/pods                                  list or watch, all namespaces
//	GET    /api/v1/namespaces/{ns}/pods                  list or watch (?watch=true)
//	POST   /api/v1/namespaces/{ns}/pods                  create
//	DELETE /api/v1/namespaces/{ns}/pods                  deletecollection
//	GET    /api/v1/namespaces/{ns}/pods/{name}           get
//	PUT    /api/v1/namespaces/{ns}/pods/{name}           update
//	PATCH  /api/v1/namespaces/{ns}/pods/{name}           patch
//	DELETE /api/v1/namespaces/{ns}/pods/{name}           delete
//	GET|PUT|PATCH .../{name}/status, .../{name}/scale    subresources
//	GET    /api/v1/watch/namespaces/{ns}/pods[/{name}]   the older watch URLs
//
// Cluster-scoped resources drop the /namespaces/{ns} step. Routes for verbs the resource
// does not serve are left out, so those requests get 405 like upstream.
func (res *Resource) install(r chi.Router) {
	info := res.info
	base := "/api/" + info.Version
	if info.Group != "" {
		base = "/apis/" + info.Group + "/" + info.Version
	}
	coll := base + "/" + info.Name
	if info.Namespaced {
		coll = base + "/namespaces/{namespace}/" + info.Name
		if res.allows("list") {
			r.Get(base+"/"+info.Name, res.handle("LIST", "", res.listOrWatch))
		}
		if res.allows("watch") {
			r.Get(base+"/watch/"+info.Name, res.handle("WATCH", "", res.watchHandler))
		}
	}
	item := coll + "/{name}"
	watchColl := base + "/watch" + strings.TrimPrefix(coll, base)

	if res.allows("list") {
		r.Get(coll, res.handle("LIST", "", res.listOrWatch))
	}
	if res.allows("watch") {
		r.Get(watchColl, res.handle("WATCH", "", res.watchHandler))
		r.Get(watchColl+"/{name}", res.handle("WATCH", "", res.watchHandler))
	}
	if res.isBindings() {
		r.Post(coll, res.handle("POST", "", res.createBinding))
	} else if res.allows("create") {
		r.Post(coll, res.handle("POST", "", res.create))
	}
	if res.allows("deletecollection") {
		r.Delete(coll, res.handle("DELETECOLLECTION", "", res.deleteCollection))
	}
	if res.allows("get") {
		r.Get(item, res.handle("GET", "", res.get))
	}
	if res.allows("update") {
		r.Put(item, res.handle("PUT", "", res.update))
	}
	if res.allows("patch") {
		r.Patch(item, res.handle("PATCH", "", res.patch))
	}
	if res.allows("delete") {
		r.Delete(item, res.handle("DELETE", "", res.delete))
	}
	if info.Status {
		r.Get(item+"/status", res.handle("GET", "status", res.get))
		r.Put(item+"/status", res.handle("PUT", "status", res.updateStatus))
		r.Patch(item+"/status", res.handle("PATCH", "status", res.patchStatus))
	}
	if info.Scale != nil {
		r.Get(item+"/scale", res.handle("GET", "scale", res.getScale))
		r.Put(item+"/scale", res.handle("PUT", "scale", res.updateScale))
		r.Patch(item+"/scale", res.handle("PATCH", "scale", res.patchScale))
	}
	if res.isPods() {
		r.Post(item+"/binding", res.handle("POST", "binding", res.bindPod))
		r.Post(item+"/eviction", res.handle("POST", "eviction", res.evictPod))
	}
	if res.isNamespaces() {
		r.Put(item+"/finalize", res.handle("PUT", "finalize", res.finalizeNamespace))
	}
}

// handle wraps a verb: it reads the URL parameters and records what the request is about
// for metrics and logs, then answers any error as a Status.
func (res *Resource) handle(verb, subresource string, fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if res.info.DeprecationWarning != "" {
			// Upstream warns on every request to a deprecated resource; kubectl prints it.
			w.Header().Add("Warning", `299 - "`+res.info.DeprecationWarning+`"`)
		}
		q := &request{
			namespace: chi.URLParam(r, "namespace"),
			name:      chi.URLParam(r, "name"),
			query:     r.URL.Query(),
		}
		if info := apirequest.InfoFrom(r.Context()); info != nil {
			info.Verb = verb
			info.Group = res.info.Group
			info.Version = res.info.Version
			info.Resource = res.info.Name
			info.Subresource = subresource
			info.Namespace = q.namespace
			info.Name = q.name
			switch {
			case q.name != "":
				info.Scope = "resource"
			case q.namespace != "":
				info.Scope = "namespace"
			default:
				info.Scope = "cluster"
			}
			if verb == "WATCH" {
				info.LongRunning = true
			}
		}
		if err := fn(w, r, q); err != nil {
			WriteError(w, err)
		}
	}
}

// markWatch relabels a LIST request that turned out to be a watch (?watch=true).
func markWatch(r *http.Request) {
	if info := apirequest.InfoFrom(r.Context()); info != nil {
		info.Verb = "WATCH"
		info.LongRunning = true
	}
}

func (res *Resource) isPods() bool { return res.info.Group == "" && res.info.Name == "pods" }
func (res *Resource) isNamespaces() bool {
	return res.info.Group == "" && res.info.Name == "namespaces"
}
func (res *Resource) isBindings() bool { return res.info.Group == "" && res.info.Name == "bindings" }
func (res *Resource) isServices() bool { return res.info.Group == "" && res.info.Name == "services" }
