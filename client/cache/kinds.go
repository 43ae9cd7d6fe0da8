package cache

import (
	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	autoscalingv2 "github.com/skiff-k8s/skiff/api/autoscaling/v2"
	coordinationv1 "github.com/skiff-k8s/skiff/api/coordination/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/client"
)

// Shorthands for the factory's informers of the kinds Skiff's components watch:
// factory.Pods() is InformerFor(factory, client.PodResource).

func (f *SharedInformerFactory) Pods() *SharedInformer[corev1.Pod] {
	return InformerFor(f, client.PodResource)
}

func (f *SharedInformerFactory) Nodes() *SharedInformer[corev1.Node] {
	return InformerFor(f, client.NodeResource)
}

func (f *SharedInformerFactory) Namespaces() *SharedInformer[corev1.Namespace] {
	return InformerFor(f, client.NamespaceResource)
}

func (f *SharedInformerFactory) Services() *SharedInformer[corev1.Service] {
	return InformerFor(f, client.ServiceResource)
}

func (f *SharedInformerFactory) Endpoints() *SharedInformer[corev1.Endpoints] {
	return InformerFor(f, client.EndpointsResource)
}

func (f *SharedInformerFactory) ConfigMaps() *SharedInformer[corev1.ConfigMap] {
	return InformerFor(f, client.ConfigMapResource)
}

func (f *SharedInformerFactory) Secrets() *SharedInformer[corev1.Secret] {
	return InformerFor(f, client.SecretResource)
}

func (f *SharedInformerFactory) ServiceAccounts() *SharedInformer[corev1.ServiceAccount] {
	return InformerFor(f, client.ServiceAccountResource)
}

func (f *SharedInformerFactory) Events() *SharedInformer[corev1.Event] {
	return InformerFor(f, client.EventResource)
}

func (f *SharedInformerFactory) Deployments() *SharedInformer[appsv1.Deployment] {
	return InformerFor(f, client.DeploymentResource)
}

func (f *SharedInformerFactory) ReplicaSets() *SharedInformer[appsv1.ReplicaSet] {
	return InformerFor(f, client.ReplicaSetResource)
}

func (f *SharedInformerFactory) HorizontalPodAutoscalers() *SharedInformer[autoscalingv2.HorizontalPodAutoscaler] {
	return InformerFor(f, client.HorizontalPodAutoscalerResource)
}

func (f *SharedInformerFactory) Leases() *SharedInformer[coordinationv1.Lease] {
	return InformerFor(f, client.LeaseResource)
}
