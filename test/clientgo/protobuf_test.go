package clientgo_test

import (
	"net/http"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
)

const protobufType = "application/vnd.kubernetes.protobuf"

// TestProtobufRequests uses client-go's default content types: the generated clients send
// built-in kinds (and DeleteOptions, Scale, Binding) as protobuf and accept protobuf or
// JSON. The whole CRUD walk and the subresource writes must work that way too.
func TestProtobufRequests(t *testing.T) {
	log := &requestLog{}
	cfg := defaultRestConfig(t)
	cfg.Wrap(log.wrap)
	cs := clientsetFor(t, cfg)

	crudAllKinds(t, cs)

	t.Run("subresources", func(t *testing.T) {
		ns := newNamespace(t, cs)
		ctx := ctxFor(t)
		pods := cs.CoreV1().Pods(ns)
		p, err := pods.Create(ctx, simplePod("p", nil), metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("create pod: %v", err)
		}
		p.Status.Phase = corev1.PodRunning
		if _, err := pods.UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
			t.Errorf("update pod status: %v", err)
		}
		if err := pods.Bind(ctx, &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Target: corev1.ObjectReference{Kind: "Node", Name: "n"}}, metav1.CreateOptions{}); err != nil {
			t.Errorf("bind: %v", err)
		}
		deploys := cs.AppsV1().Deployments(ns)
		if _, err := deploys.Create(ctx, simpleDeployment("web"), metav1.CreateOptions{}); err != nil {
			t.Fatalf("create deployment: %v", err)
		}
		err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
			scale, err := deploys.GetScale(ctx, "web", metav1.GetOptions{})
			if err != nil {
				return err
			}
			scale.Spec.Replicas = 2
			_, err = deploys.UpdateScale(ctx, "web", scale, metav1.UpdateOptions{})
			return err
		})
		if err != nil {
			t.Errorf("scale: %v", err)
		}
		if err := deploys.Delete(ctx, "web", metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationForeground)}); err != nil {
			t.Errorf("delete with options: %v", err)
		}
		if err := pods.DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}, metav1.ListOptions{}); err != nil {
			t.Errorf("deletecollection: %v", err)
		}
	})

	// Make sure the bodies really were protobuf. (Bind is the exception: client-go sends
	// Bindings as JSON.)
	log.mu.Lock()
	defer log.mu.Unlock()
	sent := 0
	for _, r := range log.reqs {
		if (r.Method == http.MethodPost || r.Method == http.MethodPut) && !strings.HasSuffix(r.URL.Path, "/binding") {
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, protobufType) {
				t.Errorf("%s %s was sent as %q, want protobuf", r.Method, r.URL.Path, ct)
			}
			sent++
		}
	}
	if sent == 0 {
		t.Errorf("no request bodies were sent")
	}
}
