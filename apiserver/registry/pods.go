package registry

import (
	"fmt"
	"strconv"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

func pods() *Resource {
	return &Resource{
		Version: "v1", Name: "pods", SingularName: "pod", Kind: "Pod", ListKind: "PodList",
		Namespaced: true, ShortNames: []string{"po"}, Categories: []string{"all"},
		Verbs:       standardVerbs(),
		New:         func() metav1.Object { return &corev1.Pod{} },
		Strategy:    podStrategy{},
		FieldLabels: podFieldLabels,
		Status:      true,
	}
}

// podFieldLabels are the fields upstream lets a fieldSelector use on pods. status.podIPs is
// accepted upstream but never filled in its field set, so it always reads as "".
func podFieldLabels(obj metav1.Object) map[string]string {
	pod := obj.(*corev1.Pod)
	podIP := ""
	if len(pod.Status.PodIPs) > 0 {
		podIP = pod.Status.PodIPs[0].IP
	}
	return map[string]string{
		"spec.nodeName":            pod.Spec.NodeName,
		"spec.restartPolicy":       string(pod.Spec.RestartPolicy),
		"spec.schedulerName":       pod.Spec.SchedulerName,
		"spec.serviceAccountName":  pod.Spec.ServiceAccountName,
		"spec.hostNetwork":         strconv.FormatBool(pod.Spec.HostNetwork),
		"status.phase":             string(pod.Status.Phase),
		"status.podIP":             podIP,
		"status.podIPs":            "",
		"status.nominatedNodeName": pod.Status.NominatedNodeName,
	}
}

// podStrategy is upstream's pod strategy plus the default-on admission plugins that change
// pods: ServiceAccount (serviceAccountName "default"), Priority (priority and
// preemptionPolicy from the priority class) and DefaultTolerationSeconds (tolerate
// not-ready/unreachable for 300 s). Their mutations happen in PrepareForCreate/Update, so
// pods get them even where the handler does not call Admit; Admit only refuses.
//
// Not done (deviations): the ServiceAccount plugin's check that the service account exists
// and its projected token volume "kube-api-access-xxxxx"; PriorityClass objects (only the
// two built-in system classes are known); the LimitRanger defaults.
type podStrategy struct{}

// mirrorPodAnnotation marks a kubelet's static pod; the ServiceAccount plugin leaves
// those alone.
const mirrorPodAnnotation = "kubernetes.io/config.mirror"

// The built-in priority classes upstream creates at startup, and their values.
var systemPriorityClasses = map[string]int32{
	"system-node-critical":    2000001000,
	"system-cluster-critical": 2000000000,
}

func (podStrategy) Default(obj metav1.Object) { corev1.DefaultPod(obj.(*corev1.Pod)) }

func (podStrategy) PrepareForCreate(obj metav1.Object) {
	pod := obj.(*corev1.Pod)
	pod.Generation = 1
	pod.Status = corev1.PodStatus{Phase: corev1.PodPending}
	if len(pod.Spec.SchedulingGates) > 0 {
		pod.Status.Conditions = append(pod.Status.Conditions, corev1.PodCondition{
			Type:               corev1.PodScheduled,
			Status:             corev1.ConditionFalse,
			Reason:             corev1.PodReasonSchedulingGated,
			Message:            "Scheduling is blocked due to non-empty scheduling gates",
			LastTransitionTime: metav1.Now(),
		})
	}
	applyMatchLabelKeys(pod)

	// Admission plugins (upstream runs them before the strategy; none reads status).
	if _, mirror := pod.Annotations[mirrorPodAnnotation]; !mirror && pod.Spec.ServiceAccountName == "" {
		pod.Spec.ServiceAccountName = "default"
		pod.Spec.DeprecatedServiceAccount = "default"
	}
	if pod.Spec.PriorityClassName == "" {
		priority := int32(0)
		pod.Spec.Priority = &priority
		policy := corev1.PreemptLowerPriority
		pod.Spec.PreemptionPolicy = &policy
	} else if value, ok := systemPriorityClasses[pod.Spec.PriorityClassName]; ok {
		pod.Spec.Priority = &value
		policy := corev1.PreemptLowerPriority
		pod.Spec.PreemptionPolicy = &policy
	}
	corev1.AddDefaultTolerations(pod)

	pod.Status.QOSClass = corev1.ComputePodQOSClass(pod)
}

// applyMatchLabelKeys folds matchLabelKeys / mismatchLabelKeys of pod (anti-)affinity terms
// and topology spread constraints into their label selectors, using the pod's own label
// values, as upstream does on create (the keys stay for reference).
func applyMatchLabelKeys(pod *corev1.Pod) {
	fold := func(sel *metav1.LabelSelector, keys []string, op string) {
		for _, k := range keys {
			if v, ok := pod.Labels[k]; ok {
				sel.MatchExpressions = append(sel.MatchExpressions,
					metav1.LabelSelectorRequirement{Key: k, Operator: op, Values: []string{v}})
			}
		}
	}
	term := func(t *corev1.PodAffinityTerm) {
		if t.LabelSelector == nil || (len(t.MatchLabelKeys) == 0 && len(t.MismatchLabelKeys) == 0) {
			return
		}
		fold(t.LabelSelector, t.MatchLabelKeys, metav1.LabelSelectorOpIn)
		fold(t.LabelSelector, t.MismatchLabelKeys, metav1.LabelSelectorOpNotIn)
	}
	if a := pod.Spec.Affinity; a != nil {
		if pa := a.PodAffinity; pa != nil {
			for i := range pa.RequiredDuringSchedulingIgnoredDuringExecution {
				term(&pa.RequiredDuringSchedulingIgnoredDuringExecution[i])
			}
			for i := range pa.PreferredDuringSchedulingIgnoredDuringExecution {
				term(&pa.PreferredDuringSchedulingIgnoredDuringExecution[i].PodAffinityTerm)
			}
		}
		if pa := a.PodAntiAffinity; pa != nil {
			for i := range pa.RequiredDuringSchedulingIgnoredDuringExecution {
				term(&pa.RequiredDuringSchedulingIgnoredDuringExecution[i])
			}
			for i := range pa.PreferredDuringSchedulingIgnoredDuringExecution {
				term(&pa.PreferredDuringSchedulingIgnoredDuringExecution[i].PodAffinityTerm)
			}
		}
	}
	for i := range pod.Spec.TopologySpreadConstraints {
		c := &pod.Spec.TopologySpreadConstraints[i]
		if c.LabelSelector != nil && len(c.MatchLabelKeys) > 0 {
			fold(c.LabelSelector, c.MatchLabelKeys, metav1.LabelSelectorOpIn)
		}
	}
}

func (podStrategy) PrepareForUpdate(obj, old metav1.Object) {
	pod, oldPod := obj.(*corev1.Pod), old.(*corev1.Pod)
	pod.Status = oldPod.Status
	// Priority plugin on update: a client that dropped the computed fields keeps them.
	if pod.Spec.Priority == nil {
		pod.Spec.Priority = oldPod.Spec.Priority
	}
	if pod.Spec.PreemptionPolicy == nil {
		pod.Spec.PreemptionPolicy = oldPod.Spec.PreemptionPolicy
	}
	corev1.AddDefaultTolerations(pod)
	pod.Generation = oldPod.Generation
	if specChanged(pod.Spec, oldPod.Spec) {
		pod.Generation++
	}
}

func (podStrategy) PrepareForStatusUpdate(obj, old metav1.Object) {
	pod, oldPod := obj.(*corev1.Pod), old.(*corev1.Pod)
	pod.Spec = oldPod.Spec
	pod.Generation = oldPod.Generation
	pod.DeletionTimestamp = oldPod.DeletionTimestamp
	// Old kubelets corrupted owner references through the status path, so upstream never
	// takes them from it.
	pod.OwnerReferences = oldPod.OwnerReferences
	// The QoS class is fixed at creation; kubelets that drop it must not clear it.
	if pod.Status.QOSClass == "" {
		pod.Status.QOSClass = oldPod.Status.QOSClass
	}
	if pod.Status.ResourceClaimStatuses == nil {
		pod.Status.ResourceClaimStatuses = oldPod.Status.ResourceClaimStatuses
	}
	if pod.Status.ExtendedResourceClaimStatus == nil {
		pod.Status.ExtendedResourceClaimStatus = oldPod.Status.ExtendedResourceClaimStatus
	}
	// Writers unaware of observedGeneration keep the old values (per condition type, in
	// order, since validation allows repeated types).
	if pod.Status.ObservedGeneration == 0 {
		pod.Status.ObservedGeneration = oldPod.Status.ObservedGeneration
	}
	oldGens := map[corev1.PodConditionType][]int64{}
	for _, c := range oldPod.Status.Conditions {
		oldGens[c.Type] = append(oldGens[c.Type], c.ObservedGeneration)
	}
	for i := range pod.Status.Conditions {
		c := &pod.Status.Conditions[i]
		gen := int64(0)
		if gs := oldGens[c.Type]; len(gs) > 0 {
			gen, oldGens[c.Type] = gs[0], gs[1:]
		}
		if c.ObservedGeneration == 0 {
			c.ObservedGeneration = gen
		}
	}
}

func (podStrategy) Validate(obj metav1.Object) validation.ErrorList {
	return validation.ValidatePod(obj.(*corev1.Pod))
}

func (podStrategy) ValidateUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidatePodUpdate(obj.(*corev1.Pod), old.(*corev1.Pod))
}

func (podStrategy) ValidateStatusUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidatePodStatusUpdate(obj.(*corev1.Pod), old.(*corev1.Pod))
}

func (podStrategy) AllowCreateOnUpdate() bool { return false }

// Admit is the refusing half of the Priority plugin: on create, a priorityClassName must
// name a known class, and a client may not set priority or preemptionPolicy to anything
// but what the class says.
func (podStrategy) Admit(obj, old metav1.Object) error {
	if old != nil {
		return nil
	}
	pod := obj.(*corev1.Pod)
	name := pod.Name
	if name == "" {
		name = pod.GenerateName
	}
	priority := int32(0)
	if pod.Spec.PriorityClassName != "" {
		v, ok := systemPriorityClasses[pod.Spec.PriorityClassName]
		if !ok {
			return forbidden("pods", name, fmt.Errorf("no PriorityClass with name %s was found", pod.Spec.PriorityClassName))
		}
		priority = v
	}
	if pod.Spec.Priority != nil && *pod.Spec.Priority != priority {
		return forbidden("pods", name, fmt.Errorf("the integer value of priority (%d) must not be provided in pod spec; priority admission controller computed %d from the given PriorityClass name", *pod.Spec.Priority, priority))
	}
	if p := pod.Spec.PreemptionPolicy; p != nil && *p != corev1.PreemptLowerPriority {
		return forbidden("pods", name, fmt.Errorf("the string value of PreemptionPolicy (%s) must not be provided in pod spec; priority admission controller computed %s from the given PriorityClass name", *p, corev1.PreemptLowerPriority))
	}
	return nil
}

// GracePeriod is upstream's pod CheckGracefulDelete: the client's grace period, else the
// pod's terminationGracePeriodSeconds; 0 (delete now) for pods never scheduled or already
// finished; negative values become 1.
func (podStrategy) GracePeriod(obj metav1.Object, requested *int64) int64 {
	pod := obj.(*corev1.Pod)
	period := int64(0)
	switch {
	case requested != nil:
		period = *requested
	case pod.Spec.TerminationGracePeriodSeconds != nil:
		period = *pod.Spec.TerminationGracePeriodSeconds
	}
	if pod.Spec.NodeName == "" || pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		period = 0
	}
	if period < 0 {
		period = 1
	}
	return period
}

// BindPod applies a Binding (POST pods/<name>/binding) to the stored pod, as upstream's
// binding storage does: the pod must not be terminating, bound or gated; it gets the node,
// the binding's annotations and labels, a True PodScheduled condition, and loses its
// nominated node. The returned error's text is what upstream wraps into 409 Conflict
// `Operation cannot be fulfilled on pods/binding "<name>": <text>`.
func BindPod(pod *corev1.Pod, b *corev1.Binding) error {
	switch {
	case pod.DeletionTimestamp != nil:
		return fmt.Errorf("pod %s is being deleted, cannot be assigned to a host", pod.Name)
	case pod.Spec.NodeName != "":
		return fmt.Errorf("pod %v is already assigned to node %q", pod.Name, pod.Spec.NodeName)
	case len(pod.Spec.SchedulingGates) != 0:
		return fmt.Errorf("pod %v has non-empty .spec.schedulingGates", pod.Name)
	}
	pod.Spec.NodeName = b.Target.Name
	pod.Status.NominatedNodeName = ""
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	for k, v := range b.Annotations {
		pod.Annotations[k] = v
	}
	if len(b.Labels) > 0 && pod.Labels == nil {
		pod.Labels = map[string]string{}
	}
	for k, v := range b.Labels {
		pod.Labels[k] = v
	}
	setPodCondition(&pod.Status, corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionTrue})
	return nil
}

// setPodCondition adds or replaces the condition of c's type; as upstream, the transition
// time only moves when the condition's status changes.
func setPodCondition(status *corev1.PodStatus, c corev1.PodCondition) {
	c.LastTransitionTime = metav1.Now()
	for i := range status.Conditions {
		old := &status.Conditions[i]
		if old.Type != c.Type {
			continue
		}
		if old.Status == c.Status {
			c.LastTransitionTime = old.LastTransitionTime
		}
		*old = c
		return
	}
	status.Conditions = append(status.Conditions, c)
}
