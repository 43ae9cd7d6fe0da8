package clientgo_test

import (
	"fmt"
	"net/http"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
)

func containerImages(cs []corev1.Container) string {
	s := ""
	for i, c := range cs {
		if i > 0 {
			s += " "
		}
		s += c.Name + "=" + c.Image
	}
	return s
}

// TestStrategicMergePatch: lists with a merge key merge by it, $patch: delete removes one
// element, null removes a map key.
func TestStrategicMergePatch(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)
	deploys := cs.AppsV1().Deployments(ns)
	d := simpleDeployment("web",
		corev1.Container{Name: "a", Image: "a:1", Env: []corev1.EnvVar{{Name: "A", Value: "1"}}},
		corev1.Container{Name: "b", Image: "b:1"})
	d.Labels = map[string]string{"x": "1", "keep": "yes"}
	if _, err := deploys.Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	got, err := deploys.Patch(ctx, "web", types.StrategicMergePatchType,
		[]byte(`{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:2"}]}}}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("patch container a's image: %v", err)
	}
	cts := got.Spec.Template.Spec.Containers
	expectEqual(t, "containers after merging a", containerImages(cts), "a=a:2 b=b:1")
	if len(cts) > 0 && (len(cts[0].Env) != 1 || cts[0].Env[0].Name != "A") {
		t.Errorf("container a's env after the patch = %+v, want A kept", cts[0].Env)
	}

	got, err = deploys.Patch(ctx, "web", types.StrategicMergePatchType,
		[]byte(`{"spec":{"template":{"spec":{"containers":[{"name":"b","$patch":"delete"}]}}}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("patch deleting container b: %v", err)
	}
	expectEqual(t, "containers after $patch: delete of b", containerImages(got.Spec.Template.Spec.Containers), "a=a:2")

	got, err = deploys.Patch(ctx, "web", types.StrategicMergePatchType,
		[]byte(`{"metadata":{"labels":{"x":null,"new":"1"}}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("patch removing label x: %v", err)
	}
	expectEqual(t, "labels after x: null", fmt.Sprint(got.Labels), "map[keep:yes new:1]")

	t.Run("service ports merge by port", func(t *testing.T) {
		svcs := cs.CoreV1().Services(ns)
		svc := &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: "svc"},
			Spec:       corev1.ServiceSpec{Selector: map[string]string{"app": "web"}, Ports: []corev1.ServicePort{{Name: "http", Port: 80}}},
		}
		if _, err := svcs.Create(ctx, svc, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		got, err := svcs.Patch(ctx, "svc", types.StrategicMergePatchType, []byte(`{"spec":{"ports":[{"name":"https","port":443}]}}`), metav1.PatchOptions{})
		if err != nil {
			t.Fatalf("patch adding port 443: %v", err)
		}
		var ports []int32
		for _, p := range got.Spec.Ports {
			ports = append(ports, p.Port)
		}
		expectEqual(t, "ports", fmt.Sprint(ports), "[443 80]")
	})

	t.Run("pod container image by name", func(t *testing.T) {
		pods := cs.CoreV1().Pods(ns)
		if _, err := pods.Create(ctx, simplePod("p", map[string]string{"app": "p"}), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		got, err := pods.Patch(ctx, "p", types.StrategicMergePatchType,
			[]byte(`{"metadata":{"annotations":{"note":"patched"}},"spec":{"containers":[{"name":"app","image":"registry.k8s.io/pause:3.9"}]}}`), metav1.PatchOptions{})
		if err != nil {
			t.Fatalf("patch pod image: %v", err)
		}
		expectEqual(t, "containers", containerImages(got.Spec.Containers), "app=registry.k8s.io/pause:3.9")
		expectEqual(t, "annotation", got.Annotations["note"], "patched")
	})

	t.Run("malformed patch is BadRequest", func(t *testing.T) {
		_, err := deploys.Patch(ctx, "web", types.StrategicMergePatchType, []byte(`{`), metav1.PatchOptions{})
		if !apierrors.IsBadRequest(err) {
			t.Errorf("patch body {: %v, want BadRequest", err)
		}
	})
	t.Run("missing object is NotFound", func(t *testing.T) {
		_, err := deploys.Patch(ctx, "nope", types.StrategicMergePatchType, []byte(`{"metadata":{"labels":{"a":"b"}}}`), metav1.PatchOptions{})
		if !apierrors.IsNotFound(err) {
			t.Fatalf("patch nope: %v, want NotFound", err)
		}
		expectEqual(t, "message", statusOf(t, err).Message, `deployments.apps "nope" not found`)
	})
}

// TestMergePatch: RFC 7386, lists replaced whole, null deletes, a resourceVersion in the
// patch is a precondition.
func TestMergePatch(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)
	cms := cs.CoreV1().ConfigMaps(ns)
	cm, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm"}, Data: map[string]string{"a": "1", "b": "2"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := cms.Patch(ctx, "cm", types.MergePatchType, []byte(`{"data":{"a":null,"c":"3"}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("merge patch: %v", err)
	}
	expectEqual(t, "data", fmt.Sprint(got.Data), "map[b:2 c:3]")

	_, err = cms.Patch(ctx, "cm", types.MergePatchType, []byte(fmt.Sprintf(`{"metadata":{"resourceVersion":%q},"data":{"d":"4"}}`, cm.ResourceVersion)), metav1.PatchOptions{})
	if !apierrors.IsConflict(err) {
		t.Errorf("merge patch carrying a stale resourceVersion: %v, want Conflict", err)
	}

	deploys := cs.AppsV1().Deployments(ns)
	if _, err := deploys.Create(ctx, simpleDeployment("web",
		corev1.Container{Name: "a", Image: "a:1"}, corev1.Container{Name: "b", Image: "b:1"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d, err := deploys.Patch(ctx, "web", types.MergePatchType,
		[]byte(`{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"c:1"}]}}}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("merge patch of containers: %v", err)
	}
	// A merge patch replaces lists: c alone, with its defaults filled in again.
	expectEqual(t, "containers", containerImages(d.Spec.Template.Spec.Containers), "c=c:1")
	expectEqual(t, "containers[0].terminationMessagePath", d.Spec.Template.Spec.Containers[0].TerminationMessagePath, "/dev/termination-log")
}

// TestJSONPatch: RFC 6902 operations, including a failing test op (422).
func TestJSONPatch(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)
	cms := cs.CoreV1().ConfigMaps(ns)
	if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm"}, Data: map[string]string{"b": "2", "c": "3"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := cms.Patch(ctx, "cm", types.JSONPatchType, []byte(`[
		{"op":"add","path":"/data/x","value":"1"},
		{"op":"replace","path":"/data/b","value":"B"},
		{"op":"remove","path":"/data/c"},
		{"op":"add","path":"/metadata/labels","value":{"app.kubernetes.io/name":"cm"}},
		{"op":"copy","from":"/data/x","path":"/data/y"}
	]`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("json patch: %v", err)
	}
	expectEqual(t, "data", fmt.Sprint(got.Data), "map[b:B x:1 y:1]")
	expectEqual(t, "label", got.Labels["app.kubernetes.io/name"], "cm")

	got, err = cms.Patch(ctx, "cm", types.JSONPatchType, []byte(`[
		{"op":"test","path":"/data/x","value":"1"},
		{"op":"replace","path":"/metadata/labels/app.kubernetes.io~1name","value":"renamed"}
	]`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("json patch with a passing test: %v", err)
	}
	expectEqual(t, "label after ~1 path", got.Labels["app.kubernetes.io/name"], "renamed")

	_, err = cms.Patch(ctx, "cm", types.JSONPatchType, []byte(`[
		{"op":"test","path":"/data/x","value":"wrong"},
		{"op":"replace","path":"/data/x","value":"never"}
	]`), metav1.PatchOptions{})
	if !apierrors.IsInvalid(err) {
		t.Fatalf("json patch with a failing test op: %v, want 422 Invalid", err)
	}
	expectEqual(t, "code", statusOf(t, err).Code, http.StatusUnprocessableEntity)
	if cur, _ := cms.Get(ctx, "cm", metav1.GetOptions{}); cur == nil || cur.Data["x"] != "1" {
		t.Errorf("a failed json patch changed the object: %+v", cur)
	}

	pods := cs.CoreV1().Pods(ns)
	if _, err := pods.Create(ctx, simplePod("p", nil), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod, err := pods.Patch(ctx, "p", types.JSONPatchType, []byte(`[{"op":"replace","path":"/spec/containers/0/image","value":"registry.k8s.io/pause:3.9"}]`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("json patch of a pod's image: %v", err)
	}
	expectEqual(t, "image", pod.Spec.Containers[0].Image, "registry.k8s.io/pause:3.9")
}

// TestServerSideApply: upstream applies; a server that does not must answer with a clean
// Status error (415 Unsupported Media Type or 501-style "not implemented").
func TestServerSideApply(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)
	cfg := corev1ac.ConfigMap("applied", ns).WithData(map[string]string{"k": "v"}).WithLabels(map[string]string{"by": "apply"})
	got, err := cs.CoreV1().ConfigMaps(ns).Apply(ctx, cfg, metav1.ApplyOptions{FieldManager: "skiff-test", Force: true})
	if err == nil {
		expectEqual(t, "data.k", got.Data["k"], "v")
		expectEqual(t, "label by", got.Labels["by"], "apply")
		if len(got.ManagedFields) == 0 || got.ManagedFields[0].Manager != "skiff-test" {
			t.Errorf("managedFields after apply = %+v, want an entry of manager skiff-test", got.ManagedFields)
		}
		return
	}
	st := statusOf(t, err)
	if st.Code != http.StatusUnsupportedMediaType && st.Code != http.StatusNotImplemented && st.Code != http.StatusMethodNotAllowed {
		t.Fatalf("server-side apply failed with %d %s: %s; want it to work, or a 415/501 Status", st.Code, st.Reason, st.Message)
	}
	t.Logf("GAP: server-side apply is not supported: %d %s: %s", st.Code, st.Reason, st.Message)
}
