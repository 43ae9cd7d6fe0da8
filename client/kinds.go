package client

import (
	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	autoscalingv2 "github.com/skiff-k8s/skiff/api/autoscaling/v2"
	coordinationv1 "github.com/skiff-k8s/skiff/api/coordination/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// Where each kind Skiff's components use lives in the API. The URL of a resource is
// /api/v1/... for the core group ("") and /apis/<group>/<version>/... otherwise.
var (
	PodResource            = NewResource[corev1.Pod](ResourceInfo{Version: "v1", Resource: "pods", Kind: "Pod", Namespaced: true})
	PodTemplateResource    = NewResource[corev1.PodTemplate](ResourceInfo{Version: "v1", Resource: "podtemplates", Kind: "PodTemplate", Namespaced: true})
	NodeResource           = NewResource[corev1.Node](ResourceInfo{Version: "v1", Resource: "nodes", Kind: "Node"})
	NamespaceResource      = NewResource[corev1.Namespace](ResourceInfo{Version: "v1", Resource: "namespaces", Kind: "Namespace"})
	ServiceResource        = NewResource[corev1.Service](ResourceInfo{Version: "v1", Resource: "services", Kind: "Service", Namespaced: true})
	EndpointsResource      = NewResource[corev1.Endpoints](ResourceInfo{Version: "v1", Resource: "endpoints", Kind: "Endpoints", Namespaced: true})
	EventResource          = NewResource[corev1.Event](ResourceInfo{Version: "v1", Resource: "events", Kind: "Event", Namespaced: true})
	ConfigMapResource      = NewResource[corev1.ConfigMap](ResourceInfo{Version: "v1", Resource: "configmaps", Kind: "ConfigMap", Namespaced: true})
	SecretResource         = NewResource[corev1.Secret](ResourceInfo{Version: "v1", Resource: "secrets", Kind: "Secret", Namespaced: true})
	ServiceAccountResource = NewResource[corev1.ServiceAccount](ResourceInfo{Version: "v1", Resource: "serviceaccounts", Kind: "ServiceAccount", Namespaced: true})

	DeploymentResource = NewResource[appsv1.Deployment](ResourceInfo{Group: "apps", Version: "v1", Resource: "deployments", Kind: "Deployment", Namespaced: true})
	ReplicaSetResource = NewResource[appsv1.ReplicaSet](ResourceInfo{Group: "apps", Version: "v1", Resource: "replicasets", Kind: "ReplicaSet", Namespaced: true})

	// The HPA is used at autoscaling/v2, the version with multiple metrics and behavior.
	HorizontalPodAutoscalerResource = NewResource[autoscalingv2.HorizontalPodAutoscaler](ResourceInfo{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers", Kind: "HorizontalPodAutoscaler", Namespaced: true})

	LeaseResource = NewResource[coordinationv1.Lease](ResourceInfo{Group: "coordination.k8s.io", Version: "v1", Resource: "leases", Kind: "Lease", Namespaced: true})
)
