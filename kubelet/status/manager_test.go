package status

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/clienttest"
	"github.com/skiff-k8s/skiff/kubelet/cri"
)

func TestManagerPatchesOnlyChanges(t *testing.T) {
	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", UID: "u1"},
		Spec:       corev1.PodSpec{NodeName: "n", Containers: []corev1.Container{{Name: "a", Image: "img"}}},
		Status: corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue},
		}},
	}
	api := clienttest.New(pod)
	cs := client.NewClientset(api)
	m := NewManager(cs)
	cur, _ := cs.Pods("default").Get(context.Background(), "web")

	rt := &cri.PodStatus{Sandboxes: []*cri.Sandbox{{Ready: true, IPs: []string{"10.0.0.9"}}}, Containers: []*cri.Container{{ID: "c", Name: "a", State: cri.ContainerRunning}}}
	st := Compute(Input{Pod: cur, Runtime: rt, HostIPs: []string{"192.0.2.1"}, Now: time.Now()})
	updated, err := m.Sync(context.Background(), cur, st)
	if err != nil || updated == nil {
		t.Fatalf("first sync: %v %v", updated, err)
	}
	writes := clienttest.Writes(api.Actions())
	if len(writes) != 1 || writes[0].String() != "patch pods/status default/web" || writes[0].PatchType != string(client.StrategicMergePatchType) {
		t.Fatalf("writes %v", writes)
	}
	body := string(writes[0].Body)
	for _, want := range []string{`"uid":"u1"`, `"$setElementOrder/conditions"`, `"phase":"Running"`, `{"$patch":"replace"}`} {
		if !strings.Contains(body, want) {
			t.Errorf("patch lacks %s: %s", want, body)
		}
	}
	if updated.Status.Phase != corev1.PodRunning || updated.Status.PodIP != "10.0.0.9" {
		t.Errorf("stored status %+v", updated.Status)
	}
	// The scheduler's condition survived the merge (its place after the kubelet's comes
	// from $setElementOrder, which the in-memory API ignores).
	scheduled := false
	for _, c := range updated.Status.Conditions {
		scheduled = scheduled || c.Type == corev1.PodScheduled
	}
	if n := len(updated.Status.Conditions); n != 5 || !scheduled {
		t.Errorf("conditions %+v", updated.Status.Conditions)
	}

	// Same status again, against the stored pod or the stale informer copy: no write.
	again := Compute(Input{Pod: updated, Runtime: rt, HostIPs: []string{"192.0.2.1"}, Now: time.Now().Add(time.Minute)})
	if w, err := m.Sync(context.Background(), updated, again); w != nil || err != nil {
		t.Errorf("unchanged status written again: %v %v", w, err)
	}
	if w, _ := m.Sync(context.Background(), cur, st); w != nil {
		t.Errorf("status written twice while the informer lags")
	}
	if n := len(clienttest.Writes(api.Actions())); n != 1 {
		t.Errorf("%d writes, want 1", n)
	}
}
