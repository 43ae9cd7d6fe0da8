package v1

import (
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/resource"
)

// PodStatus is the observed state of a pod, written by the scheduler and the kubelet.
type PodStatus struct {
	ObservedGeneration          int64                           `json:"observedGeneration,omitempty"`
	Phase                       PodPhase                        `json:"phase,omitempty"`
	Conditions                  []PodCondition                  `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
	Message                     string                          `json:"message,omitempty"`
	Reason                      string                          `json:"reason,omitempty"`
	NominatedNodeName           string                          `json:"nominatedNodeName,omitempty"`
	HostIP                      string                          `json:"hostIP,omitempty"`
	HostIPs                     []HostIP                        `json:"hostIPs,omitempty" patchStrategy:"merge" patchMergeKey:"ip"`
	PodIP                       string                          `json:"podIP,omitempty"`
	PodIPs                      []PodIP                         `json:"podIPs,omitempty" patchStrategy:"merge" patchMergeKey:"ip"`
	StartTime                   *metav1.Time                    `json:"startTime,omitempty"`
	InitContainerStatuses       []ContainerStatus               `json:"initContainerStatuses,omitempty"`
	ContainerStatuses           []ContainerStatus               `json:"containerStatuses,omitempty"`
	QOSClass                    PodQOSClass                     `json:"qosClass,omitempty"`
	EphemeralContainerStatuses  []ContainerStatus               `json:"ephemeralContainerStatuses,omitempty"`
	Resize                      PodResizeStatus                 `json:"resize,omitempty"`
	ResourceClaimStatuses       []PodResourceClaimStatus        `json:"resourceClaimStatuses,omitempty" patchStrategy:"merge,retainKeys" patchMergeKey:"name"`
	ExtendedResourceClaimStatus *PodExtendedResourceClaimStatus `json:"extendedResourceClaimStatus,omitempty"`
	// AllocatedResources and Resources are the pod-level resources the kubelet admitted
	// and applied (pod-level in-place resize).
	AllocatedResources                   ResourceList                         `json:"allocatedResources,omitempty"`
	Resources                            *ResourceRequirements                `json:"resources,omitempty"`
	NodeAllocatableResourceClaimStatuses []NodeAllocatableResourceClaimStatus `json:"nodeAllocatableResourceClaimStatuses,omitempty" patchStrategy:"merge" patchMergeKey:"resourceClaimName"`
	VolumeHealth                         []PodVolumeHealth                    `json:"volumeHealth,omitempty"`
}

// NodeAllocatableResourceClaimStatus maps a claim to node-allocatable resources it provides.
type NodeAllocatableResourceClaimStatus struct {
	ResourceClaimName string                             `json:"resourceClaimName"`
	Containers        []string                           `json:"containers,omitempty"`
	Mapping           []NodeAllocatableMappedResources   `json:"mapping,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	Overhead          []NodeAllocatableOverheadResources `json:"overhead,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
}

// NodeAllocatableMappedResources is an amount of a resource a claim maps to.
type NodeAllocatableMappedResources struct {
	Name     ResourceName       `json:"name"`
	Quantity *resource.Quantity `json:"quantity"`
}

// NodeAllocatableOverheadResources is a per-pod or per-container overhead of a claim.
type NodeAllocatableOverheadResources struct {
	Name         ResourceName       `json:"name"`
	PerPod       *resource.Quantity `json:"perPod,omitempty"`
	PerContainer *resource.Quantity `json:"perContainer,omitempty"`
}

// PodVolumeHealth reports the health of one of the pod's volumes.
type PodVolumeHealth struct {
	Name               string                  `json:"name"`
	HealthConditions   []VolumeHealthCondition `json:"healthConditions,omitempty" patchStrategy:"merge" patchMergeKey:"status"`
	LastTransitionTime metav1.Time             `json:"lastTransitionTime,omitempty"`
}

// VolumeHealthCondition is one abnormal state of a volume.
type VolumeHealthCondition struct {
	Status  VolumeHealthStatusType `json:"status"`
	Reason  string                 `json:"reason"`
	Message string                 `json:"message,omitempty"`
}

// VolumeHealthStatusType is Inaccessible, DataLoss or Degraded.
type VolumeHealthStatusType string

// The volume health states.
const (
	VolumeHealthInaccessible VolumeHealthStatusType = "Inaccessible"
	VolumeHealthDataLoss     VolumeHealthStatusType = "DataLoss"
	VolumeHealthDegraded     VolumeHealthStatusType = "Degraded"
)

// PodPhase is the coarse lifecycle stage of a pod.
type PodPhase string

// The pod phases.
const (
	PodPending   PodPhase = "Pending"
	PodRunning   PodPhase = "Running"
	PodSucceeded PodPhase = "Succeeded"
	PodFailed    PodPhase = "Failed"
	PodUnknown   PodPhase = "Unknown"
)

// PodCondition is one condition of a pod.
type PodCondition struct {
	Type               PodConditionType `json:"type"`
	ObservedGeneration int64            `json:"observedGeneration,omitempty"`
	Status             ConditionStatus  `json:"status"`
	LastProbeTime      metav1.Time      `json:"lastProbeTime,omitempty"`
	LastTransitionTime metav1.Time      `json:"lastTransitionTime,omitempty"`
	Reason             string           `json:"reason,omitempty"`
	Message            string           `json:"message,omitempty"`
}

// PodConditionType names a pod condition.
type PodConditionType string

// The pod conditions.
const (
	ContainersReady           PodConditionType = "ContainersReady"
	PodInitialized            PodConditionType = "Initialized"
	PodReady                  PodConditionType = "Ready"
	PodScheduled              PodConditionType = "PodScheduled"
	DisruptionTarget          PodConditionType = "DisruptionTarget"
	PodReadyToStartContainers PodConditionType = "PodReadyToStartContainers"
	PodResizePending          PodConditionType = "PodResizePending"
	PodResizeInProgress       PodConditionType = "PodResizeInProgress"
)

// Reasons used in pod conditions.
const (
	PodReasonUnschedulable          = "Unschedulable"
	PodReasonSchedulingGated        = "SchedulingGated"
	PodReasonSchedulerError         = "SchedulerError"
	PodReasonTerminationByKubelet   = "TerminationByKubelet"
	PodReasonPreemptionByScheduler  = "PreemptionByScheduler"
	PodReasonDeletionByTaintManager = "DeletionByTaintManager"
	PodReasonEvictionByEvictionAPI  = "EvictionByEvictionAPI"
)

// PodQOSClass is the quality-of-service class derived from requests and limits.
type PodQOSClass string

// The QoS classes.
const (
	PodQOSGuaranteed PodQOSClass = "Guaranteed"
	PodQOSBurstable  PodQOSClass = "Burstable"
	PodQOSBestEffort PodQOSClass = "BestEffort"
)

// PodResizeStatus is the state of an in-place resize (deprecated in favour of conditions).
type PodResizeStatus string

// The resize states.
const (
	PodResizeStatusProposed   PodResizeStatus = "Proposed"
	PodResizeStatusInProgress PodResizeStatus = "InProgress"
	PodResizeStatusDeferred   PodResizeStatus = "Deferred"
	PodResizeStatusInfeasible PodResizeStatus = "Infeasible"
)

// HostIP is one IP of the node a pod runs on.
type HostIP struct {
	IP string `json:"ip"`
}

// PodIP is one IP of a pod.
type PodIP struct {
	IP string `json:"ip"`
}

// ContainerStatus is the observed state of one container.
type ContainerStatus struct {
	Name                     string                `json:"name"`
	State                    ContainerState        `json:"state,omitempty"`
	LastTerminationState     ContainerState        `json:"lastState,omitempty"`
	Ready                    bool                  `json:"ready"`
	RestartCount             int32                 `json:"restartCount"`
	Image                    string                `json:"image"`
	ImageID                  string                `json:"imageID"`
	ContainerID              string                `json:"containerID,omitempty"`
	Started                  *bool                 `json:"started,omitempty"`
	AllocatedResources       ResourceList          `json:"allocatedResources,omitempty"`
	Resources                *ResourceRequirements `json:"resources,omitempty"`
	VolumeMounts             []VolumeMountStatus   `json:"volumeMounts,omitempty" patchStrategy:"merge" patchMergeKey:"mountPath"`
	User                     *ContainerUser        `json:"user,omitempty"`
	AllocatedResourcesStatus []ResourceStatus      `json:"allocatedResourcesStatus,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	StopSignal               *Signal               `json:"stopSignal,omitempty"`
}

// ContainerState is exactly one of waiting, running or terminated (or none: waiting).
type ContainerState struct {
	Waiting    *ContainerStateWaiting    `json:"waiting,omitempty"`
	Running    *ContainerStateRunning    `json:"running,omitempty"`
	Terminated *ContainerStateTerminated `json:"terminated,omitempty"`
}

// ContainerStateWaiting is a container not yet running ("ContainerCreating", "CrashLoopBackOff").
type ContainerStateWaiting struct {
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// ContainerStateRunning is a running container.
type ContainerStateRunning struct {
	StartedAt metav1.Time `json:"startedAt,omitempty"`
}

// ContainerStateTerminated is a container that exited.
type ContainerStateTerminated struct {
	ExitCode    int32       `json:"exitCode"`
	Signal      int32       `json:"signal,omitempty"`
	Reason      string      `json:"reason,omitempty"`
	Message     string      `json:"message,omitempty"`
	StartedAt   metav1.Time `json:"startedAt,omitempty"`
	FinishedAt  metav1.Time `json:"finishedAt,omitempty"`
	ContainerID string      `json:"containerID,omitempty"`
}

// VolumeMountStatus is the observed state of a volume mount.
type VolumeMountStatus struct {
	Name              string                 `json:"name"`
	MountPath         string                 `json:"mountPath"`
	ReadOnly          bool                   `json:"readOnly,omitempty"`
	RecursiveReadOnly *RecursiveReadOnlyMode `json:"recursiveReadOnly,omitempty"`
	VolumeStatus      *VolumeStatus          `json:"volumeStatus,omitempty"`
}

// VolumeStatus is the observed state of a mounted volume.
type VolumeStatus struct {
	Image *ImageVolumeStatus `json:"image,omitempty"`
}

// ImageVolumeStatus names the image an image volume resolved to.
type ImageVolumeStatus struct {
	ImageRef string `json:"imageRef,omitempty"`
}

// ContainerUser is the identity the container process runs as.
type ContainerUser struct {
	Linux *LinuxContainerUser `json:"linux,omitempty"`
}

// LinuxContainerUser is a Linux uid, gid and groups.
type LinuxContainerUser struct {
	UID                int64   `json:"uid"`
	GID                int64   `json:"gid"`
	SupplementalGroups []int64 `json:"supplementalGroups,omitempty"`
}

// ResourceStatus reports the health of devices allocated for a resource.
type ResourceStatus struct {
	Name      ResourceName     `json:"name"`
	Resources []ResourceHealth `json:"resources,omitempty"`
}

// ResourceHealth is the health of one device.
type ResourceHealth struct {
	ResourceID ResourceID           `json:"resourceID"`
	Health     ResourceHealthStatus `json:"health,omitempty"`
	Message    *string              `json:"message,omitempty"`
}

// ResourceID identifies a device.
type ResourceID string

// ResourceHealthStatus is Healthy, Unhealthy or Unknown.
type ResourceHealthStatus string

// The device health states.
const (
	ResourceHealthStatusHealthy   ResourceHealthStatus = "Healthy"
	ResourceHealthStatusUnhealthy ResourceHealthStatus = "Unhealthy"
	ResourceHealthStatusUnknown   ResourceHealthStatus = "Unknown"
)

// PodResourceClaimStatus maps a pod resource claim to the generated ResourceClaim.
type PodResourceClaimStatus struct {
	Name              string  `json:"name"`
	ResourceClaimName *string `json:"resourceClaimName,omitempty"`
}

// PodExtendedResourceClaimStatus records the claim created for extended resources backed by DRA.
type PodExtendedResourceClaimStatus struct {
	RequestMappings   []ContainerExtendedResourceRequest `json:"requestMappings"`
	ResourceClaimName string                             `json:"resourceClaimName"`
}

// ContainerExtendedResourceRequest maps a container's extended resource to a claim request.
type ContainerExtendedResourceRequest struct {
	ContainerName string `json:"containerName"`
	ResourceName  string `json:"resourceName"`
	RequestName   string `json:"requestName"`
}

// Binding binds a pod to a node (POST pods/binding).
type Binding struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Target            ObjectReference `json:"target"`
}
