package handlers

import (
	"net/url"
	"slices"

	"github.com/skiff-k8s/skiff/api/fields"
	"github.com/skiff-k8s/skiff/api/labels"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// filter is a request's labelSelector and fieldSelector. A nil selector selects everything,
// so the common unfiltered list never decodes objects.
type filter struct {
	label labels.Selector
	field fields.Selector
}

// parseFilter reads the selectors of a list, watch or deletecollection. Field names are
// checked against what the kind supports: metadata.name, metadata.namespace and the
// resource's FieldLabels.
func (r *Resource) parseFilter(q url.Values) (filter, error) {
	var f filter
	if s := q.Get("labelSelector"); s != "" {
		sel, err := labels.Parse(s)
		if err != nil {
			return f, errBadRequest("%v", err)
		}
		if !sel.Empty() {
			f.label = sel
		}
	}
	if s := q.Get("fieldSelector"); s != "" {
		sel, err := fields.ParseSelector(s)
		if err != nil {
			return f, errBadRequest("%v", err)
		}
		if err := r.checkFieldSelector(sel); err != nil {
			return f, err
		}
		if !sel.Empty() {
			f.field = sel
		}
	}
	return f, nil
}

// checkFieldSelector refuses fields the kind cannot select on, in upstream's words: kinds
// with field labels of their own (pods, nodes, services, secrets ...) say "field label not
// supported", every other kind gives the generic metadata-only message.
func (r *Resource) checkFieldSelector(sel fields.Selector) error {
	if r.info.FieldLabels != nil {
		if err := fields.CheckSupported(sel, r.fieldNames()...); err != nil {
			return errBadRequest("%v", err)
		}
		return nil
	}
	for _, req := range sel.Requirements() {
		if req.Field != "metadata.name" && req.Field != "metadata.namespace" {
			return errBadRequest("%q is not a known field selector: only %q, %q", req.Field, "metadata.name", "metadata.namespace")
		}
	}
	return nil
}

// fieldNames lists the fields a field selector may use on this resource.
func (r *Resource) fieldNames() []string {
	names := []string{"metadata.name", "metadata.namespace"}
	if r.info.FieldLabels != nil {
		for k := range r.info.FieldLabels(r.info.New()) {
			if !slices.Contains(names, k) {
				names = append(names, k)
			}
		}
	}
	return names
}

func (f filter) empty() bool { return f.label == nil && f.field == nil }

// matches reports whether obj passes both selectors.
func (r *Resource) matches(f filter, obj metav1.Object) bool {
	m := obj.GetObjectMeta()
	if f.label != nil && !f.label.Matches(labels.Set(m.Labels)) {
		return false
	}
	if f.field != nil {
		set := fields.Set{"metadata.name": m.Name, "metadata.namespace": m.Namespace}
		if r.info.FieldLabels != nil {
			for k, v := range r.info.FieldLabels(obj) {
				set[k] = v
			}
		}
		if !f.field.Matches(set) {
			return false
		}
	}
	return true
}

// matchesStored decodes a stored value (only when there is a selector) and matches it.
func (r *Resource) matchesStored(f filter, value []byte, rev int64) (bool, error) {
	if f.empty() {
		return true, nil
	}
	obj, err := r.decodeAt(value, rev)
	if err != nil {
		return false, err
	}
	return r.matches(f, obj), nil
}

// narrowPrefix returns the smallest key prefix that holds every object the request and its
// field selector can select: one namespace, or a single key when the name is pinned too
// (kubectl get pod x --watch asks for metadata.name=x).
func (r *Resource) narrowPrefix(namespace string, f filter) string {
	if f.field != nil && r.info.Namespaced && namespace == "" {
		if ns, ok := f.field.RequiresExactMatch("metadata.namespace"); ok {
			namespace = ns
		}
	}
	if f.field != nil && (namespace != "" || !r.info.Namespaced) {
		if name, ok := f.field.RequiresExactMatch("metadata.name"); ok && name != "" {
			return r.key(namespace, name)
		}
	}
	return r.collectionPrefix(namespace)
}
