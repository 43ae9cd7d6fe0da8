// Command cpu-burner is the load target of the autoscaling demo: each request burns about
// -work of CPU time before answering "OK!", so a load generator drives CPU utilization up
// and the HorizontalPodAutoscaler adds replicas (like upstream's hpa-example image).
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"net/http"
	"time"
)

func main() {
	addr := flag.String("listen", ":8080", "address to serve on")
	work := flag.Duration("work", 50*time.Millisecond, "CPU time to burn per request")
	flag.Parse()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		burn(*work)
		fmt.Fprintln(w, "OK!")
	})
	log.Printf("cpu-burner serving on %s, %s of work per request", *addr, *work)
	log.Fatal(http.ListenAndServe(*addr, nil))
}

// burn spins on floating point work until d has passed.
func burn(d time.Duration) {
	x := 0.0001
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 10000; i++ {
			x += math.Sqrt(x)
		}
	}
	_ = x
}
