package storage

import (
	"context"
	"fmt"

	"google.golang.org/grpc/metadata"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// watchBufferSize is how many events a direct watch buffers between etcd and
// a slow reader before etcd's own flow control takes over.
const watchBufferSize = 128

// Watch streams the changes under prefix after afterRev straight from etcd,
// each with its previous value. Each call is one etcd watch; the apiserver
// normally watches through a WatchCache instead.
func (s *etcdStore) Watch(ctx context.Context, prefix string, afterRev int64) (<-chan Event, error) {
	out := make(chan Event, watchBufferSize)
	err := s.watch(ctx, prefix, afterRev, watchOptions{prevKV: true}, func(b watchBatch) bool {
		for _, ev := range b.events {
			select {
			case out <- ev:
			case <-ctx.Done():
				return false
			}
		}
		return true
	}, func() { close(out) })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// watchOptions are the etcd watch features a caller wants.
type watchOptions struct {
	// prevKV asks etcd to attach each key's previous value (one extra read
	// per event inside etcd). The WatchCache knows previous values itself.
	prevKV bool
	// progress asks for progress notifications, so an idle watcher learns
	// how far the store has moved.
	progress bool
	// stream names a gRPC watch stream of its own. etcd answers a progress
	// request only once every watcher on the stream is in sync, so a watch
	// cache keeps its own stream: a lagging watcher elsewhere (a slow client's
	// direct watch) cannot then hold back the cache's progress.
	stream string
}

// watchBatch is one etcd watch response, translated.
type watchBatch struct {
	events []Event
	// progress > 0 marks a progress notification: every change under the
	// prefix up to this revision has been delivered.
	progress int64
	// err, on the last batch only, says why etcd ended the watch.
	err error
}

// watch starts an etcd watch of the changes under prefix after afterRev and
// hands every response to emit from a goroutine, until ctx ends, the watch
// breaks (the last batch then has err set), or emit returns false; then it
// calls done. The error return is for a watch that cannot start at all.
func (s *etcdStore) watch(ctx context.Context, prefix string, afterRev int64, opts watchOptions, emit func(watchBatch) bool, done func()) error {
	if afterRev < 0 {
		return fmt.Errorf("watch %s: negative revision %d", prefix, afterRev)
	}
	ops := make([]clientv3.OpOption, 1, 4)
	ops[0] = clientv3.WithRange(prefixEnd(prefix))
	if afterRev > 0 {
		// etcd reports a compacted start revision only asynchronously, in the
		// watch stream. Reading one key at afterRev answers synchronously, so
		// the caller gets ErrCompacted (or ErrFutureRevision) as an error.
		if _, err := s.kv.Get(ctx, rangeStart(prefix), clientv3.WithRev(afterRev), clientv3.WithCountOnly()); err != nil {
			return fmt.Errorf("watch %s after revision %d: %w", prefix, afterRev, translateError(err))
		}
		ops = append(ops, clientv3.WithRev(afterRev+1))
	}
	if opts.prevKV {
		ops = append(ops, clientv3.WithPrevKV())
	}
	if opts.progress {
		ops = append(ops, clientv3.WithProgressNotify())
	}

	// WithRequireLeader makes etcd end the watch when its member loses the
	// leader, instead of leaving us on a partitioned member that sees nothing.
	wctx, cancel := context.WithCancel(streamContext(ctx, opts.stream))
	wch := s.client.Watch(wctx, rangeStart(prefix), ops...)
	go func() {
		defer done()
		defer cancel()
		for resp := range wch {
			if err := resp.Err(); err != nil {
				emit(watchBatch{err: fmt.Errorf("watch %s: %w", prefix, translateError(err))})
				return
			}
			var b watchBatch
			if resp.IsProgressNotify() {
				b.progress = resp.Header.Revision
			} else {
				b.events = make([]Event, len(resp.Events))
				for i, ev := range resp.Events {
					b.events[i] = toEvent(ev)
				}
			}
			if !emit(b) {
				return
			}
		}
	}()
	return nil
}

// requestProgress asks etcd to send a progress notification now to the
// watches of the named stream, instead of waiting for the periodic one.
func (s *etcdStore) requestProgress(ctx context.Context, stream string) error {
	return s.client.RequestProgress(streamContext(ctx, stream))
}

// streamContext selects the gRPC watch stream: the etcd client keys streams by
// the outgoing metadata, here the require-leader flag plus the stream's name.
func streamContext(ctx context.Context, stream string) context.Context {
	ctx = clientv3.WithRequireLeader(ctx)
	if stream != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "skiff-watch-stream", stream)
	}
	return ctx
}

// toEvent converts an etcd watch event.
func toEvent(ev *clientv3.Event) Event {
	e := Event{Type: EventPut, KV: toKeyValue(ev.Kv), Revision: ev.Kv.ModRevision}
	if ev.Type == mvccpb.DELETE {
		e.Type = EventDelete
		e.KV.Value = nil
	}
	if ev.PrevKv != nil {
		prev := toKeyValue(ev.PrevKv)
		e.Prev = &prev
	}
	return e
}
