package handlers

import (
	"errors"
	"mime"
	"net/http"
	"reflect"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
	"github.com/skiff-k8s/skiff/api/patch"
)

// patchMediaTypes are the patch formats, as upstream lists them in a 415.
var patchMediaTypes = []string{
	"application/json-patch+json", "application/merge-patch+json",
	"application/apply-patch+yaml", "application/strategic-merge-patch+json",
}

// patch answers PATCH of an object: the patch is applied to the current object and the
// result goes through the same rules as a PUT (see update). The Content-Type names the
// format:
//   - application/merge-patch+json: RFC 7386, objects merge and lists are replaced;
//   - application/json-patch+json: RFC 6902, a list of operations;
//   - application/strategic-merge-patch+json: Kubernetes' own, where lists of objects
//     merge by a key named in the Go type's tags (containers by name); kubectl apply,
//     edit and patch send it;
//   - application/apply-patch+yaml (server-side apply) is not implemented.
//
// A resourceVersion in the patch is a precondition (409 if stale); without one a patch
// that loses a race with another write is re-applied to the new state.
func (r *Resource) patch(w http.ResponseWriter, req *http.Request, q *request) error {
	return r.patchObject(w, req, q, false)
}

// patchStatus answers PATCH of /status.
func (r *Resource) patchStatus(w http.ResponseWriter, req *http.Request, q *request) error {
	return r.patchObject(w, req, q, true)
}

func (r *Resource) patchObject(w http.ResponseWriter, req *http.Request, q *request, status bool) error {
	format, err := r.api.negotiate(req)
	if err != nil {
		return err
	}
	dry, err := dryRun(q.query, "PatchOptions")
	if err != nil {
		return err
	}
	apply, err := patchFunc(req, r.info.New())
	if err != nil {
		return err
	}
	body, err := readBody(req)
	if err != nil {
		return err
	}
	res, err := r.guaranteedUpdate(req.Context(), q.namespace, q.name, dry, func(old metav1.Object) (metav1.Object, func(bool), error) {
		original, err := r.marshal(old)
		if err != nil {
			return nil, nil, err
		}
		patched, err := apply(original, body)
		if err != nil {
			return nil, nil, patchError(err)
		}
		obj, err := r.decodePatched(patched, q.name)
		if err != nil {
			return nil, nil, err
		}
		if err := r.checkPatchedFields(w, q.query, isStrategic(req), body, patched); err != nil {
			return nil, nil, err
		}
		if err := r.checkNamespace(obj, q.namespace); err != nil {
			return nil, nil, err
		}
		if err := checkName(obj, q.name); err != nil {
			return nil, nil, err
		}
		m := obj.GetObjectMeta()
		switch rv := m.ResourceVersion; {
		case rv == "":
			m.ResourceVersion = old.GetObjectMeta().ResourceVersion
		case rv != old.GetObjectMeta().ResourceVersion:
			return nil, nil, errConflict(r.gr, q.name, modifiedMessage)
		}
		done, err := r.prepareUpdate(obj, old, status)
		if err != nil {
			return nil, nil, err
		}
		return obj, done, nil
	})
	if err != nil {
		return err
	}
	return r.respondWritten(w, format, http.StatusOK, res.obj, res.stored, res.rev, dry)
}

// patchFunc picks the patch algorithm the request's Content-Type names. typed is an
// object of the resource's Go type, whose struct tags drive strategic merge patches.
func patchFunc(req *http.Request, typed any) (func(original, p []byte) ([]byte, error), error) {
	ct := req.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, errUnsupportedMediaType(ct, patchMediaTypes)
	}
	switch mt {
	case "application/merge-patch+json":
		return patch.MergePatch, nil
	case "application/json-patch+json":
		return patch.JSONPatch, nil
	case "application/strategic-merge-patch+json":
		t := reflect.TypeOf(typed)
		return func(original, p []byte) ([]byte, error) { return patch.StrategicMergePatch(original, p, t) }, nil
	case "application/apply-patch+yaml", "application/apply-patch+cbor":
		return nil, errNotImplemented(http.StatusUnsupportedMediaType, "server-side apply (application/apply-patch+yaml)")
	}
	return nil, errUnsupportedMediaType(ct, patchMediaTypes)
}

// isStrategic reports whether the request carries a strategic merge patch.
func isStrategic(req *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	return mt == "application/strategic-merge-patch+json"
}

// patchError turns a patch failure into upstream's answer for it.
func patchError(err error) error {
	var pe *patch.Error
	if !errors.As(err, &pe) {
		return errBadRequest("%v", err)
	}
	switch pe.Code {
	case http.StatusBadRequest:
		return errBadRequest("%s", pe.Message)
	case http.StatusRequestEntityTooLarge:
		se := errRequestTooLarge(maxRequestBodyBytes)
		se.Status.Message = pe.Message
		return se
	case http.StatusUnprocessableEntity:
		// Upstream sends its generic text for this one and drops the detail.
		return newStatusError(http.StatusUnprocessableEntity, metav1.StatusReasonInvalid,
			"the server rejected our request due to an error in our request", &metav1.StatusDetails{})
	}
	return newStatusError(pe.Code, metav1.StatusReasonUnknown, pe.Message, nil)
}

// decodePatched decodes the result of a patch. A result that does not fit the kind's
// schema (a string where a number belongs) is upstream's 422.
func (r *Resource) decodePatched(data []byte, name string) (metav1.Object, error) {
	obj, err := r.decodeJSON(data)
	if err != nil {
		var se *StatusError
		if errors.As(err, &se) && se.Code() == http.StatusBadRequest {
			return nil, errInvalid(r.gk, name, validation.ErrorList{
				validation.Invalid(validation.NewPath("patch"), string(data), se.Status.Message)})
		}
		return nil, err
	}
	return obj, nil
}
