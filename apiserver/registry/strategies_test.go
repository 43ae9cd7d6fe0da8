package registry

import (
	"testing"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	autoscalingv1 "github.com/skiff-k8s/skiff/api/autoscaling/v1"
	autoscalingv2 "github.com/skiff-k8s/skiff/api/autoscaling/v2"
	coordinationv1 "github.com/skiff-k8s/skiff/api/coordination/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"sigs.k8s.io/yaml"
)

func decode[T any](t *testing.T, manifest string) *T {
	t.Helper()
	out := new(T)
	if err := yaml.UnmarshalStrict([]byte(manifest), out); err != nil {
		t.Fatal(err)
	}
	return out
}

const deploymentManifest = `{metadata: {name: web, namespace: default, resourceVersion: "1"},
	spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: nginx}]}}}}`

// Deployments bump generation on spec and annotation changes (seen on kube-apiserver
// v1.37.2: `kubectl annotate` moves it, `kubectl label` does not).
func TestDeploymentGeneration(t *testing.T) {
	s := deploymentStrategy{}
	old := decode[appsv1.Deployment](t, deploymentManifest)
	s.Default(old)
	s.PrepareForCreate(old)
	old.Status.Replicas = 1

	for _, tc := range []struct {
		name   string
		change func(*appsv1.Deployment)
		want   int64
	}{
		{"label", func(d *appsv1.Deployment) { d.Labels = map[string]string{"x": "y"} }, 1},
		{"annotation", func(d *appsv1.Deployment) { d.Annotations = map[string]string{"foo": "bar"} }, 2},
		{"replicas", func(d *appsv1.Deployment) { n := int32(3); d.Spec.Replicas = &n }, 2},
		{"status only", func(d *appsv1.Deployment) { d.Status.Replicas = 7 }, 1},
	} {
		upd := old.DeepCopy()
		upd.Generation = 99 // clients cannot set it
		tc.change(upd)
		s.PrepareForUpdate(upd, old)
		if upd.Generation != tc.want || upd.Status.Replicas != 1 {
			t.Errorf("%s: generation %d, status.replicas %d", tc.name, upd.Generation, upd.Status.Replicas)
		}
		if errs := s.ValidateUpdate(upd, old); len(errs) > 0 {
			t.Errorf("%s: %s", tc.name, errs.String())
		}
	}

	// The status path keeps spec and, for deployments, labels.
	st := old.DeepCopy()
	st.Labels = map[string]string{"s": "1"}
	st.Spec.Paused = true
	st.Status.ReadyReplicas = 1
	s.PrepareForStatusUpdate(st, old)
	if st.Labels != nil || st.Spec.Paused || st.Status.ReadyReplicas != 1 {
		t.Errorf("deployment status update: labels %v paused %v", st.Labels, st.Spec.Paused)
	}
}

func TestReplicaSetStatusUpdateTakesLabels(t *testing.T) {
	s := replicaSetStrategy{}
	old := decode[appsv1.ReplicaSet](t, `{metadata: {name: rs, namespace: default}, spec: {selector: {matchLabels: {a: b}},
		template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: nginx}]}}}}`)
	s.Default(old)
	s.PrepareForCreate(old)
	st := old.DeepCopy()
	st.Labels = map[string]string{"s": "1"}
	n := int32(5)
	st.Spec.Replicas = &n
	st.Status.Replicas = 1
	s.PrepareForStatusUpdate(st, old)
	if st.Labels["s"] != "1" || *st.Spec.Replicas != 1 || st.Status.Replicas != 1 || st.Generation != 1 {
		t.Errorf("replicaset status update: %+v", st)
	}
}

func TestScaleHooks(t *testing.T) {
	for _, r := range All() {
		if r.Scale == nil {
			continue
		}
		obj := r.New()
		manifest := `{metadata: {name: x}, spec: {replicas: 2, selector: {matchLabels: {app: web, tier: front},
			matchExpressions: [{key: env, operator: In, values: [b, a]}]}}, status: {replicas: 1}}`
		if err := yaml.Unmarshal([]byte(manifest), obj); err != nil {
			t.Fatal(err)
		}
		spec, status, sel := r.Scale.Get(obj)
		if spec != 2 || status != 1 || sel != "app=web,env in (a,b),tier=front" {
			t.Errorf("%s: Get = %d %d %q", r.Name, spec, status, sel)
		}
		r.Scale.SetReplicas(obj, 7)
		if spec, _, _ := r.Scale.Get(obj); spec != 7 {
			t.Errorf("%s: SetReplicas did not stick", r.Name)
		}
	}
}

func TestNamespaceLifecycle(t *testing.T) {
	s := namespaceStrategy{}
	ns := decode[corev1.Namespace](t, `{metadata: {name: demo}, spec: {finalizers: [example.com/x]}}`)
	s.Default(ns)
	s.PrepareForCreate(ns)
	if ns.Status.Phase != corev1.NamespaceActive || mustJSON(ns.Spec.Finalizers) != `["example.com/x","kubernetes"]` {
		t.Fatalf("created namespace: %+v", ns)
	}

	// Updates cannot touch spec.finalizers or status; /finalize can.
	upd := ns.DeepCopy()
	upd.Spec.Finalizers = nil
	upd.Status.Phase = corev1.NamespaceTerminating
	s.PrepareForUpdate(upd, ns)
	if len(upd.Spec.Finalizers) != 2 || upd.Status.Phase != corev1.NamespaceActive {
		t.Errorf("update changed finalizers or status: %+v", upd)
	}
	fin := ns.DeepCopy()
	fin.Spec.Finalizers = nil
	fin.Status.Phase = corev1.NamespaceTerminating
	PrepareNamespaceFinalize(fin, ns)
	if len(fin.Spec.Finalizers) != 0 || fin.Status.Phase != corev1.NamespaceActive {
		t.Errorf("finalize: %+v", fin)
	}

	// First DELETE marks it Terminating; later ones wait for the finalizers.
	foreground := metav1.DeletePropagationForeground
	del := ns.DeepCopy()
	remove, write := s.BeginDelete(del, &metav1.DeleteOptions{PropagationPolicy: &foreground})
	if remove || !write || del.DeletionTimestamp == nil || del.Status.Phase != corev1.NamespaceTerminating ||
		mustJSON(del.Finalizers) != `["foregroundDeletion"]` {
		t.Fatalf("first delete: remove=%v write=%v %+v", remove, write, del.ObjectMeta)
	}
	if remove, write := s.BeginDelete(del.DeepCopy(), nil); remove || write {
		t.Errorf("second delete with finalizers left: remove=%v write=%v", remove, write)
	}
	if s.MayRemove(del) {
		t.Error("MayRemove with spec.finalizers left")
	}
	del.Spec.Finalizers = nil
	if remove, _ := s.BeginDelete(del, nil); !remove || !s.MayRemove(del) {
		t.Error("emptied terminating namespace not removable")
	}
}

func TestSecretStringDataOnUpdate(t *testing.T) {
	s := secretStrategy{}
	old := decode[corev1.Secret](t, `{metadata: {name: s, namespace: default, resourceVersion: "1"}, type: kubernetes.io/basic-auth, data: {username: YQ==}}`)
	s.Default(old)
	upd := decode[corev1.Secret](t, `{metadata: {name: s, namespace: default, resourceVersion: "1"}, type: kubernetes.io/basic-auth, data: {username: YQ==}, stringData: {password: pw}}`)
	s.Default(upd)
	s.PrepareForUpdate(upd, old)
	if string(upd.Data["password"]) != "pw" || upd.StringData != nil || upd.Type != corev1.SecretTypeBasicAuth {
		t.Errorf("secret update: %+v", upd)
	}
	if errs := s.ValidateUpdate(upd, old); len(errs) > 0 {
		t.Error(errs.String())
	}
}

// The HPA strategy accepts v1 objects too (converting through the stored v2 form).
func TestHPAStrategyOnV1Objects(t *testing.T) {
	s := hpaStrategy{}
	v1 := decode[autoscalingv1.HorizontalPodAutoscaler](t, `{metadata: {name: h, namespace: default},
		spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, maxReplicas: 4, targetCPUUtilizationPercentage: 70},
		status: {currentReplicas: 3, desiredReplicas: 3}}`)
	s.Default(v1)
	s.PrepareForCreate(v1)
	if v1.Generation != 1 || v1.Status.CurrentReplicas != 0 || *v1.Spec.MinReplicas != 1 || *v1.Spec.TargetCPUUtilizationPercentage != 70 {
		t.Fatalf("v1 create: %+v", v1)
	}
	if errs := s.Validate(v1); len(errs) > 0 {
		t.Fatal(errs.String())
	}
	upd := v1.DeepCopy()
	upd.ResourceVersion, v1.ResourceVersion = "1", "1"
	upd.Spec.MaxReplicas = 6
	s.PrepareForUpdate(upd, v1)
	if upd.Generation != 2 {
		t.Errorf("v1 update generation %d", upd.Generation)
	}
	if errs := s.ValidateUpdate(upd, v1); len(errs) > 0 {
		t.Error(errs.String())
	}

	v2 := decode[autoscalingv2.HorizontalPodAutoscaler](t, `{metadata: {name: h, namespace: default},
		spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, maxReplicas: 4}}`)
	s.Default(v2)
	if len(v2.Spec.Metrics) != 1 || *v2.Spec.Metrics[0].Resource.Target.AverageUtilization != 80 {
		t.Errorf("v2 default metric: %+v", v2.Spec.Metrics)
	}
}

func TestNodeCreateAndStatus(t *testing.T) {
	s := nodeStrategy{}
	node := decode[corev1.Node](t, `{metadata: {name: n1}, spec: {taints: [{key: node.kubernetes.io/not-ready, effect: NoSchedule}]},
		status: {conditions: [{type: Ready, status: "True"}]}}`)
	s.Default(node)
	s.PrepareForCreate(node)
	if len(node.Spec.Taints) != 1 || len(node.Status.Conditions) != 1 {
		t.Fatalf("node create: taints %v, status kept? %v", node.Spec.Taints, node.Status.Conditions)
	}
	st := node.DeepCopy()
	st.Spec.Unschedulable = true
	st.Status.Conditions[0].Status = "False"
	s.PrepareForStatusUpdate(st, node)
	if st.Spec.Unschedulable || st.Status.Conditions[0].Status != "False" {
		t.Errorf("node status update: %+v", st)
	}
}

func TestLeaseDropsCoordinatedFields(t *testing.T) {
	s := leaseStrategy{}
	l := decode[coordinationv1.Lease](t, `{metadata: {name: l, namespace: default}, spec: {holderIdentity: me, preferredHolder: you, strategy: OldestEmulationVersion}}`)
	s.PrepareForCreate(l)
	if l.Spec.PreferredHolder != nil || l.Spec.Strategy != nil || *l.Spec.HolderIdentity != "me" {
		t.Errorf("lease: %+v", l.Spec)
	}
	if !s.AllowCreateOnUpdate() {
		t.Error("leases are created by PUT upstream")
	}
}

func TestServiceAccountSecretsReducedToNames(t *testing.T) {
	sa := decode[corev1.ServiceAccount](t, `{metadata: {name: sa, namespace: default}, secrets: [{name: tok, namespace: default, uid: u}]}`)
	serviceAccountStrategy{}.PrepareForCreate(sa)
	if mustJSON(sa.Secrets) != `[{"name":"tok"}]` {
		t.Errorf("secrets: %s", mustJSON(sa.Secrets))
	}
}

func TestAllowCreateOnUpdate(t *testing.T) {
	want := map[string]bool{"services": true, "endpoints": true, "events": true, "leases": true}
	for _, r := range All() {
		if got := r.Strategy.AllowCreateOnUpdate(); got != want[r.Name] {
			t.Errorf("%s: AllowCreateOnUpdate %v", r.Name, got)
		}
	}
}
