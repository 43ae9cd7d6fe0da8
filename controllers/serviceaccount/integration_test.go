package serviceaccount_test

import (
	"context"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/controllers/manager"
	"github.com/skiff-k8s/skiff/testenv"
)

// TestAgainstAPIServer runs the controller (through the manager) against an in-process
// API server: new namespaces get their default account, a deleted one comes back.
func TestAgainstAPIServer(t *testing.T) {
	env := testenv.Start(t)
	cs, err := client.NewForConfig(&rest.Config{Host: env.URL}, "serviceaccount-test")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- manager.Run(ctx, manager.Config{Clientset: cs, Controllers: []string{"serviceaccount"}})
	}()
	defer func() { cancel(); <-done }()

	if _, err := cs.Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}}); err != nil {
		t.Fatal(err)
	}
	var first *corev1.ServiceAccount
	eventually(t, "the default account", func() bool {
		first, err = cs.ServiceAccounts("team-a").Get(ctx, "default")
		return err == nil
	})
	if err := cs.ServiceAccounts("team-a").Delete(ctx, "default", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the default account re-created", func() bool {
		sa, err := cs.ServiceAccounts("team-a").Get(ctx, "default")
		return err == nil && sa.UID != first.UID
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
