package v1

import (
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// Pod is a group of containers scheduled together onto one node.
type Pod struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              PodSpec   `json:"spec,omitempty"`
	Status            PodStatus `json:"status,omitempty"`
}

// PodList is a list of pods.
type PodList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Pod `json:"items"`
}

// PodTemplateSpec is the pod a controller stamps out.
type PodTemplateSpec struct {
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              PodSpec `json:"spec,omitempty"`
}

// PodTemplate is a stored pod template (kind PodTemplate).
type PodTemplate struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Template          PodTemplateSpec `json:"template,omitempty"`
}

// PodTemplateList is a list of pod templates.
type PodTemplateList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []PodTemplate `json:"items"`
}

// PodSpec is the desired state of a pod.
type PodSpec struct {
	Volumes                       []Volume             `json:"volumes,omitempty" patchStrategy:"merge,retainKeys" patchMergeKey:"name"`
	InitContainers                []Container          `json:"initContainers,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	Containers                    []Container          `json:"containers" patchStrategy:"merge" patchMergeKey:"name"`
	EphemeralContainers           []EphemeralContainer `json:"ephemeralContainers,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	RestartPolicy                 RestartPolicy        `json:"restartPolicy,omitempty"`
	TerminationGracePeriodSeconds *int64               `json:"terminationGracePeriodSeconds,omitempty"`
	ActiveDeadlineSeconds         *int64               `json:"activeDeadlineSeconds,omitempty"`
	DNSPolicy                     DNSPolicy            `json:"dnsPolicy,omitempty"`
	NodeSelector                  map[string]string    `json:"nodeSelector,omitempty"`
	ServiceAccountName            string               `json:"serviceAccountName,omitempty"`
	// DeprecatedServiceAccount is the old name of ServiceAccountName; the server keeps the
	// two equal (see DefaultPodSpec).
	DeprecatedServiceAccount     string                 `json:"serviceAccount,omitempty"`
	AutomountServiceAccountToken *bool                  `json:"automountServiceAccountToken,omitempty"`
	NodeName                     string                 `json:"nodeName,omitempty"`
	HostNetwork                  bool                   `json:"hostNetwork,omitempty"`
	HostPID                      bool                   `json:"hostPID,omitempty"`
	HostIPC                      bool                   `json:"hostIPC,omitempty"`
	ShareProcessNamespace        *bool                  `json:"shareProcessNamespace,omitempty"`
	SecurityContext              *PodSecurityContext    `json:"securityContext,omitempty"`
	ImagePullSecrets             []LocalObjectReference `json:"imagePullSecrets,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	Hostname                     string                 `json:"hostname,omitempty"`
	Subdomain                    string                 `json:"subdomain,omitempty"`
	Affinity                     *Affinity              `json:"affinity,omitempty"`
	SchedulerName                string                 `json:"schedulerName,omitempty"`
	Tolerations                  []Toleration           `json:"tolerations,omitempty"`
	HostAliases                  []HostAlias            `json:"hostAliases,omitempty" patchStrategy:"merge" patchMergeKey:"ip"`
	PriorityClassName            string                 `json:"priorityClassName,omitempty"`
	Priority                     *int32                 `json:"priority,omitempty"`
	DNSConfig                    *PodDNSConfig          `json:"dnsConfig,omitempty"`
	ReadinessGates               []PodReadinessGate     `json:"readinessGates,omitempty"`
	RuntimeClassName             *string                `json:"runtimeClassName,omitempty"`
	EnableServiceLinks           *bool                  `json:"enableServiceLinks,omitempty"`
	PreemptionPolicy             *PreemptionPolicy      `json:"preemptionPolicy,omitempty"`
	// Overhead is the resource cost of the pod sandbox, set from its RuntimeClass.
	Overhead                  ResourceList               `json:"overhead,omitempty"`
	TopologySpreadConstraints []TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty" patchStrategy:"merge" patchMergeKey:"topologyKey"`
	SetHostnameAsFQDN         *bool                      `json:"setHostnameAsFQDN,omitempty"`
	OS                        *PodOS                     `json:"os,omitempty"`
	HostUsers                 *bool                      `json:"hostUsers,omitempty"`
	SchedulingGates           []PodSchedulingGate        `json:"schedulingGates,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	ResourceClaims            []PodResourceClaim         `json:"resourceClaims,omitempty" patchStrategy:"merge,retainKeys" patchMergeKey:"name"`
	// Resources are pod-level requests and limits (PodLevelResources).
	Resources        *ResourceRequirements `json:"resources,omitempty"`
	HostnameOverride *string               `json:"hostnameOverride,omitempty"`
	SchedulingGroup  *PodSchedulingGroup   `json:"schedulingGroup,omitempty"`
	// EvictionResponders are consulted before the pod is evicted.
	EvictionResponders []EvictionResponder `json:"evictionResponders,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
}

// PodSchedulingGroup names the PodGroup a pod is scheduled with (gang scheduling).
type PodSchedulingGroup struct {
	PodGroupName *string `json:"podGroupName,omitempty"`
}

// EvictionResponder is a party that must respond before the pod is evicted.
type EvictionResponder struct {
	Name     string `json:"name"`
	Priority *int32 `json:"priority"`
}

// RestartPolicy says when the kubelet restarts a pod's containers.
type RestartPolicy string

// The pod restart policies.
const (
	RestartPolicyAlways    RestartPolicy = "Always"
	RestartPolicyOnFailure RestartPolicy = "OnFailure"
	RestartPolicyNever     RestartPolicy = "Never"
)

// DNSPolicy says how a pod's resolv.conf is built.
type DNSPolicy string

// The DNS policies.
const (
	DNSClusterFirstWithHostNet DNSPolicy = "ClusterFirstWithHostNet"
	DNSClusterFirst            DNSPolicy = "ClusterFirst"
	DNSDefault                 DNSPolicy = "Default"
	DNSNone                    DNSPolicy = "None"
)

// PreemptionPolicy says whether a pod may preempt lower-priority pods.
type PreemptionPolicy string

// The preemption policies.
const (
	PreemptLowerPriority PreemptionPolicy = "PreemptLowerPriority"
	PreemptNever         PreemptionPolicy = "Never"
)

// Defaults the server fills into pods (see defaults_pod.go).
const (
	DefaultSchedulerName                 = "default-scheduler"
	DefaultTerminationGracePeriodSeconds = 30
	DefaultEnableServiceLinks            = true
	// DefaultHardPodAffinitySymmetricWeight is the weight the scheduler gives to the
	// symmetric side of required pod affinity.
	DefaultHardPodAffinitySymmetricWeight int32 = 1
)

// HostAlias adds lines to a pod's /etc/hosts.
type HostAlias struct {
	IP        string   `json:"ip"`
	Hostnames []string `json:"hostnames,omitempty"`
}

// PodDNSConfig adds to or replaces the DNS settings derived from DNSPolicy.
type PodDNSConfig struct {
	Nameservers []string             `json:"nameservers,omitempty"`
	Searches    []string             `json:"searches,omitempty"`
	Options     []PodDNSConfigOption `json:"options,omitempty"`
}

// PodDNSConfigOption is one resolver option ("ndots:2").
type PodDNSConfigOption struct {
	Name  string  `json:"name,omitempty"`
	Value *string `json:"value,omitempty"`
}

// PodReadinessGate adds a condition that must be True for the pod to be Ready.
type PodReadinessGate struct {
	ConditionType PodConditionType `json:"conditionType"`
}

// PodOS names the operating system the pod needs.
type PodOS struct {
	Name OSName `json:"name"`
}

// OSName is an operating system name.
type OSName string

// The operating systems.
const (
	Linux   OSName = "linux"
	Windows OSName = "windows"
)

// PodSchedulingGate holds a pod back from scheduling until removed.
type PodSchedulingGate struct {
	Name string `json:"name"`
}

// PodResourceClaim references a ResourceClaim (dynamic resource allocation).
type PodResourceClaim struct {
	Name                      string  `json:"name"`
	ResourceClaimName         *string `json:"resourceClaimName,omitempty"`
	ResourceClaimTemplateName *string `json:"resourceClaimTemplateName,omitempty"`
}
