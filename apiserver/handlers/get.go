package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/apiserver/storage"
)

// get answers GET of one object (and of its /status, which upstream serves as the whole
// object).
//
// resourceVersion says how fresh the answer must be: unset reads etcd (the latest state),
// "0" takes whatever the watch cache holds, and a number N waits until the cache has seen
// N and answers from it.
func (r *Resource) get(w http.ResponseWriter, req *http.Request, q *request) error {
	format, err := r.api.negotiate(req)
	if err != nil {
		return err
	}
	kv, err := r.read(req.Context(), r.key(q.namespace, q.name), q.query.Get("resourceVersion"))
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return errNotFound(r.gr, q.name)
		}
		return err
	}
	return r.respondStored(w, format, http.StatusOK, kv)
}

// read returns the stored key with the freshness resourceVersion asks for.
func (r *Resource) read(ctx context.Context, key, resourceVersion string) (storage.KeyValue, error) {
	if resourceVersion == "" {
		sctx, cancel := context.WithTimeout(ctx, storageTimeout)
		defer cancel()
		return r.api.cfg.Store.Get(sctx, key)
	}
	rv, err := parseResourceVersion(resourceVersion)
	if err != nil {
		return storage.KeyValue{}, err
	}
	cache, err := r.api.watchCache(r.keyPrefix)
	if err != nil {
		return storage.KeyValue{}, err
	}
	if err := r.waitForCache(ctx, cache, rv); err != nil {
		return storage.KeyValue{}, err
	}
	kv, ok, _ := cache.Get(key)
	if !ok {
		return storage.KeyValue{}, storage.ErrNotFound
	}
	return kv, nil
}

// freshnessWait is how long a read at a resourceVersion the cache has not reached waits
// before answering "Too large resource version" (upstream: 3 seconds).
const freshnessWait = 3 * time.Second

// waitForCache blocks until the cache has seen rev (rev 0: no wait).
func (r *Resource) waitForCache(ctx context.Context, cache *storage.WatchCache, rev int64) error {
	if rev == 0 || cache.Revision() >= rev {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, freshnessWait)
	defer cancel()
	if err := cache.WaitForRevision(wctx, rev); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return errTooLargeResourceVersion(rev, cache.Revision())
	}
	return nil
}

// respondStored answers with a stored object in the format the client asked for.
func (r *Resource) respondStored(w http.ResponseWriter, format outputFormat, code int, kv storage.KeyValue) error {
	if format.as == "" {
		body, err := r.objectJSON(kv.Value, kv.ModRevision, true)
		if err != nil {
			return err
		}
		writeJSON(w, format, code, body)
		return nil
	}
	obj, err := r.decode(kv)
	if err != nil {
		return err
	}
	return r.respondObject(w, format, code, obj)
}

// respondObject answers with an object in the format the client asked for.
func (r *Resource) respondObject(w http.ResponseWriter, format outputFormat, code int, obj metav1.Object) error {
	*obj.GetTypeMeta() = r.typeMeta
	var v any = obj
	switch format.as {
	case "Table":
		t := r.renderTable([]metav1.Object{obj}, format, false)
		t.ResourceVersion = obj.GetObjectMeta().ResourceVersion
		v = &t
	case "PartialObjectMetadata":
		v = partialMetadata(obj, format)
	}
	body, err := json.Marshal(v)
	if err != nil {
		return errInternal(err)
	}
	writeJSON(w, format, code, body)
	return nil
}

// renderTable asks the Table renderer for rows of objs.
func (r *Resource) renderTable(objs []metav1.Object, format outputFormat, noHeaders bool) metav1.Table {
	includeObject := format.includeObject
	if includeObject == "" {
		includeObject = "Metadata"
	}
	t := r.api.cfg.RenderTable(r.info.Name, objs, includeObject, noHeaders)
	t.TypeMeta = metav1.TypeMeta{Kind: "Table", APIVersion: "meta.k8s.io/" + format.asVersion}
	if t.Rows == nil {
		t.Rows = []metav1.TableRow{}
	}
	// Watch events after the first carry null column definitions, as upstream's.
	if t.ColumnDefinitions == nil && !noHeaders {
		t.ColumnDefinitions = []metav1.TableColumnDefinition{}
	}
	return t
}

// partialMetadata reduces an object to its metadata (as=PartialObjectMetadata).
func partialMetadata(obj metav1.Object, format outputFormat) *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{
		TypeMeta:   metav1.TypeMeta{Kind: "PartialObjectMetadata", APIVersion: "meta.k8s.io/" + format.asVersion},
		ObjectMeta: *obj.GetObjectMeta(),
	}
}
