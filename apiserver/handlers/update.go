package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/apiserver/storage"
)

// update answers PUT of an object: the body replaces the stored object.
//
// A body with a resourceVersion must match the stored one (else 409 Conflict, "the object
// has been modified"); without one the update is unconditional and is retried internally
// until it applies. The kind's strategy keeps what a PUT may not change (status, the
// system fields) and validates the change (422). A PUT that changes nothing writes
// nothing: the resourceVersion stays and watchers see no event. Kinds whose strategy
// allows it (Leases, Endpoints, Events) are created by a PUT when missing (201).
func (r *Resource) update(w http.ResponseWriter, req *http.Request, q *request) error {
	return r.replace(w, req, q, false)
}

// updateStatus answers PUT of /status: like update, but only status may change.
func (r *Resource) updateStatus(w http.ResponseWriter, req *http.Request, q *request) error {
	return r.replace(w, req, q, true)
}

func (r *Resource) replace(w http.ResponseWriter, req *http.Request, q *request, status bool) error {
	format, err := r.api.negotiate(req)
	if err != nil {
		return err
	}
	dry, err := dryRun(q.query, "UpdateOptions")
	if err != nil {
		return err
	}
	body, err := readBody(req)
	if err != nil {
		return err
	}
	data, err := bodyJSON(req, body, r.newObjectOf())
	if err != nil {
		return err
	}
	first, err := r.decodeJSON(data)
	if err != nil {
		return err
	}
	if err := r.checkFields(w, q.query, "UpdateOptions", data); err != nil {
		return err
	}
	if err := r.checkNamespace(first, q.namespace); err != nil {
		return err
	}
	if err := checkName(first, q.name); err != nil {
		return err
	}

	// The update function runs once per attempt; each attempt needs its own copy of the
	// client's object, since preparing it for the update changes it.
	next := first
	apply := func(old metav1.Object) (metav1.Object, func(bool), error) {
		obj := next
		next = nil
		if obj == nil {
			var err error
			if obj, err = r.decodeJSON(data); err != nil {
				return nil, nil, err
			}
			_ = r.checkNamespace(obj, q.namespace)
			_ = checkName(obj, q.name)
		}
		m := obj.GetObjectMeta()
		switch rv := m.ResourceVersion; {
		case rv == "":
			// Unconditional: update whatever is stored now.
			m.ResourceVersion = old.GetObjectMeta().ResourceVersion
		case rv != old.GetObjectMeta().ResourceVersion:
			return nil, nil, errConflict(r.gr, q.name, modifiedMessage)
		}
		done, err := r.prepareUpdate(obj, old, status)
		if err != nil {
			return nil, nil, err
		}
		return obj, done, nil
	}
	res, err := r.guaranteedUpdate(req.Context(), q.namespace, q.name, dry, apply)
	if se := (*StatusError)(nil); errors.As(err, &se) && se.Code() == http.StatusNotFound &&
		!status && r.info.Strategy.AllowCreateOnUpdate() {
		obj, derr := r.decodeJSON(data)
		if derr != nil {
			return derr
		}
		_ = r.checkNamespace(obj, q.namespace)
		_ = checkName(obj, q.name)
		obj.GetObjectMeta().ResourceVersion = ""
		stored, rev, err := r.createObject(req.Context(), obj, dry)
		if err != nil {
			return err
		}
		return r.respondWritten(w, format, http.StatusCreated, obj, stored, rev, dry)
	}
	if err != nil {
		return err
	}
	return r.respondWritten(w, format, http.StatusOK, res.obj, res.stored, res.rev, dry)
}

// prepareUpdate applies upstream's update rules to obj, the client's new state of old:
// defaults, the kind's admission and reservations (not for status), the fields no update
// may change (uid, creationTimestamp, generation, the deletion fields), the kind's
// strategy (main resource or status), and validation. The returned done must be called
// with whether the result was written.
func (r *Resource) prepareUpdate(obj, old metav1.Object, status bool) (func(stored bool), error) {
	strategy := r.info.Strategy
	m, om := obj.GetObjectMeta(), old.GetObjectMeta()
	strategy.Default(obj)
	done := func(bool) {}
	if !status {
		if err := r.admit(obj, old); err != nil {
			return nil, err
		}
		var err error
		if done, err = r.reserve(obj, old); err != nil {
			return nil, err
		}
	}
	m.Generation = om.Generation
	if status {
		strategy.PrepareForStatusUpdate(obj, old)
	} else {
		strategy.PrepareForUpdate(obj, old)
	}
	if m.UID == "" {
		m.UID = om.UID
	}
	if !om.CreationTimestamp.IsZero() {
		m.CreationTimestamp = om.CreationTimestamp
	}
	// Only a delete sets the deletion fields.
	m.DeletionTimestamp = om.DeletionTimestamp
	m.DeletionGracePeriodSeconds = om.DeletionGracePeriodSeconds
	errs := strategy.ValidateUpdate(obj, old)
	if status {
		errs = strategy.ValidateStatusUpdate(obj, old)
	}
	if len(errs) > 0 {
		done(false)
		return nil, errInvalid(r.gk, m.Name, errs)
	}
	return done, nil
}

// updateResult is what a guaranteedUpdate wrote.
type updateResult struct {
	obj    metav1.Object
	stored []byte
	rev    int64
	// deleted is set when the update removed the last finalizer of an object that was
	// being deleted, so the object is gone.
	deleted bool
	// written is false when nothing was stored: a dry run, or no change.
	written bool
}

// updateFunc computes an object's new state from its current one. old is a fresh copy
// that the function may read but must not return; returning an error aborts the update.
// done, if not nil, is told whether the new state was written (see prepareUpdate).
type updateFunc func(old metav1.Object) (obj metav1.Object, done func(stored bool), err error)

// guaranteedUpdate reads the object, lets apply compute the new state, and writes it only
// if nobody wrote in between (etcd compares the mod revision); otherwise it starts over
// with the fresh state. This is how every change to an existing object is made.
//
// A new state identical to the stored one is not written. A new state without finalizers
// for an object whose deletion was only waiting for them deletes it.
func (r *Resource) guaranteedUpdate(ctx context.Context, namespace, name string, dry bool, apply updateFunc) (updateResult, error) {
	ctx, cancel := context.WithTimeout(ctx, storageTimeout)
	defer cancel()
	key := r.key(namespace, name)
	store := r.api.cfg.Store
	for {
		kv, err := store.Get(ctx, key)
		if errors.Is(err, storage.ErrNotFound) {
			return updateResult{}, errNotFound(r.gr, name)
		}
		if err != nil {
			return updateResult{}, err
		}
		old, err := r.decode(kv)
		if err != nil {
			return updateResult{}, err
		}
		obj, done, err := apply(old)
		if err != nil {
			return updateResult{}, err
		}
		if done == nil {
			done = func(bool) {}
		}
		res, retry, err := r.writeUpdate(ctx, key, kv, old, obj, dry)
		done(err == nil && !retry && res.written)
		if retry {
			continue
		}
		return res, err
	}
}

// writeUpdate stores obj as the new state of key, whose current state is kv (decoded as
// old). retry reports a conflict: someone wrote in between.
func (r *Resource) writeUpdate(ctx context.Context, key string, kv storage.KeyValue, old, obj metav1.Object, dry bool) (res updateResult, retry bool, err error) {
	store := r.api.cfg.Store
	name := obj.GetObjectMeta().Name
	data, err := r.encode(obj)
	if err != nil {
		return updateResult{}, false, err
	}
	if bytes.Equal(data, kv.Value) {
		obj.GetObjectMeta().ResourceVersion = formatRev(kv.ModRevision)
		return updateResult{obj: obj, stored: kv.Value, rev: kv.ModRevision}, false, nil
	}
	if dry {
		obj.GetObjectMeta().ResourceVersion = formatRev(kv.ModRevision)
		return updateResult{obj: obj, stored: data, rev: kv.ModRevision}, false, nil
	}
	if r.shouldDeleteDuringUpdate(obj, old, data) {
		_, rev, err := store.Delete(ctx, key, kv.ModRevision)
		switch {
		case errors.Is(err, storage.ErrConflict):
			return updateResult{}, true, nil
		case errors.Is(err, storage.ErrNotFound):
			return updateResult{}, false, errNotFound(r.gr, name)
		case err != nil:
			return updateResult{}, false, err
		}
		r.afterDelete(old)
		obj.GetObjectMeta().ResourceVersion = formatRev(rev)
		return updateResult{obj: obj, stored: data, rev: rev, deleted: true, written: true}, false, nil
	}
	rev, err := store.Update(ctx, key, data, kv.ModRevision)
	switch {
	case errors.Is(err, storage.ErrConflict):
		return updateResult{}, true, nil
	case errors.Is(err, storage.ErrNotFound):
		return updateResult{}, false, errNotFound(r.gr, name)
	case err != nil:
		return updateResult{}, false, storageError(err)
	}
	obj.GetObjectMeta().ResourceVersion = formatRev(rev)
	return updateResult{obj: obj, stored: data, rev: rev, written: true}, false, nil
}

// shouldDeleteDuringUpdate is upstream's rule: an object that a delete left waiting for
// its finalizers (deletionTimestamp set, no grace period pending) is deleted by the update
// that removes the last one. A namespace also waits for its spec.finalizers.
func (r *Resource) shouldDeleteDuringUpdate(obj, old metav1.Object, data []byte) bool {
	m, om := obj.GetObjectMeta(), old.GetObjectMeta()
	if len(m.Finalizers) > 0 || om.DeletionTimestamp == nil {
		return false
	}
	if om.DeletionGracePeriodSeconds != nil && *om.DeletionGracePeriodSeconds != 0 {
		return false
	}
	if r.isNamespaces() && len(namespaceSpecFinalizers(data)) > 0 {
		return false
	}
	return true
}

// respondWritten answers with an object just written: from the stored bytes (no second
// encoding) when plain JSON is wanted.
func (r *Resource) respondWritten(w http.ResponseWriter, format outputFormat, code int, obj metav1.Object, stored []byte, rev int64, dry bool) error {
	if format.as != "" || dry || r.info.FromStorage != nil {
		return r.respondObject(w, format, code, obj)
	}
	body, err := r.appendObjectJSON(nil, stored, rev, true)
	if err != nil {
		return err
	}
	writeJSON(w, format, code, body)
	return nil
}

// namespaceSpecFinalizers reads spec.finalizers from a stored Namespace.
func namespaceSpecFinalizers(data []byte) []string {
	var ns struct {
		Spec struct {
			Finalizers []string `json:"finalizers"`
		} `json:"spec"`
	}
	_ = json.Unmarshal(data, &ns)
	return ns.Spec.Finalizers
}
