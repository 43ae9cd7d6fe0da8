package endpoints

import (
	"fmt"
	"os"
	"testing"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"sigs.k8s.io/yaml"
)

// subsetCase is one entry of testdata/subsets.yaml.
type subsetCase struct {
	Name    string                  `json:"name"`
	Service corev1.Service          `json:"service"`
	Pods    []corev1.Pod            `json:"pods"`
	Want    []corev1.EndpointSubset `json:"want"`
}

func TestComputeSubsets(t *testing.T) {
	raw, err := os.ReadFile("testdata/subsets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []subsetCase
	if err := yaml.UnmarshalStrict(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			pods := make([]*corev1.Pod, len(tc.Pods))
			for i := range tc.Pods {
				pods[i] = &tc.Pods[i]
			}
			got := computeSubsets(&tc.Service, pods)
			if canonicalJSON(got) != canonicalJSON(tc.Want) {
				g, _ := yaml.Marshal(got)
				w, _ := yaml.Marshal(tc.Want)
				t.Errorf("got:\n%s\nwant:\n%s", g, w)
			}
		})
	}
}

func TestRepackMergesPortsOfTheSameAddresses(t *testing.T) {
	a := corev1.EndpointAddress{IP: "10.0.0.1", TargetRef: &corev1.ObjectReference{UID: "a"}}
	in := []corev1.EndpointSubset{
		oneAddress(a, &corev1.EndpointPort{Name: "b", Port: 2}, true),
		oneAddress(a, &corev1.EndpointPort{Name: "a", Port: 1}, false),
		oneAddress(a, &corev1.EndpointPort{Name: "a", Port: 1}, true), // ready wins
	}
	got := repackSubsets(in)
	if len(got) != 1 || len(got[0].Addresses) != 1 || len(got[0].NotReadyAddresses) != 0 ||
		len(got[0].Ports) != 2 || got[0].Ports[0].Name != "a" {
		t.Errorf("got %+v", got)
	}
}

func TestTruncate(t *testing.T) {
	var ready, notReady []corev1.EndpointAddress
	for i := range 900 {
		ready = append(ready, corev1.EndpointAddress{IP: fmt.Sprintf("10.0.%d.%d", i/250, i%250)})
	}
	for i := range 300 {
		notReady = append(notReady, corev1.EndpointAddress{IP: fmt.Sprintf("10.1.%d.%d", i/250, i%250)})
	}
	subsets := []corev1.EndpointSubset{{Addresses: ready, NotReadyAddresses: notReady}}
	if !truncate(subsets) {
		t.Fatal("not truncated")
	}
	if len(subsets[0].Addresses) != 900 || len(subsets[0].NotReadyAddresses) != 100 {
		t.Errorf("kept %d ready, %d not ready; want all 900 ready and 100 not ready", len(subsets[0].Addresses), len(subsets[0].NotReadyAddresses))
	}
	small := []corev1.EndpointSubset{{Addresses: ready[:10]}}
	if truncate(small) {
		t.Error("truncated a small subset")
	}
}
