package apiserver_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/skiff-k8s/skiff/testenv"
)

// The benchmarks drive a real server over loopback HTTP with 16 parallel clients per CPU,
// the way controllers and kubectl load it, e.g.
//
//	go test ./apiserver -run '^$' -bench 'Create|Get' -benchtime 5000x
//	go test ./apiserver -run '^$' -bench List10k -benchtime 20x

func benchEnv(b *testing.B) (*testenv.Env, *http.Client) {
	env := testenv.Start(b)
	return env, env.Client()
}

func send(b *testing.B, hc *http.Client, method, url string, body []byte, want int) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Fatalf("%s %s: %d", method, url, resp.StatusCode)
	}
}

func BenchmarkCreate(b *testing.B) {
	env, hc := benchEnv(b)
	url := env.URL + "/api/v1/namespaces/default/configmaps"
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := fmt.Appendf(nil, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-%d","labels":{"app":"bench"}},"data":{"key":"value"}}`, n.Add(1))
			send(b, hc, "POST", url, body, 201)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
}

func BenchmarkGet(b *testing.B) {
	env, hc := benchEnv(b)
	url := env.URL + "/api/v1/namespaces/default/configmaps"
	send(b, hc, "POST", url, []byte(`{"metadata":{"name":"one"},"data":{"key":"value"}}`), 201)
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			send(b, hc, "GET", url+"/one", nil, 200)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "gets/s")
}

func BenchmarkList10k(b *testing.B) {
	env, hc := benchEnv(b)
	url := env.URL + "/api/v1/namespaces/default/configmaps"
	var n atomic.Int64
	var wg = make(chan struct{}, 32)
	for range 10000 {
		wg <- struct{}{}
		go func() {
			defer func() { <-wg }()
			body := fmt.Appendf(nil, `{"metadata":{"name":"cm-%05d"},"data":{"key":"value"}}`, n.Add(1))
			send(b, hc, "POST", url, body, 201)
		}()
	}
	for range cap(wg) {
		wg <- struct{}{}
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			send(b, hc, "GET", url, nil, 200)
		}
	})
}
