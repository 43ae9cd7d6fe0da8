package namespace

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

// resource is one namespaced resource the discovery documents list, with its verbs.
type resource struct {
	group, version, name string
	verbs                []string
}

// String names the resource as upstream's condition messages do: "pods." for the core
// group, "deployments.apps" otherwise.
func (r resource) String() string { return r.name + "." + r.group }

func (r resource) can(verb string) bool { return slices.Contains(r.verbs, verb) }

// deletableResources picks, from discovery documents, the namespaced resources that can be
// deleted (subresources such as pods/status excluded). Group versions it cannot parse are
// skipped and reported.
func deletableResources(lists []metav1.APIResourceList) ([]resource, error) {
	var out []resource
	var bad []string
	for _, l := range lists {
		group, version, ok := parseGroupVersion(l.GroupVersion)
		if !ok {
			bad = append(bad, l.GroupVersion)
			continue
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || !r.Namespaced || !slices.Contains(r.Verbs, "delete") {
				continue
			}
			out = append(out, resource{group: group, version: version, name: r.Name, verbs: r.Verbs})
		}
	}
	if len(bad) > 0 {
		return out, fmt.Errorf("unexpected GroupVersion string: %s", strings.Join(bad, ", "))
	}
	return out, nil
}

// parseGroupVersion splits "apps/v1" into its group and version ("v1" is the core group).
func parseGroupVersion(gv string) (group, version string, ok bool) {
	parts := strings.Split(gv, "/")
	switch {
	case len(parts) == 1 && parts[0] != "":
		return "", parts[0], true
	case len(parts) == 2 && parts[0] != "" && parts[1] != "":
		return parts[0], parts[1], true
	}
	return "", "", false
}

// finalizerEstimateSeconds is how long to wait, by default, for objects held by finalizers
// (upstream's guess for the garbage collector to finish).
const finalizerEstimateSeconds = 15

// resourceOutcome is what deleting one resource's content left behind.
type resourceOutcome struct {
	// estimate is how many seconds to wait before looking again (0: nothing to wait for).
	estimate   int64
	remaining  int
	finalizers map[string]int
}

// deleteContent deletes every object of r in the namespace and reports what is left.
// Objects still being deleted are not an error when something (graceful termination,
// finalizers) explains them; objects left for no reason are.
func (c *Controller) deleteContent(ctx context.Context, ns *corev1.Namespace, r resource) (resourceOutcome, error) {
	estimate, err := c.estimateGracefulTermination(ctx, ns, r)
	if err != nil {
		return resourceOutcome{}, err
	}
	if err := c.deleteCollection(ctx, ns.Name, r); err != nil {
		return resourceOutcome{estimate: estimate}, err
	}
	if !c.supported(r, "list") {
		return resourceOutcome{estimate: estimate}, nil
	}
	left, err := c.listMetadata(ctx, ns.Name, r)
	if err != nil {
		return resourceOutcome{estimate: estimate}, err
	}
	if len(left) == 0 {
		return resourceOutcome{}, nil
	}
	out := resourceOutcome{estimate: estimate, remaining: len(left), finalizers: map[string]int{}}
	for _, item := range left {
		for _, f := range item.Finalizers {
			out.finalizers[f]++
		}
	}
	switch {
	case estimate > 0:
		return out, nil
	case len(out.finalizers) > 0:
		out.estimate = finalizerEstimateSeconds
		return out, nil
	}
	return out, fmt.Errorf("unexpected items still remain in namespace: %s for gvr: %s/%s, Resource=%s", ns.Name, r.group, r.version, r.name)
}

// deleteCollection deletes the namespace's objects of r in one call when the resource
// supports it, one by one otherwise. Background propagation: the garbage collector deletes
// dependents later, and the orphan finalizer must not keep anything around.
func (c *Controller) deleteCollection(ctx context.Context, namespace string, r resource) error {
	opts := deleteBackground()
	if c.supported(r, "deletecollection") {
		_, err := c.rest.Do(ctx, &rest.Request{
			Verb: rest.VerbDeleteCollection, Group: r.group, Version: r.version, Resource: r.name,
			Namespace: namespace, Body: opts,
		})
		switch {
		case err == nil:
			return nil
		case rest.IsMethodNotAllowed(err) || rest.IsNotFound(err):
			c.markUnsupported(r, "deletecollection")
		default:
			return fmt.Errorf("delete collection of %s in %s: %w", r, namespace, err)
		}
	}
	if !c.supported(r, "list") {
		return nil
	}
	items, err := c.listMetadata(ctx, namespace, r)
	if err != nil {
		return err
	}
	for _, item := range items {
		_, err := c.rest.Do(ctx, &rest.Request{
			Verb: rest.VerbDelete, Group: r.group, Version: r.version, Resource: r.name,
			Namespace: namespace, Name: item.Name, Body: opts,
		})
		if err != nil && !rest.IsNotFound(err) && !rest.IsMethodNotAllowed(err) {
			return fmt.Errorf("delete %s %s/%s: %w", r, namespace, item.Name, err)
		}
	}
	return nil
}

func deleteBackground() []byte {
	policy := metav1.DeletePropagationBackground
	raw, _ := json.Marshal(metav1.DeleteOptions{PropagationPolicy: &policy})
	return raw
}

// listMetadata lists the namespace's objects of r, keeping only their metadata.
func (c *Controller) listMetadata(ctx context.Context, namespace string, r resource) ([]metav1.PartialObjectMetadata, error) {
	body, err := c.rest.Do(ctx, &rest.Request{
		Verb: rest.VerbList, Group: r.group, Version: r.version, Resource: r.name, Namespace: namespace,
	})
	if rest.IsMethodNotAllowed(err) || rest.IsNotFound(err) {
		c.markUnsupported(r, "list")
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list %s in %s: %w", r, namespace, err)
	}
	var list metav1.PartialObjectMetadataList
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("decode %s list: %w", r, err)
	}
	return list.Items, nil
}

// estimateGracefulTermination is, for pods, how many seconds their graceful termination may
// still take: the longest terminationGracePeriodSeconds of the pods not yet finished,
// counted from the namespace's deletion. Other resources terminate at once.
func (c *Controller) estimateGracefulTermination(ctx context.Context, ns *corev1.Namespace, r resource) (int64, error) {
	if r.group != "" || r.name != "pods" {
		return 0, nil
	}
	pods, err := c.clientset.Pods(ns.Name).List(ctx, client.ListOptions{})
	if err != nil {
		return 0, fmt.Errorf("estimate termination of pods in %s: %w", ns.Name, err)
	}
	return podsGraceEstimate(pods.Items, ns.DeletionTimestamp.Time, c.now()), nil
}

// podsGraceEstimate is the pure part of estimateGracefulTermination.
func podsGraceEstimate(pods []corev1.Pod, deletedAt, now time.Time) int64 {
	var estimate int64
	for _, p := range pods {
		if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		if g := p.Spec.TerminationGracePeriodSeconds; g != nil && *g > estimate {
			estimate = *g
		}
	}
	if now.Sub(deletedAt) >= time.Duration(estimate)*time.Second {
		return 0
	}
	return estimate
}

// opCache remembers verbs a resource turned out not to support, beyond what discovery
// said.
type opCache struct {
	mu          sync.Mutex
	unsupported map[string]bool // "<resource>|<verb>"
}

func (c *Controller) supported(r resource, verb string) bool {
	if !r.can(verb) {
		return false
	}
	c.ops.mu.Lock()
	defer c.ops.mu.Unlock()
	return !c.ops.unsupported[r.String()+"|"+verb]
}

func (c *Controller) markUnsupported(r resource, verb string) {
	c.ops.mu.Lock()
	defer c.ops.mu.Unlock()
	if c.ops.unsupported == nil {
		c.ops.unsupported = map[string]bool{}
	}
	c.ops.unsupported[r.String()+"|"+verb] = true
}
