package serviceaccount

import (
	"context"
	"slices"
	"testing"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/clienttest"
	"github.com/skiff-k8s/skiff/client/rest"
)

var ctx = context.Background()

func namespace(name string, phase corev1.NamespacePhase) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.NamespaceStatus{Phase: phase}}
}

func account(ns, name string) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
}

func TestMissingAccounts(t *testing.T) {
	active := namespace("a", corev1.NamespaceActive)
	tests := []struct {
		name     string
		ns       *corev1.Namespace
		existing []*corev1.ServiceAccount
		want     []string
	}{
		{"new namespace", active, nil, []string{"default"}},
		{"other accounts do not count", active, []*corev1.ServiceAccount{account("a", "builder")}, []string{"default"}},
		{"already there", active, []*corev1.ServiceAccount{account("a", "default")}, nil},
		{"terminating", namespace("a", corev1.NamespaceTerminating), nil, nil},
		{"no phase yet", namespace("a", ""), nil, nil},
	}
	for _, tt := range tests {
		if got := missingAccounts(tt.ns, DefaultServiceAccounts, tt.existing); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

// newFixture builds the controller over the in-memory API with its caches holding the
// API's objects (no informers running).
func newFixture(t *testing.T, objects ...any) (*Controller, *clienttest.Fake) {
	api := clienttest.New(objects...)
	factory := cache.NewSharedInformerFactory(api, cache.FactoryOptions{})
	c := NewController(api.Clientset(), factory)
	cs := api.Clientset()
	nss, _ := cs.Namespaces().List(ctx, client.ListOptions{})
	for i := range nss.Items {
		_ = factory.Namespaces().Indexer().Add(&nss.Items[i])
	}
	sas, _ := cs.ServiceAccounts("").List(ctx, client.ListOptions{})
	for i := range sas.Items {
		_ = factory.ServiceAccounts().Indexer().Add(&sas.Items[i])
	}
	api.ClearActions()
	return c, api
}

func writes(api *clienttest.Fake) []string {
	var out []string
	for _, a := range clienttest.Writes(api.Actions()) {
		out = append(out, a.String())
	}
	return out
}

func TestCreatesDefaultAccount(t *testing.T) {
	c, api := newFixture(t, namespace("team-a", corev1.NamespaceActive))
	if err := c.syncHandler(ctx, "team-a"); err != nil {
		t.Fatal(err)
	}
	if got := writes(api); !slices.Equal(got, []string{"create serviceaccounts team-a"}) {
		t.Errorf("writes %q", got)
	}
	sa, err := api.Clientset().ServiceAccounts("team-a").Get(ctx, "default")
	if err != nil || sa.Name != "default" {
		t.Errorf("default account: %v %v", sa, err)
	}
}

func TestLeavesExistingAccountAndTerminatingNamespaces(t *testing.T) {
	c, api := newFixture(t, namespace("team-a", corev1.NamespaceActive), account("team-a", "default"),
		namespace("going", corev1.NamespaceTerminating))
	for _, ns := range []string{"team-a", "going", "missing"} {
		if err := c.syncHandler(ctx, ns); err != nil {
			t.Fatal(err)
		}
	}
	if got := writes(api); len(got) != 0 {
		t.Errorf("writes %q", got)
	}
}

func TestRaceWithTerminationIsNotAnError(t *testing.T) {
	c, api := newFixture(t, namespace("team-a", corev1.NamespaceActive))
	api.PrependReactor("create", "serviceaccounts", func(clienttest.Action) (bool, any, error) {
		st := rest.NewStatus(403, metav1.StatusReasonForbidden, "unable to create new content in namespace team-a because it is being terminated")
		st.Details = &metav1.StatusDetails{Causes: []metav1.StatusCause{{Type: corev1.NamespaceTerminatingCause}}}
		return true, nil, st
	})
	if err := c.syncHandler(ctx, "team-a"); err != nil {
		t.Errorf("got %v", err)
	}
	api.PrependReactor("create", "serviceaccounts", func(clienttest.Action) (bool, any, error) {
		return true, nil, rest.NewStatus(500, metav1.StatusReasonInternalError, "etcd is down")
	})
	if err := c.syncHandler(ctx, "team-a"); err == nil {
		t.Error("a real failure was swallowed")
	}
}
