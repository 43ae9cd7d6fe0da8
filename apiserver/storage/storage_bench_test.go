package storage

import (
	"context"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// The benchmarks share one embedded etcd of their own, started on first use,
// so BenchmarkCreate and BenchmarkRawEtcdPut measure the very same server and
// their ratio is the cost of this package's layer (the create transaction's
// compare plus the conversions).
var (
	benchOnce  sync.Once
	benchStore *etcdStore
	benchStop  func() error
	benchDir   string
	benchErr   error
)

func benchEtcd(b *testing.B) *etcdStore {
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "skiff-storage-bench-")
		if benchErr != nil {
			return
		}
		var s Store
		s, benchStop, benchErr = StartEmbedded(context.Background(), benchDir)
		if benchErr == nil {
			benchStore = s.(*etcdStore)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchStore
}

func stopBenchEtcd() {
	if benchStop != nil {
		benchStop()
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
}

// benchValue is about the size of a small ConfigMap as the apiserver stores it.
var benchValue = []byte(`{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"bench-000000","namespace":"default","uid":"1c9f2a4e-6d2b-4b8e-9a51-3f0c2d7e8b91","creationTimestamp":"2025-01-01T00:00:00Z","labels":{"app":"bench","tier":"storage"},"managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"v1","time":"2025-01-01T00:00:00Z","fieldsType":"FieldsV1"}]},"data":{"key":"value","other":"some longer value to make this a realistic object"}}`)

var benchSeq atomic.Int64

func benchKey(prefix string) string {
	return prefix + strconv.FormatInt(benchSeq.Add(1), 10)
}

func BenchmarkCreate(b *testing.B) {
	s := benchEtcd(b)
	ctx := context.Background()
	b.SetBytes(int64(len(benchValue)))
	b.ReportAllocs()
	b.SetParallelism(16) // like many apiserver handlers at once
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Create(ctx, benchKey("/registry/configmaps/default/create-"), benchValue); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkRawEtcdPut(b *testing.B) {
	s := benchEtcd(b)
	ctx := context.Background()
	b.SetBytes(int64(len(benchValue)))
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.client.Put(ctx, benchKey("/registry/configmaps/default/put-"), string(benchValue)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkUpdate(b *testing.B) {
	s := benchEtcd(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		key := benchKey("/registry/configmaps/default/update-")
		rev, err := s.Create(ctx, key, benchValue)
		if err != nil {
			b.Error(err)
			return
		}
		for pb.Next() {
			if rev, err = s.Update(ctx, key, benchValue, rev); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
