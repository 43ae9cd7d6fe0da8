package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// DefaultCompactionInterval is upstream's --etcd-compaction-interval default.
const DefaultCompactionInterval = 5 * time.Minute

// Compact discards all history before rev: reads and watches at older
// revisions fail with ErrCompacted afterwards. Compacting to a revision that is
// already compacted is not an error.
func (s *etcdStore) Compact(ctx context.Context, rev int64) error {
	if _, err := s.client.Compact(ctx, rev); err != nil {
		err = translateError(err)
		if errors.Is(err, ErrCompacted) {
			return nil
		}
		return fmt.Errorf("compact to revision %d: %w", rev, err)
	}
	return nil
}

// RunCompactor compacts store every interval until ctx ends, each time to the
// revision that was current one interval earlier. So about one interval of
// history always stays readable and watchable: a client that fell behind by
// less than that can resume its watch instead of relisting. interval <= 0
// disables compaction (RunCompactor returns at once). It blocks: run it in a
// goroutine of its own.
func RunCompactor(ctx context.Context, store Store, interval time.Duration) {
	if interval <= 0 {
		return
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	var previous int64 // revision seen at the previous tick; 0 before the first
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		current, err := store.CurrentRevision(ctx)
		if err != nil {
			if ctx.Err() == nil {
				slog.Warn("compaction skipped: cannot read current revision", "err", err)
			}
			continue
		}
		if next := compactionTarget(previous, current); next > 0 {
			if err := store.Compact(ctx, next); err != nil {
				if ctx.Err() == nil {
					slog.Warn("compaction failed", "revision", next, "err", err)
				}
			} else {
				slog.Debug("compacted etcd history", "revision", next)
			}
		}
		previous = current
	}
}

// compactionTarget decides what to compact to, given the revision seen one
// interval ago and the current one: the old one, unless there is none yet
// (the first tick only records where history starts).
func compactionTarget(previous, current int64) int64 {
	if previous <= 0 || previous > current {
		return 0
	}
	return previous
}
