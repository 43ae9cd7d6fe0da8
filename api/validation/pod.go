package validation

import (
	"fmt"
	"math"
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/names"
)

// updatablePodSpecFields is the list upstream prints when an update touches anything else.
var updatablePodSpecFields = []string{
	"`spec.containers[*].image`",
	"`spec.initContainers[*].image`",
	"`spec.activeDeadlineSeconds`",
	"`spec.tolerations` (only additions to existing tolerations)",
	"`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
}

// ValidatePod checks a pod being created.
func ValidatePod(pod *corev1.Pod) ErrorList {
	return validatePodCreate(pod).uniq()
}

func validatePodCreate(pod *corev1.Pod) ErrorList {
	errs := validatePodMetadataAndSpec(pod)
	spec := NewPath("spec")
	// Ephemeral containers are only ever added through the ephemeralcontainers subresource.
	if len(pod.Spec.EphemeralContainers) > 0 {
		errs = append(errs, Forbidden(spec.Child("ephemeralContainers"), "cannot be set on create"))
	}
	if pod.Spec.NodeName != "" && len(pod.Spec.SchedulingGates) > 0 {
		errs = append(errs, Forbidden(spec.Child("nodeName"), "cannot be set until all schedulingGates have been cleared"))
	}
	return errs
}

// validatePodMetadataAndSpec is what creates and updates share.
func validatePodMetadataAndSpec(pod *corev1.Pod) ErrorList {
	meta, spec := NewPath("metadata"), NewPath("spec")
	errs := ValidateObjectMeta(&pod.ObjectMeta, true, names.NameIsDNSSubdomain, meta)
	errs = append(errs, validatePodSpec(&pod.Spec, spec, true)...)
	// A projected token is issued for the pod's service account; without one there is none.
	if pod.Spec.ServiceAccountName == "" {
		for i, v := range pod.Spec.Volumes {
			if v.Projected == nil {
				continue
			}
			for j, s := range v.Projected.Sources {
				if s.ServiceAccountToken != nil {
					errs = append(errs, Forbidden(spec.Child("volumes").Index(i).Child("projected", "sources").Index(j).Child("serviceAccountToken"),
						"must not be specified when serviceAccountName is not set"))
				}
			}
		}
	}
	if g := pod.Spec.TerminationGracePeriodSeconds; g != nil {
		errs = append(errs, validateNonnegative(*g, spec.Child("terminationGracePeriodSeconds"))...)
	}
	errs = append(errs, validateImageWhitespace(pod.Spec.Containers, spec.Child("containers"))...)
	errs = append(errs, validateImageWhitespace(pod.Spec.InitContainers, spec.Child("initContainers"))...)
	return errs
}

// ValidatePodUpdate checks an update of a pod's metadata and spec. A pod's spec is almost
// entirely fixed once created: only container images, activeDeadlineSeconds (only shorter),
// added tolerations, removed scheduling gates and a negative grace period raised to 1 may
// change. Anything else is refused with a diff of the spec.
func ValidatePodUpdate(newPod, oldPod *corev1.Pod) ErrorList {
	errs := updateCommon(&newPod.ObjectMeta, &oldPod.ObjectMeta, true)
	return append(errs, validatePodUpdate(newPod, oldPod)...).uniq()
}

func validatePodUpdate(newPod, oldPod *corev1.Pod) ErrorList {
	errs := ValidateObjectMetaUpdate(&newPod.ObjectMeta, &oldPod.ObjectMeta, NewPath("metadata"))
	errs = append(errs, validatePodMetadataAndSpec(newPod)...)
	spec := NewPath("spec")

	ctrErrs, stop := validateContainerUpdates(newPod.Spec.Containers, oldPod.Spec.Containers, spec.Child("containers"))
	errs = append(errs, ctrErrs...)
	if stop {
		return errs
	}
	ctrErrs, stop = validateContainerUpdates(newPod.Spec.InitContainers, oldPod.Spec.InitContainers, spec.Child("initContainers"))
	errs = append(errs, ctrErrs...)
	if stop {
		return errs
	}

	// activeDeadlineSeconds may be set, or lowered, but never raised or removed.
	if nd := newPod.Spec.ActiveDeadlineSeconds; nd != nil {
		if *nd < 0 || *nd > math.MaxInt32 {
			return append(errs, Invalid(spec.Child("activeDeadlineSeconds"), *nd, inclusiveRangeMsg(0, math.MaxInt32)))
		}
		if od := oldPod.Spec.ActiveDeadlineSeconds; od != nil && *od < *nd {
			return append(errs, Invalid(spec.Child("activeDeadlineSeconds"), *nd, "must be less than or equal to previous value"))
		}
	} else if oldPod.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, Invalid(spec.Child("activeDeadlineSeconds"), newPod.Spec.ActiveDeadlineSeconds, "must not update from a positive integer to nil value"))
	}

	errs = append(errs, validateOnlyAddedTolerations(newPod.Spec.Tolerations, oldPod.Spec.Tolerations, spec.Child("tolerations"))...)
	errs = append(errs, validateOnlyDeletedSchedulingGates(newPod.Spec.SchedulingGates, oldPod.Spec.SchedulingGates, spec.Child("schedulingGates"))...)

	if semanticEqual(newPod.Spec, oldPod.Spec) {
		return errs
	}
	// Put every field that may change back to its old value; what still differs may not change.
	munged := *newPod.Spec.DeepCopy()
	munged.Containers = withOldImages(munged.Containers, oldPod.Spec.Containers)
	munged.InitContainers = withOldImages(munged.InitContainers, oldPod.Spec.InitContainers)
	munged.ActiveDeadlineSeconds = oldPod.Spec.ActiveDeadlineSeconds
	munged.SchedulingGates = oldPod.Spec.SchedulingGates
	munged.Tolerations = oldPod.Spec.Tolerations
	if og, ng := oldPod.Spec.TerminationGracePeriodSeconds, munged.TerminationGracePeriodSeconds; og != nil && *og < 0 && ng != nil && *ng == 1 {
		munged.TerminationGracePeriodSeconds = og
	}
	// While a pod is gated, the scheduler's inputs may still be narrowed: node selector
	// entries and node affinity may be added.
	if len(oldPod.Spec.SchedulingGates) > 0 {
		errs = append(errs, validateGatedPodSchedulingChanges(&munged, &oldPod.Spec, spec)...)
	}
	if !semanticEqual(munged, oldPod.Spec) {
		errs = append(errs, Forbidden(spec, fmt.Sprintf("pod updates may not change fields other than %s\n%s",
			strings.Join(updatablePodSpecFields, ","), specDiff(oldPod.Spec, munged))))
	}
	return errs
}

// validateContainerUpdates checks the container list kept its length and every image is set.
// stop reports that comparing further makes no sense.
func validateContainerUpdates(newCtrs, oldCtrs []corev1.Container, path *Path) (ErrorList, bool) {
	if len(newCtrs) != len(oldCtrs) {
		return ErrorList{Forbidden(path, "pod updates may not add or remove containers")}, true
	}
	var errs ErrorList
	for i, c := range newCtrs {
		if c.Image == "" {
			errs = append(errs, Required(path.Index(i).Child("image"), ""))
		}
		if len(strings.TrimSpace(c.Image)) != len(c.Image) {
			errs = append(errs, Invalid(path.Index(i).Child("image"), c.Image, "must not have leading or trailing whitespace"))
		}
	}
	return errs, false
}

func withOldImages(newCtrs, oldCtrs []corev1.Container) []corev1.Container {
	out := make([]corev1.Container, len(newCtrs))
	for i := range newCtrs {
		out[i] = newCtrs[i]
		out[i].Image = oldCtrs[i].Image
	}
	if newCtrs == nil {
		return nil
	}
	return out
}

// validateOnlyAddedTolerations allows new tolerations and changed tolerationSeconds only:
// removing or editing a toleration could leave a pod on a node it no longer tolerates.
func validateOnlyAddedTolerations(newTols, oldTols []corev1.Toleration, path *Path) ErrorList {
	for _, old := range oldTols {
		found := false
		for _, n := range newTols {
			o := old
			o.TolerationSeconds = n.TolerationSeconds
			if semanticEqual(o, n) {
				found = true
				break
			}
		}
		if !found {
			return ErrorList{Forbidden(path, "existing toleration can not be modified except its tolerationSeconds")}
		}
	}
	return validateTolerations(newTols, path)
}

// validateOnlyDeletedSchedulingGates allows removing scheduling gates, never adding them.
func validateOnlyDeletedSchedulingGates(newGates, oldGates []corev1.PodSchedulingGate, path *Path) ErrorList {
	if len(newGates) == 0 {
		return nil
	}
	old := map[string]bool{}
	for _, g := range oldGates {
		old[g.Name] = true
	}
	var errs ErrorList
	for i, g := range newGates {
		if !old[g.Name] {
			errs = append(errs, Forbidden(path.Index(i).Child("name"), fmt.Sprintf("only deletion is allowed, but found new scheduling gate '%s'", g.Name)))
		}
	}
	return errs
}

// validateGatedPodSchedulingChanges allows additions to the node selector of a gated pod and
// copies the old value into munged so the final comparison ignores it.
func validateGatedPodSchedulingChanges(munged, old *corev1.PodSpec, spec *Path) ErrorList {
	var errs ErrorList
	if !semanticEqual(munged.NodeSelector, old.NodeSelector) {
		for k, v := range old.NodeSelector {
			if nv, ok := munged.NodeSelector[k]; !ok || nv != v {
				errs = append(errs, Invalid(spec.Child("nodeSelector"), munged.NodeSelector, "only additions to spec.nodeSelector are allowed (no mutations or deletions)"))
				break
			}
		}
		munged.NodeSelector = old.NodeSelector
	}
	return errs
}

// ValidatePodStatusUpdate checks an update through the status subresource: the metadata rules,
// sane conditions, and that the node binding and QoS class do not change here.
func ValidatePodStatusUpdate(newPod, oldPod *corev1.Pod) ErrorList {
	errs := updateCommon(&newPod.ObjectMeta, &oldPod.ObjectMeta, true)
	errs = append(errs, ValidateObjectMetaUpdate(&newPod.ObjectMeta, &oldPod.ObjectMeta, NewPath("metadata"))...)
	status := NewPath("status")
	errs = append(errs, validatePodConditions(newPod.Status.Conditions, status.Child("conditions"))...)
	if newPod.Spec.NodeName != oldPod.Spec.NodeName {
		errs = append(errs, Forbidden(status.Child("nodeName"), "may not be changed directly"))
	}
	if nn := newPod.Status.NominatedNodeName; nn != oldPod.Status.NominatedNodeName && nn != "" {
		errs = append(errs, messagesAt(status.Child("nominatedNodeName"), nn, names.NameIsDNSSubdomain(nn, false))...)
		if oldPod.Spec.NodeName != "" {
			errs = append(errs, Forbidden(status.Child("nominatedNodeName"), "may not be set on pods that are already bound to a node"))
		}
	}
	if newPod.Status.ObservedGeneration < 0 {
		errs = append(errs, Invalid(status.Child("observedGeneration"), newPod.Status.ObservedGeneration, "must be a non-negative integer"))
	}
	errs = append(errs, validateImmutable(string(newPod.Status.QOSClass), string(oldPod.Status.QOSClass), status.Child("qosClass"))...)
	errs = append(errs, validateContainerStateTransition(newPod.Status.ContainerStatuses, oldPod.Status.ContainerStatuses, status.Child("containerStatuses"), string(oldPod.Spec.RestartPolicy))...)
	errs = append(errs, validateContainerStateTransition(newPod.Status.InitContainerStatuses, oldPod.Status.InitContainerStatuses, status.Child("initContainerStatuses"), initRestartPolicy(oldPod))...)
	errs = append(errs, validatePodIPs(newPod, oldPod, status)...)
	return errs.uniq()
}

// initRestartPolicy: a failed init container is retried unless the pod never restarts.
func initRestartPolicy(pod *corev1.Pod) string {
	if pod.Spec.RestartPolicy == "Never" {
		return "Never"
	}
	return "OnFailure"
}

// validatePodConditions checks condition types other than the system ones are qualified names.
func validatePodConditions(conds []corev1.PodCondition, path *Path) ErrorList {
	var errs ErrorList
	for i, c := range conds {
		if c.ObservedGeneration < 0 {
			errs = append(errs, Invalid(path.Index(i).Child("observedGeneration"), c.ObservedGeneration, "must be a non-negative integer"))
		}
		switch c.Type {
		case "PodScheduled", "Ready", "Initialized":
			continue
		}
		errs = append(errs, validateQualifiedName(string(c.Type), path.Index(i).Child("Type"))...)
	}
	return errs
}

// validateContainerStateTransition refuses bringing a terminated container back to life when
// the restart policy says it stays terminated.
func validateContainerStateTransition(newStatuses, oldStatuses []corev1.ContainerStatus, path *Path, restartPolicy string) ErrorList {
	if restartPolicy == "Always" {
		return nil
	}
	var errs ErrorList
	for i, old := range oldStatuses {
		if old.State.Terminated == nil {
			continue
		}
		if old.State.Terminated.ExitCode != 0 && restartPolicy == "OnFailure" {
			continue
		}
		for _, n := range newStatuses {
			if n.Name == old.Name && n.State.Terminated == nil {
				errs = append(errs, Forbidden(path.Index(i).Child("state"), "may not be transitioned to non-terminated state"))
			}
		}
	}
	return errs
}

// validatePodIPs checks status.podIPs and status.hostIPs: valid addresses (ones already stored
// may stay), at most one per family, and the first equal to podIP / hostIP.
func validatePodIPs(newPod, oldPod *corev1.Pod, status *Path) ErrorList {
	var errs ErrorList
	podIPs, oldPodIPs := podIPStrings(newPod.Status.PodIPs), podIPStrings(oldPod.Status.PodIPs)
	pp := status.Child("podIPs")
	for i, ip := range podIPs {
		errs = append(errs, validateLegacyIP(pp.Index(i), ip, oldPodIPs)...)
	}
	if !isDualStackPair(podIPs) {
		errs = append(errs, Invalid(pp, goFields{newPod.Status.PodIPs}, "may specify no more than one IP for each IP family"))
	}
	switch hasIP, hasIPs := newPod.Status.PodIP != "", len(podIPs) > 0; {
	case hasIP != hasIPs:
		errs = append(errs, Invalid(pp, goFields{newPod.Status.PodIPs}, "podIP and podIPs must either both be set or both be unset"))
	case hasIPs && newPod.Status.PodIP != podIPs[0]:
		errs = append(errs, Invalid(pp.Index(0).Child("ip"), podIPs[0], "must be equal to `podIP`"))
	}

	hostIPs, oldHostIPs := hostIPStrings(newPod.Status.HostIPs), hostIPStrings(oldPod.Status.HostIPs)
	if len(hostIPs) == 0 {
		return errs
	}
	hp := status.Child("hostIPs")
	if newPod.Status.HostIP != hostIPs[0] {
		errs = append(errs, Invalid(hp.Index(0).Child("ip"), hostIPs[0], "must be equal to `hostIP`"))
	}
	for i, ip := range hostIPs {
		errs = append(errs, validateLegacyIP(hp.Index(i), ip, oldHostIPs)...)
	}
	if !isDualStackPair(hostIPs) {
		errs = append(errs, Invalid(hp, goFields{newPod.Status.HostIPs}, "may specify no more than one IP for each IP family"))
	}
	return errs
}

// isDualStackPair reports whether a list of addresses holds at most one per IP family.
func isDualStackPair(ips []string) bool {
	switch len(ips) {
	case 0, 1:
		return true
	case 2:
		return isIPv6(ips[0]) != isIPv6(ips[1])
	}
	return false
}

func podIPStrings(list []corev1.PodIP) []string {
	out := make([]string, len(list))
	for i, ip := range list {
		out[i] = ip.IP
	}
	return out
}

func hostIPStrings(list []corev1.HostIP) []string {
	out := make([]string, len(list))
	for i, ip := range list {
		out[i] = ip.IP
	}
	return out
}

// ValidateBinding checks a pods/binding request: it names a node to bind to.
func ValidateBinding(b *corev1.Binding) ErrorList {
	var errs ErrorList
	target := NewPath("target")
	if b.Target.Kind != "" && b.Target.Kind != "Node" {
		errs = append(errs, NotSupported(target.Child("kind"), b.Target.Kind, []string{"Node", "<empty>"}))
	}
	if b.Target.Name == "" {
		errs = append(errs, Required(target.Child("name"), ""))
	} else if b.Target.Kind == "" || b.Target.Kind == "Node" {
		errs = append(errs, messagesAt(target.Child("name"), b.Target.Name, names.NameIsDNSSubdomain(b.Target.Name, false))...)
	}
	return errs
}
