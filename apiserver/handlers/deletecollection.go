package handlers

import (
	"net/http"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// deleteCollection answers DELETE on a collection: every object the label and field
// selectors match is deleted as a single DELETE would delete it (finalizers, grace periods
// and propagation policy included). The answer is the list of the objects, as each was
// deleted or marked. Like upstream, it is not atomic: objects created meanwhile may stay.
func (r *Resource) deleteCollection(w http.ResponseWriter, req *http.Request, q *request) error {
	format, err := r.api.negotiate(req)
	if err != nil {
		return err
	}
	opts, dry, err := r.parseDeleteOptions(req, q)
	if err != nil {
		return err
	}
	f, err := r.parseFilter(q.query)
	if err != nil {
		return err
	}
	listed, err := r.listFromStore(req.Context(), r.narrowPrefix(q.namespace, f), "", 0, 0, f)
	if err != nil {
		return err
	}
	items := make([]any, 0, len(listed.items))
	for _, kv := range listed.items {
		obj, err := r.decode(kv)
		if err != nil {
			return err
		}
		m := obj.GetObjectMeta()
		res, err := r.deleteObject(req.Context(), m.Namespace, m.Name, opts, dry)
		if se := (*StatusError)(nil); err != nil {
			if asStatus(err, &se) && se.Code() == http.StatusNotFound {
				continue // deleted meanwhile
			}
			return err
		}
		*res.obj.GetTypeMeta() = metav1.TypeMeta{}
		items = append(items, res.obj)
	}
	writeValue(w, format, http.StatusOK, &objectList{
		Kind:       r.listKind,
		APIVersion: r.typeMeta.APIVersion,
		Metadata:   metav1.ListMeta{ResourceVersion: formatRev(listed.rev)},
		Items:      items,
	})
	return nil
}

// objectList is a list of any kind, in upstream's field order.
type objectList struct {
	Kind       string          `json:"kind"`
	APIVersion string          `json:"apiVersion"`
	Metadata   metav1.ListMeta `json:"metadata"`
	Items      []any           `json:"items"`
}
