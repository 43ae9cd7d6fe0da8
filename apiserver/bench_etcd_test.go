package apiserver_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkCreateVsEtcd answers "how much of etcd's speed does the apiserver keep?" in one
// run on one embedded etcd: first small ConfigMaps created through HTTP (decoding,
// defaulting, validation, encoding, the handler), then the same bytes written straight to
// etcd as one create transaction each (storage.Create: what every create costs at the
// least; apiserver/storage's BenchmarkRawEtcdPut shows it at about 0.9x a bare put).
//
//	go test ./apiserver -run '^$' -bench CreateVsEtcd -benchtime 5s
func BenchmarkCreateVsEtcd(b *testing.B) {
	env, hc := benchEnv(b)
	url := env.URL + "/api/v1/namespaces/default/configmaps"
	store := env.Server.Store()

	var n atomic.Int64
	b.SetParallelism(16)
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := fmt.Appendf(nil, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"http-%d"},"data":{"key":"value"}}`, n.Add(1))
			send(b, hc, "POST", url, body, 201)
		}
	})
	httpRate := float64(b.N) / time.Since(start).Seconds()

	value := []byte(`{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x","namespace":"default"},"data":{"key":"value"}}`)
	var m atomic.Int64
	ctx := context.Background()
	start = time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := fmt.Sprintf("/registry/configmaps/default/raw-%d", m.Add(1))
			if _, err := store.Create(ctx, key, value); err != nil {
				b.Fatal(err)
			}
		}
	})
	etcdRate := float64(b.N) / time.Since(start).Seconds()

	b.ReportMetric(httpRate, "http-creates/s")
	b.ReportMetric(etcdRate, "etcd-creates/s")
	b.ReportMetric(httpRate/etcdRate, "ratio")
}
