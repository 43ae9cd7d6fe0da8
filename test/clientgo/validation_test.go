package clientgo_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
)

// wantCause is a cause an Invalid Status must carry: its type and field exactly, and a
// message starting with the given text.
type wantCause struct {
	typ     metav1.CauseType
	field   string
	message string
}

// checkInvalid checks an error is 422 Invalid about kind/name with at least these causes.
func checkInvalid(t *testing.T, err error, group, kind, name string, want ...wantCause) {
	t.Helper()
	if !apierrors.IsInvalid(err) {
		t.Fatalf("got %v, want Invalid", err)
	}
	st := statusOf(t, err)
	expectEqual(t, "code", st.Code, 422)
	qualified := kind
	if group != "" {
		qualified += "." + group
	}
	if prefix := qualified + " \"" + name + "\" is invalid: "; !strings.HasPrefix(st.Message, prefix) {
		t.Errorf("message %q, want it to start with %q", st.Message, prefix)
	}
	if st.Details == nil {
		t.Fatalf("Invalid status without details")
	}
	expectEqual(t, "details.kind", st.Details.Kind, kind)
	expectEqual(t, "details.group", st.Details.Group, group)
	expectEqual(t, "details.name", st.Details.Name, name)
	for _, w := range want {
		found := false
		for _, c := range st.Details.Causes {
			if c.Type == w.typ && c.Field == w.field && strings.HasPrefix(c.Message, w.message) {
				found = true
			}
		}
		if !found {
			t.Errorf("causes %+v, want one of type %q field %q message %q...", st.Details.Causes, w.typ, w.field, w.message)
		}
	}
}

func TestValidationErrors(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)

	t.Run("pod without containers", func(t *testing.T) {
		p := simplePod("bad", nil)
		p.Spec.Containers = nil
		_, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{})
		checkInvalid(t, err, "", "Pod", "bad", wantCause{metav1.CauseTypeFieldValueRequired, "spec.containers", "Required value"})
		if err != nil {
			expectEqual(t, "message", statusOf(t, err).Message, `Pod "bad" is invalid: spec.containers: Required value`)
		}
	})
	t.Run("pod with a bad name and a container without image", func(t *testing.T) {
		p := simplePod("Bad_Name", nil)
		p.Spec.Containers[0].Image = ""
		p.Spec.Containers[0].Name = "Bad_Container"
		_, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{})
		checkInvalid(t, err, "", "Pod", "Bad_Name",
			wantCause{metav1.CauseTypeFieldValueInvalid, "metadata.name", `Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain`},
			wantCause{metav1.CauseTypeFieldValueInvalid, "spec.containers[0].name", `Invalid value: "Bad_Container"`},
			wantCause{metav1.CauseTypeFieldValueRequired, "spec.containers[0].image", "Required value"})
	})
	t.Run("deployment whose selector misses its template", func(t *testing.T) {
		d := simpleDeployment("mismatch")
		d.Spec.Template.Labels = map[string]string{"app": "other"}
		_, err := cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{})
		checkInvalid(t, err, "apps", "Deployment", "mismatch",
			wantCause{metav1.CauseTypeFieldValueInvalid, "spec.template.metadata.labels", "Invalid value: {\"app\":\"other\"}: `selector` does not match template `labels`"})
	})
	t.Run("service port out of range", func(t *testing.T) {
		s := &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: "badport"},
			Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 70000}}},
		}
		_, err := cs.CoreV1().Services(ns).Create(ctx, s, metav1.CreateOptions{})
		checkInvalid(t, err, "", "Service", "badport",
			wantCause{metav1.CauseTypeFieldValueInvalid, "spec.ports[0].port", "Invalid value: 70000: must be between 1 and 65535, inclusive"})
	})
	t.Run("update changing an immutable field", func(t *testing.T) {
		rs := simpleReplicaSet("immutable", 0)
		if _, err := cs.AppsV1().ReplicaSets(ns).Create(ctx, rs, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		// A full control plane's controller writes the status meanwhile: retry conflicts.
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			cur, err := cs.AppsV1().ReplicaSets(ns).Get(ctx, "immutable", metav1.GetOptions{})
			if err != nil {
				return err
			}
			cur.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "immutable", "extra": "x"}}
			cur.Spec.Template.Labels["extra"] = "x"
			_, err = cs.AppsV1().ReplicaSets(ns).Update(ctx, cur, metav1.UpdateOptions{})
			return err
		})
		checkInvalid(t, err, "apps", "ReplicaSet", "immutable",
			wantCause{metav1.CauseTypeFieldValueInvalid, "spec.selector", `Invalid value: {"matchLabels":{"app":"immutable","extra":"x"}}: field is immutable`})
	})
	t.Run("namespace that does not exist", func(t *testing.T) {
		_, err := cs.CoreV1().ConfigMaps("no-such-namespace").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{})
		if !apierrors.IsNotFound(err) {
			t.Fatalf("create in a missing namespace: %v, want NotFound", err)
		}
		expectEqual(t, "message", statusOf(t, err).Message, `namespaces "no-such-namespace" not found`)
	})
	t.Run("name in body differs from the URL", func(t *testing.T) {
		cm, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "url-name"}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// The typed client puts the body's name in the URL; send it elsewhere by hand.
		cm.Name = "body-name"
		err = cs.CoreV1().RESTClient().Put().Namespace(ns).Resource("configmaps").Name("url-name").Body(cm).Do(ctx).Error()
		if !apierrors.IsBadRequest(err) {
			t.Fatalf("update url-name with body name body-name: %v, want BadRequest", err)
		}
		expectEqual(t, "message", statusOf(t, err).Message, "the name of the object (body-name) does not match the name on the URL (url-name)")
	})
}
