package client

import (
	"context"
	"net/url"
	"strconv"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// Interface is the typed client of one kind T in one namespace (or cluster-wide). Every
// kind gets the same verbs; kind-specific subresources (pod binding, scale) live in wider
// interfaces such as PodInterface.
type Interface[T any] interface {
	Get(ctx context.Context, name string) (*T, error)
	List(ctx context.Context, opts ListOptions) (*List[T], error)
	// Create sends obj to the server and returns what was stored (name generated, uid,
	// resourceVersion and defaults filled in).
	Create(ctx context.Context, obj *T) (*T, error)
	// Update replaces the object; obj's resourceVersion makes it conditional (a stale one
	// fails with a Conflict). Status changes are ignored by the server: use UpdateStatus.
	Update(ctx context.Context, obj *T) (*T, error)
	// UpdateStatus replaces only the status, through the status subresource.
	UpdateStatus(ctx context.Context, obj *T) (*T, error)
	// Patch applies a patch of the given type to the object or to one of its subresources.
	Patch(ctx context.Context, name string, pt PatchType, data []byte, subresources ...string) (*T, error)
	Delete(ctx context.Context, name string, opts metav1.DeleteOptions) error
	DeleteCollection(ctx context.Context, opts metav1.DeleteOptions, listOpts ListOptions) error
	// Watch streams changes after opts.ResourceVersion. Stop it, or cancel ctx, when done.
	Watch(ctx context.Context, opts ListOptions) (Watcher[T], error)
}

// List is the answer of a list call for any kind: the wire shape of every XxxList.
type List[T any] struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []T `json:"items"`
}

// ListOptions narrows a list or a watch; the fields are upstream's query parameters.
type ListOptions struct {
	// LabelSelector and FieldSelector use upstream's string syntax ("app=web",
	// "spec.nodeName=node-1").
	LabelSelector string
	FieldSelector string
	// Limit asks for pages of at most this many items; Continue fetches the next page.
	Limit    int64
	Continue string
	// ResourceVersion: for a list, "" means most recent (a consistent read), "0" means any
	// (possibly stale, served from cache); for a watch, start after this version.
	ResourceVersion      string
	ResourceVersionMatch string
	// TimeoutSeconds ends a watch (or list) after this long.
	TimeoutSeconds *int64
	// AllowWatchBookmarks lets the server send BOOKMARK events carrying only a newer
	// resourceVersion, so a resumed watch starts from a recent point.
	AllowWatchBookmarks bool
	// SendInitialEvents turns a watch into a "watch-list": the current state arrives as
	// ADDED events, ended by a bookmark annotated k8s.io/initial-events-end.
	SendInitialEvents *bool
}

// Values of ResourceVersionMatch.
const (
	ResourceVersionMatchNotOlderThan = "NotOlderThan"
	ResourceVersionMatchExact        = "Exact"
)

// query renders the options as URL parameters, leaving out everything unset.
func (o ListOptions) query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("labelSelector", o.LabelSelector)
	set("fieldSelector", o.FieldSelector)
	if o.Limit > 0 {
		q.Set("limit", strconv.FormatInt(o.Limit, 10))
	}
	set("continue", o.Continue)
	set("resourceVersion", o.ResourceVersion)
	set("resourceVersionMatch", o.ResourceVersionMatch)
	if o.TimeoutSeconds != nil {
		q.Set("timeoutSeconds", strconv.FormatInt(*o.TimeoutSeconds, 10))
	}
	if o.AllowWatchBookmarks {
		q.Set("allowWatchBookmarks", "true")
	}
	if o.SendInitialEvents != nil {
		q.Set("sendInitialEvents", strconv.FormatBool(*o.SendInitialEvents))
	}
	return q
}

// PatchType is the Content-Type that says how the server applies a patch.
type PatchType string

const (
	// JSONPatchType is RFC 6902: a list of operations (add, remove, replace, test ...).
	JSONPatchType PatchType = "application/json-patch+json"
	// MergePatchType is RFC 7386: a partial object; null deletes; lists are replaced whole.
	MergePatchType PatchType = "application/merge-patch+json"
	// StrategicMergePatchType is Kubernetes' merge patch that merges lists by key (containers
	// by name) as the kinds' patchStrategy tags say. Only built-in kinds support it.
	StrategicMergePatchType PatchType = "application/strategic-merge-patch+json"
)

// Event is one change seen by a watch.
type Event[T any] struct {
	// Type is metav1.WatchAdded, WatchModified, WatchDeleted, WatchBookmark or WatchError.
	Type string
	// Object is the object after the change (for DELETED, its last state; for BOOKMARK,
	// only metadata.resourceVersion and annotations are set). Nil for ERROR.
	Object *T
	// Status explains an ERROR event (410 Expired: the watch fell too far behind).
	Status *metav1.Status
}

// Watcher delivers a watch's events. The channel is closed when the watch ends for any
// reason: the server closed the stream, the context was cancelled, or Stop was called.
type Watcher[T any] interface {
	ResultChan() <-chan Event[T]
	// Stop ends the watch and releases its connection; safe to call more than once.
	Stop()
}
