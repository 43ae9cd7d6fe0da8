package handlers

import (
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/apiserver/registry"
)

// The optional strategy hooks (registry/hooks.go): admission for the kinds that have it
// upstream, and the reservation of what lives outside the object (Service cluster IPs and
// node ports). Status writes run neither.

// admit runs the strategy's admission, if it has one. old is nil on create.
func (r *Resource) admit(obj, old metav1.Object) error {
	if a, ok := r.info.Strategy.(registry.Admitter); ok {
		return a.Admit(obj, old)
	}
	return nil
}

// reserve runs the strategy's Reserve, if it has one. The returned done is never nil and
// must be called once with whether the object was persisted.
func (r *Resource) reserve(obj, old metav1.Object) (func(stored bool), error) {
	res, ok := r.info.Strategy.(registry.Reserver)
	if !ok {
		return func(bool) {}, nil
	}
	done, err := res.Reserve(obj, old)
	if err != nil {
		return nil, err
	}
	if done == nil {
		done = func(bool) {}
	}
	return done, nil
}

// afterDelete gives back what a deleted object held.
func (r *Resource) afterDelete(obj metav1.Object) {
	if res, ok := r.info.Strategy.(registry.Reserver); ok {
		res.Release(obj)
	}
}
