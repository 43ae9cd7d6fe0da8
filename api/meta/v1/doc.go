// Package v1 (imported as metav1) holds the object metadata every Kubernetes kind shares:
// TypeMeta, ObjectMeta, ListMeta, label selectors, Status errors, watch events, discovery
// documents and Tables.
//
// Promise: every type marshals to exactly the JSON upstream's k8s.io/apimachinery meta/v1
// produces (same field names, same omitempty rules, same time formats), so real clients
// cannot tell Skiff's objects from upstream's.
package v1
