// Package proxy makes Service virtual IPs work on a node, the way kube-proxy's iptables
// mode does: it watches Services and Endpoints and keeps a set of iptables chains in which
// a packet to a ClusterIP (or a NodePort) is DNATed to one of the Service's ready
// endpoints, picked at random with equal chances.
//
// The rules are a pure function of the Services and Endpoints (rules.go, tested from data
// files); the Proxier (proxier.go) only watches, renders and hands the result to
// iptables-restore in one atomic write.
//
// Promises:
//   - Every chain Skiff owns starts with "SKIFF-"; nothing else in the tables is touched,
//     except one jump rule per built-in chain, and Cleanup removes both.
//   - A Service with no ready endpoints REJECTs at once (as upstream: "connection
//     refused"), instead of leaving the client to time out.
//   - Traffic from pods to a Service is masqueraded to the bridge's address, so replies come
//     back through the host's connection tracking even without br_netfilter.
package proxy
