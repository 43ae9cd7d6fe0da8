// Package validation checks API objects the way upstream's validation does and reports each
// problem as a field error with the path of the offending field, so the apiserver can answer
// 422 Invalid with causes a client (and a person) can act on.
//
// Promise: the error types and message texts are upstream's ("spec.containers[0].image:
// Required value"), because kubectl prints them verbatim and users compare them. The
// golden cases in testdata/cases were recorded against kube-apiserver v1.37 and the tests
// require the same errors in the same order.
//
// The apiserver calls, for each kind it serves, Validate<Kind> on create,
// Validate<Kind>Update on update and Validate<Kind>StatusUpdate for the status subresource
// (Pod, Service, Namespace, Node, ReplicaSet, Deployment, HorizontalPodAutoscaler), plus
// ValidateBinding, ValidateScale and ValidateNamespaceFinalizeUpdate. Each returns the whole
// list of problems, without repeats, in upstream's order; an update check includes the checks
// upstream's generic registry runs on every update's metadata.
//
// What validation does not do, because upstream does it elsewhere and Skiff's apiserver must
// too: defaulting (validation expects defaulted objects, e.g. a volume without a source has
// become an emptyDir, podIPs agree with podIP), dropping fields of disabled features
// (lease strategy and preferredHolder, lifecycle.stopSignal), name generation, and the
// service registry's clusterIP/clusterIPs normalization and IP/port allocation.
package validation
