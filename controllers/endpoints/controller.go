// Package endpoints is the endpoints controller: for every Service with a selector it
// keeps an Endpoints object of the same name listing the pods behind the service, which
// kube-proxy (and DNS, for headless services) read.
//
// Promises, as upstream's endpoint-controller:
//   - addresses are the pods matching the selector that have an IP and have not finished;
//     ready pods (or all of them, with publishNotReadyAddresses) go to addresses, the
//     others to notReadyAddresses; a pod being deleted is dropped unless the service
//     publishes not-ready addresses;
//   - each address carries the pod's IP of the service's IP family, its nodeName and a
//     targetRef to the pod, plus a hostname when the pod's subdomain is the service;
//   - ports come from the service's ports, targetPort resolved by number or by the name of
//     a container port with the same protocol; addresses serving the same ports share a
//     subset; a headless service without ports lists addresses without ports;
//   - the Endpoints carry the service's labels (plus service.kubernetes.io/headless for
//     headless services); more than 1000 addresses are truncated and annotated
//     endpoints.kubernetes.io/over-capacity: truncated;
//   - services without a selector, and ExternalName services, are left alone (their
//     Endpoints are the user's); deleting a Service deletes its Endpoints, and at start-up
//     Endpoints whose Service no longer exists are deleted.
//
// Not implemented: the optional endpoints.kubernetes.io/last-change-trigger-time
// annotation (removed when present, as upstream does when it has no trigger time).
package endpoints

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/labels"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/events"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/client/workqueue"
)

// leaderElectionAnnotation marks Endpoints used as old-style leader election locks; they
// have no Service and must not be deleted as leftovers.
const leaderElectionAnnotation = "control-plane.alpha.kubernetes.io/leader"

// Controller keeps Endpoints in step with Services and their pods.
type Controller struct {
	clientset *client.Clientset
	recorder  events.EventRecorder

	services  cache.Lister[corev1.Service]
	pods      cache.Lister[corev1.Pod]
	endpoints cache.Lister[corev1.Endpoints]
	synced    []func() bool

	// queue holds "namespace/name" of services.
	queue *workqueue.RateLimitingQueue[string]
}

// NewController wires the controller to the factory's service, pod and endpoints
// informers.
func NewController(cs *client.Clientset, factory *cache.SharedInformerFactory, recorder events.EventRecorder) *Controller {
	c := &Controller{
		clientset: cs,
		recorder:  recorder,
		queue:     workqueue.NewRateLimiting(workqueue.DefaultControllerRateLimiter[string]()),
	}
	svcInf, podInf, epInf := factory.Services(), factory.Pods(), factory.Endpoints()
	c.services, c.pods, c.endpoints = svcInf.Lister(), podInf.Lister(), epInf.Lister()

	svcReg, _ := svcInf.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Service]{
		AddFunc:    func(s *corev1.Service) { c.queue.Add(metav1.KeyOf(s)) },
		UpdateFunc: func(_, s *corev1.Service) { c.queue.Add(metav1.KeyOf(s)) },
		DeleteFunc: func(obj any) {
			if s, ok := cache.DeletedObject[corev1.Service](obj); ok {
				c.queue.Add(metav1.KeyOf(s))
			}
		},
	})
	podReg, _ := podInf.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Pod]{
		AddFunc: func(p *corev1.Pod) { c.enqueueServicesOf(p) },
		UpdateFunc: func(old, p *corev1.Pod) {
			if old.ResourceVersion == p.ResourceVersion {
				return // a resync: nothing changed
			}
			c.enqueueServicesOf(old)
			c.enqueueServicesOf(p)
		},
		DeleteFunc: func(obj any) {
			if p, ok := cache.DeletedObject[corev1.Pod](obj); ok {
				c.enqueueServicesOf(p)
			}
		},
	})
	// Only deletions matter: a deleted Endpoints of a live service must come back.
	epReg, _ := epInf.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Endpoints]{
		DeleteFunc: func(obj any) {
			if e, ok := cache.DeletedObject[corev1.Endpoints](obj); ok {
				c.queue.Add(metav1.KeyOf(e))
			}
		},
	})
	c.synced = []func() bool{svcReg.HasSynced, podReg.HasSynced, epReg.HasSynced}
	return c
}

// enqueueServicesOf queues the services whose selector matches the pod.
func (c *Controller) enqueueServicesOf(pod *corev1.Pod) {
	svcs, err := c.services.ByNamespace(pod.Namespace).List(labels.Everything())
	if err != nil {
		return
	}
	for _, s := range svcs {
		if len(s.Spec.Selector) > 0 && labels.SelectorFromSet(s.Spec.Selector).Matches(pod.Labels) {
			c.queue.Add(metav1.KeyOf(s))
		}
	}
}

// Run waits for the caches, queues the existing Endpoints (to delete those left behind by
// deleted services), then syncs services with workers goroutines until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	defer c.queue.ShutDown()
	slog.Info("starting controller", "controller", "endpoints")
	defer slog.Info("shutting down controller", "controller", "endpoints")
	if !cache.WaitForCacheSync(ctx, c.synced...) {
		return
	}
	c.queueLeftoverEndpoints()
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

// queueLeftoverEndpoints queues every Endpoints: a service deleted while no controller ran
// left its Endpoints behind, and syncing its key deletes them.
func (c *Controller) queueLeftoverEndpoints() {
	all, _ := c.endpoints.List(labels.Everything())
	for _, e := range all {
		if _, isLock := e.Annotations[leaderElectionAnnotation]; isLock {
			continue
		}
		c.queue.Add(metav1.KeyOf(e))
	}
}

func (c *Controller) runWorker(ctx context.Context) {
	for c.processNextWorkItem(ctx) {
	}
}

// maxRetries is how often a failing service is retried before it is dropped until its
// next change (upstream's value).
const maxRetries = 15

func (c *Controller) processNextWorkItem(ctx context.Context) bool {
	key, shutdown := c.queue.Get()
	if shutdown {
		return false
	}
	defer c.queue.Done(key)
	err := c.syncHandler(ctx, key)
	switch {
	case err == nil:
		c.queue.Forget(key)
	case c.queue.NumRequeues(key) < maxRetries:
		slog.Warn("syncing endpoints failed, will retry", "service", key, "err", err)
		c.queue.AddRateLimited(key)
	default:
		slog.Error("syncing endpoints failed too often, dropping the service until it changes", "service", key, "err", err)
		c.queue.Forget(key)
	}
	return true
}

// syncHandler brings the Endpoints of one service up to date (or deletes them with the
// service).
func (c *Controller) syncHandler(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	svc, err := c.services.ByNamespace(namespace).Get(name)
	if rest.IsNotFound(err) {
		err := c.clientset.Endpoints(namespace).Delete(ctx, name, metav1.DeleteOptions{})
		if err != nil && !rest.IsNotFound(err) {
			return fmt.Errorf("delete endpoints %s of a deleted service: %w", key, err)
		}
		return nil
	}
	if err != nil {
		return err
	}
	if svc.Spec.Type == corev1.ServiceTypeExternalName || len(svc.Spec.Selector) == 0 {
		return nil
	}
	pods, err := c.pods.ByNamespace(namespace).List(labels.SelectorFromSet(svc.Spec.Selector))
	if err != nil {
		return err
	}
	current, err := c.endpoints.ByNamespace(namespace).Get(name)
	if rest.IsNotFound(err) {
		current = nil
	} else if err != nil {
		return err
	}

	want, changed := desiredEndpoints(svc, current, computeSubsets(svc, pods))
	if !changed {
		return nil
	}
	if current == nil {
		_, err = c.clientset.Endpoints(namespace).Create(ctx, want)
		if err != nil && isNamespaceTerminating(err) {
			return nil // creating will keep failing; the namespace is going away
		}
		if err != nil {
			c.recorder.Eventf(want, corev1.EventTypeWarning, "FailedToCreateEndpoint", "Failed to create endpoint for service %s/%s: %v", namespace, name, err)
			return fmt.Errorf("create endpoints %s: %w", key, err)
		}
	} else {
		if _, err = c.clientset.Endpoints(namespace).Update(ctx, want); err != nil {
			c.recorder.Eventf(want, corev1.EventTypeWarning, "FailedToUpdateEndpoint", "Failed to update endpoint %s/%s: %v", namespace, name, err)
			return fmt.Errorf("update endpoints %s: %w", key, err)
		}
	}
	ready, notReady := countAddresses(want.Subsets)
	slog.Info("endpoints updated", "namespace", namespace, "name", name, "ready", ready, "notReady", notReady)
	return nil
}

// desiredEndpoints builds the Endpoints object svc must have from the current one (nil if
// none) and the computed subsets; changed is false when current already says all that.
// current is not modified.
func desiredEndpoints(svc *corev1.Service, current *corev1.Endpoints, subsets []corev1.EndpointSubset) (*corev1.Endpoints, bool) {
	if current != nil {
		currentLabels := maps.Clone(current.Labels)
		delete(currentLabels, corev1.IsHeadlessService)
		if equalSubsets(current.Subsets, subsets) && maps.Equal(currentLabels, svc.Labels) && capacityAnnotationCorrect(current) {
			return current, false
		}
	}
	var want *corev1.Endpoints
	if current == nil {
		want = &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Name: svc.Name, Namespace: svc.Namespace}}
	} else {
		want = metav1.DeepCopy(current)
	}
	want.Subsets = subsets
	want.Labels = maps.Clone(svc.Labels)
	if want.Labels == nil {
		want.Labels = map[string]string{}
	}
	if svc.Spec.ClusterIP == corev1.ClusterIPNone || svc.Spec.ClusterIP == "" {
		want.Labels[corev1.IsHeadlessService] = ""
	} else {
		delete(want.Labels, corev1.IsHeadlessService)
	}
	if want.Annotations == nil {
		want.Annotations = map[string]string{}
	}
	delete(want.Annotations, corev1.EndpointsLastChangeTriggerTime)
	if truncate(want.Subsets) {
		want.Annotations[corev1.EndpointsOverCapacity] = overCapacityValue
	} else {
		delete(want.Annotations, corev1.EndpointsOverCapacity)
	}
	return want, true
}

// equalSubsets compares subsets as the API stores them (nil and empty lists alike),
// ignoring the resourceVersion of target references: a pod's unrelated changes must not
// rewrite the Endpoints.
func equalSubsets(a, b []corev1.EndpointSubset) bool {
	return canonicalJSON(a) == canonicalJSON(b)
}

func canonicalJSON(subsets []corev1.EndpointSubset) string {
	if len(subsets) == 0 {
		return "[]"
	}
	cp := metav1.DeepCopy(&subsets)
	for i := range *cp {
		for _, list := range [][]corev1.EndpointAddress{(*cp)[i].Addresses, (*cp)[i].NotReadyAddresses} {
			for j := range list {
				if list[j].TargetRef != nil {
					list[j].TargetRef.ResourceVersion = ""
				}
			}
		}
	}
	raw, _ := json.Marshal(cp)
	return string(raw)
}

// capacityAnnotationCorrect: within capacity and not annotated over it.
func capacityAnnotationCorrect(e *corev1.Endpoints) bool {
	ready, notReady := countAddresses(e.Subsets)
	if ready+notReady > maxCapacity {
		return false
	}
	_, annotated := e.Annotations[corev1.EndpointsOverCapacity]
	return !annotated
}

func countAddresses(subsets []corev1.EndpointSubset) (ready, notReady int) {
	for _, s := range subsets {
		ready += len(s.Addresses)
		notReady += len(s.NotReadyAddresses)
	}
	return ready, notReady
}

// isNamespaceTerminating recognizes the API server's refusal to create in a terminating
// namespace (403 with the NamespaceTerminating cause).
func isNamespaceTerminating(err error) bool {
	var st *metav1.Status
	if !errors.As(err, &st) || !rest.IsForbidden(err) || st.Details == nil {
		return false
	}
	for _, c := range st.Details.Causes {
		if c.Type == corev1.NamespaceTerminatingCause {
			return true
		}
	}
	return false
}
