package client

import (
	"context"
	"encoding/json"
	"fmt"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	autoscalingv1 "github.com/skiff-k8s/skiff/api/autoscaling/v1"
	autoscalingv2 "github.com/skiff-k8s/skiff/api/autoscaling/v2"
	coordinationv1 "github.com/skiff-k8s/skiff/api/coordination/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/client/rest"
)

// Clientset gives typed clients for every kind Skiff's components use, all sharing one
// rest.Interface (and so one connection pool). It is cheap: the per-kind clients are built
// on demand and hold no state of their own.
type Clientset struct {
	rest rest.Interface
}

// NewClientset wraps a rest.Interface: a *rest.Client in production, a clienttest.Fake in
// unit tests.
func NewClientset(r rest.Interface) *Clientset { return &Clientset{rest: r} }

// NewForConfig builds a rest.Client for cfg and a Clientset over it. userAgent names the
// component ("skiff-controller-manager/v0.1").
func NewForConfig(cfg *rest.Config, userAgent string) (*Clientset, error) {
	rc, err := rest.NewClient(cfg, userAgent)
	if err != nil {
		return nil, err
	}
	return NewClientset(rc), nil
}

// REST is the layer below, for informer factories and raw calls.
func (c *Clientset) REST() rest.Interface { return c.rest }

// Pods of a namespace ("" = all namespaces, for list and watch).
func (c *Clientset) Pods(namespace string) PodInterface {
	return &pods{Interface: New(c.rest, PodResource, namespace), rest: c.rest, namespace: namespace}
}

func (c *Clientset) PodTemplates(namespace string) Interface[corev1.PodTemplate] {
	return New(c.rest, PodTemplateResource, namespace)
}

func (c *Clientset) Nodes() Interface[corev1.Node] { return New(c.rest, NodeResource, "") }

func (c *Clientset) Namespaces() Interface[corev1.Namespace] {
	return New(c.rest, NamespaceResource, "")
}

func (c *Clientset) Services(namespace string) Interface[corev1.Service] {
	return New(c.rest, ServiceResource, namespace)
}

func (c *Clientset) Endpoints(namespace string) Interface[corev1.Endpoints] {
	return New(c.rest, EndpointsResource, namespace)
}

func (c *Clientset) Events(namespace string) Interface[corev1.Event] {
	return New(c.rest, EventResource, namespace)
}

func (c *Clientset) ConfigMaps(namespace string) Interface[corev1.ConfigMap] {
	return New(c.rest, ConfigMapResource, namespace)
}

func (c *Clientset) Secrets(namespace string) Interface[corev1.Secret] {
	return New(c.rest, SecretResource, namespace)
}

func (c *Clientset) ServiceAccounts(namespace string) Interface[corev1.ServiceAccount] {
	return New(c.rest, ServiceAccountResource, namespace)
}

func (c *Clientset) Deployments(namespace string) ScalableInterface[appsv1.Deployment] {
	return &scalable[appsv1.Deployment]{Interface: New(c.rest, DeploymentResource, namespace),
		scales: c.Scales(namespace), res: DeploymentResource.ResourceInfo}
}

func (c *Clientset) ReplicaSets(namespace string) ScalableInterface[appsv1.ReplicaSet] {
	return &scalable[appsv1.ReplicaSet]{Interface: New(c.rest, ReplicaSetResource, namespace),
		scales: c.Scales(namespace), res: ReplicaSetResource.ResourceInfo}
}

func (c *Clientset) HorizontalPodAutoscalers(namespace string) Interface[autoscalingv2.HorizontalPodAutoscaler] {
	return New(c.rest, HorizontalPodAutoscalerResource, namespace)
}

func (c *Clientset) Leases(namespace string) Interface[coordinationv1.Lease] {
	return New(c.rest, LeaseResource, namespace)
}

// Scales reaches the scale subresource of any scalable resource in a namespace: the HPA
// scales whatever its scaleTargetRef names.
func (c *Clientset) Scales(namespace string) ScaleInterface {
	return &scales{rest: c.rest, namespace: namespace}
}

// PodInterface is the pods client: the common verbs plus binding.
type PodInterface interface {
	Interface[corev1.Pod]
	// Bind assigns a pod to a node through the pods/binding subresource (binding.Name is
	// the pod's name, binding.Target names the node). Only the scheduler binds; it fails
	// with a Conflict if the pod is already bound.
	Bind(ctx context.Context, binding *corev1.Binding) error
}

type pods struct {
	Interface[corev1.Pod]
	rest      rest.Interface
	namespace string
}

var bindingInfo = ResourceInfo{Version: "v1", Kind: "Binding"}

func (p *pods) Bind(ctx context.Context, binding *corev1.Binding) error {
	if binding.Name == "" {
		return fmt.Errorf("bind pod: binding has no name (the pod's)")
	}
	body, err := encodeObject(binding, bindingInfo)
	if err != nil {
		return err
	}
	_, err = p.rest.Do(ctx, &rest.Request{
		Verb: rest.VerbCreate, Version: PodResource.Version, Resource: PodResource.Resource,
		Namespace: p.namespace, Name: binding.Name, Subresource: "binding", Body: body,
	})
	return err
}

// ScalableInterface is a client for a kind with a scale subresource.
type ScalableInterface[T any] interface {
	Interface[T]
	GetScale(ctx context.Context, name string) (*autoscalingv1.Scale, error)
	UpdateScale(ctx context.Context, name string, scale *autoscalingv1.Scale) (*autoscalingv1.Scale, error)
}

type scalable[T any] struct {
	Interface[T]
	scales ScaleInterface
	res    ResourceInfo
}

func (s *scalable[T]) GetScale(ctx context.Context, name string) (*autoscalingv1.Scale, error) {
	return s.scales.Get(ctx, s.res, name)
}

func (s *scalable[T]) UpdateScale(ctx context.Context, name string, scale *autoscalingv1.Scale) (*autoscalingv1.Scale, error) {
	if scale.Name == "" {
		cp := *scale
		cp.Name = name
		scale = &cp
	} else if scale.Name != name {
		return nil, fmt.Errorf("update scale of %s %s: the scale names %q", s.res.GroupResource(), name, scale.Name)
	}
	return s.scales.Update(ctx, s.res, scale)
}

// ScaleInterface reads and writes the autoscaling/v1 Scale of any scalable resource.
type ScaleInterface interface {
	Get(ctx context.Context, res ResourceInfo, name string) (*autoscalingv1.Scale, error)
	Update(ctx context.Context, res ResourceInfo, scale *autoscalingv1.Scale) (*autoscalingv1.Scale, error)
}

type scales struct {
	rest      rest.Interface
	namespace string
}

var scaleInfo = ResourceInfo{Group: "autoscaling", Version: "v1", Kind: "Scale"}

func (s *scales) request(verb string, res ResourceInfo, name string) *rest.Request {
	return &rest.Request{Verb: verb, Group: res.Group, Version: res.Version, Resource: res.Resource,
		Namespace: s.namespace, Name: name, Subresource: "scale"}
}

func (s *scales) Get(ctx context.Context, res ResourceInfo, name string) (*autoscalingv1.Scale, error) {
	return s.do(ctx, s.request(rest.VerbGet, res, name))
}

func (s *scales) Update(ctx context.Context, res ResourceInfo, scale *autoscalingv1.Scale) (*autoscalingv1.Scale, error) {
	body, err := encodeObject(scale, scaleInfo)
	if err != nil {
		return nil, err
	}
	req := s.request(rest.VerbUpdate, res, scale.Name)
	req.Body = body
	return s.do(ctx, req)
}

func (s *scales) do(ctx context.Context, req *rest.Request) (*autoscalingv1.Scale, error) {
	body, err := s.rest.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	out := &autoscalingv1.Scale{}
	if err := json.Unmarshal(body, out); err != nil {
		return nil, fmt.Errorf("decode scale of %s %s: %w", req.Resource, req.Name, err)
	}
	return out, nil
}
