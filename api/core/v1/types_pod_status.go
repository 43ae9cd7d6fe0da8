package v1

import (
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/resource"
)

// PodStatus is the observed state of a pod, written by the scheduler and the kubelet.
type PodStatus struct {
	ObservedGeneration          int64                           `json:"observedGeneration,omitempty" protobuf:"varint,17,opt,name=observedGeneration"`
	Phase                       PodPhase                        `json:"phase,omitempty" protobuf:"bytes,1,opt,name=phase,casttype=PodPhase"`
	Conditions                  []PodCondition                  `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type" protobuf:"bytes,2,rep,name=conditions"`
	Message                     string                          `json:"message,omitempty" protobuf:"bytes,3,opt,name=message"`
	Reason                      string                          `json:"reason,omitempty" protobuf:"bytes,4,opt,name=reason"`
	NominatedNodeName           string                          `json:"nominatedNodeName,omitempty" protobuf:"bytes,11,opt,name=nominatedNodeName"`
	HostIP                      string                          `json:"hostIP,omitempty" protobuf:"bytes,5,opt,name=hostIP"`
	HostIPs                     []HostIP                        `json:"hostIPs,omitempty" patchStrategy:"merge" patchMergeKey:"ip" protobuf:"bytes,16,rep,name=hostIPs"`
	PodIP                       string                          `json:"podIP,omitempty" protobuf:"bytes,6,opt,name=podIP"`
	PodIPs                      []PodIP                         `json:"podIPs,omitempty" patchStrategy:"merge" patchMergeKey:"ip" protobuf:"bytes,12,rep,name=podIPs"`
	StartTime                   *metav1.Time                    `json:"startTime,omitempty" protobuf:"bytes,7,opt,name=startTime"`
	InitContainerStatuses       []ContainerStatus               `json:"initContainerStatuses,omitempty" protobuf:"bytes,10,rep,name=initContainerStatuses"`
	ContainerStatuses           []ContainerStatus               `json:"containerStatuses,omitempty" protobuf:"bytes,8,rep,name=containerStatuses"`
	QOSClass                    PodQOSClass                     `json:"qosClass,omitempty" protobuf:"bytes,9,rep,name=qosClass"`
	EphemeralContainerStatuses  []ContainerStatus               `json:"ephemeralContainerStatuses,omitempty" protobuf:"bytes,13,rep,name=ephemeralContainerStatuses"`
	Resize                      PodResizeStatus                 `json:"resize,omitempty" protobuf:"bytes,14,opt,name=resize,casttype=PodResizeStatus"`
	ResourceClaimStatuses       []PodResourceClaimStatus        `json:"resourceClaimStatuses,omitempty" patchStrategy:"merge,retainKeys" patchMergeKey:"name" protobuf:"bytes,15,rep,name=resourceClaimStatuses"`
	ExtendedResourceClaimStatus *PodExtendedResourceClaimStatus `json:"extendedResourceClaimStatus,omitempty" protobuf:"bytes,18,opt,name=extendedResourceClaimStatus"`
	// AllocatedResources and Resources are the pod-level resources the kubelet admitted
	// and applied (pod-level in-place resize).
	AllocatedResources                   ResourceList                         `json:"allocatedResources,omitempty" protobuf:"bytes,19,rep,name=allocatedResources,casttype=ResourceList,castkey=ResourceName"`
	Resources                            *ResourceRequirements                `json:"resources,omitempty" protobuf:"bytes,20,opt,name=resources"`
	NodeAllocatableResourceClaimStatuses []NodeAllocatableResourceClaimStatus `json:"nodeAllocatableResourceClaimStatuses,omitempty" patchStrategy:"merge" patchMergeKey:"resourceClaimName" protobuf:"bytes,21,rep,name=nodeAllocatableResourceClaimStatuses"`
	VolumeHealth                         []PodVolumeHealth                    `json:"volumeHealth,omitempty" protobuf:"bytes,22,rep,name=volumeHealth"`
}

// NodeAllocatableResourceClaimStatus maps a claim to node-allocatable resources it provides.
type NodeAllocatableResourceClaimStatus struct {
	ResourceClaimName string                             `json:"resourceClaimName" protobuf:"bytes,1,opt,name=resourceClaimName"`
	Containers        []string                           `json:"containers,omitempty" protobuf:"bytes,2,rep,name=containers"`
	Mapping           []NodeAllocatableMappedResources   `json:"mapping,omitempty" patchStrategy:"merge" patchMergeKey:"name" protobuf:"bytes,4,rep,name=mapping"`
	Overhead          []NodeAllocatableOverheadResources `json:"overhead,omitempty" patchStrategy:"merge" patchMergeKey:"name" protobuf:"bytes,5,rep,name=overhead"`
}

// NodeAllocatableMappedResources is an amount of a resource a claim maps to.
type NodeAllocatableMappedResources struct {
	Name     ResourceName       `json:"name" protobuf:"bytes,1,opt,name=name,casttype=ResourceName"`
	Quantity *resource.Quantity `json:"quantity" protobuf:"bytes,2,opt,name=quantity"`
}

// NodeAllocatableOverheadResources is a per-pod or per-container overhead of a claim.
type NodeAllocatableOverheadResources struct {
	Name         ResourceName       `json:"name" protobuf:"bytes,1,opt,name=name,casttype=ResourceName"`
	PerPod       *resource.Quantity `json:"perPod,omitempty" protobuf:"bytes,2,opt,name=perPod"`
	PerContainer *resource.Quantity `json:"perContainer,omitempty" protobuf:"bytes,3,opt,name=perContainer"`
}

// PodVolumeHealth reports the health of one of the pod's volumes.
type PodVolumeHealth struct {
	Name               string                  `json:"name" protobuf:"bytes,1,opt,name=name"`
	HealthConditions   []VolumeHealthCondition `json:"healthConditions,omitempty" patchStrategy:"merge" patchMergeKey:"status" protobuf:"bytes,2,rep,name=healthConditions"`
	LastTransitionTime metav1.Time             `json:"lastTransitionTime,omitempty" protobuf:"bytes,3,opt,name=lastTransitionTime"`
}

// VolumeHealthCondition is one abnormal state of a volume.
type VolumeHealthCondition struct {
	Status  VolumeHealthStatusType `json:"status" protobuf:"bytes,1,opt,name=status,casttype=VolumeHealthStatusType"`
	Reason  string                 `json:"reason" protobuf:"bytes,2,opt,name=reason"`
	Message string                 `json:"message,omitempty" protobuf:"bytes,3,opt,name=message"`
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
	Type               PodConditionType `json:"type" protobuf:"bytes,1,opt,name=type,casttype=PodConditionType"`
	ObservedGeneration int64            `json:"observedGeneration,omitempty" protobuf:"varint,7,opt,name=observedGeneration"`
	Status             ConditionStatus  `json:"status" protobuf:"bytes,2,opt,name=status,casttype=ConditionStatus"`
	LastProbeTime      metav1.Time      `json:"lastProbeTime,omitempty" protobuf:"bytes,3,opt,name=lastProbeTime"`
	LastTransitionTime metav1.Time      `json:"lastTransitionTime,omitempty" protobuf:"bytes,4,opt,name=lastTransitionTime"`
	Reason             string           `json:"reason,omitempty" protobuf:"bytes,5,opt,name=reason"`
	Message            string           `json:"message,omitempty" protobuf:"bytes,6,opt,name=message"`
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
	IP string `json:"ip" protobuf:"bytes,1,opt,name=ip"`
}

// PodIP is one IP of a pod.
type PodIP struct {
	IP string `json:"ip" protobuf:"bytes,1,opt,name=ip"`
}

// ContainerStatus is the observed state of one container.
type ContainerStatus struct {
	Name                     string                `json:"name" protobuf:"bytes,1,opt,name=name"`
	State                    ContainerState        `json:"state,omitempty" protobuf:"bytes,2,opt,name=state"`
	LastTerminationState     ContainerState        `json:"lastState,omitempty" protobuf:"bytes,3,opt,name=lastState"`
	Ready                    bool                  `json:"ready" protobuf:"varint,4,opt,name=ready"`
	RestartCount             int32                 `json:"restartCount" protobuf:"varint,5,opt,name=restartCount"`
	Image                    string                `json:"image" protobuf:"bytes,6,opt,name=image"`
	ImageID                  string                `json:"imageID" protobuf:"bytes,7,opt,name=imageID"`
	ContainerID              string                `json:"containerID,omitempty" protobuf:"bytes,8,opt,name=containerID"`
	Started                  *bool                 `json:"started,omitempty" protobuf:"varint,9,opt,name=started"`
	AllocatedResources       ResourceList          `json:"allocatedResources,omitempty" protobuf:"bytes,10,rep,name=allocatedResources,casttype=ResourceList,castkey=ResourceName"`
	Resources                *ResourceRequirements `json:"resources,omitempty" protobuf:"bytes,11,opt,name=resources"`
	VolumeMounts             []VolumeMountStatus   `json:"volumeMounts,omitempty" patchStrategy:"merge" patchMergeKey:"mountPath" protobuf:"bytes,12,rep,name=volumeMounts"`
	User                     *ContainerUser        `json:"user,omitempty" protobuf:"bytes,13,opt,name=user,casttype=ContainerUser"`
	AllocatedResourcesStatus []ResourceStatus      `json:"allocatedResourcesStatus,omitempty" patchStrategy:"merge" patchMergeKey:"name" protobuf:"bytes,14,rep,name=allocatedResourcesStatus"`
	StopSignal               *Signal               `json:"stopSignal,omitempty" protobuf:"bytes,15,opt,name=stopSignal"`
}

// ContainerState is exactly one of waiting, running or terminated (or none: waiting).
type ContainerState struct {
	Waiting    *ContainerStateWaiting    `json:"waiting,omitempty" protobuf:"bytes,1,opt,name=waiting"`
	Running    *ContainerStateRunning    `json:"running,omitempty" protobuf:"bytes,2,opt,name=running"`
	Terminated *ContainerStateTerminated `json:"terminated,omitempty" protobuf:"bytes,3,opt,name=terminated"`
}

// ContainerStateWaiting is a container not yet running ("ContainerCreating", "CrashLoopBackOff").
type ContainerStateWaiting struct {
	Reason  string `json:"reason,omitempty" protobuf:"bytes,1,opt,name=reason"`
	Message string `json:"message,omitempty" protobuf:"bytes,2,opt,name=message"`
}

// ContainerStateRunning is a running container.
type ContainerStateRunning struct {
	StartedAt metav1.Time `json:"startedAt,omitempty" protobuf:"bytes,1,opt,name=startedAt"`
}

// ContainerStateTerminated is a container that exited.
type ContainerStateTerminated struct {
	ExitCode    int32       `json:"exitCode" protobuf:"varint,1,opt,name=exitCode"`
	Signal      int32       `json:"signal,omitempty" protobuf:"varint,2,opt,name=signal"`
	Reason      string      `json:"reason,omitempty" protobuf:"bytes,3,opt,name=reason"`
	Message     string      `json:"message,omitempty" protobuf:"bytes,4,opt,name=message"`
	StartedAt   metav1.Time `json:"startedAt,omitempty" protobuf:"bytes,5,opt,name=startedAt"`
	FinishedAt  metav1.Time `json:"finishedAt,omitempty" protobuf:"bytes,6,opt,name=finishedAt"`
	ContainerID string      `json:"containerID,omitempty" protobuf:"bytes,7,opt,name=containerID"`
}

// VolumeMountStatus is the observed state of a volume mount.
type VolumeMountStatus struct {
	Name              string                 `json:"name" protobuf:"bytes,1,opt,name=name"`
	MountPath         string                 `json:"mountPath" protobuf:"bytes,2,opt,name=mountPath"`
	ReadOnly          bool                   `json:"readOnly,omitempty" protobuf:"varint,3,opt,name=readOnly"`
	RecursiveReadOnly *RecursiveReadOnlyMode `json:"recursiveReadOnly,omitempty" protobuf:"bytes,4,opt,name=recursiveReadOnly,casttype=RecursiveReadOnlyMode"`
	VolumeStatus      *VolumeStatus          `json:"volumeStatus,omitempty" protobuf:"bytes,5,opt,name=volumeStatus"`
}

// VolumeStatus is the observed state of a mounted volume.
type VolumeStatus struct {
	Image *ImageVolumeStatus `json:"image,omitempty" protobuf:"bytes,1,opt,name=image"`
}

// ImageVolumeStatus names the image an image volume resolved to.
type ImageVolumeStatus struct {
	ImageRef string `json:"imageRef,omitempty" protobuf:"bytes,1,opt,name=imageRef"`
}

// ContainerUser is the identity the container process runs as.
type ContainerUser struct {
	Linux *LinuxContainerUser `json:"linux,omitempty" protobuf:"bytes,1,opt,name=linux,casttype=LinuxContainerUser"`
}

// LinuxContainerUser is a Linux uid, gid and groups.
type LinuxContainerUser struct {
	UID                int64   `json:"uid" protobuf:"varint,1,name=uid"`
	GID                int64   `json:"gid" protobuf:"varint,2,name=gid"`
	SupplementalGroups []int64 `json:"supplementalGroups,omitempty" protobuf:"varint,3,rep,name=supplementalGroups"`
}

// ResourceStatus reports the health of devices allocated for a resource.
type ResourceStatus struct {
	Name      ResourceName     `json:"name" protobuf:"bytes,1,opt,name=name"`
	Resources []ResourceHealth `json:"resources,omitempty" protobuf:"bytes,2,rep,name=resources"`
}

// ResourceHealth is the health of one device.
type ResourceHealth struct {
	ResourceID ResourceID           `json:"resourceID" protobuf:"bytes,1,opt,name=resourceID"`
	Health     ResourceHealthStatus `json:"health,omitempty" protobuf:"bytes,2,name=health"`
	Message    *string              `json:"message,omitempty" protobuf:"bytes,6,opt,name=message"`
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
	Name              string  `json:"name" protobuf:"bytes,1,name=name"`
	ResourceClaimName *string `json:"resourceClaimName,omitempty" protobuf:"bytes,2,opt,name=resourceClaimName"`
}

// PodExtendedResourceClaimStatus records the claim created for extended resources backed by DRA.
type PodExtendedResourceClaimStatus struct {
	RequestMappings   []ContainerExtendedResourceRequest `json:"requestMappings" protobuf:"bytes,1,rep,name=requestMappings"`
	ResourceClaimName string                             `json:"resourceClaimName" protobuf:"bytes,2,name=resourceClaimName"`
}

// ContainerExtendedResourceRequest maps a container's extended resource to a claim request.
type ContainerExtendedResourceRequest struct {
	ContainerName string `json:"containerName" protobuf:"bytes,1,name=containerName"`
	ResourceName  string `json:"resourceName" protobuf:"bytes,2,name=resourceName"`
	RequestName   string `json:"requestName" protobuf:"bytes,3,name=requestName"`
}

// Binding binds a pod to a node (POST pods/binding).
type Binding struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	Target            ObjectReference `json:"target" protobuf:"bytes,2,opt,name=target"`
}
