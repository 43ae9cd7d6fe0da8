package clientgo_test

import (
	"context"
	"encoding/json"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
)

// TestStatusSubresource: the main resource ignores status, the status subresource ignores
// everything but status.
func TestStatusSubresource(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)

	t.Run("deployment", func(t *testing.T) {
		deploys := cs.AppsV1().Deployments(ns)
		if _, err := deploys.Create(ctx, simpleDeployment("web"), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		var afterStatus *appsv1.Deployment
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			d, err := deploys.Get(ctx, "web", metav1.GetOptions{})
			if err != nil {
				return err
			}
			d.Spec.Replicas = ptr.To[int32](5)
			d.Status = appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 1, AvailableReplicas: 1}
			afterStatus, err = deploys.UpdateStatus(ctx, d, metav1.UpdateOptions{})
			return err
		})
		if err != nil {
			t.Fatalf("update status: %v", err)
		}
		expectEqual(t, "spec.replicas after a status update", ptr.Deref(afterStatus.Spec.Replicas, -1), 0)
		expectEqual(t, "status.replicas after a status update", afterStatus.Status.Replicas, 2)
		expectEqual(t, "generation after a status update", afterStatus.Generation, 1)

		var afterUpdate *appsv1.Deployment
		err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
			d, err := deploys.Get(ctx, "web", metav1.GetOptions{})
			if err != nil {
				return err
			}
			before := d.Status.Replicas
			d.Spec.Replicas = ptr.To[int32](3)
			d.Status.Replicas = 9
			afterUpdate, err = deploys.Update(ctx, d, metav1.UpdateOptions{})
			if err == nil && afterUpdate.Status.Replicas != before {
				t.Errorf("status.replicas after an update = %d, want it unchanged (%d)", afterUpdate.Status.Replicas, before)
			}
			return err
		})
		if err != nil {
			t.Fatalf("update: %v", err)
		}
		expectEqual(t, "spec.replicas after an update", ptr.Deref(afterUpdate.Spec.Replicas, -1), 3)
		expectEqual(t, "generation after a spec change", afterUpdate.Generation, 2)
	})

	t.Run("pod", func(t *testing.T) {
		pods := cs.CoreV1().Pods(ns)
		p, err := pods.Create(ctx, simplePod("p", nil), metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		p.Spec.ActiveDeadlineSeconds = ptr.To[int64](60)
		p.Status.Phase = corev1.PodRunning
		p.Status.PodIP = "10.244.0.7"
		p.Status.PodIPs = []corev1.PodIP{{IP: "10.244.0.7"}}
		got, err := pods.UpdateStatus(ctx, p, metav1.UpdateOptions{})
		if err != nil {
			t.Fatalf("update pod status: %v", err)
		}
		expectEqual(t, "status.phase", got.Status.Phase, corev1.PodRunning)
		expectEqual(t, "status.podIP", got.Status.PodIP, "10.244.0.7")
		if got.Spec.ActiveDeadlineSeconds != nil {
			t.Errorf("spec.activeDeadlineSeconds = %d after a status update, want it ignored", *got.Spec.ActiveDeadlineSeconds)
		}

		got.Status.Phase = corev1.PodFailed
		got.Spec.ActiveDeadlineSeconds = ptr.To[int64](60)
		updated, err := pods.Update(ctx, got, metav1.UpdateOptions{})
		if err != nil {
			t.Fatalf("update pod: %v", err)
		}
		expectEqual(t, "status.phase after an update", updated.Status.Phase, corev1.PodRunning)
		expectEqual(t, "spec.activeDeadlineSeconds after an update", ptr.Deref(updated.Spec.ActiveDeadlineSeconds, -1), 60)
	})
}

// scaleClient is what the deployments' and replicasets' clients offer for /scale.
type scaleClient interface {
	GetScale(ctx context.Context, name string, opts metav1.GetOptions) (*autoscalingv1.Scale, error)
	UpdateScale(ctx context.Context, name string, scale *autoscalingv1.Scale, opts metav1.UpdateOptions) (*autoscalingv1.Scale, error)
}

func TestScaleSubresource(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, simpleDeployment("web"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.AppsV1().ReplicaSets(ns).Create(ctx, simpleReplicaSet("rs", 0), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	specReplicas := map[string]func() (int32, error){
		"deployments": func() (int32, error) {
			d, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
			if err != nil {
				return 0, err
			}
			return ptr.Deref(d.Spec.Replicas, -1), nil
		},
		"replicasets": func() (int32, error) {
			rs, err := cs.AppsV1().ReplicaSets(ns).Get(ctx, "rs", metav1.GetOptions{})
			if err != nil {
				return 0, err
			}
			return ptr.Deref(rs.Spec.Replicas, -1), nil
		},
	}
	for _, tc := range []struct {
		resource, name string
		client         scaleClient
	}{
		{"deployments", "web", cs.AppsV1().Deployments(ns)},
		{"replicasets", "rs", cs.AppsV1().ReplicaSets(ns)},
	} {
		t.Run(tc.resource, func(t *testing.T) {
			scale, err := tc.client.GetScale(ctx, tc.name, metav1.GetOptions{})
			if err != nil {
				t.Fatalf("get scale: %v", err)
			}
			expectEqual(t, "metadata.name", scale.Name, tc.name)
			expectEqual(t, "metadata.namespace", scale.Namespace, ns)
			expectEqual(t, "spec.replicas", scale.Spec.Replicas, 0)
			expectEqual(t, "status.selector", scale.Status.Selector, "app="+tc.name)
			if scale.ResourceVersion == "" || scale.UID == "" {
				t.Errorf("scale metadata lacks the parent's resourceVersion or uid: %+v", scale.ObjectMeta)
			}
			// The typed client drops kind and apiVersion: read them raw.
			raw, err := cs.AppsV1().RESTClient().Get().Namespace(ns).Resource(tc.resource).Name(tc.name).SubResource("scale").DoRaw(ctx)
			if err != nil {
				t.Fatalf("get scale raw: %v", err)
			}
			var typeMeta metav1.TypeMeta
			if err := json.Unmarshal(raw, &typeMeta); err != nil {
				t.Fatalf("scale body %s: %v", raw, err)
			}
			expectEqual(t, "kind", typeMeta.Kind, "Scale")
			expectEqual(t, "apiVersion", typeMeta.APIVersion, "autoscaling/v1")

			stale := scale.DeepCopy()
			var updated *autoscalingv1.Scale
			err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
				cur, err := tc.client.GetScale(ctx, tc.name, metav1.GetOptions{})
				if err != nil {
					return err
				}
				cur.Spec.Replicas = 3
				updated, err = tc.client.UpdateScale(ctx, tc.name, cur, metav1.UpdateOptions{})
				return err
			})
			if err != nil {
				t.Fatalf("update scale: %v", err)
			}
			expectEqual(t, "updated spec.replicas", updated.Spec.Replicas, 3)
			if n, err := specReplicas[tc.resource](); err != nil || n != 3 {
				t.Errorf("%s spec.replicas after scaling = %d (%v), want 3", tc.resource, n, err)
			}

			stale.Spec.Replicas = 7
			_, err = tc.client.UpdateScale(ctx, tc.name, stale, metav1.UpdateOptions{})
			if !apierrors.IsConflict(err) {
				t.Errorf("update scale with a stale resourceVersion: %v, want Conflict", err)
			}

			_, err = tc.client.GetScale(ctx, "nope", metav1.GetOptions{})
			if !apierrors.IsNotFound(err) {
				t.Fatalf("get scale of nope: %v, want NotFound", err)
			}
			expectEqual(t, "message", statusOf(t, err).Message, tc.resource+`.apps "nope" not found`)
		})
	}
}

func TestPodBinding(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)
	pods := cs.CoreV1().Pods(ns)
	if _, err := pods.Create(ctx, simplePod("p", nil), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Name: "p"},
		Target:     corev1.ObjectReference{Kind: "Node", Name: "node-1"},
	}
	if err := pods.Bind(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatalf("bind: %v", err)
	}
	p, err := pods.Get(ctx, "p", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	expectEqual(t, "spec.nodeName", p.Spec.NodeName, "node-1")
	scheduled := false
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionTrue {
			scheduled = true
		}
	}
	if !scheduled {
		t.Errorf("conditions after binding = %+v, want PodScheduled True", p.Status.Conditions)
	}

	binding.Target.Name = "node-2"
	err = pods.Bind(ctx, binding, metav1.CreateOptions{})
	if !apierrors.IsConflict(err) {
		t.Fatalf("second bind: %v, want Conflict", err)
	}
	expectEqual(t, "message", statusOf(t, err).Message, `Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "node-1"`)

	err = pods.Bind(ctx, &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: "nope"}, Target: corev1.ObjectReference{Kind: "Node", Name: "node-1"}}, metav1.CreateOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("bind a missing pod: %v, want NotFound", err)
	}
}
