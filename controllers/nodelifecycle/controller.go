package nodelifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	coordinationv1 "github.com/skiff-k8s/skiff/api/coordination/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/labels"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/events"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/client/workqueue"
)

// Config tunes the node lifecycle controller; DefaultConfig has upstream's values.
type Config struct {
	// NodeMonitorPeriod is how often each node's health is checked.
	NodeMonitorPeriod time.Duration
	// NodeMonitorGracePeriod is how long a node may stay silent before it is marked
	// Unknown; NodeStartupGracePeriod is the same for a node that never posted status.
	NodeMonitorGracePeriod time.Duration
	NodeStartupGracePeriod time.Duration
	// NodeEvictionRate is how many nodes per second per zone may get a NoExecute taint;
	// SecondaryNodeEvictionRate applies to large (> LargeClusterSizeThreshold nodes) zones
	// in partial disruption (UnhealthyZoneThreshold of their nodes not ready).
	NodeEvictionRate          float64
	SecondaryNodeEvictionRate float64
	LargeClusterSizeThreshold int
	UnhealthyZoneThreshold    float64
}

// DefaultConfig returns the defaults of kube-controller-manager's flags.
func DefaultConfig() Config {
	return Config{
		NodeMonitorPeriod:         5 * time.Second,
		NodeMonitorGracePeriod:    40 * time.Second,
		NodeStartupGracePeriod:    60 * time.Second,
		NodeEvictionRate:          0.1,
		SecondaryNodeEvictionRate: 0.01,
		LargeClusterSizeThreshold: 50,
		UnhealthyZoneThreshold:    0.55,
	}
}

// podNodeIndex indexes pods by spec.nodeName, so a node's pods are one lookup away.
const podNodeIndex = "spec.nodeName"

// Controller keeps nodes' conditions and lifecycle taints in step with their heartbeats.
type Controller struct {
	clientset *client.Clientset
	recorder  events.EventRecorder
	cfg       Config
	// now is the clock; tests replace it.
	now func() time.Time

	nodes  cache.Lister[corev1.Node]
	leases cache.Lister[coordinationv1.Lease]
	pods   cache.Lister[corev1.Pod]
	// podsByNode reads the pod informer's store through podNodeIndex.
	podsByNode *cache.Indexer[corev1.Pod]
	synced     []func() bool

	// queue holds node names: every node is synced when it changes and again every
	// NodeMonitorPeriod, since silence produces no event. podQueue holds "ns/name" of pods
	// just bound to a node, which must be marked not ready if that node is not ready.
	queue    *workqueue.RateLimitingQueue[string]
	podQueue *workqueue.RateLimitingQueue[string]

	// mu guards the state below, which lives only in this process (as upstream's does).
	mu sync.Mutex
	// health is each node's last sign of life.
	health map[string]*healthRecord
	// podsMarked records the nodes whose pods were already marked not ready during their
	// current not-ready spell, so it happens once per spell (and is retried until it does).
	podsMarked map[string]bool
	// zones holds each zone's state and its limiter of new NoExecute taints.
	zones map[string]*zone
	// masterDisruption is set while every node of every zone is not ready.
	masterDisruption bool
}

// zone is one failure zone's eviction state.
type zone struct {
	state   zoneState
	limiter *tokenBucket
}

// NewController wires the controller to the factory's node, lease and pod informers.
func NewController(cs *client.Clientset, factory *cache.SharedInformerFactory, recorder events.EventRecorder, cfg Config) *Controller {
	c := &Controller{
		clientset:  cs,
		recorder:   recorder,
		cfg:        cfg,
		now:        time.Now,
		queue:      workqueue.NewRateLimiting(workqueue.DefaultControllerRateLimiter[string]()),
		podQueue:   workqueue.NewRateLimiting(workqueue.DefaultControllerRateLimiter[string]()),
		health:     map[string]*healthRecord{},
		podsMarked: map[string]bool{},
		zones:      map[string]*zone{},
	}
	nodeInf, leaseInf, podInf := factory.Nodes(), factory.Leases(), factory.Pods()
	c.nodes, c.leases, c.pods = nodeInf.Lister(), leaseInf.Lister(), podInf.Lister()
	c.podsByNode = podInf.Indexer()
	ensurePodNodeIndex(podInf)

	nodeReg, _ := nodeInf.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Node]{
		AddFunc:    func(n *corev1.Node) { c.queue.Add(n.Name) },
		UpdateFunc: func(_, n *corev1.Node) { c.queue.Add(n.Name) },
		DeleteFunc: func(obj any) {
			if n, ok := cache.DeletedObject[corev1.Node](obj); ok {
				c.queue.Add(n.Name)
			}
		},
	})
	podReg, _ := podInf.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Pod]{
		AddFunc: func(p *corev1.Pod) {
			if p.Spec.NodeName != "" {
				c.podQueue.Add(p.Namespace + "/" + p.Name)
			}
		},
		UpdateFunc: func(old, p *corev1.Pod) {
			if p.Spec.NodeName != "" && p.Spec.NodeName != old.Spec.NodeName {
				c.podQueue.Add(p.Namespace + "/" + p.Name)
			}
		},
	})
	c.synced = []func() bool{nodeReg.HasSynced, podReg.HasSynced, leaseInf.HasSynced}
	return c
}

// ensurePodNodeIndex adds podNodeIndex to the shared pod informer unless another
// controller of the process already did.
func ensurePodNodeIndex(inf *cache.SharedInformer[corev1.Pod]) {
	if _, err := inf.Indexer().ByIndex(podNodeIndex, ""); err == nil {
		return
	}
	_ = inf.AddIndexers(cache.Indexers[corev1.Pod]{podNodeIndex: func(p *corev1.Pod) ([]string, error) {
		if p.Spec.NodeName == "" {
			return nil, nil
		}
		return []string{p.Spec.NodeName}, nil
	}})
}

// Run waits for the caches, then syncs nodes and pods with workers goroutines each until
// ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	defer c.queue.ShutDown()
	defer c.podQueue.ShutDown()
	slog.Info("starting controller", "controller", "node-lifecycle")
	defer slog.Info("shutting down controller", "controller", "node-lifecycle")
	if !cache.WaitForCacheSync(ctx, c.synced...) {
		return
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(2)
		go func() { defer wg.Done(); c.runWorker(ctx, c.queue, c.syncNode) }()
		go func() { defer wg.Done(); c.runWorker(ctx, c.podQueue, c.syncPod) }()
	}
	<-ctx.Done()
	c.queue.ShutDown()
	c.podQueue.ShutDown()
	wg.Wait()
}

// QueueLen reports the node queue's depth, for the manager's metrics.
func (c *Controller) QueueLen() int { return c.queue.Len() }

func (c *Controller) runWorker(ctx context.Context, q *workqueue.RateLimitingQueue[string], sync func(context.Context, string) error) {
	for c.processNextWorkItem(ctx, q, sync) {
	}
}

// processNextWorkItem syncs one key: success forgets its failures, failure retries it
// with backoff.
func (c *Controller) processNextWorkItem(ctx context.Context, q *workqueue.RateLimitingQueue[string], sync func(context.Context, string) error) bool {
	key, shutdown := q.Get()
	if shutdown {
		return false
	}
	defer q.Done(key)
	if err := sync(ctx, key); err != nil {
		slog.Error("node lifecycle sync failed, will retry", "key", key, "err", err)
		q.AddRateLimited(key)
		return true
	}
	q.Forget(key)
	return true
}

// syncNode checks one node's health and brings its conditions, taints and pods in line.
func (c *Controller) syncNode(ctx context.Context, name string) error {
	node, err := c.nodes.Get(name)
	if rest.IsNotFound(err) {
		c.forgetNode(name)
		return nil
	}
	if err != nil {
		return err
	}
	now := c.now()
	lease, _ := c.leases.ByNamespace(corev1.NamespaceNodeLease).Get(name)

	// Read: fold the latest heartbeats into what we knew.
	c.mu.Lock()
	prev := c.health[name]
	rec := observeHealth(prev, node, lease, now)
	c.health[name] = &rec
	c.mu.Unlock()
	if prev == nil {
		c.nodeEvent(node, "RegisteredNode", fmt.Sprintf("Registered Node %s in Controller", name))
	}

	// Compute and write, step 1: a node silent past its grace period reads Unknown.
	current := node
	if now.After(rec.probeTime.Add(gracePeriod(node, c.cfg.NodeMonitorGracePeriod, c.cfg.NodeStartupGracePeriod))) {
		if conditions, changed := silentNodeConditions(node, now); changed {
			upd := node.DeepCopy()
			upd.Status.Conditions = conditions
			written, err := c.clientset.Nodes().UpdateStatus(ctx, upd)
			if err != nil {
				return fmt.Errorf("mark node %s unknown: %w", name, err)
			}
			slog.Info("node stopped posting status, marked Unknown", "node", name, "silentFor", now.Sub(rec.probeTime).Round(time.Second))
			current = written
			c.mu.Lock()
			rec = observeHealth(&rec, written, lease, now)
			c.health[name] = &rec
			c.mu.Unlock()
		}
	}

	ready := readyStatus(current)
	if readyStatus(node) == corev1.ConditionTrue && ready != corev1.ConditionTrue {
		c.recorder.Eventf(nodeRef(current), corev1.EventTypeNormal, "NodeNotReady", "Node %s status is now: %s", name, "NodeNotReady")
	}

	// Step 2: the taints, NoExecute ones at the pace the zone allows.
	masterDisruption := c.observeZones(current, now)
	add, remove := taintDiff(noScheduleTaints(current), current.Spec.Taints)
	plan := planNoExecute(current.Spec.Taints, ready, masterDisruption)
	requeue := c.cfg.NodeMonitorPeriod
	if plan.add != nil && plan.rateLimited {
		if ok, wait := c.zoneLimiter(zoneKey(current)).take(now); !ok {
			plan.add = nil
			if wait > 0 && wait < requeue {
				requeue = wait
			}
		}
	}
	if plan.add != nil {
		add = append(add, *plan.add)
	}
	remove = append(remove, plan.remove...)
	if err := c.patchNode(ctx, current, add, remove, labelsToReconcile(current), now); err != nil {
		return err
	}

	// Step 3: a node that stopped being ready takes its pods' readiness with it.
	if err := c.markPodsIfNotReady(ctx, name, ready); err != nil {
		return err
	}
	c.queue.AddAfter(name, requeue)
	return nil
}

// patchNode writes the taint changes and label fixes in one patch, conditional on the
// resourceVersion the decision was made from.
func (c *Controller) patchNode(ctx context.Context, node *corev1.Node, add, remove []corev1.Taint, fixLabels map[string]string, now time.Time) error {
	if len(add) == 0 && len(remove) == 0 && len(fixLabels) == 0 {
		return nil
	}
	meta := map[string]any{"resourceVersion": node.ResourceVersion}
	if len(fixLabels) > 0 {
		meta["labels"] = fixLabels
	}
	patch := map[string]any{"metadata": meta}
	if len(add) > 0 || len(remove) > 0 {
		var taints any // nil removes the field
		if t := applyTaints(node.Spec.Taints, add, remove, now); len(t) > 0 {
			taints = t
		}
		patch["spec"] = map[string]any{"taints": taints}
	}
	data, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	if _, err := c.clientset.Nodes().Patch(ctx, node.Name, client.MergePatchType, data); err != nil {
		return fmt.Errorf("update taints of node %s (add %v, remove %v): %w", node.Name, taintNames(add), taintNames(remove), err)
	}
	if len(add) > 0 || len(remove) > 0 {
		slog.Info("node taints updated", "node", node.Name, "added", taintNames(add), "removed", taintNames(remove))
	}
	return nil
}

// observeZones recomputes every zone's state from the node lister (with node's fresh
// status), adjusts the zones' limiters, and enters or leaves master disruption mode. It
// reports whether the cluster is in master disruption mode.
func (c *Controller) observeZones(node *corev1.Node, now time.Time) bool {
	all, _ := c.nodes.List(labels.Everything())
	byZone := map[string][]corev1.ConditionStatus{}
	for _, n := range all {
		if n.Name == node.Name {
			n = node
		}
		if _, excluded := n.Labels[labelExcludeFromDisruptions]; excluded {
			continue
		}
		byZone[zoneKey(n)] = append(byZone[zoneKey(n)], readyStatus(n))
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	allFull := len(byZone) > 0
	states := map[string]zoneState{}
	for key, ready := range byZone {
		_, state := computeZoneState(ready, c.cfg.UnhealthyZoneThreshold)
		states[key] = state
		if state != stateFullDisruption {
			allFull = false
		}
	}
	for key := range c.zones {
		if _, ok := states[key]; !ok {
			delete(c.zones, key)
		}
	}
	switch {
	case allFull && !c.masterDisruption:
		slog.Warn("all nodes are not ready: entering master disruption mode, no NoExecute taints until some node is ready again")
		c.masterDisruption = true
		for _, n := range all {
			c.queue.Add(n.Name) // each sync removes the node's NoExecute taints
		}
	case !allFull && c.masterDisruption:
		slog.Info("some nodes are ready: leaving master disruption mode")
		c.masterDisruption = false
		// Nodes silent during the outage get a fresh grace period rather than all being
		// declared dead at once.
		for _, rec := range c.health {
			rec.probeTime = now
		}
	}
	for key, state := range states {
		z, ok := c.zones[key]
		if !ok {
			z = &zone{state: state, limiter: newTokenBucket(evictionRate(state, len(byZone[key]), c.cfg), now)}
			c.zones[key] = z
		}
		if z.state != state {
			slog.Info("zone changed state", "zone", key, "from", z.state, "to", state)
			z.state = state
			z.limiter.setRate(evictionRate(state, len(byZone[key]), c.cfg), now)
		}
	}
	return c.masterDisruption
}

// zoneLimiter returns the limiter of a zone (creating it at the normal rate if the zone
// was not seen yet).
func (c *Controller) zoneLimiter(key string) *tokenBucket {
	c.mu.Lock()
	defer c.mu.Unlock()
	z, ok := c.zones[key]
	if !ok {
		z = &zone{state: stateNormal, limiter: newTokenBucket(c.cfg.NodeEvictionRate, c.now())}
		c.zones[key] = z
	}
	return z.limiter
}

// forgetNode drops a deleted node's state.
func (c *Controller) forgetNode(name string) {
	c.mu.Lock()
	_, known := c.health[name]
	delete(c.health, name)
	delete(c.podsMarked, name)
	c.mu.Unlock()
	if known {
		c.recorder.Eventf(&corev1.ObjectReference{APIVersion: "v1", Kind: "Node", Name: name}, corev1.EventTypeNormal,
			"RemovingNode", "Node %s event: Removing Node %s from Controller", name, name)
	}
}

// nodeEvent records an event about a node, in upstream's "Node X event: ..." form.
func (c *Controller) nodeEvent(node *corev1.Node, reason, message string) {
	c.recorder.Eventf(nodeRef(node), corev1.EventTypeNormal, reason, "Node %s event: %s", node.Name, message)
}

func nodeRef(node *corev1.Node) *corev1.ObjectReference {
	return &corev1.ObjectReference{APIVersion: "v1", Kind: "Node", Name: node.Name, UID: node.UID}
}

func taintNames(taints []corev1.Taint) []string {
	out := make([]string, 0, len(taints))
	for _, t := range taints {
		out = append(out, t.Key+":"+string(t.Effect))
	}
	return out
}
