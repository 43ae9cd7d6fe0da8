package clientgo_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
)

func dynamicClient(t *testing.T, cfg *rest.Config) *dynamic.DynamicClient {
	t.Helper()
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatalf("dynamic.NewForConfig: %v", err)
	}
	return dyn
}

// TestDynamicClient drives several kinds as unstructured objects: create, get, list, merge
// patch, update, delete.
func TestDynamicClient(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)
	dyn := dynamicClient(t, restConfig(t))

	for _, tc := range []struct {
		gvr        schema.GroupVersionResource
		namespaced bool
		object     map[string]any
	}{
		{schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, true, map[string]any{
			"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]any{"k": "v"},
		}},
		{schema.GroupVersionResource{Version: "v1", Resource: "services"}, true, map[string]any{
			"apiVersion": "v1", "kind": "Service",
			"spec": map[string]any{"selector": map[string]any{"app": "x"}, "ports": []any{map[string]any{"port": int64(80)}}},
		}},
		{schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, true, map[string]any{
			"apiVersion": "apps/v1", "kind": "Deployment",
			"spec": map[string]any{
				"replicas": int64(0),
				"selector": map[string]any{"matchLabels": map[string]any{"app": "dyn"}},
				"template": map[string]any{
					"metadata": map[string]any{"labels": map[string]any{"app": "dyn"}},
					"spec": map[string]any{"schedulerName": unscheduled, "containers": []any{
						map[string]any{"name": "app", "image": "registry.k8s.io/pause:3.10"},
					}},
				},
			},
		}},
		{schema.GroupVersionResource{Group: "coordination.k8s.io", Version: "v1", Resource: "leases"}, true, map[string]any{
			"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "spec": map[string]any{"holderIdentity": "me", "leaseDurationSeconds": int64(10)},
		}},
		{schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}, true, map[string]any{
			"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
			"spec": map[string]any{"maxReplicas": int64(3), "scaleTargetRef": map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "name": "dyn"}},
		}},
		{schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}, false, map[string]any{
			"apiVersion": "v1", "kind": "Namespace",
		}},
	} {
		t.Run(tc.gvr.Resource, func(t *testing.T) {
			var client dynamic.ResourceInterface = dyn.Resource(tc.gvr)
			name := "dyn"
			if tc.namespaced {
				client = dyn.Resource(tc.gvr).Namespace(ns)
			} else {
				name = ns + "-dyn"
			}
			obj := &unstructured.Unstructured{Object: tc.object}
			obj.SetName(name)
			obj.SetLabels(map[string]string{"made-by": "dynamic"})
			created, err := client.Create(ctx, obj, metav1.CreateOptions{})
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if created.GetKind() != tc.object["kind"] || created.GetAPIVersion() != tc.object["apiVersion"] {
				t.Errorf("created object is %s %s, want %s %s", created.GetAPIVersion(), created.GetKind(), tc.object["apiVersion"], tc.object["kind"])
			}
			if created.GetUID() == "" || created.GetResourceVersion() == "" {
				t.Errorf("created object lacks uid or resourceVersion: %v", created.Object["metadata"])
			}

			got, err := client.Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			expectEqual(t, "uid", got.GetUID(), created.GetUID())

			list, err := client.List(ctx, metav1.ListOptions{LabelSelector: "made-by=dynamic"})
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			var names []string
			for _, it := range list.Items {
				names = append(names, it.GetName())
				if it.GetKind() != tc.object["kind"] {
					t.Errorf("list item kind %q, want %q", it.GetKind(), tc.object["kind"])
				}
			}
			if !slices.Contains(names, name) {
				t.Errorf("list made-by=dynamic = %v, want %s in it", names, name)
			}
			if list.GetKind() != fmt.Sprint(tc.object["kind"], "List") || list.GetResourceVersion() == "" {
				t.Errorf("list is a %q at resourceVersion %q, want a %sList with a resourceVersion", list.GetKind(), list.GetResourceVersion(), tc.object["kind"])
			}

			patched, err := client.Patch(ctx, name, types.MergePatchType, []byte(`{"metadata":{"labels":{"patched":"merge"}}}`), metav1.PatchOptions{})
			if err != nil {
				t.Fatalf("merge patch: %v", err)
			}
			if l := patched.GetLabels(); l["patched"] != "merge" || l["made-by"] != "dynamic" {
				t.Errorf("labels after merge patch = %v, want made-by and patched", l)
			}

			var updated *unstructured.Unstructured
			// A full control plane's controllers may write the object meanwhile.
			err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
				cur, err := client.Get(ctx, name, metav1.GetOptions{})
				if err != nil {
					return err
				}
				cur.SetAnnotations(map[string]string{"updated": "yes"})
				updated, err = client.Update(ctx, cur, metav1.UpdateOptions{})
				return err
			})
			if err != nil {
				t.Fatalf("update: %v", err)
			}
			expectEqual(t, "annotation after update", updated.GetAnnotations()["updated"], "yes")

			if err := client.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
				t.Fatalf("delete: %v", err)
			}
			gone, err := client.Get(ctx, name, metav1.GetOptions{})
			if tc.namespaced && !apierrors.IsNotFound(err) {
				t.Errorf("get after delete: %v, want NotFound", err)
			}
			if !tc.namespaced && err == nil && gone.GetDeletionTimestamp() == nil {
				t.Errorf("namespace after delete has no deletionTimestamp")
			}
		})
	}
}

// warningLog collects the warnings the server sends (Warning headers).
type warningLog struct {
	mu       sync.Mutex
	warnings []string
}

func (w *warningLog) HandleWarningHeader(code int, agent, text string) {
	w.mu.Lock()
	w.warnings = append(w.warnings, text)
	w.mu.Unlock()
}

// TestFieldValidation: unknown fields are a warning by default and an error with
// fieldValidation=Strict.
func TestFieldValidation(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)
	warnings := &warningLog{}
	cfg := restConfig(t)
	cfg.WarningHandler = warnings
	cms := dynamicClient(t, cfg).Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace(ns)
	obj := func(name string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": name},
			"bogus": int64(1), "data": map[string]any{"a": "b"},
		}}
	}
	_, err := cms.Create(ctx, obj("strict"), metav1.CreateOptions{FieldValidation: "Strict"})
	if !apierrors.IsBadRequest(err) {
		t.Fatalf("strict create with an unknown field: %v, want BadRequest", err)
	}
	expectEqual(t, "message", statusOf(t, err).Message, `ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"`)

	if _, err := cms.Create(ctx, obj("lenient"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("default create with an unknown field: %v", err)
	}
	warnings.mu.Lock()
	defer warnings.mu.Unlock()
	if !slices.Contains(warnings.warnings, `unknown field "bogus"`) {
		t.Errorf("warnings %q, want unknown field \"bogus\"", warnings.warnings)
	}
}
