package e2e

import (
	"os"
	"testing"
	"time"
)

func TestHoldDebug(t *testing.T) {
	if os.Getenv("HOLD") == "" {
		t.Skip()
	}
	holdHook = func(kubeconfig string) {
		os.WriteFile("/tmp/kserve-kubeconfig", []byte(kubeconfig), 0o644)
		time.Sleep(150 * time.Second)
	}
	TestKubectlContainerd(t)
}
