package clienttest

import (
	"encoding/json"
	"fmt"

	"github.com/skiff-k8s/skiff/api/labels"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

// bind serves POST pods/{name}/binding as the API server does: the pod gets spec.nodeName
// and a PodScheduled=True condition, unless it is already bound.
func (t *tracker) bind(info client.ResourceInfo, req *rest.Request) ([]byte, error) {
	binding, err := decodeObject(req.Body)
	if err != nil {
		return nil, rest.NewBadRequest(err.Error())
	}
	name := req.Name
	if name == "" {
		name = str(metaOf(binding), "name")
	}
	target, _ := binding["target"].(object)
	node := str(target, "name")
	if node == "" {
		return nil, rest.NewInvalid("", "Binding", name, []metav1.StatusCause{{
			Type: metav1.CauseTypeFieldValueRequired, Field: "target.name", Message: "Required value"}})
	}
	key, pod, err := t.lookup(info, req.Namespace, name)
	if err != nil {
		return nil, err
	}
	spec, _ := pod["spec"].(object)
	if current := str(spec, "nodeName"); current != "" {
		return nil, rest.NewConflict("", "pods/binding", name,
			fmt.Errorf("pod %s is already assigned to node %q", name, current))
	}
	next := deepCopy(pod)
	if next["spec"] == nil {
		next["spec"] = object{}
	}
	next["spec"].(object)["nodeName"] = node
	status, _ := next["status"].(object)
	if status == nil {
		status = object{}
		next["status"] = status
	}
	conds, _ := status["conditions"].([]any)
	scheduled := object{"type": "PodScheduled", "status": "True", "lastProbeTime": nil, "lastTransitionTime": metav1.Now()}
	replaced := false
	for i, c := range conds {
		if cm, ok := c.(object); ok && cm["type"] == "PodScheduled" {
			conds[i], replaced = scheduled, true
		}
	}
	if !replaced {
		conds = append(conds, scheduled)
	}
	status["conditions"] = conds
	t.commit(info, metav1.WatchModified, key, next, pod)
	return successStatus(201), nil
}

// scaleOf renders the autoscaling/v1 Scale view of a scalable object.
func scaleOf(obj object) ([]byte, error) {
	meta := metaOf(obj)
	spec, _ := obj["spec"].(object)
	status, _ := obj["status"].(object)
	scale := object{
		"kind": "Scale", "apiVersion": "autoscaling/v1",
		"metadata": object{
			"name": meta["name"], "namespace": meta["namespace"], "uid": meta["uid"],
			"resourceVersion": meta["resourceVersion"], "creationTimestamp": meta["creationTimestamp"],
		},
		"spec":   object{},
		"status": object{"replicas": 0},
	}
	if r, ok := spec["replicas"]; ok {
		scale["spec"].(object)["replicas"] = r
	}
	if r, ok := status["replicas"]; ok {
		scale["status"].(object)["replicas"] = r
	}
	if rawSel, ok := spec["selector"]; ok {
		var ls metav1.LabelSelector
		raw, _ := json.Marshal(rawSel)
		if err := json.Unmarshal(raw, &ls); err == nil {
			if sel, err := labels.FromLabelSelector(&ls); err == nil {
				scale["status"].(object)["selector"] = sel.String()
			}
		}
	}
	return json.Marshal(scale)
}

// updateScale serves PUT {resource}/{name}/scale: only spec.replicas changes.
func (t *tracker) updateScale(info client.ResourceInfo, req *rest.Request, scale object) ([]byte, error) {
	_, old, err := t.lookup(info, req.Namespace, req.Name)
	if err != nil {
		return nil, err
	}
	next := deepCopy(old)
	if rv := str(metaOf(scale), "resourceVersion"); rv != "" {
		metaOf(next)["resourceVersion"] = rv
	}
	spec, _ := next["spec"].(object)
	if spec == nil {
		spec = object{}
		next["spec"] = spec
	}
	scaleSpec, _ := scale["spec"].(object)
	replicas, ok := scaleSpec["replicas"]
	if !ok || replicas == nil {
		replicas = 0 // omitted by omitempty: zero replicas
	}
	spec["replicas"] = replicas
	if _, err := t.store(info, req.Namespace, req.Name, "", next); err != nil {
		return nil, err
	}
	_, stored, _ := t.lookup(info, req.Namespace, req.Name)
	return scaleOf(stored)
}
