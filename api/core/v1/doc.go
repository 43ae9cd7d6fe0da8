// Package v1 (imported as corev1) holds the kinds of the legacy core API group ("v1"): Pod,
// Node, Namespace, Service, Endpoints, Event, ConfigMap, Secret, ServiceAccount, Binding and
// the types they are built from, plus upstream's defaulting (defaults*.go), the pod QoS
// class computation and the default NoExecute tolerations.
//
// Promise: Go names, JSON field names, omitempty rules and patch-strategy struct tags are
// upstream's (k8s.io/api/core/v1), so any object a real client sends survives a decode /
// encode round trip unchanged, and strategic merge patches see the same list semantics.
// Fields Skiff does not act on are still carried.
package v1

//go:generate go run ../../internal/gendeepcopy
