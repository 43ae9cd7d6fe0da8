package manager

import (
	"context"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/testenv"
)

func TestEnabledControllers(t *testing.T) {
	all := make([]string, len(allControllers))
	for i, d := range allControllers {
		all[i] = d.name
	}
	without := func(drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(all), func(n string) bool { return slices.Contains(drop, n) })
	}
	tests := []struct {
		selection []string
		want      []string
		err       bool
	}{
		{nil, all, false},
		{[]string{"*"}, all, false},
		{[]string{"*", "-garbagecollector"}, without("garbage-collector-controller"), false},
		{[]string{"-garbage-collector-controller", "*"}, without("garbage-collector-controller"), false},
		{[]string{"replicaset", "endpoints-controller"}, []string{"endpoints-controller", "replicaset-controller"}, false},
		{[]string{"endpoint"}, []string{"endpoints-controller"}, false},
		{[]string{"replicaset", "-replicaset"}, []string{"replicaset-controller"}, false}, // first mention wins
		{[]string{"-replicaset"}, nil, false},
		{[]string{"*", "bogus"}, nil, true},
	}
	for _, tt := range tests {
		got, err := enabledControllers(tt.selection)
		if (err != nil) != tt.err {
			t.Errorf("%q: err = %v", tt.selection, err)
			continue
		}
		var names []string
		for _, d := range got {
			names = append(names, d.name)
		}
		if !slices.Equal(names, tt.want) {
			t.Errorf("%q: got %v, want %v", tt.selection, names, tt.want)
		}
	}
}

func startAPI(t *testing.T) *client.Clientset {
	t.Helper()
	env := testenv.Start(t)
	cs, err := client.NewForConfig(&rest.Config{Host: env.URL}, "manager-test")
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestServerPreferredResources(t *testing.T) {
	cs := startAPI(t)
	lists, err := ServerPreferredResources(context.Background(), cs.REST())
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]metav1.APIResource{}
	for _, l := range lists {
		for _, r := range l.APIResources {
			found[l.GroupVersion+" "+r.Name] = r
		}
	}
	for _, want := range []string{"v1 pods", "v1 namespaces", "v1 configmaps", "apps/v1 deployments", "apps/v1 replicasets"} {
		if _, ok := found[want]; !ok {
			t.Errorf("%s not discovered", want)
		}
	}
	if r := found["v1 pods"]; !r.Namespaced || !slices.Contains(r.Verbs, "deletecollection") || r.Kind != "Pod" {
		t.Errorf("pods: %+v", r)
	}
	if lists[0].GroupVersion != "v1" {
		t.Errorf("core group not first: %s", lists[0].GroupVersion)
	}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRun starts the manager with leader election against a real API server: it takes
// the Lease, serves health and metrics, runs the chosen controllers, and stops cleanly.
func TestRun(t *testing.T) {
	cs := startAPI(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{
			Clientset: cs, Controllers: []string{"serviceaccount", "namespace"},
			LeaderElect: true, Identity: "test-manager", Listener: l,
		})
	}()

	bg := context.Background()
	eventually(t, "the lease", 10*time.Second, func() bool {
		lease, err := cs.Leases("kube-system").Get(bg, "kube-controller-manager")
		return err == nil && lease.Spec.HolderIdentity != nil && *lease.Spec.HolderIdentity == "test-manager"
	})
	if _, err := cs.Namespaces().Create(bg, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the default service account", 10*time.Second, func() bool {
		_, err := cs.ServiceAccounts("team-a").Get(bg, "default")
		return err == nil
	})

	base := "http://" + l.Addr().String()
	if body := get(t, base+"/healthz"); body != "ok" {
		t.Errorf("/healthz = %q", body)
	}
	if body := get(t, base+"/metrics"); !strings.Contains(body, `workqueue_depth{name="serviceaccount"}`) {
		t.Errorf("/metrics lacks the queue depth:\n%.2000s", body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

func TestRunRejectsUnknownControllers(t *testing.T) {
	cs := client.NewClientset(nil)
	if err := Run(context.Background(), Config{Clientset: cs, Controllers: []string{"nonsense"}}); err == nil ||
		!strings.Contains(err.Error(), `"nonsense" is not in the list of known controllers`) {
		t.Errorf("got %v", err)
	}
}
