package apiserver_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/skiff-k8s/skiff/testenv"
)

// TestRestartKeepsData starts an apiserver twice on the same data directory, as `make up`
// does after `make down` or a crash: the second start must find the bootstrap objects
// (namespaces, the kubernetes Service and its ClusterIP) already there and come up.
func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	for round := 1; round <= 2; round++ {
		env, err := testenv.StartServer(context.Background(), dir)
		if err != nil {
			t.Fatalf("start %d: %v", round, err)
		}
		resp, err := http.Get(env.URL + "/api/v1/namespaces/default/services/kubernetes")
		if err != nil {
			env.Stop()
			t.Fatal(err)
		}
		resp.Body.Close()
		env.Stop()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("start %d: GET default/kubernetes service: %s", round, resp.Status)
		}
	}
}
