package storage

import (
	"context"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// List reads the keys under prefix in key order, one page at a time.
//
// Pagination follows upstream's continue tokens: the first page is read at
// the latest revision, and every further page passes that revision back
// (ListOptions.Revision) with StartKey set to the key after the last one seen,
// so all pages come from the same snapshot however much is written meanwhile.
func (s *etcdStore) List(ctx context.Context, prefix string, opts ListOptions) (ListResult, error) {
	start := rangeStart(prefix)
	if opts.StartKey != "" {
		if !selects(prefix, opts.StartKey) {
			return ListResult{}, fmt.Errorf("list %s: start key %q is not under the prefix", prefix, opts.StartKey)
		}
		start = opts.StartKey
	}
	if opts.Limit < 0 || opts.Revision < 0 {
		return ListResult{}, fmt.Errorf("list %s: negative limit %d or revision %d", prefix, opts.Limit, opts.Revision)
	}

	ops := make([]clientv3.OpOption, 1, 3)
	ops[0] = clientv3.WithRange(prefixEnd(prefix))
	if opts.Limit > 0 {
		ops = append(ops, clientv3.WithLimit(opts.Limit))
	}
	if opts.Revision > 0 {
		ops = append(ops, clientv3.WithRev(opts.Revision))
	}
	resp, err := s.kv.Get(ctx, start, ops...)
	if err != nil {
		return ListResult{}, fmt.Errorf("list %s at revision %d: %w", prefix, opts.Revision, translateError(err))
	}

	result := ListResult{
		Items:    make([]KeyValue, len(resp.Kvs)),
		Revision: resp.Header.Revision,
		More:     resp.More,
	}
	if opts.Revision > 0 {
		// The header carries the store's current revision, but the data is
		// the snapshot at opts.Revision, and that is what the caller must
		// continue from.
		result.Revision = opts.Revision
	}
	for i, kv := range resp.Kvs {
		result.Items[i] = toKeyValue(kv)
	}
	if resp.More {
		// Count is the number of keys in the whole range from start, so what
		// is left is everything this page did not return.
		result.Remaining = resp.Count - int64(len(resp.Kvs))
	}
	return result, nil
}
