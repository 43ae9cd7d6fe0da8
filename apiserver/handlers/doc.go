// Package handlers turns HTTP requests on /api and /apis into reads and writes of API objects
// in etcd: one file per verb (get.go, list.go, watch.go, create.go, update.go, patch.go,
// delete.go, deletecollection.go) plus the subresources (status, scale, pods/binding,
// namespaces/finalize). Everything that differs between kinds comes from the
// registry.Resource and its Strategy; the few rules upstream keeps in per-resource storage
// (namespace termination, graceful pod deletion, binding) sit in files named after them.
//
// What it promises, as upstream's generic registry does:
//   - Objects are stored as JSON under <prefix>/<resource>/<namespace>/<name> without kind,
//     apiVersion and resourceVersion; the resourceVersion a client sees is the etcd
//     modification revision of the key, and a list's is the revision it was read at.
//   - Writes are optimistic: an update that carries a stale resourceVersion fails with 409
//     Conflict; one without a resourceVersion is retried internally until it applies.
//   - Every failure is answered with a kind: Status body whose code, reason, message and
//     details are upstream's, so clients (and people) can act on them.
//   - A watch sees every change after the resourceVersion it starts from, in order, or an
//     ERROR event with 410 Expired when that history is gone.
package handlers
