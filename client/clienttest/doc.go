// Package clienttest is an in-memory API server for controller unit tests, in the style of
// sample-controller's tests: preload objects, run one sync, compare the API calls it made.
//
//	f := clienttest.New(rs, pod1, pod2)        // objects in the fake API
//	cs := client.NewClientset(f)               // the real typed clients, over the fake
//	... run the code under test with cs ...
//	clienttest.Writes(f.Actions())             // [create pods ns/..., update replicasets/status ns/rs]
//
// The fake sits below the typed clients (it implements rest.Interface), so the code under
// test runs the same client code as in production, and every kind, subresource and
// Clientset constructor works against it without a fake per kind.
//
// Promises, modelled on the API server's behaviour:
//   - create fills in uid, resourceVersion, creationTimestamp and generation, generates
//     names from generateName, and refuses duplicates (AlreadyExists);
//   - update and delete honour resourceVersion and uid preconditions (Conflict), the main
//     resource ignores status and the status subresource ignores everything else, and a
//     spec change bumps metadata.generation;
//   - delete of an object with finalizers only sets deletionTimestamp; it goes away when the
//     last finalizer is removed;
//   - list and watch honour namespaces, label selectors, field selectors on any JSON path
//     and resourceVersion (a watch replays the history after it); pods/binding sets
//     spec.nodeName; scale reads and writes spec.replicas;
//   - patch applies JSON merge patch, JSON patch and strategic merge patch with the same
//     engine as the apiserver (package api/patch), so patched objects come out exactly as
//     they would from a real server; server-side apply is not implemented and fails loudly;
//   - reactors (PrependReactor) can answer or fail any call first, to test error paths;
//   - every call is recorded as an Action; errors are the same *metav1.Status values the
//     real server returns, so rest.IsNotFound and friends behave identically.
package clienttest
