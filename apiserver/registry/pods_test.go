package registry

import (
	"testing"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"sigs.k8s.io/yaml"
)

func newPod(t *testing.T, manifest string) *corev1.Pod {
	t.Helper()
	pod := &corev1.Pod{}
	if err := yaml.UnmarshalStrict([]byte(manifest), pod); err != nil {
		t.Fatal(err)
	}
	pod.Namespace = "default"
	podStrategy{}.Default(pod)
	return pod
}

// The messages were taken from kube-apiserver v1.37.2 answering the same requests.
func TestPodAdmitMatchesUpstream(t *testing.T) {
	for _, tc := range []struct {
		manifest, message string
		name              string
	}{
		{`{metadata: {name: pc}, spec: {priorityClassName: nope, containers: [{name: a, image: x}]}}`,
			`pods "pc" is forbidden: no PriorityClass with name nope was found`, "pc"},
		{`{metadata: {generateName: pc-}, spec: {priority: 5, containers: [{name: a, image: x}]}}`,
			`pods "pc-" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name`, "pc-"},
		{`{metadata: {name: pp}, spec: {preemptionPolicy: Never, containers: [{name: a, image: x}]}}`,
			`pods "pp" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name`, "pp"},
	} {
		err := podStrategy{}.Admit(newPod(t, tc.manifest), nil)
		st, ok := err.(*metav1.Status)
		if !ok {
			t.Errorf("%s: err %v", tc.manifest, err)
			continue
		}
		if st.Code != 403 || st.Reason != metav1.StatusReasonForbidden || st.Message != tc.message ||
			st.Details == nil || st.Details.Kind != "pods" || st.Details.Name != tc.name {
			t.Errorf("%s: got %+v %+v", tc.manifest, st, st.Details)
		}
	}
	ok := newPod(t, `{metadata: {name: ok}, spec: {priorityClassName: system-cluster-critical, priority: 2000000000, containers: [{name: a, image: x}]}}`)
	if err := (podStrategy{}).Admit(ok, nil); err != nil {
		t.Errorf("matching priority refused: %v", err)
	}
	if err := (podStrategy{}).Admit(ok, ok); err != nil {
		t.Errorf("update refused: %v", err)
	}
}

func TestPodUpdate(t *testing.T) {
	old := newPod(t, `{metadata: {name: web, resourceVersion: "1"}, spec: {containers: [{name: a, image: nginx}]}}`)
	podStrategy{}.PrepareForCreate(old)
	old.Status.Phase = corev1.PodRunning

	// A client that drops status, priority and the default tolerations changes nothing but
	// what it meant to (the image here), and generation moves.
	upd := newPod(t, `{metadata: {name: web, resourceVersion: "1"}, spec: {containers: [{name: a, image: "nginx:latest"}]}}`)
	upd.Spec.ServiceAccountName, upd.Spec.DeprecatedServiceAccount = "default", "default"
	upd.Spec.PreemptionPolicy = nil
	podStrategy{}.PrepareForUpdate(upd, old)
	if upd.Status.Phase != corev1.PodRunning || upd.Spec.Priority == nil || *upd.Spec.Priority != 0 ||
		upd.Spec.PreemptionPolicy == nil || len(upd.Spec.Tolerations) != 2 {
		t.Fatalf("update lost server fields: %+v", upd.Spec)
	}
	if upd.Generation != 2 {
		t.Errorf("generation %d after an image change, want 2", upd.Generation)
	}
	if errs := (podStrategy{}).ValidateUpdate(upd, old); len(errs) > 0 {
		t.Errorf("ValidateUpdate: %s", errs.String())
	}

	same := old.DeepCopy()
	same.Labels = map[string]string{"x": "y"}
	podStrategy{}.PrepareForUpdate(same, old)
	if same.Generation != 1 {
		t.Errorf("generation %d after a label change, want 1", same.Generation)
	}
}

func TestPodStatusUpdate(t *testing.T) {
	old := newPod(t, `{metadata: {name: web}, spec: {containers: [{name: a, image: nginx}]}}`)
	podStrategy{}.PrepareForCreate(old)
	old.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "rs", UID: "u"}}
	old.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: "False", ObservedGeneration: 1}}

	upd := old.DeepCopy()
	upd.Spec.Containers[0].Image = "changed"
	upd.OwnerReferences = nil
	upd.Labels = map[string]string{"s": "1"}
	upd.Status = corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "10.1.0.5",
		Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: "True"}}}
	podStrategy{}.PrepareForStatusUpdate(upd, old)
	if upd.Spec.Containers[0].Image != "nginx" || len(upd.OwnerReferences) != 1 {
		t.Error("status update changed spec or owner references")
	}
	if upd.Labels["s"] != "1" {
		t.Error("status update may change labels upstream")
	}
	if upd.Status.QOSClass != corev1.PodQOSBestEffort || upd.Status.Conditions[0].ObservedGeneration != 1 {
		t.Errorf("status update lost qosClass or observedGeneration: %+v", upd.Status)
	}
}

func TestPodGracePeriod(t *testing.T) {
	thirty, five, neg := int64(30), int64(5), int64(-3)
	for _, tc := range []struct {
		node      string
		phase     corev1.PodPhase
		requested *int64
		want      int64
	}{
		{"", corev1.PodPending, nil, 0},
		{"n1", corev1.PodRunning, nil, 30},
		{"n1", corev1.PodRunning, &five, 5},
		{"n1", corev1.PodRunning, &neg, 1},
		{"n1", corev1.PodSucceeded, &thirty, 0},
	} {
		pod := &corev1.Pod{Spec: corev1.PodSpec{NodeName: tc.node, TerminationGracePeriodSeconds: &thirty},
			Status: corev1.PodStatus{Phase: tc.phase}}
		if got := (podStrategy{}).GracePeriod(pod, tc.requested); got != tc.want {
			t.Errorf("%+v: got %d", tc, got)
		}
	}
}

func TestBindPod(t *testing.T) {
	pod := newPod(t, `{metadata: {name: web}, spec: {containers: [{name: a, image: nginx}]}}`)
	podStrategy{}.PrepareForCreate(pod)
	b := &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: "web", Annotations: map[string]string{"a": "b"}},
		Target: corev1.ObjectReference{Kind: "Node", Name: "node-1"}}
	if err := BindPod(pod, b); err != nil {
		t.Fatal(err)
	}
	if pod.Spec.NodeName != "node-1" || pod.Annotations["a"] != "b" || len(pod.Status.Conditions) != 1 ||
		pod.Status.Conditions[0].Type != corev1.PodScheduled || pod.Status.Conditions[0].Status != corev1.ConditionTrue {
		t.Fatalf("bound pod: %+v", pod)
	}
	if err := BindPod(pod, b); err == nil || err.Error() != `pod web is already assigned to node "node-1"` {
		t.Fatalf("second bind: %v", err)
	}
}

func TestPodFieldLabels(t *testing.T) {
	pod := newPod(t, `{metadata: {name: web}, spec: {nodeName: n1, containers: [{name: a, image: nginx}]},
		status: {phase: Running, podIPs: [{ip: 10.1.0.5}]}}`)
	got := podFieldLabels(pod)
	want := map[string]string{"spec.nodeName": "n1", "spec.restartPolicy": "Always", "spec.schedulerName": "default-scheduler",
		"spec.serviceAccountName": "", "spec.hostNetwork": "false", "status.phase": "Running", "status.podIP": "10.1.0.5",
		"status.podIPs": "", "status.nominatedNodeName": ""}
	if mustJSON(got) != mustJSON(want) {
		t.Errorf("got %v", got)
	}
}

func TestMatchLabelKeysFolded(t *testing.T) {
	pod := newPod(t, `{metadata: {name: web, labels: {app: web, track: stable}}, spec: {containers: [{name: a, image: nginx}],
		affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [
			{topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}, matchLabelKeys: [track], mismatchLabelKeys: [missing]}]}},
		topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {}, matchLabelKeys: [app]}]}}`)
	podStrategy{}.PrepareForCreate(pod)
	term := pod.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution[0]
	if got := mustJSON(term.LabelSelector.MatchExpressions); got != `[{"key":"track","operator":"In","values":["stable"]}]` {
		t.Errorf("affinity term: %s", got)
	}
	if got := mustJSON(pod.Spec.TopologySpreadConstraints[0].LabelSelector.MatchExpressions); got != `[{"key":"app","operator":"In","values":["web"]}]` {
		t.Errorf("spread constraint: %s", got)
	}
}
