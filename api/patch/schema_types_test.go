package patch

import "reflect"

// Small stand-ins for API kinds, with the same patch tags upstream puts on the real fields, so
// the strategic merge patch tests do not depend on the api packages.

type testMeta struct {
	Name            string            `json:"name,omitempty"`
	Namespace       string            `json:"namespace,omitempty"`
	Labels          map[string]string `json:"labels,omitempty"`
	Annotations     map[string]string `json:"annotations,omitempty"`
	OwnerReferences []testOwnerRef    `json:"ownerReferences,omitempty" patchStrategy:"merge" patchMergeKey:"uid"`
	Finalizers      []string          `json:"finalizers,omitempty" patchStrategy:"merge"`
}

type testOwnerRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	UID        string `json:"uid"`
	Controller *bool  `json:"controller,omitempty"`
}

type testTypeMeta struct {
	Kind       string `json:"kind,omitempty"`
	APIVersion string `json:"apiVersion,omitempty"`
}

type testPod struct {
	testTypeMeta `json:",inline"`
	Metadata     testMeta      `json:"metadata,omitempty"`
	Spec         testPodSpec   `json:"spec,omitempty"`
	Status       testPodStatus `json:"status,omitempty"`
}

type testPodSpec struct {
	Volumes        []testVolume      `json:"volumes,omitempty" patchStrategy:"merge,retainKeys" patchMergeKey:"name"`
	InitContainers []testContainer   `json:"initContainers,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	Containers     []testContainer   `json:"containers" patchStrategy:"merge" patchMergeKey:"name"`
	NodeSelector   map[string]string `json:"nodeSelector,omitempty"`
	Tolerations    []testToleration  `json:"tolerations,omitempty"`
	NodeName       string            `json:"nodeName,omitempty"`
}

type testVolume struct {
	Name              string `json:"name"`
	*testVolumeSource `json:",inline"`
}

type testVolumeSource struct {
	EmptyDir  *struct{}          `json:"emptyDir,omitempty"`
	ConfigMap *testConfigMapVol  `json:"configMap,omitempty"`
	HostPath  *map[string]string `json:"hostPath,omitempty"`
}

type testConfigMapVol struct {
	Name  string            `json:"name,omitempty"`
	Items []testKeyToPath   `json:"items,omitempty"`
	Extra map[string]string `json:"extra,omitempty"`
}

type testKeyToPath struct {
	Key  string `json:"key"`
	Path string `json:"path"`
}

type testContainer struct {
	Name      string            `json:"name"`
	Image     string            `json:"image,omitempty"`
	Command   []string          `json:"command,omitempty"`
	Args      []string          `json:"args,omitempty"`
	Ports     []testPort        `json:"ports,omitempty" patchStrategy:"merge" patchMergeKey:"containerPort"`
	Env       []testEnv         `json:"env,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	Resources testResources     `json:"resources,omitempty"`
	Extra     map[string]string `json:"extra,omitempty"`
}

type testPort struct {
	Name          string `json:"name,omitempty"`
	ContainerPort int32  `json:"containerPort"`
	Protocol      string `json:"protocol,omitempty" patchStrategy:"replace"`
}

type testEnv struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}

type testResources struct {
	Limits   map[string]string `json:"limits,omitempty"`
	Requests map[string]string `json:"requests,omitempty"`
}

type testToleration struct {
	Key      string `json:"key,omitempty"`
	Operator string `json:"operator,omitempty"`
	Effect   string `json:"effect,omitempty"`
}

type testPodStatus struct {
	Phase      string          `json:"phase,omitempty"`
	Conditions []testCondition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

type testCondition struct {
	Type   string `json:"type"`
	Status string `json:"status"`
}

type testDeployment struct {
	testTypeMeta `json:",inline"`
	Metadata     testMeta           `json:"metadata,omitempty"`
	Spec         testDeploymentSpec `json:"spec,omitempty"`
}

type testDeploymentSpec struct {
	Replicas *int32             `json:"replicas,omitempty"`
	Selector *testLabelSelector `json:"selector"`
	Template testTemplate       `json:"template"`
	Strategy testStrategy       `json:"strategy,omitempty" patchStrategy:"retainKeys"`
}

type testLabelSelector struct {
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}

type testTemplate struct {
	Metadata testMeta    `json:"metadata,omitempty"`
	Spec     testPodSpec `json:"spec,omitempty"`
}

type testStrategy struct {
	Type          string             `json:"type,omitempty"`
	RollingUpdate *testRollingUpdate `json:"rollingUpdate,omitempty"`
}

type testRollingUpdate struct {
	MaxUnavailable *string `json:"maxUnavailable,omitempty"`
	MaxSurge       *string `json:"maxSurge,omitempty"`
}

// testSchemas are the types a testdata case can name in its "schema" field.
var testSchemas = map[string]reflect.Type{
	"pod":        reflect.TypeOf(testPod{}),
	"deployment": reflect.TypeOf(&testDeployment{}),
	"none":       nil,
}
