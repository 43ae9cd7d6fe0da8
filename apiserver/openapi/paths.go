package openapi

import (
	"reflect"
	"slices"
	"strings"

	autoscalingv1 "github.com/skiff-k8s/skiff/api/autoscaling/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/apiserver/registry"
)

// pathItem is one URL path and what can be done on it.
type pathItem struct {
	path   string
	params []param // apply to every operation of the path
	ops    []operation
}

// operation is one verb on a path, in the form upstream's documents describe it.
type operation struct {
	method       string // "get", "put", "post", "delete", "patch"
	id           string // operationId, "listCoreV1NamespacedPod"
	description  string
	tag          string           // "core_v1"
	action       string           // x-kubernetes-action; "" for discovery
	gvk          GroupVersionKind // zero for discovery
	params       []param
	body         string // definition of the request body, "" without one
	bodyOptional bool
	consumes     []string // request media types; nil means "*/*"
	watch        bool     // the response can be a stream of watch events
	responses    []response
}

// response is one status code's answer; schema is a definition name or "".
type response struct {
	code, description, schema string
}

// param is a path or query parameter.
type param struct {
	name, in, typ, description string
	required                   bool
}

// Media types, as upstream lists them.
var (
	objectMediaTypes = []string{"application/json", "application/yaml", "application/vnd.kubernetes.protobuf"}
	watchMediaTypes  = []string{"application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch"}
	patchMediaTypes  = []string{"application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"}
)

// Parameters shared by many operations.
var (
	pathName      = param{"name", "path", "string", "The name of the object.", true}
	pathNamespace = param{"namespace", "path", "string", "The namespace of the object; objects are unique by name within one.", true}
	queryPretty   = param{"pretty", "query", "string", "If 'true', the output is indented.", false}

	dryRunParam          = param{"dryRun", "query", "string", "When 'All', the request is validated and defaulted but nothing is persisted.", false}
	fieldManagerParam    = param{"fieldManager", "query", "string", "The name of the actor making the change (for server-side apply's field ownership).", false}
	fieldValidationParam = param{"fieldValidation", "query", "string", "What to do with unknown or duplicate fields in the body: 'Ignore' them, 'Warn' about each in a Warning header (the default), or make the request fail ('Strict').", false}
	forceParam           = param{"force", "query", "boolean", "Take ownership of conflicting fields in a server-side apply.", false}

	listParams = []param{
		{"allowWatchBookmarks", "query", "boolean", "Ask for BOOKMARK events, which carry only a resourceVersion, in a watch.", false},
		{"continue", "query", "string", "The token of the previous page of a paged list.", false},
		{"fieldSelector", "query", "string", "Only objects whose fields match, e.g. 'metadata.name=web' or 'spec.nodeName!='.", false},
		{"labelSelector", "query", "string", "Only objects whose labels match, e.g. 'app=web,tier in (a,b)'.", false},
		{"limit", "query", "integer", "The largest number of objects to return; the response then has a continue token if there are more.", false},
		{"resourceVersion", "query", "string", "How fresh the list must be: unset is the latest state, '0' anything cached, a version at least that one.", false},
		{"resourceVersionMatch", "query", "string", "How resourceVersion applies to a list: 'NotOlderThan' or 'Exact'.", false},
		{"sendInitialEvents", "query", "boolean", "Start a watch with ADDED events for every object, ended by a BOOKMARK.", false},
		{"shardSelector", "query", "string", "Only the objects of one shard of the collection.", false},
		{"timeoutSeconds", "query", "integer", "How long a list or watch may take.", false},
		{"watch", "query", "boolean", "Watch for changes instead of listing.", false},
	}
	deleteParams = []param{
		dryRunParam,
		{"gracePeriodSeconds", "query", "integer", "How long the object may take to stop before it is deleted; 0 deletes at once.", false},
		{"ignoreStoreReadErrorWithClusterBreakingPotential", "query", "boolean", "Delete an object that can no longer be read from storage.", false},
		{"orphanDependents", "query", "boolean", "Deprecated: use propagationPolicy. Whether the object's dependents are orphaned.", false},
		{"propagationPolicy", "query", "string", "What happens to the object's dependents: 'Orphan', 'Background' or 'Foreground'.", false},
	}
)

// namesOf are a resource's Go-level names used in operation ids and descriptions.
type namesOf struct {
	groupVersion string // "CoreV1", "AppsV1", "CoordinationV1"
	tag          string // "core_v1"
	gvk          GroupVersionKind
	def          string // the kind's definition
	listDef      string
	namespaced   string // "Namespaced" or ""
}

// groupTitle is a group as operation ids spell it: "Core", "Apps", "Coordination".
func groupTitle(group string) string {
	if group == "" {
		return "Core"
	}
	group = strings.TrimSuffix(group, ".k8s.io")
	var b strings.Builder
	up := true
	for _, r := range group {
		if r == '.' || r == '-' {
			up = true
			continue
		}
		if up {
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// groupTag is a group as operation tags spell it: "core", "apps", "coordination".
func groupTag(group string) string {
	if group == "" {
		return "core"
	}
	t := groupTitle(group)
	return strings.ToLower(t[:1]) + t[1:]
}

func versionTitle(v string) string { return strings.ToUpper(v[:1]) + v[1:] }

// resourcePaths returns the paths of one resource, with the definitions they use.
func resourcePaths(b *builder, r *registry.Resource) []pathItem {
	obj := reflect.TypeOf(r.New()).Elem()
	gvk := GroupVersionKind{Group: r.Group, Version: r.Version, Kind: r.Kind}
	n := namesOf{
		groupVersion: groupTitle(r.Group) + versionTitle(r.Version),
		tag:          groupTag(r.Group) + "_" + r.Version,
		gvk:          gvk,
		def:          b.define(obj),
		listDef:      b.listDefinition(obj, r.ListKind),
	}
	b.registerKind(n.def, gvk)
	b.registerKind(n.listDef, GroupVersionKind{Group: r.Group, Version: r.Version, Kind: r.ListKind})
	status := b.define(reflect.TypeFor[metav1.Status]())
	deleteOptions := b.define(reflect.TypeFor[metav1.DeleteOptions]())
	b.registerKind(status, GroupVersionKind{Version: "v1", Kind: "Status"})
	b.registerKind(deleteOptions, GroupVersionKind{Group: r.Group, Version: r.Version, Kind: "DeleteOptions"})
	watchEvent := b.define(reflect.TypeFor[metav1.WatchEvent]())
	b.registerKind(watchEvent, GroupVersionKind{Group: r.Group, Version: r.Version, Kind: "WatchEvent"})
	b.defs["io.k8s.apimachinery.pkg.apis.meta.v1.Patch"] = &Definition{Name: "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
		Schema: &Schema{Type: "object", Description: "A patch: its format is named by the request's Content-Type."}}

	base := "/api/" + r.Version
	if r.Group != "" {
		base = "/apis/" + r.Group + "/" + r.Version
	}
	coll := base + "/" + r.Name
	var scope []param
	if r.Namespaced {
		n.namespaced = "Namespaced"
		coll = base + "/namespaces/{namespace}/" + r.Name
		scope = []param{pathNamespace}
	}
	item := coll + "/{name}"
	allows := func(verb string) bool { return slices.Contains(r.Verbs, verb) }
	op := func(method, id, action, desc string) operation {
		return operation{method: method, id: id, action: action, description: desc, tag: n.tag, gvk: n.gvk}
	}
	kind := r.Kind
	deleteAnswer := status
	if r.Group == "" && (r.Name == "pods" || r.Name == "services" || r.Name == "serviceaccounts") {
		deleteAnswer = n.def // these return the deleted object, as upstream
	}

	var paths []pathItem
	collection := pathItem{path: coll, params: append(slices.Clone(scope), queryPretty)}
	if allows("list") {
		o := op("get", "list"+n.groupVersion+n.namespaced+kind, "list", "list or watch "+kind+" objects")
		o.params, o.watch = listParams, true
		o.responses = []response{{"200", "OK", n.listDef}, unauthorized}
		collection.ops = append(collection.ops, o)
	}
	if allows("create") {
		o := op("post", "create"+n.groupVersion+n.namespaced+kind, "post", "create a "+kind)
		o.params, o.body = []param{dryRunParam, fieldManagerParam, fieldValidationParam}, n.def
		o.responses = []response{{"200", "OK", n.def}, {"201", "Created", n.def}, {"202", "Accepted", n.def}, unauthorized}
		collection.ops = append(collection.ops, o)
	}
	if allows("deletecollection") {
		o := op("delete", "delete"+n.groupVersion+"Collection"+n.namespaced+kind, "deletecollection", "delete a collection of "+kind+" objects")
		o.params = append(slices.Clone(deleteParams), listParams[1:10]...)
		o.body, o.bodyOptional = deleteOptions, true
		o.responses = []response{{"200", "OK", status}, unauthorized}
		collection.ops = append(collection.ops, o)
	}
	if len(collection.ops) > 0 {
		paths = append(paths, collection)
	}

	one := pathItem{path: item, params: append([]param{pathName}, append(slices.Clone(scope), queryPretty)...)}
	if allows("get") {
		o := op("get", "read"+n.groupVersion+n.namespaced+kind, "get", "read the named "+kind)
		o.responses = []response{{"200", "OK", n.def}, unauthorized}
		one.ops = append(one.ops, o)
	}
	if allows("update") {
		one.ops = append(one.ops, replaceOp(op("put", "replace"+n.groupVersion+n.namespaced+kind, "put", "replace the named "+kind), n.def))
	}
	if allows("delete") {
		o := op("delete", "delete"+n.groupVersion+n.namespaced+kind, "delete", "delete the named "+kind)
		o.params, o.body, o.bodyOptional = deleteParams, deleteOptions, true
		o.responses = []response{{"200", "OK", deleteAnswer}, {"202", "Accepted", deleteAnswer}, unauthorized}
		one.ops = append(one.ops, o)
	}
	if allows("patch") {
		one.ops = append(one.ops, patchOp(op("patch", "patch"+n.groupVersion+n.namespaced+kind, "patch", "partially update the named "+kind), n.def))
	}
	if len(one.ops) > 0 {
		paths = append(paths, one)
	}

	// Subresources.
	sub := func(name string, def string, subGVK GroupVersionKind) {
		title := strings.ToUpper(name[:1]) + name[1:]
		p := pathItem{path: item + "/" + name, params: one.params}
		mk := func(method, verb, action, desc string) operation {
			o := op(method, verb+n.groupVersion+n.namespaced+kind+title, action, desc)
			o.gvk = subGVK
			return o
		}
		get := mk("get", "read", "get", "read "+name+" of the named "+kind)
		get.responses = []response{{"200", "OK", def}, unauthorized}
		p.ops = append(p.ops, get,
			replaceOp(mk("put", "replace", "put", "replace "+name+" of the named "+kind), def),
			patchOp(mk("patch", "patch", "patch", "partially update "+name+" of the named "+kind), def))
		paths = append(paths, p)
	}
	if r.Status {
		sub("status", n.def, n.gvk)
	}
	if r.Scale != nil {
		scale := b.define(reflect.TypeFor[autoscalingv1.Scale]())
		scaleGVK := GroupVersionKind{Group: "autoscaling", Version: "v1", Kind: "Scale"}
		b.registerKind(scale, scaleGVK)
		sub("scale", scale, scaleGVK)
	}
	if r.Group == "" && r.Name == "pods" {
		binding := b.define(reflect.TypeFor[corev1.Binding]())
		bindingGVK := GroupVersionKind{Version: "v1", Kind: "Binding"}
		b.registerKind(binding, bindingGVK)
		o := op("post", "create"+n.groupVersion+n.namespaced+"PodBinding", "post", "bind the named Pod to a node")
		o.gvk, o.body = bindingGVK, binding
		o.responses = []response{{"200", "OK", binding}, {"201", "Created", binding}, {"202", "Accepted", binding}, unauthorized}
		paths = append(paths, pathItem{path: item + "/binding",
			params: append([]param{dryRunParam, fieldManagerParam, fieldValidationParam}, one.params...), ops: []operation{o}})
	}
	if r.Group == "" && r.Name == "namespaces" {
		o := op("put", "replace"+n.groupVersion+"NamespaceFinalize", "put", "replace the finalizers of the named Namespace")
		o.body = n.def
		o.responses = []response{{"200", "OK", n.def}, {"201", "Created", n.def}, unauthorized}
		paths = append(paths, pathItem{path: item + "/finalize",
			params: append([]param{dryRunParam, fieldManagerParam, fieldValidationParam}, one.params...), ops: []operation{o}})
	}

	// Watches: the all-namespaces list and the older /watch/ URLs.
	if allows("list") && r.Namespaced {
		o := op("get", "list"+n.groupVersion+kind+"ForAllNamespaces", "list", "list or watch "+kind+" objects in all namespaces")
		o.watch = true
		o.responses = []response{{"200", "OK", n.listDef}, unauthorized}
		paths = append(paths, pathItem{path: base + "/" + r.Name, params: append(slices.Clone(listParams), queryPretty), ops: []operation{o}})
	}
	if allows("watch") {
		watchBase := base + "/watch" + strings.TrimPrefix(coll, base)
		wl := op("get", "watch"+n.groupVersion+n.namespaced+kind+"List", "watchlist", "watch changes to a list of "+kind+" objects (deprecated: use watch=true on the list)")
		wl.watch = true
		wl.responses = []response{{"200", "OK", watchEvent}, unauthorized}
		paths = append(paths, pathItem{path: watchBase, params: append(append(slices.Clone(listParams), scope...), queryPretty), ops: []operation{wl}})
		w1 := op("get", "watch"+n.groupVersion+n.namespaced+kind, "watch", "watch changes to the named "+kind+" (deprecated: use watch=true with a fieldSelector on the list)")
		w1.watch = true
		w1.responses = []response{{"200", "OK", watchEvent}, unauthorized}
		paths = append(paths, pathItem{path: watchBase + "/{name}", params: append(append(slices.Clone(listParams), pathName), append(slices.Clone(scope), queryPretty)...), ops: []operation{w1}})
		if r.Namespaced {
			wa := op("get", "watch"+n.groupVersion+kind+"ListForAllNamespaces", "watchlist", "watch changes to "+kind+" objects in all namespaces (deprecated: use watch=true on the list)")
			wa.watch = true
			wa.responses = []response{{"200", "OK", watchEvent}, unauthorized}
			paths = append(paths, pathItem{path: base + "/watch/" + r.Name, params: append(slices.Clone(listParams), queryPretty), ops: []operation{wa}})
		}
	}
	return paths
}

var unauthorized = response{"401", "Unauthorized", ""}

func replaceOp(o operation, def string) operation {
	o.params, o.body = []param{dryRunParam, fieldManagerParam, fieldValidationParam}, def
	o.responses = []response{{"200", "OK", def}, {"201", "Created", def}, unauthorized}
	return o
}

func patchOp(o operation, def string) operation {
	o.params = []param{dryRunParam, fieldManagerParam, fieldValidationParam, forceParam}
	o.body, o.consumes = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch", patchMediaTypes
	o.responses = []response{{"200", "OK", def}, {"201", "Created", def}, unauthorized}
	return o
}

// discoveryPaths are the discovery documents' own operations in a group version's document
// (/api/v1/ or /apis/<group>/<version>/).
func discoveryPath(b *builder, group, version string) pathItem {
	base := "/api/" + version + "/"
	if group != "" {
		base = "/apis/" + group + "/" + version + "/"
	}
	list := b.define(reflect.TypeFor[metav1.APIResourceList]())
	b.registerKind(list, GroupVersionKind{Version: "v1", Kind: "APIResourceList"})
	return pathItem{path: base, ops: []operation{{
		method: "get", id: "get" + groupTitle(group) + versionTitle(version) + "APIResources",
		description: "get the resources of the group version", tag: groupTag(group) + "_" + version,
		consumes: objectMediaTypes, responses: []response{{"200", "OK", list}, unauthorized},
	}}}
}
