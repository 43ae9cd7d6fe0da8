package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/apiserver/storage"
)

// listOrWatch serves GET on a collection: a list, or a watch with ?watch=true.
func (r *Resource) listOrWatch(w http.ResponseWriter, req *http.Request, q *request) error {
	opts, err := parseListOptions(q.query)
	if err != nil {
		return err
	}
	if opts.watch {
		markWatch(req)
		return r.watch(w, req, q, opts)
	}
	return r.list(w, req, q, opts)
}

// list answers a list: the matching objects, the revision they were read at, and for a
// paged list (limit) a continue token and how many items remain.
//
// Where the list is read from follows resourceVersion, as upstream:
//   - unset: etcd at its latest revision (limit and continue work);
//   - "0" or resourceVersionMatch=NotOlderThan: the watch cache, once it has seen the
//     given revision (limit is ignored, as upstream's cache does);
//   - resourceVersionMatch=Exact, or a number with a limit: etcd at exactly that revision.
func (r *Resource) list(w http.ResponseWriter, req *http.Request, q *request, opts listOptions) error {
	format, err := r.api.negotiate(req)
	if err != nil {
		return err
	}
	f, err := r.parseFilter(q.query)
	if err != nil {
		return err
	}
	res, err := r.listStored(req.Context(), r.narrowPrefix(q.namespace, f), opts, f)
	if err != nil {
		return err
	}
	return r.respondList(w, format, res)
}

// listResult is one page of a list.
type listResult struct {
	items     []storage.KeyValue
	rev       int64
	cont      string
	remaining *int64
}

// listStored reads the objects under prefix that pass f, from etcd or the watch cache as
// the options say (see list).
func (r *Resource) listStored(ctx context.Context, prefix string, opts listOptions, f filter) (listResult, error) {
	switch {
	case opts.continueToken != "":
		start, rev, err := decodeContinue(opts.continueToken, prefix)
		if err != nil {
			return listResult{}, errBadRequest("%v", err)
		}
		if rev == -1 {
			rev = 0 // an inconsistent continuation reads the latest state
		}
		res, err := r.listFromStore(ctx, prefix, start, rev, opts.limit, f)
		if errors.Is(err, storage.ErrCompacted) {
			se := errExpired(expiredContinueMessage)
			se.Status.Continue = encodeContinue(prefix, start, -1)
			return listResult{}, se
		}
		return res, err
	case opts.resourceVersion == "":
		return r.listFromStore(ctx, prefix, "", 0, opts.limit, f)
	}
	rv, err := parseResourceVersion(opts.resourceVersion)
	if err != nil {
		return listResult{}, err
	}
	exact := opts.resourceVersionMatch == matchExact ||
		(opts.resourceVersionMatch == "" && opts.limit > 0 && rv > 0)
	if exact {
		res, err := r.listFromStore(ctx, prefix, "", rv, opts.limit, f)
		switch {
		case errors.Is(err, storage.ErrCompacted):
			return listResult{}, errExpired("The resourceVersion for the provided list is too old.")
		case errors.Is(err, storage.ErrFutureRevision):
			cur, _ := r.api.cfg.Store.CurrentRevision(ctx)
			return listResult{}, errTooLargeResourceVersion(rv, cur)
		}
		return res, err
	}
	return r.listFromCache(ctx, prefix, rv, f)
}

// listFromStore pages through etcd at revision rev (0: latest) from start, keeping the
// objects that pass f until limit are found (0: all).
func (r *Resource) listFromStore(ctx context.Context, prefix, start string, rev, limit int64, f filter) (listResult, error) {
	ctx, cancel := context.WithTimeout(ctx, storageTimeout)
	defer cancel()
	var res listResult
	opts := storage.ListOptions{Revision: rev, Limit: limit, StartKey: start}
	for {
		page, err := r.api.cfg.Store.List(ctx, prefix, opts)
		if err != nil {
			return listResult{}, err
		}
		res.rev = page.Revision
		opts.Revision = page.Revision
		if f.empty() && res.items == nil {
			res.items = page.Items
		} else {
			for _, kv := range page.Items {
				ok, err := r.matchesStored(f, kv.Value, kv.ModRevision)
				if err != nil {
					return listResult{}, err
				}
				if ok {
					res.items = append(res.items, kv)
				}
			}
		}
		if limit > 0 && int64(len(res.items)) >= limit {
			// Full page: drop what the filter let through beyond the limit and resume
			// after the last key returned.
			cut := res.items[limit-1]
			more := page.More || cut.Key != page.Items[len(page.Items)-1].Key
			res.items = res.items[:limit]
			if more {
				res.cont = encodeContinue(prefix, cut.Key+"\x00", res.rev)
				if f.empty() && page.Remaining > 0 {
					rem := page.Remaining
					res.remaining = &rem
				}
			}
			return res, nil
		}
		if !page.More || len(page.Items) == 0 {
			return res, nil
		}
		opts.StartKey = page.Items[len(page.Items)-1].Key + "\x00"
	}
}

// listFromCache answers from the watch cache once it has seen rev.
func (r *Resource) listFromCache(ctx context.Context, prefix string, rev int64, f filter) (listResult, error) {
	cache, err := r.api.watchCache(r.keyPrefix)
	if err != nil {
		return listResult{}, err
	}
	if err := r.waitForCache(ctx, cache, rev); err != nil {
		return listResult{}, err
	}
	items, crev := cache.List(prefix)
	res := listResult{rev: crev, items: items}
	if !f.empty() {
		res.items = items[:0:0]
		for _, kv := range items {
			ok, err := r.matchesStored(f, kv.Value, kv.ModRevision)
			if err != nil {
				return listResult{}, err
			}
			if ok {
				res.items = append(res.items, kv)
			}
		}
	}
	return res, nil
}

// respondList writes a list in the requested format. The JSON list is assembled from the
// stored bytes directly: a 10,000-item list is never decoded.
func (r *Resource) respondList(w http.ResponseWriter, format outputFormat, res listResult) error {
	rv := strconv.FormatInt(res.rev, 10)
	if format.as != "" {
		objs := make([]metav1.Object, 0, len(res.items))
		for _, kv := range res.items {
			obj, err := r.decode(kv)
			if err != nil {
				return err
			}
			objs = append(objs, obj)
		}
		var v any
		if format.as == "Table" {
			t := r.renderTable(objs, format, false)
			t.ListMeta = metav1.ListMeta{ResourceVersion: rv, Continue: res.cont, RemainingItemCount: res.remaining}
			v = &t
		} else {
			l := &metav1.PartialObjectMetadataList{
				TypeMeta: metav1.TypeMeta{Kind: "PartialObjectMetadataList", APIVersion: "meta.k8s.io/" + format.asVersion},
				ListMeta: metav1.ListMeta{ResourceVersion: rv, Continue: res.cont, RemainingItemCount: res.remaining},
				Items:    make([]metav1.PartialObjectMetadata, 0, len(objs)),
			}
			for _, o := range objs {
				l.Items = append(l.Items, *partialMetadata(o, format))
			}
			v = l
		}
		writeValue(w, format, http.StatusOK, v)
		return nil
	}

	size := 128
	for _, kv := range res.items {
		size += len(kv.Value) + 40
	}
	buf := make([]byte, 0, size)
	buf = append(buf, `{"kind":`...)
	buf = strconv.AppendQuote(buf, r.listKind)
	buf = append(buf, `,"apiVersion":`...)
	buf = strconv.AppendQuote(buf, r.typeMeta.APIVersion)
	meta, _ := json.Marshal(metav1.ListMeta{ResourceVersion: rv, Continue: res.cont, RemainingItemCount: res.remaining})
	buf = append(buf, `,"metadata":`...)
	buf = append(buf, meta...)
	buf = append(buf, `,"items":[`...)
	for i, kv := range res.items {
		if i > 0 {
			buf = append(buf, ',')
		}
		var err error
		if buf, err = r.appendObjectJSON(buf, kv.Value, kv.ModRevision, false); err != nil {
			return err
		}
	}
	buf = append(buf, "]}"...)
	writeJSON(w, format, http.StatusOK, buf)
	return nil
}
