package storage

import (
	"context"
	"fmt"

	"go.etcd.io/etcd/api/v3/mvccpb"
)

// Get returns key's current value with a linearizable read.
func (s *etcdStore) Get(ctx context.Context, key string) (KeyValue, error) {
	resp, err := s.kv.Get(ctx, key)
	if err != nil {
		return KeyValue{}, fmt.Errorf("get %s: %w", key, translateError(err))
	}
	if len(resp.Kvs) == 0 {
		return KeyValue{}, fmt.Errorf("get %s: %w", key, ErrNotFound)
	}
	return toKeyValue(resp.Kvs[0]), nil
}

// toKeyValue converts etcd's protobuf key-value. The value bytes are shared,
// not copied: etcd decoded them into a fresh buffer for this response.
func toKeyValue(kv *mvccpb.KeyValue) KeyValue {
	return KeyValue{
		Key:            string(kv.Key),
		Value:          kv.Value,
		CreateRevision: kv.CreateRevision,
		ModRevision:    kv.ModRevision,
	}
}
