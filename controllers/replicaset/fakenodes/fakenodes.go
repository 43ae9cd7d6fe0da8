// Package fakenodes plays the nodes of a cluster for controller integration tests: it
// registers Node objects and then does, instantly, what scheduler and kubelets would do to
// pods: bind each new pod to a node (round robin), report it Running and Ready, and finish
// graceful deletions. With it, a test of the ReplicaSet or Deployment controller sees pods
// come and go as in a real cluster, without containers.
//
// Promises: every pod of the watched namespace gets bound and, unless NotReady says
// otherwise, marked Running and Ready (Ready's lastTransitionTime is when it was marked);
// a pod being deleted is removed (grace period 0) after TerminateAfter. It acts only through
// the API, like the real components.
package fakenodes

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/client/workqueue"
)

// Options shape the fake cluster.
type Options struct {
	// Nodes is how many nodes pods are spread over ("node-0" ...); default 3.
	Nodes int
	// Namespace limits the pods handled ("" = all).
	Namespace string
	// NotReady, if set, picks pods that run but never become ready (a broken image).
	NotReady func(*corev1.Pod) bool
	// TerminateAfter is how long a deleted pod keeps running; default 0 (removed at once).
	TerminateAfter time.Duration
	// Workers handle pods concurrently; default 8.
	Workers int
}

// Cluster is a running set of fake nodes.
type Cluster struct {
	cs      *client.Clientset
	opts    Options
	factory *cache.SharedInformerFactory
	pods    cache.Lister[corev1.Pod]
	queue   *workqueue.RateLimitingQueue[string]
	// nextNode picks nodes round robin; nextIP numbers pod IPs.
	nextNode, nextIP atomic.Int64
	wg               sync.WaitGroup
}

// Start registers the nodes and handles pods until ctx ends; it returns once its pod cache
// has synced.
func Start(ctx context.Context, cs *client.Clientset, opts Options) (*Cluster, error) {
	if opts.Nodes == 0 {
		opts.Nodes = 3
	}
	if opts.Workers == 0 {
		opts.Workers = 8
	}
	for i := range opts.Nodes {
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("node-%d", i)}}
		if _, err := cs.Nodes().Create(ctx, node); err != nil && !rest.IsAlreadyExists(err) {
			return nil, fmt.Errorf("register fake node %s: %w", node.Name, err)
		}
	}
	factory := cache.NewSharedInformerFactory(cs.REST(), cache.FactoryOptions{Namespace: opts.Namespace})
	informer := factory.Pods()
	c := &Cluster{cs: cs, opts: opts, factory: factory, pods: informer.Lister(),
		queue: workqueue.NewRateLimiting(workqueue.DefaultControllerRateLimiter[string]())}
	enqueue := func(p *corev1.Pod) { c.queue.Add(p.Namespace + "/" + p.Name) }
	reg, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Pod]{
		AddFunc:    enqueue,
		UpdateFunc: func(_, p *corev1.Pod) { enqueue(p) },
	})
	if err != nil {
		return nil, err
	}
	factory.Start(ctx)
	if !cache.WaitForCacheSync(ctx, reg.HasSynced) {
		return nil, ctx.Err()
	}
	for range opts.Workers {
		c.wg.Go(func() {
			for c.work(ctx) {
			}
		})
	}
	go func() {
		<-ctx.Done()
		c.queue.ShutDown()
	}()
	return c, nil
}

// Wait blocks until the workers and the informer stopped (after the context ended).
func (c *Cluster) Wait() {
	c.wg.Wait()
	c.factory.Wait()
}

func (c *Cluster) work(ctx context.Context) bool {
	key, shutdown := c.queue.Get()
	if shutdown {
		return false
	}
	defer c.queue.Done(key)
	if err := c.handle(ctx, key); err != nil && ctx.Err() == nil {
		slog.Debug("fake node retries pod", "key", key, "err", err)
		c.queue.AddRateLimited(key)
		return true
	}
	c.queue.Forget(key)
	return true
}

// handle moves one pod a step through its life: bound, running and ready, or gone.
func (c *Cluster) handle(ctx context.Context, key string) error {
	ns, name, _ := cache.SplitMetaNamespaceKey(key)
	pod, err := c.pods.ByNamespace(ns).Get(name)
	if rest.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	pods := c.cs.Pods(ns)
	switch {
	case pod.DeletionTimestamp != nil:
		if wait := c.opts.TerminateAfter - time.Since(pod.DeletionTimestamp.Time.Add(-graceOf(pod))); wait > 0 {
			c.queue.AddAfter(key, wait)
			return nil
		}
		zero := int64(0)
		err := pods.Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &pod.UID}})
		if rest.IsNotFound(err) || rest.IsConflict(err) {
			return nil
		}
		return err
	case pod.Spec.NodeName == "":
		node := fmt.Sprintf("node-%d", c.nextNode.Add(1)%int64(c.opts.Nodes))
		err := pods.Bind(ctx, &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Target: corev1.ObjectReference{Kind: "Node", Name: node}})
		if rest.IsConflict(err) || rest.IsNotFound(err) {
			return nil // bound or gone meanwhile; its update event brings it back
		}
		return err
	case pod.Status.Phase != corev1.PodRunning:
		next := pod.DeepCopy()
		now := metav1.Now()
		ready := c.opts.NotReady == nil || !c.opts.NotReady(pod)
		next.Status.Phase = corev1.PodRunning
		next.Status.StartTime = &now
		next.Status.HostIP = "10.0.0.1"
		ip := c.nextIP.Add(1)
		next.Status.PodIP = fmt.Sprintf("10.1.%d.%d", ip/250%250, ip%250+1)
		status := corev1.ConditionFalse
		if ready {
			status = corev1.ConditionTrue
		}
		next.Status.Conditions = mergeConditions(pod.Status.Conditions,
			corev1.PodCondition{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: now},
			corev1.PodCondition{Type: corev1.ContainersReady, Status: status, LastTransitionTime: now},
			corev1.PodCondition{Type: corev1.PodReady, Status: status, LastTransitionTime: now},
		)
		next.Status.ContainerStatuses = nil
		for _, ctr := range pod.Spec.Containers {
			next.Status.ContainerStatuses = append(next.Status.ContainerStatuses, corev1.ContainerStatus{
				Name: ctr.Name, Image: ctr.Image, ImageID: "fake://" + ctr.Image, Ready: ready,
				ContainerID: "fake://" + string(pod.UID) + "/" + ctr.Name,
				State:       corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
			})
		}
		_, err := pods.UpdateStatus(ctx, next)
		if rest.IsConflict(err) || rest.IsNotFound(err) {
			return nil
		}
		return err
	}
	return nil
}

// graceOf is the pod's deletion grace period (its deletionTimestamp is the start of the
// deletion plus this).
func graceOf(p *corev1.Pod) time.Duration {
	if p.DeletionGracePeriodSeconds == nil {
		return 0
	}
	return time.Duration(*p.DeletionGracePeriodSeconds) * time.Second
}

// mergeConditions replaces or adds conditions by type, keeping the others.
func mergeConditions(cur []corev1.PodCondition, set ...corev1.PodCondition) []corev1.PodCondition {
	out := append([]corev1.PodCondition(nil), cur...)
	for _, c := range set {
		replaced := false
		for i := range out {
			if out[i].Type == c.Type {
				out[i], replaced = c, true
			}
		}
		if !replaced {
			out = append(out, c)
		}
	}
	return out
}
