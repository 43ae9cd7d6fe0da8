package clienttest

import (
	"encoding/json"
	"errors"
	"fmt"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/patch"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

// patch serves PATCH: apply the patch to the stored object with the same engine the
// apiserver uses (api/patch), then store the result under the same rules as an update
// (status ignored on the main resource, and so on).
func (t *tracker) patch(info client.ResourceInfo, req *rest.Request) ([]byte, error) {
	if req.Subresource != "" && req.Subresource != "status" {
		return nil, fmt.Errorf("clienttest: patch %s/%s is not implemented", info.Resource, req.Subresource)
	}
	_, old, err := t.lookup(info, req.Namespace, req.Name)
	if err != nil {
		return nil, err
	}
	original, err := json.Marshal(old)
	if err != nil {
		return nil, err
	}
	var patched []byte
	switch client.PatchType(req.ContentType) {
	case client.MergePatchType:
		patched, err = patch.MergePatch(original, req.Body)
	case client.JSONPatchType:
		patched, err = patch.JSONPatch(original, req.Body)
	case client.StrategicMergePatchType:
		typ, ok := client.GoTypeForResource(info.GroupResource())
		if !ok {
			// As the API server answers for kinds without Go struct tags (custom resources).
			return nil, rest.NewStatus(415, metav1.StatusReasonUnsupportedMediaType, fmt.Sprintf(
				"the body of the request was in an unknown format - accepted media types include: %s, %s",
				client.JSONPatchType, client.MergePatchType))
		}
		patched, err = patch.StrategicMergePatch(original, req.Body, typ)
	default:
		return nil, fmt.Errorf("clienttest: patch type %q is not implemented", req.ContentType)
	}
	if err != nil {
		return nil, patchError(err)
	}
	obj, err := decodeObject(patched)
	if err != nil {
		return nil, rest.NewBadRequest("the patch did not produce an object")
	}
	return t.store(info, req.Namespace, req.Name, req.Subresource, obj)
}

// patchError answers a patch failure with the status the apiserver would send: the code
// the engine names, reason Invalid for a JSON patch that does not apply (422).
func patchError(err error) error {
	var pe *patch.Error
	if !errors.As(err, &pe) {
		return rest.NewBadRequest(err.Error())
	}
	switch pe.Code {
	case 400:
		return rest.NewBadRequest(pe.Message)
	case 422:
		return rest.NewStatus(422, metav1.StatusReasonInvalid, "the server rejected our request due to an error in our request")
	}
	return rest.NewStatus(int32(pe.Code), metav1.StatusReasonUnknown, pe.Message)
}
