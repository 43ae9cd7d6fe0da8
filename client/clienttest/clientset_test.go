package clienttest

import (
	"testing"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	autoscalingv1 "github.com/skiff-k8s/skiff/api/autoscaling/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

func TestPodBinding(t *testing.T) {
	f := New(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web-0"}})
	pods := f.Clientset().Pods("default")
	binding := &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Name: "web-0", Namespace: "default"},
		Target:     corev1.ObjectReference{Kind: "Node", Name: "node-1"},
	}
	if err := pods.Bind(ctx, binding); err != nil {
		t.Fatal(err)
	}
	p, _ := pods.Get(ctx, "web-0")
	if p.Spec.NodeName != "node-1" {
		t.Errorf("nodeName = %q", p.Spec.NodeName)
	}
	found := false
	for _, c := range p.Status.Conditions {
		found = found || (c.Type == "PodScheduled" && c.Status == "True")
	}
	if !found {
		t.Errorf("conditions = %+v", p.Status.Conditions)
	}
	err := pods.Bind(ctx, binding)
	if !rest.IsConflict(err) || err.Error() != `Operation cannot be fulfilled on pods/binding "web-0": pod web-0 is already assigned to node "node-1"` {
		t.Errorf("second bind: %v", err)
	}
	w := Writes(f.Actions())
	if len(w) != 2 || w[0].String() != "create pods/binding default/web-0" {
		t.Errorf("writes = %v", w)
	}
	sent, _ := ActionObject[corev1.Binding](w[0])
	if sent.Kind != "Binding" || sent.APIVersion != "v1" || sent.Target.Name != "node-1" {
		t.Errorf("binding body = %+v", sent)
	}
}

func TestDeploymentScale(t *testing.T) {
	two := int32(2)
	f := New(&appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &two,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		},
	})
	deployments := f.Clientset().Deployments("default")
	scale, err := deployments.GetScale(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	if scale.Spec.Replicas != 2 || scale.Status.Selector != "app=web" || scale.Name != "web" {
		t.Errorf("scale = %+v", scale)
	}
	scale.Spec.Replicas = 4
	if _, err := deployments.UpdateScale(ctx, "web", scale); err != nil {
		t.Fatal(err)
	}
	d, _ := deployments.Get(ctx, "web")
	if *d.Spec.Replicas != 4 {
		t.Errorf("replicas = %d", *d.Spec.Replicas)
	}
	// The HPA's path: resolve the scale target's kind, then scale through Scales.
	info, ok := client.ResourceInfoForKind("apps/v1", "Deployment")
	if !ok {
		t.Fatal("Deployment not declared")
	}
	if _, err := f.Clientset().Scales("default").Update(ctx, info, &autoscalingv1.Scale{
		ObjectMeta: metav1.ObjectMeta{Name: "web", ResourceVersion: "1"},
		Spec:       autoscalingv1.ScaleSpec{Replicas: 9},
	}); !rest.IsConflict(err) {
		t.Errorf("stale scale update: %v", err)
	}
	if got := Writes(f.Actions()); len(got) != 2 || got[0].String() != "update deployments.apps/scale default/web" {
		t.Errorf("writes = %v", got)
	}
}
