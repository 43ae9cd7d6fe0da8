package endpoints_test

import (
	"context"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/intstr"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/controllers/manager"
	"github.com/skiff-k8s/skiff/testenv"
)

// TestAgainstAPIServer runs the controller (through the manager) against an in-process
// API server, playing the kubelet's part by writing pod statuses.
func TestAgainstAPIServer(t *testing.T) {
	env := testenv.Start(t)
	cs, err := client.NewForConfig(&rest.Config{Host: env.URL}, "endpoints-test")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- manager.Run(ctx, manager.Config{Clientset: cs, Controllers: []string{"endpoints"}}) }()
	defer func() { cancel(); <-done }()

	pods := cs.Pods("default")
	pod, err := pods.Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-1", Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{
			Name: "app", Image: "nginx", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	setStatus := func(ready corev1.ConditionStatus) {
		t.Helper()
		p, err := pods.Get(ctx, "web-1")
		if err != nil {
			t.Fatal(err)
		}
		p.Status.Phase = corev1.PodRunning
		p.Status.PodIP, p.Status.PodIPs = "10.244.0.7", []corev1.PodIP{{IP: "10.244.0.7"}}
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: ready}}
		if _, err := pods.UpdateStatus(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	setStatus(corev1.ConditionTrue)

	if _, err := cs.Services("default").Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Labels: map[string]string{"tier": "front"}},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http")}}},
	}); err != nil {
		t.Fatal(err)
	}
	var ep *corev1.Endpoints
	eventually(t, "endpoints with the ready pod", func() bool {
		ep, err = cs.Endpoints("default").Get(ctx, "web")
		return err == nil && len(ep.Subsets) == 1 && len(ep.Subsets[0].Addresses) == 1
	})
	s := ep.Subsets[0]
	if a := s.Addresses[0]; a.IP != "10.244.0.7" || a.NodeName == nil || *a.NodeName != "node-1" ||
		a.TargetRef == nil || a.TargetRef.Kind != "Pod" || a.TargetRef.UID != pod.UID {
		t.Errorf("address %+v", a)
	}
	if p := s.Ports[0]; p.Name != "http" || p.Port != 8080 || p.Protocol != corev1.ProtocolTCP {
		t.Errorf("port %+v", p)
	}
	if ep.Labels["tier"] != "front" {
		t.Errorf("labels %v", ep.Labels)
	}

	setStatus(corev1.ConditionFalse)
	eventually(t, "the pod moved to notReadyAddresses", func() bool {
		ep, err = cs.Endpoints("default").Get(ctx, "web")
		return err == nil && len(ep.Subsets) == 1 && len(ep.Subsets[0].Addresses) == 0 && len(ep.Subsets[0].NotReadyAddresses) == 1
	})

	if err := cs.Services("default").Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the endpoints deleted with the service", func() bool {
		_, err := cs.Endpoints("default").Get(ctx, "web")
		return rest.IsNotFound(err)
	})
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
