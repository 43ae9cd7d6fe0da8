package storage

import (
	"context"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Delete removes key and returns the value it had. With expectedModRev 0 it is
// a plain delete; otherwise it is one transaction, "if the mod revision is
// still expectedModRev then delete, else read the key", like Update.
func (s *etcdStore) Delete(ctx context.Context, key string, expectedModRev int64) (KeyValue, int64, error) {
	if expectedModRev == 0 {
		resp, err := s.kv.Delete(ctx, key, clientv3.WithPrevKV())
		if err != nil {
			return KeyValue{}, 0, fmt.Errorf("delete %s: %w", key, translateError(err))
		}
		if len(resp.PrevKvs) == 0 {
			return KeyValue{}, 0, fmt.Errorf("delete %s: %w", key, ErrNotFound)
		}
		return toKeyValue(resp.PrevKvs[0]), resp.Header.Revision, nil
	}

	resp, err := s.kv.Txn(ctx).
		If(clientv3.Compare(clientv3.ModRevision(key), "=", expectedModRev)).
		Then(clientv3.OpDelete(key, clientv3.WithPrevKV())).
		Else(clientv3.OpGet(key)).
		Commit()
	if err != nil {
		return KeyValue{}, 0, fmt.Errorf("delete %s: %w", key, translateError(err))
	}
	if !resp.Succeeded {
		current := resp.Responses[0].GetResponseRange().Kvs
		if len(current) == 0 {
			return KeyValue{}, 0, fmt.Errorf("delete %s: %w", key, ErrNotFound)
		}
		return KeyValue{}, 0, fmt.Errorf("delete: %w", &ConflictError{Key: key, Expected: expectedModRev, Current: toKeyValue(current[0])})
	}
	prev := resp.Responses[0].GetResponseDeleteRange().PrevKvs
	if len(prev) == 0 {
		// The compare proved the key existed in this very transaction.
		return KeyValue{}, 0, fmt.Errorf("delete %s: etcd returned no previous value", key)
	}
	return toKeyValue(prev[0]), resp.Header.Revision, nil
}
