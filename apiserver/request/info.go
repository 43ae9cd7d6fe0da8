// Package request carries what the apiserver learned about a request (its verb and the
// resource it addresses) from the handler that parsed it to the filters around it: metrics
// and logging label every request by verb and resource without parsing URLs twice.
//
// Promise: a filter that calls WithInfo before the handler finds the handler's findings in
// the same *Info after the handler returns.
package request

import "context"

// Info describes one API request. Handlers fill it in; filters read it.
type Info struct {
	// Verb is upstream's metrics verb: GET, LIST, WATCH, POST, PUT, PATCH, DELETE,
	// DELETECOLLECTION; empty for requests that are not about a resource (discovery).
	Verb        string
	Group       string
	Version     string
	Resource    string
	Subresource string
	// Scope is "resource" (one object), "namespace" or "cluster" (collections), as upstream
	// labels its request metrics.
	Scope     string
	Namespace string
	Name      string
	// LongRunning marks watches, so the request duration metric leaves them out.
	LongRunning bool
}

type infoKey struct{}

// WithInfo returns a context carrying info; the handler fills it in place.
func WithInfo(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, infoKey{}, info)
}

// InfoFrom returns the Info a filter put in the context, or nil.
func InfoFrom(ctx context.Context) *Info {
	info, _ := ctx.Value(infoKey{}).(*Info)
	return info
}
