package handlers

import (
	"encoding/json"
	"net/http"

	autoscalingv1 "github.com/skiff-k8s/skiff/api/autoscaling/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

// The /scale subresource shows a scalable object (Deployment, ReplicaSet) as an
// autoscaling/v1 Scale: spec.replicas to set, status.replicas and the selector to read.
// kubectl scale and the HorizontalPodAutoscaler use it. Writing a Scale changes only the
// object's spec.replicas, through the object's own update rules.

var scaleTypeMeta = metav1.TypeMeta{Kind: "Scale", APIVersion: "autoscaling/v1"}

// getScale answers GET .../scale.
func (r *Resource) getScale(w http.ResponseWriter, req *http.Request, q *request) error {
	kv, err := r.read(req.Context(), r.key(q.namespace, q.name), q.query.Get("resourceVersion"))
	if err != nil {
		return r.notFoundOr(err, q.name)
	}
	obj, err := r.decode(kv)
	if err != nil {
		return err
	}
	writeValue(w, outputFormat{}, http.StatusOK, r.scaleOf(obj))
	return nil
}

// updateScale answers PUT .../scale with a Scale body.
func (r *Resource) updateScale(w http.ResponseWriter, req *http.Request, q *request) error {
	body, err := readBody(req)
	if err != nil {
		return err
	}
	data, err := bodyJSON(req, body, func() any { return &autoscalingv1.Scale{} })
	if err != nil {
		return err
	}
	return r.writeScale(w, req, q, func(*autoscalingv1.Scale) ([]byte, error) { return data, nil })
}

// patchScale answers PATCH .../scale: the patch applies to the Scale.
func (r *Resource) patchScale(w http.ResponseWriter, req *http.Request, q *request) error {
	apply, err := patchFunc(req, &autoscalingv1.Scale{})
	if err != nil {
		return err
	}
	body, err := readBody(req)
	if err != nil {
		return err
	}
	return r.writeScale(w, req, q, func(cur *autoscalingv1.Scale) ([]byte, error) {
		original, err := json.Marshal(cur)
		if err != nil {
			return nil, err
		}
		patched, err := apply(original, body)
		if err != nil {
			return nil, patchError(err)
		}
		return patched, nil
	})
}

// writeScale sets spec.replicas from the Scale newScale computes from the current one.
func (r *Resource) writeScale(w http.ResponseWriter, req *http.Request, q *request, newScale func(cur *autoscalingv1.Scale) ([]byte, error)) error {
	dry, err := dryRun(q.query, "UpdateOptions")
	if err != nil {
		return err
	}
	res, err := r.guaranteedUpdate(req.Context(), q.namespace, q.name, dry, func(old metav1.Object) (metav1.Object, func(bool), error) {
		data, err := newScale(r.scaleOf(old))
		if err != nil {
			return nil, nil, err
		}
		scale := &autoscalingv1.Scale{}
		if err := (&Resource{}).unmarshalClientJSON(data, scale, scaleTypeMeta); err != nil {
			return nil, nil, err
		}
		if scale.Name != "" && scale.Name != q.name {
			return nil, nil, errBadRequest("the name of the object (%s) does not match the name on the URL (%s)", scale.Name, q.name)
		}
		if rv := scale.ResourceVersion; rv != "" && rv != old.GetObjectMeta().ResourceVersion {
			return nil, nil, errConflict(r.gr, q.name, modifiedMessage)
		}
		if scale.Spec.Replicas < 0 {
			return nil, nil, errInvalid(groupKind{"autoscaling", "Scale"}, q.name, validation.ErrorList{
				validation.Invalid(validation.NewPath("spec", "replicas"), scale.Spec.Replicas, "must be greater than or equal to 0")})
		}
		obj, err := r.copyObject(old)
		if err != nil {
			return nil, nil, err
		}
		r.info.Scale.SetReplicas(obj, scale.Spec.Replicas)
		done, err := r.prepareUpdate(obj, old, false)
		if err != nil {
			return nil, nil, err
		}
		return obj, done, nil
	})
	if err != nil {
		return err
	}
	writeValue(w, outputFormat{}, http.StatusOK, r.scaleOf(res.obj))
	return nil
}

// scaleOf shows obj as a Scale.
func (r *Resource) scaleOf(obj metav1.Object) *autoscalingv1.Scale {
	m := obj.GetObjectMeta()
	spec, status, selector := r.info.Scale.Get(obj)
	s := &autoscalingv1.Scale{
		TypeMeta: scaleTypeMeta,
		ObjectMeta: metav1.ObjectMeta{
			Name: m.Name, Namespace: m.Namespace, UID: m.UID,
			ResourceVersion: m.ResourceVersion, CreationTimestamp: m.CreationTimestamp,
		},
	}
	s.Spec.Replicas = spec
	s.Status.Replicas = status
	s.Status.Selector = selector
	return s
}

// copyObject returns a deep copy of obj, through its stored form.
func (r *Resource) copyObject(obj metav1.Object) (metav1.Object, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	out := r.info.New()
	if err := json.Unmarshal(data, out); err != nil {
		return nil, err
	}
	return out, nil
}

// notFoundOr words a storage "not found" as this resource's 404.
func (r *Resource) notFoundOr(err error, name string) error {
	if isNotFound(err) {
		return errNotFound(r.gr, name)
	}
	return err
}
