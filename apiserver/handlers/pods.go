package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

// What upstream's pod storage adds to the generic handlers: graceful deletion, and the
// binding subresource through which the scheduler assigns a pod to a node.

// gracePeriod returns how long a deletion of obj waits, for the kinds deleted gracefully
// (pods), or nil. As upstream's pod strategy: the request's gracePeriodSeconds, else the
// pod's terminationGracePeriodSeconds; but 0 for a pod no node runs (unscheduled) or whose
// containers are done (Succeeded, Failed), and 1 for a negative request.
func (r *Resource) gracePeriod(obj metav1.Object, opts *metav1.DeleteOptions) *int64 {
	pod, ok := obj.(*corev1.Pod)
	if !ok || !r.isPods() {
		return nil
	}
	var period int64
	switch {
	case opts.GracePeriodSeconds != nil:
		period = *opts.GracePeriodSeconds
	case pod.Spec.TerminationGracePeriodSeconds != nil:
		period = *pod.Spec.TerminationGracePeriodSeconds
	}
	if pod.Spec.NodeName == "" || pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		period = 0
	}
	if period < 0 {
		period = 1
	}
	return &period
}

// bindPod answers POST pods/<name>/binding: the scheduler's assignment of a pod to a node.
// It sets spec.nodeName, once: a pod already assigned, or being deleted, is a 409 Conflict.
// The answer is a Success Status (201).
func (r *Resource) bindPod(w http.ResponseWriter, req *http.Request, q *request) error {
	binding, err := decodeBinding(req)
	if err != nil {
		return err
	}
	if binding.Name == "" {
		binding.Name = q.name
	}
	if binding.Name != q.name {
		return errBadRequest("name in URL does not match name in Binding object")
	}
	if binding.Namespace != "" && binding.Namespace != q.namespace {
		return errBadRequest("the namespace of the provided object does not match the namespace sent on the request")
	}
	return r.bind(w, req, q.namespace, binding)
}

// createBinding answers POST namespaces/<ns>/bindings, the older form of the same request:
// the pod is the one the Binding names.
func (r *Resource) createBinding(w http.ResponseWriter, req *http.Request, q *request) error {
	pods := r.api.resource("", "pods")
	if pods == nil {
		return errPathNotFound()
	}
	binding, err := decodeBinding(req)
	if err != nil {
		return err
	}
	if binding.Namespace != "" && binding.Namespace != q.namespace {
		return errBadRequest("the namespace of the provided object does not match the namespace sent on the request")
	}
	return pods.bind(w, req, q.namespace, binding)
}

func decodeBinding(req *http.Request) (*corev1.Binding, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	data, err := bodyJSON(req, body, func() any { return &corev1.Binding{} })
	if err != nil {
		return nil, err
	}
	b := &corev1.Binding{}
	want := metav1.TypeMeta{Kind: "Binding", APIVersion: "v1"}
	if err := (&Resource{}).unmarshalClientJSON(data, b, want); err != nil {
		return nil, err
	}
	return b, nil
}

// bind assigns the pod to binding.Target.
func (r *Resource) bind(w http.ResponseWriter, req *http.Request, namespace string, binding *corev1.Binding) error {
	dry, err := dryRun(req.URL.Query(), "CreateOptions")
	if err != nil {
		return err
	}
	var errs validation.ErrorList
	if binding.Target.Kind != "" && binding.Target.Kind != "Node" {
		errs = append(errs, validation.NotSupported(validation.NewPath("target", "kind"), binding.Target.Kind, []string{"Node", "<empty>"}))
	}
	if binding.Target.Name == "" {
		errs = append(errs, validation.Required(validation.NewPath("target", "name"), ""))
	}
	if len(errs) > 0 {
		return errInvalid(groupKind{"", "Binding"}, binding.Name, errs)
	}
	bindingResource := groupResource{"", "pods/binding"}
	_, err = r.guaranteedUpdate(req.Context(), namespace, binding.Name, dry, func(old metav1.Object) (metav1.Object, func(bool), error) {
		pod, err := r.copyPod(old)
		if err != nil {
			return nil, nil, err
		}
		if pod.DeletionTimestamp != nil {
			return nil, nil, errConflict(bindingResource, binding.Name, fmt.Sprintf("pod %s is being deleted, cannot be assigned to a host", pod.Name))
		}
		if pod.Spec.NodeName != "" {
			return nil, nil, errConflict(bindingResource, binding.Name, fmt.Sprintf("pod %s is already assigned to node %q", pod.Name, pod.Spec.NodeName))
		}
		pod.Spec.NodeName = binding.Target.Name
		for k, v := range binding.Annotations {
			if pod.Annotations == nil {
				pod.Annotations = map[string]string{}
			}
			pod.Annotations[k] = v
		}
		setPodScheduled(pod)
		return pod, nil, nil
	})
	if err != nil {
		return err
	}
	st := successStatus(nil)
	st.Code = http.StatusCreated
	writeValue(w, outputFormat{}, http.StatusCreated, st)
	return nil
}

// setPodScheduled records the assignment in the PodScheduled condition.
func setPodScheduled(pod *corev1.Pod) {
	for i := range pod.Status.Conditions {
		c := &pod.Status.Conditions[i]
		if c.Type == corev1.PodScheduled {
			if c.Status != corev1.ConditionTrue {
				c.Status = corev1.ConditionTrue
				c.LastTransitionTime = metav1.Now()
				c.Reason, c.Message = "", ""
			}
			return
		}
	}
	pod.Status.Conditions = append(pod.Status.Conditions, corev1.PodCondition{
		Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now(),
	})
}

// copyPod returns a copy of a pod the update may change.
func (r *Resource) copyPod(obj metav1.Object) (*corev1.Pod, error) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return nil, errInternal(fmt.Errorf("pods are served with Go type %T, not *corev1.Pod", obj))
	}
	return metav1.DeepCopy(pod), nil
}

// eviction is the policy/v1 Eviction a client posts to pods/<name>/eviction.
type eviction struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	DeleteOptions     *metav1.DeleteOptions `json:"deleteOptions,omitempty" protobuf:"bytes,2,opt,name=deleteOptions"`
}

// evictPod answers POST pods/<name>/eviction (kubectl drain): a delete that would respect
// the pod's PodDisruptionBudgets. Skiff serves no PodDisruptionBudgets, so, as upstream
// does for a pod no budget covers, the eviction is the delete its deleteOptions describe.
// The answer is a Success Status (201).
func (r *Resource) evictPod(w http.ResponseWriter, req *http.Request, q *request) error {
	body, err := readBody(req)
	if err != nil {
		return err
	}
	data, err := bodyJSON(req, body, func() any { return &eviction{} })
	if err != nil {
		return err
	}
	ev := &eviction{}
	want := metav1.TypeMeta{Kind: "Eviction", APIVersion: "policy/v1"}
	if err := json.Unmarshal(data, ev); err != nil {
		return errBadRequest("%v", err)
	}
	if ev.Kind != "" && ev.Kind != want.Kind {
		return errBadRequest("the object provided is unrecognized (must be of type Eviction)")
	}
	if ev.Name != "" && ev.Name != q.name {
		return errBadRequest("name in URL does not match name in Eviction object")
	}
	opts := ev.DeleteOptions
	if opts == nil {
		opts = &metav1.DeleteOptions{}
	}
	dry, err := dryRun(req.URL.Query(), "CreateOptions")
	if err != nil {
		return err
	}
	if _, err := r.deleteObject(req.Context(), q.namespace, q.name, opts, dry || len(opts.DryRun) > 0); err != nil {
		return err
	}
	st := successStatus(nil)
	st.Code = http.StatusCreated
	writeValue(w, outputFormat{}, http.StatusCreated, st)
	return nil
}
