package clientgo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-k8s/skiff/apiserver"
	"github.com/skiff-k8s/skiff/testenv"
)

func makeConfigMaps(t *testing.T, cs kubernetes.Interface, ns string, n int) {
	t.Helper()
	for i := range n {
		cm := &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%02d", i), Labels: map[string]string{"parity": []string{"even", "odd"}[i%2]}},
			Data:       map[string]string{"i": fmt.Sprint(i)},
		}
		if _, err := cs.CoreV1().ConfigMaps(ns).Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create configmap %s: %v", cm.Name, err)
		}
	}
}

func cmNames(items []corev1.ConfigMap) []string {
	var names []string
	for _, it := range items {
		names = append(names, it.Name)
	}
	return names
}

func makeSecrets(t *testing.T, cs kubernetes.Interface, ns string, n int) {
	t.Helper()
	for i := range n {
		s := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("s-%02d", i), Labels: map[string]string{"parity": []string{"even", "odd"}[i%2]}},
			StringData: map[string]string{"i": fmt.Sprint(i)},
		}
		if _, err := cs.CoreV1().Secrets(ns).Create(context.Background(), s, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create secret %s: %v", s.Name, err)
		}
	}
}

func secretNames(items []corev1.Secret) []string {
	var names []string
	for _, it := range items {
		names = append(names, it.Name)
	}
	return names
}

// TestListPaging reads a list in pages while it changes: every page comes from the snapshot
// of the first one. (Secrets: a full control plane puts no secret of its own in a new
// namespace, while it does put a configmap there.)
func TestListPaging(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)
	secrets := cs.CoreV1().Secrets(ns)
	makeSecrets(t, cs, ns, 10)

	first, err := secrets.List(ctx, metav1.ListOptions{Limit: 4})
	if err != nil {
		t.Fatalf("first page: %v", err)
	}
	if got, want := secretNames(first.Items), []string{"s-00", "s-01", "s-02", "s-03"}; !slices.Equal(got, want) {
		t.Errorf("first page = %v, want %v", got, want)
	}
	if first.Continue == "" {
		t.Fatalf("first page has no continue token")
	}
	if first.RemainingItemCount == nil || *first.RemainingItemCount != 6 {
		t.Errorf("first page remainingItemCount = %v, want 6", ptr.Deref(first.RemainingItemCount, -1))
	}
	snapshot := first.ResourceVersion

	// Change the list between pages: none of it may show.
	if _, err := secrets.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s-10"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := secrets.Delete(ctx, "s-05", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	s6, err := secrets.Get(ctx, "s-06", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s6.Data["i"] = []byte("changed")
	if _, err := secrets.Update(ctx, s6, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}

	second, err := secrets.List(ctx, metav1.ListOptions{Limit: 4, Continue: first.Continue})
	if err != nil {
		t.Fatalf("second page: %v", err)
	}
	if got, want := secretNames(second.Items), []string{"s-04", "s-05", "s-06", "s-07"}; !slices.Equal(got, want) {
		t.Errorf("second page = %v, want %v (the first page's snapshot)", got, want)
	}
	for _, it := range second.Items {
		if it.Name == "s-06" && string(it.Data["i"]) != "6" {
			t.Errorf("second page shows s-06 as %q, want it as of the snapshot (i=6)", it.Data["i"])
		}
	}
	expectEqual(t, "second page resourceVersion", second.ResourceVersion, snapshot)
	if second.RemainingItemCount == nil || *second.RemainingItemCount != 2 {
		t.Errorf("second page remainingItemCount = %v, want 2", ptr.Deref(second.RemainingItemCount, -1))
	}

	third, err := secrets.List(ctx, metav1.ListOptions{Limit: 4, Continue: second.Continue})
	if err != nil {
		t.Fatalf("third page: %v", err)
	}
	if got, want := secretNames(third.Items), []string{"s-08", "s-09"}; !slices.Equal(got, want) {
		t.Errorf("third page = %v, want %v", got, want)
	}
	expectEqual(t, "third page resourceVersion", third.ResourceVersion, snapshot)
	if third.Continue != "" || third.RemainingItemCount != nil {
		t.Errorf("last page: continue %q remainingItemCount %v, want neither", third.Continue, third.RemainingItemCount)
	}

	t.Run("exact resourceVersion reads the snapshot", func(t *testing.T) {
		old, err := secrets.List(ctx, metav1.ListOptions{ResourceVersion: snapshot, ResourceVersionMatch: metav1.ResourceVersionMatchExact})
		if err != nil {
			t.Fatalf("list at resourceVersion %s: %v", snapshot, err)
		}
		if got := secretNames(old.Items); len(got) != 10 || !slices.Contains(got, "s-05") || slices.Contains(got, "s-10") {
			t.Errorf("list at resourceVersion %s = %v, want s-00..s-09", snapshot, got)
		}
		expectEqual(t, "resourceVersion", old.ResourceVersion, snapshot)
	})

	t.Run("pages with a label selector", func(t *testing.T) {
		var all []string
		opts := metav1.ListOptions{Limit: 2, LabelSelector: "parity=odd"}
		for range 10 {
			page, err := secrets.List(ctx, opts)
			if err != nil {
				t.Fatalf("page: %v", err)
			}
			if len(page.Items) > 2 {
				t.Errorf("page of limit 2 has %d items", len(page.Items))
			}
			all = append(all, secretNames(page.Items)...)
			if page.Continue == "" {
				break
			}
			opts.Continue = page.Continue
		}
		// s-05 is gone by now; these pages are a fresh read.
		if want := []string{"s-01", "s-03", "s-07", "s-09"}; !slices.Equal(all, want) {
			t.Errorf("odd secrets in pages = %v, want %v", all, want)
		}
	})

	t.Run("garbage continue token is BadRequest", func(t *testing.T) {
		_, err := secrets.List(ctx, metav1.ListOptions{Limit: 2, Continue: "garbage"})
		if !apierrors.IsBadRequest(err) {
			t.Fatalf("list with continue=garbage: %v, want BadRequest", err)
		}
	})
}

// startCompactingServer starts a Skiff apiserver of the test's own that compacts etcd's
// history every 200ms, so that old resource versions expire within a second.
func startCompactingServer(t *testing.T) *kubernetes.Clientset {
	t.Helper()
	if external {
		t.Skip("needs a Skiff apiserver with a short etcd compaction interval (testenv); the server under test is external")
	}
	env := testenv.Start(t, testenv.WithConfig(func(c *apiserver.Config) {
		c.CompactionInterval = 200 * time.Millisecond
		// A small watch cache forgets old events as soon as a few writes happened.
		c.WatchCacheCapacity = 8
	}))
	cfg := restConfigFrom(t, env.KubeconfigPath)
	cfg.ContentType = "application/json"
	return clientsetFor(t, cfg)
}

// TestExpiredContinue: once the first page's snapshot is compacted away, continuing fails
// with 410 Expired and offers a token that continues, inconsistently, at the latest state.
func TestExpiredContinue(t *testing.T) {
	cs := startCompactingServer(t)
	ctx := ctxFor(t)
	ns := newNamespace(t, cs)
	cms := cs.CoreV1().ConfigMaps(ns)
	makeConfigMaps(t, cs, ns, 3)

	first, err := cms.List(ctx, metav1.ListOptions{Limit: 1})
	if err != nil || first.Continue == "" {
		t.Fatalf("first page: %v (continue %q)", err, first.Continue)
	}
	var expired error
	eventually(t, 10*time.Second, "the continue token to expire", func() (bool, error) {
		// Writes move the revision on, so that compaction passes the snapshot.
		cm, err := cms.Get(ctx, "cm-02", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		cm.Data["i"] += "+"
		if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
			return false, err
		}
		_, err = cms.List(ctx, metav1.ListOptions{Limit: 1, Continue: first.Continue})
		if err == nil {
			return false, nil
		}
		expired = err
		return true, nil
	})
	if !apierrors.IsResourceExpired(expired) {
		t.Fatalf("continue after compaction: %v, want 410 Expired", expired)
	}
	st := statusOf(t, expired)
	expectEqual(t, "code", st.Code, 410)
	expectEqual(t, "message", st.Message, "The provided continue parameter is too old to display a consistent list result. "+
		"You can start a new list without the continue parameter, or use the continue token in this response to retrieve "+
		"the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that "+
		"were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
	if st.Continue == "" {
		t.Fatalf("the 410 Status has no metadata.continue to carry on with")
	}
	rest, err := cms.List(ctx, metav1.ListOptions{Limit: 10, Continue: st.Continue})
	if err != nil {
		t.Fatalf("continue with the inconsistent token: %v", err)
	}
	if got, want := cmNames(rest.Items), []string{"cm-01", "cm-02"}; !slices.Equal(got, want) {
		t.Errorf("rest of the list = %v, want %v", got, want)
	}
}
