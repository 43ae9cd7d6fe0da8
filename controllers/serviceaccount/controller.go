// Package serviceaccount is the controller that gives every namespace its "default"
// ServiceAccount, the identity pods run as when they name none.
//
// Promises, as upstream's serviceaccounts-controller: the account is created when a
// namespace appears and re-created whenever it is deleted; nothing is created in a namespace
// that is not Active (a terminating namespace must be allowed to empty); an account that
// already exists is never modified.
package serviceaccount

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/client/workqueue"
)

// DefaultServiceAccounts are the accounts every namespace gets.
var DefaultServiceAccounts = []string{"default"}

// Controller ensures the default ServiceAccounts of every namespace.
type Controller struct {
	clientset *client.Clientset
	// accounts are the names to ensure (DefaultServiceAccounts).
	accounts []string

	namespaces      cache.Lister[corev1.Namespace]
	serviceAccounts cache.Lister[corev1.ServiceAccount]
	synced          []func() bool

	// queue holds namespace names.
	queue *workqueue.RateLimitingQueue[string]
}

// NewController wires the controller to the factory's namespace and serviceaccount
// informers.
func NewController(cs *client.Clientset, factory *cache.SharedInformerFactory) *Controller {
	c := &Controller{
		clientset: cs,
		accounts:  DefaultServiceAccounts,
		queue:     workqueue.NewRateLimiting(workqueue.DefaultControllerRateLimiter[string]()),
	}
	nsInf, saInf := factory.Namespaces(), factory.ServiceAccounts()
	c.namespaces, c.serviceAccounts = nsInf.Lister(), saInf.Lister()
	nsReg, _ := nsInf.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Namespace]{
		AddFunc:    func(ns *corev1.Namespace) { c.queue.Add(ns.Name) },
		UpdateFunc: func(_, ns *corev1.Namespace) { c.queue.Add(ns.Name) },
	})
	// Only deletions matter: a deleted default account must come back.
	saReg, _ := saInf.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.ServiceAccount]{
		DeleteFunc: func(obj any) {
			if sa, ok := cache.DeletedObject[corev1.ServiceAccount](obj); ok {
				c.queue.Add(sa.Namespace)
			}
		},
	})
	c.synced = []func() bool{nsReg.HasSynced, saReg.HasSynced}
	return c
}

// Run waits for the caches, then syncs namespaces with workers goroutines until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	defer c.queue.ShutDown()
	slog.Info("starting controller", "controller", "serviceaccount")
	defer slog.Info("shutting down controller", "controller", "serviceaccount")
	if !cache.WaitForCacheSync(ctx, c.synced...) {
		return
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() { defer wg.Done(); c.runWorker(ctx) }()
	}
	<-ctx.Done()
	c.queue.ShutDown()
	wg.Wait()
}

// QueueLen reports the queue's depth, for the manager's metrics.
func (c *Controller) QueueLen() int { return c.queue.Len() }

func (c *Controller) runWorker(ctx context.Context) {
	for c.processNextWorkItem(ctx) {
	}
}

func (c *Controller) processNextWorkItem(ctx context.Context) bool {
	key, shutdown := c.queue.Get()
	if shutdown {
		return false
	}
	defer c.queue.Done(key)
	if err := c.syncHandler(ctx, key); err != nil {
		slog.Error("ensure service accounts failed, will retry", "namespace", key, "err", err)
		c.queue.AddRateLimited(key)
		return true
	}
	c.queue.Forget(key)
	return true
}

// syncHandler creates the namespace's missing default accounts.
func (c *Controller) syncHandler(ctx context.Context, namespace string) error {
	ns, err := c.namespaces.Get(namespace)
	if rest.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	existing, err := c.serviceAccounts.ByNamespace(namespace).List(nil)
	if err != nil {
		return err
	}
	for _, name := range missingAccounts(ns, c.accounts, existing) {
		sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}}
		_, err := c.clientset.ServiceAccounts(namespace).Create(ctx, sa)
		switch {
		case err == nil:
			slog.Info("created service account", "namespace", namespace, "name", name)
		case rest.IsAlreadyExists(err), isNamespaceTerminating(err):
			// Someone was quicker, or the namespace started terminating meanwhile.
		default:
			return fmt.Errorf("create service account %s/%s: %w", namespace, name, err)
		}
	}
	return nil
}

// missingAccounts is the decision: the wanted accounts the namespace lacks, none at all
// unless the namespace is Active.
func missingAccounts(ns *corev1.Namespace, wanted []string, existing []*corev1.ServiceAccount) []string {
	if ns.Status.Phase != corev1.NamespaceActive || ns.DeletionTimestamp != nil {
		return nil
	}
	var out []string
	for _, name := range wanted {
		found := false
		for _, sa := range existing {
			if sa.Name == name {
				found = true
				break
			}
		}
		if !found {
			out = append(out, name)
		}
	}
	return out
}

// isNamespaceTerminating recognizes the API server's refusal to create in a terminating
// namespace (403 with the NamespaceTerminating cause).
func isNamespaceTerminating(err error) bool {
	if !rest.IsForbidden(err) {
		return false
	}
	var st *metav1.Status
	if !errors.As(err, &st) || st.Details == nil {
		return false
	}
	for _, c := range st.Details.Causes {
		if c.Type == corev1.NamespaceTerminatingCause {
			return true
		}
	}
	return false
}
