package proxy

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

var update = flag.Bool("update", false, "rewrite the golden .rules files from the current output")

// fixture is one testdata file: Services and Endpoints in, rules out (in <name>.rules).
type fixture struct {
	Services  []*corev1.Service   `json:"services"`
	Endpoints []*corev1.Endpoints `json:"endpoints"`
}

// TestRenderGolden renders each fixture and compares with the golden rules file, which a
// reader can skim to see exactly what the proxy writes.
func TestRenderGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			got := renderFixture(t, f)
			golden := strings.TrimSuffix(f, ".yaml") + ".rules"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run with -update to create): %v", err)
			}
			if got != string(want) {
				t.Errorf("rules differ from %s:\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
		})
	}
}

func renderFixture(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var fx fixture
	if err := yaml.UnmarshalStrict(data, &fx); err != nil {
		t.Fatal(err)
	}
	eps := map[string]*corev1.Endpoints{}
	for _, e := range fx.Endpoints {
		eps[e.Namespace+"/"+e.Name] = e
	}
	return Render(fx.Services, eps, Options{PodCIDR: "10.88.0.0/16"})
}

// TestRenderSemantics checks what matters independent of formatting: ready endpoints
// only, equal probabilities, REJECT for a Service with none, nothing for headless ones.
func TestRenderSemantics(t *testing.T) {
	rules := renderFixture(t, "testdata/two-endpoints.yaml")
	mustContain := []string{
		"-j DNAT --to-destination 10.88.0.4:8080",
		"-j DNAT --to-destination 10.88.0.5:8080",
		"--probability 0.5000000000",
		`-m comment --comment "demo/lonely has no endpoints" -d 10.96.0.30/32 -p tcp -m tcp --dport 81 -j REJECT`,
		"--dport 30081 -j REJECT",
		"-d 10.96.0.20/32 -p tcp -m tcp --dport 80 -j SKIFF-SVC-",
		"-s 10.88.0.0/16 -j SKIFF-MARK-MASQ",
	}
	for _, s := range mustContain {
		if !strings.Contains(rules, s) {
			t.Errorf("rules lack %q:\n%s", s, rules)
		}
	}
	for _, s := range []string{"10.88.0.9", "headless"} {
		if strings.Contains(rules, s) {
			t.Errorf("rules mention %q, which must not be proxied:\n%s", s, rules)
		}
	}
	// Each nat chain that is jumped to is declared.
	for _, line := range strings.Split(rules, "\n") {
		if i := strings.Index(line, "-j SKIFF-"); i >= 0 {
			target := strings.Fields(line[i+3:])[0]
			if !strings.Contains(rules, ":"+target+" ") {
				t.Errorf("chain %s is used but not declared", target)
			}
		}
	}
}

// TestRenderIsValidIPTables hands the rules to the real iptables-restore in test mode
// (nothing is committed), so a syntax slip fails here rather than on a node.
func TestRenderIsValidIPTables(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("iptables-restore --test needs root")
	}
	if _, err := exec.LookPath("iptables-restore"); err != nil {
		t.Skip("iptables-restore is not installed")
	}
	cmd := exec.Command("iptables-restore", "--test", "--noflush")
	cmd.Stdin = strings.NewReader(renderFixture(t, "testdata/two-endpoints.yaml"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("iptables-restore --test: %v\n%s", err, out)
	}
}
