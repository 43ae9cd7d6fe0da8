// Package storage is the only part of Skiff that talks to etcd.
//
// It is deliberately narrow, in the spirit of k3s's kine: a handful of verbs
// (Get, List, Create, Update, Delete, Watch, Compact) over raw bytes. The
// apiserver encodes objects as JSON and hands this package full keys such as
// "/registry/pods/default/nginx"; storage never decodes a value.
//
// What it promises:
//   - Every write is a single etcd transaction, so Create, Update and Delete
//     are atomic and optimistic: Update and conditional Delete succeed only if
//     the key's mod revision is still the one the caller read.
//   - Revisions are etcd's: a write returns the store revision it created, and
//     that number is what the apiserver shows as resourceVersion.
//   - Reads at a fixed revision are consistent snapshots; once that revision is
//     compacted away they fail with ErrCompacted (the apiserver's 410 Gone).
//   - A WatchCache multiplexes one etcd watch per resource to any number of
//     watchers, remembers recent events for replay, and serves lists from memory.
//
// Keys and prefixes: a prefix that ends in "/" selects every key beneath it
// ("/registry/pods/" or "/registry/pods/ns1/"); a prefix that does not end in
// "/" selects exactly that one key. This keeps "/registry/pods/ns1/web" from
// also matching "/registry/pods/ns1/web-2" when a caller narrows a watch to a
// single object.
package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
)

// Sentinel errors. Callers test them with errors.Is; the returned errors wrap
// them with the key or revision involved.
var (
	// ErrNotFound: the key does not exist.
	ErrNotFound = errors.New("key not found")
	// ErrAlreadyExists: Create found the key already present.
	ErrAlreadyExists = errors.New("key already exists")
	// ErrConflict: the key's mod revision is not the one the caller expected
	// (someone else wrote it in between).
	ErrConflict = errors.New("mod revision conflict")
	// ErrCompacted: the requested revision has been compacted; the apiserver
	// answers 410 Gone and the client relists.
	ErrCompacted = errors.New("requested revision has been compacted")
	// ErrFutureRevision: the requested revision is newer than the store's; the
	// apiserver answers 504 "Too large resource version".
	ErrFutureRevision = errors.New("requested revision is newer than the current revision")
)

// ConflictError is how Update and Delete report ErrConflict: it also carries
// the key's current value, read in the same transaction, so a caller that
// retries (re-applying its change to the fresh object, as upstream's
// GuaranteedUpdate does) needs no extra Get. errors.Is(err, ErrConflict)
// holds for it.
type ConflictError struct {
	Key      string
	Expected int64 // the mod revision the caller expected
	Current  KeyValue
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s: expected mod revision %d, found %d: %v", e.Key, e.Expected, e.Current.ModRevision, ErrConflict)
}

func (e *ConflictError) Unwrap() error { return ErrConflict }

// KeyValue is one stored key with its raw value and etcd revisions.
// CreateRevision is the revision that created the key (stable while it
// exists); ModRevision is the revision of its last write.
type KeyValue struct {
	Key            string
	Value          []byte
	CreateRevision int64
	ModRevision    int64
}

// ListOptions selects which part of a prefix List returns.
type ListOptions struct {
	// Revision 0 reads the latest state (a linearizable read); > 0 reads the
	// state exactly at that revision (ErrCompacted if it is gone,
	// ErrFutureRevision if it does not exist yet).
	Revision int64
	// Limit caps the number of items; 0 means no limit.
	Limit int64
	// StartKey continues a paginated list from this key (inclusive). It must
	// lie under the prefix.
	StartKey string
}

// ListResult is one page of a List.
type ListResult struct {
	Items []KeyValue
	// Revision is the store revision the read was served at. Pass it back as
	// ListOptions.Revision to read further pages from the same snapshot.
	Revision int64
	// More reports whether items remain after this page; Remaining counts them.
	More      bool
	Remaining int64
}

// EventType says what happened to a key.
type EventType int

const (
	// EventPut: the key was created or updated (Prev is nil on create).
	EventPut EventType = iota + 1
	// EventDelete: the key was deleted.
	EventDelete
)

func (t EventType) String() string {
	switch t {
	case EventPut:
		return "PUT"
	case EventDelete:
		return "DELETE"
	}
	return "UNKNOWN"
}

// Event is one change seen by a watch.
type Event struct {
	Type EventType
	// KV is the new state. For a delete it carries only Key and ModRevision
	// (the deletion revision); Value is nil.
	KV KeyValue
	// Prev is the state before the change, nil when the key was created.
	Prev *KeyValue
	// Revision is the store revision of the change.
	Revision int64
}

// Store is everything the apiserver may do to etcd. Values passed in are not
// retained after a call returns; values handed out (including the ones inside
// watch events, which may be shared between watchers) must not be modified.
type Store interface {
	// Get returns the current value of key, or ErrNotFound.
	Get(ctx context.Context, key string) (KeyValue, error)
	// List returns the keys under prefix in key order.
	List(ctx context.Context, prefix string, opts ListOptions) (ListResult, error)
	// Create stores a new key; ErrAlreadyExists if it is present.
	Create(ctx context.Context, key string, value []byte) (rev int64, err error)
	// Update replaces key's value if its mod revision is still expectedModRev
	// (ErrConflict otherwise, as a *ConflictError; ErrNotFound if the key is
	// gone). expectedModRev 0 accepts any existing revision.
	Update(ctx context.Context, key string, value []byte, expectedModRev int64) (rev int64, err error)
	// Delete removes key if its mod revision is expectedModRev (0 means
	// unconditionally; ErrConflict as a *ConflictError otherwise) and returns
	// the value it had and the deletion revision.
	Delete(ctx context.Context, key string, expectedModRev int64) (prev KeyValue, rev int64, err error)
	// Watch streams the changes under prefix with Revision > afterRev
	// (afterRev 0: changes from now on). The channel is closed when ctx ends
	// or the watch breaks; the caller then re-watches from the last revision it
	// saw. ErrCompacted if afterRev has been compacted.
	Watch(ctx context.Context, prefix string, afterRev int64) (<-chan Event, error)
	// CurrentRevision returns the store's latest revision.
	CurrentRevision(ctx context.Context) (int64, error)
	// Compact discards history before rev.
	Compact(ctx context.Context, rev int64) error
	// Close releases the connection.
	Close() error
}

// prefixEnd returns the first key after every key selected by prefix: the
// end of the range [prefix, end) that etcd should read or watch.
func prefixEnd(prefix string) string {
	if !isSubtree(prefix) {
		// Exactly one key: the range [key, key+"\x00").
		return prefix + "\x00"
	}
	// Increment the last byte that is not 0xff; "/a/" -> "/a0".
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	// All 0xff (or empty): every key from prefix on; etcd spells that "\x00".
	return "\x00"
}

// rangeStart returns the first key selected by prefix. etcd refuses the empty
// key, so the prefix "" (everything) starts at "\x00", the smallest key.
func rangeStart(prefix string) string {
	if prefix == "" {
		return "\x00"
	}
	return prefix
}

// isSubtree reports whether prefix selects a subtree rather than one key.
func isSubtree(prefix string) bool {
	return prefix == "" || strings.HasSuffix(prefix, "/")
}

// selects reports whether key is selected by prefix (see the package doc).
func selects(prefix, key string) bool {
	if isSubtree(prefix) {
		return strings.HasPrefix(key, prefix)
	}
	return key == prefix
}

// translateError maps etcd's revision errors onto this package's sentinels so
// the apiserver never has to know etcd's error types.
func translateError(err error) error {
	if err == nil {
		return nil
	}
	switch rpctypes.ErrorDesc(err) {
	case rpctypes.ErrCompacted.Error():
		return ErrCompacted
	case rpctypes.ErrFutureRev.Error():
		return ErrFutureRevision
	}
	return err
}

// Wrapper is implemented by a Store that decorates another (the apiserver's metrics
// wrapper). The watch cache unwraps it to reach the etcd store's progress-notifying watch.
type Wrapper interface {
	Unwrap() Store
}
