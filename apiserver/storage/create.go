package storage

import (
	"context"
	"fmt"
	"unsafe"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Create stores value under key if the key does not exist yet, in one etcd
// transaction: "if key's create revision is 0 (absent) then put".
func (s *etcdStore) Create(ctx context.Context, key string, value []byte) (int64, error) {
	resp, err := s.kv.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, bytesAsString(value))).
		Commit()
	if err != nil {
		return 0, fmt.Errorf("create %s: %w", key, translateError(err))
	}
	if !resp.Succeeded {
		return 0, fmt.Errorf("create %s: %w", key, ErrAlreadyExists)
	}
	return resp.Header.Revision, nil
}

// bytesAsString views value as a string without copying it. clientv3's OpPut
// takes a string and immediately copies it into its own []byte, so the plain
// string(value) conversion would copy every object twice per write. The view
// is safe because nothing keeps it after OpPut returns.
func bytesAsString(value []byte) string {
	if len(value) == 0 {
		return ""
	}
	return unsafe.String(&value[0], len(value))
}
