package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/apiserver/storage"
)

// create answers POST on a collection.
//
// The object goes through upstream's create pipeline, in this order:
//  1. decode the body (JSON or YAML) and fill the namespace from the URL;
//  2. Strategy.Default: the kind's defaults;
//  3. the kind's admission and reservations, if it has them (registry/hooks.go: a pod's
//     service account, a Service's cluster IP);
//  4. system fields: a new uid and creationTimestamp; no deletion fields;
//  5. Strategy.PrepareForCreate: drop what clients may not set (status), set server fields;
//  6. generateName: a random 5-character suffix when no name was given;
//  7. Strategy.Validate: 422 Invalid with every field error;
//  8. namespace lifecycle: the namespace must exist (404) and not be terminating (403);
//  9. one etcd create: 409 AlreadyExists if the name is taken.
//
// With dryRun=All everything but the write happens. The answer is 201 with the stored
// object, its resourceVersion the etcd revision of the write.
func (r *Resource) create(w http.ResponseWriter, req *http.Request, q *request) error {
	format, err := r.api.negotiate(req)
	if err != nil {
		return err
	}
	dry, err := dryRun(q.query, "CreateOptions")
	if err != nil {
		return err
	}
	obj, err := r.decodeBody(w, req)
	if err != nil {
		return err
	}
	if err := r.checkNamespace(obj, q.namespace); err != nil {
		return err
	}
	stored, rev, err := r.createObject(req.Context(), obj, dry)
	if err != nil {
		return err
	}
	if format.as != "" || dry {
		return r.respondObject(w, format, http.StatusCreated, obj)
	}
	body, err := r.appendObjectJSON(nil, stored, rev, true)
	if err != nil {
		return err
	}
	writeJSON(w, format, http.StatusCreated, body)
	return nil
}

// createObject runs the create pipeline (see create) on obj and writes it. It returns the
// stored bytes and their revision (0 for a dry run); obj ends up as stored, with its
// resourceVersion set.
func (r *Resource) createObject(ctx context.Context, obj metav1.Object, dry bool) ([]byte, int64, error) {
	m := obj.GetObjectMeta()
	if m.ResourceVersion != "" {
		// Upstream's storage refuses this with the same words (and a 500).
		return nil, 0, errInternal(errors.New("resourceVersion should not be set on objects to be created"))
	}
	strategy := r.info.Strategy
	strategy.Default(obj)
	if err := r.admit(obj, nil); err != nil {
		return nil, 0, err
	}
	done, err := r.reserve(obj, nil)
	if err != nil {
		return nil, 0, err
	}
	stored := false
	defer func() { done(stored) }()

	m.UID = newUID()
	m.CreationTimestamp = metav1.Now()
	m.DeletionTimestamp = nil
	m.DeletionGracePeriodSeconds = nil
	strategy.PrepareForCreate(obj)
	generated := false
	if m.Name == "" && m.GenerateName != "" {
		m.Name = generateName(m.GenerateName)
		generated = true
	}
	if errs := strategy.Validate(obj); len(errs) > 0 {
		return nil, 0, errInvalid(r.gk, m.Name, errs)
	}
	if r.info.Namespaced {
		if err := r.api.admitCreate(ctx, r, m.Namespace, m.Name); err != nil {
			return nil, 0, err
		}
	}
	data, err := r.encode(obj)
	if err != nil {
		return nil, 0, err
	}
	sctx, cancel := context.WithTimeout(ctx, storageTimeout)
	defer cancel()
	if dry {
		// A dry run answers as the real create would, AlreadyExists included.
		if _, err := r.api.cfg.Store.Get(sctx, r.key(m.Namespace, m.Name)); err == nil {
			return nil, 0, errAlreadyExists(r.gr, m.Name)
		} else if !errors.Is(err, storage.ErrNotFound) {
			return nil, 0, storageError(err)
		}
		return data, 0, nil
	}
	for attempt := 1; ; attempt++ {
		rev, err := r.api.cfg.Store.Create(sctx, r.key(m.Namespace, m.Name), data)
		if err == nil {
			stored = true
			m.ResourceVersion = formatRev(rev)
			return data, rev, nil
		}
		if errors.Is(err, storage.ErrAlreadyExists) && generated && attempt < generateNameAttempts {
			// Someone holds the generated name: draw another.
			m.Name = generateName(m.GenerateName)
			if data, err = r.encode(obj); err != nil {
				return nil, 0, err
			}
			continue
		}
		if errors.Is(err, storage.ErrAlreadyExists) {
			return nil, 0, errAlreadyExists(r.gr, m.Name)
		}
		return nil, 0, storageError(err)
	}
}

// CreateObject creates obj in the named resource as a client's POST would (without
// dry run), for the server's own bootstrap objects. It returns the stored object's JSON.
func (a *API) CreateObject(ctx context.Context, group, resource string, obj metav1.Object) ([]byte, error) {
	r := a.resource(group, resource)
	if r == nil {
		return nil, errNotFound(groupResource{group, resource}, "")
	}
	*obj.GetTypeMeta() = r.typeMeta
	stored, rev, err := r.createObject(ctx, obj, false)
	if err != nil {
		return nil, err
	}
	return r.appendObjectJSON(nil, stored, rev, true)
}

// DecodeObject returns an empty object of the named resource filled from JSON, so the
// server can build bootstrap objects without knowing their Go types.
func (a *API) DecodeObject(group, resource string, data []byte) (metav1.Object, error) {
	r := a.resource(group, resource)
	if r == nil {
		return nil, errNotFound(groupResource{group, resource}, "")
	}
	obj := r.info.New()
	if err := json.Unmarshal(data, obj); err != nil {
		return nil, err
	}
	return obj, nil
}
