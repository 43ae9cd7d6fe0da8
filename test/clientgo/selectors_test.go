package clientgo_test

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// selectorCase is one list and the names it must return, in any order.
type selectorCase struct {
	opts metav1.ListOptions
	want []string
}

// checkSelections lists with every case's options and compares the names.
func checkSelections(t *testing.T, list func(metav1.ListOptions) (runtime.Object, error), cases []selectorCase) {
	t.Helper()
	for _, tc := range cases {
		got, err := list(tc.opts)
		if err != nil {
			t.Errorf("list label %q field %q: %v", tc.opts.LabelSelector, tc.opts.FieldSelector, err)
			continue
		}
		names, _ := listNames(t, got)
		slices.Sort(names)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(names, want) {
			t.Errorf("list label %q field %q = %v, want %v", tc.opts.LabelSelector, tc.opts.FieldSelector, names, want)
		}
	}
}

func TestPodSelectors(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)
	pods := cs.CoreV1().Pods(ns)

	mk := func(name string, labels map[string]string, node string) {
		p := simplePod(name, labels)
		p.Spec.NodeName = node
		if _, err := pods.Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create pod %s: %v", name, err)
		}
	}
	mk("web-prod", map[string]string{"app": "web", "env": "prod", "tier": "front"}, "node-1")
	mk("web-staging", map[string]string{"app": "web", "env": "staging", "tier": "front"}, "")
	mk("db-prod", map[string]string{"app": "db", "env": "prod", "canary": "true"}, "node-2")
	mk("batch", map[string]string{"app": "batch"}, "")

	// One pod runs: phase is in the status, written through the status subresource.
	cur, err := pods.Get(ctx, "db-prod", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cur.Status.Phase = corev1.PodRunning
	if _, err := pods.UpdateStatus(ctx, cur, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("set db-prod Running: %v", err)
	}

	list := func(o metav1.ListOptions) (runtime.Object, error) { return pods.List(ctx, o) }
	checkSelections(t, list, []selectorCase{
		{metav1.ListOptions{LabelSelector: "app=web"}, []string{"web-prod", "web-staging"}},
		{metav1.ListOptions{LabelSelector: "app==web"}, []string{"web-prod", "web-staging"}},
		{metav1.ListOptions{LabelSelector: "app!=web"}, []string{"db-prod", "batch"}},
		{metav1.ListOptions{LabelSelector: "env=prod,tier!=front"}, []string{"db-prod"}},
		{metav1.ListOptions{LabelSelector: "env in (prod,staging)"}, []string{"web-prod", "web-staging", "db-prod"}},
		{metav1.ListOptions{LabelSelector: "env notin (prod)"}, []string{"web-staging", "batch"}},
		{metav1.ListOptions{LabelSelector: "tier"}, []string{"web-prod", "web-staging"}},
		{metav1.ListOptions{LabelSelector: "!tier"}, []string{"db-prod", "batch"}},
		{metav1.ListOptions{LabelSelector: "app in (web,db),!canary"}, []string{"web-prod", "web-staging"}},
		{metav1.ListOptions{LabelSelector: "app=nothing"}, nil},

		{metav1.ListOptions{FieldSelector: "metadata.name=batch"}, []string{"batch"}},
		{metav1.ListOptions{FieldSelector: "metadata.namespace=" + ns}, []string{"web-prod", "web-staging", "db-prod", "batch"}},
		{metav1.ListOptions{FieldSelector: "spec.nodeName=node-1"}, []string{"web-prod"}},
		{metav1.ListOptions{FieldSelector: "spec.nodeName="}, []string{"web-staging", "batch"}},
		{metav1.ListOptions{FieldSelector: "spec.nodeName!="}, []string{"web-prod", "db-prod"}},
		{metav1.ListOptions{FieldSelector: "status.phase=Running"}, []string{"db-prod"}},
		{metav1.ListOptions{FieldSelector: "status.phase==Pending"}, []string{"web-prod", "web-staging", "batch"}},
		{metav1.ListOptions{FieldSelector: "status.phase!=Pending,spec.nodeName=node-2"}, []string{"db-prod"}},
		{metav1.ListOptions{FieldSelector: "spec.schedulerName=" + unscheduled + ",metadata.name!=batch"}, []string{"web-prod", "web-staging", "db-prod"}},

		{metav1.ListOptions{LabelSelector: "env=prod", FieldSelector: "spec.nodeName=node-1"}, []string{"web-prod"}},
	})

	t.Run("unknown field is BadRequest", func(t *testing.T) {
		_, err := pods.List(ctx, metav1.ListOptions{FieldSelector: "spec.containers=x"})
		if !apierrors.IsBadRequest(err) {
			t.Fatalf("list with field spec.containers: %v, want BadRequest", err)
		}
		expectEqual(t, "message", statusOf(t, err).Message, "field label not supported: spec.containers")
	})
	t.Run("unparsable label selector is BadRequest", func(t *testing.T) {
		_, err := pods.List(ctx, metav1.ListOptions{LabelSelector: "a b c"})
		if !apierrors.IsBadRequest(err) {
			t.Fatalf("list with label selector %q: %v, want BadRequest", "a b c", err)
		}
		expectEqual(t, "message", statusOf(t, err).Message, "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt")
	})
}

func TestKindFieldSelectors(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)

	t.Run("secrets by type", func(t *testing.T) {
		secrets := cs.CoreV1().Secrets(ns)
		for name, typ := range map[string]corev1.SecretType{"plain": "", "custom": "example.com/custom", "other": "example.com/other"} {
			s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}, Type: typ, Data: map[string][]byte{"k": []byte("v")}}
			if _, err := secrets.Create(ctx, s, metav1.CreateOptions{}); err != nil {
				t.Fatalf("create secret %s: %v", name, err)
			}
		}
		checkSelections(t, func(o metav1.ListOptions) (runtime.Object, error) { return secrets.List(ctx, o) }, []selectorCase{
			{metav1.ListOptions{FieldSelector: "type=Opaque"}, []string{"plain"}},
			{metav1.ListOptions{FieldSelector: "type=example.com/custom"}, []string{"custom"}},
			{metav1.ListOptions{FieldSelector: "type!=Opaque"}, []string{"custom", "other"}},
		})
	})

	t.Run("events by involved object", func(t *testing.T) {
		events := cs.CoreV1().Events(ns)
		for name, pod := range map[string]string{"e1": "pod-a", "e2": "pod-a", "e3": "pod-b"} {
			ev := simpleEvent(ns, name, pod)
			if name == "e3" {
				ev.Reason, ev.Type = "Other", corev1.EventTypeWarning
			}
			if _, err := events.Create(ctx, ev, metav1.CreateOptions{}); err != nil {
				t.Fatalf("create event %s: %v", name, err)
			}
		}
		checkSelections(t, func(o metav1.ListOptions) (runtime.Object, error) { return events.List(ctx, o) }, []selectorCase{
			{metav1.ListOptions{FieldSelector: "involvedObject.name=pod-a"}, []string{"e1", "e2"}},
			{metav1.ListOptions{FieldSelector: "involvedObject.name=pod-b,involvedObject.kind=Pod"}, []string{"e3"}},
			{metav1.ListOptions{FieldSelector: "involvedObject.namespace=" + ns + ",reason=Testing"}, []string{"e1", "e2"}},
			{metav1.ListOptions{FieldSelector: "type=Warning"}, []string{"e3"}},
			{metav1.ListOptions{FieldSelector: "source=skiff-clientgo-test,involvedObject.name!=pod-a"}, []string{"e3"}},
		})
	})

	t.Run("namespaces by phase", func(t *testing.T) {
		list, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{FieldSelector: "status.phase=Active"})
		if err != nil {
			t.Fatal(err)
		}
		names, _ := listNames(t, list)
		for _, want := range []string{"default", "kube-system", "kube-public", "kube-node-lease", ns} {
			if !slices.Contains(names, want) {
				t.Errorf("namespaces with status.phase=Active = %v, want %s among them", names, want)
			}
		}
	})

	t.Run("replicasets know only metadata fields", func(t *testing.T) {
		_, err := cs.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{FieldSelector: "status.replicas=0"})
		if !apierrors.IsBadRequest(err) {
			t.Fatalf("list replicasets with field status.replicas: %v, want BadRequest", err)
		}
		expectEqual(t, "message", statusOf(t, err).Message, `"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"`)
	})
}
