// Command loadgen measures how fast an apiserver creates small objects: -clients
// goroutines POST ConfigMaps for -duration and it prints creates/s and latency
// percentiles. It speaks plain HTTP(S) with an optional bearer token, so the same run can
// point at Skiff and at an upstream kube-apiserver (hack/bench.sh does both, so the figure
// is a ratio measured on one machine at one time).
//
//	go run ./hack/loadgen -server http://127.0.0.1:6443 -clients 32 -duration 10s
//	go run ./hack/loadgen -server https://127.0.0.1:16443 -token peer-admin-token -insecure
package main

import (
	"bytes"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	server := flag.String("server", "http://127.0.0.1:6443", "apiserver URL")
	token := flag.String("token", "", "bearer token")
	insecure := flag.Bool("insecure", false, "skip TLS verification (loopback peers with a throwaway CA)")
	clients := flag.Int("clients", 32, "concurrent clients")
	duration := flag.Duration("duration", 10*time.Second, "how long to create")
	namespace := flag.String("namespace", "default", "namespace to create in")
	label := flag.String("label", "", "name printed with the result")
	flag.Parse()

	tr := &http.Transport{MaxIdleConnsPerHost: *clients, TLSClientConfig: &tls.Config{InsecureSkipVerify: *insecure}}
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	url := fmt.Sprintf("%s/api/v1/namespaces/%s/configmaps", *server, *namespace)
	run := time.Now().UnixNano()

	var created, failed atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			var mine []time.Duration
			for i := 0; time.Now().Before(deadline); i++ {
				body := fmt.Sprintf(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"lg-%d-%d-%d"},"data":{"key":"value"}}`, run, c, i)
				req, _ := http.NewRequest("POST", url, bytes.NewBufferString(body))
				req.Header.Set("Content-Type", "application/json")
				if *token != "" {
					req.Header.Set("Authorization", "Bearer "+*token)
				}
				start := time.Now()
				resp, err := hc.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					failed.Add(1)
					continue
				}
				mine = append(mine, time.Since(start))
				created.Add(1)
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	if created.Load() == 0 {
		log.Fatalf("no object created (%d failures) at %s", failed.Load(), url)
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
	fmt.Fprintf(os.Stdout, "%s\tcreates/s=%.0f\tp50=%v\tp99=%v\tfailed=%d\n", *label,
		float64(created.Load())/duration.Seconds(), pct(0.50).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), failed.Load())
}
