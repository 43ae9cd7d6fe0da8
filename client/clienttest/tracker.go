package clienttest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

// tracker is the fake's storage: objects per resource, a global revision counter, and the
// history of changes that watches replay. Its caller (Fake) holds the lock.
type tracker struct {
	rv       int64
	objects  map[string]map[string]object // resource key -> "ns/name" -> object
	history  []change
	watchers map[*watcher]struct{}
}

// change is one entry of the history: the object after (and, for updates, before) it.
type change struct {
	rv       int64
	resource string
	typ      string
	obj, old object
}

func newTracker() *tracker {
	return &tracker{objects: map[string]map[string]object{}, watchers: map[*watcher]struct{}{}}
}

// infoFor finds the resource a request names; undeclared resources still work, without a
// Kind in list answers.
func infoFor(req *rest.Request) client.ResourceInfo {
	if info, ok := client.ResourceInfoForResource(resourceKey(req.Group, req.Resource)); ok {
		return info
	}
	return client.ResourceInfo{Group: req.Group, Version: req.Version, Resource: req.Resource, Namespaced: req.Namespace != ""}
}

// serve dispatches a call to the verb's handler.
func (t *tracker) serve(req *rest.Request) ([]byte, error) {
	info := infoFor(req)
	switch req.Verb {
	case rest.VerbGet:
		return t.get(info, req)
	case rest.VerbList:
		return t.list(info, req)
	case rest.VerbCreate:
		return t.create(info, req)
	case rest.VerbUpdate:
		return t.update(info, req)
	case rest.VerbPatch:
		return t.patch(info, req)
	case rest.VerbDelete:
		return t.deleteOne(info, req)
	case rest.VerbDeleteCollection:
		return t.deleteCollection(info, req)
	}
	return nil, fmt.Errorf("clienttest: verb %q is not implemented", req.Verb)
}

// add stores a fixture object as if created.
func (t *tracker) add(info client.ResourceInfo, obj object) error {
	meta := metaOf(obj)
	if str(meta, "name") == "" {
		return fmt.Errorf("fixture %s has no name", info.Kind)
	}
	if info.Namespaced && str(meta, "namespace") == "" {
		meta["namespace"] = "default"
	}
	t.fillServerFields(info, obj)
	key := joinKey(str(meta, "namespace"), str(meta, "name"))
	if _, exists := t.bucket(info)[key]; exists {
		return fmt.Errorf("fixture %s %s added twice", info.Resource, key)
	}
	t.commit(info, metav1.WatchAdded, key, obj, nil)
	return nil
}

func (t *tracker) bucket(info client.ResourceInfo) map[string]object {
	k := info.GroupResource()
	if t.objects[k] == nil {
		t.objects[k] = map[string]object{}
	}
	return t.objects[k]
}

// fillServerFields sets what the API server sets on create, unless a fixture set it.
func (t *tracker) fillServerFields(info client.ResourceInfo, obj object) {
	obj["kind"], obj["apiVersion"] = info.Kind, info.APIVersion()
	if info.Kind == "" {
		delete(obj, "kind")
	}
	meta := metaOf(obj)
	if str(meta, "uid") == "" {
		meta["uid"] = newUID()
	}
	if meta["creationTimestamp"] == nil {
		meta["creationTimestamp"] = metav1.Now()
	}
	if _, hasSpec := obj["spec"]; hasSpec && meta["generation"] == nil {
		meta["generation"] = 1
	}
}

// commit stores obj (or removes it, for DELETED) at a new revision and tells watchers.
func (t *tracker) commit(info client.ResourceInfo, typ, key string, obj, old object) object {
	t.rv++
	metaOf(obj)["resourceVersion"] = strconv.FormatInt(t.rv, 10)
	// Normalize through JSON so stored values have the types a decoder produces.
	obj = deepCopy(obj)
	if typ == metav1.WatchDeleted {
		delete(t.bucket(info), key)
	} else {
		t.bucket(info)[key] = obj
	}
	c := change{rv: t.rv, resource: info.GroupResource(), typ: typ, obj: obj, old: old}
	t.history = append(t.history, c)
	for w := range t.watchers {
		if !w.offer(c) {
			delete(t.watchers, w)
		}
	}
	return obj
}

func (t *tracker) lookup(info client.ResourceInfo, ns, name string) (string, object, error) {
	key := joinKey(ns, name)
	obj, ok := t.bucket(info)[key]
	if !ok {
		return key, nil, rest.NewNotFound(info.Group, info.Resource, name)
	}
	return key, obj, nil
}

func (t *tracker) get(info client.ResourceInfo, req *rest.Request) ([]byte, error) {
	_, obj, err := t.lookup(info, req.Namespace, req.Name)
	if err != nil {
		return nil, err
	}
	switch req.Subresource {
	case "", "status":
		return json.Marshal(obj)
	case "scale":
		return scaleOf(obj)
	}
	return nil, fmt.Errorf("clienttest: get %s/%s is not implemented", info.Resource, req.Subresource)
}

func (t *tracker) list(info client.ResourceInfo, req *rest.Request) ([]byte, error) {
	sel, err := parseSelectors(req.Query)
	if err != nil {
		return nil, rest.NewBadRequest(err.Error())
	}
	keys := make([]string, 0)
	for key, obj := range t.bucket(info) {
		if req.Namespace != "" && str(metaOf(obj), "namespace") != req.Namespace {
			continue
		}
		if sel.matches(obj) {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	// Pagination: the continue token is simply the offset of the next page.
	start, _ := strconv.Atoi(req.Query.Get("continue"))
	start = min(start, len(keys))
	end := len(keys)
	listMeta := object{"resourceVersion": strconv.FormatInt(t.rv, 10)}
	if limit, _ := strconv.Atoi(req.Query.Get("limit")); limit > 0 && start+limit < end {
		end = start + limit
		listMeta["continue"] = strconv.Itoa(end)
	}
	items := make([]object, 0, end-start)
	for _, k := range keys[start:end] {
		items = append(items, t.bucket(info)[k])
	}
	list := object{"apiVersion": info.APIVersion(), "metadata": listMeta, "items": items}
	if info.Kind != "" {
		list["kind"] = info.Kind + "List"
	}
	return json.Marshal(list)
}

func (t *tracker) create(info client.ResourceInfo, req *rest.Request) ([]byte, error) {
	switch {
	case req.Subresource == "binding" && info.Resource == "pods":
		return t.bind(info, req)
	case req.Subresource == "eviction" && info.Resource == "pods":
		if _, err := t.remove(info, req.Namespace, req.Name, metav1.DeleteOptions{}); err != nil {
			return nil, err
		}
		return successStatus(201), nil
	case req.Subresource != "":
		return nil, fmt.Errorf("clienttest: create %s/%s is not implemented", info.Resource, req.Subresource)
	}
	obj, err := decodeObject(req.Body)
	if err != nil {
		return nil, rest.NewBadRequest(err.Error())
	}
	meta := metaOf(obj)
	if ns := str(meta, "namespace"); info.Namespaced && ns != "" && ns != req.Namespace {
		return nil, rest.NewBadRequest("the namespace of the provided object does not match the namespace sent on the request")
	}
	if info.Namespaced {
		meta["namespace"] = req.Namespace
	} else {
		delete(meta, "namespace")
	}
	name := str(meta, "name")
	if name == "" && str(meta, "generateName") != "" {
		for {
			name = str(meta, "generateName") + generateNameSuffix()
			if _, taken := t.bucket(info)[joinKey(req.Namespace, name)]; !taken {
				break
			}
		}
		meta["name"] = name
	}
	if name == "" {
		return nil, rest.NewInvalid(info.Group, info.Kind, "", []metav1.StatusCause{{
			Type: metav1.CauseTypeFieldValueRequired, Field: "metadata.name",
			Message: "Required value: name or generateName is required"}})
	}
	if str(meta, "resourceVersion") != "" {
		// The API server's answer, code and all (no reason).
		return nil, rest.NewStatus(500, metav1.StatusReasonUnknown, "resourceVersion should not be set on objects to be created")
	}
	key := joinKey(str(meta, "namespace"), name)
	if _, exists := t.bucket(info)[key]; exists {
		return nil, rest.NewAlreadyExists(info.Group, info.Resource, name)
	}
	for _, f := range []string{"uid", "creationTimestamp", "deletionTimestamp", "generation"} {
		delete(meta, f) // the server owns these
	}
	t.fillServerFields(info, obj)
	return json.Marshal(t.commit(info, metav1.WatchAdded, key, obj, nil))
}

func (t *tracker) update(info client.ResourceInfo, req *rest.Request) ([]byte, error) {
	obj, err := decodeObject(req.Body)
	if err != nil {
		return nil, rest.NewBadRequest(err.Error())
	}
	if req.Subresource == "scale" {
		return t.updateScale(info, req, obj)
	}
	return t.store(info, req.Namespace, req.Name, req.Subresource, obj)
}

// store applies an update (or a patch's result) under the API server's rules and returns
// the stored object.
func (t *tracker) store(info client.ResourceInfo, ns, name, subresource string, obj object) ([]byte, error) {
	if subresource != "" && subresource != "status" {
		return nil, fmt.Errorf("clienttest: update %s/%s is not implemented", info.Resource, subresource)
	}
	key, old, err := t.lookup(info, ns, name)
	if err != nil {
		return nil, err
	}
	meta, oldMeta := metaOf(obj), metaOf(old)
	if n := str(meta, "name"); n != "" && n != name {
		return nil, rest.NewBadRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", n, name))
	}
	if rv := str(meta, "resourceVersion"); rv != "" && rv != str(oldMeta, "resourceVersion") {
		return nil, rest.NewConflict(info.Group, info.Resource, name,
			errors.New("the object has been modified; please apply your changes to the latest version and try again"))
	}
	var next object
	if subresource == "status" {
		// The status subresource changes the status and nothing else.
		next = deepCopy(old)
		if st, ok := obj["status"]; ok {
			next["status"] = st
		} else {
			delete(next, "status")
		}
	} else {
		// The main resource ignores status changes and server-owned metadata.
		next = obj
		if st, ok := old["status"]; ok {
			next["status"] = st
		} else {
			delete(next, "status")
		}
		for _, f := range []string{"uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace"} {
			if v, ok := oldMeta[f]; ok {
				meta[f] = v
			} else {
				delete(meta, f)
			}
		}
		meta["name"] = name
		next["kind"], next["apiVersion"] = old["kind"], old["apiVersion"]
		if !reflect.DeepEqual(normalize(old["spec"]), normalize(next["spec"])) {
			gen, _ := oldMeta["generation"].(float64)
			meta["generation"] = int64(gen) + 1
		}
	}
	// An object being deleted goes away once its last finalizer is removed.
	nextMeta := metaOf(next)
	if nextMeta["deletionTimestamp"] != nil {
		if fins, _ := nextMeta["finalizers"].([]any); len(fins) == 0 {
			return json.Marshal(t.commit(info, metav1.WatchDeleted, key, next, old))
		}
	}
	return json.Marshal(t.commit(info, metav1.WatchModified, key, next, old))
}

// normalize puts a value through JSON so typed and decoded values compare equal.
func normalize(v any) any {
	raw, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(raw, &out)
	return out
}

func (t *tracker) deleteOne(info client.ResourceInfo, req *rest.Request) ([]byte, error) {
	var opts metav1.DeleteOptions
	if len(req.Body) > 0 {
		if err := json.Unmarshal(req.Body, &opts); err != nil {
			return nil, rest.NewBadRequest(err.Error())
		}
	}
	obj, err := t.remove(info, req.Namespace, req.Name, opts)
	if err != nil {
		return nil, err
	}
	return json.Marshal(obj)
}

// remove deletes one object: at once, or (with finalizers) by marking it for deletion.
func (t *tracker) remove(info client.ResourceInfo, ns, name string, opts metav1.DeleteOptions) (object, error) {
	key, old, err := t.lookup(info, ns, name)
	if err != nil {
		return nil, err
	}
	meta := metaOf(old)
	if p := opts.Preconditions; p != nil {
		if p.UID != nil && *p.UID != str(meta, "uid") {
			return nil, rest.NewConflict(info.Group, info.Resource, name, fmt.Errorf(
				"Precondition failed: UID in precondition: %s, UID in object meta: %s", *p.UID, str(meta, "uid")))
		}
		if p.ResourceVersion != nil && *p.ResourceVersion != str(meta, "resourceVersion") {
			return nil, rest.NewConflict(info.Group, info.Resource, name, fmt.Errorf(
				"Precondition failed: ResourceVersion in precondition: %s, ResourceVersion in object meta: %s",
				*p.ResourceVersion, str(meta, "resourceVersion")))
		}
	}
	if fins, _ := meta["finalizers"].([]any); len(fins) > 0 {
		if meta["deletionTimestamp"] != nil {
			return old, nil // already being deleted
		}
		next := deepCopy(old)
		metaOf(next)["deletionTimestamp"] = metav1.Now()
		metaOf(next)["deletionGracePeriodSeconds"] = 0
		return t.commit(info, metav1.WatchModified, key, next, old), nil
	}
	return t.commit(info, metav1.WatchDeleted, key, deepCopy(old), old), nil
}

func (t *tracker) deleteCollection(info client.ResourceInfo, req *rest.Request) ([]byte, error) {
	var opts metav1.DeleteOptions
	if len(req.Body) > 0 {
		if err := json.Unmarshal(req.Body, &opts); err != nil {
			return nil, rest.NewBadRequest(err.Error())
		}
	}
	sel, err := parseSelectors(req.Query)
	if err != nil {
		return nil, rest.NewBadRequest(err.Error())
	}
	var victims []object
	for _, obj := range t.bucket(info) {
		m := metaOf(obj)
		if (req.Namespace == "" || str(m, "namespace") == req.Namespace) && sel.matches(obj) {
			victims = append(victims, obj)
		}
	}
	items := make([]object, 0, len(victims))
	for _, obj := range victims {
		m := metaOf(obj)
		gone, err := t.remove(info, str(m, "namespace"), str(m, "name"), opts)
		if err != nil {
			return nil, err
		}
		items = append(items, gone)
	}
	list := object{"apiVersion": info.APIVersion(), "metadata": object{}, "items": items}
	if info.Kind != "" {
		list["kind"] = info.Kind + "List"
	}
	return json.Marshal(list)
}

// successStatus is the body of a subresource POST that returns no object.
func successStatus(code int32) []byte {
	raw, _ := json.Marshal(&metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusSuccess, Code: code,
	})
	return raw
}
