package clientgo_test

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestDeleteCollection deletes what a selector picks and nothing else.
func TestDeleteCollection(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)
	makeSecrets(t, cs, ns, 6)
	secrets := cs.CoreV1().Secrets(ns)
	if err := secrets.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: "parity=odd"}); err != nil {
		t.Fatalf("deletecollection parity=odd: %v", err)
	}
	left, err := secrets.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	expectEqual(t, "secrets left", strings.Join(secretNames(left.Items), " "), "s-00 s-02 s-04")

	// Deployments too (another group, and a body of DeleteOptions).
	for _, name := range []string{"d1", "d2"} {
		if _, err := cs.AppsV1().Deployments(ns).Create(ctx, simpleDeployment(name), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	err = cs.AppsV1().Deployments(ns).DeleteCollection(ctx, metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationBackground)}, metav1.ListOptions{FieldSelector: "metadata.name=d1"})
	if err != nil {
		t.Fatalf("deletecollection of deployment d1: %v", err)
	}
	deploys, err := cs.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(deploys.Items) != 1 || deploys.Items[0].Name != "d2" {
		t.Errorf("deployments left: %d, want only d2", len(deploys.Items))
	}
}
