package nodelifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/events"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/client/workqueue"
)

// TaintEvictionController deletes pods from nodes whose NoExecute taints they do not
// tolerate (see the package comment for the timing rules).
type TaintEvictionController struct {
	clientset *client.Clientset
	recorder  events.EventRecorder
	// now is the clock; tests replace it.
	now func() time.Time

	pods       cache.Lister[corev1.Pod]
	podsByNode *cache.Indexer[corev1.Pod]
	nodes      cache.Lister[corev1.Node]
	synced     []func() bool

	// queue holds "ns/name" of pods to judge: when they land on a node, when their
	// tolerations change, when their node's NoExecute taints change, and when a countdown
	// ends (AddAfter).
	queue *workqueue.RateLimitingQueue[string]

	// mu guards countdowns: when each pod's eviction countdown started.
	mu         sync.Mutex
	countdowns map[string]time.Time
}

// NewTaintEvictionController wires the controller to the factory's pod and node informers.
func NewTaintEvictionController(cs *client.Clientset, factory *cache.SharedInformerFactory, recorder events.EventRecorder) *TaintEvictionController {
	c := &TaintEvictionController{
		clientset:  cs,
		recorder:   recorder,
		now:        time.Now,
		queue:      workqueue.NewRateLimiting(workqueue.DefaultControllerRateLimiter[string]()),
		countdowns: map[string]time.Time{},
	}
	podInf, nodeInf := factory.Pods(), factory.Nodes()
	c.pods, c.nodes, c.podsByNode = podInf.Lister(), nodeInf.Lister(), podInf.Indexer()
	ensurePodNodeIndex(podInf)

	podReg, _ := podInf.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Pod]{
		AddFunc: func(p *corev1.Pod) { c.enqueuePod(p) },
		UpdateFunc: func(old, p *corev1.Pod) {
			if old.Spec.NodeName != p.Spec.NodeName || !slices.EqualFunc(old.Spec.Tolerations, p.Spec.Tolerations, sameToleration) {
				c.enqueuePod(p)
			}
		},
		DeleteFunc: func(obj any) {
			if p, ok := cache.DeletedObject[corev1.Pod](obj); ok {
				c.enqueuePod(p)
			}
		},
	})
	nodeReg, _ := nodeInf.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Node]{
		AddFunc: func(n *corev1.Node) { c.enqueueNodePods(n.Name) },
		UpdateFunc: func(old, n *corev1.Node) {
			if !slices.EqualFunc(noExecuteTaints(old.Spec.Taints), noExecuteTaints(n.Spec.Taints), sameTaint) {
				c.enqueueNodePods(n.Name)
			}
		},
		DeleteFunc: func(obj any) {
			if n, ok := cache.DeletedObject[corev1.Node](obj); ok {
				c.enqueueNodePods(n.Name)
			}
		},
	})
	c.synced = []func() bool{podReg.HasSynced, nodeReg.HasSynced}
	return c
}

func (c *TaintEvictionController) enqueuePod(p *corev1.Pod) {
	c.queue.Add(p.Namespace + "/" + p.Name)
}

// enqueueNodePods queues every pod bound to the node.
func (c *TaintEvictionController) enqueueNodePods(node string) {
	keys, err := c.podsByNode.IndexKeys(podNodeIndex, node)
	if err != nil {
		return
	}
	for _, k := range keys {
		c.queue.Add(k)
	}
}

// Run waits for the caches, then judges pods with workers goroutines until ctx ends.
func (c *TaintEvictionController) Run(ctx context.Context, workers int) {
	defer c.queue.ShutDown()
	slog.Info("starting controller", "controller", "taint-eviction")
	defer slog.Info("shutting down controller", "controller", "taint-eviction")
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
func (c *TaintEvictionController) QueueLen() int { return c.queue.Len() }

func (c *TaintEvictionController) runWorker(ctx context.Context) {
	for c.processNextWorkItem(ctx) {
	}
}

func (c *TaintEvictionController) processNextWorkItem(ctx context.Context) bool {
	key, shutdown := c.queue.Get()
	if shutdown {
		return false
	}
	defer c.queue.Done(key)
	if err := c.syncHandler(ctx, key); err != nil {
		slog.Error("taint eviction failed, will retry", "pod", key, "err", err)
		c.queue.AddRateLimited(key)
		return true
	}
	c.queue.Forget(key)
	return true
}

// syncHandler judges one pod against its node's NoExecute taints and deletes it, schedules
// its deletion, or cancels a scheduled one.
func (c *TaintEvictionController) syncHandler(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	pod, err := c.pods.ByNamespace(ns).Get(name)
	if rest.IsNotFound(err) {
		c.cancel(key, false) // the pod is gone; nothing to announce
		return nil
	}
	if err != nil {
		return err
	}
	if pod.Spec.NodeName == "" || pod.DeletionTimestamp != nil {
		c.cancel(key, false)
		return nil
	}
	var taints []corev1.Taint
	if node, err := c.nodes.Get(pod.Spec.NodeName); err == nil {
		taints = noExecuteTaints(node.Spec.Taints)
	} else if !rest.IsNotFound(err) {
		return err
	}

	now := c.now()
	c.mu.Lock()
	var started *time.Time
	if t, ok := c.countdowns[key]; ok {
		started = &t
	}
	c.mu.Unlock()
	d := decideEviction(pod.Spec.Tolerations, taints, started, now)
	switch d.action {
	case keepPod:
		c.cancel(key, true)
	case evictLater:
		c.mu.Lock()
		c.countdowns[key] = d.start
		c.mu.Unlock()
		c.queue.AddAfter(key, d.at.Sub(now))
	case evictNow:
		if err := c.evict(ctx, pod); err != nil {
			return err
		}
		c.mu.Lock()
		delete(c.countdowns, key)
		c.mu.Unlock()
	}
	return nil
}

// cancel stops a pod's countdown; announce records the "Cancelling deletion" event.
func (c *TaintEvictionController) cancel(key string, announce bool) {
	c.mu.Lock()
	_, had := c.countdowns[key]
	delete(c.countdowns, key)
	c.mu.Unlock()
	if had && announce {
		ns, name, _ := cache.SplitMetaNamespaceKey(key)
		c.recorder.Eventf(&corev1.ObjectReference{APIVersion: "v1", Kind: "Pod", Namespace: ns, Name: name},
			corev1.EventTypeNormal, "TaintManagerEviction", "Cancelling deletion of Pod %s", key)
	}
}

// The condition a pod gets before it is deleted, so that its owner (and a PodDisruption
// budget reader) can tell why it went.
const (
	reasonDeletionByTaintManager  = corev1.PodReasonDeletionByTaintManager
	messageDeletionByTaintManager = "Taint manager: deleting due to NoExecute taint"
)

// evict marks the pod with the DisruptionTarget condition and deletes it.
func (c *TaintEvictionController) evict(ctx context.Context, cached *corev1.Pod) error {
	key := cached.Namespace + "/" + cached.Name
	c.recorder.Eventf(&corev1.ObjectReference{APIVersion: "v1", Kind: "Pod", Namespace: cached.Namespace, Name: cached.Name},
		corev1.EventTypeNormal, "TaintManagerEviction", "Marking for deletion Pod %s", key)
	pods := c.clientset.Pods(cached.Namespace)
	pod, err := pods.Get(ctx, cached.Name)
	if rest.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("evict pod %s: %w", key, err)
	}
	if !hasDisruptionTarget(pod) {
		patch, err := json.Marshal(map[string]any{
			"metadata": map[string]any{"uid": pod.UID},
			"status": map[string]any{"conditions": []corev1.PodCondition{{
				Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue,
				LastTransitionTime: metav1.NewTime(c.now().UTC().Truncate(time.Second)),
				Reason:             reasonDeletionByTaintManager, Message: messageDeletionByTaintManager,
			}}},
		})
		if err != nil {
			return err
		}
		if _, err := pods.Patch(ctx, pod.Name, client.StrategicMergePatchType, patch, "status"); err != nil && !rest.IsNotFound(err) {
			return fmt.Errorf("evict pod %s: set DisruptionTarget: %w", key, err)
		}
	}
	if err := pods.Delete(ctx, pod.Name, metav1.DeleteOptions{}); err != nil && !rest.IsNotFound(err) {
		return fmt.Errorf("evict pod %s: %w", key, err)
	}
	slog.Info("pod evicted: its node has a NoExecute taint it does not tolerate (any longer)", "namespace", pod.Namespace, "name", pod.Name, "node", pod.Spec.NodeName)
	return nil
}

func hasDisruptionTarget(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.DisruptionTarget && c.Status == corev1.ConditionTrue && c.Reason == reasonDeletionByTaintManager {
			return true
		}
	}
	return false
}

func sameToleration(a, b corev1.Toleration) bool {
	return a.Key == b.Key && a.Operator == b.Operator && a.Value == b.Value && a.Effect == b.Effect &&
		(a.TolerationSeconds == nil) == (b.TolerationSeconds == nil) &&
		(a.TolerationSeconds == nil || *a.TolerationSeconds == *b.TolerationSeconds)
}

func sameTaint(a, b corev1.Taint) bool {
	return a.Key == b.Key && a.Value == b.Value && a.Effect == b.Effect
}
