package apiserver_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/skiff-k8s/skiff/testenv"
)

// BenchmarkWatchFanOut100 measures how fast one write reaches 100 watchers of the same
// resource: all of them share one etcd watch through the watch cache, so the cost is the
// fan-out and the 100 HTTP streams. Each iteration creates one ConfigMap and waits until
// every watcher has read its ADDED event.
//
//	go test ./apiserver -run '^$' -bench WatchFanOut100 -benchtime 500x
func BenchmarkWatchFanOut100(b *testing.B) {
	const watchers = 100
	env, hc := benchEnv(b)
	url := env.URL + "/api/v1/namespaces/default/configmaps"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Each watcher reports every event line it reads on its own channel.
	seen := make([]chan struct{}, watchers)
	var started sync.WaitGroup
	for i := range seen {
		seen[i] = make(chan struct{}, 1024)
		started.Add(1)
		go func(ch chan struct{}) {
			req, _ := http.NewRequestWithContext(ctx, "GET", url+"?watch=true&resourceVersion=0", nil)
			resp, err := http.DefaultClient.Do(req)
			started.Done()
			if err != nil {
				return
			}
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(make([]byte, 64*1024), 1<<20)
			for sc.Scan() {
				ch <- struct{}{}
			}
		}(seen[i])
	}
	started.Wait()
	time.Sleep(200 * time.Millisecond) // let every stream be registered with the cache

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := fmt.Appendf(nil, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fan-%d"}}`, i)
		send(b, hc, "POST", url, body, 201)
		for _, ch := range seen {
			select {
			case <-ch:
			case <-time.After(10 * time.Second):
				b.Fatalf("a watcher did not see event %d", i)
			}
		}
	}
	b.ReportMetric(float64(b.N*watchers)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "us/write-to-all")
}

// BenchmarkTestenvStart measures what an integration test pays to get a fresh apiserver:
// embedded etcd in a temp dir, bootstrap objects, ready to serve (target < 0.5 s).
//
//	go test ./apiserver -run '^$' -bench TestenvStart -benchtime 10x
func BenchmarkTestenvStart(b *testing.B) {
	for i := 0; i < b.N; i++ {
		env, err := testenv.StartServer(context.Background(), b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		env.Stop()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/start")
}
