// Package clientgo_test checks Skiff's apiserver with upstream's own client libraries
// (k8s.io/client-go, k8s.io/api, k8s.io/apimachinery) as the only client: typed and dynamic
// clients, watches, informers, discovery and REST mapping, patches, dry run. It is an
// independent check: nothing here imports Skiff except testenv, which starts the server.
//
// The whole package shares one apiserver started in TestMain (each test works in its own
// namespace); the tests that need special server settings (fast etcd compaction) start
// their own. Setting SKIFF_TEST_KUBECONFIG runs the same tests against another server, such
// as upstream's kube-apiserver from /work/shared/peers, to check that the tests assert what
// upstream does; the tests that need a Skiff-only setting skip there.
package clientgo_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/skiff-k8s/skiff/testenv"
)

var (
	// kubeconfig is the kubeconfig file of the server under test.
	kubeconfig string
	// external is true when the server is not a testenv one (SKIFF_TEST_KUBECONFIG).
	external bool
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if kc := os.Getenv("SKIFF_TEST_KUBECONFIG"); kc != "" {
		kubeconfig, external = kc, true
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "skiff-clientgo-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "temp dir:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	env, err := testenv.StartServer(context.Background(), dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "start apiserver:", err)
		return 1
	}
	defer env.Stop()
	kubeconfig = env.KubeconfigPath
	return m.Run()
}

// restConfig is a fresh client configuration for the server under test, built the way
// programs build theirs: from a kubeconfig file through clientcmd. It speaks JSON: the
// generated clients would send built-in kinds as protobuf by default, which
// TestProtobufRequests checks on its own, so that every other test checks its own subject.
func restConfig(t testing.TB) *rest.Config {
	t.Helper()
	cfg := defaultRestConfig(t)
	cfg.ContentType = "application/json"
	return cfg
}

// defaultRestConfig is restConfig with client-go's default content types (protobuf requests
// for built-in kinds, protobuf-or-JSON answers).
func defaultRestConfig(t testing.TB) *rest.Config {
	t.Helper()
	return restConfigFrom(t, kubeconfig)
}

func restConfigFrom(t testing.TB, path string) *rest.Config {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		t.Fatalf("load kubeconfig %s: %v", path, err)
	}
	// Tests make many requests in bursts; the default 5 QPS would only make them slow.
	cfg.QPS, cfg.Burst = 1000, 1000
	cfg.UserAgent = "skiff-clientgo-test"
	// Deprecation warnings (v1 Endpoints) would only fill the output.
	cfg.WarningHandler = rest.NoWarnings{}
	return cfg
}

func clientset(t testing.TB) *kubernetes.Clientset {
	t.Helper()
	return clientsetFor(t, restConfig(t))
}

func clientsetFor(t testing.TB, cfg *rest.Config) *kubernetes.Clientset {
	t.Helper()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatalf("kubernetes.NewForConfig: %v", err)
	}
	return cs
}

func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var notDNS = regexp.MustCompile(`[^a-z0-9-]+`)

// newNamespace creates a namespace of its own for the test, named after it, and deletes it
// when the test ends.
func newNamespace(t testing.TB, cs kubernetes.Interface) string {
	t.Helper()
	base := strings.Trim(notDNS.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	if len(base) > 40 {
		base = strings.Trim(base[:40], "-")
	}
	name := fmt.Sprintf("%s-%04x", base, rand.IntN(1<<16))
	ctx := context.Background()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create namespace %s: %v", name, err)
	}
	t.Cleanup(func() {
		err := cs.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete namespace %s: %v", name, err)
		}
	})
	if external {
		// Upstream's ServiceAccount admission refuses pods until the controller manager has
		// made the namespace's "default" service account; Skiff has no such admission.
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
			_, err := cs.CoreV1().ServiceAccounts(name).Get(ctx, "default", metav1.GetOptions{})
			return err == nil, nil
		})
		if err != nil {
			t.Fatalf("service account default in %s never appeared: %v", name, err)
		}
	}
	return name
}

// unscheduled is a scheduler name no scheduler answers to, so that no scheduler (upstream's,
// when the tests run against a full control plane) binds the test's pods behind its back.
const unscheduled = "skiff-test-nobody"

// simplePod is a minimal valid pod with one container.
func simplePod(name string, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec: corev1.PodSpec{
			SchedulerName: unscheduled,
			Containers:    []corev1.Container{{Name: "app", Image: "registry.k8s.io/pause:3.10"}},
		},
	}
}

// statusOf returns the Status inside an API error, failing the test if err is not one.
func statusOf(t testing.TB, err error) metav1.Status {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want an API Status error")
	}
	var se apierrors.APIStatus
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not an API Status", err, err)
	}
	return se.Status()
}

// eventually polls cond every 50ms until it holds or timeout passes.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, timeout, true, func(context.Context) (bool, error) {
		ok, err := cond()
		last = err
		return ok, nil
	})
	if err != nil {
		t.Fatalf("timed out after %v waiting for %s (last error: %v)", timeout, what, last)
	}
}
