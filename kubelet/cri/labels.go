package cri

import (
	"strconv"
)

// Labels on sandboxes and containers: what a kubelet (this one after a restart, or any
// other tool) uses to tell which pod and which container of the spec a runtime object is.
// The names are upstream's.
const (
	LabelPodName       = "io.kubernetes.pod.name"
	LabelPodNamespace  = "io.kubernetes.pod.namespace"
	LabelPodUID        = "io.kubernetes.pod.uid"
	LabelContainerName = "io.kubernetes.container.name"
)

// Annotations on containers: facts the kubelet needs again after a restart and cannot
// read back from the runtime otherwise.
const (
	AnnotationContainerHash        = "io.kubernetes.container.hash"
	AnnotationRestartCount         = "io.kubernetes.container.restartCount"
	AnnotationTerminationMsgPath   = "io.kubernetes.container.terminationMessagePath"
	AnnotationTerminationMsgPolicy = "io.kubernetes.container.terminationMessagePolicy"
	AnnotationPreStopHandler       = "io.kubernetes.container.preStopHandler"
	AnnotationContainerPorts       = "io.kubernetes.container.ports"
	AnnotationPodDeletionGrace     = "io.kubernetes.pod.deletionGracePeriod"
	AnnotationPodTerminationGrace  = "io.kubernetes.pod.terminationGracePeriod"
)

// PodLabels are the labels identifying a pod's runtime objects.
func PodLabels(name, namespace, uid string) map[string]string {
	return map[string]string{LabelPodName: name, LabelPodNamespace: namespace, LabelPodUID: uid}
}

// restartCountOf reads the restart count annotation (0 when missing or malformed).
func restartCountOf(annotations map[string]string) int {
	n, err := strconv.Atoi(annotations[AnnotationRestartCount])
	if err != nil {
		return 0
	}
	return n
}
