package cache

import (
	"context"
	"testing"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client/clienttest"
)

// Informers also run over the in-memory API, so controller tests can use real informers.
func TestInformerOverFakeAPI(t *testing.T) {
	f := clienttest.New(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "a"}})
	factory := NewSharedInformerFactory(f, FactoryOptions{})
	pods := factory.Pods()
	pods.AddIndexers(Indexers[corev1.Pod]{"nodeName": func(p *corev1.Pod) ([]string, error) {
		return []string{p.Spec.NodeName}, nil
	}})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); factory.Wait() }()
	factory.Start(ctx)
	if !factory.WaitForCacheSync(ctx) {
		t.Fatal("no sync")
	}
	cs := f.Clientset()
	if _, err := cs.Pods("default").Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "b"}, Spec: corev1.PodSpec{NodeName: "n1"}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "pod b indexed by node", func() bool {
		onN1, _ := pods.Indexer().ByIndex("nodeName", "n1")
		return len(onN1) == 1 && onN1[0].Name == "b"
	})
	if p, err := pods.Lister().ByNamespace("default").Get("a"); err != nil || p.Name != "a" {
		t.Errorf("lister: %v %v", p, err)
	}
}
