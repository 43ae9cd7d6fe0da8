// Package client holds Skiff's typed API clients: one generic Interface[T] (Get, List,
// Create, Update, UpdateStatus, Patch, Delete, DeleteCollection, Watch) that works for every
// kind, the Resource descriptors that say where each kind lives in the API, and a Clientset
// with one constructor per kind (Pods(ns), Nodes(), Deployments(ns), Leases(ns) ...).
//
// Components reach the API only through this package and its sub-packages:
//
//	client/rest            HTTP, kubeconfig, Status errors, retries
//	client                 typed clients over rest (this package)
//	client/cache           reflectors, indexers, shared informers and listers
//	client/workqueue       rate-limited work queues for controllers
//	client/leaderelection  one active replica per component, on a Lease
//	client/events          the EventRecorder behind `kubectl describe` events
//	client/clienttest      an in-memory API for controller unit tests
//
// Promises: every method speaks JSON with the exact wire shape of upstream's client-go, so
// the same calls work against Skiff and against a real kube-apiserver; errors are the
// *metav1.Status the server sent (test them with rest.IsNotFound and friends); a Watch
// delivers typed events until the server ends the stream, the context is cancelled or Stop
// is called, and then closes its channel.
//
// Objects passed in are never modified; objects returned are fresh and belong to the caller.
package client
