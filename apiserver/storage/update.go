package storage

import (
	"context"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Update replaces key's value in one etcd transaction: "if the mod revision is
// still expectedModRev then put, else read the key". The else branch tells a
// conflict (key present, other revision) from a deletion, and hands a
// conflicting caller the current value, without a second round trip.
func (s *etcdStore) Update(ctx context.Context, key string, value []byte, expectedModRev int64) (int64, error) {
	cond := clientv3.Compare(clientv3.ModRevision(key), "=", expectedModRev)
	if expectedModRev == 0 {
		// Any revision will do, but the key must exist: Update never creates.
		cond = clientv3.Compare(clientv3.CreateRevision(key), ">", 0)
	}
	resp, err := s.kv.Txn(ctx).
		If(cond).
		Then(clientv3.OpPut(key, bytesAsString(value))).
		Else(clientv3.OpGet(key)).
		Commit()
	if err != nil {
		return 0, fmt.Errorf("update %s: %w", key, translateError(err))
	}
	if !resp.Succeeded {
		current := resp.Responses[0].GetResponseRange().Kvs
		if len(current) == 0 {
			return 0, fmt.Errorf("update %s: %w", key, ErrNotFound)
		}
		return 0, fmt.Errorf("update: %w", &ConflictError{Key: key, Expected: expectedModRev, Current: toKeyValue(current[0])})
	}
	return resp.Header.Revision, nil
}
