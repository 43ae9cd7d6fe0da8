package scheduler

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// The filter and score tests are data: testdata/filters/*.yaml and testdata/scores/*.yaml
// hold, per plugin, cases of pods and nodes in (as they would be written for kubectl) and
// the expected verdict or scores out. These functions only load and run them.

// filterFile is one testdata/filters/*.yaml file: cases for one filter.
type filterFile struct {
	Filter string       `json:"filter"`
	Cases  []filterCase `json:"cases"`
}

type filterCase struct {
	Name string      `json:"name"`
	Pod  corev1.Pod  `json:"pod"`
	Node corev1.Node `json:"node"`
	// Pods are already on the node (their spec.nodeName is filled in if empty).
	Pods []corev1.Pod `json:"pods"`
	// OtherNodes complete the cluster, for filters that look beyond the node (spreading);
	// pods on them name them in spec.nodeName.
	OtherNodes []corev1.Node `json:"otherNodes"`
	// Namespaces give namespaces labels, for pod affinity namespaceSelectors.
	Namespaces []corev1.Namespace `json:"namespaces"`
	Want       wantStatus         `json:"want"`
}

// wantStatus is the expected verdict: code Success, or a failure code and its reasons.
type wantStatus struct {
	Code    string   `json:"code"`
	Reasons []string `json:"reasons"`
}

var codeNames = map[Code]string{
	Success:                      "Success",
	Unschedulable:                "Unschedulable",
	UnschedulableAndUnresolvable: "UnschedulableAndUnresolvable",
}

func TestFilters(t *testing.T) {
	pipeline := DefaultPipeline()
	for _, path := range testdataFiles(t, "filters") {
		var file filterFile
		loadYAML(t, path, &file)
		i := slices.IndexFunc(pipeline.Filters, func(f Filter) bool { return f.Name == file.Filter })
		if i < 0 {
			t.Fatalf("%s: no filter %q in the pipeline", path, file.Filter)
		}
		filter := pipeline.Filters[i]
		for _, tc := range file.Cases {
			t.Run(file.Filter+"/"+tc.Name, func(t *testing.T) {
				nodes := append([]*corev1.Node{&tc.Node}, pointers(tc.OtherNodes)...)
				snapshot := NewSnapshot(nodes, placedOn(tc.Node.Name, tc.Pods))
				c := newCycle(&tc.Pod, snapshot, namespaceLabels(tc.Namespaces))
				got := wantStatus{Code: "Success"}
				if st := filter.Check(c, snapshot.Get(tc.Node.Name)); st != nil {
					got = wantStatus{Code: codeNames[st.Code], Reasons: st.Reasons}
				}
				if got.Code != tc.Want.Code || !slices.Equal(got.Reasons, tc.Want.Reasons) {
					t.Errorf("got %+v, want %+v", got, tc.Want)
				}
			})
		}
	}
}

// scoreFile is one testdata/scores/*.yaml file: cases for one scorer.
type scoreFile struct {
	Scorer string      `json:"scorer"`
	Cases  []scoreCase `json:"cases"`
}

type scoreCase struct {
	Name  string        `json:"name"`
	Pod   corev1.Pod    `json:"pod"`
	Nodes []corev1.Node `json:"nodes"`
	// Pods are already bound (spec.nodeName set).
	Pods       []corev1.Pod       `json:"pods"`
	Namespaces []corev1.Namespace `json:"namespaces"`
	// Want maps node name to normalized score; an empty map means the scorer abstains.
	Want map[string]int64 `json:"want"`
}

func TestScores(t *testing.T) {
	pipeline := DefaultPipeline()
	for _, path := range testdataFiles(t, "scores") {
		var file scoreFile
		loadYAML(t, path, &file)
		i := slices.IndexFunc(pipeline.Scorers, func(s Scorer) bool { return s.Name == file.Scorer })
		if i < 0 {
			t.Fatalf("%s: no scorer %q in the pipeline", path, file.Scorer)
		}
		scorer := pipeline.Scorers[i]
		for _, tc := range file.Cases {
			t.Run(file.Scorer+"/"+tc.Name, func(t *testing.T) {
				snapshot := NewSnapshot(pointers(tc.Nodes), pointers(tc.Pods))
				c := newCycle(&tc.Pod, snapshot, namespaceLabels(tc.Namespaces))
				// Score the nodes in the order the case lists them.
				var nodes []*NodeInfo
				for _, n := range tc.Nodes {
					nodes = append(nodes, snapshot.Get(n.Name))
				}
				scores := scorer.Score(c, nodes)
				got := map[string]int64{}
				for i, s := range scores {
					got[tc.Nodes[i].Name] = s
				}
				if len(got) != len(tc.Want) {
					t.Fatalf("got %v, want %v", got, tc.Want)
				}
				for name, want := range tc.Want {
					if got[name] != want {
						t.Errorf("node %s: got %d, want %d (all: %v)", name, got[name], want, got)
					}
				}
			})
		}
	}
}

// namespaceLabels looks labels up in fixture namespaces.
func namespaceLabels(namespaces []corev1.Namespace) func(string) map[string]string {
	return func(name string) map[string]string {
		for _, ns := range namespaces {
			if ns.Name == name {
				return ns.Labels
			}
		}
		return nil
	}
}

// testdataFiles lists testdata/<dir>/*.yaml.
func testdataFiles(t *testing.T, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no test data in testdata/%s: %v", dir, err)
	}
	return paths
}

// loadYAML decodes a YAML file strictly, so a misspelt field fails the test instead of
// silently testing less.
func loadYAML(t *testing.T, path string, into any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// placedOn returns the pods with spec.nodeName set to node where it is empty, and a UID
// derived from the name where none is given.
func placedOn(node string, pods []corev1.Pod) []*corev1.Pod {
	out := pointers(pods)
	for _, p := range out {
		if p.Spec.NodeName == "" {
			p.Spec.NodeName = node
		}
	}
	return out
}

// pointers turns fixture values into pointers, giving each pod without a UID one made of
// its name (the cache and NodeInfo identify pods by UID).
func pointers[T any](items []T) []*T {
	out := make([]*T, len(items))
	for i := range items {
		out[i] = &items[i]
		if p, ok := any(out[i]).(*corev1.Pod); ok && p.UID == "" {
			p.UID = "uid-" + strings.ReplaceAll(p.Namespace+"-"+p.Name, "/", "-")
		}
	}
	return out
}
